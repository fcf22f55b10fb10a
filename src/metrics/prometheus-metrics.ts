import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FinalState, FlowOutcome } from '../domain/enums.js';
import type { Anomaly } from '../domain/trading.js';
import { type IAlertMetrics } from '../ports/alerts.js';
import type { IMetricsCollector, IPlatformMetrics, MetricsExposition } from '../ports/metrics.js';
import { TRADING_STATES, type TradingState } from '../ports/trading-state.js';

export interface PrometheusMetricsOptions {
  /** Also collect prom-client's default Node process metrics (CPU, heap, event loop lag…). Default false. */
  readonly defaultMetrics?: boolean;
  /** Labels added to every series (e.g. `{ instance: 'worker-1' }`). */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

/** Flow durations from 1 ms to 60 s, in seconds (Prometheus base unit). */
export const FLOW_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]);

type AttemptResult = Parameters<IMetricsCollector['executionAttempt']>[0];
type AnomalyKind = Anomaly['kind'];

const ATTEMPT_RESULTS: readonly AttemptResult[] = ['ok', 'retryable', 'rejected', 'unknown'];
/** The sinks createAlertSink builds; their series exist from the first scrape. */
const ALERT_SINKS: readonly string[] = ['log', 'webhook', 'telegram'];
const SUPPRESSION_REASONS = ['duplicate', 'rate_limited'] as const;
const ANOMALY_KINDS: readonly AnomalyKind[] = ['OVERFILL', 'UNKNOWN_ORDER_FILL', 'POSITION_MISMATCH', 'JOURNAL_FALLBACK', 'OTHER'];
/** The (final_state, outcome) pairs a flow can end with. */
const FLOW_ENDINGS: readonly (readonly [FinalState, FlowOutcome])[] = [
  ['SUCCESS', 'SUCCEEDED'],
  ['ERROR', 'FAILED'],
  ['ERROR', 'IN_DOUBT'],
];

interface Observer {
  observe(value: number): void;
}
interface Incrementer {
  inc(value?: number): void;
}

/**
 * IMetricsCollector on prom-client, on its own Registry (never the global one, so several
 * instances — tests, workers in one process — do not collide). Every known label combination
 * is created at 0 up front, so `rate()`/`increase()` work from the first scrape, and the
 * label-bound children are kept so the hot path does not rebuild label objects.
 */
export class PrometheusMetrics implements IPlatformMetrics, IMetricsCollector, IAlertMetrics {
  readonly #registry = new Registry();
  readonly #flowDuration: Histogram<'final_state' | 'outcome'>;
  readonly #failed: Counter<'outcome'>;
  readonly #attempts: Counter<'result'>;
  readonly #anomalies: Counter<'kind'>;
  readonly #durationByEnding = new Map<string, Observer>();
  readonly #failedByOutcome = new Map<string, Incrementer>();
  readonly #attemptByResult = new Map<string, Incrementer>();
  readonly #anomalyByKind = new Map<string, Incrementer>();
  readonly #succeeded: Counter;
  readonly #slow: Counter;
  readonly #alertsSent: Counter<'sink'>;
  readonly #alertsSuppressed: Counter<'sink' | 'reason'>;
  readonly #alertsFailed: Counter<'sink'>;
  readonly #tradingState: Gauge<'state'>;

  constructor(options: PrometheusMetricsOptions = {}) {
    const registers = [this.#registry];
    if (options.defaultLabels !== undefined) this.#registry.setDefaultLabels({ ...options.defaultLabels });
    this.#flowDuration = new Histogram({
      name: 'planexec_flow_duration_seconds',
      help: 'Flow duration from acceptance to its stop, by final state and outcome.',
      labelNames: ['final_state', 'outcome'] as const,
      buckets: [...FLOW_DURATION_BUCKETS],
      registers,
    });
    this.#succeeded = new Counter({ name: 'planexec_flows_succeeded_total', help: 'Flows stopped with _flow_stop_success.', registers });
    this.#failed = new Counter({
      name: 'planexec_flows_failed_total',
      help: 'Flows stopped with _flow_stop_error, by outcome (FAILED or IN_DOUBT).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.#attempts = new Counter({
      name: 'planexec_execution_attempts_total',
      help: 'Connector calls made for directives, by result (ok, retryable, rejected, unknown).',
      labelNames: ['result'] as const,
      registers,
    });
    this.#slow = new Counter({
      name: 'planexec_slow_executions_total',
      help: 'Executions slower than monitoring.alert_on_slow_execution_ms.',
      registers,
    });
    this.#anomalies = new Counter({ name: 'planexec_anomalies_total', help: 'Anomalies detected, by kind.', labelNames: ['kind'] as const, registers });

    this.#alertsSent = new Counter({ name: 'planexec_alerts_sent_total', help: 'Alerts delivered, by sink.', labelNames: ['sink'] as const, registers });
    this.#alertsSuppressed = new Counter({
      name: 'planexec_alerts_suppressed_total',
      help: 'Alerts not sent on their own, by sink and reason: duplicate (same code and subject within alerts.dedupe_window_seconds) or rate_limited (over alerts.max_per_minute; counted in a summary).',
      labelNames: ['sink', 'reason'] as const,
      registers,
    });
    this.#alertsFailed = new Counter({ name: 'planexec_alerts_failed_total', help: 'Alerts given up after every delivery attempt failed, by sink.', labelNames: ['sink'] as const, registers });
    this.#tradingState = new Gauge({
      name: 'planexec_trading_state',
      help: 'The kill switch: 1 for the current trading state (ACTIVE, REDUCING or HALTED), 0 for the others.',
      labelNames: ['state'] as const,
      registers,
    });
    this.tradingState('ACTIVE');
    for (const sink of ALERT_SINKS) {
      this.#alertsSent.labels({ sink }).inc(0);
      this.#alertsFailed.labels({ sink }).inc(0);
      for (const reason of SUPPRESSION_REASONS) this.#alertsSuppressed.labels({ sink, reason }).inc(0);
    }

    for (const [finalState, outcome] of FLOW_ENDINGS) {
      this.#flowDuration.zero({ final_state: finalState, outcome });
      this.#durationByEnding.set(endingKey(finalState, outcome), this.#flowDuration.labels({ final_state: finalState, outcome }));
      if (finalState === 'ERROR') this.#failedByOutcome.set(outcome, zeroed(this.#failed.labels({ outcome })));
    }
    for (const result of ATTEMPT_RESULTS) this.#attemptByResult.set(result, zeroed(this.#attempts.labels({ result })));
    for (const kind of ANOMALY_KINDS) this.#anomalyByKind.set(kind, zeroed(this.#anomalies.labels({ kind })));

    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.#registry });
  }

  flowCompleted(finalState: FinalState, outcome: FlowOutcome, durationMs: number): void {
    const seconds = Number.isFinite(durationMs) && durationMs > 0 ? durationMs / 1000 : 0;
    const observer = this.#durationByEnding.get(endingKey(finalState, outcome)) ?? this.#flowDuration.labels({ final_state: finalState, outcome });
    observer.observe(seconds);
    if (outcome === 'SUCCEEDED') this.#succeeded.inc();
    else (this.#failedByOutcome.get(outcome) ?? this.#failed.labels({ outcome })).inc();
  }

  executionAttempt(result: AttemptResult): void {
    (this.#attemptByResult.get(result) ?? this.#attempts.labels({ result })).inc();
  }

  /** The kill switch's state, as a one-hot gauge (alert on `planexec_trading_state{state="HALTED"} == 1`). */
  tradingState(current: TradingState): void {
    for (const state of TRADING_STATES) this.#tradingState.labels({ state }).set(state === current ? 1 : 0);
  }

  slowExecution(_durationMs: number): void {
    this.#slow.inc();
  }

  anomaly(kind: AnomalyKind): void {
    (this.#anomalyByKind.get(kind) ?? this.#anomalies.labels({ kind })).inc();
  }

  alertSent(sink: string): void {
    this.#alertsSent.labels({ sink }).inc();
  }

  alertSuppressed(sink: string, reason: 'duplicate' | 'rate_limited'): void {
    this.#alertsSuppressed.labels({ sink, reason }).inc();
  }

  alertFailed(sink: string): void {
    this.#alertsFailed.labels({ sink }).inc();
  }

  /** This instance's registry (e.g. to merge with others or to add metrics of another part). */
  get registry(): Registry {
    return this.#registry;
  }

  /** Content-Type of `metricsText()` for the /metrics endpoint. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** Prometheus text exposition of every metric in this registry. */
  async metricsText(): Promise<string> {
    return this.#registry.metrics();
  }

  /** What /metrics serves: metricsText() with its Content-Type. */
  exposition(): MetricsExposition {
    return { contentType: this.contentType, render: () => this.metricsText() };
  }
}

/** Creates the series at 0 so it is exported before its first event. */
function zeroed(counter: Incrementer): Incrementer {
  counter.inc(0);
  return counter;
}

function endingKey(finalState: string, outcome: string): string {
  return `${finalState}|${outcome}`;
}
