import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { systemClock, type Clock } from '../../domain/clock.js';
import { errorMessage, StorageError } from '../../domain/errors.js';
import type { IPlatformStore, IReadOnlyStore, StoreCommitStats } from '../../ports/store.js';
import { PgFlowStore } from './pg-flow-store.js';
import { PgJournal } from './pg-journal.js';
import { PgLedger } from './pg-ledger.js';
import { PgReadModels } from './pg-read-models.js';
import { assertPgSchema, migratePg } from './pg-schema.js';
import { redactedUrl } from '../../config/storage-check.js';
import { PgVenueBaseline } from './pg-venue-baseline.js';
import { PgWorkerRegistry } from './pg-worker-registry.js';
import { PgWriter } from './pg-writer.js';

export interface PgStoreOptions {
  /** Stamps entry ids and store-detected anomalies. @default systemClock */
  readonly clock?: Clock;
  /** This worker's id: the owner of the flows it begins or takes over. */
  readonly workerId: string;
  /** How long a flow lease lasts unless renewed. */
  readonly leaseMs: number;
  /** Connections this worker keeps. @default 10 */
  readonly poolSize?: number;
}

/** The PostgreSQL store a worker writes; `pool` and `workerId` are for the worker's leases and for tests. */
export interface PgStore extends IPlatformStore {
  readonly flows: PgFlowStore;
  readonly workers: PgWorkerRegistry;
  readonly pool: pg.Pool;
  readonly workerId: string;
}

/** How often the readiness answer is refreshed (health() is synchronous; the probe is not). */
const HEALTH_PROBE_MS = 5_000;

/**
 * Open (migrating it if needed) the PostgreSQL store at `url` for one worker: ledger, journal
 * (one chain per strategy), flows with leases, venue baseline and read models on one pool.
 * Several workers open the same database at once; each owns the flows it leases.
 */
export async function openPgStore(url: string, options: PgStoreOptions): Promise<PgStore> {
  const clock = options.clock ?? systemClock;
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 });
  let health = 'ok';
  // an idle client's connection dropped: the pool replaces it; the store reports it until the next good probe
  pool.on('error', (error) => (health = `error: ${errorMessage(error)}`));
  try {
    await migratePg(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(error, url);
  }
  // one writer for ledger, journal and flows: their writes share commits, in the order they were made
  const writer = new PgWriter(pool);
  const journal = new PgJournal(pool, clock, writer);
  const ledger = new PgLedger(pool, () => new Date(clock.now()).toISOString(), writer);
  const flows = new PgFlowStore(pool, journal, { workerId: options.workerId, leaseMs: options.leaseMs }, writer);
  const baseline = new PgVenueBaseline(pool);
  const readModels = new PgReadModels(pool);
  const workers = new PgWorkerRegistry(pool, flows, { workerId: options.workerId, leaseMs: options.leaseMs });
  let storeId: string;
  try {
    await baseline.load();
    // recorded alive before it takes any flow over
    await workers.heartbeat();
    await pool.query('INSERT INTO store_identity (one, store_id, created_at) VALUES (1, $1, $2) ON CONFLICT DO NOTHING', [randomUUID(), new Date(clock.now()).toISOString()]);
    storeId = (await pool.query<{ store_id: string }>('SELECT store_id FROM store_identity WHERE one = 1')).rows[0]!.store_id;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(error, url);
  }
  let closed = false;
  const probe = setInterval(() => {
    pool.query('SELECT 1').then(
      () => (health = 'ok'),
      (error: unknown) => (health = `error: ${errorMessage(error)}`),
    );
  }, HEALTH_PROBE_MS);
  probe.unref();
  let closing: Promise<void> | undefined;
  return {
    ledger,
    journal,
    flows,
    baseline,
    readModels,
    workers,
    pool,
    workerId: options.workerId,
    identity: () => storeId,
    health: () => (closed ? 'closed' : health),
    commitStats: (): StoreCommitStats => writer.stats(),
    close: () =>
      (closing ??= (async () => {
        closed = true;
        clearInterval(probe);
        await workers.leave().catch(() => undefined);
        await Promise.all([ledger.close(), journal.close()]);
        await pool.end();
      })()),
  };
}

/**
 * An existing PostgreSQL store opened to read it beside running workers: nothing created or
 * migrated, and the session is read only. One connection, so `snapshot` can hold a
 * REPEATABLE READ transaction across every read inside it.
 */
export async function openPgStoreForReading(url: string): Promise<IReadOnlyStore> {
  const pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 0, connectionTimeoutMillis: 10_000, options: '-c default_transaction_read_only=on' });
  pool.on('error', () => undefined);
  try {
    await assertPgSchema(pool, redactedUrl(url));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error instanceof StorageError ? error : unreachable(error, url);
  }
  const journal = new PgJournal(pool, systemClock);
  const ledger = new PgLedger(pool);
  const flows = new PgFlowStore(pool, journal, { workerId: `reader-${randomUUID()}`, leaseMs: 0 });
  const baseline = new PgVenueBaseline(pool);
  await baseline.load();
  let closing: Promise<void> | undefined;
  return {
    ledger,
    journal,
    flows,
    baseline,
    readModels: new PgReadModels(pool),
    async snapshot<T>(read: () => Promise<T>): Promise<T> {
      await pool.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await read();
      } finally {
        await pool.query('COMMIT').catch(() => undefined);
      }
    },
    close: () => (closing ??= pool.end()),
  };
}

function unreachable(error: unknown, url: string): StorageError {
  if (error instanceof StorageError) return error;
  return new StorageError(`cannot open the PostgreSQL store at ${redactedUrl(url)}: ${errorMessage(error)}`, 'STORAGE_NOT_READABLE', undefined, error);
}
