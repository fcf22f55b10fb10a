import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../dashboard/src/api/types.js';
import { flowSeries, percentile } from '../../dashboard/src/model/flow-series.js';

const NOW = Date.parse('2026-12-02T10:10:05Z');

function flow(completedAt: string | null, status: FlowRecord['status'], durationMs: number | null): FlowRecord {
  return { flow_id: `F${completedAt}${status}${durationMs}`, directive_id: null, strategy_id: 's', status, final_state: null, reason: null, error_details: null, started_at: '2026-12-02T10:00:00Z', completed_at: completedAt, duration_ms: durationMs };
}

describe('flowSeries', () => {
  it('counts successes and failures (in doubt included) per bucket, ending with the bucket of now', () => {
    const series = flowSeries(
      [flow('2026-12-02T10:10:01Z', 'SUCCEEDED', 10), flow('2026-12-02T10:10:04Z', 'FAILED', 30), flow('2026-12-02T10:09:55Z', 'IN_DOUBT', 50), flow('2026-12-02T10:09:51Z', 'SUCCEEDED', 20)],
      NOW,
      10,
      3,
    );
    expect(series.time).toEqual([Date.parse('2026-12-02T10:09:40Z') / 1000, Date.parse('2026-12-02T10:09:50Z') / 1000, Date.parse('2026-12-02T10:10:00Z') / 1000]);
    expect(series.succeeded).toEqual([0, 1, 1]);
    expect(series.failed).toEqual([0, 1, 1]);
    expect(series.successRate).toEqual([null, 50, 50]);
    expect(series.p50LatencyMs).toEqual([null, 20, 10]);
    expect(series.p95LatencyMs).toEqual([null, 50, 30]);
  });

  it('leaves out running flows and flows older than the window', () => {
    const series = flowSeries([flow(null, 'RUNNING', null), flow('2026-12-02T09:00:00Z', 'SUCCEEDED', 5)], NOW, 10, 3);
    expect(series.succeeded).toEqual([0, 0, 0]);
    expect(series.failed).toEqual([0, 0, 0]);
  });
});

describe('percentile', () => {
  it('takes the nearest rank and answers null for no values', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(percentile([], 0.5)).toBeNull();
  });
});
