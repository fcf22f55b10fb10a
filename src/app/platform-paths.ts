import { resolve } from 'node:path';
import { MEMORY_DATABASE } from '../config/memory-database.js';
import { defaultConfig, type PlatformConfig } from '../config/schema.js';

/** The path of a throw-away world kept in memory: as `storage.path` or `--db`, its venue forgets too. */
export const IN_MEMORY = MEMORY_DATABASE;

/** Where one planexec world keeps its files. */
export interface PlatformPaths {
  /** The store: ledger, journal, flows. */
  readonly db: string;
  /** The paper venue's own state file. */
  readonly venue: string;
  /** Journal entries that could not be written (fsync'd JSON Lines). */
  readonly journalFallback: string;
}

/**
 * The files of the world to open (docs/configuration.md, "Where the files go").
 * - The database is `--db PATH`, else `storage.path`.
 * - The venue file and the journal fallback follow the database, beside it (`DB.venue.db`,
 *   `DB.journal-fallback.jsonl`), unless the config names them: a path the config sets is used as
 *   set (the loader has resolved it against the config file's folder). So `--db` always gives an
 *   isolated world, and two databases never meet one venue file by default.
 * - The default database (`./planexec.db` in the working directory) keeps the default names
 *   `./planexec-venue.db` and `./planexec-journal-fallback.jsonl`.
 * - `:memory:` keeps the venue in memory too.
 * A venue named explicitly for two databases is still refused at start-up (createPlatform).
 */
export function platformPaths(config: PlatformConfig, dbPath?: string): PlatformPaths {
  const defaults = defaultConfig();
  const db = dbPath ?? config.storage.path;
  const venueNamed = config.connector.paper.path !== defaults.connector.paper.path;
  const fallbackNamed = config.storage.journal_fallback_path !== defaults.storage.journal_fallback_path;
  if (db === IN_MEMORY) {
    // a throw-away world: its venue forgets too
    return { db, venue: venueNamed ? config.connector.paper.path : IN_MEMORY, journalFallback: config.storage.journal_fallback_path };
  }
  const defaultDb = resolve(db) === resolve(defaults.storage.path);
  return {
    db,
    venue: venueNamed || defaultDb ? config.connector.paper.path : `${db}.venue.db`,
    journalFallback: fallbackNamed || defaultDb ? config.storage.journal_fallback_path : `${db}.journal-fallback.jsonl`,
  };
}
