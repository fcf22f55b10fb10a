import type { Anomaly } from '../domain/trading.js';
import type { FinalState, FlowOutcome } from '../domain/enums.js';
import type { IAlertMetrics } from './alerts.js';
import type { TradingState } from './trading-state.js';

export interface IMetricsCollector {
  flowCompleted(finalState: FinalState, outcome: FlowOutcome, durationMs: number): void;
  executionAttempt(result: 'ok' | 'retryable' | 'rejected' | 'unknown'): void;
  slowExecution(durationMs: number): void;
  anomaly(kind: Anomaly['kind']): void;
}

/** Venue errors a connector's error table does not know (src/metrics/venue-error-metrics.ts counts them). */
export interface IVenueErrorMetrics {
  unmappedError(venue: string, errorClass: string): void;
}

/** What a scrape endpoint serves: the metrics as text, and the Content-Type of that text. */
export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}

/** The platform's metrics: what the flows and the alert sinks record, and what `/metrics` serves. */
export interface IPlatformMetrics extends IMetricsCollector, IAlertMetrics {
  /** The kill switch's state as a gauge (one series per state, 1 for the current one). */
  tradingState(current: TradingState): void;
  /** null when metrics are off (`monitoring.metrics_enabled: false`): nothing to serve. */
  exposition(): MetricsExposition | null;
}
