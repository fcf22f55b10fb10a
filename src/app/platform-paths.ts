import { defaultConfig, type PlatformConfig } from '../config/schema.js';

const MEMORY = ':memory:';

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
 * The files of the world to open. `--db PATH` overrides `storage.path`. When the database is not
 * the default one, the venue file and the journal fallback follow it (`PATH.venue.db`,
 * `PATH.journal-fallback.jsonl`) unless the config names them, so one `--db` gives an isolated
 * world: a fresh database never meets a venue that remembers another database's orders.
 * `:memory:` keeps the venue in memory too.
 */
export function platformPaths(config: PlatformConfig, dbPath?: string): PlatformPaths {
  const defaults = defaultConfig();
  const db = dbPath ?? config.storage.path;
  const beside = db !== defaults.storage.path;
  const defaultVenue = config.connector.paper.path === defaults.connector.paper.path;
  if (db === MEMORY) {
    // a throw-away world: its venue forgets too
    return { db, venue: defaultVenue ? MEMORY : config.connector.paper.path, journalFallback: config.storage.journal_fallback_path };
  }
  const venue = beside && defaultVenue ? `${db}.venue.db` : config.connector.paper.path;
  const journalFallback =
    beside && config.storage.journal_fallback_path === defaults.storage.journal_fallback_path
      ? `${db}.journal-fallback.jsonl`
      : config.storage.journal_fallback_path;
  return { db, venue, journalFallback };
}
