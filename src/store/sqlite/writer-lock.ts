import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { systemClock, type Clock, isoTime } from '../../domain/clock.js';
import { DatabaseInUseError, errorMessage, StorageError, type WriterIdentity } from '../../domain/errors.js';
import type { IWriterLock, WriterLease, WriterLeaseRequest } from '../../ports/writer-lock.js';
import { assertWritableFile, notWritable } from './database-location.js';

/** The files of a database's writer lock: the lock itself (SQLite) and who holds it (JSON). */
export function writerLockFiles(database: string): { readonly lock: string; readonly holder: string } {
  return { lock: `${database}.lock`, holder: `${database}.lock.json` };
}

export interface SqliteWriterLockOptions {
  /** The holder's command line, shown to a refused process. @default process.argv */
  readonly command?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** How often `wait` tries again. @default 200 */
  readonly pollMs?: number;
}

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/**
 * One writer per database, with a lock the operating system keeps: `DB.lock` is a small SQLite
 * file opened in rollback-journal mode with `locking_mode=EXCLUSIVE`; its first write transaction
 * takes an exclusive fcntl lock that the connection keeps until it closes, or until the process
 * ends however it ends (kill -9 included), since the kernel drops a dead process's locks. Nothing
 * is judged stale (no pid liveness, no mtime), so nothing needs cleaning up. Another process's
 * attempt fails at once with SQLITE_BUSY (busy timeout 0).
 *
 * The exclusive lock also keeps others from reading the lock file, so the holder publishes who it
 * is in `DB.lock.json` right after taking the lock; a refused process reads it to name the holder.
 * The lock file is never deleted: a process waiting on the old file while a new one is created
 * would give two holders.
 */
export class SqliteWriterLock implements IWriterLock {
  readonly #database: string;
  readonly #files: { readonly lock: string; readonly holder: string };
  readonly #command: string;
  readonly #clock: Clock;
  readonly #pollMs: number;

  constructor(database: string, options: SqliteWriterLockOptions = {}) {
    this.#database = database;
    this.#files = writerLockFiles(database);
    this.#command = options.command ?? process.argv.join(' ');
    this.#clock = options.clock ?? systemClock;
    this.#pollMs = options.pollMs ?? 200;
  }

  async acquire(request: WriterLeaseRequest = {}): Promise<WriterLease> {
    assertWritableFile(this.#database);
    mkdirSync(dirname(this.#files.lock), { recursive: true });
    let announced = false;
    for (;;) {
      const attempt = this.#tryAcquire();
      if (attempt.lease) return attempt.lease;
      if (request.wait !== true) throw new DatabaseInUseError(this.#database, attempt.holder);
      if (!announced) {
        announced = true;
        request.onWaiting?.(attempt.holder);
      }
      await this.#clock.sleep(this.#pollMs);
    }
  }

  /** Who holds the lock now, as it said (null: nobody said, or the file is torn). */
  holder(): WriterIdentity | null {
    return readHolder(this.#files.holder);
  }

  #tryAcquire(): { readonly lease: WriterLease; readonly holder?: undefined } | { readonly lease?: undefined; readonly holder: WriterIdentity | null } {
    const identity: WriterIdentity = { pid: process.pid, hostname: hostname(), command: this.#command, started_at: isoTime(this.#clock.now()) };
    let connection: Database | undefined;
    try {
      connection = new DatabaseConstructor(this.#files.lock, { timeout: 0 });
      connection.pragma('locking_mode = EXCLUSIVE');
      connection.pragma('journal_mode = DELETE');
      connection.pragma('synchronous = OFF'); // nothing here needs to survive a power loss: the lock is the point
      connection.exec('BEGIN EXCLUSIVE');
      connection.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), identity TEXT NOT NULL)');
      connection.prepare('INSERT OR REPLACE INTO holder (id, identity) VALUES (1, ?)').run(JSON.stringify(identity));
      connection.exec('COMMIT');
    } catch (error) {
      if (connection?.open) connection.close();
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && BUSY.has(code)) return { holder: readHolder(this.#files.holder) };
      throw notWritable(this.#database, 'database', `cannot create its lock file ${this.#files.lock}: ${errorMessage(error)}`, error);
    }
    try {
      writeFileSync(this.#files.holder, `${JSON.stringify(identity)}\n`);
    } catch (error) {
      connection.close();
      throw new StorageError(`cannot write ${this.#files.holder}: ${errorMessage(error)}`, 'STORAGE_NOT_WRITABLE', { path: this.#files.holder }, error);
    }
    return { lease: new SqliteWriterLease(this.#database, identity, connection, this.#files.holder) };
  }
}

class SqliteWriterLease implements WriterLease {
  readonly database: string;
  readonly holder: WriterIdentity;
  readonly #connection: Database;
  readonly #holderFile: string;

  constructor(database: string, holder: WriterIdentity, connection: Database, holderFile: string) {
    this.database = database;
    this.holder = holder;
    this.#connection = connection;
    this.#holderFile = holderFile;
  }

  release(): void {
    if (!this.#connection.open) return;
    // still ours while the lock is held; a holder that dies leaves it to be overwritten by the next
    try {
      unlinkSync(this.#holderFile);
    } catch {
      // already gone
    }
    this.#connection.close();
  }
}

function readHolder(path: string): WriterIdentity | null {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const { pid, hostname: host, command, started_at: startedAt } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || typeof host !== 'string' || typeof command !== 'string' || typeof startedAt !== 'string') return null;
  return { pid, hostname: host, command, started_at: startedAt };
}
