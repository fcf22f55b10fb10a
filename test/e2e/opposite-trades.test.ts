import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { type CliResult, explain, lastJsonLine, planexec } from './run-cli.js';

/**
 * Issue 10 point 1: a BUY and a SELL on one symbol are each protected and each closable (hedge,
 * the default); under netting the opposite trade is denied before anything is sent; a trade whose
 * protection the venue refuses shows protection MISSING, alerts, and the policy decides.
 */

interface Summary {
  processed: number;
  succeeded: number;
  failed: number;
  failures_by_reason: Record<string, number>;
  failures: { line: number | null; error_code: string | null; reason: string }[];
}

interface PositionJson {
  trade_id: string;
  status: string;
  direction: string;
  stop_loss: string | null;
  take_profit: string | null;
  filled_size: string;
  close_reason: string | null;
  protection?: string;
}

interface VenueOrderRow {
  client_order_id: string;
  side: string;
  order_type: string;
  quantity: string;
  stop_price: string | null;
  limit_price: string | null;
  reduce_only: number;
  status: string;
}

let dir: string;
const line = (value: unknown): string => JSON.stringify(value);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-opposite-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(db: string, name: string, directives: readonly ExecutionDirectiveWire[], config?: string): Promise<{ result: CliResult; summary: Summary }> {
  const args = ['run', '--db', db, '--json', '--directives', file(name, directives.map(line).join('\n') + '\n')];
  if (config) args.push('--config', config);
  const result = await planexec(args);
  return { result, summary: lastJsonLine<Summary>(result.stdout) };
}

async function positions(db: string): Promise<PositionJson[]> {
  const result = await planexec(['positions', '--db', db, '--json']);
  expect(result.code, explain(result)).toBe(0);
  return JSON.parse(result.stdout) as PositionJson[];
}

function venueOrders(db: string): VenueOrderRow[] {
  const venue = new Database(`${db}.venue.db`, { readonly: true });
  try {
    return venue.prepare('SELECT * FROM orders ORDER BY seq').all() as VenueOrderRow[];
  } finally {
    venue.close();
  }
}

const RESTING = new Set(['OPEN', 'PARTIALLY_FILLED']);

function sol(strategy: string, direction: 'BUY' | 'SELL', size = '1'): ExecutionDirectiveWire {
  const buy = direction === 'BUY';
  return newTradeWire({
    strategy_id: strategy,
    entry_plan: { symbol: 'SOL_USDT', direction, order_type: 'MARKET' },
    size_plan: { position_size: size },
    exit_plan: { stop_loss_price: buy ? '140' : '160', take_profit_price: buy ? '165' : '135' },
  });
}

describe('opposite trades on one symbol (hedge, the default)', () => {
  it('protects a BUY and a SELL on SOL_USDT each, then closes each', async () => {
    const db = join(dir, 'hedge.db');
    const buy = sol('sol_trend', 'BUY');
    const sell = sol('sol_revert', 'SELL');
    const opened = await run(db, 'open.jsonl', [buy, sell]);
    expect(opened.result.code, explain(opened.result)).toBe(0);
    expect(opened.summary.failures).toEqual([]);
    expect(opened.summary.succeeded).toBe(2);

    const open = await positions(db);
    expect(open.map((p) => [p.trade_id, p.status, p.direction, p.protection, p.stop_loss, p.take_profit])).toEqual(
      expect.arrayContaining([
        [buy.directive_id, 'OPEN', 'BUY', 'LIVE', '140', '165'],
        [sell.directive_id, 'OPEN', 'SELL', 'LIVE', '160', '135'],
      ]),
    );
    // the venue holds each trade's stop and target, reduce-only, resting
    const resting = venueOrders(db).filter((o) => RESTING.has(o.status) && o.reduce_only === 1);
    expect(resting.map((o) => [o.side, o.order_type, o.stop_price ?? o.limit_price]).sort()).toEqual(
      [
        ['BUY', 'LIMIT', '135'],
        ['BUY', 'STOP_MARKET', '160'],
        ['SELL', 'LIMIT', '165'],
        ['SELL', 'STOP_MARKET', '140'],
      ].sort(),
    );

    const closed = await run(db, 'close.jsonl', [
      closeWire([buy.directive_id], { strategy_id: 'sol_trend' }),
      closeWire([sell.directive_id], { strategy_id: 'sol_revert' }),
    ]);
    expect(closed.result.code, explain(closed.result)).toBe(0);
    expect(closed.summary.failures).toEqual([]);
    const after = await positions(db);
    expect(after.map((p) => [p.trade_id, p.status, p.filled_size, p.protection]).sort()).toEqual(
      [
        [buy.directive_id, 'CLOSED', '0', 'NONE'],
        [sell.directive_id, 'CLOSED', '0', 'NONE'],
      ].sort(),
    );
    expect(venueOrders(db).filter((o) => RESTING.has(o.status))).toEqual([]);
  });

  it('runs 150 alternating BUY/SELL lines over 3 symbols and 5 strategies with 0 failures', async () => {
    const db = join(dir, 'alternating.db');
    const symbols = [
      { symbol: 'SOL_USDT', size: '0.5', below: '140', above: '160' },
      { symbol: 'ETH_USDT', size: '0.05', below: '3300', above: '3700' },
      { symbol: 'BTC_USDT', size: '0.002', below: '63000', above: '67000' },
    ];
    const directives: ExecutionDirectiveWire[] = [];
    for (let i = 0; i < 150; i++) {
      const s = symbols[i % 3]!;
      const direction = i % 2 === 0 ? 'BUY' : 'SELL';
      directives.push(
        newTradeWire({
          strategy_id: `strategy_${i % 5}`,
          entry_plan: { symbol: s.symbol, direction, order_type: 'MARKET' },
          size_plan: { position_size: s.size },
          exit_plan: direction === 'BUY' ? { stop_loss_price: s.below, take_profit_price: s.above } : { stop_loss_price: s.above, take_profit_price: s.below },
        }),
      );
    }
    const { result, summary } = await run(db, 'alternating.jsonl', directives);
    expect(result.code, explain(result)).toBe(0);
    expect(summary.failures_by_reason).toEqual({});
    expect(summary).toMatchObject({ processed: 150, succeeded: 150, failed: 0 });
    const open = await positions(db);
    expect(open).toHaveLength(150);
    expect(open.filter((p) => p.status !== 'OPEN' || p.protection !== 'LIVE')).toEqual([]);
    expect(result.stderr).not.toContain('ROLLBACK_REFUSED');
    // two reduce-only orders rest per trade
    expect(venueOrders(db).filter((o) => RESTING.has(o.status) && o.reduce_only === 1)).toHaveLength(300);
  });
});

describe('opposite trades at a netting venue', () => {
  it('denies the opposite NEW_TRADE with NETTING_CONFLICT before anything is sent', async () => {
    const db = join(dir, 'netting.db');
    const config = file('netting.yaml', 'connector:\n  paper:\n    position_mode: netting\n');
    const buy = sol('sol_trend', 'BUY');
    const sell = sol('sol_revert', 'SELL');
    const more = sol('sol_more', 'BUY', '0.5');
    const { result, summary } = await run(db, 'netting.jsonl', [buy, sell, more], config);
    // failed directives are counted, not an error of the command (docs/cli.md)
    expect(result.code, explain(result)).toBe(0);
    expect(summary).toMatchObject({ processed: 3, succeeded: 2, failed: 1 });
    expect(summary.failures).toEqual([expect.objectContaining({ line: 2, error_code: 'NETTING_CONFLICT' })]);
    expect(summary.failures[0]!.reason).toContain(buy.directive_id);
    // nothing of the denied directive reached the venue
    const orders = venueOrders(db);
    expect(orders.filter((o) => o.client_order_id.includes(sell.directive_id.slice(-8)))).toEqual([]);
    const open = await positions(db);
    expect(open.map((p) => [p.trade_id, p.protection]).sort()).toEqual(
      [
        [buy.directive_id, 'LIVE'],
        [more.directive_id, 'LIVE'],
      ].sort(),
    );

    // a later run: the open BUY trades in the ledger deny a SELL; once they are closed, it goes through
    const later = sol('sol_revert', 'SELL');
    const denied = await run(db, 'netting-later.jsonl', [later], config);
    expect(denied.summary.failures).toEqual([expect.objectContaining({ error_code: 'NETTING_CONFLICT' })]);
    expect(denied.summary.failures[0]!.reason).toContain('open BUY trade(s)');
    const again = sol('sol_revert', 'SELL');
    const closed = await run(
      db,
      'netting-close.jsonl',
      [closeWire([buy.directive_id], { strategy_id: 'sol_trend' }), closeWire([more.directive_id], { strategy_id: 'sol_more' })],
      config,
    );
    expect(closed.summary.failures, explain(closed.result)).toEqual([]);
    const reopened = await run(db, 'netting-sell.jsonl', [again], config);
    expect(reopened.summary.failures, explain(reopened.result)).toEqual([]);
    expect((await positions(db)).find((p) => p.trade_id === again.directive_id)).toMatchObject({ status: 'OPEN', direction: 'SELL', protection: 'LIVE' });
  });

  it('refuses a venue file created in the other mode', async () => {
    const db = join(dir, 'switch.db');
    const first = await run(db, 'switch-1.jsonl', [sol('sol_trend', 'BUY')]);
    expect(first.summary.failed, explain(first.result)).toBe(0);
    const config = file('switch.yaml', 'connector:\n  paper:\n    position_mode: netting\n');
    const second = await run(db, 'switch-2.jsonl', [sol('sol_trend', 'SELL')], config);
    expect(second.result.code, explain(second.result)).toBe(2);
    expect(second.result.stderr).toMatch(/created in hedge mode.*position_mode is netting/s);
  });
});

describe('protection the venue refuses', () => {
  // SOL at 150 with min_notional 10: a BUY of 0.07 (10.50) passes, its stop at 140 (9.80) is refused MIN_NOTIONAL
  const instruments = '    instruments:\n      SOL_USDT: { tick_size: "0.01", lot_size: "0.001", min_quantity: "0.001", min_notional: "10", reference_price: "150" }\n';
  const config = (name: string, policy?: string): string =>
    file(
      name,
      `connector:\n  paper:\n${instruments}` + (policy ? `orchestration:\n  plan_execution:\n    error_handling:\n      on_protection_failure: ${policy}\n` : ''),
    );

  it('alert_only: the trade stays open, shows protection MISSING, a critical alert fires, no ROLLBACK_REFUSED', async () => {
    const db = join(dir, 'missing-alert.db');
    const buy = sol('sol_small', 'BUY', '0.07');
    const { result, summary } = await run(db, 'missing-alert.jsonl', [buy], config('alert.yaml', 'alert_only'));
    expect(result.code, explain(result)).toBe(0);
    expect(summary.failures).toEqual([expect.objectContaining({ line: 1, error_code: 'PROTECTION_MISSING' })]);
    expect(result.stderr).toContain('"severity":"critical","code":"PROTECTION_MISSING"');
    expect(result.stderr).not.toContain('ROLLBACK_REFUSED');
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ trade_id: buy.directive_id, status: 'OPEN', filled_size: '0.07', protection: 'MISSING' });
    const table = await planexec(['positions', '--db', db]);
    const row = table.stdout.split('\n').find((l) => l.includes(buy.directive_id)) ?? '';
    expect(row).toContain('MISSING');
    expect(row).not.toContain('140');
    // the stop is not at the venue; the target is
    const resting = venueOrders(db).filter((o) => RESTING.has(o.status));
    expect(resting.map((o) => [o.order_type, o.limit_price])).toEqual([['LIMIT', '165']]);

    // a MODIFY with a stop the venue takes (0.07 × 143 = 10.01) protects it again
    const modify = await run(db, 'missing-modify.jsonl', [modifyWire([buy.directive_id], { strategy_id: 'sol_small', exit_plan: { stop_loss_price: '143' } })], config('alert-2.yaml', 'alert_only'));
    expect(modify.summary.failures, explain(modify.result)).toEqual([]);
    const [protectedAgain] = await positions(db);
    expect(protectedAgain).toMatchObject({ status: 'OPEN', protection: 'LIVE', stop_loss: '143' });
    const stops = venueOrders(db).filter((o) => RESTING.has(o.status) && o.order_type === 'STOP_MARKET');
    expect(stops.map((o) => o.stop_price)).toEqual(['143']);
  });

  it('flatten: the trade is closed at market, its close reason names it', async () => {
    const db = join(dir, 'missing-flatten.db');
    const buy = sol('sol_small', 'BUY', '0.07');
    const { result, summary } = await run(db, 'missing-flatten.jsonl', [buy], config('flatten.yaml', 'flatten'));
    expect(summary.failures).toEqual([expect.objectContaining({ line: 1, error_code: 'PROTECTION_MISSING' })]);
    expect(result.stderr).toContain('"severity":"critical","code":"PROTECTION_MISSING"');
    expect(result.stderr).not.toContain('ROLLBACK_REFUSED');
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ trade_id: buy.directive_id, status: 'CLOSED', filled_size: '0', close_reason: 'PROTECTION_MISSING', protection: 'NONE' });
    expect(venueOrders(db).filter((o) => RESTING.has(o.status))).toEqual([]);
  });

  it('flattens by default', async () => {
    const db = join(dir, 'missing-default.db');
    const buy = sol('sol_small', 'BUY', '0.07');
    const { summary } = await run(db, 'missing-default.jsonl', [buy], config('default.yaml'));
    expect(summary.failures).toEqual([expect.objectContaining({ error_code: 'PROTECTION_MISSING' })]);
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ status: 'CLOSED', close_reason: 'PROTECTION_MISSING' });
  });
});
