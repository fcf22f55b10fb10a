import type { IAlertMetrics } from '../ports/alerts.js';
import type { IMetricsCollector } from '../ports/metrics.js';

/** IMetricsCollector for `monitoring.metrics_enabled: false`: records nothing. */
export class NoopMetrics implements IMetricsCollector, IAlertMetrics {
  flowCompleted(): void {}
  executionAttempt(): void {}
  slowExecution(): void {}
  anomaly(): void {}
  alertSent(): void {}
  alertSuppressed(): void {}
  alertFailed(): void {}
}
