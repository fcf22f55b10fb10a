import { Decimal, decimalToWire, ZERO } from '../../domain/decimal.js';
import type {
  FillRow,
  OrderRow,
  PaperStore,
  PositionSizeRow,
  RefusedRow,
  SubmitAttempt,
  VenueOrderStatus,
  VenueOwner,
} from './paper-store.js';
import { compareText, insertBySeq, removeBySeq } from './seq-order.js';
import { UndoLog } from './undo-log.js';

const RESTING: ReadonlySet<VenueOrderStatus> = new Set(['OPEN', 'PARTIALLY_FILLED']);

/** A broken constraint of the venue's schema; `code` is what SQLite reports for the same breach, so both stores fail alike. */
export class PaperConstraintError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.name = 'PaperConstraintError';
    this.code = code;
  }
}

/** One order; its seq never changes, its row is replaced by updateOrder. */
interface OrderSlot {
  readonly seq: number;
  row: OrderRow;
}

interface OwnerRecord extends VenueOwner {
  readonly claimed_at_ms: number;
}

/**
 * The paper venue's state in plain maps, for `connector.paper.path: ':memory:'`: the same
 * constraints, orderings and all-or-nothing transactions as SqlitePaperStore, without statement
 * execution and text↔Decimal conversion on every call (the venue stands in for an exchange, so its
 * cost should not show in planexec's own measurements). Lost when the process exits.
 */
export class MemoryPaperStore implements PaperStore {
  readonly readonly = false;
  #open = true;
  readonly #log = new UndoLog();

  readonly #orders = new Map<string, OrderSlot>();
  readonly #ordersBySeq: OrderSlot[] = [];
  readonly #orderSeqs = new Set<number>();
  readonly #venueOrderIds = new Set<string>();
  /** Resting orders per symbol, by seq: a price update looks only at these. */
  readonly #resting = new Map<string, OrderSlot[]>();

  readonly #fills: FillRow[] = [];
  readonly #fillsByOrder = new Map<string, FillRow[]>();
  readonly #fillSeqs = new Set<number>();
  readonly #tradeIds = new Set<string>();

  readonly #prices = new Map<string, Decimal>();
  readonly #nets = new Map<string, Decimal>();
  readonly #sizes = new Map<string, Map<string, Decimal>>();
  readonly #counters = new Map<string, number>();
  readonly #settings = new Map<string, string>();

  readonly #attempts: SubmitAttempt[] = [];
  readonly #attemptsByOrder = new Map<string, SubmitAttempt[]>();
  #attemptSeq = 0;
  readonly #refused = new Map<string, RefusedRow>();
  #owner: OwnerRecord | undefined;

  transaction<T>(fn: () => T): T {
    this.#ensureOpen();
    return this.#log.run(fn);
  }

  counter(name: string): number | undefined {
    this.#ensureOpen();
    return this.#counters.get(name);
  }

  setCounter(name: string, value: number): void {
    this.#ensureOpen();
    this.#put(this.#counters, name, value);
  }

  next(name: string): number {
    const value = (this.counter(name) ?? 0) + 1;
    this.setCounter(name, value);
    return value;
  }

  order(clientOrderId: string): OrderRow | undefined {
    this.#ensureOpen();
    return this.#orders.get(clientOrderId)?.row;
  }

  insertOrder(order: OrderRow): void {
    this.#ensureOpen();
    checkKey(order.seq, this.#orderSeqs, 'orders.seq');
    // in SQLite's order: when both ids are taken it names the venue's
    if (this.#venueOrderIds.has(order.venue_order_id)) throw unique('orders.venue_order_id');
    if (this.#orders.has(order.client_order_id)) throw unique('orders.client_order_id');
    const slot: OrderSlot = { seq: order.seq, row: orderRecord(order, order) };
    this.#orders.set(order.client_order_id, slot);
    this.#orderSeqs.add(order.seq);
    this.#venueOrderIds.add(order.venue_order_id);
    insertBySeq(this.#ordersBySeq, slot);
    if (RESTING.has(slot.row.status)) this.#rest(slot);
    this.#log.record(() => {
      if (RESTING.has(slot.row.status)) this.#unrest(slot);
      removeBySeq(this.#ordersBySeq, slot.seq);
      this.#venueOrderIds.delete(order.venue_order_id);
      this.#orderSeqs.delete(order.seq);
      this.#orders.delete(order.client_order_id);
    });
  }

  updateOrder(order: OrderRow): void {
    this.#ensureOpen();
    const slot = this.#orders.get(order.client_order_id);
    if (slot === undefined) return;
    const before = slot.row;
    this.#replace(slot, orderRecord(before, order));
    this.#log.record(() => this.#replace(slot, before));
  }

  restingOrders(symbol?: string): OrderRow[] {
    this.#ensureOpen();
    if (symbol !== undefined) return (this.#resting.get(symbol) ?? []).map((slot) => slot.row);
    const slots = [...this.#resting.values()].flat();
    if (this.#resting.size > 1) slots.sort((a, b) => a.seq - b.seq);
    return slots.map((slot) => slot.row);
  }

  allOrders(): OrderRow[] {
    this.#ensureOpen();
    return this.#ordersBySeq.map((slot) => slot.row);
  }

  fillsOf(clientOrderId: string): FillRow[] {
    this.#ensureOpen();
    return [...(this.#fillsByOrder.get(clientOrderId) ?? [])];
  }

  allFills(): FillRow[] {
    this.#ensureOpen();
    return [...this.#fills];
  }

  fillsAfter(seq: number): FillRow[] {
    this.#ensureOpen();
    // fills are appended in seq order: the new ones are a tail
    let start = this.#fills.length;
    while (start > 0 && this.#fills[start - 1]!.seq > seq) start -= 1;
    return this.#fills.slice(start);
  }

  insertFill(fill: FillRow): void {
    this.#ensureOpen();
    checkKey(fill.seq, this.#fillSeqs, 'fills.seq');
    if (this.#tradeIds.has(fill.venue_trade_id)) throw unique('fills.venue_trade_id');
    if (!this.#orders.has(fill.client_order_id)) throw new PaperConstraintError('FOREIGN KEY constraint failed', 'SQLITE_CONSTRAINT_FOREIGNKEY');
    const row = fillRecord(fill);
    let ofOrder = this.#fillsByOrder.get(row.client_order_id);
    if (ofOrder === undefined) this.#fillsByOrder.set(row.client_order_id, (ofOrder = []));
    insertBySeq(ofOrder, row);
    insertBySeq(this.#fills, row);
    this.#fillSeqs.add(row.seq);
    this.#tradeIds.add(row.venue_trade_id);
    const fills = ofOrder;
    this.#log.record(() => {
      this.#tradeIds.delete(row.venue_trade_id);
      this.#fillSeqs.delete(row.seq);
      removeBySeq(this.#fills, row.seq);
      removeBySeq(fills, row.seq);
    });
  }

  price(symbol: string): Decimal | undefined {
    this.#ensureOpen();
    return this.#prices.get(symbol);
  }

  /** The time is not kept: nothing reads it back. */
  setPrice(symbol: string, price: Decimal, _atMs: number): void {
    this.#ensureOpen();
    this.#put(this.#prices, symbol, stored(price));
  }

  netPosition(symbol: string): Decimal {
    this.#ensureOpen();
    return this.#nets.get(symbol) ?? ZERO;
  }

  setNetPosition(symbol: string, net: Decimal): void {
    this.#ensureOpen();
    this.#put(this.#nets, symbol, stored(net));
  }

  netPositions(): Map<string, Decimal> {
    this.#ensureOpen();
    return new Map([...this.#nets].sort(([a], [b]) => compareText(a, b)));
  }

  positionSize(symbol: string, positionId: string): Decimal {
    this.#ensureOpen();
    return this.#sizes.get(symbol)?.get(positionId) ?? ZERO;
  }

  hasPosition(symbol: string, positionId: string): boolean {
    this.#ensureOpen();
    return this.#sizes.get(symbol)?.has(positionId) === true;
  }

  setPositionSize(symbol: string, positionId: string, size: Decimal): void {
    this.#ensureOpen();
    let ofSymbol = this.#sizes.get(symbol);
    if (ofSymbol === undefined) this.#sizes.set(symbol, (ofSymbol = new Map()));
    this.#put(ofSymbol, positionId, stored(size));
  }

  positionSizes(): PositionSizeRow[] {
    this.#ensureOpen();
    const rows: PositionSizeRow[] = [];
    for (const symbol of [...this.#sizes.keys()].sort(compareText)) {
      const ofSymbol = this.#sizes.get(symbol)!;
      for (const positionId of [...ofSymbol.keys()].sort(compareText)) rows.push({ symbol, position_id: positionId, size: ofSymbol.get(positionId)! });
    }
    return rows;
  }

  setting(name: string): string | undefined {
    this.#ensureOpen();
    return this.#settings.get(name);
  }

  setSetting(name: string, value: string): void {
    this.#ensureOpen();
    this.#put(this.#settings, name, value);
  }

  recordAttempt(clientOrderId: string, outcome: string, atMs: number): void {
    this.#ensureOpen();
    // AUTOINCREMENT: seqs go on from the highest ever given, and a rolled-back one is given again
    this.#attemptSeq += 1;
    const attempt: SubmitAttempt = Object.freeze({ seq: this.#attemptSeq, client_order_id: clientOrderId, outcome, at_ms: atMs });
    let ofOrder = this.#attemptsByOrder.get(clientOrderId);
    if (ofOrder === undefined) this.#attemptsByOrder.set(clientOrderId, (ofOrder = []));
    ofOrder.push(attempt);
    this.#attempts.push(attempt);
    const attempts = ofOrder;
    this.#log.record(() => {
      this.#attempts.pop();
      attempts.pop();
      this.#attemptSeq -= 1;
    });
  }

  recordRefused(refused: RefusedRow): void {
    this.#ensureOpen();
    const known = this.#refused.get(refused.client_order_id);
    // as the SQL upsert: a repeat updates only the reason and the time
    const row = known === undefined ? refusedRecord(refused) : Object.freeze({ ...known, reason: refused.reason, at_ms: refused.at_ms });
    this.#put(this.#refused, refused.client_order_id, row);
  }

  refused(clientOrderId: string): RefusedRow | undefined {
    this.#ensureOpen();
    return this.#refused.get(clientOrderId);
  }

  attempts(clientOrderId?: string): SubmitAttempt[] {
    this.#ensureOpen();
    return [...(clientOrderId === undefined ? this.#attempts : (this.#attemptsByOrder.get(clientOrderId) ?? []))];
  }

  claimOwner(ledger: VenueOwner, atMs: number): VenueOwner {
    return this.transaction(() => {
      const before = this.#owner;
      if (before === undefined) this.#owner = { ledger_id: ledger.ledger_id, ledger_path: ledger.ledger_path, claimed_at_ms: atMs };
      else if (before.ledger_id === ledger.ledger_id) this.#owner = { ...before, ledger_path: ledger.ledger_path };
      this.#log.record(() => (this.#owner = before));
      const owner = this.#owner!;
      return { ledger_id: owner.ledger_id, ledger_path: owner.ledger_path };
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  close(): void {
    this.#open = false;
  }

  #put<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const before = map.get(key);
    map.set(key, value);
    this.#log.record(had ? () => map.set(key, before as V) : () => map.delete(key));
  }

  #replace(slot: OrderSlot, row: OrderRow): void {
    const wasResting = RESTING.has(slot.row.status);
    slot.row = row;
    const resting = RESTING.has(row.status);
    if (wasResting && !resting) this.#unrest(slot);
    else if (resting && !wasResting) this.#rest(slot);
  }

  #rest(slot: OrderSlot): void {
    const symbol = slot.row.symbol;
    let slots = this.#resting.get(symbol);
    if (slots === undefined) this.#resting.set(symbol, (slots = []));
    insertBySeq(slots, slot);
  }

  #unrest(slot: OrderSlot): void {
    const symbol = slot.row.symbol;
    const slots = this.#resting.get(symbol);
    if (slots === undefined) return;
    removeBySeq(slots, slot.seq);
    if (slots.length === 0) this.#resting.delete(symbol);
  }

  #ensureOpen(): void {
    // what better-sqlite3 throws for a closed database
    if (!this.#open) throw new TypeError('The database connection is not open');
  }
}

/**
 * A decimal as the SQLite store would give it back: of planexec's Decimal class (whose precision
 * later arithmetic uses), and 0 for −0 (the stored text has no −0).
 */
function stored(value: Decimal): Decimal {
  if (value.constructor !== Decimal) return new Decimal(decimalToWire(value));
  return value.isZero() && value.isNegative() ? ZERO : value;
}

const storedOrNull = (value: Decimal | null): Decimal | null => (value === null ? null : stored(value));

function unique(column: string): PaperConstraintError {
  return new PaperConstraintError(`UNIQUE constraint failed: ${column}`, 'SQLITE_CONSTRAINT_UNIQUE');
}

/** An INTEGER PRIMARY KEY: an integer, not taken yet. */
function checkKey(seq: number, taken: ReadonlySet<number>, column: string): void {
  if (!Number.isInteger(seq)) throw new PaperConstraintError('datatype mismatch', 'SQLITE_MISMATCH');
  if (taken.has(seq)) throw new PaperConstraintError(`UNIQUE constraint failed: ${column}`, 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

/** The stored order: identity from `identity`, terms and state from `state` (updateOrder changes only those). */
function orderRecord(identity: OrderRow, state: OrderRow): OrderRow {
  return Object.freeze({
    seq: identity.seq,
    client_order_id: identity.client_order_id,
    venue_order_id: identity.venue_order_id,
    symbol: identity.symbol,
    side: identity.side,
    order_type: identity.order_type,
    time_in_force: identity.time_in_force,
    quantity: stored(state.quantity),
    limit_price: storedOrNull(state.limit_price),
    stop_price: storedOrNull(state.stop_price),
    reduce_only: identity.reduce_only ? true : false,
    position_id: identity.position_id ?? null,
    status: state.status,
    filled_quantity: stored(state.filled_quantity),
    reject_reason: state.reject_reason ?? null,
    triggered: state.triggered ? true : false,
    created_at_ms: identity.created_at_ms,
    updated_at_ms: state.updated_at_ms,
  });
}

function fillRecord(fill: FillRow): FillRow {
  return Object.freeze({
    seq: fill.seq,
    venue_trade_id: fill.venue_trade_id,
    client_order_id: fill.client_order_id,
    symbol: fill.symbol,
    side: fill.side,
    quantity: stored(fill.quantity),
    price: stored(fill.price),
    fee: stored(fill.fee),
    fee_asset: fill.fee_asset,
    liquidity: fill.liquidity,
    executed_at_ms: fill.executed_at_ms,
  });
}

function refusedRecord(refused: RefusedRow): RefusedRow {
  return Object.freeze({
    client_order_id: refused.client_order_id,
    symbol: refused.symbol,
    side: refused.side,
    order_type: refused.order_type,
    quantity: stored(refused.quantity),
    limit_price: storedOrNull(refused.limit_price),
    stop_price: storedOrNull(refused.stop_price),
    reason: refused.reason,
    at_ms: refused.at_ms,
  });
}
