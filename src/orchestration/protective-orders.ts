import type { AmendRequest, OrderRequest } from '../connectors/connector.js';
import type { Decimal } from '../domain/decimal.js';
import type { OrderPurpose } from '../domain/enums.js';
import { VenueRejected } from '../domain/errors.js';
import { oppositeSide } from '../domain/position-math.js';
import type { Anomaly, OrderRecord, Position } from '../domain/trading.js';
import type { ExecutionContext } from './execution-context.js';
import type { LegResult, OrderExecutor } from './order-executor.js';
import { LIVE_ORDER_STATUSES } from './order-sync.js';
import type { ILedgerProvider } from './ports.js';
import { bookFills, closeIfProtectiveFlattened } from './trade-book.js';

/** How new protective legs are named: `clientOrderId(owner, 'SL' + suffix)` / `'TP' + suffix`. */
export interface ProtectiveNaming {
  readonly owner: string;
  readonly suffix: string;
}

export interface ProtectiveResult {
  readonly position: Position;
  readonly legs: readonly LegResult[];
  readonly anomalies: readonly Anomaly[];
}

const KINDS = [
  { purpose: 'STOP_LOSS', prefix: 'SL' },
  { purpose: 'TAKE_PROFIT', prefix: 'TP' },
] as const;

/**
 * Keeps a trade's protective orders at the venue in line with the trade: a reduce-only
 * STOP_MARKET at stop_loss and a reduce-only LIMIT at take_profit, each for the size held. One
 * `reconcile` places what is missing, amends what differs (or cancels and replaces it when the
 * venue cannot amend), and cancels what is no longer wanted; when nothing differs nothing is sent.
 * Every leg result is written to the ledger with its fills and the trade at once.
 */
export class ProtectiveOrders {
  readonly #executor: OrderExecutor;
  readonly #ledger: ILedgerProvider;

  constructor(deps: { executor: OrderExecutor; ledger: ILedgerProvider }) {
    this.#executor = deps.executor;
    this.#ledger = deps.ledger;
  }

  get native(): boolean {
    return this.#executor.connector.capabilities.nativeStops;
  }

  /** The trade's protective orders that may still rest at the venue (ledger rows, updated by what this context saw). */
  async live(ctx: ExecutionContext, tradeId: string): Promise<OrderRecord[]> {
    const rows = await ctx.readLedger('protective orders', () => this.#ledger.listOrders({ trade_id: tradeId, statuses: LIVE_ORDER_STATUSES }));
    const byId = new Map(rows.map((r) => [r.client_order_id, r]));
    for (const seen of ctx.orders) if (seen.trade_id === tradeId) byId.set(seen.client_order_id, seen);
    return [...byId.values()].filter((o) => isProtective(o.purpose) && LIVE_ORDER_STATUSES.includes(o.status));
  }

  async reconcile(ctx: ExecutionContext, position: Position, naming: ProtectiveNaming): Promise<ProtectiveResult> {
    if (!this.native) {
      if (position.stop_loss || position.take_profit) {
        ctx.logger.warn({ trade_id: position.trade_id }, 'venue has no native stops: stop loss / take profit recorded on the position only');
      }
      return { position, legs: [], anomalies: [] };
    }
    let current = position;
    const legs: LegResult[] = [];
    const anomalies: Anomaly[] = [];
    const live = await this.live(ctx, position.trade_id);
    const book = async (leg: LegResult): Promise<void> => {
      const booked = bookFills(current, leg.record.purpose, leg.fills);
      current = closeIfProtectiveFlattened(booked.position, leg.record, ctx.now());
      anomalies.push(...booked.anomalies);
      legs.push(leg);
      await ctx.applyLedger({ orders: [leg.record], fills: leg.fills, positions: [current], anomalies: booked.anomalies });
    };

    for (const kind of KINDS) {
      const price = kind.purpose === 'STOP_LOSS' ? current.stop_loss : current.take_profit;
      const quantity = current.status === 'OPEN' ? current.filled_size : null;
      const existing = live.filter((o) => o.purpose === kind.purpose);
      const wanted = price !== null && quantity !== null && quantity.gt(0);
      if (!wanted || current.status !== 'OPEN') {
        for (const order of existing) await book(await this.#executor.cancel(ctx, order));
        continue;
      }
      const [keep, ...extra] = existing;
      for (const order of extra) await book(await this.#executor.cancel(ctx, order));
      if (!keep) {
        await book(await this.#placeOrFlatten(ctx, current, kind, price, quantity, naming));
        continue;
      }
      if (keep.status === 'IN_DOUBT') {
        ctx.logger.warn({ client_order_id: keep.client_order_id }, 'protective order in doubt: left for reconciliation');
        continue;
      }
      const currentPrice = kind.purpose === 'STOP_LOSS' ? keep.stop_price : keep.limit_price;
      const openQty = keep.quantity.minus(keep.filled_quantity);
      if (currentPrice?.eq(price) && openQty.eq(quantity)) continue;
      if (this.#executor.connector.capabilities.amendOrders) {
        // an amend sets the order's total quantity: what already filled of it plus what should rest
        const total = keep.filled_quantity.plus(quantity);
        const changes: AmendRequest = kind.purpose === 'STOP_LOSS' ? { quantity: total, stop_price: price } : { quantity: total, limit_price: price };
        await book(await this.#executor.amend(ctx, keep, changes));
      } else {
        await book(await this.#executor.cancel(ctx, keep));
        if (current.status === 'OPEN' && current.filled_size.gt(0)) {
          await book(await this.#placeOrFlatten(ctx, current, kind, price, current.filled_size, naming));
        }
      }
    }
    return { position: current, legs, anomalies };
  }

  /** Cancel every protective order of the trade that may still rest at the venue. */
  async cancelAll(ctx: ExecutionContext, position: Position): Promise<ProtectiveResult> {
    let current = position;
    const legs: LegResult[] = [];
    const anomalies: Anomaly[] = [];
    for (const order of await this.live(ctx, position.trade_id)) {
      const leg = await this.#executor.cancel(ctx, order);
      const booked = bookFills(current, leg.record.purpose, leg.fills);
      current = booked.position;
      anomalies.push(...booked.anomalies);
      legs.push(leg);
      await ctx.applyLedger({ orders: [leg.record], fills: leg.fills, positions: [current], anomalies: booked.anomalies });
    }
    return { position: current, legs, anomalies };
  }

  /**
   * A stop the market has already passed (the entry filled late, or the price gapped) cannot
   * rest: the venue refuses it. Leaving the trade unprotected would be worse than what the stop
   * promised, so the trade is flattened at market at once, booked as a stop loss.
   */
  async #placeOrFlatten(
    ctx: ExecutionContext,
    position: Position,
    kind: (typeof KINDS)[number],
    price: Decimal,
    quantity: Decimal,
    naming: ProtectiveNaming,
  ): Promise<LegResult> {
    const order =
      kind.purpose === 'STOP_LOSS'
        ? ({ order_type: 'STOP_MARKET', stop_price: price, time_in_force: 'GTC' } as const)
        : ({ order_type: 'LIMIT', limit_price: price, time_in_force: 'GTC' } as const);
    try {
      return await this.#placeLeg(ctx, position, naming, `${kind.prefix}${naming.suffix}`, kind.purpose, quantity, order);
    } catch (error) {
      if (kind.purpose !== 'STOP_LOSS' || !(error instanceof VenueRejected) || error.code !== 'WOULD_TRIGGER_IMMEDIATELY') throw error;
      ctx.logger.warn({ trade_id: position.trade_id, stop_loss: price.toFixed() }, 'stop loss already breached: flattening at market');
      return this.#placeLeg(ctx, position, naming, `SX${naming.suffix}`, 'STOP_LOSS', quantity, { order_type: 'MARKET', time_in_force: 'IOC' });
    }
  }

  /** A reduce-only order against the trade, opposite its direction. */
  #placeLeg(
    ctx: ExecutionContext,
    position: Position,
    naming: ProtectiveNaming,
    leg: string,
    purpose: OrderPurpose,
    quantity: Decimal,
    order: Pick<OrderRequest, 'order_type' | 'time_in_force' | 'limit_price' | 'stop_price'>,
  ): Promise<LegResult> {
    return this.#executor.place(ctx, {
      owner: naming.owner,
      leg,
      tradeId: position.trade_id,
      purpose,
      order: { symbol: position.symbol, side: oppositeSide(position.direction), quantity, reduce_only: true, ...order },
    });
  }
}

export function isProtective(purpose: OrderPurpose): boolean {
  return purpose === 'STOP_LOSS' || purpose === 'TAKE_PROFIT';
}
