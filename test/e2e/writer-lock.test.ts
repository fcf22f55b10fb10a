import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { explain, jsonLines, lastJsonLine, MAIN, planexec, type CliResult, until } from './run-cli.js';

/**
 * One writer per database (docs/reliability.md): a second writer is refused at once with exit 3
 * naming the holder, `--wait` waits, a writer killed with SIGKILL leaves nothing to clean up, and
 * commands that only read neither need the lock nor create files.
 */

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-writer-lock-'));
});

afterAll(() => {
  chmodAll(dir);
  rmSync(dir, { recursive: true, force: true });
});

function chmodAll(path: string): void {
  chmodSync(path, 0o777);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) chmodAll(join(path, entry.name));
  }
}

/** A fresh folder per test, so "no file created" can be checked by listing it. */
function folder(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

/** NEW_TRADE SOL_USDT BUY 1 each, spread over `strategies` strategies so flows run concurrently. */
function tradesFile(path: string, count: number, strategies: number): string[] {
  const wires = Array.from({ length: count }, (_, i) =>
    newTradeWire({
      strategy_id: `sol_${i % strategies}`,
      entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' },
      size_plan: { position_size: '1' },
      exit_plan: { stop_loss_price: '120', take_profit_price: '190' },
      routing_plan: { time_in_force: 'IOC' },
    }),
  );
  writeFileSync(path, wires.map((w) => `${JSON.stringify(w)}\n`).join(''));
  return wires.map((w) => w.directive_id);
}

/** Every venue call takes `latencyMs`: flows stay in flight long enough to meet them. */
function slowVenueConfig(path: string, latencyMs: number): string {
  writeFileSync(path, `connector:\n  type: paper\n  paper:\n    latency_ms: ${latencyMs}\n`);
  return path;
}

interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  /** What it printed on stderr so far. */
  stderr(): string;
}

/**
 * A CLI process left running. Given `input`, it reads directives from stdin (`run -`): those lines
 * are written at once and stdin stays open, so the run holds the database until the test ends it.
 */
function startCli(args: readonly string[], input?: string): Running {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, PLANEXEC_ENV: '' }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (input !== undefined) {
    child.stdin!.on('error', () => undefined);
    child.stdin!.write(input);
  }
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

/** Entries of the journal, read straight from the file (a reader beside the writer). */
function journalCount(db: string, eventType: string): number {
  if (!existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'journal'").all();
    if (tables.length === 0) return 0;
    return (conn.prepare('SELECT count(*) AS n FROM journal WHERE event_type = ?').get(eventType) as { n: number }).n;
  } catch {
    return 0; // the schema is being created
  } finally {
    conn.close();
  }
}

function acceptedIds(db: string): string[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare("SELECT directive_id FROM journal WHERE event_type = 'DIRECTIVE_ACCEPTED'").all() as { directive_id: string }[]).map((r) => r.directive_id);
  } finally {
    conn.close();
  }
}


/** Net quantity the venue holds per symbol, from its own fills. */
function venueNet(venueFile: string): Map<string, number> {
  const conn = new Database(venueFile, { readonly: true, fileMustExist: true });
  try {
    const rows = conn.prepare('SELECT symbol, side, quantity FROM fills').all() as { symbol: string; side: string; quantity: string }[];
    const net = new Map<string, number>();
    for (const r of rows) net.set(r.symbol, (net.get(r.symbol) ?? 0) + (r.side === 'BUY' ? 1 : -1) * Number(r.quantity));
    return net;
  } finally {
    conn.close();
  }
}

type PositionJson = { trade_id: string; status: string; symbol: string; direction: string; entry_price: string | null; filled_size: string };

async function expectOneOpenPerDirective(db: string, ids: readonly string[]): Promise<PositionJson[]> {
  const journal = await planexec(['journal', '--db', db, '--json']);
  expect(journal.code, explain(journal)).toBe(0);
  const opened = jsonLines<{ event_type: string; directive_id: string }>(journal.stdout).filter((e) => e.event_type === 'TRADE_OPENED');
  const perDirective = new Map<string, number>();
  for (const e of opened) perDirective.set(e.directive_id, (perDirective.get(e.directive_id) ?? 0) + 1);
  for (const id of ids) expect(perDirective.get(id) ?? 0, `TRADE_OPENED of ${id}`).toBe(1);
  expect(opened).toHaveLength(ids.length);

  const positions = await planexec(['positions', '--db', db, '--json']);
  expect(positions.code, explain(positions)).toBe(0);
  const list = JSON.parse(positions.stdout) as PositionJson[];
  expect(list.map((p) => p.trade_id).sort()).toEqual([...ids].sort());
  for (const p of list) {
    expect(p.filled_size, p.trade_id).toBe('1');
    expect(p.entry_price, p.trade_id).not.toBeNull();
  }
  const ledgerSol = list.filter((p) => p.status === 'OPEN').reduce((sum, p) => sum + Number(p.filled_size), 0);
  expect(venueNet(`${db}.venue.db`).get('SOL_USDT')).toBe(ledgerSol);
  return list;
}

describe('one writer per database', () => {
  it('refuses a second run at once with exit 3 naming the holder; the first run finishes and the ledger matches the venue', async () => {
    const here = folder('two-runs');
    const db = join(here, 'shared.db');
    const config = slowVenueConfig(join(here, 'slow.yaml'), 150);
    const ids = tradesFile(join(here, 'first.jsonl'), 12, 4);
    const otherIds = tradesFile(join(here, 'second.jsonl'), 4, 2);

    // the first run reads stdin, kept open until the checks are done: it holds the database however slow this machine is
    const first = startCli(['run', '--db', db, '--config', config, '--json', '-'], readFileSync(join(here, 'first.jsonl'), 'utf8'));
    await until('the first run to accept a directive', () => journalCount(db, 'DIRECTIVE_ACCEPTED') > 0);
    expect(journalCount(db, 'TRADE_OPENED')).toBeLessThan(ids.length); // still mid-flight

    const started = performance.now();
    const second = await planexec(['run', '--db', db, '--config', config, '--directives', join(here, 'second.jsonl'), '--json']);
    const secondMs = performance.now() - started;
    expect(second.code, explain(second)).toBe(3);
    expect(secondMs).toBeLessThan(5_000);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(db);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    expect(second.stderr).toContain('run');
    expect(second.stderr).toContain('--wait');

    // recover and demo are writers too
    const recover = await planexec(['recover', '--db', db, '--config', config]);
    expect(recover.code, explain(recover)).toBe(3);
    const demo = await planexec(['demo', '--db', db, '--directives', '5', '--json']);
    expect(demo.code, explain(demo)).toBe(3);
    expect(existsSync(`${db}.demo-directives.jsonl`)).toBe(false); // refused before writing anything of its own

    // readers work beside the writer
    const reading = await planexec(['positions', '--db', db, '--json']);
    expect(reading.code, explain(reading)).toBe(0);
    const verifying = await planexec(['journal', '--db', db, '--verify']);
    expect(verifying.code, explain(verifying)).toBe(0);

    first.child.stdin!.end();
    const result = await first.done;
    expect(result.code, explain(result)).toBe(0);
    const summary = lastJsonLine<{ processed: number; succeeded: number }>(result.stdout);
    expect(summary).toMatchObject({ processed: ids.length, succeeded: ids.length });
    // the refused run executed nothing: the ledger holds the first run's trades only
    await expectOneOpenPerDirective(db, ids);
    expect(otherIds).toHaveLength(4);
  }, 60_000);

  it('with --wait, the second run waits for the first, says so, then runs', async () => {
    const here = folder('wait');
    const db = join(here, 'shared.db');
    const config = slowVenueConfig(join(here, 'slow.yaml'), 100);
    const ids = tradesFile(join(here, 'first.jsonl'), 6, 3);
    const otherIds = tradesFile(join(here, 'second.jsonl'), 3, 3);

    const first = startCli(['run', '--db', db, '--config', config, '--json', '-'], readFileSync(join(here, 'first.jsonl'), 'utf8'));
    await until('the first run to accept a directive', () => journalCount(db, 'DIRECTIVE_ACCEPTED') > 0);
    const waiting = startCli(['run', '--wait', '--db', db, '--config', config, '--directives', join(here, 'second.jsonl'), '--json']);
    await until('the second run to say it waits', () => /waiting/i.test(waiting.stderr()));
    expect(acceptedIds(db).filter((id) => otherIds.includes(id))).toEqual([]); // it waits: none of its directives taken yet
    first.child.stdin!.end();
    const firstResult = await first.done;
    const second = await waiting.done;
    expect(firstResult.code, explain(firstResult)).toBe(0);
    expect(second.code, explain(second)).toBe(0);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    const summary = lastJsonLine<{ processed: number; succeeded: number; recovery?: unknown }>(second.stdout);
    expect(summary).toMatchObject({ processed: otherIds.length, succeeded: otherIds.length });
    expect(summary.recovery).toBeUndefined(); // nothing of the first run looked interrupted
    await expectOneOpenPerDirective(db, [...ids, ...otherIds]);
  }, 60_000);

  it('after kill -9 of the writer, the next run starts at once, recovers and opens each trade once', async () => {
    const here = folder('killed');
    const db = join(here, 'killed.db');
    const config = slowVenueConfig(join(here, 'slow.yaml'), 150);
    const file = join(here, 'trades.jsonl');
    const ids = tradesFile(file, 12, 4);

    const first = startCli(['run', '--db', db, '--config', config, '--directives', file, '--json']);
    await until('the first run to accept a directive', () => journalCount(db, 'DIRECTIVE_ACCEPTED') > 0);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.code).toBeNull();

    const started = performance.now();
    const again = await planexec(['run', '--db', db, '--config', config, '--directives', file, '--json']);
    expect(again.code, explain(again)).toBe(0);
    expect(again.stderr).not.toContain('in use');
    expect(performance.now() - started).toBeLessThan(30_000);
    const summary = lastJsonLine<{ processed: number; recovery?: { interrupted: number } }>(again.stdout);
    expect(summary.processed).toBe(ids.length);
    expect(summary.recovery?.interrupted ?? 0).toBeGreaterThan(0);
    await expectOneOpenPerDirective(db, ids);
  }, 60_000);
});

describe('read-only commands on a path with no database', () => {
  it.each([
    ['positions', ['positions']],
    ['positions --json', ['positions', '--json']],
    ['journal', ['journal']],
    ['journal --verify', ['journal', '--verify']],
    ['journal --json', ['journal', '--json']],
  ])('%s exits 2 naming the path and creates no file', async (name, args) => {
    const here = folder(`missing-${name.replace(/\W+/g, '-')}`);
    const db = join(here, 'typo.bd');
    const result = await planexec([...args, '--db', db]);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`no planexec database at ${db}`);
    expect(readdirSync(here)).toEqual([]);
  });

  it('a file that is not a planexec database exits 2 and is left as it was', async () => {
    const here = folder('not-a-db');
    const path = join(here, 'notes.txt');
    writeFileSync(path, 'not a database\n');
    const result = await planexec(['positions', '--db', path]);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).toContain(`no planexec database at ${path}`);
    expect(readdirSync(here)).toEqual(['notes.txt']);
  });

  it('recover on a missing database exits 2 and creates nothing', async () => {
    const here = folder('recover-missing');
    const db = join(here, 'missing.db');
    const result = await planexec(['recover', '--db', db]);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).toContain(`no planexec database at ${db}`);
    expect(readdirSync(here)).toEqual([]);
  });

  it('reading an existing database leaves no new file beside it', async () => {
    const here = folder('read-existing');
    const db = join(here, 'x.db');
    tradesFile(join(here, 'one.jsonl'), 1, 1);
    const run = await planexec(['run', '--db', db, '--directives', join(here, 'one.jsonl'), '--json']);
    expect(run.code, explain(run)).toBe(0);
    const before = readdirSync(here).sort();
    for (const args of [['positions'], ['journal'], ['journal', '--verify']]) {
      const result = await planexec([...args, '--db', db]);
      expect(result.code, explain(result)).toBe(0);
    }
    expect(readdirSync(here).sort()).toEqual(before);
  });
});

const isRoot = process.getuid?.() === 0;
const NOBODY = 65_534;

/** As a user the permissions apply to: root writes anywhere, so as root the CLI runs as nobody. */
function planexecUnprivileged(args: readonly string[]): Promise<CliResult & { ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...process.env, PLANEXEC_ENV: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe('a --db that cannot be written', () => {
  /** A folder the unprivileged user can enter (the test's temp folder is private to its owner). */
  function openFolder(name: string): string {
    chmodSync(dir, 0o755);
    const path = folder(name);
    chmodSync(path, 0o777);
    return path;
  }

  function directives(here: string): string {
    const file = join(here, 'one.jsonl');
    tradesFile(file, 1, 1);
    chmodSync(file, 0o644);
    return file;
  }

  it('a folder that is not writable: run exits 2 at once naming the path', async () => {
    const here = openFolder('ro-folder');
    const file = directives(here);
    const locked = join(here, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const db = join(locked, 'x.db');
    const result = await planexecUnprivileged(['run', '--db', db, '--directives', file, '--json']);
    expect(result.code, explain(result)).toBe(2);
    expect(result.ms).toBeLessThan(10_000);
    expect(result.stderr).toContain(locked);
    expect(result.stderr).toMatch(/not writable|permission denied/i);
    expect(readdirSync(locked)).toEqual([]);
  }, 20_000);

  it('a path in a missing folder that cannot be created: run exits 2 at once', async () => {
    const here = openFolder('ro-parent');
    const file = directives(here);
    const locked = join(here, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const db = join(locked, 'missing', 'x.db');
    const result = await planexecUnprivileged(['run', '--db', db, '--directives', file, '--json']);
    expect(result.code, explain(result)).toBe(2);
    expect(result.ms).toBeLessThan(10_000);
    expect(result.stderr).toContain(locked);
  }, 20_000);

  it('a folder that cannot be entered: run exits 2 naming it, positions says it cannot read', async () => {
    const here = openFolder('closed-folder');
    const file = directives(here);
    const closed = join(here, 'closed');
    mkdirSync(closed);
    chmodSync(closed, 0o000); // no one but root may search it
    const db = join(closed, 'sub', 'x.db');
    const run = await planexecUnprivileged(['run', '--db', db, '--directives', file, '--json']);
    expect(run.code, explain(run)).toBe(2);
    expect(run.stderr).toContain(`cannot write the database ${db}: ${closed} cannot be entered (permission denied)`);
    const positions = await planexecUnprivileged(['positions', '--db', db]);
    expect(positions.code, explain(positions)).toBe(2);
    expect(positions.stderr).toContain(db);
  }, 20_000);

  it('a read-only database file: run, recover and demo exit 2 at once and execute nothing', async () => {
    const here = openFolder('ro-file');
    const file = directives(here);
    const db = join(here, 'x.db');
    const seed = await planexec(['run', '--db', db, '--directives', file, '--json']);
    expect(seed.code, explain(seed)).toBe(0);
    chmodSync(db, 0o444);
    const more = join(here, 'more.jsonl');
    tradesFile(more, 2, 1);
    chmodSync(more, 0o644);
    for (const args of [
      ['run', '--db', db, '--directives', more, '--json'],
      ['recover', '--db', db],
      ['demo', '--db', db, '--directives', '5', '--json'],
    ]) {
      const result = await planexecUnprivileged(args);
      expect(result.code, `${args.join(' ')}\n${explain(result)}`).toBe(2);
      expect(result.ms).toBeLessThan(10_000);
      expect(result.stderr).toContain(db);
      expect(result.stderr).toMatch(/read-only|not writable|permission denied/i);
    }
    expect(journalCount(db, 'DIRECTIVE_ACCEPTED')).toBe(1);
    // reading still works
    const positions = await planexecUnprivileged(['positions', '--db', db, '--json']);
    expect(positions.code, explain(positions)).toBe(0);
    expect(JSON.parse(positions.stdout)).toHaveLength(1);
  }, 60_000);
});
