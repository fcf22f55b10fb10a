import type { Logger } from 'pino';
import { isoTime, NEVER_ABORTED } from '../domain/clock.js';
import type { ExecutionDirective } from '../domain/directive.js';
import type { DirectiveSubmission } from '../domain/dto.js';
import { SCOPE_EVENT_TYPE, type Scope } from '../domain/enums.js';
import { errorMessage } from '../domain/errors.js';
import { causalityBody, tradeExecuted } from './causality.js';
import type { Deadline } from './deadline.js';
import { ExecutionError } from './execution-errors.js';
import type { FlowResult, NotStarted } from './flow-result.js';
import { flowContext, flowDeadline, type FlowServices } from './flow-services.js';
import type { FlowState } from './flow-stopper.js';
import { lastResort, stopFailed, stopInvalid, stopSucceeded } from './flow-stops.js';
import { refuseStale, runIntake, truncateRaw, type Intake } from './intake.js';
import type { BeginFlowResult, FlowRecord } from '../ports/flow-store.js';
import type { JournalEntryInput } from '../ports/journal.js';
import { closeTrade } from './scopes/close-trade.js';
import { modifyTrade } from './scopes/modify-trade.js';
import { openTrade } from './scopes/open-trade.js';
import type { ScopeHandler } from './scopes/scope-types.js';
import { checkTradingState } from './trading-state-gate.js';
import { styleWindowMs } from './styles/style-choice.js';

const SCOPES: Readonly<Record<Scope, ScopeHandler>> = {
  NEW_TRADE: openTrade,
  MODIFY_EXISTING: modifyTrade,
  CLOSE_EXISTING: closeTrade,
};

/**
 * One submission from intake to its one stop. Decoded and validated when received; accepted (or
 * refused as too old) when its strategy's turn comes, then executed — or, if it was never a valid
 * directive, journaled as such and stopped.
 */
export class FreshFlow {
  readonly #services: FlowServices;
  readonly #submission: DirectiveSubmission;
  readonly #received: Intake;
  readonly #startedAtMs: number;
  /** What it settles as if dropped before its turn (`abandonQueued`). */
  readonly notStarted: NotStarted;
  #state: FlowState;
  #logger: Logger;

  constructor(services: FlowServices, submission: DirectiveSubmission) {
    this.#services = services;
    this.#submission = submission;
    this.#startedAtMs = services.clock.now();
    this.#received = runIntake(submission);
    this.#state = flowStateOf(this.#received, this.#startedAtMs);
    this.#logger = this.#childLogger();
    const state = this.#state;
    this.notStarted = { outcome: 'NOT_STARTED', directive_id: state.directiveId, strategy_id: state.strategyId, line: state.line, submission };
  }

  /** The queue it waits in: its strategy's, or null when it names no valid strategy. */
  get strategyId(): string | null {
    return this.#state.strategyId;
  }

  /** Its strategy's turn: accept and execute it. Never rejects unless a bug escapes (then `lastResort`). */
  run(): Promise<FlowResult> {
    // the age limit applies at acceptance: time spent waiting for the strategy's turn counts
    const intake = refuseStale(this.#received, this.#submission, this.#services.clock.now(), this.#services.maxDirectiveAgeSeconds);
    if (intake !== this.#received) {
      this.#state = flowStateOf(intake, this.#startedAtMs);
      this.#logger = this.#childLogger();
    }
    return intake.kind === 'valid'
      ? runDirective(this.#services, intake.directive, this.#submission, this.#state, this.#logger)
      : runInvalid(this.#services, intake, this.#submission, this.#state, this.#logger);
  }

  /** A bug escaped the flow: it still ends with its one stop. */
  lastResort(error: unknown): Promise<FlowResult> {
    return lastResort(this.#services, this.#state, this.#logger, error);
  }

  #childLogger(): Logger {
    const state = this.#state;
    return this.#services.logger.child({ flow_id: state.flowId, directive_id: state.directiveId, strategy_id: state.strategyId });
  }
}

/**
 * Accepted (begun, durable with its first intent) → execute by scope → ledger → one causality entry →
 * TRADE_EXECUTED → `_flow_stop_success`; any failure takes the error path (flow-stops.ts).
 */
async function runDirective(services: FlowServices, directive: ExecutionDirective, submission: DirectiveSubmission, state: FlowState, logger: Logger): Promise<FlowResult> {
  const acceptedAt = isoTime(services.clock.now());
  let deadline: Deadline | null = null;
  let ctx = flowContext(services, state, logger, null, NEVER_ABORTED);
  try {
    const begin = await beginFlow(services, directive, submission, state, acceptedAt);
    if (begin.status === 'duplicate') return duplicate(services, state, begin.flow, logger);
    // accepted = durable; the flow goes on meanwhile and its first intent shares that commit
    void begin.durable.then(() => publishAccepted(services, directive, submission, acceptedAt, logger), () => undefined);
    deadline = flowDeadline(services, state.flowId);
    ctx = flowContext(services, state, logger, begin.entry_id, deadline.signal);
    // without the flow row there is no at-most-once guarantee: nothing is sent unless it is durable (settled before every intent)
    ctx.deferWrite(
      begin.durable.catch((error: unknown) => {
        throw flowStoreUnavailable(error);
      }),
    );
    if (!services.config.enabled) {
      throw new ExecutionError('plan execution is disabled (orchestration.plan_execution.enabled = false)', 'ORCHESTRATION_DISABLED');
    }
    // a flow past this point finishes even if the switch moves while it runs
    if (services.tradingState) await checkTradingState(ctx, services.tradingState.current(), directive, services.ledger);

    state.windowMs = styleWindowMs(directive, services.config.execution_styles);
    const outcome = await SCOPES[directive.scope](ctx, directive, services.scopeDeps);
    const executedAt = ctx.now();
    await ctx.write(SCOPE_EVENT_TYPE[directive.scope], causalityBody(directive, outcome, executedAt));
    await ctx.settle();
    // a failing critical subscriber throws here and sends the flow down the error path
    services.bus.publish('TRADE_EXECUTED', tradeExecuted(directive, outcome, executedAt), { level: 'strategy', strategyInstanceId: directive.strategy_id });
    return await stopSucceeded(services, state, logger, outcome);
  } catch (error) {
    return await stopFailed(services, ctx, state, logger, error);
  } finally {
    // the stop normally disposed it through the registry; cancelling again is harmless
    await deadline?.cancel();
  }
}

/** The flow row and DIRECTIVE_ACCEPTED: the directive_id is reserved here, once, ever. Not awaited for durability. */
async function beginFlow(services: FlowServices, directive: ExecutionDirective, submission: DirectiveSubmission, state: FlowState, acceptedAt: string): Promise<BeginFlowResult> {
  const accepted: JournalEntryInput = {
    event_type: 'DIRECTIVE_ACCEPTED',
    flow_id: state.flowId,
    directive_id: directive.directive_id,
    strategy_id: directive.strategy_id,
    timestamp: acceptedAt,
    correlation_id: state.flowId,
    causation_id: null,
    // the directive as it is: bodyJson writes its Decimals as the wire text (no deep copy first)
    body: { directive, source: submission.source, line: state.line },
  };
  try {
    return await services.flows.begin({ flow_id: state.flowId, directive_id: directive.directive_id, strategy_id: directive.strategy_id, started_at: isoTime(state.startedAtMs) }, accepted);
  } catch (error) {
    // without the flow row there is no at-most-once guarantee: do not execute, whatever the policy
    throw flowStoreUnavailable(error);
  }
}

function flowStoreUnavailable(error: unknown): ExecutionError {
  return new ExecutionError(`flow store unavailable, directive not executed: ${errorMessage(error)}`, 'JOURNAL_UNAVAILABLE', {}, error);
}

/** Input that is not a valid directive: its EXECUTION_FAILED entry (raw input included) begins and ends the flow. */
async function runInvalid(services: FlowServices, intake: Extract<Intake, { kind: 'invalid' }>, submission: DirectiveSubmission, state: FlowState, logger: Logger): Promise<FlowResult> {
  const error = intake.error;
  const entry: JournalEntryInput = {
    event_type: 'EXECUTION_FAILED',
    flow_id: state.flowId,
    directive_id: state.directiveId,
    strategy_id: state.strategyId,
    timestamp: isoTime(services.clock.now()),
    correlation_id: state.flowId,
    causation_id: null,
    // what went wrong first: a narrow `journal` column shows the body's first fields
    body: {
      error_code: error.code,
      error_message: error.message,
      error_type: error.name,
      line: state.line,
      source: submission?.source ?? null,
      issues: error.issues,
      ...truncateRaw(intake.raw),
    },
  };
  try {
    // the id of an invalid directive is not reserved: the flow row carries no directive_id
    const begin = await services.flows.begin({ flow_id: state.flowId, directive_id: null, strategy_id: state.strategyId, started_at: isoTime(state.startedAtMs) }, entry);
    if (begin.status === 'duplicate') return duplicate(services, state, begin.flow, logger);
    await begin.durable;
  } catch (beginError) {
    logger.error({ err: beginError }, 'could not record the rejected input in the flow store');
    await services.recorder.record(entry, { writeAhead: false, asError: true, sent: false }, logger);
  }
  logger.warn({ issues: error.issues }, 'directive rejected');
  return stopInvalid(services, state, logger, { errorType: error.name, code: error.code, message: error.message });
}

function publishAccepted(services: FlowServices, directive: ExecutionDirective, submission: DirectiveSubmission, acceptedAt: string, logger: Logger): void {
  try {
    services.bus.publish(
      'DIRECTIVE_ACCEPTED',
      { flow_id: directive.directive_id, directive_id: directive.directive_id, strategy_id: directive.strategy_id, source: submission.source, accepted_at: acceptedAt },
      { level: 'platform' },
    );
  } catch (error) {
    logger.error({ err: error }, 'a DIRECTIVE_ACCEPTED subscriber failed');
  }
}

function duplicate(services: FlowServices, state: FlowState, original: FlowRecord, logger: Logger): FlowResult {
  const reason = `duplicate of flow ${original.flow_id} (${original.status}${original.reason ? `: ${original.reason}` : ''})`;
  logger.info({ original_status: original.status }, 'duplicate submission: not executed again');
  try {
    services.bus.publish('DIRECTIVE_DUPLICATE', { flow_id: state.flowId, directive_id: state.directiveId ?? state.flowId, original, line: state.line }, { level: 'platform' });
  } catch (error) {
    logger.error({ err: error }, 'a DIRECTIVE_DUPLICATE subscriber failed');
  }
  return { flow_id: state.flowId, directive_id: state.directiveId, outcome: 'DUPLICATE', reason, error_code: null, line: state.line };
}

function flowStateOf(intake: Intake, startedAtMs: number): FlowState {
  return intake.kind === 'valid'
    ? { flowId: intake.directive.directive_id, directiveId: intake.directive.directive_id, strategyId: intake.directive.strategy_id, line: intake.line, startedAtMs, stopped: null }
    : { flowId: intake.flowId, directiveId: intake.directiveId, strategyId: intake.strategyId, line: intake.line, startedAtMs, stopped: null };
}
