import type { DirectiveSubmission, ExecutionFailedDTO, FlowCompletionDTO, TradeExecutedDTO } from '../domain/dto.js';

/** The platform's events and their payloads (DESIGN §2 names). */
export interface PlanexecEvents {
  EXECUTION_DIRECTIVE_READY: DirectiveSubmission;
  TRADE_EXECUTED: TradeExecutedDTO;
  EXECUTION_FAILED: ExecutionFailedDTO;
  _flow_stop_success: FlowCompletionDTO;
  _flow_stop_error: FlowCompletionDTO;
  [eventName: string]: unknown;
}
