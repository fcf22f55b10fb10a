import type { Database } from 'better-sqlite3';
import { systemClock, type Clock } from '../../domain/clock.js';
import type { IPlatformStore } from '../../ports/store.js';
import { MEMORY_DATABASE, openDatabase } from './open-database.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';
import { SqliteJournal } from './sqlite-journal.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { SqliteReadModels } from './sqlite-read-models.js';
import { SqliteVenueBaseline } from './sqlite-venue-baseline.js';
import { storeHealth } from './store-health.js';
import { storeIdentity } from './store-identity.js';
import { InlineStoreWriter, type StoreWriter, type WriterStats } from './store-writer.js';
import { ThreadStoreWriter } from './writer-thread.js';

export interface SqliteStoreOptions {
  /** Stamps entry ids and store-detected anomalies. @default systemClock */
  readonly clock?: Clock;
  /** @default 5000 */
  readonly busyTimeoutMs?: number;
  /** An existing planexec database, read only: nothing created, migrated or written (openDatabase). @default false */
  readonly readOnly?: boolean;
  /**
   * Commit on a writer thread with its own connection, so SQLite's statements and fsyncs leave
   * the event loop to the flows; reads stay on this thread's connection and see committed data.
   * Ignored for ':memory:' and read-only stores. @default false
   */
  readonly writerThread?: boolean;
}

/**
 * Ledger, journal and flows on ONE database and ONE commit queue, so their writes share fsyncs.
 * `database` and `writer` are for tests and benchmarks that look inside; the platform, the server
 * and the CLI see only IPlatformStore (test/architecture/store-port.test.ts).
 */
export interface SqliteStore extends IPlatformStore {
  readonly ledger: SqliteLedger;
  readonly journal: SqliteJournal;
  readonly flows: SqliteFlowStore;
  /** The venue balances planexec first found, per venue (verify's starting point). */
  readonly baseline: SqliteVenueBaseline;
  readonly readModels: SqliteReadModels;
  /** This thread's connection: reads (and every write too unless a writer thread owns them). */
  readonly database: Database;
  /** The store's one writer (on this thread or the writer thread). */
  readonly writer: StoreWriter;
  /** Transactions committed so far, how many were replayed op by op (an op failed), rows changed. */
  commitStats(): WriterStats;
  /** Drain every pending write, then close the database. Idempotent. */
  close(): Promise<void>;
}

/** Open the embedded store at `path` (a file, created with its folder if needed, or ':memory:'). */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const clock = options.clock ?? systemClock;
  const database = openDatabase(path, {
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    readOnly: options.readOnly === true,
  });
  try {
    const readOnly = options.readOnly === true;
    // a read-only store keeps a writer on its query_only connection: SQLite itself refuses the write
    const writer: StoreWriter =
      !readOnly && options.writerThread === true && path !== MEMORY_DATABASE && path !== ''
        ? new ThreadStoreWriter(path, options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs })
        : new InlineStoreWriter(database);
    // a read-only store reads what another process writes: it keeps nothing it read
    const ledger = new SqliteLedger(database, writer, clock, { cacheTrades: !readOnly });
    const journal = new SqliteJournal(database, writer, clock);
    const flows = new SqliteFlowStore(database, writer, clock);
    const baseline = new SqliteVenueBaseline(database, writer);
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        await Promise.all([ledger.close(), journal.close(), flows.close()]);
        await writer.close();
        database.close();
      })());
    const commitStats = (): WriterStats => writer.stats();
    const readModels = new SqliteReadModels(database);
    const identity = (): string => storeIdentity(database);
    const health = (): string => storeHealth(database);
    return { ledger, journal, flows, baseline, readModels, database, writer, identity, health, close, commitStats };
  } catch (error) {
    database.close();
    throw error;
  }
}
