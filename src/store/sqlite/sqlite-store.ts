import type { Database } from 'better-sqlite3';
import { systemClock, type Clock } from '../../domain/clock.js';
import { CommitQueue } from './commit-queue.js';
import { JournalAppender } from './journal-appender.js';
import { openDatabase } from './open-database.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';
import { SqliteJournal } from './sqlite-journal.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { SqliteVenueBaseline } from './sqlite-venue-baseline.js';

export interface SqliteStoreOptions {
  /** Stamps entry ids and store-detected anomalies. @default systemClock */
  readonly clock?: Clock;
  /** @default 5000 */
  readonly busyTimeoutMs?: number;
  /** An existing planexec database, read only: nothing created, migrated or written (openDatabase). @default false */
  readonly readOnly?: boolean;
}

/** Ledger, journal and flows on ONE database and ONE commit queue, so their writes share fsyncs. */
export interface SqliteStore {
  readonly ledger: SqliteLedger;
  readonly journal: SqliteJournal;
  readonly flows: SqliteFlowStore;
  /** The venue balances planexec first found, per venue (verify's starting point). */
  readonly baseline: SqliteVenueBaseline;
  readonly database: Database;
  /** Transactions committed so far and how many had to be replayed unit by unit (a unit failed). */
  commitStats(): { readonly batches: number; readonly replays: number };
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
    const queue = new CommitQueue(database);
    const appender = new JournalAppender(database, clock, queue);
    const ledger = new SqliteLedger(database, queue, clock);
    const journal = new SqliteJournal(database, queue, appender);
    const flows = new SqliteFlowStore(database, queue, appender);
    const baseline = new SqliteVenueBaseline(database, options.readOnly === true ? null : queue);
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        await queue.close();
        await Promise.all([ledger.close(), journal.close(), flows.close()]);
        database.close();
      })());
    return { ledger, journal, flows, baseline, database, close, commitStats: () => ({ batches: queue.batches, replays: queue.replays }) };
  } catch (error) {
    database.close();
    throw error;
  }
}
