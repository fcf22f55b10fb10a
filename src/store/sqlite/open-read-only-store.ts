import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { systemClock } from '../../domain/clock.js';
import { StorageError } from '../../domain/errors.js';
import { CommitQueue } from './commit-queue.js';
import { JournalAppender } from './journal-appender.js';
import { SCHEMA_VERSION } from './migrations.js';
import { SqliteJournal } from './sqlite-journal.js';
import { SqliteLedger } from './sqlite-ledger.js';

/** Ledger and journal of an existing database, opened read-only: nothing is written, not even a migration. */
export interface ReadOnlyStore {
  readonly ledger: SqliteLedger;
  readonly journal: SqliteJournal;
  /**
   * Run `read` inside one read transaction: every read sees the same committed state, even while
   * another process keeps writing (WAL readers never block the writer, nor are blocked by it).
   */
  snapshot<T>(read: () => Promise<T>): Promise<T>;
  /** Flows begun and not stopped: in flight in a running writer, or interrupted by a crash. */
  unfinishedFlows(): number;
  close(): void;
}

/** Throws StorageError (code STORAGE_OPEN_FAILED / NOT_A_PLANEXEC_DATABASE) for a missing file or a foreign or older database. */
export function openReadOnlyStore(path: string): ReadOnlyStore {
  let db: Database;
  try {
    db = new DatabaseConstructor(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StorageError(`cannot open database "${path}" read-only: ${(error as Error).message}`, 'STORAGE_OPEN_FAILED', { path }, error);
  }
  try {
    db.pragma('busy_timeout = 5000');
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version !== SCHEMA_VERSION) {
      throw new StorageError(`"${path}" is not a planexec database of this version (schema ${version}, expected ${SCHEMA_VERSION})`, 'NOT_A_PLANEXEC_DATABASE', {
        path,
        schema_version: version,
      });
    }
    // never run: read-only statements only; the queue and appender are what the readers are built on
    const queue = new CommitQueue(db);
    const appender = new JournalAppender(db, systemClock, queue);
    const ledger = new SqliteLedger(db, queue, systemClock);
    const journal = new SqliteJournal(db, queue, appender);
    const database = db;
    const running = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM flows WHERE status = 'RUNNING'");
    return {
      unfinishedFlows: () => running.get()?.n ?? 0,
      ledger,
      journal,
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
