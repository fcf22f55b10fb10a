/**
 * The reference journal ceiling (DESIGN §8): what this machine's SQLite does durably with a lean
 * journal, the baseline the orchestrated throughput is judged against. A fresh database in the
 * same temporary directory (same file system) as the store: WAL, synchronous=FULL, one table of
 * entries (INTEGER PRIMARY KEY seq, a flow key that grows with time and ONE index on it, a ~1 KiB
 * JSON body, the hash), each entry hash-chained (sha256 over the previous hash + the stored
 * text), written in group commits of 100 entries for a few seconds. Entries interleave over 100
 * open flows, as 100 strategies' flows do, so their keys all sit at the index's right edge.
 * After the timed run, a few more commits with automatic checkpoints off count the WAL pages.
 *
 *   node --import tsx bench/scenarios/journal-ceiling.ts [--seconds 3] [--batch 100] [--body-bytes 1024] [--open-flows 100]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { walPagesDuring } from '../bench-platform.js';
import { log, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';

export interface JournalCeilingOptions {
  /** How long the timed run lasts (whole commits: it may overrun by one). @default 3 */
  readonly seconds: number;
  /** Entries per transaction. @default 100 */
  readonly batch?: number;
  /** Length of each entry's JSON text. @default 1024 */
  readonly bodyBytes?: number;
  /** Flows open at once; entries go round-robin over them. @default 100 */
  readonly openFlows?: number;
  /** Commits counted for the WAL pages (after the timed run). @default 20 */
  readonly walCommits?: number;
}

/** Entries of one flow before the next flow (a larger key) takes its place. */
const ENTRIES_PER_FLOW = 8;
const GENESIS = '0'.repeat(64);

const SCHEMA = `
CREATE TABLE journal (
  seq INTEGER PRIMARY KEY,
  flow_key TEXT NOT NULL,
  body TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX journal_by_flow_key ON journal (flow_key);
`;

/** The chained journal: `append` builds, hashes and inserts one entry; `commit` runs a batch in one transaction. */
export class ReferenceJournal {
  readonly db: Database;
  readonly #insert: Statement<[number, string, string, string]>;
  readonly #bodyBytes: number;
  readonly #openFlows: number;
  readonly #pad: string;
  #seq = 0;
  #hash = GENESIS;

  constructor(path: string, options: { readonly bodyBytes: number; readonly openFlows: number }) {
    this.db = new DatabaseConstructor(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.#insert = this.db.prepare<[number, string, string, string]>('INSERT INTO journal (seq, flow_key, body, hash) VALUES (?, ?, ?, ?)');
    this.#bodyBytes = options.bodyBytes;
    this.#openFlows = options.openFlows;
    this.#pad = 'x'.repeat(options.bodyBytes);
  }

  get entries(): number {
    return this.#seq;
  }

  get head(): string {
    return this.#hash;
  }

  /** The flow key of entry `seq` (1-based): open flows in turn, each replaced by a newer one after ENTRIES_PER_FLOW entries. */
  flowKey(seq: number): string {
    const i = seq - 1;
    const slot = i % this.#openFlows;
    const generation = Math.floor(i / (this.#openFlows * ENTRIES_PER_FLOW));
    return `F${String(generation * this.#openFlows + slot).padStart(12, '0')}`;
  }

  /** One transaction of `count` entries: fsync'd when it returns (synchronous=FULL). */
  commit(count: number): void {
    this.db.transaction(() => {
      for (let i = 0; i < count; i += 1) this.#append();
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  #append(): void {
    const seq = this.#seq + 1;
    const flowKey = this.flowKey(seq);
    const head = `{"seq":${seq},"flow_key":"${flowKey}","kind":"ORDER_RESULT","at":${Date.now()},"pad":"`;
    const text = `${head}${this.#pad.slice(0, Math.max(0, this.#bodyBytes - head.length - 2))}"}`;
    const hash = createHash('sha256').update(this.#hash).update(text).digest('hex');
    this.#insert.run(seq, flowKey, text, hash);
    this.#seq = seq;
    this.#hash = hash;
  }
}

/** Recomputes the chain from the stored rows: the index of the first entry whose hash does not follow, or -1. */
export function firstBrokenLink(db: Database): number {
  let previous = GENESIS;
  let index = 0;
  for (const row of db.prepare<[], { body: string; hash: string }>('SELECT body, hash FROM journal ORDER BY seq').iterate()) {
    if (createHash('sha256').update(previous).update(row.body).digest('hex') !== row.hash) return index;
    previous = row.hash;
    index += 1;
  }
  return -1;
}

export async function journalCeiling(options: JournalCeilingOptions): Promise<ScenarioResult> {
  const batch = options.batch ?? 100;
  const bodyBytes = options.bodyBytes ?? 1024;
  const openFlows = options.openFlows ?? 100;
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-journal-'));
  const journal = new ReferenceJournal(join(dir, 'journal.db'), { bodyBytes, openFlows });
  try {
    // untimed: the first pages of table and index are not the steady state
    for (let i = 0; i < 10; i += 1) journal.commit(batch);
    const from = journal.entries;
    let commits = 0;
    const start = performance.now();
    const end = start + options.seconds * 1000;
    let now = start;
    while (now < end) {
      journal.commit(batch);
      commits += 1;
      now = performance.now();
    }
    const seconds = (now - start) / 1000;
    const entries = journal.entries - from;
    const perSecond = entries / seconds;

    const walCommits = options.walCommits ?? 20;
    const walPages = await walPagesDuring(journal.db, () => {
      for (let i = 0; i < walCommits; i += 1) journal.commit(batch);
      return Promise.resolve();
    });
    const textBytes = journal.db.prepare('SELECT length(body) FROM journal ORDER BY seq DESC LIMIT 1').pluck().get() as number;
    log(`journal ceiling: ${entries} entries in ${commits} commits of ${batch}, ${seconds.toFixed(2)} s = ${perSecond.toFixed(0)} entries/s, ${walPages === null ? '?' : (walPages / walCommits).toFixed(1)} WAL pages per commit`);
    return {
      scenario: 'journal-ceiling',
      figures: {
        entries_per_second: { value: perSecond, unit: 'entries/s' },
        commits_per_second: { value: commits / seconds, unit: 'commits/s' },
        ...(walPages === null ? {} : { wal_pages_per_entry: { value: walPages / (walCommits * batch), unit: 'pages' } }),
      },
      details: {
        seconds,
        entries,
        commits,
        batch,
        body_bytes: textBytes,
        open_flows: openFlows,
        entries_per_flow: ENTRIES_PER_FLOW,
        wal_pages_per_commit: walPages === null ? null : walPages / walCommits,
        wal_commits_counted: walCommits,
        page_size: journal.db.pragma('page_size', { simple: true }),
        setup: 'better-sqlite3, WAL, synchronous=FULL; INTEGER PRIMARY KEY seq, one index on a time-ordered flow key; sha256(prev hash + stored text) per entry',
      },
    };
  } finally {
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function journalCeilingFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  return journalCeiling({
    seconds: numberArg(args, 'seconds', 3),
    batch: numberArg(args, 'batch', 100),
    bodyBytes: numberArg(args, 'body-bytes', 1024),
    openFlows: numberArg(args, 'open-flows', 100),
  });
}

runIfMain(import.meta.url, journalCeilingFromArgs);
