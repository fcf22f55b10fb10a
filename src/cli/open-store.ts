import { openStoreForReading } from '../app/open-store.js';
import type { StoreLocation } from '../app/platform-paths.js';
import type { IReadOnlyStore } from '../ports/store.js';

/**
 * Use the planexec database at `dbPath` for reading, and close it afterwards. It is opened read
 * only (nothing migrated or written, no writer lease needed), so the reading commands work beside
 * a running writer. A path with no planexec database throws StorageError STORAGE_NOT_FOUND ("no
 * planexec database at PATH", exit 2) and creates no file.
 */
export async function withExistingStore<T>(location: StoreLocation, use: (store: IReadOnlyStore) => Promise<T>): Promise<T> {
  // not `untouched`: a reader that finds no writer running leaves no -wal/-shm files behind
  const store = await openStoreForReading(location, { untouched: false });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
