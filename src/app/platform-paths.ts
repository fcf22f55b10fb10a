import { resolve } from 'node:path';
import { MEMORY_DATABASE } from '../config/memory-database.js';
import { defaultConfig, type PlatformConfig } from '../config/schema.js';
import { isPostgresUrl, redactedUrl } from '../config/storage-check.js';
import { ConfigError } from '../domain/errors.js';

/** The path of a throw-away world kept in memory: as `storage.path` or `--db`, its venue forgets too. */
export const IN_MEMORY = MEMORY_DATABASE;

/** Where the store is: a SQLite file (or ':memory:') or a PostgreSQL database. */
export type StoreLocation = { readonly type: 'sqlite'; readonly path: string } | { readonly type: 'postgres'; readonly url: string };

/**
 * The store to open: `--db` when given (a path, or a `postgres://` URL), else the config's
 * `storage` (`storage.url` for type postgres, else `storage.path`).
 */
export function storeLocation(config: PlatformConfig, dbPath?: string): StoreLocation {
  if (dbPath !== undefined) return isPostgresUrl(dbPath) ? { type: 'postgres', url: dbPath } : { type: 'sqlite', path: dbPath };
  if (config.storage.type !== 'postgres') return { type: 'sqlite', path: config.storage.path };
  if (config.storage.url === undefined) {
    // a reading command loads the file with unset ${VARS} left out: say which key is missing
    throw new ConfigError([{ file: '(config)', line: null, column: null, keyPath: 'storage.url', rule: 'required', message: 'storage.url is required when storage.type is postgres: is the environment variable it names set?' }]);
  }
  return { type: 'postgres', url: config.storage.url };
}

/** How a store is named to people: its path, or its URL without the password. */
export function storeLabel(location: StoreLocation): string {
  return location.type === 'sqlite' ? location.path : redactedUrl(location.url);
}

/** Where one planexec world keeps its files. */
export interface PlatformPaths {
  /** The store as named to people: the SQLite path, or the PostgreSQL URL without its password. */
  readonly db: string;
  /** The store to open. */
  readonly store: StoreLocation;
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
  const store = storeLocation(config, dbPath);
  if (store.type === 'postgres') {
    // files beside a URL make no sense: the config's own names (or their defaults) are used
    return { db: storeLabel(store), store, venue: config.connector.paper.path, journalFallback: config.storage.journal_fallback_path };
  }
  const db = store.path;
  const venueNamed = config.connector.paper.path !== defaults.connector.paper.path;
  const fallbackNamed = config.storage.journal_fallback_path !== defaults.storage.journal_fallback_path;
  if (db === IN_MEMORY) {
    // a throw-away world: its venue forgets too
    return { db, store, venue: venueNamed ? config.connector.paper.path : IN_MEMORY, journalFallback: config.storage.journal_fallback_path };
  }
  const defaultDb = resolve(db) === resolve(defaults.storage.path);
  return {
    db,
    store,
    venue: venueNamed || defaultDb ? config.connector.paper.path : `${db}.venue.db`,
    journalFallback: fallbackNamed || defaultDb ? config.storage.journal_fallback_path : `${db}.journal-fallback.jsonl`,
  };
}
