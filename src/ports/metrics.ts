import type { Anomaly } from '../domain/trading.js';
import type { FinalState, FlowOutcome } from '../domain/enums.js';

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
