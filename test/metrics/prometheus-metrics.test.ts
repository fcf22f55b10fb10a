import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { NoopMetrics } from '../../src/metrics/noop-metrics.js';
import { FLOW_DURATION_BUCKETS, PrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';
import { sampleValue } from './prom-text.js';

describe('PrometheusMetrics', () => {
  it('observes flow durations in seconds, by final state and outcome', async () => {
    const metrics = new PrometheusMetrics();
    metrics.flowCompleted('SUCCESS', 'SUCCEEDED', 250);
    metrics.flowCompleted('SUCCESS', 'SUCCEEDED', 4);
    metrics.flowCompleted('ERROR', 'IN_DOUBT', 30_000);
    const text = await metrics.metricsText();

    const ok = { final_state: 'SUCCESS', outcome: 'SUCCEEDED' };
    expect(sampleValue(text, 'planexec_flow_duration_seconds_count', ok)).toBe(2);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_sum', ok)).toBeCloseTo(0.254, 9);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_bucket', { ...ok, le: '0.005' })).toBe(1);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_bucket', { ...ok, le: '0.25' })).toBe(2);
    const doubt = { final_state: 'ERROR', outcome: 'IN_DOUBT' };
    expect(sampleValue(text, 'planexec_flow_duration_seconds_bucket', { ...doubt, le: '10' })).toBe(0);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_bucket', { ...doubt, le: '30' })).toBe(1);
  });

  it('has buckets from 1 ms to 60 s', async () => {
    const text = await new PrometheusMetrics().metricsText();
    const ok = { final_state: 'SUCCESS', outcome: 'SUCCEEDED' };
    expect(FLOW_DURATION_BUCKETS[0]).toBe(0.001);
    expect(FLOW_DURATION_BUCKETS.at(-1)).toBe(60);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_bucket', { ...ok, le: '0.001' })).toBe(0);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_bucket', { ...ok, le: '60' })).toBe(0);
  });

  it('counts successes and failures by outcome', async () => {
    const metrics = new PrometheusMetrics();
    metrics.flowCompleted('SUCCESS', 'SUCCEEDED', 1);
    metrics.flowCompleted('ERROR', 'FAILED', 1);
    metrics.flowCompleted('ERROR', 'FAILED', 1);
    metrics.flowCompleted('ERROR', 'IN_DOUBT', 1);
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'planexec_flows_succeeded_total')).toBe(1);
    expect(sampleValue(text, 'planexec_flows_failed_total', { outcome: 'FAILED' })).toBe(2);
    expect(sampleValue(text, 'planexec_flows_failed_total', { outcome: 'IN_DOUBT' })).toBe(1);
  });

  it('exposes every series at zero before anything happened', async () => {
    const text = await new PrometheusMetrics().metricsText();
    expect(sampleValue(text, 'planexec_flows_succeeded_total')).toBe(0);
    expect(sampleValue(text, 'planexec_flows_failed_total', { outcome: 'IN_DOUBT' })).toBe(0);
    expect(sampleValue(text, 'planexec_execution_attempts_total', { result: 'unknown' })).toBe(0);
    expect(sampleValue(text, 'planexec_anomalies_total', { kind: 'OVERFILL' })).toBe(0);
    expect(sampleValue(text, 'planexec_slow_executions_total')).toBe(0);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_count', { final_state: 'ERROR', outcome: 'FAILED' })).toBe(0);
  });

  it('counts execution attempts by result, slow executions and anomalies by kind', async () => {
    const metrics = new PrometheusMetrics();
    metrics.executionAttempt('ok');
    metrics.executionAttempt('retryable');
    metrics.executionAttempt('retryable');
    metrics.executionAttempt('rejected');
    metrics.slowExecution(1500);
    metrics.anomaly('JOURNAL_FALLBACK');
    metrics.anomaly('OTHER');
    metrics.anomaly('OTHER');
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'planexec_execution_attempts_total', { result: 'ok' })).toBe(1);
    expect(sampleValue(text, 'planexec_execution_attempts_total', { result: 'retryable' })).toBe(2);
    expect(sampleValue(text, 'planexec_execution_attempts_total', { result: 'rejected' })).toBe(1);
    expect(sampleValue(text, 'planexec_execution_attempts_total', { result: 'unknown' })).toBe(0);
    expect(sampleValue(text, 'planexec_slow_executions_total')).toBe(1);
    expect(sampleValue(text, 'planexec_anomalies_total', { kind: 'JOURNAL_FALLBACK' })).toBe(1);
    expect(sampleValue(text, 'planexec_anomalies_total', { kind: 'OTHER' })).toBe(2);
  });

  it('records a negative or non-finite duration as zero rather than corrupting the histogram', async () => {
    const metrics = new PrometheusMetrics();
    metrics.flowCompleted('ERROR', 'FAILED', -5);
    metrics.flowCompleted('ERROR', 'FAILED', Number.NaN);
    const text = await metrics.metricsText();
    const labels = { final_state: 'ERROR', outcome: 'FAILED' };
    expect(sampleValue(text, 'planexec_flow_duration_seconds_count', labels)).toBe(2);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_sum', labels)).toBe(0);
  });

  it('keeps instances apart and leaves the global prom-client registry alone', async () => {
    const a = new PrometheusMetrics();
    const b = new PrometheusMetrics();
    a.flowCompleted('SUCCESS', 'SUCCEEDED', 10);
    expect(sampleValue(await a.metricsText(), 'planexec_flows_succeeded_total')).toBe(1);
    expect(sampleValue(await b.metricsText(), 'planexec_flows_succeeded_total')).toBe(0);
    expect(globalRegistry.getSingleMetric('planexec_flows_succeeded_total')).toBeUndefined();
    expect(a.registry).not.toBe(b.registry);
    expect(a.contentType).toMatch(/^text\/plain/);
  });

  it('adds default Node process metrics and default labels only when asked', async () => {
    const plain = await new PrometheusMetrics().metricsText();
    expect(plain).not.toMatch(/process_cpu_user_seconds_total/);
    const rich = new PrometheusMetrics({ defaultMetrics: true, defaultLabels: { instance: 'w1' } });
    const text = await rich.metricsText();
    expect(text).toMatch(/process_cpu_user_seconds_total/);
    expect(sampleValue(text, 'planexec_flows_succeeded_total', { instance: 'w1' })).toBe(0);
  });
});

describe('NoopMetrics', () => {
  it('accepts every call and records nothing', () => {
    const metrics = new NoopMetrics();
    expect(() => {
      metrics.flowCompleted();
      metrics.executionAttempt();
      metrics.slowExecution();
      metrics.anomaly();
    }).not.toThrow();
    expect(Object.keys(metrics)).toEqual([]);
  });

  it('has nothing for /metrics to serve', () => {
    expect(new NoopMetrics().exposition()).toBeNull();
  });
});

describe('the exposition /metrics serves', () => {
  it('is the registry\'s text with its Content-Type', async () => {
    const metrics = new PrometheusMetrics();
    metrics.flowCompleted('SUCCESS', 'SUCCEEDED', 5);
    const exposition = metrics.exposition();
    expect(exposition.contentType).toBe(metrics.contentType);
    expect(exposition.contentType).toContain('text/plain');
    expect(await exposition.render()).toBe(await metrics.metricsText());
  });
});
