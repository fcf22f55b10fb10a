import type { OrderStatus } from '../domain/enums.js';
import type { OrderRecord, Position } from '../domain/trading.js';
import type { LedgerChange } from '../ports/ledger.js';

/** Trades kept at most (positions and order lists each): the oldest read is dropped first, so memory stays flat. */
const DEFAULT_LIMIT = 1_024;

/**
 * Recent trades' positions and order lists, as the ledger beneath holds them: the hot path reads
 * a trade's orders and position several times per directive. Only a writable ledger keeps one
 * (one writer per database), and it tells the cache of every write once it is durable, so a
 * cached trade never lags what a read of the database would give. A failed write, a rollback or
 * anything unexpected drops everything: the next read goes to the database again.
 */
export class TradeReadCache {
  readonly #limit: number;
  readonly #positions = new Map<string, Position>();
  /** A trade's orders in the ledger's order: created_at, then first write. */
  readonly #orders = new Map<string, OrderRecord[]>();
  /** Bumped by every write and drop: a load that overlapped one is not kept. */
  #generation = 0;

  constructor(limit = DEFAULT_LIMIT) {
    this.#limit = limit;
  }

  async position(tradeId: string, load: () => Promise<Position | undefined>): Promise<Position | undefined> {
    const cached = this.#positions.get(tradeId);
    if (cached !== undefined) {
      remember(this.#positions, tradeId, cached, this.#limit);
      return cached;
    }
    const generation = this.#generation;
    const loaded = await load();
    if (loaded !== undefined && generation === this.#generation) remember(this.#positions, tradeId, loaded, this.#limit);
    return loaded;
  }

  /** The trade's orders (those with one of `statuses`, if given), in the ledger's order. */
  async orders(tradeId: string, statuses: readonly OrderStatus[] | undefined, load: () => Promise<OrderRecord[]>): Promise<OrderRecord[]> {
    let list = this.#orders.get(tradeId);
    if (list !== undefined) remember(this.#orders, tradeId, list, this.#limit);
    else {
      const generation = this.#generation;
      const loaded = await load();
      if (generation === this.#generation) remember(this.#orders, tradeId, loaded, this.#limit);
      list = loaded;
    }
    return statuses === undefined ? [...list] : list.filter((order) => statuses.includes(order.status));
  }

  /** A change is durable: cached trades take its rows (a trade not cached is read when asked for). */
  written(change: Pick<LedgerChange, 'positions' | 'orders'>): void {
    this.#generation += 1;
    for (const position of change.positions ?? []) remember(this.#positions, position.trade_id, position, this.#limit);
    for (const order of change.orders ?? []) {
      const list = this.#orders.get(order.trade_id);
      if (list !== undefined && !upsert(list, order)) this.#orders.delete(order.trade_id);
    }
  }

  /** The ledger changed in a way the cache does not follow (rollback, failed or unknown write). */
  drop(): void {
    this.#generation += 1;
    this.#positions.clear();
    this.#orders.clear();
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as string);
}

/**
 * Replace the order in place (its row stays where it was), or add it in created_at order (ties:
 * first written first, as the database's rowid). False when the list cannot say where the row
 * now sorts (an update moved its created_at): the caller forgets the trade's list.
 */
function upsert(list: OrderRecord[], order: OrderRecord): boolean {
  const at = list.findIndex((o) => o.client_order_id === order.client_order_id);
  if (at >= 0) {
    if (list[at]!.created_at !== order.created_at) return false;
    list[at] = order;
    return true;
  }
  let index = list.length;
  while (index > 0 && list[index - 1]!.created_at > order.created_at) index -= 1;
  list.splice(index, 0, order);
  return true;
}
