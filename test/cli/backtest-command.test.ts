import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { type CapturedCliIo, captureCliIo } from '../support/capture-cli-io.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-backtest-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLES = join(__dirname, '..', '..', 'examples', 'backtest');
const BTC = join(EXAMPLES, 'btc-usdt-5m.csv');
const ETH = join(EXAMPLES, 'eth-usdt-5m.csv');
const DIRECTIVES = join(EXAMPLES, 'directives.jsonl');
let outs = 0;

async function cli(args: readonly string[]): Promise<CapturedCliIo> {
  const c = captureCliIo();
  await runCli(['--log-level', 'silent', ...args], c.io);
  return c;
}

const backtest = (...args: string[]) => cli(['backtest', ...args]);

describe('planexec backtest', () => {
  it('runs the example directives over the sample bars and writes the database, its venue, the report and the metrics', async () => {
    const out = join(dir, `out${++outs}`);
    const c = await backtest('--prices', BTC, '--prices', ETH, '--directives', DIRECTIVES, '--out', out, '--json');
    expect(c.stderr).toBe('');
    const summary = JSON.parse(c.stdout) as { bars: number; directives: number; succeeded: number; failed: number; failures_by_reason: Record<string, number>; metrics: { trades: { closed: number } }; files: string[] };
    expect(summary).toMatchObject({ bars: 8064, directives: 9, succeeded: 8, failed: 1, failures_by_reason: { TRADE_ALREADY_CLOSED: 1 } });
    expect(summary.metrics.trades.closed).toBe(4);
    for (const file of ['backtest.db', 'backtest.db.venue.db', 'report.html', 'metrics.json', 'equity.png', 'drawdown.png', 'price-BTC_USDT.png', 'price-ETH_USDT.png']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const png = readFileSync(join(out, 'equity.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);

    // the read commands see simulated time, and verify finds ledger, journal and venue in agreement
    const verify = await cli(['verify', '--db', join(out, 'backtest.db')]);
    expect(verify.stdout).toMatch(/verified: 5 positions, 13 orders, journal \d+ entries: all agree/);
    expect(verify.code ?? 0).toBe(0);
    const journal = await cli(['journal', '--db', join(out, 'backtest.db'), '--json']);
    expect(journal.stdout).toContain('2024-01-01T06:00:00.000Z');
    expect(journal.stdout).not.toContain(`${new Date().getUTCFullYear()}-${String(new Date().getUTCMonth() + 1).padStart(2, '0')}-${String(new Date().getUTCDate()).padStart(2, '0')}T`);
  });

  it('gives the same metrics on a rerun (a rerun replaces the last run)', async () => {
    const out = join(dir, `out${++outs}`);
    await backtest('--prices', BTC, '--directives', DIRECTIVES, '--out', out);
    const first = readFileSync(join(out, 'metrics.json'), 'utf8');
    await backtest('--prices', BTC, '--directives', DIRECTIVES, '--out', out);
    expect(readFileSync(join(out, 'metrics.json'), 'utf8')).toBe(first);
  });

  it('runs the example strategy module (the demo breakout rule) through the same path', async () => {
    const out = join(dir, `out${++outs}`);
    const c = await backtest('--prices', BTC, '--strategy', join(EXAMPLES, 'breakout-strategy.ts'), '--out', out, '--json');
    const summary = JSON.parse(c.stdout) as { directives: number; succeeded: number; metrics: { trades: { total: number } } };
    expect(summary.directives).toBeGreaterThan(10);
    expect(summary.succeeded).toBeGreaterThan(10);
    expect(summary.metrics.trades.total).toBeGreaterThan(3);
  });

  it('lists what it did not run and why: before the first bar, out of order, after the last bar', async () => {
    const out = join(dir, `out${++outs}`);
    const file = join(dir, 'mixed.jsonl');
    const trade = (id: string, timestamp: string) =>
      JSON.stringify({ directive_id: id, strategy_id: 's', scope: 'NEW_TRADE', timestamp, entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '0.01' }, routing_plan: { time_in_force: 'GTC' } });
    writeFileSync(file, [trade('EARLY', '2023-12-31T00:00:00Z'), trade('OK', '2024-01-02T00:00:00Z'), trade('BACK', '2024-01-01T12:00:00Z'), trade('LATE', '2024-02-01T00:00:00Z'), '{not json'].join('\n'));
    const c = await backtest('--prices', BTC, '--directives', file, '--out', out);
    expect(c.stdout).toContain('not run, line 1 (EARLY): not run: its timestamp 2023-12-31T00:00:00.000Z is before the first bar (2024-01-01T00:00:00.000Z)');
    expect(c.stdout).toContain('not run, line 3 (BACK): out of order: its timestamp 2024-01-01T12:00:00.000Z is before 2024-01-02T00:00:00.000Z of line 2');
    expect(c.stdout).toContain('not run, line 4 (LATE): not run: its time is after the last bar');
    // the line that is not JSON is validated and journaled as any run does
    expect(c.stdout).toMatch(/1 succeeded, 1 failed/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('before the first bar');
  });

  it('refuses bad usage with the rule: no prices, both inputs, --symbol counts, a symbol the venue does not list', async () => {
    expect((await backtest('--directives', DIRECTIVES)).stderr).toContain('no prices: give --prices FILE');
    expect((await backtest('--prices', BTC, '--directives', DIRECTIVES, '--strategy', DIRECTIVES)).stderr).toContain('give either --directives FILE or --strategy MODULE, not both');
    expect((await backtest('--prices', BTC)).stderr).toContain('nothing to trade');
    expect((await backtest('--prices', BTC, '--prices', ETH, '--symbol', 'A/B', '--symbol', 'C/D', '--symbol', 'E/F', '--directives', DIRECTIVES)).stderr).toContain(
      '--symbol given 3 times for 2 --prices files',
    );
    expect((await backtest('--prices', join(dir, 'none.csv'), '--directives', DIRECTIVES)).stderr).toContain('no such file');
    const doge = join(dir, 'doge.csv');
    writeFileSync(doge, 'timestamp,open,high,low,close,volume\n2024-01-01T00:00:00Z,0.1,0.1,0.1,0.1,5\n');
    const c = await backtest('--prices', doge, '--symbol', 'DOGE/USDT', '--directives', DIRECTIVES, '--out', join(dir, `out${++outs}`));
    expect(c.stderr).toContain('symbol DOGE_USDT is not an instrument of the paper venue: add connector.paper.instruments.DOGE_USDT');
    expect(c.code).toBe(2);
  });
});
