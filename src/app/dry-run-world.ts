import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import type { PlatformConfig } from '../config/schema.js';
import { IN_MEMORY, type PlatformPaths, platformPaths } from './platform-paths.js';

/** A throwaway copy of a planexec world for `run --dry-run`: what it writes never reaches the real files. */
export interface DryRunWorld {
  /** The config with every file pointed into the copy (and one flow at a time, so the report reads in file order). */
  readonly config: PlatformConfig;
  /** The copy of the database. */
  readonly db: string;
  /** The real world's files, untouched. */
  readonly real: PlatformPaths;
  /** Delete the copy. */
  dispose(): void;
}

/**
 * Copy the database (and the paper venue's file) with SQLite's online backup, opened read-only at
 * the OS level, so MODIFY / CLOSE of existing trades and the exposure limits see the real ledger
 * while nothing is written to it. A database that does not exist yet is not created: the dry run
 * starts from an empty copy, as `run` would from an empty database.
 */
export async function prepareDryRunWorld(config: PlatformConfig, dbPath?: string): Promise<DryRunWorld> {
  const real = platformPaths(config, dbPath);
  const dir = mkdtempSync(join(tmpdir(), 'planexec-dry-run-'));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const db = join(dir, 'dry-run.db');
    const venue = join(dir, 'dry-run.venue.db');
    const fromExisting = real.db !== IN_MEMORY && existsSync(real.db);
    if (fromExisting) await copyDatabase(real.db, db);
    // a venue file without its database would belong to another ledger: the copy starts a fresh venue then
    if (fromExisting && config.connector.type === 'paper' && real.venue !== IN_MEMORY && existsSync(real.venue)) await copyDatabase(real.venue, venue);
    const { plan_execution } = config.orchestration;
    return {
      db,
      real,
      dispose,
      config: {
        ...config,
        storage: { ...config.storage, path: db, journal_fallback_path: join(dir, 'dry-run.journal-fallback.jsonl') },
        connector: { ...config.connector, paper: { ...config.connector.paper, path: venue } },
        orchestration: {
          ...config.orchestration,
          plan_execution: { ...plan_execution, concurrency: { ...plan_execution.concurrency, max_concurrent_strategies: 1 } },
        },
      },
    };
  } catch (error) {
    dispose();
    throw error;
  }
}

/**
 * A consistent copy of a WAL-mode SQLite file. With no -wal beside it the file holds every commit
 * and nobody is writing it: a plain copy, checked unchanged afterwards, leaves no trace (even a
 * read-only SQLite connection would create -wal/-shm files beside it). Otherwise SQLite's online
 * backup through a read-only connection: consistent while a writer works.
 */
async function copyDatabase(from: string, to: string): Promise<void> {
  const wal = `${from}-wal`;
  if (!existsSync(wal)) {
    const before = statSync(from);
    copyFileSync(from, to);
    const after = statSync(from);
    if (!existsSync(wal) && before.mtimeMs === after.mtimeMs && before.size === after.size) return;
    rmSync(to, { force: true });
  }
  const source = new DatabaseConstructor(from, { readonly: true, fileMustExist: true });
  try {
    await source.backup(to);
  } finally {
    source.close();
  }
}
