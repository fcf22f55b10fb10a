import { mulberry32, type Random } from '../domain/prng.js';
import type { Bar } from './bar.js';
import { BAR_CHUNK_SIZE } from './bar-file-reader.js';
import { canonicalDecimal, parseSymbol } from './price-cells.js';

export { writeBarCsv } from './bar-csv.js';

export interface SyntheticSymbol {
  /** BTC_USDT or BTC/USDT. */
  readonly symbol: string;
  /** The first bar's open, decimal text (or a number), rounded to the tick. */
  readonly startPrice: string | number;
  /** Price step, decimal text: every price is a multiple of it. */
  readonly tick: string;
  /** Annualised volatility of the walk. @default 0.6 */
  readonly volatility?: number;
  /** Mean traded value per bar, in quote units (volume = value / price). @default 250000 */
  readonly quoteVolume?: number;
}

export interface SyntheticBarsOptions {
  readonly symbols: readonly SyntheticSymbol[];
  /** The first bar's time, epoch ms. */
  readonly startMs: number;
  readonly timeframeMs: number;
  /** Bars per symbol. */
  readonly count: number;
  readonly seed: number;
  /** Bars per yielded chunk. @default BAR_CHUNK_SIZE */
  readonly chunkSize?: number;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;
const VOLUME_PLACES = 4;

/** A price grid: prices are whole multiples of `unit` × 10^-places (tick 0.5 → unit 5, places 1). */
interface Grid {
  readonly places: number;
  readonly unit: number;
  readonly tick: number;
  /** 10^places: an integer over it is the double nearest the decimal, as parsing the text gives. */
  readonly scale: number;
}

function gridOf(symbol: string, tick: string): Grid {
  const text = canonicalDecimal(tick);
  if (text === undefined || Number(text) <= 0) throw new RangeError(`${symbol}: tick must be a positive decimal, got "${tick}"`);
  const dot = text.indexOf('.');
  const places = dot === -1 ? 0 : text.length - dot - 1;
  const unit = Number(text.replace('.', ''));
  return { places, unit, tick: Number(text), scale: 10 ** places };
}

/** Decimal text of `n` × 10^-places (n a non-negative safe integer), canonical. */
function fixedText(n: number, places: number): string {
  if (places === 0) return String(n);
  let digits = String(n);
  if (digits.length <= places) digits = '0'.repeat(places - digits.length + 1) + digits;
  const cut = digits.length - places;
  let end = digits.length;
  while (end > cut && digits.charCodeAt(end - 1) === 48) end--;
  return end === cut ? digits.slice(0, cut) : `${digits.slice(0, cut)}.${digits.slice(cut, end)}`;
}

/** One symbol's walk: its state is the last close in ticks. */
class Walk {
  readonly symbol: string;
  readonly #grid: Grid;
  readonly #sigma: number;
  readonly #quoteVolume: number;
  #closeTicks: number;

  constructor(spec: SyntheticSymbol, timeframeMs: number) {
    const symbol = parseSymbol(spec.symbol);
    if (symbol === undefined) throw new RangeError(`"${spec.symbol}" is not a symbol like BTC_USDT`);
    this.symbol = symbol;
    this.#grid = gridOf(symbol, spec.tick);
    this.#sigma = (spec.volatility ?? 0.6) * Math.sqrt(timeframeMs / YEAR_MS);
    this.#quoteVolume = spec.quoteVolume ?? 250_000;
    this.#closeTicks = Math.max(1, Math.round(Number(spec.startPrice) / this.#grid.tick));
    if (!Number.isSafeInteger(this.#closeTicks * this.#grid.unit)) throw new RangeError(`${symbol}: startPrice ${spec.startPrice} is too far from tick ${spec.tick}`);
  }

  #text(ticks: number): string {
    return fixedText(ticks * this.#grid.unit, this.#grid.places);
  }

  #value(ticks: number): number {
    return (ticks * this.#grid.unit) / this.#grid.scale;
  }

  /** The next bar: open at the last close, close by a normal log-return, wicks beyond both. */
  next(random: Random, atMs: number, source: string): Bar {
    const sigma = this.#sigma;
    const openTicks = this.#closeTicks;
    const move = sigma * random.normal();
    const closeTicks = Math.max(1, Math.round(openTicks * Math.exp(move)));
    const top = Math.max(openTicks, closeTicks);
    const bottom = Math.min(openTicks, closeTicks);
    const highTicks = Math.max(top, Math.ceil(top * Math.exp(Math.abs(random.normal()) * sigma * 0.5)));
    const lowTicks = Math.max(1, Math.min(bottom, Math.floor(bottom / Math.exp(Math.abs(random.normal()) * sigma * 0.5))));
    this.#closeTicks = closeTicks;
    const c = this.#value(closeTicks);
    // busier bars move more: volume grows with the size of the move
    const activity = Math.exp(0.5 * random.normal()) * (0.5 + Math.abs(move) / sigma);
    const volume = Math.round((this.#quoteVolume * activity * 10 ** VOLUME_PLACES) / c);
    return {
      symbol: this.symbol,
      atMs,
      open: this.#text(openTicks),
      high: this.#text(highTicks),
      low: this.#text(lowTicks),
      close: this.#text(closeTicks),
      volume: fixedText(volume, VOLUME_PLACES),
      o: this.#value(openTicks),
      h: this.#value(highTicks),
      l: this.#value(lowTicks),
      c,
      source,
    };
  }
}

/**
 * Seeded OHLCV bars for tests, samples and benchmarks: a geometric random walk per symbol
 * (the next open is the last close), wicks beyond open and close, prices on the tick grid,
 * volume from a mean traded value. Bars come in (time, symbol) order, in chunks. The same options
 * give the same bars, byte for byte.
 */
export function* syntheticBars(options: SyntheticBarsOptions): Generator<Bar[], void, undefined> {
  const walks = options.symbols.map((s) => new Walk(s, options.timeframeMs)).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const size = options.chunkSize ?? BAR_CHUNK_SIZE;
  const random = mulberry32(options.seed);
  let chunk: Bar[] = [];
  let n = 0;
  for (let i = 0; i < options.count; i++) {
    const atMs = options.startMs + i * options.timeframeMs;
    for (const walk of walks) {
      n += 1;
      chunk.push(walk.next(random, atMs, `synthetic:${n}`));
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}
