import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DeliveryPolicySink } from '../../src/alerts/delivery-policy-sink.js';
import { tradingStateAlert } from '../../src/alerts/trading-state-alerts.js';
import { alertVerifyDifferences, verifyAlert } from '../../src/app/verify-alerts.js';
import { createPlatform } from '../../src/app/create-platform.js';
import type { VerifyReport } from '../../src/app/verify.js';
import type { VerifyDifference } from '../../src/app/verify-differences.js';
import { defaultConfig, type PlatformConfig } from '../../src/config/schema.js';
import type { Alert } from '../../src/ports/alerts.js';
import { newTradeWire } from '../support/directives.js';
import { FakeClock } from '../support/fake-clock.js';
import { silentLogger } from '../support/fakes.js';
import { captureLogger } from './capture-logger.js';
import { closeServersAfterEach } from './local-servers.js';

const servers = closeServersAfterEach();

async function receiver(statuses: number[] = []): Promise<{ base: string; bodies: unknown[]; paths: string[] }> {
  const bodies: unknown[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(req.url ?? '');
      const status = statuses.shift() ?? 200;
      if (status < 300) bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, paths };
}

const NOW = Date.UTC(2026, 10, 24, 10, 0, 0);

const difference = (over: Partial<VerifyDifference> = {}): VerifyDifference => ({
  check: 'journal_ledger',
  subject: 'trade',
  id: 'DIR_1',
  trade_id: 'DIR_1',
  field: 'realized_pnl',
  ledger: '999',
  expected: '12.5',
  message: 'trade DIR_1: realized_pnl: ledger 999, journal 12.5',
  ...over,
});

function report(differences: VerifyDifference[]): VerifyReport {
  return {
    ok: differences.length === 0,
    differences,
    checked: { journal_entries: 10, journal_intact: true, positions: 1, orders: 3, fills: 2, flows: 4, venue_orders: 3, venue_open_orders: 1, venue_balances: null, unfinished_flows: 0 },
  };
}

describe('verify differences alert', () => {
  it('is a warning for a bookkeeping difference and critical when the venue disagrees, listing the checks', () => {
    expect(verifyAlert(report([]), NOW)).toBeNull();
    const warning = verifyAlert(report([difference()]), NOW);
    expect(warning).toMatchObject({
      severity: 'warning',
      code: 'VERIFY_DIFFERENCES',
      message: 'verify found 1 difference between journal, ledger and venue (journal_ledger ×1)',
      details: { differences: 1, by_check: { journal_ledger: 1 }, first: [{ check: 'journal_ledger', id: 'DIR_1', field: 'realized_pnl' }] },
      timestamp: '2026-11-24T10:00:00.000Z',
    });
    const critical = verifyAlert(report([difference(), difference({ check: 'ledger_venue', subject: 'order', id: 'DIR_1-SL', field: 'status' })]), NOW);
    expect(critical).toMatchObject({ severity: 'critical', message: expect.stringContaining('(journal_ledger ×1, ledger_venue ×1)') as string });
  });

  it('is deduplicated when the same findings are polled again, but a new finding alerts at once', async () => {
    const clock = new FakeClock(NOW);
    const sent: Alert[] = [];
    const sink = new DeliveryPolicySink({
      transport: { name: 'webhook', deliver: (a) => (sent.push(a), Promise.resolve({ ok: true })) },
      policy: { dedupeWindowMs: 300_000, maxPerMinute: 10, retry: { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0 } },
      clock,
      logger: silentLogger,
    });
    expect(await alertVerifyDifferences(report([]), sink, clock)).toBeNull();
    await alertVerifyDifferences(report([difference()]), sink, clock);
    await alertVerifyDifferences(report([difference()]), sink, clock);
    await alertVerifyDifferences(report([difference(), difference({ id: 'DIR_2', trade_id: 'DIR_2' })]), sink, clock);
    await sink.close();
    expect(sent.map((a) => `${a.code}:${String(a.details?.differences ?? a.details?.suppressed)}`)).toEqual(['VERIFY_DIFFERENCES:1', 'VERIFY_DIFFERENCES:2', 'ALERTS_SUPPRESSED:1']);
    expect(sent[2]).toMatchObject({ code: 'ALERTS_SUPPRESSED', details: { duplicates: 1 } });
  });
});

describe('trading state change alert', () => {
  it('is critical for HALTED, a warning otherwise, and says who changed it and why', () => {
    const halted = tradingStateAlert({ state: 'HALTED', previous: 'ACTIVE', reason: 'venue incident', changed_by: 'ops-token', changed_at: '2026-11-24T09:59:00.000Z' }, NOW);
    expect(halted).toEqual({
      severity: 'critical',
      code: 'TRADING_STATE_CHANGED',
      message: 'trading state ACTIVE → HALTED by ops-token: venue incident',
      details: { subject: 'HALTED@2026-11-24T09:59:00.000Z', state: 'HALTED', previous: 'ACTIVE', reason: 'venue incident', changed_by: 'ops-token', changed_at: '2026-11-24T09:59:00.000Z' },
      timestamp: '2026-11-24T10:00:00.000Z',
    });
    expect(tradingStateAlert({ state: 'REDUCING', previous: 'HALTED', reason: null, changed_by: null, changed_at: '2026-11-24T10:00:00.000Z' }, NOW)).toMatchObject({
      severity: 'warning',
      message: 'trading state HALTED → REDUCING',
    });
    expect(tradingStateAlert({ previous: 'ACTIVE' }, NOW)).toBeNull();
    expect(tradingStateAlert(null, NOW)).toBeNull();
  });
});

describe('the platform', () => {
  function config(webhookUrl: string): PlatformConfig {
    const base = defaultConfig();
    return {
      ...base,
      alerts: { ...base.alerts, log: { enabled: false }, webhook: { ...base.alerts.webhook, url: webhookUrl, format: 'slack' } },
    };
  }

  it('sends the flow-error alert of an invalid directive to the generic webhook', async () => {
    const hook = await receiver();
    const base = defaultConfig();
    const platform = await createPlatform({
      config: { ...base, alerts: { ...base.alerts, log: { enabled: false }, webhook: { ...base.alerts.webhook, url: `${hook.base}/hook` } } },
      dbPath: ':memory:',
      logger: silentLogger,
    });
    try {
      const input = { ...newTradeWire({ directive_id: 'DIR_ALERT_BAD_1' }), scope: 'NONSENSE' };
      await platform.orchestrator.submit({ input, source: { kind: 'internal' }, received_at: Date.now() });
    } finally {
      await platform.close();
    }
    expect(hook.bodies).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'VALIDATION_FAILED', directive_id: 'DIR_ALERT_BAD_1', details: expect.objectContaining({ outcome: 'FAILED' }) as unknown }),
    ]);
  });

  it('refuses to start with half a Telegram config built in code, before opening anything', async () => {
    const base = defaultConfig();
    const half: PlatformConfig = { ...base, alerts: { ...base.alerts, telegram: { ...base.alerts.telegram, chat_id: '@ops' } } };
    await expect(createPlatform({ config: half, dbPath: ':memory:', logger: silentLogger, clock: new FakeClock(NOW) })).rejects.toMatchObject({
      issues: [expect.objectContaining({ keyPath: 'alerts.telegram.chat_id', rule: 'telegram_token_and_chat' })],
    });
  });

  it('alerts a TRADING_STATE_CHANGED event to the configured sink, and close delivers a retry still waiting', async () => {
    const hook = await receiver([503]);
    const { logger } = captureLogger();
    const platform = await createPlatform({ config: config(`${hook.base}/services/T1/B1/PLATFORMSECRET`), dbPath: ':memory:', logger, clock: new FakeClock(NOW) });
    try {
      platform.bus.publish('TRADING_STATE_CHANGED', { state: 'HALTED', previous: 'ACTIVE', reason: 'drill', changed_by: 'cli', changed_at: '2026-11-24T10:00:00.000Z' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      // the first attempt got 503; the retry waits a fake second that never passes
      expect(hook.bodies).toEqual([]);
    } finally {
      await platform.close();
    }
    expect(hook.paths).toEqual(['/services/T1/B1/PLATFORMSECRET', '/services/T1/B1/PLATFORMSECRET']);
    expect(hook.bodies).toEqual([expect.objectContaining({ text: '[CRITICAL] TRADING_STATE_CHANGED: trading state ACTIVE → HALTED by cli: drill' })]);
    expect(platform.metrics.exposition()).not.toBeNull();
    expect(await platform.metrics.exposition()?.render()).toContain('planexec_alerts_sent_total{sink="webhook"} 1');
  });
});
