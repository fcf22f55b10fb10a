import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeBarFiles } from '../../src/market-data/bar-file.js';
import { generateSamplePrices, SAMPLE_PRICE_FILES } from '../../scripts/generate-sample-prices.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-sample-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const committed = (name: string) => new URL(`../../examples/backtest/${name}`, import.meta.url);

describe('the sample price files in examples/backtest', () => {
  it('are exactly what scripts/generate-sample-prices.ts writes', async () => {
    const paths = await generateSamplePrices(dir);
    expect(paths.map((p) => basename(p))).toEqual(Object.keys(SAMPLE_PRICE_FILES));
    for (const path of paths) expect(readFileSync(path).equals(readFileSync(committed(basename(path))))).toBe(true);
  });

  it('read and merge as 14 days of 5-minute bars of BTC_USDT and ETH_USDT, each under 400 KB', async () => {
    const files = Object.keys(SAMPLE_PRICE_FILES).map((name) => ({ path: fileURLToPath(committed(name)) }));
    for (const f of files) expect(readFileSync(f.path).length).toBeLessThan(400_000);
    const counts: Record<string, number> = {};
    let last = 0;
    for await (const chunk of mergeBarFiles(files)) {
      for (const bar of chunk) counts[bar.symbol] = (counts[bar.symbol] ?? 0) + 1;
      last = chunk[chunk.length - 1]?.atMs ?? last;
    }
    expect(counts).toEqual({ BTC_USDT: 4032, ETH_USDT: 4032 });
    expect(new Date(last).toISOString()).toBe('2024-01-14T23:55:00.000Z');
  });
});
