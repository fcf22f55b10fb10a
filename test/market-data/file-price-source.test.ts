import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { FilePriceSource } from '../../src/market-data/file-price-source.js';
import { PriceFileError, readPriceFile } from '../../src/market-data/price-file.js';
import type { PriceTick } from '../../src/ports/price-source.js';
import { FakeClock } from '../support/fake-clock.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-prices-'));
let n = 0;
function file(text: string, ext = 'csv'): string {
  const path = join(dir, `prices-${++n}.${ext}`);
  writeFileSync(path, text);
  return path;
}

describe('price file', () => {
  it('reads timestamp,symbol,price rows with a header, epoch ms or ISO times, and keeps the decimals exact', () => {
    const rows = readPriceFile(file('timestamp,symbol,price\n2026-01-01T00:00:00Z,BTC_USDT,65000.10\n1767225660000,ETH/USDT,3500.0000001\n'));
    expect(rows.map((r) => [r.line, r.at, r.symbol, r.price.toFixed()])).toEqual([
      [2, '2026-01-01T00:00:00.000Z', 'BTC_USDT', '65000.1'],
      [3, '2026-01-01T00:01:00.000Z', 'ETH_USDT', '3500.0000001'],
    ]);
  });

  it('reads OHLCV bars and takes the close', () => {
    const rows = readPriceFile(file('2026-01-01T00:00:00Z,BTC_USDT,100,110,90,105.5,12\n'));
    expect(rows[0]?.price.toFixed()).toBe('105.5');
  });

  it('reads JSON Lines ticks and bars', () => {
    const rows = readPriceFile(
      file('{"timestamp":"2026-01-01T00:00:00Z","symbol":"BTC_USDT","price":"1.5"}\n{"timestamp":1767225660000,"symbol":"BTC_USDT","open":"1","high":"2","low":"1","close":"1.75","volume":"3"}\n', 'jsonl'),
    );
    expect(rows.map((r) => r.price.toFixed())).toEqual(['1.5', '1.75']);
  });

  it('a malformed row is an error naming the file, the line and the column', () => {
    const bad = file('timestamp,symbol,price\n2026-01-01T00:00:00Z,BTC_USDT,100\n2026-01-01T00:01:00Z,BTC_USDT,abc\n');
    expect(() => readPriceFile(bad)).toThrow(PriceFileError);
    expect(() => readPriceFile(bad)).toThrow(`price file ${bad}, line 3, column 3 (price): "abc" is not a plain decimal number`);
    expect(() => readPriceFile(file('yesterday,BTC_USDT,1\n'))).toThrow(/line 1, column 1 \(timestamp\): "yesterday" is not an ISO-8601 time/);
    expect(() => readPriceFile(file('2026-01-01T00:00:00Z,btc,1\n'))).toThrow(/line 1, column 2 \(symbol\): "btc" is not a symbol/);
    expect(() => readPriceFile(file('2026-01-01T00:00:00Z,BTC_USDT,1,2\n'))).toThrow(/line 1, column 4: expected 3 columns/);
    expect(() => readPriceFile(file('2026-01-01T00:00:00Z,BTC_USDT,0\n'))).toThrow(/column 3 \(price\): a price must be greater than 0/);
    expect(() => readPriceFile(file('{"timestamp":"2026-01-01T00:00:00Z","symbol":"BTC_USDT"}\n', 'jsonl'))).toThrow(/line 1, column price: missing/);
  });
});

describe('file price source', () => {
  it('replays every row in order, as fast as the listener takes them when interval_ms is 0', async () => {
    const source = new FilePriceSource({ path: file('2026-01-01T00:00:00Z,BTC_USDT,1\n2026-01-01T00:00:01Z,BTC_USDT,2\n2026-01-01T00:00:02Z,ETH_USDT,3\n'), intervalMs: 0, clock: systemClock });
    const seen: PriceTick[] = [];
    source.onPrice(async (t) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(t);
    });
    await source.start();
    expect(seen).toHaveLength(1);
    await source.replayed;
    expect(seen.map((t) => `${t.symbol}@${t.price.toFixed()}@${t.at}`)).toEqual([
      'BTC_USDT@1@2026-01-01T00:00:00.000Z',
      'BTC_USDT@2@2026-01-01T00:00:01.000Z',
      'ETH_USDT@3@2026-01-01T00:00:02.000Z',
    ]);
    expect(source.latest('BTC_USDT')?.price.toFixed()).toBe('2');
    expect(source.name).toMatch(/^file:prices-\d+\.csv$/);
  });

  it('waits interval_ms between rows and replays only the symbols asked for', async () => {
    const clock = new FakeClock();
    const source = new FilePriceSource({
      path: file('2026-01-01T00:00:00Z,BTC_USDT,1\n2026-01-01T00:00:00Z,ETH_USDT,9\n2026-01-01T00:00:01Z,BTC_USDT,2\n'),
      symbols: ['BTC_USDT'],
      intervalMs: 1000,
      clock,
    });
    await source.start();
    expect(source.latest('BTC_USDT')?.price.toFixed()).toBe('1');
    await clock.advance(999);
    expect(source.latest('BTC_USDT')?.price.toFixed()).toBe('1');
    await clock.advance(1);
    await source.replayed;
    expect(source.latest('BTC_USDT')?.price.toFixed()).toBe('2');
    expect(source.latest('ETH_USDT')).toBeUndefined();
  });

  it('a bad row fails start before any price is delivered', async () => {
    const source = new FilePriceSource({ path: file('2026-01-01T00:00:00Z,BTC_USDT,1\nnot,a,row\n'), intervalMs: 0, clock: systemClock });
    const seen: PriceTick[] = [];
    source.onPrice((t) => void seen.push(t));
    await expect(source.start()).rejects.toThrow(/line 2, column 1 \(timestamp\)/);
    expect(seen).toEqual([]);
  });

  it('close stops a replay half-way', async () => {
    const source = new FilePriceSource({ path: file('2026-01-01T00:00:00Z,BTC_USDT,1\n2026-01-01T00:00:01Z,BTC_USDT,2\n'), intervalMs: 60_000, clock: systemClock });
    await source.start();
    await source.close();
    await source.replayed;
    expect(source.latest('BTC_USDT')?.price.toFixed()).toBe('1');
  });
});
