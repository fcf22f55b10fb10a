import type { Logger } from 'pino';
import type { PlanExecutionConfig } from '../config/schema.js';
import type { PlanexecEvents } from '../ports/events.js';
import type { IEventBus } from '../ports/bus.js';
import { isoTime, type Clock } from '../domain/clock.js';
import type { FlowCompletionDTO } from '../domain/dto.js';
import { errorMessage } from '../domain/errors.js';
import { sendAlert } from './alerting.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { IMetricsCollector } from '../ports/metrics.js';

/** One flow's identity and its stop guard. */
export interface FlowState {
  readonly flowId: string;
  readonly directiveId: string | null;
  readonly strategyId: string | null;
  readonly line: number | null;
  readonly startedAtMs: number;
  /** Set by the one and only stop of the flow. */
  stopped: FlowCompletionDTO | null;
  /** A styled entry's window (PASSIVE, TWAP, ICEBERG): time the flow is meant to take, not counted as slow. */
  windowMs?: number;
}

export type StopInput = Pick<FlowCompletionDTO, 'final_state' | 'outcome' | 'reason' | 'error_details'>;

export class FlowAlreadyStopped extends Error {
  constructor(flowId: string) {
    super(`flow ${flowId} was already stopped: a flow ends with exactly one stop`);
    this.name = 'FlowAlreadyStopped';
  }
}

/**
 * Ends a flow: publishes exactly one of `_flow_stop_success` / `_flow_stop_error` (platform
 * scope) — the FlowTerminationHandler persists the final state, as the spec assigns it — then the
 * monitoring: one info log
 * per flow when log_all_executions, and a slow-execution metric and warning alert above
 * alert_on_slow_execution_ms. A second stop of the same flow throws FlowAlreadyStopped.
 * Failures of the store, a subscriber or the alert sink are logged, never thrown: the stop happened.
 */
export class FlowStopper {
  readonly #bus: IEventBus<PlanexecEvents>;
  readonly #clock: Clock;
  readonly #alerts: IAlertSink;
  readonly #metrics: IMetricsCollector;
  readonly #monitoring: PlanExecutionConfig['monitoring'];

  constructor(deps: {
    bus: IEventBus<PlanexecEvents>;
    clock: Clock;
    alerts: IAlertSink;
    metrics: IMetricsCollector;
    monitoring: PlanExecutionConfig['monitoring'];
  }) {
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#alerts = deps.alerts;
    this.#metrics = deps.metrics;
    this.#monitoring = deps.monitoring;
  }

  async stop(state: FlowState, logger: Logger, input: StopInput): Promise<FlowCompletionDTO> {
    if (state.stopped) throw new FlowAlreadyStopped(state.flowId);
    const nowMs = this.#clock.now();
    const completion: FlowCompletionDTO = {
      flow_id: state.flowId,
      directive_id: state.directiveId,
      strategy_id: state.strategyId,
      completion_time: isoTime(nowMs),
      started_at: isoTime(state.startedAtMs),
      duration_ms: Math.max(0, nowMs - state.startedAtMs),
      ...input,
    };
    state.stopped = completion;

    try {
      this.#bus.publish(input.final_state === 'SUCCESS' ? '_flow_stop_success' : '_flow_stop_error', completion, { level: 'platform' });
    } catch (error) {
      logger.error({ err: error }, 'a subscriber of the flow stop failed');
      await this.#alert(completion, logger, 'critical', 'FLOW_STOP_HANDLER_FAILED', `a flow stop subscriber failed for ${state.flowId}: ${errorMessage(error)}`);
    }
    await this.#monitor(completion, state, logger);
    return completion;
  }

  async #monitor(completion: FlowCompletionDTO, state: FlowState, logger: Logger): Promise<void> {
    if (this.#monitoring.log_all_executions) {
      logger.info(
        { outcome: completion.outcome, final_state: completion.final_state, duration_ms: completion.duration_ms, reason: completion.reason },
        'execution finished',
      );
    }
    if (completion.duration_ms - (state.windowMs ?? 0) > this.#monitoring.alert_on_slow_execution_ms) {
      this.#metrics.slowExecution(completion.duration_ms);
      await this.#alert(
        completion,
        logger,
        'warning',
        'SLOW_EXECUTION',
        `flow ${completion.flow_id} took ${completion.duration_ms} ms (alert_on_slow_execution_ms = ${this.#monitoring.alert_on_slow_execution_ms})`,
      );
    }
  }

  #alert(completion: FlowCompletionDTO, logger: Logger, severity: 'warning' | 'critical', code: string, message: string): Promise<void> {
    return sendAlert(this.#alerts, logger, {
      severity,
      code,
      message,
      flow_id: completion.flow_id,
      directive_id: completion.directive_id,
      details: { duration_ms: completion.duration_ms },
      timestamp: isoTime(this.#clock.now()),
    });
  }
}
