import Database from 'better-sqlite3';
import { Decimal } from '../../domain/decimal.js';

/**
 * The last price per symbol a paper venue file holds, read without changing anything beside it:
 * opened read-write but query_only, so closing checkpoints and leaves no -wal/-shm files (a
 * SQLITE_OPEN_READONLY connection could not). Throws when the file is not a venue file.
 */
export function readVenuePrices(path: string): Map<string, Decimal> {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('query_only = ON');
    db.pragma('busy_timeout = 5000');
    const rows = db.prepare<[], { symbol: string; price: string }>('SELECT symbol, price FROM prices').all();
    return new Map(rows.map((r) => [r.symbol, new Decimal(r.price)]));
  } finally {
    db.close();
  }
}
