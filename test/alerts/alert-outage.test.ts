import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAlertSink } from '../../src/alerts/create-alert-sink.js';
import { DeliveryPolicySink } from '../../src/alerts/delivery-policy-sink.js';
import { AlertsSchema } from '../../src/config/schema.js';
import { isoTime } from '../../src/domain/clock.js';
import { PrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';
import type { Alert } from '../../src/ports/alerts.js';
import { FakeClock, flushMicrotasks } from '../support/fake-clock.js';
import { captureLogger } from './capture-logger.js';
import { closeServersAfterEach } from './local-servers.js';

const servers = closeServersAfterEach();

/** A receiver that answers 503 (Retry-After: 2) to its first `failFirst` requests, then 204; keeps the alerts it took. */
async function receiver(failFirst: number): Promise<{ url: string; requests: () => number; delivered: Alert[] }> {
  let requests = 0;
  const delivered: Alert[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (requests <= failFirst) {
        res.writeHead(503, { 'retry-after': '2' }).end();
        return;
      }
      delivered.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Alert);
      res.writeHead(204).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/OUTAGESECRET`, requests: () => requests, delivered };
}

/** Wait (real time) until no HTTP attempt is under way: what is left waits on the fake clock. */
async function settle(sink: DeliveryPolicySink): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    await flushMicrotasks();
    if (sink.attempting === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('alert deliveries did not settle');
}

const failure = (i: number, nowMs: number): Alert => ({
  severity: 'warning',
  code: 'VENUE_UNAVAILABLE',
  message: `flow DIR_${i} ended FAILED: venue unavailable`,
  flow_id: `DIR_${i}`,
  directive_id: `DIR_${i}`,
  details: { strategy_id: 'btc_momentum' },
  timestamp: isoTime(nowMs),
});

/** 10,000 failed flows in 50 s of fake time (200 a second), then two quiet minutes, then shutdown. */
async function outage(url: string, metrics: PrometheusMetrics) {
  const clock = new FakeClock();
  const { logger, lines } = captureLogger();
  const config = AlertsSchema.parse({ log: { enabled: false }, webhook: { url, timeout_ms: 2000 }, retry: { max_attempts: 3, initial_delay_ms: 1000, max_delay_ms: 4000 } });
  const sink = createAlertSink(config, logger, { clock, metrics });
  expect(sink).toBeInstanceOf(DeliveryPolicySink);
  const policy = sink as DeliveryPolicySink;
  let i = 0;
  for (let second = 0; second < 50; second++) {
    for (let k = 0; k < 200; k++) await policy.send(failure(i++, clock.now()));
    await settle(policy);
    await clock.advance(1000);
  }
  for (let second = 0; second < 120; second++) {
    await settle(policy);
    await clock.advance(1000);
  }
  await settle(policy);
  await policy.close();
  return { policy, lines, sent: i };
}

describe('an outage that produces 10,000 failures', () => {
  it('sends 11 alerts — the first 10 and one summary of the 9,990 held back — through a receiver that fails at first', async () => {
    const hook = await receiver(5);
    const metrics = new PrometheusMetrics();
    const started = performance.now();

    const { policy, lines, sent } = await outage(hook.url, metrics);

    expect(sent).toBe(10_000);
    expect(hook.delivered).toHaveLength(11);
    expect(hook.delivered.slice(0, 10).map((a) => a.flow_id).sort()).toEqual(Array.from({ length: 10 }, (_, k) => `DIR_${k}`).sort());
    const summary = hook.delivered.find((a) => a.code === 'ALERTS_SUPPRESSED');
    expect(summary).toMatchObject({ severity: 'warning', message: '9990 alerts suppressed (VENUE_UNAVAILABLE ×9990)', details: { suppressed: 9990, rate_limited: 9990 } });
    // 5 refused with 503, each retried after Retry-After
    expect(hook.requests()).toBe(16);
    expect(policy.counts).toEqual({ sent: 11, duplicate: 0, rate_limited: 9990, failed: 0 });
    const text = await metrics.metricsText();
    expect(text).toContain('planexec_alerts_sent_total{sink="webhook"} 11');
    expect(text).toContain('planexec_alerts_suppressed_total{sink="webhook",reason="rate_limited"} 9990');
    expect(lines.filter((l) => l.levelName === 'error')).toEqual([]);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('while the receiver is down throughout: a handful of give-ups logged, never its secret path', async () => {
    const hook = await receiver(Number.MAX_SAFE_INTEGER);
    const metrics = new PrometheusMetrics();

    const { policy, lines } = await outage(hook.url, metrics);

    // 11 alerts × 3 attempts
    expect(hook.requests()).toBe(33);
    expect(hook.delivered).toHaveLength(0);
    expect(policy.counts).toEqual({ sent: 0, duplicate: 0, rate_limited: 9990, failed: 11 });
    const failures = lines.filter((l) => l.msg === 'alert delivery failed');
    expect(failures).toHaveLength(11);
    expect(failures[0]).toMatchObject({ sink: 'webhook', destination: hook.url.replace(/\/hooks\/.*$/, ''), attempts: 3, status: 503 });
    expect(lines.filter((l) => l.level >= 40).length).toBeLessThan(15);
    expect(lines.map((l) => l.raw).join('\n')).not.toContain('OUTAGESECRET');
  });
});
