import { describe, expect, it } from 'vitest';
import type { AlertTransport, DeliveryResult } from '../../src/alerts/alert-transport.js';
import { DeliveryPolicySink, type DeliveryPolicy } from '../../src/alerts/delivery-policy-sink.js';
import { PrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';
import type { Alert } from '../../src/ports/alerts.js';
import { FakeClock, flushMicrotasks } from '../support/fake-clock.js';
import { captureLogger } from './capture-logger.js';

const OK: DeliveryResult = { ok: true };
const DOWN: DeliveryResult = { ok: false, retryable: true, retryAfterMs: null, status: 503, error: null };
const GONE: DeliveryResult = { ok: false, retryable: false, retryAfterMs: null, status: 404, error: null };

/** Records every attempt (code and fake time) and answers from a script, then `fallback`. */
class ScriptedTransport implements AlertTransport {
  readonly name = 'webhook';
  readonly origin = 'https://hooks.example.com';
  readonly attempts: { code: string; subject: string | null; at: number; alert: Alert }[] = [];
  readonly #script: DeliveryResult[];
  fallback: DeliveryResult | 'throw' = OK;

  constructor(
    readonly clock: FakeClock,
    script: DeliveryResult[] = [],
  ) {
    this.#script = [...script];
  }

  deliver(alert: Alert): Promise<DeliveryResult> {
    this.attempts.push({ code: alert.code, subject: alert.flow_id ?? null, at: this.clock.now(), alert });
    const next = this.#script.shift() ?? this.fallback;
    if (next === 'throw') return Promise.reject(new Error('transport broke its contract'));
    return Promise.resolve(next);
  }
}

const POLICY: DeliveryPolicy = { dedupeWindowMs: 300_000, maxPerMinute: 10, retry: { maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 5000 } };

function setup(options: { policy?: Partial<DeliveryPolicy>; script?: DeliveryResult[] } = {}) {
  const clock = new FakeClock();
  const transport = new ScriptedTransport(clock, options.script);
  const { logger, lines } = captureLogger();
  const metrics = new PrometheusMetrics();
  const sink = new DeliveryPolicySink({ transport, policy: { ...POLICY, ...options.policy }, clock, logger, metrics });
  return { clock, transport, sink, lines, metrics, start: clock.now() };
}

const alert = (code: string, flowId: string | null, severity: Alert['severity'] = 'warning', details?: Record<string, unknown>): Alert => ({
  severity,
  code,
  message: `${code} for ${flowId ?? 'nothing'}`,
  flow_id: flowId,
  directive_id: flowId,
  ...(details ? { details } : {}),
  timestamp: '2026-11-24T10:00:00.000Z',
});

async function sample(metrics: PrometheusMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(value?.value ?? Number.NaN);
}

describe('DeliveryPolicySink deduplication', () => {
  it('suppresses the same code and subject within the window, counts it, and lets it through once the window is over', async () => {
    const t = setup();
    await t.sink.send(alert('SLOW_EXECUTION', 'DIR_1'));
    await t.sink.send(alert('SLOW_EXECUTION', 'DIR_1'));
    await t.sink.send(alert('SLOW_EXECUTION', 'DIR_2'));
    await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.clock.advance(299_000);
    await t.sink.send(alert('SLOW_EXECUTION', 'DIR_1'));
    await t.clock.advance(1000);
    await t.sink.send(alert('SLOW_EXECUTION', 'DIR_1'));
    await t.sink.drain();

    expect(t.transport.attempts.map((a) => `${a.code}:${a.subject}`)).toEqual([
      'SLOW_EXECUTION:DIR_1',
      'SLOW_EXECUTION:DIR_2',
      'FLOW_ERROR:DIR_1',
      // the summary of the two repeats, a minute after the first was held back
      'ALERTS_SUPPRESSED:null',
      'SLOW_EXECUTION:DIR_1',
    ]);
    expect(t.sink.counts).toEqual({ sent: 5, duplicate: 2, rate_limited: 0, failed: 0 });
    expect(await sample(t.metrics, 'planexec_alerts_suppressed_total', { sink: 'webhook', reason: 'duplicate' })).toBe(2);
  });

  it('takes a trade or symbol in the details as the subject when the alert has no flow', async () => {
    const t = setup();
    await t.sink.send(alert('PRICE_STALE', null, 'warning', { symbol: 'BTC_USDT' }));
    await t.sink.send(alert('PRICE_STALE', null, 'warning', { symbol: 'ETH_USDT' }));
    await t.sink.send(alert('PRICE_STALE', null, 'warning', { symbol: 'BTC_USDT' }));
    await t.sink.drain();
    expect(t.transport.attempts.map((a) => a.alert.details?.symbol)).toEqual(['BTC_USDT', 'ETH_USDT']);
  });

  it('does not deduplicate with a window of 0', async () => {
    const t = setup({ policy: { dedupeWindowMs: 0 } });
    for (let i = 0; i < 3; i++) await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.sink.drain();
    expect(t.transport.attempts).toHaveLength(3);
  });
});

describe('DeliveryPolicySink rate limit', () => {
  it('sends max_per_minute alerts, holds back the rest and sends ONE summary when the minute is over', async () => {
    const t = setup({ policy: { maxPerMinute: 3 } });
    await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.clock.advance(10_000);
    for (let i = 2; i <= 8; i++) await t.sink.send(alert(i % 2 === 0 ? 'FLOW_ERROR' : 'FLOW_IN_DOUBT', `DIR_${i}`, i % 2 === 0 ? 'warning' : 'critical'));
    await t.sink.drain();
    expect(t.transport.attempts.map((a) => a.subject)).toEqual(['DIR_1', 'DIR_2', 'DIR_3']);
    expect(t.lines.filter((l) => l.msg.startsWith('alerts over max_per_minute'))).toHaveLength(1);

    await t.clock.advance(49_999);
    expect(t.transport.attempts).toHaveLength(3);
    await t.clock.advance(1);
    await t.sink.drain();

    expect(t.transport.attempts).toHaveLength(4);
    const summary = t.transport.attempts[3];
    expect(summary?.at).toBe(t.start + 60_000);
    expect(summary?.alert).toEqual({
      severity: 'critical',
      code: 'ALERTS_SUPPRESSED',
      message: '5 alerts suppressed (FLOW_ERROR ×3, FLOW_IN_DOUBT ×2)',
      details: {
        suppressed: 5,
        duplicates: 0,
        rate_limited: 5,
        by_code: { FLOW_ERROR: 3, FLOW_IN_DOUBT: 2 },
        sample_subjects: ['DIR_4', 'DIR_5', 'DIR_6', 'DIR_7', 'DIR_8'],
        since: '2026-11-24T10:00:10.000Z',
        until: '2026-11-24T10:01:00.000Z',
      },
      timestamp: '2026-11-24T10:01:00.000Z',
    });
    expect(await sample(t.metrics, 'planexec_alerts_suppressed_total', { sink: 'webhook', reason: 'rate_limited' })).toBe(5);

    // the summary counts in the new minute: two more fit, the third waits for the next summary
    for (let i = 9; i <= 11; i++) await t.sink.send(alert('FLOW_ERROR', `DIR_${i}`));
    await t.sink.drain();
    expect(t.transport.attempts.map((a) => a.subject ?? a.code)).toEqual(['DIR_1', 'DIR_2', 'DIR_3', 'ALERTS_SUPPRESSED', 'DIR_9', 'DIR_10']);
  });

  it('has no limit with max_per_minute 0', async () => {
    const t = setup({ policy: { maxPerMinute: 0 } });
    for (let i = 0; i < 50; i++) await t.sink.send(alert('FLOW_ERROR', `DIR_${i}`));
    await t.sink.drain();
    expect(t.transport.attempts).toHaveLength(50);
  });
});

describe('DeliveryPolicySink retries', () => {
  it('retries a retryable failure after 1 s, 2 s, 4 s (capped at max_delay_ms) and counts one sent alert', async () => {
    const t = setup({ script: [DOWN, DOWN, DOWN], policy: { retry: { maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 3000 } } });
    await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.clock.advance(10_000);
    await t.sink.drain();
    expect(t.transport.attempts.map((a) => a.at - t.start)).toEqual([0, 1000, 3000, 6000]);
    expect(t.sink.counts).toMatchObject({ sent: 1, failed: 0 });
    expect(await sample(t.metrics, 'planexec_alerts_sent_total', { sink: 'webhook' })).toBe(1);
  });

  it('waits what Retry-After asks instead of its own backoff', async () => {
    const t = setup({ script: [{ ...DOWN, status: 429, retryAfterMs: 30_000 }] });
    await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.clock.advance(29_999);
    expect(t.transport.attempts).toHaveLength(1);
    await t.clock.advance(1);
    await t.sink.drain();
    expect(t.transport.attempts.map((a) => a.at - t.start)).toEqual([0, 30_000]);
  });

  it('never retries a failure that is not retryable, and logs it once with the sink and its origin', async () => {
    const t = setup({ script: [GONE] });
    await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.clock.advance(60_000);
    await t.sink.drain();
    expect(t.transport.attempts).toHaveLength(1);
    expect(t.sink.counts.failed).toBe(1);
    expect(t.lines.filter((l) => l.msg === 'alert delivery failed')).toEqual([
      expect.objectContaining({ levelName: 'error', sink: 'webhook', destination: 'https://hooks.example.com', alert_code: 'FLOW_ERROR', attempts: 1, status: 404, retryable: false }),
    ]);
    expect(await sample(t.metrics, 'planexec_alerts_failed_total', { sink: 'webhook' })).toBe(1);
  });

  it('gives up after max_attempts', async () => {
    const t = setup();
    t.transport.fallback = DOWN;
    await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.clock.advance(60_000);
    await t.sink.drain();
    expect(t.transport.attempts).toHaveLength(4);
    expect(t.sink.counts).toMatchObject({ sent: 0, failed: 1 });
  });
});

describe('DeliveryPolicySink never blocks or fails the sender', () => {
  it('resolves send at once while the delivery waits for a retry', async () => {
    const t = setup({ script: [DOWN] });
    let resolved = false;
    void t.sink.send(alert('FLOW_ERROR', 'DIR_1')).then(() => (resolved = true));
    await flushMicrotasks();
    expect(resolved).toBe(true);
    expect(t.clock.pendingSleeps).toBe(1);
    await t.sink.close();
  });

  it('survives a transport that throws and a send of something that is not an alert', async () => {
    const t = setup();
    t.transport.fallback = 'throw';
    await expect(t.sink.send(alert('FLOW_ERROR', 'DIR_1'))).resolves.toBeUndefined();
    await expect(t.sink.send(null as unknown as Alert)).resolves.toBeUndefined();
    await t.sink.close();
    expect(t.sink.counts.failed).toBe(1);
    expect(t.lines.some((l) => l.msg === 'alert not handled')).toBe(true);
  });
});

describe('DeliveryPolicySink close', () => {
  it('gives a waiting retry one last attempt at once and sends the pending summary before it resolves', async () => {
    const t = setup({ policy: { maxPerMinute: 1 }, script: [DOWN] });
    await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.sink.send(alert('FLOW_ERROR', 'DIR_2'));
    await flushMicrotasks();
    expect(t.transport.attempts).toHaveLength(1);

    await t.sink.close();

    // no fake time passed: the retry did not wait its 1 s, the summary not its minute
    expect(t.transport.attempts.map((a) => `${a.code}:${a.subject}@${a.at - t.start}`).sort()).toEqual(['ALERTS_SUPPRESSED:null@0', 'FLOW_ERROR:DIR_1@0', 'FLOW_ERROR:DIR_1@0']);
    expect(t.sink.counts).toMatchObject({ sent: 2, failed: 0 });
    expect(t.clock.pendingSleeps).toBe(0);
    // idempotent
    await t.sink.close();
  });

  it('still delivers what is sent after close, once, with no summary left behind', async () => {
    const t = setup({ policy: { maxPerMinute: 1 } });
    await t.sink.close();
    await t.sink.send(alert('FLOW_ERROR', 'DIR_1'));
    await t.sink.send(alert('FLOW_ERROR', 'DIR_2'));
    await t.sink.drain();
    expect(t.transport.attempts.map((a) => a.subject)).toEqual(['DIR_1']);
    expect(t.lines.some((l) => l.msg === 'alert suppressed after the alert sink closed' && l.alert_code === 'FLOW_ERROR')).toBe(true);
    expect(t.clock.pendingSleeps).toBe(0);
  });
});
