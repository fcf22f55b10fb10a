import type { Pool, PoolClient } from 'pg';
import { StorageError } from '../../domain/errors.js';
import { FLOWS_SCHEMA } from './pg-flow-store.js';
import { JOURNAL_SCHEMA } from './pg-journal.js';
import { LEDGER_SCHEMA } from './pg-ledger.js';

/** The tables outside ledger, journal and flows: the database's identity, the venue baseline, the workers. */
const PLATFORM_SCHEMA = `
CREATE TABLE IF NOT EXISTS store_identity (
  one INTEGER PRIMARY KEY CHECK (one = 1), store_id TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS venue_baseline (
  venue TEXT NOT NULL, asset TEXT NOT NULL, total TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (venue, asset)
);
CREATE TABLE IF NOT EXISTS venue_baseline_recorded (venue TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS workers (
  worker_id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, started_at TIMESTAMPTZ NOT NULL,
  heartbeat_at TIMESTAMPTZ NOT NULL, lease_expires_at TIMESTAMPTZ NOT NULL, stopped_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS partition_leases (
  partition INTEGER PRIMARY KEY, owner TEXT, lease_expires_at TIMESTAMPTZ
);
`;

/**
 * The numbered migrations. Each runs once, in its own transaction, recorded in schema_version;
 * a database with a higher version than this build knows is refused (an older worker must not
 * write a newer schema).
 */
const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [{ version: 1, sql: JOURNAL_SCHEMA + FLOWS_SCHEMA + LEDGER_SCHEMA + PLATFORM_SCHEMA }];

export const PG_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Any constant: every worker starting at once takes the same advisory lock, so one migrates and the rest find it done. */
const MIGRATION_LOCK = 0x706c6e78;

/** Bring the database at `pool` to this build's schema (idempotent; safe when several workers start together). */
export async function migratePg(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const current = await schemaVersion(client);
      if (current > PG_SCHEMA_VERSION) throw tooNew(current);
      for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migration.version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

/**
 * For a reader: the database must already be a planexec database of a schema this build reads.
 * Nothing is created. Throws StorageError STORAGE_NOT_FOUND / STORAGE_SCHEMA_TOO_OLD / _NEW.
 */
export async function assertPgSchema(pool: Pool, where: string): Promise<void> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass('schema_version') IS NOT NULL AS present");
    if (rows[0]?.present !== true) throw new StorageError(`no planexec database at ${where}`, 'STORAGE_NOT_FOUND');
    const version = await schemaVersion(client);
    if (version === 0) throw new StorageError(`no planexec database at ${where}`, 'STORAGE_NOT_FOUND');
    if (version > PG_SCHEMA_VERSION) throw tooNew(version);
    if (version < PG_SCHEMA_VERSION) {
      throw new StorageError(`the planexec database at ${where} has schema version ${version}; this build reads ${PG_SCHEMA_VERSION} (start a worker of this build once to migrate it)`, 'STORAGE_SCHEMA_TOO_OLD');
    }
  } finally {
    client.release();
  }
}

async function schemaVersion(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_version');
  return rows[0]?.version ?? 0;
}

function tooNew(version: number): StorageError {
  return new StorageError(`the planexec database has schema version ${version}, newer than this build's ${PG_SCHEMA_VERSION}: upgrade planexec`, 'STORAGE_SCHEMA_TOO_NEW');
}
