import { describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import { FlowTerminationSchema, type FlowTerminationConfig } from '../../src/config/schema.js';
import type { FlowCompletionDTO } from '../../src/domain/dto.js';
import { PrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';
import { InMemoryComponentRegistry } from '../../src/orchestration/component-registry.js';
import { FlowCompletionStream } from '../../src/orchestration/flow-completion-stream.js';
import { FlowTerminationHandler } from '../../src/orchestration/flow-termination-handler.js';
import type { IMetricsCollector } from '../../src/ports/metrics.js';
import { captureLogger, type CapturedLine } from '../alerts/capture-logger.js';
import { sampleValue } from '../metrics/prom-text.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeFlowStore, RecordingAlertSink, errorCompletion, successCompletion } from './flow-termination-fixtures.js';

function setup(options: { config?: Partial<FlowTerminationConfig>; metrics?: IMetricsCollector } = {}) {
  const { logger, lines } = captureLogger();
  const bus = new InMemoryEventBus<PlanexecEvents>({ logger });
  const registry = new InMemoryComponentRegistry();
  const prometheus = new PrometheusMetrics();
  const flows = new FakeFlowStore();
  const alerts = new RecordingAlertSink();
  const stream = new FlowCompletionStream({ bufferSize: 100 });
  const ui = stream.subscribe();
  const clock = new FakeClock(Date.UTC(2026, 10, 24, 10, 15, 5));
  const config = FlowTerminationSchema.parse(options.config ?? {});
  const handler = new FlowTerminationHandler({ bus, registry, metrics: options.metrics ?? prometheus, flows, alerts, stream, config, logger, clock });
  const stopSuccess = (c: FlowCompletionDTO): void => bus.publish('_flow_stop_success', c);
  const stopError = (c: FlowCompletionDTO): void => bus.publish('_flow_stop_error', c);
  const metricsText = (): Promise<string> => prometheus.metricsText();
  return { bus, registry, prometheus, flows, alerts, stream, ui, clock, handler, lines, stopSuccess, stopError, metricsText };
}

const errorLines = (lines: readonly CapturedLine[]): CapturedLine[] => lines.filter((l) => l.levelName === 'error');

describe('FlowTerminationHandler on _flow_stop_success', () => {
  it('disposes the flow\'s components and leaves the registry empty', async () => {
    const t = setup();
    const disposed: string[] = [];
    t.registry.registerFn('DIR_1', () => void disposed.push('worker'));
    t.registry.registerFn('DIR_1', () => void disposed.push('cache'));
    t.stopSuccess(successCompletion('DIR_1'));
    await t.handler.drain();
    expect(disposed).toEqual(['cache', 'worker']);
    expect(t.registry.size()).toBe(0);
  });

  it('pushes the completion to the UI stream', async () => {
    const t = setup();
    t.stopSuccess(successCompletion('DIR_1'));
    await expect(t.ui.next()).resolves.toEqual({ done: false, value: successCompletion('DIR_1') });
  });

  it('records the duration by final state and counts the success', async () => {
    const t = setup();
    t.stopSuccess(successCompletion('DIR_1', { duration_ms: 120 }));
    t.stopSuccess(successCompletion('DIR_2', { duration_ms: 80 }));
    const text = await t.metricsText();
    const labels = { final_state: 'SUCCESS', outcome: 'SUCCEEDED' };
    expect(sampleValue(text, 'planexec_flow_duration_seconds_count', labels)).toBe(2);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_sum', labels)).toBeCloseTo(0.2, 9);
    expect(sampleValue(text, 'planexec_flows_succeeded_total')).toBe(2);
    expect(sampleValue(text, 'planexec_flows_failed_total', { outcome: 'FAILED' })).toBe(0);
  });

  it('persists the final state with flows.finish(completion)', async () => {
    const t = setup();
    const completion = successCompletion('DIR_1');
    t.stopSuccess(completion);
    await t.handler.drain();
    expect(t.flows.finished).toEqual([completion]);
    expect(t.flows.finished[0]).toBe(completion);
  });

  it('persists every successful flow (the flows table is the idempotency record)', async () => {
    const t = setup();
    t.stopSuccess(successCompletion('DIR_1'));
    await t.handler.drain();
    expect(t.flows.finishCount).toBe(1);
  });

  it('never alerts on success', async () => {
    const t = setup({ config: { alert_on_error: true } });
    t.stopSuccess(successCompletion('DIR_1'));
    await t.handler.drain();
    expect(t.alerts.alerts).toEqual([]);
  });

  it('handles a flow that registered no components like any other', async () => {
    const t = setup();
    t.stopSuccess(successCompletion('DIR_NOTHING'));
    await t.handler.drain();
    expect(t.flows.finishCount).toBe(1);
    expect(t.ui.buffered).toBe(1);
    expect(sampleValue(await t.metricsText(), 'planexec_flows_succeeded_total')).toBe(1);
    expect(errorLines(t.lines)).toEqual([]);
  });
});

describe('FlowTerminationHandler on _flow_stop_error', () => {
  it('disposes the flow\'s components', async () => {
    const t = setup();
    let disposed = false;
    t.registry.registerFn('DIR_1', () => {
      disposed = true;
    });
    t.stopError(errorCompletion('DIR_1'));
    await t.handler.drain();
    expect(disposed).toBe(true);
    expect(t.registry.size()).toBe(0);
  });

  it('pushes the error completion, with its error details, to the UI stream', async () => {
    const t = setup();
    t.stopError(errorCompletion('DIR_1'));
    const { value } = await t.ui.next();
    expect(value).toMatchObject({ flow_id: 'DIR_1', final_state: 'ERROR', error_details: { error_code: 'INSUFFICIENT_FUNDS' } });
  });

  it('records the duration under ERROR and counts the failure by outcome', async () => {
    const t = setup();
    t.stopError(errorCompletion('DIR_1', 'FAILED', { duration_ms: 3000 }));
    t.stopError(errorCompletion('DIR_2', 'IN_DOUBT', { duration_ms: 45_000 }));
    const text = await t.metricsText();
    expect(sampleValue(text, 'planexec_flow_duration_seconds_count', { final_state: 'ERROR', outcome: 'FAILED' })).toBe(1);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_count', { final_state: 'ERROR', outcome: 'IN_DOUBT' })).toBe(1);
    expect(sampleValue(text, 'planexec_flow_duration_seconds_bucket', { final_state: 'ERROR', outcome: 'IN_DOUBT', le: '30' })).toBe(0);
    expect(sampleValue(text, 'planexec_flows_failed_total', { outcome: 'FAILED' })).toBe(1);
    expect(sampleValue(text, 'planexec_flows_failed_total', { outcome: 'IN_DOUBT' })).toBe(1);
    expect(sampleValue(text, 'planexec_flows_succeeded_total')).toBe(0);
  });

  it('persists the final state with its reason and error details', async () => {
    const t = setup();
    const completion = errorCompletion('DIR_1');
    t.stopError(completion);
    await t.handler.drain();
    expect(t.flows.finished).toEqual([completion]);
    expect(t.flows.finished[0]?.reason).toBe('Execution failed: insufficient funds');
    expect(t.flows.finished[0]?.error_details).toEqual({ error_type: 'VenueRejected', error_code: 'INSUFFICIENT_FUNDS', error_message: 'insufficient funds' });
  });

  it('sends a warning alert describing the failure when alert_on_error is set', async () => {
    const t = setup({ config: { alert_on_error: true } });
    t.stopError(errorCompletion('DIR_1'));
    await t.handler.drain();
    expect(t.alerts.alerts).toEqual([
      {
        severity: 'warning',
        code: 'INSUFFICIENT_FUNDS',
        message: 'flow DIR_1 ended FAILED: Execution failed: insufficient funds',
        flow_id: 'DIR_1',
        directive_id: 'DIR_1',
        details: {
          strategy_id: 'btc_momentum',
          final_state: 'ERROR',
          outcome: 'FAILED',
          reason: 'Execution failed: insufficient funds',
          error_code: 'INSUFFICIENT_FUNDS',
          error_type: 'VenueRejected',
          error_message: 'insufficient funds',
          started_at: '2026-11-24T10:15:00.000Z',
          completion_time: '2026-11-24T10:15:03.000Z',
          duration_ms: 3000,
        },
        timestamp: '2026-11-24T10:15:05.000Z',
      },
    ]);
  });

  it('raises a critical FLOW_IN_DOUBT alert for an IN_DOUBT outcome, keeping the error code in its details', async () => {
    const t = setup();
    t.stopError(errorCompletion('DIR_1', 'IN_DOUBT'));
    await t.handler.drain();
    expect(t.alerts.alerts).toHaveLength(1);
    expect(t.alerts.alerts[0]).toMatchObject({ severity: 'critical', code: 'FLOW_IN_DOUBT', flow_id: 'DIR_1', details: { outcome: 'IN_DOUBT', error_code: 'IN_DOUBT_UNRESOLVED' } });
  });

  it('sends no alert when alert_on_error is false, but does everything else', async () => {
    const t = setup({ config: { alert_on_error: false } });
    t.stopError(errorCompletion('DIR_1', 'IN_DOUBT'));
    await t.handler.drain();
    expect(t.alerts.alerts).toEqual([]);
    expect(t.flows.finishCount).toBe(1);
    expect(t.ui.buffered).toBe(1);
  });

  it('alerts with code FLOW_ERROR when the completion carries no error details (e.g. invalid input)', async () => {
    const t = setup();
    t.stopError(errorCompletion('INV_abc', 'FAILED', { directive_id: null, strategy_id: null, error_details: null, reason: 'line 3: not JSON' }));
    await t.handler.drain();
    expect(t.alerts.alerts[0]).toMatchObject({ code: 'FLOW_ERROR', directive_id: null, details: { error_type: null, error_message: null, strategy_id: null } });
  });
});

describe('FlowTerminationHandler component cleanup', () => {
  it('disposes in reverse registration order, awaiting async disposers, and drain waits for them', async () => {
    const t = setup();
    const order: string[] = [];
    let releaseConnection!: () => void;
    t.registry.registerFn('DIR_1', () => void order.push('subscription'));
    t.registry.registerFn('DIR_1', () => new Promise<void>((resolve) => (releaseConnection = () => {
      order.push('connection');
      resolve();
    })));
    t.registry.registerFn('DIR_1', () => void order.push('timer'));
    t.stopSuccess(successCompletion('DIR_1'));
    expect(order).toEqual(['timer']);

    let drained = false;
    const draining = t.handler.drain().then(() => {
      drained = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    releaseConnection();
    await draining;
    expect(order).toEqual(['timer', 'connection', 'subscription']);
  });

  it('logs each failing disposer with the flow id and still disposes the others and finishes the flow', async () => {
    const t = setup();
    const disposed: string[] = [];
    t.registry.registerFn('DIR_1', () => void disposed.push('first'));
    t.registry.registerFn('DIR_1', () => {
      throw new Error('worker would not stop');
    });
    t.registry.registerFn('DIR_1', () => Promise.reject(new Error('socket close failed')));
    t.registry.registerFn('DIR_1', () => void disposed.push('last'));
    t.stopError(errorCompletion('DIR_1'));
    await t.handler.drain();

    expect(disposed).toEqual(['last', 'first']);
    const failures = errorLines(t.lines).filter((l) => l.msg === 'flow component dispose failed');
    expect(failures.map((l) => (l as unknown as { err: { message: string } }).err.message)).toEqual(['socket close failed', 'worker would not stop']);
    expect(failures.every((l) => l.flow_id === 'DIR_1')).toBe(true);
    expect(t.flows.finishCount).toBe(1);
    expect(t.alerts.alerts).toHaveLength(1);
  });

  it('leaves other flows\' components alone', async () => {
    const t = setup();
    t.registry.registerFn('DIR_1', () => undefined);
    t.registry.registerFn('DIR_2', () => undefined);
    t.stopSuccess(successCompletion('DIR_1'));
    await t.handler.drain();
    expect(t.registry.size()).toBe(1);
    expect(t.registry.componentCount('DIR_2')).toBe(1);
  });
});

describe('FlowTerminationHandler UI stream', () => {
  it('delivers success and error completions to a for-await consumer in stop order', async () => {
    const t = setup();
    const order = ['DIR_1', 'DIR_2', 'DIR_3', 'DIR_4'];
    t.stopSuccess(successCompletion('DIR_1'));
    t.stopError(errorCompletion('DIR_2'));
    t.stopError(errorCompletion('DIR_3', 'IN_DOUBT'));
    t.stopSuccess(successCompletion('DIR_4'));
    t.stream.close();
    const seen: [string, string][] = [];
    for await (const c of t.ui) seen.push([c.flow_id, c.outcome]);
    expect(seen).toEqual([
      ['DIR_1', 'SUCCEEDED'],
      ['DIR_2', 'FAILED'],
      ['DIR_3', 'IN_DOUBT'],
      ['DIR_4', 'SUCCEEDED'],
    ]);
    expect(seen.map(([id]) => id)).toEqual(order);
  });
});

describe('FlowTerminationHandler persistence failures', () => {
  it('logs a rejected finish at error with the flow id, counts an OTHER anomaly and does not throw', async () => {
    const t = setup();
    t.flows.failWith = new Error('database is locked');
    expect(() => t.stopError(errorCompletion('DIR_1'))).not.toThrow();
    await t.handler.drain();
    const failure = errorLines(t.lines).find((l) => l.msg === 'flow final state not persisted');
    expect(failure).toMatchObject({ flow_id: 'DIR_1', step: 'persist', outcome: 'FAILED', err: { message: 'database is locked' } });
    expect(sampleValue(await t.metricsText(), 'planexec_anomalies_total', { kind: 'OTHER' })).toBe(1);
    expect(t.alerts.alerts).toHaveLength(1);
    expect(t.handler.inFlight).toBe(0);
  });

  it('still alerts and notifies when finish throws synchronously', async () => {
    const t = setup();
    t.flows.failWith = new Error('store closed');
    t.flows.throwSync = true;
    t.stopError(errorCompletion('DIR_1'));
    await t.handler.drain();
    expect(errorLines(t.lines).some((l) => l.msg === 'flow final state not persisted')).toBe(true);
    expect(t.alerts.alerts).toHaveLength(1);
    expect(t.ui.buffered).toBe(1);
    // the bus saw no failing handler: the handler kept its own errors
    expect(t.lines.some((l) => l.msg === 'event handler failed')).toBe(false);
  });

  it('drain waits for slow persistence', async () => {
    const t = setup();
    t.flows.hold();
    t.stopSuccess(successCompletion('DIR_1'));
    expect(t.handler.inFlight).toBeGreaterThan(0);
    let drained = false;
    const draining = t.handler.drain().then(() => {
      drained = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    t.flows.release();
    await draining;
    expect(drained).toBe(true);
    expect(t.handler.inFlight).toBe(0);
  });

  it('drain also waits for stops that arrive while it is draining', async () => {
    const t = setup();
    t.flows.hold();
    t.stopSuccess(successCompletion('DIR_1'));
    const draining = t.handler.drain();
    t.stopSuccess(successCompletion('DIR_2'));
    t.flows.release();
    t.flows.hold();
    t.stopSuccess(successCompletion('DIR_3'));
    setImmediate(() => t.flows.release());
    await draining;
    expect(t.handler.inFlight).toBe(0);
    expect(t.flows.finishCount).toBe(3);
  });

  it('logs a failing alert sink instead of leaking a rejection', async () => {
    const t = setup();
    t.alerts.failWith = new Error('sink exploded');
    t.stopError(errorCompletion('DIR_1'));
    await t.handler.drain();
    expect(errorLines(t.lines).find((l) => l.step === 'alert')).toMatchObject({ flow_id: 'DIR_1', err: { message: 'sink exploded' } });
  });

  it('a throwing metrics collector does not stop persistence, UI or alerting', async () => {
    const throwing: IMetricsCollector = {
      flowCompleted: () => {
        throw new Error('metrics broken');
      },
      executionAttempt: () => undefined,
      slowExecution: () => undefined,
      anomaly: () => undefined,
    };
    const t = setup({ metrics: throwing });
    t.stopError(errorCompletion('DIR_1'));
    await t.handler.drain();
    expect(t.flows.finishCount).toBe(1);
    expect(t.ui.buffered).toBe(1);
    expect(t.alerts.alerts).toHaveLength(1);
    expect(errorLines(t.lines).find((l) => l.step === 'record_metrics')).toBeDefined();
  });
});

describe('FlowTerminationHandler subscriptions', () => {
  it('hears stops published at any strategy scope (platform, unrestricted)', async () => {
    const t = setup();
    t.bus.publish('_flow_stop_success', successCompletion('DIR_1'), { level: 'strategy', strategyInstanceId: 'btc_momentum' });
    t.bus.publish('_flow_stop_error', errorCompletion('DIR_2'), { level: 'strategy', strategyInstanceId: 'eth_meanrev' });
    await t.handler.drain();
    expect(t.flows.finished.map((c) => c.flow_id)).toEqual(['DIR_1', 'DIR_2']);
  });

  it('does not react to other events', async () => {
    const t = setup();
    t.bus.publish('EXECUTION_FAILED', {
      directive_id: 'DIR_1',
      strategy_id: 'btc_momentum',
      flow_id: 'DIR_1',
      error_type: 'VenueRejected',
      error_code: 'INSUFFICIENT_FUNDS',
      error_message: 'insufficient funds',
      timestamp: '2026-11-24T10:15:03.000Z',
      line: null,
    });
    await t.handler.drain();
    expect(t.handler.handled).toBe(0);
    expect(t.flows.finishCount).toBe(0);
    expect(t.alerts.alerts).toEqual([]);
  });

  it('dispose unsubscribes both stops: later stops are ignored', async () => {
    const t = setup();
    expect(t.bus.subscriptionCount('_flow_stop_success')).toBe(1);
    expect(t.bus.subscriptionCount('_flow_stop_error')).toBe(1);
    t.handler.dispose();
    t.handler.dispose();
    expect(t.bus.subscriptionCount()).toBe(0);
    t.registry.registerFn('DIR_1', () => undefined);
    t.stopSuccess(successCompletion('DIR_1'));
    t.stopError(errorCompletion('DIR_2'));
    await t.handler.drain();
    expect(t.handler.handled).toBe(0);
    expect(t.flows.finishCount).toBe(0);
    expect(t.registry.size()).toBe(1);
    expect(t.ui.buffered).toBe(0);
  });

  it('ignores and logs a stop payload without a flow_id', async () => {
    const t = setup();
    t.bus.publish('_flow_stop_error', { reason: 'nope' } as unknown as FlowCompletionDTO);
    await t.handler.drain();
    expect(t.handler.handled).toBe(0);
    expect(t.flows.finishCount).toBe(0);
    expect(errorLines(t.lines).find((l) => l.msg === 'flow stop without a flow_id ignored')).toMatchObject({ event_name: '_flow_stop_error' });
  });
});

describe('FlowTerminationHandler under load', () => {
  it('finishes many concurrent flows of both kinds, each exactly once, and keeps nothing afterwards', async () => {
    const t = setup();
    const n = 2000;
    t.flows.hold();
    for (let i = 0; i < n; i++) {
      const id = `DIR_${i}`;
      t.registry.registerFn(id, () => Promise.resolve());
      t.registry.registerFn(id, () => undefined);
      if (i % 10 === 0) t.stopError(errorCompletion(id, i % 20 === 0 ? 'IN_DOUBT' : 'FAILED'));
      else t.stopSuccess(successCompletion(id));
    }
    expect(t.registry.size()).toBe(0);
    expect(t.handler.inFlight).toBeGreaterThanOrEqual(n);
    t.flows.release();
    await t.handler.drain();

    expect(t.handler.inFlight).toBe(0);
    expect(t.handler.handled).toBe(n);
    expect(new Set(t.flows.finished.map((c) => c.flow_id)).size).toBe(n);
    expect(t.alerts.alerts).toHaveLength(n / 10);
    expect(t.alerts.alerts.filter((a) => a.severity === 'critical')).toHaveLength(n / 20);
    const text = await t.metricsText();
    expect(sampleValue(text, 'planexec_flows_succeeded_total')).toBe(n - n / 10);
    expect(sampleValue(text, 'planexec_flows_failed_total', { outcome: 'FAILED' })).toBe(n / 20);
    expect(sampleValue(text, 'planexec_flows_failed_total', { outcome: 'IN_DOUBT' })).toBe(n / 20);
    expect(errorLines(t.lines)).toEqual([]);
  });
});
