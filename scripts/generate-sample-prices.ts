/**
 * The sample bar files shipped in examples/backtest/ (docs/price-data.md): 14 days of 5-minute
 * bars of BTC/USDT and ETH/USDT, synthetic and seeded, so the same script always writes the same
 * bytes (test/market-data/sample-prices.test.ts checks the committed files against it).
 *
 *   npx tsx scripts/generate-sample-prices.ts [DIR]     (default examples/backtest)
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticBars, writeBarCsv, type SyntheticBarsOptions } from '../src/market-data/synthetic-bars.js';

const FIVE_MINUTES = 5 * 60_000;
const DAYS = 14;

const common = { startMs: Date.UTC(2024, 0, 1), timeframeMs: FIVE_MINUTES, count: (DAYS * 24 * 60 * 60_000) / FIVE_MINUTES };

/** File name → the generator's options. */
export const SAMPLE_PRICE_FILES: Readonly<Record<string, SyntheticBarsOptions>> = {
  'btc-usdt-5m.csv': { ...common, seed: 1001, symbols: [{ symbol: 'BTC_USDT', startPrice: '42000', tick: '0.01', volatility: 0.55, quoteVolume: 2_000_000 }] },
  'eth-usdt-5m.csv': { ...common, seed: 1002, symbols: [{ symbol: 'ETH_USDT', startPrice: '2300', tick: '0.01', volatility: 0.7, quoteVolume: 1_000_000 }] },
};

/** Writes every sample file into `dir`; resolves with the paths written. */
export async function generateSamplePrices(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, options] of Object.entries(SAMPLE_PRICE_FILES)) {
    const path = join(dir, name);
    await writeBarCsv(path, syntheticBars(options));
    written.push(path);
  }
  return written;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../examples/backtest/', import.meta.url));
  generateSamplePrices(dir)
    .then((paths) => console.log(`wrote ${paths.join(', ')}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
