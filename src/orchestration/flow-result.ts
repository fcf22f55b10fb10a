import type { DirectiveSubmission } from '../domain/dto.js';
import type { FlowState } from './flow-stopper.js';

/** How one submission ended. DUPLICATE: its directive_id (or its bad bytes) had been seen; nothing ran. */
export interface FlowResult {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly outcome: 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT' | 'DUPLICATE';
  readonly reason: string;
  readonly error_code: string | null;
  readonly line: number | null;
  /** Requested prices / sizes the flow used in another form (rounding; listed in its causality entry). */
  readonly adjustments?: number;
}

/**
 * A submission dropped while it waited for its strategy's turn (`abandonQueued`): its flow never
 * began, so nothing of it is in the journal (no DIRECTIVE_ACCEPTED) and it owes no stop.
 */
export interface NotStarted {
  readonly outcome: 'NOT_STARTED';
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly line: number | null;
  readonly submission: DirectiveSubmission;
}

export function resultOf(state: FlowState, outcome: FlowResult['outcome'], reason: string, errorCode: string | null): FlowResult {
  return { flow_id: state.flowId, directive_id: state.directiveId, outcome, reason, error_code: errorCode, line: state.line };
}
