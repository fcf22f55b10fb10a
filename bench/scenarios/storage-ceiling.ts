/**
 * The storage ceiling: the same journal, ledger and flow rows the orchestrator writes, written
 * straight to SQLite with the same durability (the store's own openDatabase: WAL,
 * synchronous=FULL, same schema and indexes), with none of planexec's work in between.
 *
 * 1. Capture: run the throughput workload through the platform while recording every write
 *    statement the store executes on its database (SQL text + bound values, in order), including
 *    the commit queue's BEGIN IMMEDIATE / COMMIT, so the batches are exactly the group commits
 *    the orchestrated run made. Reads are not recorded (they are the orchestrator's logic).
 * 2. Replay into a fresh database, timed:
 *    (a) group commit: the captured transactions as they were: THE ceiling;
 *    (b) one transaction (one fsync) per directive: the same rows cut into as many equal
 *        transactions as there were directives;
 *    (c) all rows in one transaction: SQLite's raw insert speed for these rows.
 *
 *   node --expose-gc --import tsx bench/scenarios/storage-ceiling.ts --strategies 100 --count 10000
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { openDatabase } from '../../src/store/sqlite/open-database.js';
import { FlowDriver, openBenchPlatform } from '../bench-platform.js';
import { log, numberArg, runIfMain, settleHeap, type ScenarioArgs, type ScenarioResult } from '../scenario.js';
import { workloadStream } from '../workload.js';

/** One captured write: index into the statement texts, and the values bound to it. */
interface CapturedWrite {
  readonly sql: number;
  readonly args: readonly unknown[];
}

export interface Capture {
  readonly directives: number;
  readonly statements: readonly string[];
  readonly writes: readonly CapturedWrite[];
  /** Seconds the captured orchestrated run took (with the recording's overhead: not a figure). */
  readonly seconds: number;
}

const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const TABLE = /^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/i;

function copyArg(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return [...(value as unknown[])];
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  return { ...(value as Record<string, unknown>) };
}

type RunFunction = (this: Statement, ...args: unknown[]) => unknown;

/** Records every successful `Statement.run` on `db` (better-sqlite3 shares one Statement prototype). */
function recordWrites(db: Database): { statements: string[]; writes: CapturedWrite[]; stop: () => void } {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run: RunFunction };
  const original = proto.run;
  const statements: string[] = [];
  const index = new Map<string, number>();
  const writes: CapturedWrite[] = [];
  proto.run = function (this: Statement, ...args: unknown[]): unknown {
    const result = original.apply(this, args);
    if (this.database === db && !this.reader) {
      let sql = index.get(this.source);
      if (sql === undefined) {
        sql = statements.length;
        statements.push(this.source);
        index.set(this.source, sql);
      }
      writes.push({ sql, args: args.map(copyArg) });
    }
    return result;
  };
  return { statements, writes, stop: () => void (proto.run = original) };
}

export async function captureWrites(strategies: number, count: number): Promise<Capture> {
  const bench = await openBenchPlatform();
  const driver = new FlowDriver(bench.platform, { keepLatencies: false });
  const recording = recordWrites(bench.platform.store.database);
  try {
    const start = performance.now();
    for (const line of workloadStream({ count, strategies, seed: 1, idPrefix: 'B' })) await driver.submit(line.text, line.directiveId);
    await driver.waitForStops();
    await bench.platform.orchestrator.drain();
    const seconds = (performance.now() - start) / 1000;
    const timing = driver.timing();
    if (timing.failed > 0) throw new Error(`capture run: ${timing.failed} flows failed: ${JSON.stringify(timing.failures)}`);
    return { directives: count, statements: recording.statements, writes: recording.writes, seconds };
  } finally {
    recording.stop();
    driver.dispose();
    await bench.dispose();
  }
}

interface Replay {
  readonly seconds: number;
  /** Of which in COMMIT (WAL write, fsync, automatic checkpoints). */
  readonly commitSeconds: number;
  readonly transactions: number;
  /** Pages written to the WAL per transaction (only when the variant counts them). */
  readonly walPagesPerCommit: number | null;
}

interface ReplayVariant {
  /** Overrides the store's synchronous=FULL (what-if only: not crash-safe). */
  readonly synchronous?: 'NORMAL' | 'OFF';
  /** Leave out the writes whose SQL matches (what-if: a store that does not write them). */
  readonly skip?: RegExp;
  /** Run on the fresh database before the replay (what-if: another schema, e.g. an index dropped). */
  readonly ddl?: readonly string[];
  /** Turn automatic checkpoints off and count the WAL pages written: what one commit costs the disk. */
  readonly countWalPages?: boolean;
}

function replay(path: string, statements: readonly string[], writes: readonly CapturedWrite[], transactions: number, variant: ReplayVariant = {}): Replay {
  const db = openDatabase(path);
  try {
    if (variant.synchronous) db.pragma(`synchronous = ${variant.synchronous}`);
    if (variant.countWalPages) db.pragma('wal_autocheckpoint = 0');
    for (const ddl of variant.ddl ?? []) db.exec(ddl);
    const prepared = statements.map((sql) => db.prepare(sql));
    const isCommit = statements.map((sql) => /^\s*COMMIT\b/i.test(sql));
    const skipped = statements.map((sql) => variant.skip?.test(sql) ?? false);
    let commitMs = 0;
    const start = performance.now();
    for (const write of writes) {
      if (skipped[write.sql]) continue;
      if (isCommit[write.sql]) {
        const t = performance.now();
        prepared[write.sql]!.run(...write.args);
        commitMs += performance.now() - t;
      } else prepared[write.sql]!.run(...write.args);
    }
    const seconds = (performance.now() - start) / 1000;
    let walPagesPerCommit: number | null = null;
    if (variant.countWalPages) {
      const [checkpoint] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      walPagesPerCommit = (checkpoint?.log ?? 0) / transactions;
    }
    return { seconds, commitSeconds: commitMs / 1000, transactions, walPagesPerCommit };
  } finally {
    db.close();
  }
}

/** The data writes (no transaction control) cut into `parts` transactions of (nearly) equal size. */
function regroup(capture: Capture, parts: number): { statements: string[]; writes: CapturedWrite[] } {
  const statements = [...capture.statements, 'BEGIN IMMEDIATE', 'COMMIT'];
  const begin = statements.length - 2;
  const commit = statements.length - 1;
  const data = capture.writes.filter((w) => !CONTROL.test(capture.statements[w.sql]!));
  const writes: CapturedWrite[] = [];
  for (let p = 0; p < parts; p += 1) {
    const from = Math.floor((p * data.length) / parts);
    const to = Math.floor(((p + 1) * data.length) / parts);
    writes.push({ sql: begin, args: [] });
    for (let i = from; i < to; i += 1) writes.push(data[i]!);
    writes.push({ sql: commit, args: [] });
  }
  return { statements, writes };
}

/** Rows written per directive, by table and statement kind (what one flow costs the store). */
function writesPerDirective(capture: Capture): Record<string, number> {
  const counts = new Map<string, number>();
  for (const write of capture.writes) {
    const sql = capture.statements[write.sql]!;
    if (CONTROL.test(sql)) continue;
    const match = TABLE.exec(sql);
    const key = match ? `${sql.trim().split(/\s+/)[0]!.toUpperCase()} ${match[1]}` : sql.slice(0, 40);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, Math.round((n / capture.directives) * 100) / 100]));
}

export async function storageCeiling(options: { readonly strategies: number; readonly count: number }): Promise<ScenarioResult> {
  const capture = await captureWrites(options.strategies, options.count);
  await settleHeap();
  const commits = capture.writes.filter((w) => /^\s*COMMIT\b/i.test(capture.statements[w.sql]!)).length;
  const dataWrites = capture.writes.filter((w) => !CONTROL.test(capture.statements[w.sql]!)).length;
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-ceiling-'));
  try {
    const grouped = replay(join(dir, 'grouped.db'), capture.statements, capture.writes, commits);
    const perDirective = regroup(capture, capture.directives);
    const single = replay(join(dir, 'per-directive.db'), perDirective.statements, perDirective.writes, capture.directives);
    const oneTx = regroup(capture, 1);
    const all = replay(join(dir, 'one-transaction.db'), oneTx.statements, oneTx.writes, 1);
    // what-ifs, same batches: how much is durability, and how much the undo log and head updates cost
    const notDurable = replay(join(dir, 'sync-off.db'), capture.statements, capture.writes, commits, { synchronous: 'OFF' });
    const leaner = replay(join(dir, 'leaner.db'), capture.statements, capture.writes, commits, { skip: /^\s*(UPDATE\s+journal_head|INSERT(\s+OR\s+\w+)?\s+INTO\s+ledger_undo)\b/i });
    // what one commit writes, and how much of it the journal's two secondary indexes are: their keys
    // (flow and directive ids) are spread over the index, so each entry dirties a leaf page of its own
    const pages = replay(join(dir, 'pages.db'), capture.statements, capture.writes, commits, { countWalPages: true });
    const journalIndexes = ['DROP INDEX journal_by_directive', 'DROP INDEX journal_by_flow'];
    const pagesNoJournalIndexes = replay(join(dir, 'pages-no-journal-indexes.db'), capture.statements, capture.writes, commits, { countWalPages: true, ddl: journalIndexes });
    const noJournalIndexes = replay(join(dir, 'no-journal-indexes.db'), capture.statements, capture.writes, commits, { ddl: journalIndexes });
    const rate = (r: Replay): number => capture.directives / r.seconds;
    log(
      `storage ceiling (${capture.directives} directives, ${dataWrites} row writes, ${commits} commits): group commit ${rate(grouped).toFixed(0)}/s, ` +
        `1 tx per directive ${rate(single).toFixed(0)}/s, 1 tx ${rate(all).toFixed(0)}/s`,
    );
    return {
      scenario: 'storage-ceiling',
      figures: {
        group_commit_directives_per_second: { value: rate(grouped), unit: 'directives/s' },
        per_directive_commit_directives_per_second: { value: rate(single), unit: 'directives/s' },
        one_transaction_directives_per_second: { value: rate(all), unit: 'directives/s' },
        row_writes_per_second: { value: dataWrites / grouped.seconds, unit: 'rows/s' },
      },
      details: {
        strategies: options.strategies,
        directives: capture.directives,
        row_writes: dataWrites,
        row_writes_per_directive: dataWrites / capture.directives,
        writes_per_directive_by_statement: writesPerDirective(capture),
        group_commits: commits,
        directives_per_commit: capture.directives / commits,
        row_writes_per_commit: dataWrites / commits,
        seconds: { group_commit: grouped.seconds, per_directive: single.seconds, one_transaction: all.seconds },
        commit_seconds: { group_commit: grouped.commitSeconds, per_directive: single.commitSeconds, one_transaction: all.commitSeconds },
        what_if_directives_per_second: {
          group_commit_synchronous_off: rate(notDurable),
          group_commit_without_journal_head_updates_and_ledger_undo: rate(leaner),
          group_commit_without_journal_secondary_indexes: rate(noJournalIndexes),
        },
        wal_pages_per_commit: pages.walPagesPerCommit,
        wal_pages_per_commit_without_journal_secondary_indexes: pagesNoJournalIndexes.walPagesPerCommit,
        capture_run_seconds_with_recording: capture.seconds,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function storageCeilingFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  return storageCeiling({ strategies: numberArg(args, 'strategies', 100), count: numberArg(args, 'count', 10_000) });
}

runIfMain(import.meta.url, storageCeilingFromArgs);
