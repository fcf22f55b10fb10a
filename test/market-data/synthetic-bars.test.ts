import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/market-data/bar.js';
import { readBarFile } from '../../src/market-data/bar-file.js';
import { syntheticBars, writeBarCsv, type SyntheticBarsOptions } from '../../src/market-data/synthetic-bars.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-synthetic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS: SyntheticBarsOptions = {
  symbols: [
    { symbol: 'ETH/USDT', startPrice: '3500', tick: '0.01' },
    { symbol: 'BTC_USDT', startPrice: 65000, tick: '0.5', volatility: 1.2 },
    { symbol: 'PEPE_USDT', startPrice: '0.0000123', tick: '0.0000001' },
  ],
  startMs: Date.UTC(2024, 0, 1),
  timeframeMs: 60_000,
  count: 2000,
  seed: 11,
  chunkSize: 1000,
};

const all = (options: SyntheticBarsOptions): Bar[] => [...syntheticBars(options)].flat();
const withoutSource = ({ source: _source, ...rest }: Bar) => rest;

describe('syntheticBars', () => {
  it('gives the same bars and byte-identical CSV for the same options, other bars for another seed', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    expect(await writeBarCsv(a, syntheticBars(OPTIONS))).toBe(6000);
    await writeBarCsv(b, syntheticBars(OPTIONS));
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(all({ ...OPTIONS, seed: 12 })[3]?.close).not.toBe(all(OPTIONS)[3]?.close);
  });

  it('writes a CSV the bar reader reads back as the same bars', async () => {
    const path = join(dir, 'round-trip.csv');
    await writeBarCsv(path, syntheticBars(OPTIONS));
    const read: Bar[] = [];
    for await (const chunk of readBarFile(path)) read.push(...chunk);
    expect(read.map(withoutSource)).toEqual(all(OPTIONS).map(withoutSource));
  });

  it('yields (time, symbol) order in chunks, each bar on its tick with wicks around open and close', () => {
    const chunks = [...syntheticBars(OPTIONS)];
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
    const bars = chunks.flat();
    expect(bars.slice(0, 3).map((b) => b.symbol)).toEqual(['BTC_USDT', 'ETH_USDT', 'PEPE_USDT']);
    expect(bars[3]?.atMs).toBe(OPTIONS.startMs + 60_000);
    const ticks: Record<string, number> = { BTC_USDT: 0.5, ETH_USDT: 0.01, PEPE_USDT: 0.0000001 };
    let previousClose: Record<string, string> = {};
    for (const bar of bars) {
      expect(bar.h).toBeGreaterThanOrEqual(Math.max(bar.o, bar.c));
      expect(bar.l).toBeLessThanOrEqual(Math.min(bar.o, bar.c));
      expect(bar.l).toBeGreaterThan(0);
      for (const [text, value] of [[bar.open, bar.o], [bar.high, bar.h], [bar.low, bar.l], [bar.close, bar.c]] as const) {
        expect(Number(text)).toBe(value);
        const steps = value / ticks[bar.symbol]!;
        expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-6);
      }
      if (previousClose[bar.symbol] !== undefined) expect(bar.open).toBe(previousClose[bar.symbol]);
      previousClose = { ...previousClose, [bar.symbol]: bar.close };
    }
    expect(bars[0]?.open).toBe('65000');
    expect(bars[2]?.open).toBe('0.0000123');
  });

  it('moves like a market: the walk wanders and volume varies', () => {
    const btc = all({ ...OPTIONS, count: 5000 }).filter((b) => b.symbol === 'BTC_USDT');
    const closes = btc.map((b) => b.c);
    expect(Math.max(...closes) / Math.min(...closes)).toBeGreaterThan(1.01);
    expect(new Set(btc.map((b) => b.volume)).size).toBeGreaterThan(4000);
  });

  it('refuses a tick that is not a positive decimal and a symbol that is not a symbol', () => {
    expect(() => all({ ...OPTIONS, symbols: [{ symbol: 'BTC_USDT', startPrice: 1, tick: '0' }] })).toThrow('BTC_USDT: tick must be a positive decimal, got "0"');
    expect(() => all({ ...OPTIONS, symbols: [{ symbol: 'bitcoin', startPrice: 1, tick: '1' }] })).toThrow('"bitcoin" is not a symbol like BTC_USDT');
  });
});
