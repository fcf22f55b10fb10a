import type { VenueOrder } from '../ports/connector.js';
import type { FlowRecord } from '../ports/flow-store.js';
import type { IMetricsCollector } from '../ports/metrics.js';
import { RecoverySchema, RiskSchema } from '../config/schema.js';
import type { DirectiveSubmission } from '../domain/dto.js';
import { Admission } from './admission.js';
import { ErrorPolicy } from './error-policy.js';
import { ExecutionContext, type ExecutionContextInit } from './execution-context.js';
import type { FlowResult, NotStarted } from './flow-result.js';
import { FlowRunner } from './flow-runner.js';
import type { FlowServices } from './flow-services.js';
import { FlowStopper } from './flow-stopper.js';
import { FreshFlow } from './fresh-flow.js';
import { JournalFallback } from './journal-fallback.js';
import { JournalRecorder } from './journal-recorder.js';
import { LedgerWriter } from './ledger-writer.js';
import type { PlanExecutionOrchestratorDeps } from './orchestrator-deps.js';
import { OrderExecutor } from './order-executor.js';
import { PreTradeRisk } from './pre-trade-risk.js';
import { ProtectiveOrders } from './protective-orders.js';
import { readFlowHistory } from './recovery/flow-history.js';
import { LegRecovery } from './recovery/leg-recovery.js';
import { findRebuildable, rebuildFlow } from './recovery/rebuild-flow.js';
import { ResumedFlow } from './recovery/resume-flow.js';
import { compileRetryPolicy } from './retry-policy.js';
import { VenueEventHandler } from './venue-event-handler.js';

export type { FlowResult, NotStarted } from './flow-result.js';
export type { PlanExecutionOrchestratorDeps } from './orchestrator-deps.js';

/** Queue key of submissions that name no valid strategy. */
const NO_STRATEGY = '\u0000intake';

const noMetrics: IMetricsCollector = { flowCompleted: () => undefined, executionAttempt: () => undefined, slowExecution: () => undefined, anomaly: () => undefined };

/**
 * The spec's PlanExecutionOrchestrator. Listens to EXECUTION_DIRECTIVE_READY; per directive:
 * intake (decode, validate, idempotent begin) → execute by scope through IAPIConnector (retry,
 * backoff, timeouts, write-ahead intents, in-doubt resolution) → ledger by scope → one causality
 * journal entry → TRADE_EXECUTED → `_flow_stop_success` (fresh-flow.ts). On any failure: journal
 * the error → apply the error_handling policy → EXECUTION_FAILED → `_flow_stop_error`
 * (flow-stops.ts). Exactly one stop per flow. One strategy's directives run one at a time in
 * arrival order; strategies run concurrently up to concurrency.max_concurrent_strategies, and
 * intake waits for room (admission.ts). Recovery finishes interrupted flows (recovery/). See
 * docs/orchestration.md.
 */
export class PlanExecutionOrchestrator {
  readonly #services: FlowServices;
  readonly #runner: FlowRunner;
  readonly #admission: Admission;
  readonly #venueEvents: VenueEventHandler;
  readonly #subscriptionId: string;
  readonly #listeners = new Set<(result: FlowResult) => void>();
  readonly #inflight = new Set<Promise<unknown>>();
  #disposed = false;

  constructor(deps: PlanExecutionOrchestratorDeps) {
    const { bus, config, clock, alerts, ledger, logger } = deps;
    const metrics = config.monitoring.metrics_enabled ? deps.metrics : noMetrics;
    this.#runner = new FlowRunner({ maxConcurrentKeys: config.concurrency.max_concurrent_strategies });
    this.#admission = new Admission({ runner: this.#runner, maxPending: config.concurrency.max_pending_directives, bus, logger });
    const journalPolicy = config.error_handling.on_journal_failure;
    const recorder = new JournalRecorder({ journal: deps.journal, fallback: new JournalFallback(deps.journalFallbackPath), policy: journalPolicy, alerts, metrics, clock });
    const ledgerWriter = new LedgerWriter({
      ledger,
      policy: config.error_handling.on_ledger_failure,
      rollsBack: config.error_handling.on_api_failure === 'rollback_ledger',
      alerts,
      metrics,
      clock,
      logger,
      onOrders: (orders) => {
        for (const order of orders) bus.publish('ORDER_UPDATED', order, { level: 'platform' });
      },
    });
    const risk = new PreTradeRisk({ limits: deps.risk ?? RiskSchema.parse({}), ledger, clock });
    const legs = new LegRecovery({ connector: deps.connector, ledger, clock, config, metrics });
    const executor = new OrderExecutor({ connector: deps.connector, ledger, clock, config, retry: compileRetryPolicy(config.retry_policy), metrics, random: deps.random ?? Math.random, risk, resume: legs });
    const protective = new ProtectiveOrders({ executor, ledger, alerts, clock, onFailure: config.error_handling.on_protection_failure, timeoutSeconds: config.timeout_seconds });
    const context = (init: ExecutionContextInit): ExecutionContext => new ExecutionContext(init, { recorder, ledger: ledgerWriter, clock });
    this.#services = {
      bus, clock, logger, alerts, ledger, config, flows: deps.flows, journal: deps.journal, registry: deps.registry, tradingState: deps.tradingState,
      maxDirectiveAgeSeconds: deps.intake?.max_directive_age_seconds ?? 0,
      recorder,
      scopeDeps: {
        connector: deps.connector, ledger, executor, protective, legs, allowCrossStrategyTargets: config.allow_cross_strategy_targets,
        styles: { clock, config: config.execution_styles, timeoutSeconds: config.timeout_seconds, ...(deps.tradingState ? { tradingState: deps.tradingState } : {}) },
      },
      policy: new ErrorPolicy({ config: config.error_handling, ledger, executor, alerts, clock, timeoutSeconds: config.timeout_seconds }),
      stopper: new FlowStopper({ bus, clock, alerts, metrics, monitoring: config.monitoring }),
      resend: { resendWithinMs: (deps.recovery ?? RecoverySchema.parse({})).resend_within_seconds * 1000, inDoubt: config.in_doubt, attemptTimeoutMs: config.attempt_timeout_ms, clock },
      context,
    };
    const venueLogger = logger.child({ component: 'venue-events' });
    this.#venueEvents = new VenueEventHandler({ connector: deps.connector, ledger, runner: this.#runner, protective, config, clock, logger: venueLogger, alerts, metrics, makeContext: context });
    this.#subscriptionId = bus.subscribe('EXECUTION_DIRECTIVE_READY', (submission) => this.#onReady(submission));
  }

  /** Submissions accepted and not yet finished (queued or running). */
  get pending(): number {
    return this.#admission.pending;
  }

  /** Submissions received whose flow has not begun yet: no DIRECTIVE_ACCEPTED, waiting for their strategy's turn. */
  get queued(): number {
    return this.#admission.queued;
  }

  /**
   * Resolves true once fewer than concurrency.max_pending_directives submissions are pending and
   * fewer than `maxQueued` of them wait to begin (an intake's read-ahead); false if `signal`
   * aborts first.
   */
  waitForCapacity(options: { readonly maxQueued?: number; readonly signal?: AbortSignal } = {}): Promise<boolean> {
    return this.#admission.waitForCapacity(options);
  }

  /**
   * Drop the submissions received from the bus that are still waiting for their strategy's turn
   * (those `which` selects; default all): their flows never begin — no DIRECTIVE_ACCEPTED, no
   * execution, no stop owed (invariant 1 binds accepted directives). Each one is announced as
   * DIRECTIVE_NOT_STARTED on the bus and returned, so its intake can report it and submit it
   * again later (dedupe makes that safe). Flows already begun, recovery and venue reports go on.
   */
  abandonQueued(which: (submission: DirectiveSubmission) => boolean = () => true): NotStarted[] {
    return this.#admission.abandonQueued(which);
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
    this.#services.bus.unsubscribe(this.#subscriptionId);
    this.#venueEvents.dispose();
  }

  /** Called with every finished submission, duplicates included. Returns an unsubscribe function. */
  onResult(listener: (result: FlowResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Recovery: finish a flow a crash interrupted (RUNNING in the flow store), on its strategy's
   * queue, with exactly one stop (recovery/resume-flow.ts). Rejects only when the journal cannot be
   * read (the flow stays RUNNING for a later recovery). Not reported to onResult listeners.
   */
  async resume(flow: FlowRecord): Promise<FlowResult> {
    const history = await readFlowHistory(this.#services.journal, flow, this.#services.resend);
    this.#admission.resumed();
    const resumed = new ResumedFlow(this.#services, flow, history);
    return this.#runner
      .run(resumed.strategyId ?? NO_STRATEGY, () => resumed.run())
      .catch((error: unknown) => resumed.lastResort(error))
      .finally(() => this.#admission.finished());
  }

  /**
   * Recovery of a ledger that failed after the venue acted: rebuild the trade of a finished
   * NEW_TRADE from the venue (recovery/rebuild-flow.ts). Sends nothing; no stop (the flow has had
   * it). False when there is nothing to rebuild or it failed (alerted).
   */
  async rebuild(flowId: string): Promise<boolean> {
    const target = await findRebuildable(this.#services, flowId);
    if (!target) return false;
    return this.#runner.run(target.directive.strategy_id, () => rebuildFlow(this.#services, target));
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
    this.#admission.received();
    const flow = new FreshFlow(this.#services, submission);
    const task = (): Promise<FlowResult> => {
      this.#admission.began();
      return flow.run();
    };
    const { notStarted } = flow;
    return this.#runner
      .run<FlowResult | NotStarted>(flow.strategyId ?? NO_STRATEGY, task, abandonable ? { abandoned: () => notStarted, tag: notStarted } : {})
      .catch((error: unknown) => flow.lastResort(error))
      .then((result) => {
        // an abandoned submission was counted off by abandonQueued
        if (result.outcome !== 'NOT_STARTED') this.#admission.finished(() => this.#notify(result));
        return result;
      });
  }

  #onReady(submission: DirectiveSubmission): void {
    const flow = this.#submit(submission, true).catch((error: unknown) => this.#services.logger.fatal({ err: error }, 'submission lost'));
    this.#inflight.add(flow);
    void flow.finally(() => this.#inflight.delete(flow));
  }

  #notify(result: FlowResult): void {
    for (const listener of this.#listeners) {
      try {
        listener(result);
      } catch (error) {
        this.#services.logger.error({ err: error }, 'result listener failed');
      }
    }
  }
}
