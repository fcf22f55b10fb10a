import { join } from 'node:path';
import type { Decimal } from '../../../src/domain/decimal.js';
import { MemoryPaperStore } from '../../../src/connectors/paper/memory-paper-store.js';
import type { FillRow, OrderRow, PaperStore, RefusedRow } from '../../../src/connectors/paper/paper-store.js';
import { SqlitePaperStore } from '../../../src/connectors/paper/sqlite-paper-store.js';
import { dec, scratchDir } from './paper-fixture.js';

export interface OpenedStore {
  readonly store: PaperStore;
  /** Close the store and delete its files. */
  dispose(): void;
}

let files = 0;

/** The SQLite store on a fresh file in a scratch folder. */
export function openSqliteStore(): OpenedStore {
  const { dir, remove } = scratchDir();
  files += 1;
  const store = new SqlitePaperStore(join(dir, `venue-${files}.db`));
  return {
    store,
    dispose: () => {
      store.close();
      remove();
    },
  };
}

export function openMemoryStore(): OpenedStore {
  const store = new MemoryPaperStore();
  return { store, dispose: () => store.close() };
}

/** Both implementations, for describe.each: every contract holds for each. */
export const STORES: readonly (readonly [string, () => OpenedStore])[] = [
  ['SqlitePaperStore', openSqliteStore],
  ['MemoryPaperStore', openMemoryStore],
];

export function orderRow(overrides: Partial<OrderRow> = {}): OrderRow {
  const seq = overrides.seq ?? 1;
  return {
    seq,
    client_order_id: `C${seq}`,
    venue_order_id: `V${seq}`,
    symbol: 'BTC_USDT',
    side: 'BUY',
    order_type: 'LIMIT',
    time_in_force: 'GTC',
    quantity: dec('0.5'),
    limit_price: dec('100.25'),
    stop_price: null,
    reduce_only: false,
    position_id: null,
    status: 'OPEN',
    filled_quantity: dec(0),
    reject_reason: null,
    triggered: false,
    created_at_ms: 1000,
    updated_at_ms: 1000,
    ...overrides,
  };
}

export function fillRow(overrides: Partial<FillRow> = {}): FillRow {
  const seq = overrides.seq ?? 1;
  return {
    seq,
    venue_trade_id: `T${seq}`,
    client_order_id: 'C1',
    symbol: 'BTC_USDT',
    side: 'BUY',
    quantity: dec('0.1'),
    price: dec('100.25'),
    fee: dec('0.01'),
    fee_asset: 'USDT',
    liquidity: 'MAKER',
    executed_at_ms: 2000,
    ...overrides,
  };
}

export function refusedRow(overrides: Partial<RefusedRow> = {}): RefusedRow {
  return {
    client_order_id: 'R1',
    symbol: 'BTC_USDT',
    side: 'SELL',
    order_type: 'LIMIT',
    quantity: dec('1'),
    limit_price: dec('99'),
    stop_price: null,
    reason: 'PRICE_OUT_OF_BAND: too far',
    at_ms: 3000,
    ...overrides,
  };
}

/** A decimal as comparable text; valueOf keeps the sign of zero, so −0 and 0 differ. */
const text = (value: Decimal | null): string | null => (value === null ? null : value.valueOf());

/** Every field of a row, decimals as text: rows of both stores compare with toEqual. */
export function plain<T extends object>(row: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, isDecimalLike(value) ? text(value) : value]));
}

function isDecimalLike(value: unknown): value is Decimal {
  return typeof value === 'object' && value !== null && typeof (value as { toFixed?: unknown }).toFixed === 'function';
}

/** The names a test used, so the look-ups by key can be compared too. */
export interface Keys {
  readonly symbols: readonly string[];
  readonly positionIds: readonly string[];
  readonly clientOrderIds: readonly string[];
  readonly counters: readonly string[];
  readonly settings: readonly string[];
}

/** All a caller can see of a store, without changing it. */
export function observe(store: PaperStore, keys: Keys): Record<string, unknown> {
  const bySymbol = (f: (symbol: string) => unknown): Record<string, unknown> => Object.fromEntries(keys.symbols.map((s) => [s, f(s)]));
  const byOrder = (f: (id: string) => unknown): Record<string, unknown> => Object.fromEntries(keys.clientOrderIds.map((id) => [id, f(id)]));
  return {
    orders: store.allOrders().map(plain),
    order: byOrder((id) => {
      const row = store.order(id);
      return row && plain(row);
    }),
    resting: store.restingOrders().map((o) => o.seq),
    restingBySymbol: bySymbol((s) => store.restingOrders(s).map((o) => o.seq)),
    fills: store.allFills().map(plain),
    fillsOf: byOrder((id) => store.fillsOf(id).map((f) => f.seq)),
    attempts: store.attempts().map(plain),
    attemptsOf: byOrder((id) => store.attempts(id).map((a) => a.seq)),
    refused: byOrder((id) => {
      const row = store.refused(id);
      return row && plain(row);
    }),
    prices: bySymbol((s) => {
      const price = store.price(s);
      return price && text(price);
    }),
    nets: [...store.netPositions()].map(([symbol, net]) => [symbol, text(net)]),
    net: bySymbol((s) => text(store.netPosition(s))),
    sizes: store.positionSizes().map(plain),
    size: bySymbol((s) => Object.fromEntries(keys.positionIds.map((p) => [p, [store.hasPosition(s, p), text(store.positionSize(s, p))]]))),
    counters: Object.fromEntries(keys.counters.map((name) => [name, store.counter(name)])),
    settings: Object.fromEntries(keys.settings.map((name) => [name, store.setting(name)])),
  };
}
