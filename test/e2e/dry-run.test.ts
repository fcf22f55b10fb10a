import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/domain/ids.js';
import { closeWire, newTradeWire } from '../support/directives.js';
import { explain, jsonLines, lastJsonLine, planexec } from './run-cli.js';

let dir: string;
const lines = (values: readonly unknown[]): string => values.map((v) => `${JSON.stringify(v)}\n`).join('');

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Every file of a world (database, venue, their WAL files) by name → content hash. */
function snapshot(prefix: string): Record<string, string> {
  const files = readdirSync(dir).filter((f) => f.startsWith(prefix));
  return Object.fromEntries(files.map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
}

interface DryRunJson {
  line: number;
  directive_id: string;
  outcome: string;
  error_code: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
  orders: { action: string; purpose: string; symbol: string | null; side: string | null; order_type: string | null; quantity: string | null; limit_price: string | null; stop_price: string | null; client_order_id: string; reduce_only: boolean | null }[];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-dry-run-e2e-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('planexec run --dry-run', () => {
  const buy = newTradeWire({ strategy_id: 'btc_dry', size_plan: { position_size: '0.01234567' }, exit_plan: { stop_loss_price: '64000.004', take_profit_price: '67000' } });

  it('prints the orders a file would send, rounded to the venue rules, and creates no database, venue or journal', async () => {
    const db = join(dir, 'fresh.db');
    const input = file('fresh.jsonl', lines([buy]));
    const result = await planexec(['run', '--dry-run', '--json', '--db', db, '--directives', input]);
    expect(result.code, explain(result)).toBe(0);
    const [report, summary] = jsonLines<DryRunJson & Record<string, unknown>>(result.stdout);
    expect(report).toMatchObject({ line: 1, directive_id: buy.directive_id, outcome: 'WOULD_SEND', error_code: null });
    expect(report!.orders).toEqual([
      expect.objectContaining({ action: 'PLACE', purpose: 'ENTRY', symbol: 'BTC_USDT', side: 'BUY', order_type: 'MARKET', quantity: '0.01234', reduce_only: false, client_order_id: clientOrderId(buy.directive_id, 'E') }),
      // the long's stop goes up onto the 0.01 tick, so it never fires later than asked
      expect.objectContaining({ action: 'PLACE', purpose: 'STOP_LOSS', side: 'SELL', order_type: 'STOP_MARKET', quantity: '0.01234', stop_price: '64000.01', reduce_only: true }),
      expect.objectContaining({ action: 'PLACE', purpose: 'TAKE_PROFIT', side: 'SELL', order_type: 'LIMIT', quantity: '0.01234', limit_price: '67000', reduce_only: true }),
    ]);
    expect(summary).toMatchObject({ dry_run: true, processed: 1, would_send: 1, denied: 0, orders: 3 });
    expect(readdirSync(dir).filter((f) => f.startsWith('fresh.db'))).toEqual([]);
  });

  it('against an existing database sees its trades (CLOSE shows cancels and the close) and leaves database and venue byte for byte as they were', async () => {
    const db = join(dir, 'world.db');
    const first = await planexec(['run', '--json', '--db', db, '--directives', file('world.jsonl', lines([buy]))]);
    expect(lastJsonLine(first.stdout), explain(first)).toMatchObject({ succeeded: 1 });
    const before = snapshot('world.db');
    const ordersBefore = await planexec(['orders', '--json', '--db', db]);

    const close = closeWire([buy.directive_id], { strategy_id: 'btc_dry' });
    const again = newTradeWire({ strategy_id: 'btc_dry' });
    const result = await planexec(['run', '--dry-run', '--json', '--db', db, '--directives', file('world-dry.jsonl', lines([buy, close, again]))]);
    expect(result.code, explain(result)).toBe(1);
    const [dup, closing, fresh, summary] = jsonLines<DryRunJson & Record<string, unknown>>(result.stdout);
    expect(dup).toMatchObject({ outcome: 'DUPLICATE', orders: [] });
    expect(closing!.orders.map((o) => [o.action, o.purpose, o.client_order_id])).toEqual([
      ['CANCEL', 'STOP_LOSS', clientOrderId(buy.directive_id, 'SL')],
      ['CANCEL', 'TAKE_PROFIT', clientOrderId(buy.directive_id, 'TP')],
      ['PLACE', 'CLOSE', clientOrderId(close.directive_id, 'C0')],
    ]);
    expect(closing!.orders[0]).toMatchObject({ symbol: 'BTC_USDT', side: 'SELL', order_type: 'STOP_MARKET', stop_price: '64000.01' });
    expect(closing!.orders[2]).toMatchObject({ side: 'SELL', order_type: 'MARKET', quantity: '0.01234', reduce_only: true });
    expect(fresh).toMatchObject({ outcome: 'WOULD_SEND' });
    expect(summary).toMatchObject({ processed: 3, would_send: 2, duplicates: 1 });

    expect(snapshot('world.db')).toEqual(before);
    const ordersAfter = await planexec(['orders', '--json', '--db', db]);
    expect(ordersAfter.stdout).toBe(ordersBefore.stdout);
    expect(JSON.parse(ordersAfter.stdout).map((o: { client_order_id: string }) => o.client_order_id)).not.toContain(clientOrderId(close.directive_id, 'C0'));
  });

  it('shows a denial by a risk limit with its rule, the limit and the figure, and exits 1', async () => {
    const db = join(dir, 'denied.db');
    const config = file('risk.yaml', 'environments:\n  live:\n    risk:\n      max_order_notional: "500"\n');
    const input = file('denied.jsonl', lines([newTradeWire({ strategy_id: 'btc_big' })]));
    const result = await planexec(['run', '--dry-run', '--json', '--env', 'live', '--config', config, '--db', db, '--directives', input]);
    expect(result.code, explain(result)).toBe(1);
    const [report, summary] = jsonLines<DryRunJson & Record<string, unknown>>(result.stdout);
    expect(report).toMatchObject({ outcome: 'DENIED', error_code: 'RISK_MAX_ORDER_NOTIONAL', orders: [], details: { rule: 'max_order_notional', limit: '500', value: '975' } });
    expect(report!.reason).toContain('order notional 975 (0.015 × 65000 BTC_USDT) is above risk.max_order_notional 500 [max_order_notional]');
    expect(summary).toMatchObject({ denied: 1, would_send: 0 });

    const text = await planexec(['run', '--dry-run', '--env', 'live', '--config', config, '--db', db, '--directives', input]);
    expect(text.stdout).toContain('dry run: no order would be sent');
    expect(text.stdout).toMatch(/DENIED\s+RISK_MAX_ORDER_NOTIONAL/);
    expect(existsSync(db)).toBe(false);
  });
});

describe('planexec run with a risk limit', () => {
  it('a directive over the limit stops DENIED with the rule named in the summary; nothing reaches the venue', async () => {
    const db = join(dir, 'limited.db');
    const config = file('limited.yaml', 'risk:\n  max_order_notional: "500"\n');
    const over = newTradeWire({ strategy_id: 'btc_limited' });
    const within = newTradeWire({ strategy_id: 'btc_limited', size_plan: { position_size: '0.005' }, exit_plan: undefined });
    const result = await planexec(['run', '--json', '--config', config, '--db', db, '--directives', file('limited.jsonl', lines([over, within]))]);
    const summary = lastJsonLine<{ succeeded: number; failed: number; failures: { line: number; error_code: string; reason: string }[]; failures_by_reason: Record<string, number> }>(result.stdout);
    expect(summary, explain(result)).toMatchObject({ succeeded: 1, failed: 1, failures_by_reason: { RISK_MAX_ORDER_NOTIONAL: 1 } });
    expect(summary.failures[0]).toMatchObject({ line: 1, error_code: 'RISK_MAX_ORDER_NOTIONAL' });
    expect(summary.failures[0]!.reason).toContain('is above risk.max_order_notional 500 [max_order_notional]');
    const orders = JSON.parse((await planexec(['orders', '--json', '--db', db])).stdout) as { trade_id: string }[];
    expect(orders.map((o) => o.trade_id)).toEqual([within.directive_id]);
    const journal = await planexec(['journal', '--json', '--db', db, '--directive', over.directive_id]);
    expect(journal.stdout).toContain('"error_type":"RiskDenied"');
    expect(journal.stdout).not.toContain('ORDER_INTENT');
  });
});
