import type { IAlertMetrics } from '../ports/alerts.js';
import type { IMetricsCollector, IPlatformMetrics } from '../ports/metrics.js';

/** IMetricsCollector for `monitoring.metrics_enabled: false`: records nothing, serves nothing. */
export class NoopMetrics implements IPlatformMetrics, IMetricsCollector, IAlertMetrics {
  flowCompleted(): void {}
  executionAttempt(): void {}
  slowExecution(): void {}
  anomaly(): void {}
  alertSent(): void {}
  alertSuppressed(): void {}
  alertFailed(): void {}
  tradingState(): void {}
  exposition(): null {
    return null;
  }
}
