import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoDirectives } from '../../src/demo/generate-demo-directives.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { expectCorrupted } from '../support/projection-check.js';
import { type CliResult, explain, jsonLines, lastJsonLine, MAIN, planexec } from './run-cli.js';

interface Summary {
  processed: number;
  succeeded: number;
  failed: number;
  in_doubt: number;
  duplicates: number;
  failures_by_reason: Record<string, number>;
  failures: { line: number | null; error_code: string | null; reason: string }[];
  duration_ms: number;
  db: string;
}

type Entry = Record<string, unknown> & { seq: number; event_type: string; directive_id: string | null; hash: string; prev_hash: string };
type PositionJson = Record<string, unknown> & { trade_id: string; status: string };

const POSITION_FIELDS = [
  'trade_id',
  'strategy_id',
  'symbol',
  'direction',
  'entry_price',
  'position_size',
  'stop_loss',
  'take_profit',
  'status',
  'exit_price',
  'close_reason',
  'realized_pnl',
  'fees',
  'opened_at',
  'closed_at',
];

let dir: string;
const line = (value: unknown): string => JSON.stringify(value);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-e2e-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function expectArithmetic(s: Summary): void {
  expect(s.processed).toBe(s.succeeded + s.failed + s.in_doubt + s.duplicates);
}

/** Flows of `db` that reached their stop (0 while the database does not exist yet). */
function stoppedFlows(db: string): number {
  if (!existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare("SELECT count(*) AS n FROM flows WHERE status <> 'RUNNING'").get() as { n: number }).n;
  } catch {
    return 0; // the schema is not there yet
  } finally {
    conn.close();
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A session of one BTC trade (opened, stop moved, resized, closed) and one resting ETH entry cancelled, with bad input mixed in. */
function session(): { text: string; btc: string; eth: string; lines: number } {
  const btc = newTradeWire();
  const eth = newTradeWire({
    strategy_id: 'eth_swing',
    entry_plan: { symbol: 'ETH_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '3300' },
    size_plan: { position_size: '0.5' },
    exit_plan: { stop_loss_price: '3200', take_profit_price: '3700' },
    routing_plan: { time_in_force: 'GTC' },
  });
  const lines = [
    line(btc), // 1
    line(eth), // 2
    '', // 3: blank, skipped
    line(modifyWire([btc.directive_id], { exit_plan: { stop_loss_price: '64500' } })), // 4
    line(modifyWire([btc.directive_id], { exit_plan: undefined, size_plan: { position_size: '0.02' } })), // 5
    line(closeWire([eth.directive_id], { strategy_id: 'eth_swing' })), // 6
    '{"directive_id": "DIR_broken", "scope": ', // 7: malformed JSON
    line(newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT' } })), // 8: LIMIT without price
    line(btc), // 9: redelivered verbatim
    line({ ...newTradeWire(), directive_id: btc.directive_id }), // 10: same id, other content
    line(closeWire([btc.directive_id])), // 11
  ];
  return { text: `${lines.join('\n')}\n`, btc: btc.directive_id, eth: eth.directive_id, lines: 10 };
}

describe('planexec run', () => {
  const s = session();
  let db: string;
  let first: CliResult;

  beforeAll(async () => {
    db = join(dir, 'run', 'session.db');
    first = await planexec(['run', '--db', db, '--json', '--directives', file('session.jsonl', s.text)]);
  });

  it('drives every line to its stop and prints one JSON summary on the last line', () => {
    expect(first.code, explain(first)).toBe(0);
    const stdoutLines = first.stdout.split('\n').filter((l) => l !== '');
    expect(stdoutLines).toHaveLength(1);
    const summary = lastJsonLine<Summary>(first.stdout);
    expectArithmetic(summary);
    expect(summary).toMatchObject({ processed: s.lines, succeeded: 6, failed: 2, in_doubt: 0, duplicates: 2 });
    expect(summary.failures_by_reason).toEqual({ VALIDATION_FAILED: 2 });
    expect(summary.db).toBe(db);
    expect(summary.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('names the line of each bad input in its reason', () => {
    const summary = lastJsonLine<Summary>(first.stdout);
    expect(summary.failures.map((f) => f.line).sort()).toEqual([7, 8]);
    for (const failure of summary.failures) expect(failure.reason).toContain(`line ${failure.line}`);
  });

  it('puts the paper venue beside the database', () => {
    expect(existsSync(`${db}.venue.db`)).toBe(true);
  });

  it('executes a repeated directive id once: one position, one TRADE_OPENED', async () => {
    const positions = await planexec(['positions', '--db', db, '--json']);
    expect(positions.code, explain(positions)).toBe(0);
    const list = JSON.parse(positions.stdout) as PositionJson[];
    expect(list.map((p) => p.trade_id).sort()).toEqual([s.btc, s.eth].sort());
    const journal = jsonLines<Entry>((await planexec(['journal', '--db', db, '--json', '--directive', s.btc])).stdout);
    expect(journal.filter((e) => e.event_type === 'TRADE_OPENED')).toHaveLength(1);
  });

  it('executes nothing twice when the same file runs again against the same database', async () => {
    const before = jsonLines<Entry>((await planexec(['journal', '--db', db, '--json'])).stdout);
    const again = await planexec(['run', '--db', db, '--json', '--directives', join(dir, 'session.jsonl')]);
    expect(again.code, explain(again)).toBe(0);
    const summary = lastJsonLine<Summary>(again.stdout);
    expectArithmetic(summary);
    expect(summary.processed).toBe(s.lines);
    expect(summary.succeeded).toBe(0);
    expect(summary.duplicates).toBeGreaterThanOrEqual(8);
    const after = jsonLines<Entry>((await planexec(['journal', '--db', db, '--json'])).stdout);
    const count = (entries: Entry[], type: string): number => entries.filter((e) => e.event_type === type).length;
    for (const type of ['ORDER_INTENT', 'TRADE_OPENED', 'POSITION_MODIFIED', 'TRADE_CLOSED']) expect(count(after, type)).toBe(count(before, type));
  });

  it('reads directives from stdin with -', async () => {
    const stdinDb = join(dir, 'stdin.db');
    const result = await planexec(['run', '--db', stdinDb, '--json', '-'], { input: `${line(newTradeWire())}\n\nnot json\n` });
    expect(result.code, explain(result)).toBe(0);
    expect(lastJsonLine<Summary>(result.stdout)).toMatchObject({ processed: 2, succeeded: 1, failed: 1, duplicates: 0 });
  });

  it('on Ctrl-C stops reading, finishes the flows in flight, summarises and exits 130', async () => {
    const child = spawn(process.execPath, [MAIN, 'run', '--db', join(dir, 'sigint.db'), '--json', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(`${line(newTradeWire())}\n`); // stdin stays open: only the signal ends the run
    // the signal goes once the flow has stopped: reading has begun (handlers installed), however slow the machine
    await waitUntil(() => stoppedFlows(join(dir, 'sigint.db')) >= 1);
    child.kill('SIGINT');
    expect(await done).toBe(130);
    expect(lastJsonLine<Summary & { interrupted: boolean }>(stdout)).toMatchObject({ processed: 1, succeeded: 1, interrupted: true });
  });

  it('prints a readable summary without --json', async () => {
    const result = await planexec(['run', '--db', join(dir, 'human.db'), '--directives', file('one.jsonl', `${line(newTradeWire())}\n`)]);
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toMatch(/succeeded\s+1/);
    expect(result.stdout).toContain('database:');
  });
});

describe('planexec journal', () => {
  let db: string;

  beforeAll(async () => {
    db = join(dir, 'journal.db');
    const s = session();
    const result = await planexec(['run', '--db', db, '--json', '--directives', file('journal.jsonl', s.text)]);
    expect(result.code, explain(result)).toBe(0);
  });

  it('prints JSON Lines with seq, event type, ids, causality and the hash chain', async () => {
    const result = await planexec(['journal', '--db', db, '--json']);
    expect(result.code, explain(result)).toBe(0);
    const entries = jsonLines<Entry>(result.stdout);
    expect(entries.length).toBeGreaterThan(10);
    entries.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      for (const key of ['entry_id', 'event_type', 'flow_id', 'directive_id', 'strategy_id', 'timestamp', 'correlation_id', 'causation_id', 'prev_hash', 'hash']) {
        expect(e).toHaveProperty(key);
      }
      if (i > 0) expect(e.prev_hash).toBe(entries[i - 1]!.hash);
    });
    const types = new Set(entries.map((e) => e.event_type));
    for (const type of ['TRADE_OPENED', 'POSITION_MODIFIED', 'TRADE_CLOSED', 'EXECUTION_FAILED']) expect(types).toContain(type);
  });

  it('stops quietly when the reader of stdout goes away (| head)', async () => {
    // a journal far larger than a pipe's buffer, so the writer is still writing when the reader leaves
    const big = join(dir, 'big-journal.db');
    expect((await planexec(['demo', '--db', big, '--directives', '150', '--json'])).code).toBe(0);
    const child = spawn(process.execPath, [MAIN, 'journal', '--db', big, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('filters by directive', async () => {
    const all = jsonLines<Entry>((await planexec(['journal', '--db', db, '--json'])).stdout);
    const id = all.find((e) => e.event_type === 'TRADE_OPENED')!.directive_id!;
    const some = jsonLines<Entry>((await planexec(['journal', '--db', db, '--json', '--directive', id])).stdout);
    expect(some.length).toBeGreaterThan(0);
    expect(some.every((e) => e.directive_id === id)).toBe(true);
  });

  it('prints a table for people', async () => {
    const result = await planexec(['journal', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^\s*SEQ\s+TIME\s+EVENT/);
  });

  it('verifies an intact chain (exit 0), then finds a tampered entry (exit 1 with its seq)', async () => {
    const copy = join(dir, 'tampered.db');
    expectCorrupted(copy);
    const intact = await planexec(['journal', '--db', db, '--verify']);
    expect(intact.code, explain(intact)).toBe(0);
    expect(intact.stdout).toMatch(/^journal intact: \d+ entries/);
    const json = await planexec(['journal', '--db', db, '--verify', '--json']);
    expect(lastJsonLine(json.stdout)).toMatchObject({ ok: true });

    const source = new Database(db);
    await source.backup(copy);
    source.close();
    const tamper = new Database(copy);
    tamper.exec('DROP TRIGGER journal_no_update');
    tamper.prepare("UPDATE journal SET body = replace(body, 'BTC_USDT', 'ETH_USDT') WHERE seq = (SELECT MIN(seq) FROM journal WHERE body LIKE '%BTC_USDT%')").run();
    const bad = (tamper.prepare("SELECT MIN(seq) AS seq FROM journal WHERE body LIKE '%ETH_USDT%'").get() as { seq: number }).seq;
    tamper.close();

    const broken = await planexec(['journal', '--db', copy, '--verify']);
    expect(broken.code, explain(broken)).toBe(1);
    expect(broken.stdout).toContain(`journal broken at seq ${bad}`);
    const brokenJson = await planexec(['journal', '--db', copy, '--verify', '--json']);
    expect(brokenJson.code).toBe(1);
    expect(lastJsonLine(brokenJson.stdout)).toMatchObject({ ok: false, first_bad_seq: bad });
  });

  it('exits 2 for a database that does not exist, without creating it', async () => {
    const missing = join(dir, 'nothing-here.db');
    const result = await planexec(['journal', '--db', missing, '--verify']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no planexec database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('planexec positions', () => {
  let db: string;
  let open: string;

  beforeAll(async () => {
    db = join(dir, 'positions.db');
    const kept = newTradeWire({ strategy_id: 'keeper' });
    const gone = newTradeWire();
    open = kept.directive_id;
    const text = [line(kept), line(gone), line(closeWire([gone.directive_id]))].join('\n');
    const result = await planexec(['run', '--db', db, '--json', '--directives', file('positions.jsonl', text)]);
    expect(result.code, explain(result)).toBe(0);
  });

  it('prints the contract fields with decimals as strings', async () => {
    const result = await planexec(['positions', '--db', db, '--json']);
    expect(result.code, explain(result)).toBe(0);
    const list = JSON.parse(result.stdout) as PositionJson[];
    expect(list).toHaveLength(2);
    for (const p of list) {
      for (const key of POSITION_FIELDS) expect(p).toHaveProperty(key);
      expect(typeof p.position_size).toBe('string');
      expect(typeof p.realized_pnl).toBe('string');
      expect(typeof p.fees).toBe('string');
      expect(p.symbol).toBe('BTC_USDT');
    }
    const closed = list.find((p) => p.status === 'CLOSED')!;
    expect(closed.exit_price).toMatch(/^\d+(\.\d+)?$/);
    expect(closed.close_reason).not.toBeNull();
  });

  it('filters by status', async () => {
    const openOnly = JSON.parse((await planexec(['positions', '--db', db, '--json', '--status', 'OPEN'])).stdout) as PositionJson[];
    expect(openOnly.map((p) => p.trade_id)).toEqual([open]);
    const closedOnly = JSON.parse((await planexec(['positions', '--db', db, '--json', '--status', 'CLOSED'])).stdout) as PositionJson[];
    expect(closedOnly).toHaveLength(1);
    expect(closedOnly[0]!.status).toBe('CLOSED');
  });

  it('prints a table for people', async () => {
    const result = await planexec(['positions', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^TRADE\s+STRATEGY\s+SYMBOL/);
    expect(result.stdout).toContain('2 positions: 1 open, 1 closed');
  });

  it('refuses an unknown --status with exit 2', async () => {
    const result = await planexec(['positions', '--db', db, '--status', 'HALF']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--status must be OPEN or CLOSED');
  });
});

describe('bad usage and bad config', () => {
  const cases: [string, string[]][] = [
    ['run without input', ['run']],
    ['run with a file and stdin', ['run', '--directives', 'x.jsonl', '-']],
    ['run with a stray argument', ['run', 'x.jsonl']],
    ['run with a missing file', ['run', '--directives', '/nonexistent/x.jsonl']],
    ['an unknown option', ['run', '--bogus', '-']],
    ['an unknown command', ['frobnicate']],
    ['no command at all', []],
    ['demo with a bad seed', ['demo', '--seed', 'abc']],
  ];

  it.each(cases)('exits 2 for %s', async (_name, args) => {
    const result = await planexec(args, { cwd: dir });
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).not.toBe('');
    expect(result.stdout).not.toContain('"processed"');
  });

  it('exits 2 with file:line:col for a bad config', async () => {
    const config = file('bad.yaml', 'orchestration:\n  plan_execution:\n    timeout_seconds: soon\n');
    const result = await planexec(['run', '--config', config, '--db', join(dir, 'never.db'), '-'], { input: line(newTradeWire()) });
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:3:\d+: orchestration\.plan_execution\.timeout_seconds/);
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });

  it('exits 2 for connector.type ccxt without an exchange, or without trading keys, naming the key', async () => {
    const bare = file('ccxt.yaml', 'connector:\n  type: ccxt\n');
    const noExchange = await planexec(['run', '--config', bare, '--db', join(dir, 'ccxt.db'), '-']);
    expect(noExchange.code, explain(noExchange)).toBe(2);
    expect(noExchange.stderr).toMatch(new RegExp(`${bare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: connector\\.ccxt\\.exchange: .*\\[required_for_ccxt\\]`));
    const keyless = file('ccxt-keyless.yaml', 'connector:\n  type: ccxt\n  ccxt:\n    exchange: binance\n');
    const noKeys = await planexec(['run', '--config', keyless, '--db', join(dir, 'ccxt.db'), '-']);
    expect(noKeys.code, explain(noKeys)).toBe(2);
    expect(noKeys.stderr).toContain(`${keyless}: connector.ccxt.api_key: trading on binance needs api_key`);
    expect(noKeys.stderr).toContain('[required_to_trade]');
  });

  it('exits 0 for --help and --version', async () => {
    expect((await planexec(['--help'])).code).toBe(0);
    const version = await planexec(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('planexec demo', () => {
  it('runs a seeded session and prints a JSON summary', async () => {
    const db = join(dir, 'demo', 'demo.db');
    const result = await planexec(['demo', '--db', db, '--directives', '80', '--seed', '7', '--json']);
    expect(result.code, explain(result)).toBe(0);
    const summary = lastJsonLine<Summary & { journal: { ok: boolean }; trades: { opened: number; open: number; closed: number }; directives_file: string }>(
      result.stdout,
    );
    expectArithmetic(summary);
    expect(summary.processed).toBe(80);
    expect(summary.journal.ok).toBe(true);
    expect(existsSync(summary.directives_file)).toBe(true);
    // the venue, the orchestrator and the strategy agree: only the deliberate bad lines fail, every trade is flattened
    const demo = generateDemoDirectives({ seed: 7, count: 80 });
    const count = (kind: string): number => demo.kinds.filter((k) => k === kind).length;
    expect(summary.failed).toBe(count('INVALID'));
    expect(summary.duplicates).toBe(count('DUPLICATE'));
    expect(summary.succeeded).toBe(80 - count('INVALID') - count('DUPLICATE'));
    expect(summary.trades.opened).toBe(count('NEW_TRADE'));
    expect(summary.trades.open).toBe(0);
  });

  it('runs in a fresh temporary world by default and prints a readable summary', async () => {
    const result = await planexec(['demo', '--directives', '50']);
    expect(result.code, explain(result)).toBe(0);
    const db = /database:\s+(\S+)/.exec(result.stdout)?.[1];
    expect(db).toBeDefined();
    try {
      expect(result.stdout).toContain('journal verified');
      expect(result.stdout).toMatch(/realised PnL/);
      expect(result.stdout).toMatch(/processed\s+50/);
    } finally {
      if (db && dirname(db).includes('planexec-demo-')) rmSync(dirname(db), { recursive: true, force: true });
    }
  });
});
