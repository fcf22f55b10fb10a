import type { Anomaly, FillRecord, OrderRecord, Position } from '../domain/trading.js';
import type { Direction, OrderStatus, PositionStatus } from '../domain/enums.js';

/**
 * The position ledger (a projection of the journal). Every method is async: a store may group
 * several callers' writes into one durable commit, and resolves each caller only once its
 * write is durable.
 */

/** One atomic ledger change. Rows are full states (upserts), fills are inserts. */
export interface LedgerChange {
  /** The directive responsible, so `rollbackDirective` can undo it; null for venue-initiated changes. */
  readonly directive_id: string | null;
  readonly positions?: readonly Position[];
  readonly orders?: readonly OrderRecord[];
  readonly fills?: readonly FillRecord[];
  readonly anomalies?: readonly Anomaly[];
  /**
   * Record before-images so `rollbackDirective` can undo this change. Default true; a writer that
   * knows no rollback can follow (the venue already acted, or the policy never rolls back) passes
   * false and saves the rows.
   */
  readonly undo?: boolean;
}

export interface LedgerApplyResult {
  /** venue_trade_ids of fills already in the ledger (skipped, not an error). */
  readonly duplicate_fills: readonly string[];
  /**
   * Anomalies the store itself found and recorded while applying (e.g. OVERFILL: an order's fills
   * exceed its quantity; UNKNOWN_ORDER_FILL): the caller alerts on them. Absent = none.
   */
  readonly detected_anomalies?: readonly Anomaly[];
}

export interface PositionFilter {
  readonly status?: PositionStatus;
  readonly strategy_id?: string;
  readonly symbol?: string;
  readonly direction?: Direction;
}

export interface OrderFilter {
  readonly trade_id?: string;
  readonly directive_id?: string;
  readonly statuses?: readonly OrderStatus[];
}

/** The ledger's reads: all a reader of a database it does not write (verify, the CLI's read commands) may call. */
export interface ILedgerReader {
  getPosition(tradeId: string): Promise<Position | undefined>;
  listPositions(filter?: PositionFilter): Promise<Position[]>;
  getOrder(clientOrderId: string): Promise<OrderRecord | undefined>;
  listOrders(filter?: OrderFilter): Promise<OrderRecord[]>;
  listFills(filter?: { readonly trade_id?: string; readonly client_order_id?: string }): Promise<FillRecord[]>;
  listAnomalies(): Promise<Anomaly[]>;
}

export interface ILedgerProvider extends ILedgerReader {
  /** Apply atomically: all rows or none. */
  apply(change: LedgerChange): Promise<LedgerApplyResult>;
  /**
   * Undo every change recorded for the directive (positions back to their before-image, its
   * orders and fills removed). Returns how many rows were restored or removed.
   */
  rollbackDirective(directiveId: string): Promise<number>;
  close(): Promise<void>;
}
