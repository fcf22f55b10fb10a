import { systemClock } from '../../domain/clock.js';
import { StorageError } from '../../domain/errors.js';
import type { FlowRecord } from '../../ports/flow-store.js';
import { openDatabase } from './open-database.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';
import { SqliteJournal } from './sqlite-journal.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { SqliteVenueBaseline } from './sqlite-venue-baseline.js';

/** Ledger and journal of an existing database, opened read-only: nothing is written, not even a migration. */
export interface ReadOnlyStore {
  readonly ledger: SqliteLedger;
  readonly journal: SqliteJournal;
  readonly baseline: SqliteVenueBaseline;
  /**
   * Run `read` inside one read transaction: every read sees the same committed state, even while
   * another process keeps writing (WAL readers never block the writer, nor are blocked by it).
   */
  snapshot<T>(read: () => Promise<T>): Promise<T>;
  /** Flows begun and not stopped: in flight in a running writer, or interrupted by a crash. */
  unfinishedFlows(): number;
  /** Every row of the flows table. */
  listFlows(): Promise<FlowRecord[]>;
  close(): void;
}

/**
 * Throws StorageError (STORAGE_NOT_FOUND, STORAGE_NOT_READABLE, STORAGE_SCHEMA_TOO_OLD / _NEW: the
 * CLI's exit 2) for a missing, foreign or other-version database; see openDatabase's `untouched`.
 */
export function openReadOnlyStore(path: string): ReadOnlyStore {
  const db = openDatabase(path, { readOnly: true, untouched: true });
  try {
    // no writer: read-only statements only
    const ledger = new SqliteLedger(db, null, systemClock);
    const journal = new SqliteJournal(db, null, systemClock);
    const database = db;
    const running = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM flows WHERE status = 'RUNNING'");
    const flows = new SqliteFlowStore(db, null, systemClock);
    return {
      unfinishedFlows: () => running.get()?.n ?? 0,
      listFlows: () => flows.list({ limit: Number.MAX_SAFE_INTEGER }),
      ledger,
      journal,
      baseline: new SqliteVenueBaseline(db, null),
      async snapshot<T>(read: () => Promise<T>): Promise<T> {
        database.exec('BEGIN DEFERRED');
        try {
          return await read();
        } finally {
          if (database.inTransaction) database.exec('COMMIT');
        }
      },
      close: () => {
        if (database.open) database.close();
      },
    };
  } catch (error) {
    db.close();
    if (error instanceof StorageError) throw error;
    throw new StorageError(`cannot read database "${path}": ${(error as Error).message}`, 'STORAGE_OPEN_FAILED', { path }, error);
  }
}
