import type { Decimal } from './decimal.js';
import type { FinalState, FlowOutcome, OrderStatus, Scope } from './enums.js';

/**
 * Event payloads: the spec's DTOs with its field names, plus fields users need. Decimals are
 * Decimal in process; `toWire` turns them into strings for JSON, HTTP and NATS.
 */

export interface TradeExecutedDTO {
  readonly directive_id: string;
  readonly strategy_id: string;
  readonly scope: Scope;
  readonly execution_time: string;
  /** Average fill price of the directive's main order; null when nothing filled (e.g. a resting limit or a stop move). */
  readonly fill_price: Decimal | null;
  /** Venue order id of the main order (null when no order was needed). */
  readonly order_id: string | null;
  readonly target_trade_ids: readonly string[];
  readonly client_order_id: string | null;
  readonly status: OrderStatus | null;
  readonly filled_quantity: Decimal;
  /** Trades the directive opened or changed. */
  readonly trade_ids: readonly string[];
  /** Requested prices / sizes used in another form (lot / tick rounding), as in the causality entry. */
  readonly adjustments?: readonly { readonly field: string; readonly requested: string; readonly used: string; readonly rule: string; readonly trade_id?: string }[];
  /** A NEW_TRADE's entry: style, children, decision price and implementation shortfall (docs/execution-styles.md). */
  readonly execution?: TradeExecution;
}

export type ExecutionStyleName = 'SINGLE' | 'PASSIVE' | 'TWAP' | 'ICEBERG';
/** preferred: the plan named the style; urgency: execution_urgency chose it; immediate: must_complete_immediately; order_type: a LIMIT / STOP_LIMIT entry sent as asked; default: nothing asked. */
export type StyleChosenBy = 'preferred' | 'urgency' | 'immediate' | 'order_type' | 'default';
/** Why the children stopped: all filled, the window ended, the kill switch moved, or the schedule ran out. */
export type ExecutionEnding = 'filled' | 'window' | 'halted' | 'schedule';

/** How a NEW_TRADE's entry was executed. */
export interface TradeExecution {
  readonly style: ExecutionStyleName;
  readonly chosen_by: StyleChosenBy;
  /** The venue's reference price when the directive was accepted; null for a LIMIT / STOP_LIMIT entry sent as one order. */
  readonly decision_price: Decimal | null;
  readonly planned_quantity: Decimal;
  readonly filled_quantity: Decimal;
  readonly average_fill_price: Decimal | null;
  /** Orders the entry was sent as (1 for SINGLE). */
  readonly child_orders: number;
  /** Average fill against the decision price, in basis points; positive = worse (a BUY paid more). */
  readonly shortfall_bps: Decimal | null;
  readonly ended_by: ExecutionEnding;
}

export interface ExecutionFailedDTO {
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly flow_id: string;
  /** Error class name (ValidationError, VenueRejected, …). */
  readonly error_type: string;
  readonly error_code: string;
  readonly error_message: string;
  readonly timestamp: string;
  /** Input line number when the directive came from a file or stdin. */
  readonly line: number | null;
}

export interface FlowCompletionDTO {
  /** The directive id; for input that is not a valid directive, a stable INV_ id of its bytes. */
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly completion_time: string;
  readonly started_at: string;
  readonly duration_ms: number;
  readonly reason: string;
  readonly final_state: FinalState;
  readonly outcome: FlowOutcome;
  readonly error_details: { readonly error_type: string; readonly error_code: string; readonly error_message: string } | null;
}

/** Payload of EXECUTION_DIRECTIVE_READY: the directive as received; the orchestrator validates it. */
export interface DirectiveSubmission {
  /** Raw line text (CLI, NATS) or an already-decoded JSON value (HTTP, in-process callers). */
  readonly input: string | unknown;
  readonly source: { readonly kind: 'cli' | 'http' | 'nats' | 'internal'; readonly line?: number };
  readonly received_at: number;
  /**
   * Set by an intake that refused to hold input over the directive limit: `input` is only its
   * start, `bytes` its full size and `sha256` the hash of all its bytes (the rejected flow's id).
   */
  readonly oversize?: { readonly bytes: number; readonly sha256: string };
}
