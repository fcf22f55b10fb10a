import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { StorageError } from '../../domain/errors.js';
import { applyMigrations } from './migrations.js';

export const MEMORY_DATABASE = ':memory:';

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before failing. @default 5000 */
  readonly busyTimeoutMs?: number;
}

/**
 * Open (creating if needed) the planexec database and bring its schema up to date.
 * WAL + synchronous=FULL: every commit is fsync'd before it returns, so a resolved write
 * survives a power loss, and readers never block the writer.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  let db: Database | undefined;
  try {
    if (path !== MEMORY_DATABASE && path !== '') mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseConstructor(path);
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
