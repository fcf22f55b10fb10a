import type { FlowRecord, TradingState, TradingStateRecord } from '../orchestration/ports.js';
import type { DirectiveSubmission, ExecutionFailedDTO, FlowCompletionDTO, TradeExecutedDTO } from '../domain/dto.js';

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
  [eventName: string]: unknown;
}
