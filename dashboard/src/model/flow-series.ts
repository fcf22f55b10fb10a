import type { FlowRecord } from '../api/types.js';

/** Outcome counts and latency of the flows that stopped in each time bucket (columnar, as uPlot wants). */
export interface FlowSeries {
  /** Bucket start, Unix seconds. */
  readonly time: number[];
  readonly succeeded: number[];
  /** FAILED and IN_DOUBT together. */
  readonly failed: number[];
  readonly successRate: (number | null)[];
  readonly p50LatencyMs: (number | null)[];
  readonly p95LatencyMs: (number | null)[];
}

/**
 * Buckets flows by completion time, `bucketSeconds` wide, the last `buckets` of them ending with the
 * bucket of `nowMs`; empty buckets count zero so the chart's time axis has no gaps.
 */
export function flowSeries(flows: Iterable<FlowRecord>, nowMs: number, bucketSeconds: number, buckets: number): FlowSeries {
  const last = Math.floor(nowMs / 1000 / bucketSeconds);
  const first = last - buckets + 1;
  const counts = Array.from({ length: buckets }, () => ({ ok: 0, failed: 0, latencies: [] as number[] }));
  for (const flow of flows) {
    if (flow.completed_at === null || flow.status === 'RUNNING') continue;
    const index = Math.floor(Date.parse(flow.completed_at) / 1000 / bucketSeconds) - first;
    const bucket = counts[index];
    if (bucket === undefined) continue;
    if (flow.status === 'SUCCEEDED') bucket.ok += 1;
    else bucket.failed += 1;
    if (flow.duration_ms !== null) bucket.latencies.push(flow.duration_ms);
  }
  const series: FlowSeries = { time: [], succeeded: [], failed: [], successRate: [], p50LatencyMs: [], p95LatencyMs: [] };
  counts.forEach((bucket, i) => {
    const total = bucket.ok + bucket.failed;
    const sorted = bucket.latencies.sort((a, b) => a - b);
    series.time.push((first + i) * bucketSeconds);
    series.succeeded.push(bucket.ok);
    series.failed.push(bucket.failed);
    series.successRate.push(total === 0 ? null : (100 * bucket.ok) / total);
    series.p50LatencyMs.push(percentile(sorted, 0.5));
    series.p95LatencyMs.push(percentile(sorted, 0.95));
  });
  return series;
}

/** Nearest-rank percentile of sorted values; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? null;
}
