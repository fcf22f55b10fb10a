import { systemClock } from '../../domain/clock.js';
import { StorageError } from '../../domain/errors.js';
import type { IReadOnlyStore } from '../../ports/store.js';
import { openDatabase } from './open-database.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';
import { SqliteJournal } from './sqlite-journal.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { SqliteReadModels } from './sqlite-read-models.js';
import { SqliteVenueBaseline } from './sqlite-venue-baseline.js';

export interface ReadOnlyStoreOptions {
  /**
   * Open the file read-only at the OS level, so not even a WAL checkpoint at close changes its
   * bytes (planexec verify); the price: -wal/-shm files may stay beside it. Else the connection is
   * only query_only and tidies them away at close (openDatabase). @default true
   */
  readonly untouched?: boolean;
}

/**
 * Ledger, journal, flows and read models of an existing database, opened read-only: nothing is
 * written, not even a migration. Throws StorageError (STORAGE_NOT_FOUND, STORAGE_NOT_READABLE,
 * STORAGE_SCHEMA_TOO_OLD / _NEW: the CLI's exit 2) for a missing, foreign or other-version
 * database; see openDatabase's `untouched`.
 */
export function openReadOnlyStore(path: string, options: ReadOnlyStoreOptions = {}): IReadOnlyStore {
  const db = openDatabase(path, { readOnly: true, untouched: options.untouched !== false });
  try {
    // no writer: read-only statements only
    const database = db;
    return {
      ledger: new SqliteLedger(db, null, systemClock),
      journal: new SqliteJournal(db, null, systemClock),
      flows: new SqliteFlowStore(db, null, systemClock),
      baseline: new SqliteVenueBaseline(db, null),
      readModels: new SqliteReadModels(db),
      // one read transaction: WAL readers never block the writer, nor are blocked by it
      async snapshot<T>(read: () => Promise<T>): Promise<T> {
        database.exec('BEGIN DEFERRED');
        try {
          return await read();
        } finally {
          if (database.inTransaction) database.exec('COMMIT');
        }
      },
      close: async () => {
        if (database.open) database.close();
      },
    };
  } catch (error) {
    db.close();
    if (error instanceof StorageError) throw error;
    throw new StorageError(`cannot read database "${path}": ${(error as Error).message}`, 'STORAGE_OPEN_FAILED', { path }, error);
  }
}
