import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/domain/ids.js';
import { OrderRecordSchema } from '../../src/domain/wire.js';
import { closeWire, ethSwingShortWire, modifyWire, newTradeWire, solRestingDipWire } from '../support/directives.js';
import { expectCorrupted } from '../support/projection-check.js';
import { type CliResult, explain, lastJsonLine, planexec, runSession } from './run-cli.js';

type OrderJson = Record<string, unknown> & { client_order_id: string; trade_id: string; purpose: string; status: string; quantity: string };
interface Difference {
  check: string;
  subject: string;
  id: string;
  trade_id: string | null;
  field: string;
  ledger: string | null;
  expected: string | null;
  message: string;
}
interface VerifyJson {
  ok: boolean;
  differences: Difference[];
  checked: { journal_entries: number; positions: number; orders: number; venue_orders: number | null; journal_intact: boolean };
}

let dir: string;
let db: string;

// two strategies on different symbols (opposite trades on one symbol are another finding), a resting
// limit entry, a MODIFY that moves the stop and adds size, a trade opened and closed
const btc = newTradeWire({ strategy_id: 'btc_trend' });
const eth = ethSwingShortWire();
const solResting = solRestingDipWire();
const solQuick = newTradeWire({
  strategy_id: 'sol_quick',
  entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' },
  size_plan: { position_size: '2' },
  exit_plan: { stop_loss_price: '140', take_profit_price: '160' },
});
const session = [
  btc,
  eth,
  solResting,
  solQuick,
  modifyWire([btc.directive_id], { strategy_id: 'btc_trend', exit_plan: { stop_loss_price: '64500' }, size_plan: { position_size: '0.02' } }),
  closeWire([solQuick.directive_id], { strategy_id: 'sol_quick' }),
];

/** A copy of the world (database and venue file) to tamper with. */
function copyWorld(name: string): string {
  const copy = join(dir, `${name}.db`);
  copyFileSync(db, copy);
  copyFileSync(`${db}.venue.db`, `${copy}.venue.db`);
  return copy;
}

function edit(path: string, sql: string, ...params: unknown[]): void {
  expectCorrupted(path);
  const handle = new Database(path);
  try {
    const changes = handle.prepare(sql).run(...params).changes;
    expect(changes, sql).toBeGreaterThan(0);
  } finally {
    handle.close();
  }
}

async function verifyJson(path: string): Promise<{ result: CliResult; report: VerifyJson }> {
  const result = await planexec(['verify', '--db', path, '--json']);
  return { result, report: lastJsonLine<VerifyJson>(result.stdout) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-verify-'));
  db = join(dir, 'world.db');
  await runSession(dir, db, session);
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('planexec orders', () => {
  it('--json lists every leg of the run as Order wire objects, decimals as strings', async () => {
    const result = await planexec(['orders', '--db', db, '--json']);
    expect(result.code, explain(result)).toBe(0);
    const orders = JSON.parse(result.stdout) as OrderJson[];
    const wireFields = Object.keys(OrderRecordSchema.shape).sort();
    for (const order of orders) expect(Object.keys(order).sort()).toEqual(wireFields);
    expect(new Set(orders.map((o) => o.purpose))).toEqual(new Set(['ENTRY', 'STOP_LOSS', 'TAKE_PROFIT', 'INCREASE', 'CLOSE']));
    const stop = orders.find((o) => o.client_order_id === clientOrderId(btc.directive_id, 'SL'));
    expect(stop).toMatchObject({ trade_id: btc.directive_id, purpose: 'STOP_LOSS', side: 'SELL', order_type: 'STOP_MARKET', directive_id: btc.directive_id });
    expect(typeof stop?.quantity).toBe('string');
    const close = orders.find((o) => o.purpose === 'CLOSE');
    expect(close).toMatchObject({ trade_id: solQuick.directive_id, status: 'FILLED', filled_quantity: '2' });
    expect(typeof close?.['average_fill_price']).toBe('string');
  });

  it('--trade and --status filter; --status is case-insensitive', async () => {
    const byTrade = await planexec(['orders', '--db', db, '--trade', eth.directive_id, '--json']);
    const eths = JSON.parse(byTrade.stdout) as OrderJson[];
    expect(eths.map((o) => o.purpose).sort()).toEqual(['ENTRY', 'STOP_LOSS', 'TAKE_PROFIT']);
    expect(eths.every((o) => o.trade_id === eth.directive_id)).toBe(true);

    const open = await planexec(['orders', '--db', db, '--status', 'open', '--json']);
    expect(open.code, explain(open)).toBe(0);
    const opens = JSON.parse(open.stdout) as OrderJson[];
    expect(opens.length).toBeGreaterThan(0);
    expect(opens.every((o) => o.status === 'OPEN')).toBe(true);
    expect(opens.some((o) => o.client_order_id === clientOrderId(solResting.directive_id, 'E'))).toBe(true);
  });

  it('prints a table without --json', async () => {
    const result = await planexec(['orders', '--db', db, '--trade', btc.directive_id]);
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toMatch(/CLIENT ORDER ID\s+TRADE\s+PURPOSE/);
    expect(result.stdout).toContain(clientOrderId(btc.directive_id, 'SL'));
    expect(result.stdout).toMatch(/\d+ orders: /);
  });

  it('a bad --status is a usage error naming the allowed values', async () => {
    const result = await planexec(['orders', '--db', db, '--status', 'LIVE']);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).toContain('--status must be one of PENDING, OPEN, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, EXPIRED, IN_DOUBT; got "LIVE"');
  });
});

describe('planexec verify', () => {
  it('exits 0 on a healthy database and looks at the venue', async () => {
    const text = await planexec(['verify', '--db', db]);
    expect(text.code, explain(text)).toBe(0);
    expect(text.stdout).toMatch(/^verified: 4 positions, \d+ orders, journal \d+ entries: all agree$/m);
    const { result, report } = await verifyJson(db);
    expect(result.code, explain(result)).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.differences).toEqual([]);
    expect(report.checked.journal_intact).toBe(true);
    expect(report.checked.positions).toBe(4);
    expect(report.checked.venue_orders).toBeGreaterThan(5);
  });

  it('exits 0 after a run whose paper venue lived in memory: nothing to compare is not a difference', async () => {
    const memoryDb = join(dir, 'memory-venue.db');
    const config = join(dir, 'memory-venue.yaml');
    writeFileSync(config, "connector: {type: paper, paper: {path: ':memory:'}}\n");
    const plan = join(dir, 'memory-venue.jsonl');
    writeFileSync(plan, `${JSON.stringify(newTradeWire({ strategy_id: 'mem' }))}\n`);
    const run = await planexec(['run', '--config', config, '--db', memoryDb, '--directives', plan, '--json']);
    expect(run.code, explain(run)).toBe(0);
    const text = await planexec(['verify', '--config', config, '--db', memoryDb]);
    expect(text.code, explain(text)).toBe(0);
    expect(text.stdout).toMatch(/all agree/);
    expect(text.stdout).toContain('venue: not compared (:memory:: the paper venue kept its state in memory only)');
  });

  it('exits 0 after the demo (venue-triggered stops and targets, trailing stops, closes)', async () => {
    const demoDb = join(dir, 'demo.db');
    const demo = await planexec(['demo', '--db', demoDb, '--directives', '200', '--json', '--no-progress']);
    expect(demo.code, explain(demo)).toBe(0);
    const { result, report } = await verifyJson(demoDb);
    expect(result.code, explain(result)).toBe(0);
    expect(report.checked.positions).toBeGreaterThan(20);
  }, 60_000);

  it('finds a hand edit of realized_pnl, naming the trade and both values', async () => {
    const copy = copyWorld('pnl');
    edit(copy, 'UPDATE positions SET realized_pnl = ? WHERE trade_id = ?', '999', solQuick.directive_id);
    const text = await planexec(['verify', '--db', copy]);
    expect(text.code, explain(text)).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`trade ${solQuick.directive_id}: realized_pnl: ledger 999, journal -?\\d`));
    // and alerted, through the default log sink
    expect(text.stderr).toContain('ALERT VERIFY_DIFFERENCES: verify found 1 difference between journal, ledger and venue (journal_ledger ×1)');
    const { report } = await verifyJson(copy);
    expect(report.ok).toBe(false);
    expect(report.differences).toEqual([
      expect.objectContaining({ check: 'journal_ledger', subject: 'trade', trade_id: solQuick.directive_id, field: 'realized_pnl', ledger: '999' }),
    ]);
    expect(report.differences[0]!.expected).not.toBe('999');
  });

  it('finds an order row deleted from the ledger (journal and venue both still have it)', async () => {
    const copy = copyWorld('deleted');
    const stop = clientOrderId(btc.directive_id, 'SL');
    edit(copy, 'DELETE FROM orders WHERE client_order_id = ?', stop);
    const { result, report } = await verifyJson(copy);
    expect(result.code, explain(result)).toBe(1);
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'journal_ledger', subject: 'order', id: stop, field: 'exists', ledger: null, expected: 'OPEN' }));
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'ledger_venue', subject: 'order', id: stop, field: 'exists', ledger: null, expected: 'OPEN' }));
    // the trade still shows a stop loss that the ledger no longer has a live order for
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'ledger_venue', subject: 'trade', trade_id: btc.directive_id, field: 'stop_loss' }));
  });

  it('finds an order cancelled directly in the venue file', async () => {
    const copy = copyWorld('venue-cancel');
    const target = clientOrderId(eth.directive_id, 'TP');
    edit(`${copy}.venue.db`, "UPDATE orders SET status = 'CANCELLED' WHERE client_order_id = ?", target);
    const { result, report } = await verifyJson(copy);
    expect(result.code, explain(result)).toBe(1);
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'ledger_venue', subject: 'order', id: target, field: 'status', ledger: 'OPEN', expected: 'CANCELLED' }));
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'ledger_venue', subject: 'trade', trade_id: eth.directive_id, field: 'take_profit' }));
    expect(report.differences.every((d) => d.check === 'ledger_venue')).toBe(true);
  });

  it("finds a position whose size was changed (the journal and the venue both disagree)", async () => {
    const copy = copyWorld('size');
    edit(copy, 'UPDATE positions SET filled_size = ? WHERE trade_id = ?', '0.3', eth.directive_id);
    const { result, report } = await verifyJson(copy);
    expect(result.code, explain(result)).toBe(1);
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'journal_ledger', trade_id: eth.directive_id, field: 'filled_size', ledger: '0.3', expected: '0.5' }));
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'ledger_venue', trade_id: eth.directive_id, field: 'filled_size', ledger: '0.3', expected: '0.5' }));
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'ledger_venue', subject: 'symbol', id: 'ETH_USDT', field: 'net_position' }));
  });

  it('finds a trade the ledger shows flat while the venue filled it (the two-writers damage)', async () => {
    const copy = copyWorld('two-writers');
    edit(copy, "UPDATE positions SET filled_size = '0', entry_price = NULL, average_entry_price = NULL, remaining_size = position_size WHERE trade_id = ?", btc.directive_id);
    const { result, report } = await verifyJson(copy);
    expect(result.code, explain(result)).toBe(1);
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'ledger_venue', trade_id: btc.directive_id, field: 'filled_size', ledger: '0', expected: '0.02' }));
    expect(report.differences).toContainEqual(expect.objectContaining({ check: 'journal_ledger', trade_id: btc.directive_id, field: 'entry_price', ledger: null }));
  });

  it('does not write: the database and the venue file keep their bytes', async () => {
    const copy = copyWorld('untouched');
    const before = [readFileSync(copy), readFileSync(`${copy}.venue.db`)];
    const result = await planexec(['verify', '--db', copy]);
    expect(result.code, explain(result)).toBe(0);
    expect(readFileSync(copy).equals(before[0]!)).toBe(true);
    expect(readFileSync(`${copy}.venue.db`).equals(before[1]!)).toBe(true);
  });

  it('--db on a path with no database is bad usage (exit 2) and creates nothing', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const missing = join(empty, 'missing.db');
    const result = await planexec(['verify', '--db', missing]);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).toContain(`no planexec database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
    expect(readdirSync(empty)).toEqual([]);
  });
});
