import { existsSync } from 'node:fs';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';

/**
 * Use the store at `dbPath` and close it afterwards. A database that does not exist is not
 * created (reading commands must not leave files behind): `use` gets undefined instead.
 */
export async function withExistingStore<T>(dbPath: string, use: (store: SqliteStore | undefined) => Promise<T>): Promise<T> {
  if (dbPath !== ':memory:' && !existsSync(dbPath)) return use(undefined);
  const store = openSqliteStore(dbPath);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
