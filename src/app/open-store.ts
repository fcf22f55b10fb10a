import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { notInThisBuildIssue } from '../config/build-support.js';
import type { PlatformConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import { ConfigError } from '../domain/errors.js';
import type { IPlatformStore, IReadOnlyStore } from '../ports/store.js';
import type { WriterLease, WriterLeaseRequest } from '../ports/writer-lock.js';
import { MEMORY_DATABASE, openDatabase } from '../store/sqlite/open-database.js';
import { openReadOnlyStore } from '../store/sqlite/open-read-only-store.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import { SqliteWriterLock } from '../store/sqlite/writer-lock.js';

/**
 * The store factories: the one module outside src/store that knows which engine is behind the
 * store ports (test/architecture/store-port.test.ts keeps it so). Everything else (the platform,
 * the server, the CLI) opens a database through these and sees only IPlatformStore or
 * IReadOnlyStore.
 */

/** The `storage` section, with `path` the database to open (`--db`, else `storage.path`: platformPaths). */
export type StorageConfig = PlatformConfig['storage'];

export interface OpenStoreOptions {
  /** Stamps entry ids and store-detected anomalies. */
  readonly clock: Clock;
  /** Named in the refusal of a storage type this build lacks. */
  readonly configFile?: string | null;
}

/**
 * Open (creating and migrating it if needed) the store `storage.type` names, for its database's
 * one writer: take the writer lease first (acquireWriterLease). A type this build lacks is refused
 * with the same ConfigError the config loader and createPlatform give (rule `not_in_this_build`).
 */
export function openStore(storage: StorageConfig, options: OpenStoreOptions): IPlatformStore {
  switch (storage.type) {
    case 'sqlite':
      return openSqliteStore(storage.path, { clock: options.clock, writerThread: storage.writer_thread });
    case 'postgres':
      throw new ConfigError([notInThisBuildIssue({ path: ['storage', 'type'], value: storage.type }, options.configFile)]);
  }
}

/**
 * Write a consistent copy of the store's whole database to a new file at `path` (a backtest runs
 * on an in-memory store and keeps its result this way: one write at the end instead of a durable
 * commit per step). Pending writes are drained first. `path` must not exist yet.
 */
export async function saveStoreCopy(store: IPlatformStore, path: string): Promise<void> {
  if (!isSqliteStore(store)) throw new TypeError('saveStoreCopy: only the embedded SQLite store can be copied to a file');
  await store.writer.flush();
  mkdirSync(dirname(path), { recursive: true });
  store.database.prepare('VACUUM INTO ?').run(path);
}

function isSqliteStore(store: IPlatformStore): store is SqliteStore {
  return 'database' in store && 'writer' in store;
}

export interface OpenForReadingOptions {
  /**
   * Leave the database's bytes untouched, not even a checkpoint at close (`planexec verify`); the
   * price: a WAL's -wal and -shm files may stay beside it. false: a reader that tidies them away
   * at close when no writer runs (the other read commands). @default true
   */
  readonly untouched?: boolean;
}

/**
 * An existing database opened only to read it: beside a running writer, without the writer
 * lease; nothing is created, migrated or written. Throws StorageError STORAGE_NOT_FOUND ("no
 * planexec database at PATH"), STORAGE_NOT_READABLE or STORAGE_SCHEMA_TOO_OLD / _NEW: the CLI's
 * exit 2.
 */
export function openStoreForReading(path: string, options: OpenForReadingOptions = {}): IReadOnlyStore {
  return openReadOnlyStore(path, { untouched: options.untouched !== false });
}

/** Throws StorageError STORAGE_NOT_FOUND (exit 2) unless `path` holds a planexec database; creates no file. */
export function assertStoreExists(path: string): void {
  openDatabase(path, { readOnly: true }).close();
}

export interface WriterLockRequest extends WriterLeaseRequest {
  /** The command line a refused process is shown. @default process.argv */
  readonly command?: string;
}

/**
 * Take the writer lease of `db` (docs/reliability.md: one writer per database): throws
 * DatabaseInUseError when another process holds it (unless `wait`), StorageError
 * STORAGE_NOT_WRITABLE when the database cannot be written. null for an in-memory database, which
 * no other process can see.
 */
export async function acquireWriterLease(db: string, request: WriterLockRequest = {}): Promise<WriterLease | null> {
  if (db === MEMORY_DATABASE) return null;
  const lock = new SqliteWriterLock(db, request.command === undefined ? {} : { command: request.command });
  return lock.acquire(request);
}
