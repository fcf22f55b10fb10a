import Database from 'better-sqlite3';
import { Decimal, decimalToWire } from '../../domain/decimal.js';
import type { Direction, OrderType, TimeInForce } from '../../domain/enums.js';
import {
  DEFAULT_POSITION,
  POSITION_MODE,
  type FillRow,
  type Liquidity,
  type OrderRow,
  type PaperStore,
  type PositionSizeRow,
  type RefusedRow,
  type SubmitAttempt,
  type VenueOrderStatus,
  type VenueOwner,
} from './paper-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  seq INTEGER PRIMARY KEY,
  client_order_id TEXT NOT NULL UNIQUE,
  venue_order_id TEXT NOT NULL UNIQUE,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  order_type TEXT NOT NULL,
  time_in_force TEXT NOT NULL,
  quantity TEXT NOT NULL,
  limit_price TEXT,
  stop_price TEXT,
  reduce_only INTEGER NOT NULL,
  status TEXT NOT NULL,
  filled_quantity TEXT NOT NULL,
  reject_reason TEXT,
  triggered INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_resting ON orders (symbol, status);
CREATE TABLE IF NOT EXISTS fills (
  seq INTEGER PRIMARY KEY,
  venue_trade_id TEXT NOT NULL UNIQUE,
  client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity TEXT NOT NULL,
  price TEXT NOT NULL,
  fee TEXT NOT NULL,
  fee_asset TEXT NOT NULL,
  liquidity TEXT NOT NULL,
  executed_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS fills_by_order ON fills (client_order_id, seq);
CREATE TABLE IF NOT EXISTS prices (
  symbol TEXT PRIMARY KEY,
  price TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS positions (
  symbol TEXT PRIMARY KEY,
  net TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submit_attempts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  client_order_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS submit_attempts_by_order ON submit_attempts (client_order_id);
CREATE TABLE IF NOT EXISTS refused_orders (
  client_order_id TEXT PRIMARY KEY,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  order_type TEXT NOT NULL,
  quantity TEXT NOT NULL,
  limit_price TEXT,
  stop_price TEXT,
  reason TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS position_sizes (
  symbol TEXT NOT NULL,
  position_id TEXT NOT NULL,
  size TEXT NOT NULL,
  PRIMARY KEY (symbol, position_id)
);
CREATE TABLE IF NOT EXISTS settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

interface OrderDbRow {
  seq: number;
  client_order_id: string;
  venue_order_id: string;
  symbol: string;
  side: string;
  order_type: string;
  time_in_force: string;
  quantity: string;
  limit_price: string | null;
  stop_price: string | null;
  reduce_only: number;
  position_id: string | null;
  status: string;
  filled_quantity: string;
  reject_reason: string | null;
  triggered: number;
  created_at_ms: number;
  updated_at_ms: number;
}

interface FillDbRow {
  seq: number;
  venue_trade_id: string;
  client_order_id: string;
  symbol: string;
  side: string;
  quantity: string;
  price: string;
  fee: string;
  fee_asset: string;
  liquidity: string;
  executed_at_ms: number;
}

const text = (value: Decimal | null): string | null => (value === null ? null : decimalToWire(value));
const decimal = (value: string | null): Decimal | null => (value === null ? null : new Decimal(value));

function toOrder(row: OrderDbRow): OrderRow {
  return {
    seq: row.seq,
    client_order_id: row.client_order_id,
    venue_order_id: row.venue_order_id,
    symbol: row.symbol,
    side: row.side as Direction,
    order_type: row.order_type as OrderType,
    time_in_force: row.time_in_force as TimeInForce,
    quantity: new Decimal(row.quantity),
    limit_price: decimal(row.limit_price),
    stop_price: decimal(row.stop_price),
    reduce_only: row.reduce_only === 1,
    position_id: row.position_id ?? null,
    status: row.status as VenueOrderStatus,
    filled_quantity: new Decimal(row.filled_quantity),
    reject_reason: row.reject_reason,
    triggered: row.triggered === 1,
    created_at_ms: row.created_at_ms,
    updated_at_ms: row.updated_at_ms,
  };
}

function toFill(row: FillDbRow): FillRow {
  return {
    seq: row.seq,
    venue_trade_id: row.venue_trade_id,
    client_order_id: row.client_order_id,
    symbol: row.symbol,
    side: row.side as Direction,
    quantity: new Decimal(row.quantity),
    price: new Decimal(row.price),
    fee: new Decimal(row.fee),
    fee_asset: row.fee_asset,
    liquidity: row.liquidity as Liquidity,
    executed_at_ms: row.executed_at_ms,
  };
}

const RESTING = `status IN ('OPEN', 'PARTIALLY_FILLED')`;

/** Which ledger database this venue serves (one row); see claimOwner. */
const OWNER_SCHEMA = `
CREATE TABLE IF NOT EXISTS venue_owner (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  ledger_id TEXT NOT NULL,
  ledger_path TEXT NOT NULL,
  claimed_at_ms INTEGER NOT NULL
);
`;

/**
 * The paper venue's own SQLite file. WAL with synchronous=NORMAL: a commit survives the process
 * being killed (the WAL write is in the OS before commit returns), which is the failure the venue
 * has to outlive; only an OS crash or power loss can lose the last commits, and fsyncing every
 * simulated order (FULL, ~20x slower per commit) would only slow down tests and benchmarks.
 */
export class SqlitePaperStore implements PaperStore {
  readonly #db: Database.Database;
  readonly #statements;
  /** One wrapper, made once: better-sqlite3 builds a new one (several closures) per `transaction()` call. */
  readonly #inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;

  /** Opened to look only: nothing may be written (the engine then takes the file's recorded settings). */
  readonly readonly: boolean;

  /** `readonly`: look without writing (planexec verify beside a running venue): the file must exist. */
  constructor(path: string, options: { readonly readonly?: boolean } = {}) {
    const readonly = options.readonly === true;
    this.readonly = readonly;
    this.#db = new Database(path, readonly ? { readonly, fileMustExist: true } : {});
    if (!readonly) this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    if (!readonly) {
      this.#db.exec(SCHEMA);
      this.#migrate();
      this.#db.exec(OWNER_SCHEMA);
    }
    this.#inTransaction = this.#db.transaction((fn: () => unknown) => fn());
    const db = this.#db;
    this.#statements = {
      order: db.prepare<[string], OrderDbRow>('SELECT * FROM orders WHERE client_order_id = ?'),
      insertOrder: db.prepare(
        `INSERT INTO orders (seq, client_order_id, venue_order_id, symbol, side, order_type, time_in_force, quantity,
           limit_price, stop_price, reduce_only, position_id, status, filled_quantity, reject_reason, triggered, created_at_ms, updated_at_ms)
         VALUES (@seq, @client_order_id, @venue_order_id, @symbol, @side, @order_type, @time_in_force, @quantity,
           @limit_price, @stop_price, @reduce_only, @position_id, @status, @filled_quantity, @reject_reason, @triggered, @created_at_ms, @updated_at_ms)`,
      ),
      updateOrder: db.prepare(
        `UPDATE orders SET quantity = @quantity, limit_price = @limit_price, stop_price = @stop_price, status = @status,
           filled_quantity = @filled_quantity, reject_reason = @reject_reason, triggered = @triggered, updated_at_ms = @updated_at_ms
         WHERE client_order_id = @client_order_id`,
      ),
      restingBySymbol: db.prepare<[string], OrderDbRow>(`SELECT * FROM orders WHERE symbol = ? AND ${RESTING} ORDER BY seq`),
      resting: db.prepare<[], OrderDbRow>(`SELECT * FROM orders WHERE ${RESTING} ORDER BY seq`),
      allOrders: db.prepare<[], OrderDbRow>('SELECT * FROM orders ORDER BY seq'),
      fillsOf: db.prepare<[string], FillDbRow>('SELECT * FROM fills WHERE client_order_id = ? ORDER BY seq'),
      allFills: db.prepare<[], FillDbRow>('SELECT * FROM fills ORDER BY seq'),
      fillsAfter: db.prepare<[number], FillDbRow>('SELECT * FROM fills WHERE seq > ? ORDER BY seq'),
      insertFill: db.prepare(
        `INSERT INTO fills (seq, venue_trade_id, client_order_id, symbol, side, quantity, price, fee, fee_asset, liquidity, executed_at_ms)
         VALUES (@seq, @venue_trade_id, @client_order_id, @symbol, @side, @quantity, @price, @fee, @fee_asset, @liquidity, @executed_at_ms)`,
      ),
      price: db.prepare<[string], { price: string }>('SELECT price FROM prices WHERE symbol = ?'),
      setPrice: db.prepare(
        `INSERT INTO prices (symbol, price, updated_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (symbol) DO UPDATE SET price = excluded.price, updated_at_ms = excluded.updated_at_ms`,
      ),
      position: db.prepare<[string], { net: string }>('SELECT net FROM positions WHERE symbol = ?'),
      positions: db.prepare<[], { symbol: string; net: string }>('SELECT symbol, net FROM positions ORDER BY symbol'),
      setPosition: db.prepare(
        'INSERT INTO positions (symbol, net) VALUES (?, ?) ON CONFLICT (symbol) DO UPDATE SET net = excluded.net',
      ),
      positionSize: db.prepare<[string, string], { size: string }>('SELECT size FROM position_sizes WHERE symbol = ? AND position_id = ?'),
      positionSizes: db.prepare<[], { symbol: string; position_id: string; size: string }>(
        'SELECT symbol, position_id, size FROM position_sizes ORDER BY symbol, position_id',
      ),
      setPositionSize: db.prepare(
        `INSERT INTO position_sizes (symbol, position_id, size) VALUES (?, ?, ?)
         ON CONFLICT (symbol, position_id) DO UPDATE SET size = excluded.size`,
      ),
      setting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?'),
      setSetting: db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      counter: db.prepare<[string], { value: number }>('SELECT value FROM counters WHERE name = ?'),
      setCounter: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      ),
      recordAttempt: db.prepare('INSERT INTO submit_attempts (client_order_id, outcome, at_ms) VALUES (?, ?, ?)'),
      attemptsOf: db.prepare<[string], SubmitAttempt>('SELECT * FROM submit_attempts WHERE client_order_id = ? ORDER BY seq'),
      attempts: db.prepare<[], SubmitAttempt>('SELECT * FROM submit_attempts ORDER BY seq'),
      refused: db.prepare<[string], Record<keyof RefusedRow, string | number | null>>('SELECT * FROM refused_orders WHERE client_order_id = ?'),
      recordRefused: db.prepare(
        `INSERT INTO refused_orders (client_order_id, symbol, side, order_type, quantity, limit_price, stop_price, reason, at_ms)
         VALUES (@client_order_id, @symbol, @side, @order_type, @quantity, @limit_price, @stop_price, @reason, @at_ms)
         ON CONFLICT (client_order_id) DO UPDATE SET reason = excluded.reason, at_ms = excluded.at_ms`,
      ),
    };
  }

  /** Runs `fn` in one write transaction (taken at once, so two processes on one file serialise). */
  transaction<T>(fn: () => T): T {
    return this.#inTransaction.immediate(fn) as T;
  }

  counter(name: string): number | undefined {
    return this.#statements.counter.get(name)?.value;
  }

  setCounter(name: string, value: number): void {
    this.#statements.setCounter.run(name, value);
  }

  /** The next value of a persisted counter, starting at 1. */
  next(name: string): number {
    const value = (this.counter(name) ?? 0) + 1;
    this.setCounter(name, value);
    return value;
  }

  order(clientOrderId: string): OrderRow | undefined {
    const row = this.#statements.order.get(clientOrderId);
    return row === undefined ? undefined : toOrder(row);
  }

  insertOrder(order: OrderRow): void {
    this.#statements.insertOrder.run(this.#orderParams(order));
  }

  updateOrder(order: OrderRow): void {
    this.#statements.updateOrder.run(this.#orderParams(order));
  }

  restingOrders(symbol?: string): OrderRow[] {
    const rows = symbol === undefined ? this.#statements.resting.all() : this.#statements.restingBySymbol.all(symbol);
    return rows.map(toOrder);
  }

  allOrders(): OrderRow[] {
    return this.#statements.allOrders.all().map(toOrder);
  }

  fillsOf(clientOrderId: string): FillRow[] {
    return this.#statements.fillsOf.all(clientOrderId).map(toFill);
  }

  allFills(): FillRow[] {
    return this.#statements.allFills.all().map(toFill);
  }

  fillsAfter(seq: number): FillRow[] {
    return this.#statements.fillsAfter.all(seq).map(toFill);
  }

  insertFill(fill: FillRow): void {
    this.#statements.insertFill.run({
      ...fill,
      quantity: decimalToWire(fill.quantity),
      price: decimalToWire(fill.price),
      fee: decimalToWire(fill.fee),
    });
  }

  price(symbol: string): Decimal | undefined {
    const row = this.#statements.price.get(symbol);
    return row === undefined ? undefined : new Decimal(row.price);
  }

  setPrice(symbol: string, price: Decimal, atMs: number): void {
    this.#statements.setPrice.run(symbol, decimalToWire(price), atMs);
  }

  netPosition(symbol: string): Decimal {
    const row = this.#statements.position.get(symbol);
    return new Decimal(row?.net ?? 0);
  }

  setNetPosition(symbol: string, net: Decimal): void {
    this.#statements.setPosition.run(symbol, decimalToWire(net));
  }

  netPositions(): Map<string, Decimal> {
    return new Map(this.#statements.positions.all().map((row) => [row.symbol, new Decimal(row.net)]));
  }

  /** Signed size of one position; 0 when the venue never held it. */
  positionSize(symbol: string, positionId: string): Decimal {
    return new Decimal(this.#statements.positionSize.get(symbol, positionId)?.size ?? 0);
  }

  /** Whether the venue ever held this position (a row exists, flat or not). */
  hasPosition(symbol: string, positionId: string): boolean {
    return this.#statements.positionSize.get(symbol, positionId) !== undefined;
  }

  setPositionSize(symbol: string, positionId: string, size: Decimal): void {
    this.#statements.setPositionSize.run(symbol, positionId, decimalToWire(size));
  }

  positionSizes(): PositionSizeRow[] {
    return this.#statements.positionSizes.all().map((row) => ({ symbol: row.symbol, position_id: row.position_id, size: new Decimal(row.size) }));
  }

  setting(name: string): string | undefined {
    return this.#statements.setting.get(name)?.value;
  }

  setSetting(name: string, value: string): void {
    this.#statements.setSetting.run(name, value);
  }

  recordAttempt(clientOrderId: string, outcome: string, atMs: number): void {
    this.#statements.recordAttempt.run(clientOrderId, outcome, atMs);
  }

  recordRefused(refused: RefusedRow): void {
    this.#statements.recordRefused.run({
      ...refused,
      quantity: decimalToWire(refused.quantity),
      limit_price: text(refused.limit_price),
      stop_price: text(refused.stop_price),
    });
  }

  refused(clientOrderId: string): RefusedRow | undefined {
    const row = this.#statements.refused.get(clientOrderId);
    if (row === undefined) return undefined;
    return {
      client_order_id: String(row.client_order_id),
      symbol: String(row.symbol),
      side: row.side as Direction,
      order_type: row.order_type as OrderType,
      quantity: new Decimal(String(row.quantity)),
      limit_price: decimal(row.limit_price as string | null),
      stop_price: decimal(row.stop_price as string | null),
      reason: String(row.reason),
      at_ms: Number(row.at_ms),
    };
  }

  attempts(clientOrderId?: string): SubmitAttempt[] {
    return clientOrderId === undefined ? this.#statements.attempts.all() : this.#statements.attemptsOf.all(clientOrderId);
  }

  /**
   * Record `ledger` as this venue's owner unless another ledger is recorded; returns the owner now
   * recorded. The same ledger at a new path (the files were moved) updates the path.
   */
  claimOwner(ledger: VenueOwner, atMs: number): VenueOwner {
    return this.transaction(() => {
      this.#db
        .prepare('INSERT OR IGNORE INTO venue_owner (one, ledger_id, ledger_path, claimed_at_ms) VALUES (1, ?, ?, ?)')
        .run(ledger.ledger_id, ledger.ledger_path, atMs);
      this.#db.prepare('UPDATE venue_owner SET ledger_path = ? WHERE one = 1 AND ledger_id = ?').run(ledger.ledger_path, ledger.ledger_id);
      return this.#db.prepare<[], VenueOwner>('SELECT ledger_id, ledger_path FROM venue_owner WHERE one = 1').get()!;
    });
  }

  get isOpen(): boolean {
    return this.#db.open;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * A venue file from before position modes: orders gain a nullable position_id (their orders
   * belong to the default position), and the per-symbol nets become the default position's sizes
   * once (when no mode is recorded yet), so nothing held is lost and old reduce-only orders
   * still reduce what they reduced before.
   */
  #migrate(): void {
    const columns = this.#db.prepare<[], { name: string }>('PRAGMA table_info(orders)').all();
    this.#db.transaction(() => {
      if (!columns.some((c) => c.name === 'position_id')) this.#db.exec('ALTER TABLE orders ADD COLUMN position_id TEXT');
      const recorded = this.#db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?').get(POSITION_MODE);
      if (recorded === undefined) {
        this.#db.prepare(`INSERT OR IGNORE INTO position_sizes (symbol, position_id, size) SELECT symbol, ?, net FROM positions`).run(DEFAULT_POSITION);
      }
    }).immediate();
  }

  #orderParams(order: OrderRow): Record<string, unknown> {
    return {
      ...order,
      quantity: decimalToWire(order.quantity),
      limit_price: text(order.limit_price),
      stop_price: text(order.stop_price),
      reduce_only: order.reduce_only ? 1 : 0,
      filled_quantity: decimalToWire(order.filled_quantity),
      triggered: order.triggered ? 1 : 0,
    };
  }
}
