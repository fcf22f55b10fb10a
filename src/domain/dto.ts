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
