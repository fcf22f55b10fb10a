import { MEMORY_DATABASE } from '../../config/memory-database.js';
import { MemoryPaperStore } from './memory-paper-store.js';
import type { PaperStore } from './paper-store.js';
import { SqlitePaperStore } from './sqlite-paper-store.js';

/**
 * The venue's state at `path`: a SQLite file, or, for ':memory:', plain maps in this process
 * (lost at exit, as SQLite's own in-memory database would be, and much cheaper per call).
 */
export function openPaperStore(path: string, options: { readonly readonly?: boolean } = {}): PaperStore {
  if (path !== MEMORY_DATABASE) return new SqlitePaperStore(path, options);
  // as better-sqlite3 refuses: there is nothing to look at
  if (options.readonly === true) throw new TypeError('In-memory/temporary databases cannot be readonly');
  return new MemoryPaperStore();
}
