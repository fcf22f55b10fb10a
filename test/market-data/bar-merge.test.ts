import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/market-data/bar.js';
import { mergeBarFiles, type BarFileSpec } from '../../src/market-data/bar-file.js';
import { PriceFileError } from '../../src/market-data/price-file.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-bar-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'timestamp,symbol,open,high,low,close,volume';
const T0 = Date.UTC(2024, 0, 1);
let fileCount = 0;

function file(lines: readonly string[]): string {
  fileCount += 1;
  const path = join(dir, `m${fileCount}.csv`);
  writeFileSync(path, `${HEADER}\n${lines.map((l) => `${l}\n`).join('')}`);
  return path;
}

async function mergeAll(files: readonly BarFileSpec[], chunkSize?: number): Promise<{ bars: Bar[]; chunks: number[] }> {
  const bars: Bar[] = [];
  const chunks: number[] = [];
  for await (const chunk of mergeBarFiles(files, chunkSize === undefined ? {} : { chunkSize })) {
    chunks.push(chunk.length);
    bars.push(...chunk);
  }
  return { bars, chunks };
}

const key = (b: Bar) => `${b.atMs} ${b.symbol} ${b.close}`;
const SYMBOLS = ['BTC_USDT', 'ETH_USDT', 'SOL_USDT'];

describe('mergeBarFiles', () => {
  it('equals sorting the concatenation of the files by time, then symbol', async () => {
    const bar = fc.record({ symbol: fc.integer({ min: 0, max: 2 }), minute: fc.integer({ min: 0, max: 40 }), file: fc.integer({ min: 0, max: 3 }), close: fc.integer({ min: 1, max: 999 }) });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(bar, { minLength: 1, maxLength: 80, selector: (b) => `${b.symbol} ${b.minute}` }), fc.integer({ min: 1, max: 7 }), async (bars, chunkSize) => {
        const files: string[] = [];
        for (let f = 0; f < 4; f++) {
          // in time order, several symbols at one time in reverse symbol order: the merge sorts them
          const mine = bars.filter((b) => b.file === f).sort((a, b) => a.minute - b.minute || b.symbol - a.symbol);
          if (mine.length > 0) files.push(file(mine.map((b) => `${T0 + b.minute * 60_000},${SYMBOLS[b.symbol]},${b.close},${b.close},${b.close},${b.close},1`)));
        }
        const { bars: merged, chunks } = await mergeAll(files.map((path) => ({ path })), chunkSize);
        const expected = bars
          .map((b) => `${T0 + b.minute * 60_000} ${SYMBOLS[b.symbol]} ${b.close}`)
          .sort((a, b) => {
            const [ta, sa] = a.split(' ');
            const [tb, sb] = b.split(' ');
            return Number(ta) - Number(tb) || (sa! < sb! ? -1 : sa! > sb! ? 1 : 0);
          });
        expect(merged.map(key)).toEqual(expected);
        expect(Math.max(...chunks)).toBeLessThanOrEqual(chunkSize);
      }),
      { numRuns: 40 },
    );
  });

  it('merges files without a symbol column under the symbols they are given', async () => {
    const btc = join(dir, 'btc.csv');
    writeFileSync(btc, 'timestamp,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,1,1,1,1\n2024-01-01T00:02:00Z,3,3,3,3,1\n');
    const eth = join(dir, 'eth.jsonl');
    writeFileSync(eth, '{"timestamp":"2024-01-01T00:01:00Z","open":2,"high":2,"low":2,"close":2,"volume":1}\n');
    const { bars } = await mergeAll([{ path: btc, symbol: 'BTC/USDT' }, { path: eth, symbol: 'ETH_USDT' }]);
    expect(bars.map((b) => `${b.symbol} ${b.close} ${b.source}`)).toEqual([`BTC_USDT 1 ${btc}:2`, `ETH_USDT 2 ${eth}:1`, `BTC_USDT 3 ${btc}:3`]);
  });

  it('refuses the same symbol at the same time from two files, naming both sources', async () => {
    const a = file(['2024-01-01T00:00:00Z,BTC_USDT,1,1,1,1,1', '2024-01-01T00:01:00Z,BTC_USDT,1,1,1,1,1']);
    const b = file(['2024-01-01T00:00:30Z,ETH_USDT,1,1,1,1,1', '2024-01-01T00:01:00Z,BTC/USDT,2,2,2,2,1']);
    const error = await mergeAll([{ path: a }, { path: b }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PriceFileError);
    expect((error as Error).message).toBe(`price file ${b}, line 3, column timestamp: a BTC_USDT bar at 2024-01-01T00:01:00.000Z is also given by ${a}:3`);
  });

  it('refuses a file that is not in time order (symbol after symbol), naming the line that goes back', async () => {
    const blocks = file(['2024-01-01T00:00:00Z,BTC_USDT,1,1,1,1,1', '2024-01-01T00:01:00Z,BTC_USDT,1,1,1,1,1', '2024-01-01T00:00:00Z,ETH_USDT,1,1,1,1,1']);
    await expect(mergeAll([{ path: blocks }])).rejects.toThrow(
      `price file ${blocks}, line 4, column timestamp: "2024-01-01T00:00:00.000Z" is before the bar of line 3 at 2024-01-01T00:01:00.000Z: a file to merge must be in time order`,
    );
  });

  it('passes on a bad row of one file with that file named', async () => {
    const good = file(['2024-01-01T00:00:00Z,BTC_USDT,1,1,1,1,1']);
    const bad = file(['2024-01-01T00:00:00Z,ETH_USDT,1,1,1,x,1']);
    await expect(mergeAll([{ path: good }, { path: bad }])).rejects.toThrow(`price file ${bad}, line 2, column 6 (close): "x" is not a plain decimal number`);
  });

  it('stops reading every file when the consumer stops early', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${T0 + i * 60_000},BTC_USDT,1,1,1,1,1`);
    const a = file(rows);
    const b = file(rows.map((r) => r.replace('BTC', 'ETH')));
    let seen = 0;
    for await (const chunk of mergeBarFiles([{ path: a }, { path: b }], { chunkSize: 100 })) {
      seen += chunk.length;
      if (seen >= 300) break;
    }
    expect(seen).toBe(300);
  });
});
