/**
 * Journal throughput of the SQLite store (not a test). Durable = synchronous=FULL + WAL, every
 * figure below is for writes that resolved only after their commit's fsync.
 *
 *   npx tsx bench/store-throughput.ts [--entries 100000] [--sequential 100000] [--callers 1000] [--batch 10] [--json]
 *
 * (a) one entry per call, each awaited before the next: one commit (fsync) per entry.
 * (b) the same entries from N concurrent callers: group commit shares each fsync.
 * (d) the same entries from N concurrent callers, each call an append() of --batch entries
 *     (a flow journals intent + result + trade together): fewer units per entry.
 * (c) ceiling: raw better-sqlite3 inserts of the same rows into the same schema, in ONE
 *     transaction with synchronous=FULL: what SQLite itself can do, with no per-entry work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalEntryInput } from '../src/ports/journal.js';
import { openSqliteStore } from '../src/store/index.js';
import { openDatabase } from '../src/store/sqlite/open-database.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ENTRIES = arg('entries', 100_000);
const SEQUENTIAL = arg('sequential', 100_000);
const CALLERS = arg('callers', 1000);
const BATCH = arg('batch', 10);
const JSON_OUT = process.argv.includes('--json');

function entry(i: number): JournalEntryInput {
  const flow = `DIR_20261124_101500_${(i % 5000).toString(16).padStart(8, '0')}`;
  return {
    event_type: 'ORDER_INTENT',
    flow_id: flow,
    directive_id: flow,
    strategy_id: 'btc_momentum',
    timestamp: '2026-11-24T10:15:00.000Z',
    correlation_id: flow,
    causation_id: null,
    body: { client_order_id: `PX${i.toString(16).padStart(16, '0')}-E`, side: 'BUY', quantity: '0.015', limit_price: '65000.1', attempt: 1 },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Result {
  readonly case: string;
  readonly entries: number;
  readonly seconds: number;
  readonly per_second: number;
  readonly commits?: number;
  readonly p50_ms?: number;
  readonly p99_ms?: number;
}

const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-'));
const results: Result[] = [];
try {
  // (a) sequential
  {
    const store = openSqliteStore(join(dir, 'a.db'));
    const latencies: number[] = [];
    const start = performance.now();
    for (let i = 0; i < SEQUENTIAL; i += 1) {
      const t = performance.now();
      await store.journal.logEntry(entry(i));
      latencies.push(performance.now() - t);
    }
    const seconds = (performance.now() - start) / 1000;
    latencies.sort((x, y) => x - y);
    results.push({ case: '(a) sequential, 1 entry per awaited call', entries: SEQUENTIAL, seconds, per_second: SEQUENTIAL / seconds, commits: SEQUENTIAL, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) });
    await store.close();
  }

  // (b) concurrent callers, group commit
  {
    const path = join(dir, 'b.db');
    const store = openSqliteStore(path);
    const perCaller = Math.ceil(ENTRIES / CALLERS);
    const latencies: number[] = [];
    const batchesBefore = store.commitStats().batches;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        for (let k = 0; k < perCaller; k += 1) {
          const i = c * perCaller + k;
          if (i >= ENTRIES) return;
          const t = performance.now();
          await store.journal.logEntry(entry(i));
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    latencies.sort((x, y) => x - y);
    const verifyStart = performance.now();
    const verdict = await store.journal.verify();
    const verifySeconds = (performance.now() - verifyStart) / 1000;
    if (!verdict.ok || verdict.entries !== ENTRIES) throw new Error(`bench journal does not verify: ${JSON.stringify(verdict)}`);
    results.push({ case: `(b) ${CALLERS} concurrent callers, group commit`, entries: ENTRIES, seconds, per_second: ENTRIES / seconds, commits: store.commitStats().batches - batchesBefore, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) });
    results.push({ case: '    verify() of (b)', entries: ENTRIES, seconds: verifySeconds, per_second: ENTRIES / verifySeconds });

    // (c) ceiling: the rows (b) wrote, inserted raw into a fresh copy of the schema in one transaction
    const rows = store.database.prepare('SELECT * FROM journal ORDER BY seq').all() as Record<string, unknown>[];
    await store.close();
    const raw = openDatabase(join(dir, 'c.db'));
    const insert = raw.prepare(
      `INSERT INTO journal (seq, entry_id, event_type, flow_id, directive_id, strategy_id, timestamp, correlation_id, causation_id, body, prev_hash, hash)
       VALUES (@seq, @entry_id, @event_type, @flow_id, @directive_id, @strategy_id, @timestamp, @correlation_id, @causation_id, @body, @prev_hash, @hash)`,
    );
    const start2 = performance.now();
    raw.transaction(() => {
      for (const row of rows) insert.run(row);
    })();
    const seconds2 = (performance.now() - start2) / 1000;
    results.push({ case: '(c) ceiling: raw inserts, 1 transaction', entries: rows.length, seconds: seconds2, per_second: rows.length / seconds2, commits: 1 });
    raw.close();
  }

  // (d) concurrent callers appending several entries per call
  {
    const store = openSqliteStore(join(dir, 'd.db'));
    const calls = Math.ceil(ENTRIES / BATCH);
    const perCaller = Math.ceil(calls / CALLERS);
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        for (let k = 0; k < perCaller; k += 1) {
          const call = c * perCaller + k;
          if (call >= calls) return;
          const t = performance.now();
          await store.journal.append(Array.from({ length: BATCH }, (_unused, j) => entry(call * BATCH + j)));
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    latencies.sort((x, y) => x - y);
    const written = calls * BATCH;
    results.push({ case: `(d) ${CALLERS} callers, append() of ${BATCH} each`, entries: written, seconds, per_second: written / seconds, commits: store.commitStats().batches, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) });
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (JSON_OUT) {
  console.log(JSON.stringify({ bench: 'store-throughput', node: process.version, results }));
} else {
  console.log('case'.padEnd(48), 'entries'.padStart(8), 'seconds'.padStart(8), 'entries/s'.padStart(10), 'commits'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8));
  for (const r of results) {
    console.log(
      r.case.padEnd(48),
      String(r.entries).padStart(8),
      r.seconds.toFixed(2).padStart(8),
      Math.round(r.per_second).toString().padStart(10),
      (r.commits?.toString() ?? '').padStart(8),
      (r.p50_ms?.toFixed(3) ?? '').padStart(8),
      (r.p99_ms?.toFixed(3) ?? '').padStart(8),
    );
  }
  const c = results.find((r) => r.case.startsWith('(c)'));
  for (const r of results.filter((x) => x.case.startsWith('(b)') || x.case.startsWith('(d)'))) {
    if (c) console.log(`${r.case.slice(0, 3)} reaches ${((r.per_second / c.per_second) * 100).toFixed(1)}% of the one-transaction ceiling`);
  }
}
