import type { Decimal } from '../../domain/decimal.js';
import type { Direction, OrderType, TimeInForce } from '../../domain/enums.js';
import type { VenueOrder } from '../../ports/connector.js';

export type VenueOrderStatus = VenueOrder['status'];
export type Liquidity = 'MAKER' | 'TAKER';

/** One order as the venue stores it (decimals decoded). */
export interface OrderRow {
  readonly seq: number;
  readonly client_order_id: string;
  readonly venue_order_id: string;
  readonly symbol: string;
  readonly side: Direction;
  readonly order_type: OrderType;
  readonly time_in_force: TimeInForce;
  readonly quantity: Decimal;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
  readonly reduce_only: boolean;
  /** The position the order moves (hedge mode); null: the default position (netting mode, no position_id, or before position modes existed). */
  readonly position_id: string | null;
  readonly status: VenueOrderStatus;
  readonly filled_quantity: Decimal;
  readonly reject_reason: string | null;
  /** A stop whose trigger price was reached (a STOP_LIMIT then rests as a limit). */
  readonly triggered: boolean;
  readonly created_at_ms: number;
  readonly updated_at_ms: number;
}

export interface FillRow {
  readonly seq: number;
  readonly venue_trade_id: string;
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: Direction;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
  readonly fee_asset: string;
  readonly liquidity: Liquidity;
  readonly executed_at_ms: number;
}

/** A submit the venue refused (no order was created): kept so a look-up by client order id can report the refusal. */
export interface RefusedRow {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: Direction;
  readonly order_type: OrderType;
  readonly quantity: Decimal;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
  readonly reason: string;
  readonly at_ms: number;
}

/** One submit that reached the venue, with what the venue did with it. */
export interface SubmitAttempt {
  readonly seq: number;
  readonly client_order_id: string;
  /** ACCEPTED, EXISTING (idempotent repeat), TRANSIENT, or the rejection code. */
  readonly outcome: string;
  readonly at_ms: number;
}

/** One position the venue holds: signed base quantity (BUY +, SELL −). */
export interface PositionSizeRow {
  readonly symbol: string;
  readonly position_id: string;
  readonly size: Decimal;
}

/** The ledger database a venue serves. */
export interface VenueOwner {
  readonly ledger_id: string;
  readonly ledger_path: string;
}

/** The position of orders sent without a position_id (and of every order in netting mode). */
export const DEFAULT_POSITION = '';

/** The settings row that records the mode the venue was created in. */
export const POSITION_MODE = 'position_mode';

/**
 * The paper venue's state: SqlitePaperStore (a file that outlives the process) or
 * MemoryPaperStore (':memory:'). Both keep the same constraints and orderings, so the engine
 * cannot tell them apart. Rows returned are the caller's to read, never to change.
 */
export interface PaperStore {
  /** Opened to look only: nothing may be written (the engine then takes the recorded settings). */
  readonly readonly: boolean;
  readonly isOpen: boolean;

  /**
   * Runs `fn` all-or-nothing: when it throws, every change it made is undone and the error
   * rethrown. A nested call is a savepoint: its failure undoes only its own changes.
   */
  transaction<T>(fn: () => T): T;

  counter(name: string): number | undefined;
  setCounter(name: string, value: number): void;
  /** The next value of a persisted counter, starting at 1. */
  next(name: string): number;

  order(clientOrderId: string): OrderRow | undefined;
  /** Throws when the seq, client_order_id or venue_order_id is taken. */
  insertOrder(order: OrderRow): void;
  /** Changes the order's terms and state (quantity, prices, status, fills, reason, trigger, updated_at); its identity stays. */
  updateOrder(order: OrderRow): void;
  /** OPEN and PARTIALLY_FILLED orders, oldest (lowest seq) first. */
  restingOrders(symbol?: string): OrderRow[];
  allOrders(): OrderRow[];

  fillsOf(clientOrderId: string): FillRow[];
  allFills(): FillRow[];
  /** The fills with a seq above `seq`, in seq order (what came since the last look). */
  fillsAfter(seq: number): FillRow[];
  /** Throws when the seq or venue_trade_id is taken, or no order has the fill's client_order_id. */
  insertFill(fill: FillRow): void;

  price(symbol: string): Decimal | undefined;
  setPrice(symbol: string, price: Decimal, atMs: number): void;

  netPosition(symbol: string): Decimal;
  setNetPosition(symbol: string, net: Decimal): void;
  /** By symbol. */
  netPositions(): Map<string, Decimal>;
  /** Signed size of one position; 0 when the venue never held it. */
  positionSize(symbol: string, positionId: string): Decimal;
  /** Whether the venue ever held this position (a row exists, flat or not). */
  hasPosition(symbol: string, positionId: string): boolean;
  setPositionSize(symbol: string, positionId: string, size: Decimal): void;
  /** By symbol, then position_id. */
  positionSizes(): PositionSizeRow[];

  setting(name: string): string | undefined;
  setSetting(name: string, value: string): void;

  recordAttempt(clientOrderId: string, outcome: string, atMs: number): void;
  /** A second refusal of the same client order id updates its reason and time. */
  recordRefused(refused: RefusedRow): void;
  refused(clientOrderId: string): RefusedRow | undefined;
  /** Oldest first. */
  attempts(clientOrderId?: string): SubmitAttempt[];

  /**
   * Record `ledger` as this venue's owner unless another ledger is recorded; returns the owner now
   * recorded. The same ledger at a new path (the files were moved) updates the path.
   */
  claimOwner(ledger: VenueOwner, atMs: number): VenueOwner;

  close(): void;
}
