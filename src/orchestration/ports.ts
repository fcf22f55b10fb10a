import type { Anomaly, FillRecord, OrderRecord, Position } from '../domain/trading.js';
import type { Direction, FinalState, FlowOutcome, JournalEventType, OrderStatus, PositionStatus } from '../domain/enums.js';
import type { FlowCompletionDTO } from '../domain/dto.js';
import type { WriterIdentity } from '../domain/errors.js';

/**
 * The storage-side ports the orchestration needs. Every method is async: a store may group
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

export interface ILedgerProvider {
  /** Apply atomically: all rows or none. */
  apply(change: LedgerChange): Promise<LedgerApplyResult>;
  getPosition(tradeId: string): Promise<Position | undefined>;
  listPositions(filter?: PositionFilter): Promise<Position[]>;
  getOrder(clientOrderId: string): Promise<OrderRecord | undefined>;
  listOrders(filter?: OrderFilter): Promise<OrderRecord[]>;
  listFills(filter?: { readonly trade_id?: string; readonly client_order_id?: string }): Promise<FillRecord[]>;
  listAnomalies(): Promise<Anomaly[]>;
  /**
   * Undo every change recorded for the directive (positions back to their before-image, its
   * orders and fills removed). Returns how many rows were restored or removed.
   */
  rollbackDirective(directiveId: string): Promise<number>;
  close(): Promise<void>;
}

/** What a caller hands the journal; seq and the hash chain are the journal's, entry_id too unless the caller named it. */
export interface JournalEntryInput {
  /** Named by the caller (nextJournalEntryId) when it must point at the entry before it is appended; else the journal names it. */
  readonly entry_id?: string;
  readonly event_type: JournalEventType;
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  /** ISO-8601 UTC: when planexec recorded it. */
  readonly timestamp: string;
  /** The directive (workflow) this belongs to; = flow_id for directive flows. */
  readonly correlation_id: string;
  /** entry_id of the direct parent entry; null for the first entry of a flow. */
  readonly causation_id: string | null;
  /** The spec's causality fields and the rest, JSON-safe wire form (decimals as strings). */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface JournalEntry extends JournalEntryInput {
  readonly seq: number;
  readonly entry_id: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export interface JournalFilter {
  readonly directive_id?: string;
  readonly flow_id?: string;
  readonly after_seq?: number;
  readonly limit?: number;
}

export type JournalVerifyResult =
  | { readonly ok: true; readonly entries: number }
  | { readonly ok: false; readonly entries: number; readonly first_bad_seq: number; readonly reason: string };

export interface IJournalWriter {
  /** Append one entry; durable when resolved. */
  logEntry(entry: JournalEntryInput): Promise<JournalEntry>;
  /** Append an EXECUTION_FAILED entry; durable when resolved. */
  logError(entry: JournalEntryInput): Promise<JournalEntry>;
  /** Append several entries atomically, in order; durable when resolved. */
  append(entries: readonly JournalEntryInput[]): Promise<JournalEntry[]>;
  read(filter?: JournalFilter): Promise<JournalEntry[]>;
  /** Walk the hash chain from seq 1: any altered, inserted or removed entry is found. */
  verify(): Promise<JournalVerifyResult>;
  close(): Promise<void>;
}

/** A flow's row in the flows table. */
export interface FlowRecord {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly status: 'RUNNING' | FlowOutcome;
  readonly final_state: FinalState | null;
  readonly reason: string | null;
  readonly error_details: FlowCompletionDTO['error_details'];
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly duration_ms: number | null;
}

export type BeginFlowResult =
  | {
      readonly status: 'started';
      /** The DIRECTIVE_ACCEPTED entry's id: the flow's first causation. */
      readonly entry_id: string;
      /**
       * Resolves once the RUNNING row and DIRECTIVE_ACCEPTED are durable (rejects if they could not be
       * made so). Writes the flow enqueues after `begin` commit with it or later, so a flow awaits this
       * only where it must (its first write-ahead, which shares the commit: DESIGN §3b).
       */
      readonly durable: Promise<void>;
    }
  | { readonly status: 'duplicate'; readonly flow: FlowRecord };

/** Which flows `IFlowStore.list` returns: newest first (started_at, then flow_id, descending). */
export interface FlowListFilter {
  readonly status?: FlowRecord['status'];
  readonly strategy_id?: string;
  /** Flows started at or after this ISO-8601 time. */
  readonly since?: string;
  /** Only flows older than this one in the list's order (a page's last row: the next page). */
  readonly before?: { readonly started_at: string; readonly flow_id: string };
  readonly limit: number;
}

/**
 * The flows table: idempotent intake (a flow id begins once, ever) and final-state persistence.
 * `begin` decides at once whether the flow id is new (the store is its database's one writer:
 * invariant 9) and enqueues the RUNNING row with the DIRECTIVE_ACCEPTED entry as one unit; it does
 * not wait for their commit (`durable` does).
 */
export interface IFlowStore {
  begin(flow: { readonly flow_id: string; readonly directive_id: string | null; readonly strategy_id: string | null; readonly started_at: string }, accepted: JournalEntryInput): Promise<BeginFlowResult>;
  finish(completion: FlowCompletionDTO): Promise<void>;
  get(flowId: string): Promise<FlowRecord | undefined>;
  /** Flows begun and never finished (interrupted by a crash): recovery finishes them. */
  listUnfinished(): Promise<FlowRecord[]>;
  counts(): Promise<Readonly<Record<'RUNNING' | FlowOutcome, number>>>;
  /** A page of flows, newest first (the HTTP API's flow list). */
  list(filter: FlowListFilter): Promise<FlowRecord[]>;
}

/** Flow-scoped resources: registered while a flow runs, disposed at its stop. */
export interface Disposable {
  dispose(): void | Promise<void>;
}

export interface IComponentRegistry {
  register(flowId: string, component: Disposable): void;
  /** Dispose everything registered for the flow (errors are collected, not thrown) and forget the flow. */
  disposeFlow(flowId: string): Promise<readonly unknown[]>;
  /** Number of flows with registered components. */
  size(): number;
}

export interface IMetricsCollector {
  flowCompleted(finalState: FinalState, outcome: FlowOutcome, durationMs: number): void;
  executionAttempt(result: 'ok' | 'retryable' | 'rejected' | 'unknown'): void;
  slowExecution(durationMs: number): void;
  anomaly(kind: Anomaly['kind']): void;
}

export interface Alert {
  readonly severity: 'info' | 'warning' | 'critical';
  readonly code: string;
  readonly message: string;
  readonly flow_id?: string | null;
  readonly directive_id?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly timestamp: string;
}

export interface IAlertSink {
  /** Must not throw: a sink that fails logs its own failure. */
  send(alert: Alert): Promise<void>;
}

/**
 * The platform's alert sink (src/alerts/create-alert-sink.ts): `send` only hands the alert over
 * (delivery, retries and summaries run in the background), so shutdown must drain it.
 */
export interface IManagedAlertSink extends IAlertSink {
  /** Resolves once every alert handed over so far was delivered or given up, retries included. */
  drain(): Promise<void>;
  /** Cuts retry waits short (one last attempt each), sends what was held back as a summary, then drains. Idempotent. */
  close(): Promise<void>;
}

/** Alert delivery counters, per sink (`log`, `webhook`, `telegram`). */
export interface IAlertMetrics {
  alertSent(sink: string): void;
  alertSuppressed(sink: string, reason: 'duplicate' | 'rate_limited'): void;
  alertFailed(sink: string): void;
}

/**
 * The right to write one database, held by one process at a time (docs/reliability.md): only the
 * holder runs recovery and flows, so no process ever takes another's in-flight flows for crashed
 * ones. A holder that dies loses it without doing anything.
 */
export interface WriterLease {
  /** The database it is for. */
  readonly database: string;
  readonly holder: WriterIdentity;
  /** Give it up. Idempotent. */
  release(): void;
}

export interface WriterLeaseRequest {
  /** Wait for the holder to finish instead of throwing DatabaseInUseError. @default false */
  readonly wait?: boolean;
  /** Called once, when `wait` is set and another process holds the lease. */
  readonly onWaiting?: (holder: WriterIdentity | null) => void;
}

export interface IWriterLock {
  /** Take the lease; throws DatabaseInUseError (naming the holder) at once when another process has it, unless `wait`. */
  acquire(request?: WriterLeaseRequest): Promise<WriterLease>;
}

/**
 * The kill switch (docs/kill-switch.md). ACTIVE: every directive runs. REDUCING: only directives
 * that reduce exposure run (CLOSE_EXISTING; a MODIFY_EXISTING that adds no size). HALTED: only
 * CLOSE_EXISTING runs. Any other directive stops DENIED before anything is sent.
 */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/** The current state and its last change; reason, changed_by and changed_at are null while it was never changed. */
export interface TradingStateRecord {
  readonly state: TradingState;
  readonly reason: string | null;
  readonly changed_by: string | null;
  /** ISO-8601 UTC. */
  readonly changed_at: string | null;
}

export interface TradingStateChange {
  readonly state: TradingState;
  /** Why (1..500 characters): journaled and shown in every denial. */
  readonly reason: string;
  /** Who (a token label, a user name). */
  readonly changed_by: string;
}

export interface ITradingStateControl {
  /** In memory, cheap: read on every directive. */
  current(): TradingStateRecord;
  /** Journal the change (TRADING_STATE_CHANGED), then apply and announce it; durable when resolved. Throws ValidationError for a bad change. */
  set(change: TradingStateChange): Promise<TradingStateRecord>;
}
