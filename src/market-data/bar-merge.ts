import type { Bar } from './bar.js';
import { BAR_CHUNK_SIZE, readBarFile } from './bar-file-reader.js';
import { PriceFileError } from './price-file-error.js';

/** One file of a merge: its path and, when it has no symbol column, its symbol. */
export interface BarFileSpec {
  readonly path: string;
  readonly symbol?: string;
}

interface Cursor {
  readonly path: string;
  readonly bars: AsyncIterator<Bar[]>;
  chunk: Bar[];
  i: number;
  done: boolean;
}

async function refill(cursor: Cursor): Promise<void> {
  cursor.i = 0;
  for (;;) {
    const next = await cursor.bars.next();
    if (next.done === true) {
      cursor.done = true;
      cursor.chunk = [];
      return;
    }
    if (next.value.length > 0) {
      cursor.chunk = next.value;
      return;
    }
  }
}

function lineOf(bar: Bar): number {
  return Number(bar.source.slice(bar.source.lastIndexOf(':') + 1));
}

function fileOf(bar: Bar): string {
  return bar.source.slice(0, bar.source.lastIndexOf(':'));
}

const bySymbol = (a: Bar, b: Bar): number => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);

/** Sorts one time's bars by symbol; the same symbol twice means two files give that bar. */
function orderGroup(group: Bar[]): void {
  group.sort(bySymbol);
  for (let j = 1; j < group.length; j++) {
    const a = group[j - 1] as Bar;
    const b = group[j] as Bar;
    if (a.symbol === b.symbol) {
      const at = new Date(b.atMs).toISOString();
      throw new PriceFileError(fileOf(b), lineOf(b), 'timestamp', `a ${b.symbol} bar at ${at} is also given by ${a.source}`, 'duplicate_across_files');
    }
  }
}

/**
 * Several bar files as one stream ordered by (time, symbol), in chunks of up to `chunkSize`:
 * a k-way merge over the files' chunked streams, so memory stays flat. Each file must be in
 * time order (bars of several symbols at one time in any order); each time's bars are gathered
 * from every file and sorted by symbol. Two files giving the same symbol at the same time is a
 * PriceFileError naming both sources.
 */
export async function* mergeBarFiles(files: readonly BarFileSpec[], options: { readonly chunkSize?: number } = {}): AsyncGenerator<Bar[], void, undefined> {
  const size = options.chunkSize ?? BAR_CHUNK_SIZE;
  const cursors: Cursor[] = files.map((f) => ({
    path: f.path,
    bars: readBarFile(f.path, f.symbol === undefined ? {} : { symbol: f.symbol })[Symbol.asyncIterator](),
    chunk: [],
    i: 0,
    done: false,
  }));
  try {
    await Promise.all(cursors.map(refill));
    let out: Bar[] = [];
    const group: Bar[] = [];
    for (;;) {
      let t = Number.POSITIVE_INFINITY;
      for (const c of cursors) if (!c.done && (c.chunk[c.i] as Bar).atMs < t) t = (c.chunk[c.i] as Bar).atMs;
      if (t === Number.POSITIVE_INFINITY) break;
      group.length = 0;
      for (const c of cursors) {
        let last: Bar | undefined;
        while (!c.done && (c.chunk[c.i] as Bar).atMs === t) {
          last = c.chunk[c.i] as Bar;
          group.push(last);
          c.i += 1;
          if (c.i === c.chunk.length) await refill(c);
        }
        const head = c.chunk[c.i];
        if (last !== undefined && head !== undefined && head.atMs < t) {
          const message = `"${new Date(head.atMs).toISOString()}" is before the bar of line ${lineOf(last)} at ${new Date(t).toISOString()}: a file to merge must be in time order`;
          throw new PriceFileError(c.path, lineOf(head), 'timestamp', message, 'merge_time_order');
        }
      }
      if (group.length > 1) orderGroup(group);
      for (const bar of group) {
        out.push(bar);
        if (out.length === size) {
          yield out;
          out = [];
        }
      }
    }
    if (out.length > 0) yield out;
  } finally {
    await Promise.all(cursors.map((c) => c.bars.return?.()));
  }
}
