import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What `read` found in the file: the entries, and lines that are not JSON (a write cut short by a crash). */
export interface FallbackContents {
  readonly records: readonly Readonly<Record<string, unknown>>[];
  readonly malformed: number;
}

/**
 * Where journal entries go while the journal cannot be written: one JSON line per entry,
 * fsync'd before the append resolves, so write-ahead still holds. Appends are serialised so
 * lines never interleave. Recovery replays the file into the journal (`read`, then `clear`).
 */
export class JournalFallback {
  readonly #path: string;
  #tail: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  get path(): string {
    return this.#path;
  }

  append(record: Readonly<Record<string, unknown>>): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    return this.#serialised(() => this.#write(line));
  }

  /** Every line of the file, parsed; a missing file is empty. A line that does not parse (torn by a crash) is counted, not returned. */
  read(): Promise<FallbackContents> {
    let contents: FallbackContents = { records: [], malformed: 0 };
    return this.#serialised(async () => {
      contents = parseLines(await readOrEmpty(this.#path));
    }).then(() => contents);
  }

  /** Empty the file durably (after its entries were replayed into the journal). */
  clear(): Promise<void> {
    return this.#serialised(async () => {
      let handle;
      try {
        handle = await open(this.#path, 'r+');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      try {
        await handle.truncate(0);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  #serialised(work: () => Promise<void>): Promise<void> {
    const next = this.#tail.then(work);
    // the chain must survive a failed operation; the caller still sees the failure through `next`
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #write(line: string): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    const handle = await open(this.#path, 'a');
    try {
      await handle.write(line);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
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
