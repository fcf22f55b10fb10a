import type { Pool, PoolClient } from 'pg';
import type { StoreCommitStats } from '../../ports/store.js';
import { crashPoint } from '../sqlite/commit-queue.js';

/** Database writes of one unit, inside the writer's transaction; re-run when its batch is replayed, so no effect outside the database. */
export type PgUnitWork<T> = (client: PoolClient) => Promise<T>;

interface Unit {
  readonly work: PgUnitWork<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Units in one transaction at most: a batch's statements are sent one after another, so a bound keeps a commit's latency bounded. */
const MAX_BATCH = 512;

/**
 * The worker's one writer to PostgreSQL: group commit, as SQLite's CommitQueue. Units run in the
 * order they were enqueued (a strategy's journal entries are chained in the order its flow wrote
 * them), batched into one transaction while the previous commit is in flight, and resolved only
 * after COMMIT returned (synchronous_commit on: flushed to the WAL). A failing unit rolls its
 * batch back; the batch is then replayed unit by unit, so it fails alone.
 */
export class PgWriter {
  readonly #pool: Pool;
  #queue: Unit[] = [];
  #running = false;
  #batches = 0;
  #replays = 0;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  run<T>(work: PgUnitWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) void this.#drain();
    });
  }

  stats(): StoreCommitStats {
    return { batches: this.#batches, replays: this.#replays, rows: 0 };
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        await this.#commitBatch(batch);
      }
    } finally {
      this.#running = false;
    }
  }

  async #commitBatch(batch: readonly Unit[]): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      for (const unit of batch) unit.reject(error);
      return;
    }
    let broken = false;
    try {
      const outcome = await this.#transaction(client, batch);
      broken = !outcome.ok && !isServerError(outcome.error);
      if (outcome.ok) {
        batch.forEach((unit, i) => unit.resolve(outcome.results[i]));
      } else if (batch.length === 1) {
        batch[0]!.reject(outcome.error);
      } else {
        this.#replays += 1;
        for (const unit of batch) {
          const alone = await this.#transaction(client, [unit]);
          if (alone.ok) unit.resolve(alone.results[0]);
          else unit.reject(alone.error);
          broken ||= !alone.ok && !isServerError(alone.error);
        }
      }
    } finally {
      // a connection that failed (not a statement the server refused) is dropped, not reused
      client.release(broken);
    }
  }

  /** The units in one transaction: their results once committed, or what failed (everything rolled back). */
  async #transaction(client: PoolClient, units: readonly Unit[]): Promise<{ ok: true; results: unknown[] } | { ok: false; error: unknown }> {
    const results: unknown[] = [];
    try {
      await client.query('BEGIN');
      for (const unit of units) results.push(await unit.work(client));
      crashPoint('before');
      await client.query('COMMIT');
      this.#batches += 1;
      crashPoint('after');
      return { ok: true, results };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      return { ok: false, error };
    }
  }
}

/** An error the server answered with (it carries an SQLSTATE), as opposed to a lost connection. */
function isServerError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((error as { code: string }).code);
}
