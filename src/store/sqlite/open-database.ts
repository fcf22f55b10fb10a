import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { MEMORY_DATABASE } from '../../config/memory-database.js';
import { StorageError } from '../../domain/errors.js';
import { notWritable } from './database-location.js';
import { applyMigrations, SCHEMA_VERSION } from './migrations.js';

export { MEMORY_DATABASE };

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before failing. @default 5000 */
  readonly busyTimeoutMs?: number;
  /**
   * Read an existing planexec database without changing it: no file is created, no migration
   * applied, every write refused (query_only). For the commands that only look. @default false
   */
  readonly readOnly?: boolean;
  /**
   * With readOnly: open the file read-only at the OS level, so not even a WAL checkpoint at close
   * changes its bytes (planexec verify). The price: -wal/-shm files may stay beside it. @default false
   */
  readonly untouched?: boolean;
}

/**
 * Open (creating if needed) the planexec database and bring its schema up to date.
 * WAL + synchronous=FULL: every commit is fsync'd before it returns, so a resolved write
 * survives a power loss, and readers never block the writer.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  if (options.readOnly === true) return openForReading(path, options);
  let db: Database | undefined;
  try {
    if (path !== MEMORY_DATABASE && path !== '') mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseConstructor(path);
    // SQLite opens a file it may not write read-only without a word; every write would then fail mid-flow
    if (db.readonly) throw notWritable(path, 'database', 'the file is read-only');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536'); // 64 MiB: big group-commit batches stay in memory until COMMIT
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    applyMigrations(db);
    return db;
  } catch (error) {
    if (db?.open) db.close();
    if (error instanceof StorageError) throw error;
    throw new StorageError(`cannot open database "${path}": ${(error as Error).message}`, 'STORAGE_OPEN_FAILED', { path }, error);
  }
}

function noDatabase(path: string, why: string, cause?: unknown): StorageError {
  return new StorageError(`no planexec database at ${path}${why ? ` (${why})` : ''}`, 'STORAGE_NOT_FOUND', { path }, cause);
}

/**
 * Opened read-write but query_only rather than SQLITE_OPEN_READONLY: a read-only connection
 * cannot checkpoint, so it would leave -wal and -shm files behind when no writer is running.
 */
function openForReading(path: string, options: OpenDatabaseOptions): Database {
  if (path !== MEMORY_DATABASE) {
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EACCES' || code === 'EPERM') throw notReadable(path, 'permission denied', error);
      throw noDatabase(path, '', error);
    }
    if (!isFile) throw noDatabase(path, 'not a file');
  }
  let db: Database | undefined;
  try {
    db = new DatabaseConstructor(path, { fileMustExist: true, readonly: options.untouched === true });
    if (options.untouched !== true) db.pragma('query_only = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    let version: number;
    try {
      version = Number(db.pragma('user_version', { simple: true }));
    } catch (error) {
      throw noDatabase(path, errorCode(error) === 'SQLITE_NOTADB' ? 'not a SQLite database' : (error as Error).message, error);
    }
    if (version === 0) throw noDatabase(path, 'no planexec schema in it');
    if (version > SCHEMA_VERSION) {
      throw new StorageError(
        `database ${path} has schema version ${version}, newer than this planexec knows (${SCHEMA_VERSION}); upgrade planexec`,
        'STORAGE_SCHEMA_TOO_NEW',
        { path, current: version, latest: SCHEMA_VERSION },
      );
    }
    if (version < SCHEMA_VERSION) {
      throw new StorageError(
        `database ${path} has schema version ${version}, older than this planexec (${SCHEMA_VERSION}); a command that writes (planexec recover --db ${path}) upgrades it`,
        'STORAGE_SCHEMA_TOO_OLD',
        { path, current: version, latest: SCHEMA_VERSION },
      );
    }
    return db;
  } catch (error) {
    if (db?.open) db.close();
    if (error instanceof StorageError) throw error;
    throw notReadable(path, (error as Error).message, error);
  }
}

function notReadable(path: string, reason: string, cause: unknown): StorageError {
  return new StorageError(`cannot read the database ${path}: ${reason}`, 'STORAGE_NOT_READABLE', { path, reason }, cause);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
