import { Decimal } from '../../../src/domain/decimal.js';
import type { Bar } from '../../../src/market-data/bar.js';
import { syntheticBars } from '../../../src/market-data/synthetic-bars.js';
import { BinanceError } from './binance-error.js';
import { binanceDecimal } from './format.js';
import type { Instrument } from './instrument.js';
import type { VenueState } from './venue-state.js';

/** The first kline of every symbol and interval opens here. */
export const KLINE_ORIGIN_MS = Date.UTC(2024, 0, 1);
/** Klines per symbol and interval: the history is synthetic and bounded, whatever the clock says. */
export const KLINE_HISTORY = 100_000;
const KLINE_SEED = 20240101;

/** Binance's intervals of fixed length (1M, a calendar month, is not served). */
export const KLINE_INTERVAL_MS: Readonly<Record<string, number>> = {
  '1s': 1000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
};

function seedOf(symbol: string, interval: string): number {
  let hash = KLINE_SEED;
  for (const ch of `${symbol}/${interval}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

/** One symbol's synthetic series at one interval, generated as far as it has been asked for. */
class KlineSeries {
  readonly bars: Bar[] = [];
  readonly #source: Iterator<Bar[]>;

  constructor(instrument: Instrument, startPrice: string, interval: string, intervalMs: number) {
    this.#source = syntheticBars({
      symbols: [{ symbol: `${instrument.base}_${instrument.quote}`, startPrice, tick: instrument.tickSize.toFixed() }],
      startMs: KLINE_ORIGIN_MS,
      timeframeMs: intervalMs,
      count: KLINE_HISTORY,
      seed: seedOf(instrument.symbol, interval),
      chunkSize: 1000,
    });
  }

  upTo(index: number): void {
    while (this.bars.length <= index) {
      const next = this.#source.next();
      if (next.done === true) return;
      this.bars.push(...next.value);
    }
  }
}

const histories = new WeakMap<VenueState, Map<string, KlineSeries>>();

function series(venue: VenueState, instrument: Instrument, interval: string, intervalMs: number): KlineSeries {
  let byKey = histories.get(venue);
  if (byKey === undefined) histories.set(venue, (byKey = new Map()));
  const key = `${instrument.symbol} ${interval}`;
  let found = byKey.get(key);
  if (found === undefined) {
    const startPrice = venue.config.instruments.find((i) => i.symbol === instrument.symbol)?.price ?? '100';
    found = new KlineSeries(instrument, startPrice, interval, intervalMs);
    byKey.set(key, found);
  }
  return found;
}

export interface KlineRequest {
  readonly interval: string | undefined;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly limit: number;
}

const text = (value: string) => binanceDecimal(new Decimal(value));

/**
 * GET /api/v3/klines: closed bars of a seeded synthetic walk starting at KLINE_ORIGIN_MS, in
 * Binance's row shape. startTime and endTime bound the open time (both inclusive); with no
 * startTime the latest `limit` bars up to endTime (or now).
 */
export function klines(venue: VenueState, instrument: Instrument, request: KlineRequest): unknown[][] {
  if (request.interval === undefined) throw new BinanceError(-1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
  const intervalMs = KLINE_INTERVAL_MS[request.interval];
  if (intervalMs === undefined) throw new BinanceError(-1120, 'Invalid interval.');
  const closed = Math.floor((venue.now() - KLINE_ORIGIN_MS) / intervalMs) - 1;
  let last = Math.min(KLINE_HISTORY - 1, closed);
  if (request.endTime !== undefined) last = Math.min(last, Math.floor((request.endTime - KLINE_ORIGIN_MS) / intervalMs));
  const first = request.startTime !== undefined ? Math.max(0, Math.ceil((request.startTime - KLINE_ORIGIN_MS) / intervalMs)) : Math.max(0, last - request.limit + 1);
  const end = Math.min(last, first + request.limit - 1);
  if (end < first) return [];
  const history = series(venue, instrument, request.interval, intervalMs);
  history.upTo(end);
  return history.bars.slice(first, end + 1).map((bar) => {
    const quoteVolume = new Decimal(bar.volume).mul(bar.close).toFixed(8);
    return [bar.atMs, text(bar.open), text(bar.high), text(bar.low), text(bar.close), text(bar.volume), bar.atMs + intervalMs - 1, quoteVolume, 100, text(bar.volume), quoteVolume, '0'];
  });
}
