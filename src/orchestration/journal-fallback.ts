import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Where journal entries go while the journal cannot be written: one JSON line per entry,
 * fsync'd before the append resolves, so write-ahead still holds. Appends are serialised so
 * lines never interleave. Recovery replays the file into the journal.
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
    const next = this.#tail.then(() => this.#write(line));
    // the chain must survive a failed write; the caller still sees the failure through `next`
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
