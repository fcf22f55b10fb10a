import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { explain, lastJsonLine, planexec, ROOT } from './run-cli.js';

const EXAMPLE = join(ROOT, 'examples', 'platform.yaml');
const ESC = '\u001b';

let dir: string;
const line = (value: unknown): string => JSON.stringify(value);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-isolation-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(path: string, text: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function venueOrders(venue: string): number {
  const db = new Database(venue, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** One BTC trade opened; the same directive ids for every database, as a strategy would replay. */
const PLAN = `${line(newTradeWire({ directive_id: 'DIR_20261124_101500_15014710' }))}\n`;

describe('one world per --db', () => {
  it('two --db with examples/platform.yaml each get their own venue file, beside the database, and both succeed', async () => {
    const cwd = join(dir, 'two-dbs');
    mkdirSync(cwd, { recursive: true });
    const plan = file(join(cwd, 'plan.jsonl'), PLAN);
    for (const name of ['a', 'b']) {
      const db = join(cwd, `${name}.db`);
      const result = await planexec(['run', '--config', EXAMPLE, '--db', db, '--json', '--directives', plan], { cwd });
      expect(result.code, explain(result)).toBe(0);
      expect(lastJsonLine(result.stdout), explain(result)).toMatchObject({ processed: 1, succeeded: 1, failed: 0 });
      expect(existsSync(`${db}.venue.db`), `${name}: venue beside its database`).toBe(true);
      expect(venueOrders(`${db}.venue.db`)).toBeGreaterThan(0);
    }
    // nothing written anywhere else (no shared ./data/paper-venue.db)
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    expect(existsSync(join(ROOT, 'examples', 'data'))).toBe(false);
  });

  it('a config that forces one venue file on two databases: the second is refused at start-up, naming both, before anything is sent', async () => {
    const cwd = join(dir, 'shared-venue');
    const config = file(join(cwd, 'platform.yaml'), 'connector:\n  paper:\n    path: ./shared-venue.db\n');
    const plan = file(join(cwd, 'plan.jsonl'), PLAN);
    const venue = join(cwd, 'shared-venue.db');
    const first = await planexec(['run', '--config', config, '--db', join(cwd, 'first.db'), '--json', '--directives', plan], { cwd });
    expect(first.code, explain(first)).toBe(0);
    const ordersBefore = venueOrders(venue);
    expect(ordersBefore).toBeGreaterThan(0);

    const second = await planexec(['run', '--config', config, '--db', join(cwd, 'second.db'), '--json', '--directives', plan], { cwd });
    expect(second.code, explain(second)).toBe(2);
    expect(second.stderr).toContain(venue);
    expect(second.stderr).toContain(join(cwd, 'first.db'));
    expect(second.stderr).toContain(join(cwd, 'second.db'));
    expect(second.stderr).not.toContain('already used');
    expect(venueOrders(venue)).toBe(ordersBefore);

    // the first database keeps its venue
    const again = await planexec(['run', '--config', config, '--db', join(cwd, 'first.db'), '--json', '--directives', plan], { cwd });
    expect(again.code, explain(again)).toBe(0);
    expect(lastJsonLine(again.stdout)).toMatchObject({ processed: 1, duplicates: 1 });
  });
});

describe('relative paths in a config file', () => {
  it('resolve against the config file, not the working directory', async () => {
    const conf = join(dir, 'relative', 'conf');
    const cwd = join(dir, 'relative', 'elsewhere');
    mkdirSync(cwd, { recursive: true });
    const config = file(
      join(conf, 'platform.yaml'),
      'connector:\n  paper:\n    path: ./state/venue.db\nstorage:\n  path: ./state/ledger.db\n  journal_fallback_path: ./state/fallback.jsonl\n',
    );
    const plan = file(join(cwd, 'plan.jsonl'), PLAN);
    const run = await planexec(['run', '--config', config, '--json', '--directives', 'plan.jsonl'], { cwd });
    expect(run.code, explain(run)).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ succeeded: 1, db: join(conf, 'state', 'ledger.db') });
    expect(existsSync(join(conf, 'state', 'ledger.db'))).toBe(true);
    expect(existsSync(join(conf, 'state', 'venue.db'))).toBe(true);
    expect(readdirSync(cwd)).toEqual(['plan.jsonl']);
    expect(plan).toBe(join(cwd, 'plan.jsonl'));

    // a reading command from a third directory finds the same database through the config
    const positions = await planexec(['positions', '--config', config, '--json'], { cwd: join(dir, 'relative') });
    expect(positions.code, explain(positions)).toBe(0);
    expect(JSON.parse(positions.stdout)).toHaveLength(1);
  });
});

describe('config validate and run agree on what distributed mode needs', () => {
  const cases = [
    ['storage.type', 'postgres_url', 'environments:\n  live:\n    storage:\n      type: postgres\n', 'live', 4],
    ['bus.type', 'nats_needs_postgres', 'environments:\n  live:\n    bus:\n      type: nats\n', 'live', 4],
  ] as const;

  for (const [key, rule, yaml, env, lineNo] of cases) {
    it(`${key} without what it needs (${rule}): refused by config validate --env, config validate and run, with file:line:col`, async () => {
      const cwd = join(dir, `distributed-${key}`);
      const config = file(join(cwd, 'platform.yaml'), yaml);
      const plan = file(join(cwd, 'plan.jsonl'), PLAN);
      const located = new RegExp(`platform\\.yaml:${lineNo}:\\d+: environments\\.${env}\\.${key.replace('.', '\\.')}: .*\\[${rule}\\]`);

      const validateEnv = await planexec(['config', 'validate', config, '--env', env], { cwd });
      expect(validateEnv.code, explain(validateEnv)).toBe(2);
      expect(validateEnv.stderr).toMatch(located);

      const validateAll = await planexec(['config', 'validate', config], { cwd });
      expect(validateAll.code, explain(validateAll)).toBe(2);
      expect(validateAll.stderr).toMatch(located);

      const run = await planexec(['run', '--config', config, '--env', env, '--db', join(cwd, 'x.db'), '--directives', plan], { cwd });
      expect(run.code, explain(run)).toBe(2);
      expect(run.stderr).toMatch(located);
      expect(existsSync(join(cwd, 'x.db'))).toBe(false);
    });
  }

  it('examples/platform.yaml is valid in every environment, and --env live needs only its webhook variable', async () => {
    const validate = await planexec(['config', 'validate', EXAMPLE]);
    expect(validate.code, explain(validate)).toBe(0);
    const cwd = join(dir, 'live');
    mkdirSync(cwd, { recursive: true });
    const env = { PLANEXEC_ALERT_WEBHOOK: 'http://127.0.0.1:9/hook' };
    const validateLive = await planexec(['config', 'validate', EXAMPLE, '--env', 'live'], { cwd, env });
    expect(validateLive.code, explain(validateLive)).toBe(0);
  });
});

describe('control characters in human tables', () => {
  it('ESC sequences in a rationale and in a refused key are shown escaped in the run summary, journal and positions tables, never raw', async () => {
    const cwd = join(dir, 'escape');
    const db = join(cwd, 'esc.db');
    const open = newTradeWire({ rationale: `${ESC}[31mred alert${ESC}[0m` });
    const close = closeWire([open.directive_id], { rationale: `${ESC}]0;owned${String.fromCharCode(7)}closed` });
    const bad = `{"directive_id":"DIR_20261124_101500_0e5c0e5c","strategy_id":"s","scope":"NEW_TRADE","timestamp":"2026-11-24T10:15:00Z","\\u001b[2J":1}`;
    const plan = file(join(cwd, 'plan.jsonl'), `${line(open)}\n${line(close)}\n${bad}\n`);
    const run = await planexec(['run', '--db', db, '--no-progress', '--directives', plan], { cwd });
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toContain('\\u001b[2J');
    expect(run.stdout).not.toContain(ESC);

    // the refused line's journal entry quotes the key it refused
    const journal = await planexec(['journal', '--db', db, '--directive', 'DIR_20261124_101500_0e5c0e5c'], { cwd });
    expect(journal.code, explain(journal)).toBe(0);
    expect(journal.stdout).toContain('error_message=line 3: \\u001b[2J: is not a known field');
    const all = await planexec(['journal', '--db', db], { cwd });
    expect(all.stdout).toContain('\\u001b]0;owned\\u0007closed');
    expect(all.stdout).not.toContain(ESC);
    expect(all.stdout).not.toContain(String.fromCharCode(7));

    const positions = await planexec(['positions', '--db', db], { cwd });
    expect(positions.code, explain(positions)).toBe(0);
    expect(positions.stdout).not.toContain(ESC);
    expect(positions.stdout).not.toContain(String.fromCharCode(7));
    expect(positions.stdout).toContain('\\u001b]0;owned\\u0007closed');

    // JSON keeps the exact text (JSON.stringify escapes it)
    const json = await planexec(['positions', '--db', db, '--json'], { cwd });
    expect((JSON.parse(json.stdout) as { close_reason: string }[])[0]?.close_reason).toBe(close.rationale);
  });
});

describe('positions ENTRY', () => {
  it('shows the average entry price PnL uses after two fills at different prices', async () => {
    const cwd = join(dir, 'average');
    const db = join(cwd, 'avg.db');
    const priced = (price: string): string =>
      file(
        join(cwd, `at-${price}.yaml`),
        `connector:\n  paper:\n    slippage_bps: "0"\n    instruments:\n      BTC_USDT:\n        tick_size: "0.01"\n        lot_size: "0.00001"\n        min_quantity: "0.00001"\n        min_notional: "5"\n        reference_price: "${price}"\n`,
      );
    const open = newTradeWire({
      size_plan: { position_size: '0.01' },
      exit_plan: { stop_loss_price: '40000', take_profit_price: '90000' },
    });
    const grow = modifyWire([open.directive_id], { exit_plan: undefined, size_plan: { position_size: '0.02' } });
    const first = await planexec(['run', '--config', priced('60000'), '--db', db, '--json', '-'], { cwd, input: `${line(open)}\n` });
    expect(lastJsonLine(first.stdout), explain(first)).toMatchObject({ succeeded: 1 });
    const second = await planexec(['run', '--config', priced('66000'), '--db', db, '--json', '-'], { cwd, input: `${line(grow)}\n` });
    expect(lastJsonLine(second.stdout), explain(second)).toMatchObject({ succeeded: 1 });

    const json = await planexec(['positions', '--db', db, '--json'], { cwd });
    const [position] = JSON.parse(json.stdout) as { entry_price: string; average_entry_price: string; filled_size: string }[];
    expect(position).toMatchObject({ entry_price: '63000', average_entry_price: '63000', filled_size: '0.02' });

    const table = await planexec(['positions', '--db', db], { cwd });
    const [header, row] = table.stdout.split('\n');
    const at = header!.indexOf('ENTRY');
    expect(at).toBeGreaterThan(0);
    expect(row).toContain(' 63000 ');
    expect(row).not.toContain('60000');

    // a close books PnL against that same average
    const close = await planexec(['run', '--config', priced('66000'), '--db', db, '--json', '-'], { cwd, input: `${line(closeWire([open.directive_id]))}\n` });
    expect(lastJsonLine(close.stdout), explain(close)).toMatchObject({ succeeded: 1 });
    const closed = JSON.parse((await planexec(['positions', '--db', db, '--json'], { cwd })).stdout) as { realized_pnl: string }[];
    expect(closed[0]?.realized_pnl).toBe('60');
  });
});
