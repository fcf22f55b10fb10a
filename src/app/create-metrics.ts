import type { PlatformConfig } from '../config/schema.js';
import { NoopMetrics } from '../metrics/noop-metrics.js';
import { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import type { VenueErrorMetrics } from '../metrics/venue-error-metrics.js';
import type { IPlatformMetrics } from '../ports/metrics.js';

/**
 * The metrics `monitoring.metrics_enabled` asks for: Prometheus (served at `/metrics`, with the
 * venue's unmapped-error counter beside the platform's own) or none.
 */
export function createMetrics(monitoring: PlatformConfig['orchestration']['plan_execution']['monitoring'], venueMetrics: VenueErrorMetrics | null): IPlatformMetrics {
  if (!monitoring.metrics_enabled) return new NoopMetrics();
  const metrics = new PrometheusMetrics();
  venueMetrics?.exposeIn(metrics.registry);
  return metrics;
}
