import { closeSync, openSync, writeSync } from 'node:fs';
import type { Bar } from './bar.js';

/** The bar CSV planexec writes (downloads, synthetic data); readBarFile reads it back. */
export const BAR_CSV_HEADER = 'timestamp,symbol,open,high,low,close,volume';

/** ISO-8601 UTC, without `.000` when the time is on a whole second (the common case for bars). */
export function isoTime(atMs: number): string {
  const iso = new Date(atMs).toISOString();
  return atMs % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso;
}

/** One CSV line (no newline) under BAR_CSV_HEADER. */
export function barCsvLine(bar: Bar): string {
  return `${isoTime(bar.atMs)},${bar.symbol},${bar.open},${bar.high},${bar.low},${bar.close},${bar.volume}`;
}

/** Bars as CSV lines, one string per chunk, each line ending in a newline. */
export function barCsvText(bars: readonly Bar[]): string {
  let text = '';
  for (const bar of bars) text += `${barCsvLine(bar)}\n`;
  return text;
}

/** Writes `bars` as a bar CSV file (header first), replacing `path`; resolves with the number of bars. */
export async function writeBarCsv(path: string, bars: Iterable<readonly Bar[]> | AsyncIterable<readonly Bar[]>): Promise<number> {
  const fd = openSync(path, 'w');
  let count = 0;
  try {
    writeSync(fd, `${BAR_CSV_HEADER}\n`);
    for await (const chunk of bars) {
      writeSync(fd, barCsvText(chunk));
      count += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return count;
}
