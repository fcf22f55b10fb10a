import { isInDoubtUnresolved } from './execution-errors.js';
import type { Logger } from 'pino';
import { isoTime } from '../domain/clock.js';
import { errorMessage, PlanexecError, toPlanexecError } from '../domain/errors.js';
import { sendAlert } from './alerting.js';
import { recordedNotes, successReason, successReasonWith } from './causality.js';
import type { ExecutionContext } from './execution-context.js';
import { resultOf, type FlowResult } from './flow-result.js';
import type { FlowServices } from './flow-services.js';
import type { FlowState } from './flow-stopper.js';
import type { RecordedFailure } from './recovery/revive.js';
import type { ScopeOutcome } from './scopes/scope-types.js';
import { denialReason, isTradingStateDenial } from './trading-state-gate.js';

/** A resumed flow whose error was journaled before the crash: not journaled again; the policy only if it had not run. */
export type ResumedFailure = RecordedFailure & { readonly applyPolicy: boolean };

/**
 * The success stop: `_flow_stop_success` with the outcome's reason. `recorded`: the causality entry
 * journaled before a crash, whose notes the reason keeps (the journal replay rebuilds it alike).
 */
export async function stopSucceeded(services: FlowServices, state: FlowState, logger: Logger, outcome?: ScopeOutcome, recorded?: Readonly<Record<string, unknown>>): Promise<FlowResult> {
  const completion = await services.stopper.stop(state, logger, {
    final_state: 'SUCCESS',
    outcome: 'SUCCEEDED',
    reason: outcome ? successReason(outcome) : successReasonWith(recordedNotes(recorded)),
    error_details: null,
  });
  return { ...resultOf(state, completion.outcome, completion.reason, null), adjustments: outcome?.adjustments?.length ?? 0 };
}

/** The error path, unless the flow already stopped (then the failure came after its one stop). */
export async function stopFailed(services: FlowServices, ctx: ExecutionContext, state: FlowState, logger: Logger, error: unknown): Promise<FlowResult> {
  if (state.stopped) {
    logger.error({ err: error }, 'failure after the flow stopped');
    return resultOf(state, state.stopped.outcome, state.stopped.reason, state.stopped.error_details?.error_code ?? null);
  }
  return fail(services, ctx, state, logger, error);
}

/** The error path: journal the error → apply the policy → EXECUTION_FAILED → `_flow_stop_error`. */
export async function fail(services: FlowServices, ctx: ExecutionContext, state: FlowState, logger: Logger, error: unknown, resumed?: ResumedFailure): Promise<FlowResult> {
  const failure = toPlanexecError(error);
  const errorType = resumed?.errorType ?? (error instanceof PlanexecError ? error.name : error instanceof Error ? error.name : 'Error');
  const message = resumed?.message ?? (state.line === null ? failure.message : `line ${state.line}: ${failure.message}`);
  const outcome = isInDoubtUnresolved(failure) ? 'IN_DOUBT' : 'FAILED';
  logger.warn({ err: error, error_code: failure.code }, 'execution failed');
  if (!resumed) await journalFailure(ctx, state, logger, { errorType, code: failure.code, message, details: failure.details });
  if (!resumed || resumed.applyPolicy) {
    try {
      await services.policy.apply(ctx, failure);
    } catch (policyError) {
      logger.error({ err: policyError }, 'error policy failed');
      await sendAlert(services.alerts, logger, {
        severity: 'critical',
        code: 'POLICY_FAILED',
        message: `applying the error policy failed for ${state.flowId}: ${errorMessage(policyError)}`,
        flow_id: state.flowId,
        directive_id: state.directiveId,
        timestamp: isoTime(services.clock.now()),
      });
    }
  }
  try {
    await ctx.settle();
  } catch (settleError) {
    // the policies have recorded what they could; the flow still ends with its one stop
    logger.error({ err: settleError }, 'a write of the failed flow could not be made durable');
  }
  publishFailed(services, state, errorType, failure.code, message, logger);
  const completion = await services.stopper.stop(state, logger, {
    final_state: 'ERROR',
    outcome,
    // the kill switch denied it: said first, so the flow list reads "DENIED: trading state HALTED (…)"
    reason: isTradingStateDenial(failure.code) ? denialReason(failure.message, state.line) : `Execution failed: ${message}`,
    error_details: { error_type: errorType, error_code: failure.code, error_message: message },
  });
  return resultOf(state, completion.outcome, completion.reason, failure.code);
}

/** Input that never was a valid directive, its EXECUTION_FAILED entry written: publish it and stop. */
export async function stopInvalid(
  services: FlowServices,
  state: FlowState,
  logger: Logger,
  failure: { readonly errorType: string; readonly code: string; readonly message: string },
): Promise<FlowResult> {
  publishFailed(services, state, failure.errorType, failure.code, failure.message, logger);
  const completion = await services.stopper.stop(state, logger, {
    final_state: 'ERROR',
    outcome: 'FAILED',
    reason: `Execution failed: ${failure.message}`,
    error_details: { error_type: failure.errorType, error_code: failure.code, error_message: failure.message },
  });
  return resultOf(state, completion.outcome, completion.reason, failure.code);
}

/** A bug escaped the flow: make sure it still ends with its one stop. */
export async function lastResort(services: FlowServices, state: FlowState, logger: Logger, error: unknown): Promise<FlowResult> {
  logger.fatal({ err: error }, 'internal error escaped a flow');
  if (state.stopped) return resultOf(state, state.stopped.outcome, state.stopped.reason, state.stopped.error_details?.error_code ?? null);
  const message = `internal error: ${errorMessage(error)}`;
  try {
    await services.stopper.stop(state, logger, {
      final_state: 'ERROR',
      outcome: 'FAILED',
      reason: `Execution failed: ${message}`,
      error_details: { error_type: 'InternalError', error_code: 'INTERNAL', error_message: message },
    });
  } catch (stopError) {
    logger.fatal({ err: stopError }, 'could not stop the flow');
  }
  return resultOf(state, 'FAILED', `Execution failed: ${message}`, 'INTERNAL');
}

async function journalFailure(
  ctx: ExecutionContext,
  state: FlowState,
  logger: Logger,
  failure: { readonly errorType: string; readonly code: string; readonly message: string; readonly details: unknown },
): Promise<void> {
  try {
    await ctx.write(
      'EXECUTION_FAILED',
      {
        directive_id: state.directiveId,
        strategy_id: state.strategyId,
        error_type: failure.errorType,
        error_code: failure.code,
        error_message: failure.message,
        error_details: failure.details,
        timestamp: ctx.now(),
        causation: ctx.causationId,
        line: state.line,
        // what the flow left in the ledger before it failed: the journal must be able to rebuild it (planexec verify)
        ...(ctx.positions.length > 0 ? { positions: ctx.positions } : {}),
      },
      { asError: true },
    );
  } catch (journalError) {
    logger.error({ err: journalError }, 'could not journal the execution error');
  }
}

function publishFailed(services: FlowServices, state: FlowState, errorType: string, errorCode: string, message: string, logger: Logger): void {
  try {
    services.bus.publish(
      'EXECUTION_FAILED',
      {
        directive_id: state.directiveId,
        strategy_id: state.strategyId,
        flow_id: state.flowId,
        error_type: errorType,
        error_code: errorCode,
        error_message: message,
        timestamp: isoTime(services.clock.now()),
        line: state.line,
      },
      state.strategyId === null ? { level: 'platform' } : { level: 'strategy', strategyInstanceId: state.strategyId },
    );
  } catch (error) {
    logger.error({ err: error }, 'an EXECUTION_FAILED subscriber failed');
  }
}
