import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One non-blank input line with its 1-based line number. */
export interface InputLine {
  readonly line: number;
  readonly text: string;
}

/**
 * The lines of a JSON Lines stream, numbered from 1 (blank lines are skipped but counted, CRLF
 * and a leading byte-order mark are tolerated). Stops early when `signal` aborts.
 */
export async function* readInputLines(input: Readable, signal?: AbortSignal): AsyncGenerator<InputLine> {
  const reader = createInterface({ input, crlfDelay: Infinity, terminal: false });
  const stop = (): void => reader.close();
  signal?.addEventListener('abort', stop, { once: true });
  let line = 0;
  try {
    for await (const raw of reader) {
      line += 1;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      yield { line, text };
      if (signal?.aborted) return;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    reader.close();
  }
}
