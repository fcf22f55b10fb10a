export { FLOW_DURATION_BUCKETS, PrometheusMetrics } from './prometheus-metrics.js';
export type { PrometheusMetricsOptions } from './prometheus-metrics.js';
export { NoopMetrics } from './noop-metrics.js';
