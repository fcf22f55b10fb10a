/**
 * How fast a backtest reads its prices: 1,000,000 synthetic 1-minute bars (three symbols) are
 * written to a temporary CSV, then read with readBarFile and again through mergeBarFiles (what the
 * backtest driver uses), each timed alone. A year of 1-minute bars on 3 symbols is ~1.58 M bars;
 * the target is ≥ 1.5 M bars/s read.
 *
 *   node --import tsx bench/scenarios/bar-read.ts [--bars 1000000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bar } from '../../src/market-data/bar.js';
import { mergeBarFiles, readBarFile } from '../../src/market-data/bar-file.js';
import { syntheticBars, writeBarCsv } from '../../src/market-data/synthetic-bars.js';
import { log, memory, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';

const SYMBOLS = [
  { symbol: 'BTC_USDT', startPrice: '42000', tick: '0.01' },
  { symbol: 'ETH_USDT', startPrice: '2300', tick: '0.01' },
  { symbol: 'SOL_USDT', startPrice: '100', tick: '0.001' },
];

/** Seconds to drain `chunks`, and the bars counted (the checksum keeps the loop from being optimised away). */
async function timed(chunks: AsyncIterable<Bar[]>): Promise<{ seconds: number; bars: number; checksum: number }> {
  const start = performance.now();
  let bars = 0;
  let checksum = 0;
  for await (const chunk of chunks) {
    bars += chunk.length;
    checksum += (chunk[chunk.length - 1] as Bar).c;
  }
  return { seconds: (performance.now() - start) / 1000, bars, checksum };
}

export async function barRead(total: number): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-bars-'));
  const path = join(dir, 'bars.csv');
  try {
    const count = Math.ceil(total / SYMBOLS.length);
    const written = await writeBarCsv(path, syntheticBars({ symbols: SYMBOLS, startMs: Date.UTC(2024, 0, 1), timeframeMs: 60_000, count, seed: 1 }));
    const bytes = statSync(path).size;
    // one untimed pass: the file in the page cache and the reader's code optimised, as in a backtest's steady state
    await timed(readBarFile(path));
    const read = await timed(readBarFile(path));
    const merged = await timed(mergeBarFiles([{ path }]));
    const readRate = read.bars / read.seconds;
    const mergeRate = merged.bars / merged.seconds;
    log(`bar-read: ${written} bars (${(bytes / 2 ** 20).toFixed(1)} MiB) read in ${read.seconds.toFixed(2)} s = ${(readRate / 1e6).toFixed(2)} M bars/s; merged in ${merged.seconds.toFixed(2)} s = ${(mergeRate / 1e6).toFixed(2)} M bars/s`);
    return {
      scenario: 'bar-read',
      figures: {
        read_bars_per_second: { value: readRate, unit: 'bars/s' },
        merge_bars_per_second: { value: mergeRate, unit: 'bars/s' },
      },
      details: { bars: written, file_bytes: bytes, read_seconds: read.seconds, merge_seconds: merged.seconds, target_bars_per_second: 1_500_000, ...memory() },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function barReadFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  return barRead(numberArg(args, 'bars', 1_000_000));
}

runIfMain(import.meta.url, barReadFromArgs);
