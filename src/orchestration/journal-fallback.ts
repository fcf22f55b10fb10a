import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** What `read` found in the file: the entries, and lines that are not JSON (a write cut short by a crash). */
export interface FallbackContents {
  readonly records: readonly Readonly<Record<string, unknown>>[];
  readonly malformed: number;
}

/**
 * Where journal entries go while the journal cannot be written: one JSON line per entry, fsync'd
 * before the append resolves, so write-ahead still holds. The file is only written when the
 * journal is failing, so each operation is synchronous: lines never interleave, an append is on
 * disk before anything else runs, and no await can reorder an append with a replay's truncation.
 * Recovery replays the file into the journal (`read`, then `clear`).
 */
export class JournalFallback {
  readonly #path: string;
  #folderReady = false;

  constructor(path: string) {
    this.#path = path;
  }

  get path(): string {
    return this.#path;
  }

  append(record: Readonly<Record<string, unknown>>): Promise<void> {
    try {
      this.#append(`${JSON.stringify(record)}\n`);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Every line of the file, parsed; a missing file is empty. A line that does not parse (torn by a crash) is counted, not returned. */
  read(): Promise<FallbackContents> {
    try {
      return Promise.resolve(parseLines(readOrEmpty(this.#path)));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Empty the file durably (after its entries were replayed into the journal). */
  clear(): Promise<void> {
    try {
      let fd: number;
      try {
        fd = openSync(this.#path, 'r+');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve();
        throw error;
      }
      try {
        ftruncateSync(fd, 0);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  #append(line: string): void {
    if (!this.#folderReady) {
      mkdirSync(dirname(this.#path), { recursive: true });
      this.#folderReady = true;
    }
    const fd = openSync(this.#path, 'a');
    try {
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

function parseLines(text: string): FallbackContents {
  const records: Record<string, unknown>[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) records.push(value as Record<string, unknown>);
      else malformed += 1;
    } catch {
      malformed += 1;
    }
  }
  return { records, malformed };
}
