import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { PlatformConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import type { IPlatformStore, IReadOnlyStore } from '../ports/store.js';
import type { WriterLease, WriterLeaseRequest } from '../ports/writer-lock.js';
import { MEMORY_DATABASE, openDatabase } from '../store/sqlite/open-database.js';
import { openReadOnlyStore } from '../store/sqlite/open-read-only-store.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import { SqliteWriterLock } from '../store/sqlite/writer-lock.js';
import { openPgStore, openPgStoreForReading } from '../store/postgres/pg-store.js';
import type { StoreLocation } from './platform-paths.js';

/**
 * The store factories: the one module outside src/store that knows which engine is behind the
 * store ports (test/architecture/store-port.test.ts keeps it so). Everything else (the platform,
 * the server, the CLI) opens a database through these and sees only IPlatformStore or
 * IReadOnlyStore.
 */

/** The `storage` section (its settings; where the store is comes from platformPaths' `store`). */
export type StorageConfig = PlatformConfig['storage'];

export interface OpenStoreOptions {
  /** Stamps entry ids and store-detected anomalies. */
  readonly clock: Clock;
  /** PostgreSQL: this worker's id, the owner of its flow leases. @default workerIdentity() */
  readonly workerId?: string;
}

/** A worker id that names where it runs: host, pid and a random part (a restarted process is a new worker). */
export function workerIdentity(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * Open (creating and migrating it if needed) the store at `location` to write it. SQLite: for its
 * database's one writer, who took the writer lease first (acquireWriterLease). PostgreSQL: one
 * of several workers, each owning the flows it leases.
 */
export async function openStore(location: StoreLocation, storage: StorageConfig, options: OpenStoreOptions): Promise<IPlatformStore> {
  switch (location.type) {
    case 'sqlite':
      return openSqliteStore(location.path, { clock: options.clock, writerThread: storage.writer_thread });
    case 'postgres':
      return openPgStore(location.url, { clock: options.clock, workerId: options.workerId ?? workerIdentity(), leaseMs: storage.lease_seconds * 1000 });
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
export async function openStoreForReading(location: StoreLocation, options: OpenForReadingOptions = {}): Promise<IReadOnlyStore> {
  if (location.type === 'postgres') return openPgStoreForReading(location.url);
  return openReadOnlyStore(location.path, { untouched: options.untouched !== false });
}

/** Throws StorageError STORAGE_NOT_FOUND (exit 2) unless `location` holds a planexec database; creates nothing. */
export async function assertStoreExists(location: StoreLocation): Promise<void> {
  if (location.type === 'postgres') return (await openPgStoreForReading(location.url)).close();
  openDatabase(location.path, { readOnly: true }).close();
}

export interface WriterLockRequest extends WriterLeaseRequest {
  /** The command line a refused process is shown. @default process.argv */
  readonly command?: string;
}

/**
 * Take the writer lease of a SQLite database (docs/reliability.md: one writer per database): throws
 * DatabaseInUseError when another process holds it (unless `wait`), StorageError
 * STORAGE_NOT_WRITABLE when the database cannot be written. null for an in-memory database, which
 * no other process can see.
 */
export async function acquireWriterLease(location: StoreLocation, request: WriterLockRequest = {}): Promise<WriterLease | null> {
  // PostgreSQL has no one writer: each worker leases the flows it runs (PgFlowStore)
  if (location.type === 'postgres' || location.path === MEMORY_DATABASE) return null;
  const lock = new SqliteWriterLock(location.path, request.command === undefined ? {} : { command: request.command });
  return lock.acquire(request);
}
