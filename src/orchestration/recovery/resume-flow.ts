import type { Logger } from 'pino';
import { SCOPE_EVENT_TYPE } from '../../domain/enums.js';
import { causalityBody, tradeExecuted } from '../causality.js';
import { ExecutionError } from '../execution-errors.js';
import type { FlowResult } from '../flow-result.js';
import { flowContext, flowDeadline, type FlowServices } from '../flow-services.js';
import type { FlowState } from '../flow-stopper.js';
import { fail, lastResort, stopFailed, stopInvalid, stopSucceeded } from '../flow-stops.js';
import type { FlowRecord } from '../../ports/flow-store.js';
import type { ScopeOutcome } from '../scopes/scope-types.js';
import type { FlowHistory } from './flow-history.js';
import { resumeScope } from './resume-scope.js';
import { reviveFailure, tradeExecutedFromCausality } from './revive.js';

/**
 * A flow a crash interrupted (RUNNING in the flow store), finished with exactly one stop. Where its
 * journal shows it got to decides how: a causality entry → it succeeded; an EXECUTION_FAILED entry
 * → it fails with that error (the policy applied if it had not been); otherwise its scope runs
 * again in RESUME mode (legs that may have reached the venue are looked up there, never sent again).
 */
export class ResumedFlow {
  readonly #services: FlowServices;
  readonly #history: FlowHistory;
  readonly #state: FlowState;
  readonly #logger: Logger;

  constructor(services: FlowServices, flow: FlowRecord, history: FlowHistory) {
    this.#services = services;
    this.#history = history;
    this.#state = {
      flowId: flow.flow_id,
      directiveId: flow.directive_id ?? history.directive?.directive_id ?? null,
      strategyId: flow.strategy_id,
      line: history.line,
      startedAtMs: timeOf(flow.started_at, services.clock.now()),
      stopped: null,
    };
    const state = this.#state;
    this.#logger = services.logger.child({ flow_id: state.flowId, directive_id: state.directiveId, strategy_id: state.strategyId, recovery: true });
  }

  get strategyId(): string | null {
    return this.#state.strategyId;
  }

  async run(): Promise<FlowResult> {
    const services = this.#services;
    const history = this.#history;
    const state = this.#state;
    const logger = this.#logger;
    const directive = history.directive;
    if (directive === null) return this.#stopInvalid();
    const deadline = flowDeadline(services, state.flowId);
    const ctx = flowContext(services, state, logger, history.lastEntryId, deadline.signal);
    ctx.resumeFrom(history.legs);
    logger.warn({ legs: history.legs.size, failed: history.failure !== null, executed: history.causality !== null }, 'recovery: finishing an interrupted flow');
    try {
      if (history.failure) {
        const recorded = reviveFailure(history.failure.body);
        return await fail(services, ctx, state, logger, recorded.error, { ...recorded, applyPolicy: !history.policyApplied });
      }
      let outcome: ScopeOutcome | undefined;
      if (history.causality) {
        services.bus.publish('TRADE_EXECUTED', tradeExecutedFromCausality(directive, history.causality.body), { level: 'strategy', strategyInstanceId: directive.strategy_id });
      } else {
        if (!services.config.enabled && history.legs.size === 0) {
          throw new ExecutionError('plan execution is disabled (orchestration.plan_execution.enabled = false)', 'ORCHESTRATION_DISABLED');
        }
        outcome = await resumeScope(ctx, directive, services.scopeDeps);
        const executedAt = ctx.now();
        await ctx.write(SCOPE_EVENT_TYPE[directive.scope], { ...causalityBody(directive, outcome, executedAt), recovered: true });
        await ctx.settle();
        services.bus.publish('TRADE_EXECUTED', tradeExecuted(directive, outcome, executedAt), { level: 'strategy', strategyInstanceId: directive.strategy_id });
      }
      return await stopSucceeded(services, state, logger, outcome, history.causality?.body);
    } catch (error) {
      return await stopFailed(services, ctx, state, logger, error);
    } finally {
      await deadline.cancel();
    }
  }

  /** A bug escaped the flow: it still ends with its one stop. */
  lastResort(error: unknown): Promise<FlowResult> {
    return lastResort(this.#services, this.#state, this.#logger, error);
  }

  /** Input that was never a valid directive: its EXECUTION_FAILED is journaled; publish and stop. */
  #stopInvalid(): Promise<FlowResult> {
    const history = this.#history;
    const recorded = history.failure
      ? reviveFailure(history.failure.body)
      : reviveFailure({ error_type: 'InternalError', error_code: 'INTERNAL', error_message: `accepted directive cannot be read back: ${history.unreadable ?? 'no DIRECTIVE_ACCEPTED entry'}` });
    return stopInvalid(this.#services, this.#state, this.#logger, { errorType: recorded.errorType, code: recorded.error.code, message: recorded.message });
  }
}

function timeOf(iso: string, fallback: number): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : fallback;
}
