import type { Logger } from 'pino';
import type { IEventBus } from '../bus/event-bus.js';
import type { PlanexecEvents } from '../bus/events.js';
import type { IAPIConnector, VenueOrder } from '../connectors/connector.js';
import { RecoverySchema, RiskSchema, type IntakeConfig, type PlanExecutionConfig, type RecoveryConfig, type RiskConfig } from '../config/schema.js';
import { isoTime, type Clock } from '../domain/clock.js';
import { directiveToWire, type ExecutionDirective } from '../domain/directive.js';
import type { DirectiveSubmission } from '../domain/dto.js';
import { SCOPE_EVENT_TYPE, type Scope } from '../domain/enums.js';
import { errorMessage, PlanexecError, toPlanexecError } from '../domain/errors.js';
import { sendAlert } from './alerting.js';
import { causalityBody, recordedNotes, successReason, successReasonWith, tradeExecuted } from './causality.js';
import { Deadline } from './deadline.js';
import { ErrorPolicy } from './error-policy.js';
import { ExecutionContext, type ExecutionContextInit } from './execution-context.js';
import { ExecutionError } from './execution-errors.js';
import { FlowRunner } from './flow-runner.js';
import { FlowStopper, type FlowState } from './flow-stopper.js';
import { refuseStale, runIntake, truncateRaw, type Intake } from './intake.js';
import { JournalFallback } from './journal-fallback.js';
import { JournalRecorder } from './journal-recorder.js';
import { LedgerWriter } from './ledger-writer.js';
import { OrderExecutor } from './order-executor.js';
import { PreTradeRisk } from './pre-trade-risk.js';
import type { FlowRecord, IAlertSink, IComponentRegistry, IFlowStore, IJournalWriter, ILedgerProvider, IMetricsCollector, ITradingStateControl, JournalEntryInput } from './ports.js';
import { ProtectiveOrders } from './protective-orders.js';
import { readFlowHistory, type FlowHistory } from './recovery/flow-history.js';
import type { ResendPolicy } from './recovery/resume-legs.js';
import { rebuildTrade } from './recovery/rebuild-trade.js';
import { resumeScope } from './recovery/resume-scope.js';
import { reviveFailure, tradeExecutedFromCausality, type RecordedFailure } from './recovery/revive.js';
import { compileRetryPolicy } from './retry-policy.js';
import { closeTrade } from './scopes/close-trade.js';
import { modifyTrade } from './scopes/modify-trade.js';
import { openTrade } from './scopes/open-trade.js';
import type { ScopeDeps, ScopeHandler, ScopeOutcome } from './scopes/scope-types.js';
import { checkTradingState, denialReason, isTradingStateDenial } from './trading-state-gate.js';
import { VenueEventHandler } from './venue-event-handler.js';

export interface PlanExecutionOrchestratorDeps {
  /** The spec's four interfaces … */
  readonly connector: IAPIConnector;
  readonly ledger: ILedgerProvider;
  readonly journal: IJournalWriter;
  readonly bus: IEventBus<PlanexecEvents>;
  /** … plus the flow store, for idempotent intake (a directive_id is executed once, ever). */
  readonly flows: IFlowStore;
  readonly config: PlanExecutionConfig;
  /** The `intake` section (max_directive_age_seconds). Default: no age limit. */
  readonly intake?: Pick<IntakeConfig, 'max_directive_age_seconds'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerts: IAlertSink;
  readonly metrics: IMetricsCollector;
  /** Where journal entries go while the journal cannot be written (storage.journal_fallback_path). */
  readonly journalFallbackPath: string;
  /** [0, 1) for backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /**
   * Where flow-scoped resources (the flow's deadline timer) register, so the FlowTerminationHandler
   * disposes them at the flow's stop. Without one, the orchestrator disposes them itself.
   */
  readonly registry?: IComponentRegistry;
  /** The top-level `recovery` section (resend_within_seconds); its defaults without one. */
  readonly recovery?: RecoveryConfig;
  /** The top-level `risk` section (pre-trade limits); every limit off without one. */
  readonly risk?: RiskConfig;
  /**
   * The kill switch, read when each directive is accepted (before anything of it is sent): a
   * directive its state does not let through stops DENIED. Without one, always ACTIVE.
   */
  readonly tradingState?: ITradingStateControl;
}

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

interface CapacityWaiter {
  readonly maxQueued: number;
  readonly resolve: (room: boolean) => void;
}

const SCOPES: Readonly<Record<Scope, ScopeHandler>> = {
  NEW_TRADE: openTrade,
  MODIFY_EXISTING: modifyTrade,
  CLOSE_EXISTING: closeTrade,
};

/** Queue key of submissions that name no valid strategy. */
const NO_STRATEGY = '\u0000intake';

const noMetrics: IMetricsCollector = { flowCompleted: () => undefined, executionAttempt: () => undefined, slowExecution: () => undefined, anomaly: () => undefined };

/**
 * The spec's PlanExecutionOrchestrator. Listens to EXECUTION_DIRECTIVE_READY; per directive:
 * intake (decode, validate, idempotent begin) → execute by scope through IAPIConnector (retry,
 * backoff, timeouts, write-ahead intents, in-doubt resolution) → ledger by scope → one causality
 * journal entry → TRADE_EXECUTED → `_flow_stop_success`. On any failure: journal the error →
 * apply the error_handling policy → EXECUTION_FAILED → `_flow_stop_error`. Exactly one stop per
 * flow. One strategy's directives run one at a time in arrival order; strategies run concurrently
 * up to concurrency.max_concurrent_strategies. See docs/orchestration.md.
 */
export class PlanExecutionOrchestrator {
  readonly #deps: PlanExecutionOrchestratorDeps;
  readonly #config: PlanExecutionConfig;
  readonly #logger: Logger;
  readonly #runner: FlowRunner;
  readonly #recorder: JournalRecorder;
  readonly #ledgerWriter: LedgerWriter;
  readonly #scopeDeps: ScopeDeps;
  readonly #resend: ResendPolicy;
  readonly #policy: ErrorPolicy;
  readonly #stopper: FlowStopper;
  readonly #venueEvents: VenueEventHandler;
  readonly #subscriptionId: string;
  readonly #listeners = new Set<(result: FlowResult) => void>();
  readonly #inflight = new Set<Promise<unknown>>();
  #capacityWaiters: CapacityWaiter[] = [];
  #pending = 0;
  /** Submissions pending whose flow has not begun (waiting for their strategy's turn). */
  #queued = 0;
  #disposed = false;

  constructor(deps: PlanExecutionOrchestratorDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#logger = deps.logger;
    this.#resend = { resendWithinMs: (deps.recovery ?? RecoverySchema.parse({})).resend_within_seconds * 1000, inDoubt: deps.config.in_doubt, attemptTimeoutMs: deps.config.attempt_timeout_ms, clock: deps.clock };
    const metrics = deps.config.monitoring.metrics_enabled ? deps.metrics : noMetrics;
    const retry = compileRetryPolicy(deps.config.retry_policy);
    this.#runner = new FlowRunner({ maxConcurrentKeys: deps.config.concurrency.max_concurrent_strategies });
    this.#recorder = new JournalRecorder({
      journal: deps.journal,
      fallback: new JournalFallback(deps.journalFallbackPath),
      policy: deps.config.error_handling.on_journal_failure,
      alerts: deps.alerts,
      metrics,
      clock: deps.clock,
    });
    this.#ledgerWriter = new LedgerWriter({
      ledger: deps.ledger,
      policy: deps.config.error_handling.on_ledger_failure,
      rollsBack: deps.config.error_handling.on_api_failure === 'rollback_ledger',
      alerts: deps.alerts,
      metrics,
      clock: deps.clock,
      logger: deps.logger,
      onOrders: (orders) => {
        for (const order of orders) deps.bus.publish('ORDER_UPDATED', order, { level: 'platform' });
      },
    });
    const executor = new OrderExecutor({
      connector: deps.connector,
      ledger: deps.ledger,
      clock: deps.clock,
      config: deps.config,
      retry,
      metrics,
      random: deps.random ?? Math.random,
      risk: new PreTradeRisk({ limits: deps.risk ?? RiskSchema.parse({}), ledger: deps.ledger, clock: deps.clock }),
    });
    const protective = new ProtectiveOrders({
      executor,
      ledger: deps.ledger,
      alerts: deps.alerts,
      clock: deps.clock,
      onFailure: deps.config.error_handling.on_protection_failure,
      timeoutSeconds: deps.config.timeout_seconds,
    });
    this.#scopeDeps = { connector: deps.connector, ledger: deps.ledger, executor, protective, allowCrossStrategyTargets: deps.config.allow_cross_strategy_targets };
    this.#policy = new ErrorPolicy({
      config: deps.config.error_handling,
      ledger: deps.ledger,
      executor,
      alerts: deps.alerts,
      clock: deps.clock,
      timeoutSeconds: deps.config.timeout_seconds,
    });
    this.#stopper = new FlowStopper({ bus: deps.bus, clock: deps.clock, alerts: deps.alerts, metrics, monitoring: deps.config.monitoring });
    this.#venueEvents = new VenueEventHandler({
      connector: deps.connector,
      ledger: deps.ledger,
      runner: this.#runner,
      protective,
      config: deps.config,
      clock: deps.clock,
      logger: deps.logger.child({ component: 'venue-events' }),
      alerts: deps.alerts,
      metrics,
      makeContext: (init) => this.#context(init),
    });
    this.#subscriptionId = deps.bus.subscribe('EXECUTION_DIRECTIVE_READY', (submission) => this.#onReady(submission));
  }

  /** Submissions accepted and not yet finished (queued or running). */
  get pending(): number {
    return this.#pending;
  }

  /** Submissions received whose flow has not begun yet: no DIRECTIVE_ACCEPTED, waiting for their strategy's turn. */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Resolves true once fewer than concurrency.max_pending_directives submissions are pending and
   * fewer than `maxQueued` of them wait to begin (an intake's read-ahead); false if `signal`
   * aborts first.
   */
  waitForCapacity(options: { readonly maxQueued?: number; readonly signal?: AbortSignal } = {}): Promise<boolean> {
    const maxQueued = options.maxQueued ?? Number.POSITIVE_INFINITY;
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve(false);
    if (this.#hasRoom(maxQueued)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        this.#capacityWaiters = this.#capacityWaiters.filter((w) => w !== waiter);
        resolve(false);
      };
      const waiter: CapacityWaiter = {
        maxQueued,
        resolve: (room) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(room);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#capacityWaiters.push(waiter);
    });
  }

  /**
   * Drop the submissions received from the bus that are still waiting for their strategy's turn
   * (those `which` selects; default all): their flows never begin — no DIRECTIVE_ACCEPTED, no
   * execution, no stop owed (invariant 1 binds accepted directives). Each one is announced as
   * DIRECTIVE_NOT_STARTED on the bus and returned, so its intake can report it and submit it
   * again later (dedupe makes that safe). Flows already begun, recovery and venue reports go on.
   */
  abandonQueued(which: (submission: DirectiveSubmission) => boolean = () => true): NotStarted[] {
    const dropped = this.#runner.abandonQueued((tag) => isNotStarted(tag) && which(tag.submission)) as NotStarted[];
    this.#pending -= dropped.length;
    this.#queued -= dropped.length;
    for (const notStarted of dropped) {
      try {
        this.#deps.bus.publish(
          'DIRECTIVE_NOT_STARTED',
          { directive_id: notStarted.directive_id, strategy_id: notStarted.strategy_id, line: notStarted.line, source: notStarted.submission.source, received_at: notStarted.submission.received_at },
          { level: 'platform' },
        );
      } catch (error) {
        this.#logger.error({ err: error }, 'a DIRECTIVE_NOT_STARTED subscriber failed');
      }
    }
    if (dropped.length > 0) this.#logger.warn({ not_started: dropped.length }, 'submissions abandoned before their flow began');
    this.#wakeCapacity();
    return dropped;
  }

  /** Resolves when every submission and venue report received so far is finished. */
  async drain(): Promise<void> {
    do {
      await Promise.all([...this.#inflight]);
      await this.#venueEvents.drain();
      await this.#runner.drain();
    } while (this.#inflight.size > 0 || this.#runner.pending > 0);
  }

  /** Stop listening (bus and connector). Flows in progress go on; `drain` waits for them. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#deps.bus.unsubscribe(this.#subscriptionId);
    this.#venueEvents.dispose();
  }

  /** Called with every finished submission, duplicates included. Returns an unsubscribe function. */
  onResult(listener: (result: FlowResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Recovery: finish a flow a crash interrupted (RUNNING in the flow store), on its strategy's
   * queue, with exactly one stop. Where its journal shows it got to decides how: a causality entry
   * → it succeeded; an EXECUTION_FAILED entry → it fails with that error (the policy applied if it
   * had not been); otherwise its scope runs again in RESUME mode (legs that may have reached the
   * venue are looked up there, never sent again). Rejects only when the journal cannot be read
   * (the flow stays RUNNING for a later recovery). Not reported to onResult listeners.
   */
  async resume(flow: FlowRecord): Promise<FlowResult> {
    const history = await readFlowHistory(this.#deps.journal, flow, this.#resend);
    this.#pending += 1;
    const state: FlowState = {
      flowId: flow.flow_id,
      directiveId: flow.directive_id ?? history.directive?.directive_id ?? null,
      strategyId: flow.strategy_id,
      line: history.line,
      startedAtMs: timeOf(flow.started_at, this.#deps.clock.now()),
      stopped: null,
    };
    const logger = this.#logger.child({ flow_id: state.flowId, directive_id: state.directiveId, strategy_id: state.strategyId, recovery: true });
    return this.#runner
      .run(state.strategyId ?? NO_STRATEGY, () => this.#resumeFlow(history, state, logger))
      .catch((error: unknown) => this.#lastResort(state, logger, error))
      .finally(() => this.#finished(null));
  }

  /**
   * Recovery of a ledger that failed after the venue acted: rebuild the trade of a finished
   * NEW_TRADE from the venue (its entry looked up by client order id, fills booked once). Sends
   * nothing; no stop (the flow has had it). False when there is nothing to rebuild or it failed (alerted).
   */
  async rebuild(flowId: string): Promise<boolean> {
    const flow = await this.#deps.flows.get(flowId);
    if (!flow || flow.status === 'RUNNING') return false;
    const history = await readFlowHistory(this.#deps.journal, flow);
    const directive = history.directive;
    if (directive?.scope !== 'NEW_TRADE') return false;
    const logger = this.#logger.child({ flow_id: flowId, directive_id: directive.directive_id, strategy_id: directive.strategy_id, recovery: true });
    return this.#runner.run(directive.strategy_id, async () => {
      const deadline = new Deadline(this.#deps.clock, this.#config.timeout_seconds);
      const state: FlowState = { flowId, directiveId: directive.directive_id, strategyId: directive.strategy_id, line: history.line, startedAtMs: 0, stopped: null };
      const ctx = this.#flowContext(state, logger, history.lastEntryId, deadline.signal);
      ctx.resumeFrom(history.legs);
      try {
        const position = await rebuildTrade(ctx, directive, this.#scopeDeps);
        if (!position) return false;
        await ctx.write('POLICY_APPLIED', { policy: 'recovery', value: 'reconcile_ledger', decision: 'ledger_rebuilt_from_venue', trade_id: directive.directive_id, position });
        logger.warn({ trade_id: directive.directive_id }, 'recovery rebuilt a trade the ledger had lost from the venue');
        return true;
      } catch (error) {
        logger.error({ err: error }, 'recovery could not rebuild the trade from the venue');
        await sendAlert(this.#deps.alerts, logger, {
          severity: 'critical',
          code: 'RECOVERY_REBUILD_FAILED',
          message: `could not rebuild trade ${directive.directive_id} from the venue: ${errorMessage(error)}`,
          flow_id: flowId,
          directive_id: directive.directive_id,
          timestamp: isoTime(this.#deps.clock.now()),
        });
        return false;
      } finally {
        await deadline.cancel();
      }
    });
  }

  /** Recovery: apply the venue's current view of an order through the venue-event path (fills booked once). */
  applyVenueOrder(order: VenueOrder): Promise<void> {
    return this.#venueEvents.sync(order);
  }

  /** Run one submission to its end. Never rejects: every failure is a FAILED (or IN_DOUBT) result with its stop. */
  submit(submission: DirectiveSubmission): Promise<FlowResult> {
    return this.#submit(submission, false) as Promise<FlowResult>;
  }

  /** `abandonable`: until its flow begins, `abandonQueued` may drop it (it then settles as NOT_STARTED). */
  #submit(submission: DirectiveSubmission, abandonable: boolean): Promise<FlowResult | NotStarted> {
    this.#pending += 1;
    this.#queued += 1;
    const startedAtMs = this.#deps.clock.now();
    const received = runIntake(submission);
    let state = flowStateOf(received, startedAtMs);
    let logger = this.#logger.child({ flow_id: state.flowId, directive_id: state.directiveId, strategy_id: state.strategyId });
    const notStarted: NotStarted = { outcome: 'NOT_STARTED', directive_id: state.directiveId, strategy_id: state.strategyId, line: state.line, submission };
    const task = (): Promise<FlowResult> => {
      this.#queued -= 1;
      this.#wakeCapacity();
      // the age limit applies at acceptance: time spent waiting for the strategy's turn counts
      const intake = refuseStale(received, submission, this.#deps.clock.now(), this.#intakeConfig.max_directive_age_seconds);
      if (intake !== received) {
        state = flowStateOf(intake, startedAtMs);
        logger = this.#logger.child({ flow_id: state.flowId, directive_id: state.directiveId, strategy_id: state.strategyId });
      }
      return intake.kind === 'valid' ? this.#runDirective(intake.directive, submission, state, logger) : this.#runInvalid(intake, submission, state, logger);
    };
    return this.#runner
      .run<FlowResult | NotStarted>(state.strategyId ?? NO_STRATEGY, task, abandonable ? { abandoned: () => notStarted, tag: notStarted } : {})
      .catch((error: unknown) => this.#lastResort(state, logger, error))
      .then((result) => {
        // an abandoned submission was counted off by abandonQueued
        if (result.outcome !== 'NOT_STARTED') this.#finished(result);
        return result;
      });
  }

  get #intakeConfig(): Pick<IntakeConfig, 'max_directive_age_seconds'> {
    return this.#deps.intake ?? NO_INTAKE_LIMITS;
  }

  #onReady(submission: DirectiveSubmission): void {
    const flow = this.#submit(submission, true).catch((error: unknown) => this.#logger.fatal({ err: error }, 'submission lost'));
    this.#inflight.add(flow);
    void flow.finally(() => this.#inflight.delete(flow));
  }

  /** `result` null: a resumed flow, not a submission of this run (listeners are not told). */
  #finished(result: FlowResult | null): void {
    this.#pending -= 1;
    if (result !== null) this.#notify(result);
    this.#wakeCapacity();
  }

  #hasRoom(maxQueued: number): boolean {
    return this.#pending < this.#config.concurrency.max_pending_directives && this.#queued < maxQueued;
  }

  #wakeCapacity(): void {
    if (this.#capacityWaiters.length === 0) return;
    const waiting: CapacityWaiter[] = [];
    for (const waiter of this.#capacityWaiters) {
      if (this.#hasRoom(waiter.maxQueued)) waiter.resolve(true);
      else waiting.push(waiter);
    }
    this.#capacityWaiters = waiting;
  }

  #notify(result: FlowResult): void {
    for (const listener of this.#listeners) {
      try {
        listener(result);
      } catch (error) {
        this.#logger.error({ err: error }, 'result listener failed');
      }
    }
  }

  #context(init: ExecutionContextInit): ExecutionContext {
    return new ExecutionContext(init, { recorder: this.#recorder, ledger: this.#ledgerWriter, clock: this.#deps.clock });
  }

  async #runDirective(directive: ExecutionDirective, submission: DirectiveSubmission, state: FlowState, logger: Logger): Promise<FlowResult> {
    const { flows, clock } = this.#deps;
    const accepted: JournalEntryInput = {
      event_type: 'DIRECTIVE_ACCEPTED',
      flow_id: state.flowId,
      directive_id: directive.directive_id,
      strategy_id: directive.strategy_id,
      timestamp: isoTime(clock.now()),
      correlation_id: state.flowId,
      causation_id: null,
      body: { directive: directiveToWire(directive), source: submission.source, line: state.line },
    };
    let causationId: string | null = null;
    let deadline: Deadline | null = null;
    let ctx = this.#flowContext(state, logger, null, new AbortController().signal);
    try {
      let begin;
      try {
        begin = await flows.begin({ flow_id: state.flowId, directive_id: directive.directive_id, strategy_id: directive.strategy_id, started_at: isoTime(state.startedAtMs) }, accepted);
      } catch (error) {
        // without the flow row there is no at-most-once guarantee: do not execute, whatever the policy
        throw new ExecutionError(`flow store unavailable, directive not executed: ${errorMessage(error)}`, 'JOURNAL_UNAVAILABLE', {}, error);
      }
      if (begin.status === 'duplicate') return this.#duplicate(state, begin.flow, logger);
      causationId = begin.accepted.entry_id;
      this.#publishAccepted(directive, submission, begin.accepted.timestamp, logger);
      deadline = new Deadline(clock, this.#config.timeout_seconds);
      const flowDeadline = deadline;
      this.#deps.registry?.register(state.flowId, { dispose: () => flowDeadline.cancel() });
      ctx = this.#flowContext(state, logger, causationId, deadline.signal);
      if (!this.#config.enabled) {
        throw new ExecutionError('plan execution is disabled (orchestration.plan_execution.enabled = false)', 'ORCHESTRATION_DISABLED');
      }
      // a flow past this point finishes even if the switch moves while it runs
      if (this.#deps.tradingState) await checkTradingState(ctx, this.#deps.tradingState.current(), directive, this.#deps.ledger);

      const outcome = await SCOPES[directive.scope](ctx, directive, this.#scopeDeps);
      const executedAt = ctx.now();
      await ctx.write(SCOPE_EVENT_TYPE[directive.scope], causalityBody(directive, outcome, executedAt));
      // a failing critical subscriber throws here and sends the flow down the error path
      this.#deps.bus.publish('TRADE_EXECUTED', tradeExecuted(directive, outcome, executedAt), { level: 'strategy', strategyInstanceId: directive.strategy_id });
      return await this.#stopSucceeded(state, logger, outcome);
    } catch (error) {
      return await this.#stopFailed(ctx, state, logger, error);
    } finally {
      // the stop normally disposed it through the registry; cancelling again is harmless
      await deadline?.cancel();
    }
  }

  /** `recorded`: the causality entry journaled before a crash, whose notes the reason keeps. */
  async #stopSucceeded(state: FlowState, logger: Logger, outcome?: ScopeOutcome, recorded?: Readonly<Record<string, unknown>>): Promise<FlowResult> {
    const completion = await this.#stopper.stop(state, logger, {
      final_state: 'SUCCESS',
      outcome: 'SUCCEEDED',
      reason: outcome ? successReason(outcome) : successReasonWith(recordedNotes(recorded)),
      error_details: null,
    });
    return { ...resultOf(state, completion.outcome, completion.reason, null), adjustments: outcome?.adjustments?.length ?? 0 };
  }

  /** The error path, unless the flow already stopped (then the failure came after its one stop). */
  async #stopFailed(ctx: ExecutionContext, state: FlowState, logger: Logger, error: unknown): Promise<FlowResult> {
    if (state.stopped) {
      logger.error({ err: error }, 'failure after the flow stopped');
      return resultOf(state, state.stopped.outcome, state.stopped.reason, state.stopped.error_details?.error_code ?? null);
    }
    return this.#fail(ctx, state, logger, error);
  }

  async #resumeFlow(history: FlowHistory, state: FlowState, logger: Logger): Promise<FlowResult> {
    const directive = history.directive;
    if (directive === null) return this.#stopInvalidResumed(history, state, logger);
    const deadline = new Deadline(this.#deps.clock, this.#config.timeout_seconds);
    this.#deps.registry?.register(state.flowId, { dispose: () => deadline.cancel() });
    const ctx = this.#flowContext(state, logger, history.lastEntryId, deadline.signal);
    ctx.resumeFrom(history.legs);
    logger.warn({ legs: history.legs.size, failed: history.failure !== null, executed: history.causality !== null }, 'recovery: finishing an interrupted flow');
    try {
      if (history.failure) {
        const recorded = reviveFailure(history.failure.body);
        return await this.#fail(ctx, state, logger, recorded.error, { ...recorded, applyPolicy: !history.policyApplied });
      }
      let outcome: ScopeOutcome | undefined;
      if (history.causality) {
        this.#deps.bus.publish('TRADE_EXECUTED', tradeExecutedFromCausality(directive, history.causality.body), { level: 'strategy', strategyInstanceId: directive.strategy_id });
      } else {
        if (!this.#config.enabled && history.legs.size === 0) {
          throw new ExecutionError('plan execution is disabled (orchestration.plan_execution.enabled = false)', 'ORCHESTRATION_DISABLED');
        }
        outcome = await resumeScope(ctx, directive, this.#scopeDeps);
        const executedAt = ctx.now();
        await ctx.write(SCOPE_EVENT_TYPE[directive.scope], { ...causalityBody(directive, outcome, executedAt), recovered: true });
        this.#deps.bus.publish('TRADE_EXECUTED', tradeExecuted(directive, outcome, executedAt), { level: 'strategy', strategyInstanceId: directive.strategy_id });
      }
      return await this.#stopSucceeded(state, logger, outcome, history.causality?.body);
    } catch (error) {
      return await this.#stopFailed(ctx, state, logger, error);
    } finally {
      await deadline.cancel();
    }
  }

  /** An interrupted flow of input that was never a valid directive: its EXECUTION_FAILED is journaled; publish and stop. */
  async #stopInvalidResumed(history: FlowHistory, state: FlowState, logger: Logger): Promise<FlowResult> {
    const recorded: RecordedFailure = history.failure
      ? reviveFailure(history.failure.body)
      : reviveFailure({ error_type: 'InternalError', error_code: 'INTERNAL', error_message: `accepted directive cannot be read back: ${history.unreadable ?? 'no DIRECTIVE_ACCEPTED entry'}` });
    this.#publishFailed(state, recorded.errorType, recorded.error.code, recorded.message, logger);
    const completion = await this.#stopper.stop(state, logger, {
      final_state: 'ERROR',
      outcome: 'FAILED',
      reason: `Execution failed: ${recorded.message}`,
      error_details: { error_type: recorded.errorType, error_code: recorded.error.code, error_message: recorded.message },
    });
    return resultOf(state, completion.outcome, completion.reason, recorded.error.code);
  }

  #flowContext(state: FlowState, logger: Logger, causationId: string | null, signal: AbortSignal): ExecutionContext {
    return this.#context({
      flowId: state.flowId,
      directiveId: state.directiveId,
      strategyId: state.strategyId,
      correlationId: state.flowId,
      causationId,
      logger,
      signal,
    });
  }

  async #runInvalid(intake: Extract<Intake, { kind: 'invalid' }>, submission: DirectiveSubmission, state: FlowState, logger: Logger): Promise<FlowResult> {
    const { flows, clock } = this.#deps;
    const error = intake.error;
    const entry: JournalEntryInput = {
      event_type: 'EXECUTION_FAILED',
      flow_id: state.flowId,
      directive_id: state.directiveId,
      strategy_id: state.strategyId,
      timestamp: isoTime(clock.now()),
      correlation_id: state.flowId,
      causation_id: null,
      body: {
        ...truncateRaw(intake.raw),
        source: submission?.source ?? null,
        line: state.line,
        error_type: error.name,
        error_code: error.code,
        error_message: error.message,
        issues: error.issues,
      },
    };
    try {
      // the id of an invalid directive is not reserved: the flow row carries no directive_id
      const begin = await flows.begin({ flow_id: state.flowId, directive_id: null, strategy_id: state.strategyId, started_at: isoTime(state.startedAtMs) }, entry);
      if (begin.status === 'duplicate') return this.#duplicate(state, begin.flow, logger);
    } catch (beginError) {
      logger.error({ err: beginError }, 'could not record the rejected input in the flow store');
      await this.#recorder.record(entry, { writeAhead: false, asError: true, sent: false }, logger);
    }
    logger.warn({ issues: error.issues }, 'directive rejected');
    this.#publishFailed(state, error.name, error.code, error.message, logger);
    const completion = await this.#stopper.stop(state, logger, {
      final_state: 'ERROR',
      outcome: 'FAILED',
      reason: `Execution failed: ${error.message}`,
      error_details: { error_type: error.name, error_code: error.code, error_message: error.message },
    });
    return resultOf(state, completion.outcome, completion.reason, error.code);
  }

  /** The error path: journal the error → apply the policy → EXECUTION_FAILED → `_flow_stop_error`. */
  async #fail(
    ctx: ExecutionContext,
    state: FlowState,
    logger: Logger,
    error: unknown,
    /** A resumed flow whose error was journaled before the crash: not journaled again; the policy only if it had not run. */
    resumed?: RecordedFailure & { readonly applyPolicy: boolean },
  ): Promise<FlowResult> {
    const failure = toPlanexecError(error);
    const errorType = resumed?.errorType ?? (error instanceof PlanexecError ? error.name : error instanceof Error ? error.name : 'Error');
    const message = resumed?.message ?? (state.line === null ? failure.message : `line ${state.line}: ${failure.message}`);
    const outcome = failure.code === 'IN_DOUBT_UNRESOLVED' ? 'IN_DOUBT' : 'FAILED';
    logger.warn({ err: error, error_code: failure.code }, 'execution failed');
    if (!resumed) await this.#journalFailure(ctx, state, logger, { errorType, code: failure.code, message, details: failure.details });
    if (!resumed || resumed.applyPolicy) {
      try {
        await this.#policy.apply(ctx, failure);
      } catch (policyError) {
        logger.error({ err: policyError }, 'error policy failed');
        await sendAlert(this.#deps.alerts, logger, {
          severity: 'critical',
          code: 'POLICY_FAILED',
          message: `applying the error policy failed for ${state.flowId}: ${errorMessage(policyError)}`,
          flow_id: state.flowId,
          directive_id: state.directiveId,
          timestamp: isoTime(this.#deps.clock.now()),
        });
      }
    }
    this.#publishFailed(state, errorType, failure.code, message, logger);
    const completion = await this.#stopper.stop(state, logger, {
      final_state: 'ERROR',
      outcome,
      // the kill switch denied it: said first, so the flow list reads "DENIED: trading state HALTED (…)"
      reason: isTradingStateDenial(failure.code) ? denialReason(failure.message, state.line) : `Execution failed: ${message}`,
      error_details: { error_type: errorType, error_code: failure.code, error_message: message },
    });
    return resultOf(state, completion.outcome, completion.reason, failure.code);
  }

  async #journalFailure(
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

  #publishFailed(state: FlowState, errorType: string, errorCode: string, message: string, logger: Logger): void {
    try {
      this.#deps.bus.publish(
        'EXECUTION_FAILED',
        {
          directive_id: state.directiveId,
          strategy_id: state.strategyId,
          flow_id: state.flowId,
          error_type: errorType,
          error_code: errorCode,
          error_message: message,
          timestamp: isoTime(this.#deps.clock.now()),
          line: state.line,
        },
        state.strategyId === null ? { level: 'platform' } : { level: 'strategy', strategyInstanceId: state.strategyId },
      );
    } catch (error) {
      logger.error({ err: error }, 'an EXECUTION_FAILED subscriber failed');
    }
  }

  #publishAccepted(directive: ExecutionDirective, submission: DirectiveSubmission, acceptedAt: string, logger: Logger): void {
    try {
      this.#deps.bus.publish(
        'DIRECTIVE_ACCEPTED',
        { flow_id: directive.directive_id, directive_id: directive.directive_id, strategy_id: directive.strategy_id, source: submission.source, accepted_at: acceptedAt },
        { level: 'platform' },
      );
    } catch (error) {
      logger.error({ err: error }, 'a DIRECTIVE_ACCEPTED subscriber failed');
    }
  }

  #duplicate(state: FlowState, original: FlowRecord, logger: Logger): FlowResult {
    const reason = `duplicate of flow ${original.flow_id} (${original.status}${original.reason ? `: ${original.reason}` : ''})`;
    logger.info({ original_status: original.status }, 'duplicate submission: not executed again');
    try {
      this.#deps.bus.publish('DIRECTIVE_DUPLICATE', { flow_id: state.flowId, directive_id: state.directiveId ?? state.flowId, original, line: state.line }, { level: 'platform' });
    } catch (error) {
      logger.error({ err: error }, 'a DIRECTIVE_DUPLICATE subscriber failed');
    }
    return { flow_id: state.flowId, directive_id: state.directiveId, outcome: 'DUPLICATE', reason, error_code: null, line: state.line };
  }

  /** A bug escaped the flow: make sure it still ends with its one stop. */
  async #lastResort(state: FlowState, logger: Logger, error: unknown): Promise<FlowResult> {
    logger.fatal({ err: error }, 'internal error escaped a flow');
    if (state.stopped) return resultOf(state, state.stopped.outcome, state.stopped.reason, state.stopped.error_details?.error_code ?? null);
    const message = `internal error: ${errorMessage(error)}`;
    try {
      await this.#stopper.stop(state, logger, {
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
}

const NO_INTAKE_LIMITS = { max_directive_age_seconds: 0 } as const;

function isNotStarted(tag: unknown): tag is NotStarted {
  return typeof tag === 'object' && tag !== null && (tag as NotStarted).outcome === 'NOT_STARTED';
}

function flowStateOf(intake: Intake, startedAtMs: number): FlowState {
  return intake.kind === 'valid'
    ? { flowId: intake.directive.directive_id, directiveId: intake.directive.directive_id, strategyId: intake.directive.strategy_id, line: intake.line, startedAtMs, stopped: null }
    : { flowId: intake.flowId, directiveId: intake.directiveId, strategyId: intake.strategyId, line: intake.line, startedAtMs, stopped: null };
}

function timeOf(iso: string, fallback: number): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : fallback;
}

function resultOf(state: FlowState, outcome: FlowResult['outcome'], reason: string, errorCode: string | null): FlowResult {
  return { flow_id: state.flowId, directive_id: state.directiveId, outcome, reason, error_code: errorCode, line: state.line };
}
