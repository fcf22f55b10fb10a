import { openDatabase } from '../store/sqlite/open-database.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';

/**
 * Use the planexec database at `dbPath` for reading, and close it afterwards. It is opened read
 * only (nothing migrated or written, no writer lease needed), so the reading commands work beside
 * a running writer. A path with no planexec database throws StorageError STORAGE_NOT_FOUND ("no
 * planexec database at PATH", exit 2) and creates no file.
 */
export async function withExistingStore<T>(dbPath: string, use: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = openSqliteStore(dbPath, { readOnly: true });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Throws StorageError STORAGE_NOT_FOUND (exit 2) unless `dbPath` holds a planexec database; creates no file. */
export function assertExistingDatabase(dbPath: string): void {
  openDatabase(dbPath, { readOnly: true }).close();
}
