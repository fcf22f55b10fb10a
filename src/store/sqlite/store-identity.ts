import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/**
 * A one-row table outside the numbered migrations: any version can create it on first use, and
 * adding it needs no schema bump (a database without it simply has no identity yet).
 */
const SCHEMA = `CREATE TABLE IF NOT EXISTS store_identity (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  store_id TEXT NOT NULL,
  created_at TEXT NOT NULL
)`;

/**
 * This database's identity: a random id made the first time it is asked for and kept in the
 * database itself, so it follows the file when the file is moved or copied, and a new database
 * at the same path is a different one. The paper venue records it to know which ledger it serves.
 */
export function storeIdentity(db: Database, now: () => string = () => new Date().toISOString()): string {
  return db.transaction(() => {
    db.exec(SCHEMA);
    db.prepare('INSERT OR IGNORE INTO store_identity (one, store_id, created_at) VALUES (1, ?, ?)').run(randomUUID(), now());
    return (db.prepare('SELECT store_id FROM store_identity WHERE one = 1').get() as { store_id: string }).store_id;
  }).immediate();
}
