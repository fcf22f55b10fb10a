import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/market-data/bar.js';
import { readBarFile } from '../../src/market-data/bar-file.js';
import { PriceFileError } from '../../src/market-data/price-file.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-bar-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(text: string, ext = 'csv'): string {
  fileCount += 1;
  const path = join(dir, `bars${fileCount}.${ext}`);
  writeFileSync(path, text);
  return path;
}

async function readAll(path: string, options: { symbol?: string; chunkSize?: number } = {}): Promise<Bar[]> {
  const bars: Bar[] = [];
  for await (const chunk of readBarFile(path, options)) bars.push(...chunk);
  return bars;
}

async function failure(path: string, options: { symbol?: string } = {}): Promise<PriceFileError> {
  try {
    await readAll(path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(PriceFileError);
    return error as PriceFileError;
  }
  throw new Error('expected the file to be refused');
}

const HEADER = 'timestamp,symbol,open,high,low,close,volume';
const GOOD = '2024-01-01T00:00:00Z,BTC/USDT,100,110,90,105,12.5';

describe('readBarFile: reading', () => {
  it('reads CSV bars with their decimal text, numbers, symbol in BASE_QUOTE form and source', async () => {
    const path = file(`${HEADER}\n${GOOD}\n2024-01-01T00:01:00Z,BTC_USDT,105,106.5,104,106,0\n`);
    expect(await readAll(path)).toEqual([
      { symbol: 'BTC_USDT', atMs: Date.UTC(2024, 0, 1), open: '100', high: '110', low: '90', close: '105', volume: '12.5', o: 100, h: 110, l: 90, c: 105, source: `${path}:2` },
      { symbol: 'BTC_USDT', atMs: Date.UTC(2024, 0, 1, 0, 1), open: '105', high: '106.5', low: '104', close: '106', volume: '0', o: 105, h: 106.5, l: 104, c: 106, source: `${path}:3` },
    ]);
  });

  it('takes the columns in any order and any case, ignores extra columns, blank lines, comments and CRLF', async () => {
    const path = file(`# exported\r\n\r\nVolume,Close,LOW,high,open,Symbol,TimeStamp,trades\r\n  # a comment\r\n12.5,105,90,110,100,ETH/USDT,1704067200000,7\r\n\r\n`);
    const [bar] = await readAll(path);
    expect(bar).toMatchObject({ symbol: 'ETH_USDT', atMs: 1704067200000, open: '100', high: '110', low: '90', close: '105', volume: '12.5', source: `${path}:5` });
  });

  it('reads a file without a symbol column under the symbol it is given', async () => {
    const path = file('timestamp,open,high,low,close,volume\n2024-01-01,1,1,1,1,1\n');
    expect((await readAll(path, { symbol: 'SOL/USDT' }))[0]?.symbol).toBe('SOL_USDT');
  });

  it('canonicalises decimal text: exponents written out, leading and trailing zeros dropped', async () => {
    const path = file(`${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,1e3,1000.50,0999.0,1.0E3,1.5e-7\n`);
    expect(await readAll(path)).toMatchObject([{ open: '1000', high: '1000.5', low: '999', close: '1000', volume: '0.00000015', o: 1000, h: 1000.5, l: 999, c: 1000 }]);
  });

  it('reads ISO times with offsets, fractions, a space separator, and without offset as UTC', async () => {
    const times = ['2024-01-01T01:00:00+01:00', '2024-01-01 00:00:01.5', '2024-01-01T00:00:02.250Z', '2024-01-01T00:03Z', '2024-01-01T00:04:00-0000'];
    const path = file(`${HEADER}\n${times.map((t) => `${t},BTC_USDT,1,1,1,1,1`).join('\n')}\n`);
    const base = Date.UTC(2024, 0, 1);
    expect((await readAll(path)).map((b) => b.atMs - base)).toEqual([0, 1500, 2250, 180_000, 240_000]);
  });

  it('reads JSON Lines with numbers or strings, keys in any case', async () => {
    const path = file(`{"timestamp":"2024-01-01T00:00:00Z","symbol":"BTC/USDT","open":100,"high":"110","low":90,"close":105,"volume":0.0000001}\n\n{"Timestamp":1704067260000,"SYMBOL":"BTC_USDT","Open":"105","High":106,"Low":104,"Close":106,"Volume":"3"}\n`, 'jsonl');
    expect(await readAll(path)).toMatchObject([
      { symbol: 'BTC_USDT', atMs: 1704067200000, open: '100', high: '110', volume: '0.0000001', source: `${path}:1` },
      { atMs: 1704067260000, open: '105', close: '106', volume: '3', source: `${path}:3` },
    ]);
  });

  it('takes .ndjson as JSON Lines too', async () => {
    const path = file('{"timestamp":"2024-01-01","open":1,"high":1,"low":1,"close":1,"volume":1}\n', 'ndjson');
    expect(await readAll(path, { symbol: 'BTC_USDT' })).toHaveLength(1);
  });

  it('keeps several symbols apart: each needs increasing times of its own', async () => {
    const path = file(`${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,1,1,1,1,1\n2024-01-01T00:00:00Z,ETH_USDT,1,1,1,1,1\n2024-01-01T00:01:00Z,ETH_USDT,1,1,1,1,1\n2024-01-01T00:01:00Z,BTC_USDT,1,1,1,1,1\n`);
    expect((await readAll(path)).map((b) => b.symbol)).toEqual(['BTC_USDT', 'ETH_USDT', 'ETH_USDT', 'BTC_USDT']);
  });

  it('streams a file much larger than a chunk (and than a 1 MiB read) in chunks no larger than the chunk size', async () => {
    const count = 40_000;
    const rows = Array.from({ length: count }, (_, i) => `${1704067200000 + i * 60_000},BTC_USDT,100,101,99,100.5,${i}`);
    const path = file(`${HEADER}\n${rows.join('\n')}\n`);
    const sizes: number[] = [];
    let expected = 0;
    let inOrder = true;
    for await (const chunk of readBarFile(path, { chunkSize: 512 })) {
      sizes.push(chunk.length);
      for (const bar of chunk) {
        inOrder &&= bar.volume === String(expected) && bar.source === `${path}:${expected + 2}`;
        expected += 1;
      }
    }
    expect(inOrder).toBe(true);
    expect(expected).toBe(count);
    expect(Math.max(...sizes)).toBe(512);
    expect(sizes).toHaveLength(Math.ceil(count / 512));
  });

  it('reads the last line without a newline', async () => {
    expect(await readAll(file(`${HEADER}\n${GOOD}`))).toHaveLength(1);
  });
});

describe('readBarFile: refusing', () => {
  const cases: [string, string, string, string][] = [
    ['a CSV without a header', `${GOOD}\n`, 'line 1: the first line must be a header naming the columns (timestamp,symbol,open,high,low,close,volume); got "2024-01-01T00:00:00Z,BTC/USDT,100,110,90,105,12.5"', 'header'],
    ['a header without some columns', 'timestamp,open,close\n', 'line 1, column symbol, high, low, volume: missing from the header "timestamp,open,close" (or name the one symbol of the file: planexec backtest --symbol)', 'header_columns'],
    ['a header naming a column twice', 'timestamp,symbol,open,high,low,close,volume,Open\n', 'line 1, column open: named twice in the header "timestamp,symbol,open,high,low,close,volume,Open"', 'header_columns'],
    ['a row with fewer cells than the header', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,1,1,1\n`, 'line 2, column 6 (close): this row has 5 cells, the header names 7', 'cells'],
    ['a row with more cells than the header', `${HEADER}\n${GOOD},9\n`, 'line 2, column 8: this row has 8 cells, the header names 7', 'cells'],
    ['a price that is not a number', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,abc,110,90,105,1\n`, 'line 2, column 3 (open): "abc" is not a plain decimal number', 'decimal'],
    ['a price with a sign', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,+100,110,90,105,1\n`, 'line 2, column 3 (open): "+100" is not a plain decimal number', 'decimal'],
    ['a negative price', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,100,110,-90,105,1\n`, 'line 2, column 5 (low): a price must be greater than 0, got "-90"', 'positive'],
    ['a zero price', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,100,110,90,0.000,1\n`, 'line 2, column 6 (close): a price must be greater than 0, got "0.000"', 'positive'],
    ['a negative volume', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,100,110,90,105,-1.5\n`, 'line 2, column 7 (volume): volume must not be negative, got "-1.5"', 'non_negative'],
    ['an empty cell', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,100, ,90,105,1\n`, 'line 2, column 4 (high): missing', 'missing'],
    ['high below open', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,100,99,90,95,1\n`, 'line 2, column 4 (high): high 99 is below open 100', 'high_below_open'],
    ['high below close', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,100,101,90,102,1\n`, 'line 2, column 4 (high): high 101 is below close 102', 'high_below_close'],
    ['low above open', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,100,110,101,105,1\n`, 'line 2, column 5 (low): low 101 is above open 100', 'low_above_open'],
    ['low above close', `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,100,110,99,98,1\n`, 'line 2, column 5 (low): low 99 is above close 98', 'low_above_close'],
    ['a time that is not a time', `${HEADER}\n2024-01-01X00:00:00Z,BTC_USDT,1,1,1,1,1\n`, 'line 2, column 1 (timestamp): "2024-01-01X00:00:00Z" is not an ISO-8601 time or epoch milliseconds', 'timestamp'],
    ['an impossible date', `${HEADER}\n2024-02-30T00:00:00Z,BTC_USDT,1,1,1,1,1\n`, 'line 2, column 1 (timestamp): "2024-02-30T00:00:00Z" is not an ISO-8601 time or epoch milliseconds', 'timestamp'],
    ['epoch seconds', `${HEADER}\n1704067200,BTC_USDT,1,1,1,1,1\n`, 'line 2, column 1 (timestamp): "1704067200" looks like epoch seconds; expected epoch milliseconds or an ISO-8601 time', 'timestamp'],
    ['a symbol that is not a symbol', `${HEADER}\n2024-01-01T00:00:00Z,btc-usdt,1,1,1,1,1\n`, 'line 2, column 2 (symbol): "btc-usdt" is not a symbol like BTC_USDT or BTC/USDT', 'symbol'],
    [
      'a repeated time of one symbol',
      `${HEADER}\n2024-01-01T00:00:00Z,BTC_USDT,1,1,1,1,1\n2024-01-01T00:00:00Z,ETH_USDT,1,1,1,1,1\n1704067200000,BTC/USDT,1,1,1,1,1\n`,
      'line 4, column 1 (timestamp): "1704067200000" (2024-01-01T00:00:00.000Z) repeats the BTC_USDT bar of line 2: times must increase strictly per symbol',
      'duplicate_time',
    ],
    [
      'a time going back',
      `${HEADER}\n2024-01-01T00:05:00Z,BTC_USDT,1,1,1,1,1\n2024-01-01T00:04:00Z,BTC_USDT,1,1,1,1,1\n`,
      'line 3, column 1 (timestamp): "2024-01-01T00:04:00Z" (2024-01-01T00:04:00.000Z) is before the BTC_USDT bar of line 2 at 2024-01-01T00:05:00.000Z: times must increase strictly per symbol',
      'time_order',
    ],
    ['a header only', `${HEADER}\n`, ': no bars in its 1 line(s)', 'empty'],
    ['an empty file', '', ': no bars: the file is empty', 'empty'],
  ];

  it.each(cases)('refuses %s, naming the line, the column and the rule', async (_name, text, message, rule) => {
    const path = file(text);
    const error = await failure(path);
    const where = message.startsWith(':') ? '' : ', ';
    expect(error.message).toBe(`price file ${path}${where}${message}`);
    expect(error.details).toMatchObject({ rule });
  });

  it('refuses a row of another symbol than the one the file is opened for', async () => {
    const path = file(`${HEADER}\n${GOOD}\n2024-01-01T00:01:00Z,ETH_USDT,1,1,1,1,1\n`);
    const error = await failure(path, { symbol: 'BTC_USDT' });
    expect(error.message).toBe(`price file ${path}, line 3, column 2 (symbol): "ETH_USDT" is not the symbol this file was opened for, BTC_USDT`);
    expect(error.details).toMatchObject({ file: path, line: 3, column: '2 (symbol)', rule: 'symbol_mismatch' });
  });

  it('refuses JSON Lines that are not objects, or cells that are neither number nor string', async () => {
    const notJson = file('{"timestamp":\n', 'jsonl');
    expect((await failure(notJson)).message).toMatch(new RegExp(`^price file ${notJson}, line 1: not JSON: `));
    const array = file('[1,2]\n', 'jsonl');
    expect((await failure(array)).message).toBe(`price file ${array}, line 1: expected one JSON object per line`);
    const nullCell = file('{"timestamp":"2024-01-01","symbol":"BTC_USDT","open":null,"high":1,"low":1,"close":1,"volume":1}\n', 'jsonl');
    expect((await failure(nullCell)).message).toBe(`price file ${nullCell}, line 1, column open: null is neither a number nor a string`);
  });

  it('names a JSON Lines cell by its key', async () => {
    const path = file('{"timestamp":"2024-01-01","symbol":"BTC_USDT","open":1,"high":1,"low":1,"close":1}\n', 'jsonl');
    expect((await failure(path)).message).toBe(`price file ${path}, line 1, column volume: missing`);
  });

  it('refuses a file that cannot be read, and a symbol option that is not a symbol', async () => {
    const missing = join(dir, 'nope.csv');
    await expect(readAll(missing)).rejects.toThrow(`cannot read price file ${missing}: ENOENT`);
    await expect(readAll(file(`${HEADER}\n${GOOD}\n`), { symbol: 'bitcoin' })).rejects.toThrow('"bitcoin" is not a symbol like BTC_USDT or BTC/USDT');
  });
});
