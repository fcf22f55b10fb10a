import type { IMetricsCollector } from '../orchestration/ports.js';

/** IMetricsCollector for `monitoring.metrics_enabled: false`: records nothing. */
export class NoopMetrics implements IMetricsCollector {
  flowCompleted(): void {}
  executionAttempt(): void {}
  slowExecution(): void {}
  anomaly(): void {}
}
