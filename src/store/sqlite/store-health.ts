import type { Database } from 'better-sqlite3';
import { errorMessage } from '../../domain/errors.js';

/** 'ok' while the connection is open, writable and answers a query; else why not (the readiness probe shows it). */
export function storeHealth(db: Database): string {
  if (!db.open) return 'closed';
  if (db.readonly) return 'read-only';
  try {
    db.prepare('SELECT 1').get();
    return 'ok';
  } catch (error) {
    return `error: ${errorMessage(error)}`;
  }
}
