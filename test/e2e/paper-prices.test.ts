import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import { newTradeWire } from '../support/directives.js';
import { explain, lastJsonLine, planexec } from './run-cli.js';

type PositionJson = Record<string, unknown> & { trade_id: string; status: string; close_reason: string | null; exit_price: string | null; protection: string };

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-paper-prices-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function positions(db: string): Promise<PositionJson[]> {
  const result = await planexec(['positions', '--db', db, '--json']);
  expect(result.code, explain(result)).toBe(0);
  return JSON.parse(result.stdout) as PositionJson[];
}

describe('planexec run on replayed prices (connector.paper.prices.source: file)', () => {
  it('a stop loss resting from an earlier run triggers from the file’s prices and the trade closes with close_reason STOP_LOSS', async () => {
    const db = join(dir, 'stop.db');
    const opened = await planexec(['run', '--db', db, '--json', '-'], { input: `${JSON.stringify(newTradeWire({ exit_plan: { stop_loss_price: '64000', take_profit_price: '67000' } }))}\n` });
    expect(opened.code, explain(opened)).toBe(0);
    const [open] = await positions(db);
    expect(open).toMatchObject({ status: 'OPEN', protection: 'LIVE' });

    // relative to the config file's folder, like every path key
    writeFileSync(join(dir, 'bars.csv'), 'timestamp,symbol,open,high,low,close,volume\n2026-11-24T10:20:00Z,BTC_USDT,65000,65100,64900,65050,3\n2026-11-24T10:21:00Z,BTC_USDT,65050,65060,64400,64500,5\n2026-11-24T10:22:00Z,BTC_USDT,64500,64500,63800,63900,8\n');
    const config = join(dir, 'platform.yaml');
    writeFileSync(config, 'connector:\n  paper:\n    prices:\n      source: file\n      path: bars.csv\n');
    const replay = await planexec(['run', '--config', config, '--db', db, '--json', '-'], { input: '' });
    expect(replay.code, explain(replay)).toBe(0);
    expect(lastJsonLine(replay.stdout)).toMatchObject({ processed: 0 });

    const [closed] = await positions(db);
    expect(closed).toMatchObject({ trade_id: open?.trade_id, status: 'CLOSED', close_reason: 'STOP_LOSS' });
    expect(closed?.exit_price).not.toBeNull();
  });

  it('positions marks an open trade at the venue’s last price from the file and shows its unrealised PnL (JSON and table)', async () => {
    const db = join(dir, 'mark.db');
    const opened = await planexec(['run', '--db', db, '--json', '-'], { input: `${JSON.stringify(newTradeWire({ exit_plan: { stop_loss_price: '60000' } }))}\n` });
    expect(opened.code, explain(opened)).toBe(0);
    writeFileSync(join(dir, 'up.csv'), '2026-11-24T10:20:00Z,BTC_USDT,65500.5\n');
    const config = join(dir, 'up.yaml');
    writeFileSync(config, 'connector:\n  paper:\n    prices:\n      source: file\n      path: up.csv\n');
    const replay = await planexec(['run', '--config', config, '--db', db, '--json', '-'], { input: '' });
    expect(replay.code, explain(replay)).toBe(0);

    const [open] = (await positions(db)) as (PositionJson & { average_entry_price: string; filled_size: string; mark: string; unrealized_pnl: string })[];
    expect(open?.status).toBe('OPEN');
    expect(open?.mark).toBe('65500.5');
    const expected = new Decimal('65500.5').minus(open!.average_entry_price).mul(open!.filled_size);
    expect(open?.unrealized_pnl).toBe(expected.toFixed());

    const table = await planexec(['positions', '--db', db]);
    expect(table.code, explain(table)).toBe(0);
    const [header, row] = table.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(row?.[header!.indexOf('MARK')]).toBe('65500.5');
    expect(row?.[header!.indexOf('UPNL')]).toBe(expected.toFixed(2));
  });

  it('a malformed price row stops the run before any directive is read, naming the file, line and column', async () => {
    const db = join(dir, 'bad.db');
    writeFileSync(join(dir, 'bad.csv'), '2026-11-24T10:20:00Z,BTC_USDT,65000\n2026-11-24T10:21:00Z,BTC_USDT,sixty\n');
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'connector:\n  paper:\n    prices:\n      source: file\n      path: bad.csv\n');
    const result = await planexec(['run', '--config', config, '--db', db, '--json', '-'], { input: `${JSON.stringify(newTradeWire())}\n` });
    expect(result.code, explain(result)).not.toBe(0);
    expect(result.stderr).toContain(`price file ${join(dir, 'bad.csv')}, line 2, column 3 (price): "sixty" is not a plain decimal number`);
  });

  it('a file source without a path is a config error on connector.paper.prices.path', async () => {
    const config = join(dir, 'nopath.yaml');
    writeFileSync(config, 'connector:\n  paper:\n    prices:\n      source: file\n');
    const result = await planexec(['config', 'validate', config]);
    expect(result.code, explain(result)).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/connector\.paper\.prices\.path.*source file needs path/s);
  });
});
