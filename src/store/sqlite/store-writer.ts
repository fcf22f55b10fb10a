import type { Database } from 'better-sqlite3';
import { CommitQueue } from './commit-queue.js';
import { WriteOpRunner, type WriteOp, type WriteOpResults } from './write-ops.js';

/** Commits made so far, how many were replayed op by op (an op failed), and rows changed. */
export interface WriterStats {
  readonly batches: number;
  readonly replays: number;
  /** SQLite total_changes() on the writing connection (triggers included). */
  readonly rows: number;
}

/**
 * The one writer of a SQLite store: ops enqueued in one event-loop turn commit together (group
 * commit) and each resolves once its COMMIT returned, i.e. durable (synchronous=FULL). Two
 * implementations: on the event loop's own connection (InlineStoreWriter), or on a writer thread
 * with its own connection (ThreadStoreWriter), which leaves the event loop to the flows.
 */
export interface StoreWriter {
  /** Enqueue an op; resolves with its result once durable, rejects with its error passed through `mapError`. */
  run<K extends WriteOp['op']>(op: Extract<WriteOp, { op: K }>, mapError?: (error: unknown) => unknown): Promise<WriteOpResults[K]>;
  /** Resolves once everything enqueued before this call is settled. */
  flush(): Promise<void>;
  /** Refuse new ops, settle the queued ones, release the connection the writer owns (not the caller's). */
  close(): Promise<void>;
  stats(): WriterStats;
  /** A pragma on the writing connection, after the ops enqueued before it (e.g. wal_autocheckpoint). */
  pragma(pragma: string): Promise<unknown>;
}

/** Ops run on the caller's connection, inside the event loop's commit queue. */
export class InlineStoreWriter implements StoreWriter {
  readonly #queue: CommitQueue;
  readonly #runner: WriteOpRunner;
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
    this.#queue = new CommitQueue(db);
    this.#runner = new WriteOpRunner(db);
    this.#queue.beforeCommit(() => this.#runner.beforeCommit());
  }

  run<K extends WriteOp['op']>(op: Extract<WriteOp, { op: K }>, mapError?: (error: unknown) => unknown): Promise<WriteOpResults[K]> {
    return this.#queue.run(() => this.#runner.run(op) as WriteOpResults[K], mapError);
  }

  flush(): Promise<void> {
    return this.#queue.flush();
  }

  close(): Promise<void> {
    return this.#queue.close();
  }

  async pragma(pragma: string): Promise<unknown> {
    await this.#queue.flush();
    return this.#db.pragma(pragma);
  }

  stats(): WriterStats {
    return { batches: this.#queue.batches, replays: this.#queue.replays, rows: this.#db.open ? totalChanges(this.#db) : 0 };
  }
}

export function totalChanges(db: Database): number {
  return (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
}
