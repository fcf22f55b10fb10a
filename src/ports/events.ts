import type { FlowRecord } from './flow-store.js';
import type { TradingState, TradingStateRecord } from './trading-state.js';
import type { DirectiveSubmission, ExecutionFailedDTO, FlowCompletionDTO, TradeExecutedDTO } from '../domain/dto.js';
import type { OrderRecord } from '../domain/trading.js';

/** The platform's events and their payloads (DESIGN §2 names). */
export interface PlanexecEvents {
  EXECUTION_DIRECTIVE_READY: DirectiveSubmission;
  TRADE_EXECUTED: TradeExecutedDTO;
  EXECUTION_FAILED: ExecutionFailedDTO;
  _flow_stop_success: FlowCompletionDTO;
  _flow_stop_error: FlowCompletionDTO;
  /** A directive id seen before: not executed again; carries the original flow's outcome. */
  DIRECTIVE_DUPLICATE: { readonly flow_id: string; readonly directive_id: string; readonly original: FlowRecord; readonly line: number | null };
  /**
   * A submission dropped before its flow began (an interrupted intake): never accepted, nothing
   * journaled, no stop owed; submitting it again runs it.
   */
  DIRECTIVE_NOT_STARTED: {
    readonly directive_id: string | null;
    readonly strategy_id: string | null;
    readonly line: number | null;
    readonly source: DirectiveSubmission['source'];
    readonly received_at: number;
  };
  /** The kill switch moved; published once the change is journaled. */
  TRADING_STATE_CHANGED: TradingStateRecord & { readonly previous: TradingState };
  /**
   * A directive's flow began: its DIRECTIVE_ACCEPTED entry is durable (an intake may now tell its
   * sender the directive is taken). Not published for duplicates or refused input.
   */
  DIRECTIVE_ACCEPTED: {
    readonly flow_id: string;
    readonly directive_id: string;
    readonly strategy_id: string;
    readonly source: DirectiveSubmission['source'];
    readonly accepted_at: string;
  };
  /** An order row of the ledger changed (written durably), for live views; the full row as stored. */
  ORDER_UPDATED: OrderRecord;
  [eventName: string]: unknown;
}
