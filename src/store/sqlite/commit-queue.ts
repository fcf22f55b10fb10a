import type { Database, Statement } from 'better-sqlite3';
import { StorageError } from '../../domain/errors.js';

/**
 * Test hook for the crash tests (docs/reliability.md; the PostgreSQL writer uses it too): PLANEXEC_CRASH_POINT=commit-before:N or
 * commit-after:N makes the process SIGKILL itself right before (the transaction written but not
 * committed) or right after (committed, no caller told yet) the Nth COMMIT it runs. Unset, it
 * costs one comparison per batch.
 */
const CRASH_POINT = parseCrashPoint(process.env['PLANEXEC_CRASH_POINT']);
let commitsInProcess = 0;

function parseCrashPoint(value: string | undefined): { readonly when: 'before' | 'after'; readonly n: number } | null {
  const match = value === undefined ? null : /^commit-(before|after):(\d+)$/.exec(value.trim());
  if (!match) return null;
  return { when: match[1] as 'before' | 'after', n: Number(match[2]) };
}

export function crashPoint(when: 'before' | 'after'): void {
  if (CRASH_POINT === null) return;
  if (when === 'before') commitsInProcess += 1;
  if (CRASH_POINT.when === when && commitsInProcess === CRASH_POINT.n) process.kill(process.pid, 'SIGKILL');
}

/**
 * A unit of work: synchronous database writes, run inside the queue's transaction. It must have
 * no effect outside the database, because a batch in which some unit fails is rolled back and
 * replayed (see CommitQueue).
 */
export type UnitWork<T> = () => T;

interface Unit {
  readonly work: UnitWork<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit. Every write is a unit of work; all units enqueued during one event-loop turn run,
 * in order, inside ONE transaction and are resolved only after its COMMIT returned: with
 * synchronous=FULL that is after the fsync, so a resolved write is durable, and one fsync is
 * shared by the whole batch (that is what makes durable journaling fast).
 *
 * A batch first runs optimistically with no savepoints. If a unit throws, the transaction is
 * rolled back and the batch replayed with each unit in its own SAVEPOINT, so the failing unit
 * rejects alone and the others commit. Failures are rare, so the common path pays nothing for
 * isolation.
 *
 * better-sqlite3 is synchronous, so a batch runs from BEGIN to COMMIT without yielding: a read
 * made from JavaScript never sees a half-done batch, only committed data.
 */
export class CommitQueue {
  readonly #db: Database;
  readonly #begin: Statement;
  readonly #commit: Statement;
  readonly #rollback: Statement;
  readonly #savepoint: Statement;
  readonly #release: Statement;
  readonly #rollbackToSavepoint: Statement;
  readonly #beforeCommit: (() => void)[] = [];
  #queue: Unit[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #idle: (() => void)[] = [];
  #closed = false;
  #batches = 0;
  #replays = 0;

  constructor(db: Database) {
    this.#db = db;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT unit');
    this.#release = db.prepare('RELEASE unit');
    this.#rollbackToSavepoint = db.prepare('ROLLBACK TO unit');
  }

  /**
   * Enqueue a unit; resolves with its result once durable, rejects with what it threw (or the
   * commit's error), passed through `mapError` when given (saves a promise per call on the hot path).
   */
  run<T>(work: UnitWork<T>, mapError?: (error: unknown) => unknown): Promise<T> {
    if (this.#closed) {
      const closed = new StorageError('store is closed', 'STORAGE_CLOSED');
      return Promise.reject(mapError ? mapError(closed) : closed);
    }
    return new Promise<T>((resolve, reject) => {
      const fail = mapError ? (error: unknown) => reject(mapError(error)) : reject;
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject: fail });
      this.#schedule();
    });
  }

  /**
   * Run `hook` inside every transaction, after its units and right before COMMIT: work done once
   * per batch rather than once per unit (the journal head). A hook that throws fails the batch.
   */
  beforeCommit(hook: () => void): void {
    this.#beforeCommit.push(hook);
  }

  /** Units waiting for their batch. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Transactions run so far (units / batches is the grouping achieved). */
  get batches(): number {
    return this.#batches;
  }

  /** Batches that had a failing unit and were replayed with savepoints. */
  get replays(): number {
    return this.#replays;
  }

  /** Resolves once everything enqueued before this call has been committed (or rejected). */
  flush(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Refuse new units and wait for the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(): void {
    if (this.#scheduled !== undefined) return;
    // setImmediate, not a microtask: every caller woken in this turn gets to enqueue first.
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      this.#runBatch();
    });
  }

  #runBatch(): void {
    const units = this.#queue;
    this.#queue = [];
    if (units.length > 0) {
      this.#batches += 1;
      if (!this.#runOptimistic(units)) {
        this.#replays += 1;
        this.#runIsolated(units);
      }
    }
    if (this.#queue.length > 0) {
      this.#schedule();
    } else {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  /** All units in one transaction; false (and rolled back) if one threw and the batch must be replayed. */
  #runOptimistic(units: readonly Unit[]): boolean {
    try {
      this.#begin.run();
    } catch (error) {
      for (const unit of units) unit.reject(error);
      return true;
    }
    const values: unknown[] = [];
    for (const unit of units) {
      try {
        values.push(unit.work());
      } catch (error) {
        this.#rollbackQuietly();
        if (units.length > 1) return false;
        unit.reject(error);
        return true;
      }
    }
    try {
      this.#commitNow();
    } catch (error) {
      this.#rollbackQuietly();
      for (const unit of units) unit.reject(error);
      return true;
    }
    for (let i = 0; i < units.length; i += 1) units[i]!.resolve(values[i]);
    return true;
  }

  /** Each unit in its own savepoint: a failing unit is rolled back and rejected alone. */
  #runIsolated(units: readonly Unit[]): void {
    let done: { readonly unit: Unit; readonly value: unknown }[] = [];
    for (const unit of units) {
      if (!this.#db.inTransaction) {
        try {
          this.#begin.run();
        } catch (error) {
          unit.reject(error);
          continue;
        }
      }
      try {
        this.#savepoint.run();
        const value = unit.work();
        this.#release.run();
        done.push({ unit, value });
      } catch (error) {
        this.#rollbackSavepoint();
        if (!this.#db.inTransaction) {
          // The whole transaction is gone (SQLite aborts it on e.g. disk full): so are the earlier units.
          for (const earlier of done) earlier.unit.reject(error);
          done = [];
        }
        unit.reject(error);
      }
    }
    if (!this.#db.inTransaction) return;
    try {
      this.#commitNow();
    } catch (error) {
      this.#rollbackQuietly();
      for (const { unit } of done) unit.reject(error);
      return;
    }
    for (const { unit, value } of done) unit.resolve(value);
  }

  #commitNow(): void {
    for (const hook of this.#beforeCommit) hook();
    crashPoint('before');
    this.#commit.run();
    crashPoint('after');
  }

  #rollbackSavepoint(): void {
    if (!this.#db.inTransaction) return;
    try {
      this.#rollbackToSavepoint.run();
      this.#release.run();
    } catch {
      this.#rollbackQuietly();
    }
  }

  #rollbackQuietly(): void {
    if (!this.#db.inTransaction) return;
    try {
      this.#rollback.run();
    } catch {
      // nothing left to roll back
    }
  }
}
