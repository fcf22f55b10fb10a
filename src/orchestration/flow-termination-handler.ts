import type { Logger } from 'pino';
import type { IEventBus } from '../ports/bus.js';
import type { PlanexecEvents } from '../ports/events.js';
import { isoTime, systemClock, type Clock } from '../domain/clock.js';
import type { FlowCompletionDTO } from '../domain/dto.js';
import type { FlowTerminationConfig } from '../config/schema.js';
import type { FlowCompletionStream } from './flow-completion-stream.js';
import type { Alert, IAlertSink } from '../ports/alerts.js';
import type { IFlowStore } from '../ports/flow-store.js';
import type { IMetricsCollector } from '../ports/metrics.js';
import type { IComponentRegistry } from '../ports/registry.js';

export interface FlowTerminationDeps {
  readonly bus: IEventBus<PlanexecEvents>;
  readonly registry: IComponentRegistry;
  readonly metrics: IMetricsCollector;
  readonly flows: IFlowStore;
  readonly alerts: IAlertSink;
  readonly stream: FlowCompletionStream;
  readonly config: FlowTerminationConfig;
  readonly logger: Logger;
  /** Stamps alerts. Default: the system clock. */
  readonly clock?: Clock;
}

type StopKind = 'success' | 'error';

const DISPOSE = 'dispose_components';
const NOTIFY_UI = 'notify_ui';
const RECORD_METRICS = 'record_metrics';
const PERSIST = 'persist';
const ALERT = 'alert';
type Step = typeof DISPOSE | typeof NOTIFY_UI | typeof RECORD_METRICS | typeof PERSIST | typeof ALERT;

/**
 * The spec's FlowTerminationHandler: hears `_flow_stop_success` and `_flow_stop_error` and, for
 * both, (1) disposes the flow's registered components, (2) keeps nothing of the flow afterwards,
 * (3) pushes the completion to the UI stream, (4) records metrics, (5) persists the final state
 * in the flows table; on error it then (6) raises an admin alert when `alert_on_error` is set:
 * warning with the error's code, or critical FLOW_IN_DOUBT for an IN_DOUBT outcome.
 *
 * The bus delivers synchronously, so the handler starts the async steps and owns their promises:
 * each is tracked until it settles, its failure is logged (never an unhandled rejection), and
 * `drain()` waits for all of them (shutdown awaits it). A failing step never skips the others.
 */
export class FlowTerminationHandler {
  readonly #registry: IComponentRegistry;
  readonly #metrics: IMetricsCollector;
  readonly #flows: IFlowStore;
  readonly #alerts: IAlertSink;
  readonly #stream: FlowCompletionStream;
  readonly #alertOnError: boolean;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #bus: IEventBus<PlanexecEvents>;
  readonly #subscriptions: readonly string[];
  readonly #inFlight = new Set<Promise<void>>();
  #disposed = false;
  #handled = 0;

  constructor(deps: FlowTerminationDeps) {
    this.#bus = deps.bus;
    this.#registry = deps.registry;
    this.#metrics = deps.metrics;
    this.#flows = deps.flows;
    this.#alerts = deps.alerts;
    this.#stream = deps.stream;
    this.#alertOnError = deps.config.alert_on_error;
    this.#logger = deps.logger;
    this.#clock = deps.clock ?? systemClock;
    // Platform scope, unrestricted: every strategy's flows end here.
    const success = deps.bus.subscribe('_flow_stop_success', (completion) => this.#onStop(completion, 'success'));
    const error = deps.bus.subscribe('_flow_stop_error', (completion) => this.#onStop(completion, 'error'));
    this.#subscriptions = [success, error];
  }

  /** Stops that are still persisting, disposing or alerting. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Stop events handled since construction. */
  get handled(): number {
    return this.#handled;
  }

  /** Resolves once every termination started so far (and any started meanwhile) has finished. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** Unsubscribes from the bus; later stops are not handled. Work in flight goes on (see drain). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const id of this.#subscriptions) {
      try {
        this.#bus.unsubscribe(id);
      } catch (error) {
        this.#logger.warn({ subscription_id: id, err: error }, 'flow termination handler: unsubscribe failed');
      }
    }
  }

  #onStop(completion: FlowCompletionDTO, kind: StopKind): void {
    if (completion === null || typeof completion !== 'object' || typeof completion.flow_id !== 'string') {
      this.#logger.error({ event_name: eventName(kind), payload_type: typeof completion }, 'flow stop without a flow_id ignored');
      return;
    }
    this.#handled++;
    const flowId = completion.flow_id;
    // Plain try blocks, no closures: this runs once per flow, possibly 100k times a second.

    // (1) component cleanup; (2) the handler itself keeps nothing per flow beyond the promises it owns.
    try {
      this.#own(this.#registry.disposeFlow(flowId), completion, DISPOSE);
    } catch (error) {
      this.#failed(completion, DISPOSE, error);
    }
    // (3) UI
    try {
      this.#stream.push(completion);
    } catch (error) {
      this.#failed(completion, NOTIFY_UI, error);
    }
    // (4) metrics
    try {
      this.#metrics.flowCompleted(completion.final_state, completion.outcome, completion.duration_ms);
    } catch (error) {
      this.#failed(completion, RECORD_METRICS, error);
    }
    // (5) final state; the flows table is also the idempotency record, so every stop is persisted.
    try {
      this.#own(this.#flows.finish(completion), completion, PERSIST);
    } catch (error) {
      this.#failed(completion, PERSIST, error);
    }
    // (6) admin alert
    if (kind === 'error' && this.#alertOnError) {
      try {
        this.#own(this.#alerts.send(this.#alertFor(completion)), completion, ALERT);
      } catch (error) {
        this.#failed(completion, ALERT, error);
      }
    }
  }

  #own(promise: Promise<unknown>, completion: FlowCompletionDTO, step: Step): void {
    const tracked: Promise<void> = promise.then(
      (value) => {
        this.#inFlight.delete(tracked);
        if (step === DISPOSE) this.#disposalErrors(completion, value as readonly unknown[]);
      },
      (error: unknown) => {
        this.#inFlight.delete(tracked);
        this.#failed(completion, step, error);
      },
    );
    this.#inFlight.add(tracked);
  }

  #failed(completion: FlowCompletionDTO, step: Step, error: unknown): void {
    try {
      const fields = { flow_id: completion.flow_id, directive_id: completion.directive_id, step, err: error };
      if (step === PERSIST) {
        this.#logger.error({ ...fields, final_state: completion.final_state, outcome: completion.outcome }, 'flow final state not persisted');
        this.#metrics.anomaly('OTHER');
      } else {
        this.#logger.error(fields, `flow termination step ${step} failed`);
      }
    } catch {
      // A broken logger or collector must not turn into an unhandled rejection.
    }
  }

  #disposalErrors(completion: FlowCompletionDTO, errors: readonly unknown[] | undefined): void {
    if (errors === undefined || errors.length === 0) return;
    try {
      for (const error of errors) {
        this.#logger.error({ flow_id: completion.flow_id, directive_id: completion.directive_id, err: error }, 'flow component dispose failed');
      }
    } catch {
      // see #failed
    }
  }

  #alertFor(completion: FlowCompletionDTO): Alert {
    const details = completion.error_details;
    // IN_DOUBT: an order's outcome is unknown and money may be at stake, whatever error led there
    const inDoubt = completion.outcome === 'IN_DOUBT';
    return {
      severity: inDoubt ? 'critical' : 'warning',
      code: inDoubt ? 'FLOW_IN_DOUBT' : (details?.error_code ?? 'FLOW_ERROR'),
      message: `flow ${completion.flow_id} ended ${completion.outcome}: ${completion.reason}`,
      flow_id: completion.flow_id,
      directive_id: completion.directive_id,
      details: {
        strategy_id: completion.strategy_id,
        final_state: completion.final_state,
        outcome: completion.outcome,
        reason: completion.reason,
        error_code: details?.error_code ?? null,
        error_type: details?.error_type ?? null,
        error_message: details?.error_message ?? null,
        started_at: completion.started_at,
        completion_time: completion.completion_time,
        duration_ms: completion.duration_ms,
      },
      timestamp: isoTime(this.#clock.now()),
    };
  }
}

function eventName(kind: StopKind): '_flow_stop_success' | '_flow_stop_error' {
  return kind === 'success' ? '_flow_stop_success' : '_flow_stop_error';
}
