import type { Bar } from './bar.js';
import { canonicalDecimal, canonicalDecimalValueAt, parseSymbol, parseTimeAt, timeProblem } from './price-cells.js';
import { PriceFileError } from './price-file-error.js';

/** The columns of a bar file; `symbol` may be left out when the caller names the symbol. */
export const BAR_FIELDS = ['timestamp', 'symbol', 'open', 'high', 'low', 'close', 'volume'] as const;
export type BarField = (typeof BAR_FIELDS)[number];

/**
 * Where each cell of a row is in its line's text: start at [2k], end at [2k + 1] for the k-th of
 * BAR_FIELDS; start -1 when the row has no such cell. Readers fill one and reuse it.
 */
export type CellSpans = Int32Array;
export const newCellSpans = (): CellSpans => new Int32Array(BAR_FIELDS.length * 2);

/** How a row's cells are named in errors: CSV `3 (high)`, JSON Lines `high`. */
export type ColumnName = (field: BarField) => string;

interface SeriesEnd {
  atMs: number;
  line: number;
}

/** Why a bar's prices do not fit together (high under open, …), or undefined. */
export function barShapeProblem(o: number, h: number, l: number, c: number): { field: 'high' | 'low'; other: 'open' | 'close' | 'low'; rule: string } | undefined {
  if (h < o) return { field: 'high', other: 'open', rule: 'high_below_open' };
  if (h < c) return { field: 'high', other: 'close', rule: 'high_below_close' };
  if (h < l) return { field: 'high', other: 'low', rule: 'high_below_low' };
  if (l > o) return { field: 'low', other: 'open', rule: 'low_above_open' };
  if (l > c) return { field: 'low', other: 'close', rule: 'low_above_close' };
  return undefined;
}

/** How many symbol texts a checker matches in place; beyond, a file pays the regex per row. */
const KNOWN_SYMBOLS = 16;

const T = 0;
const S = 2;
const O = 4;
const H = 6;
const L = 8;
const C = 10;
const V = 12;

/**
 * Turns one row's cells into a checked Bar, remembering each symbol's last time so a duplicate
 * or a step back in time is refused with the line it conflicts with. One per file. Works on
 * spans of the line's text: the only strings made are the ones a Bar keeps.
 */
export class BarRowChecker {
  readonly #file: string;
  readonly #symbol: string | undefined;
  readonly #column: ColumnName;
  readonly #ends = new Map<string, SeriesEnd>();
  // a file holds a few symbols: their cell texts are matched in place, without a slice or the regex
  readonly #knownTexts: string[] = [];
  readonly #knownSymbols: string[] = [];
  #cachedSymbol = '';
  #cachedEnd: SeriesEnd | undefined;
  /** The number of the decimal #price or #volume last read. */
  #value = 0;

  constructor(file: string, symbol: string | undefined, column: ColumnName) {
    this.#file = file;
    this.#symbol = symbol;
    this.#column = column;
  }

  fail(line: number, field: BarField, rule: string, message: string): PriceFileError {
    return new PriceFileError(this.#file, line, this.#column(field), message, rule);
  }

  #missing(spans: CellSpans, k: number, line: number, field: BarField): void {
    if ((spans[k] as number) < 0 || spans[k] === spans[k + 1]) throw this.fail(line, field, 'missing', 'missing');
  }

  /** Decimal text and, in #value, its number; canonical text as is, other forms through canonicalDecimal. */
  #decimal(text: string, spans: CellSpans, k: number, line: number, field: BarField): string | undefined {
    this.#missing(spans, k, line, field);
    const start = spans[k] as number;
    const end = spans[k + 1] as number;
    const fast = canonicalDecimalValueAt(text, start, end);
    if (!Number.isNaN(fast)) {
      this.#value = fast;
      return text.slice(start, end);
    }
    const value = canonicalDecimal(text.slice(start, end));
    if (value !== undefined) this.#value = Number(value);
    return value;
  }

  #price(text: string, spans: CellSpans, k: number, line: number, field: BarField): string {
    const value = this.#decimal(text, spans, k, line, field);
    if (value !== undefined && this.#value !== 0) return value;
    const cell = text.slice(spans[k], spans[k + 1]);
    if (value === undefined) {
      const negative = cell.startsWith('-') && canonicalDecimal(cell.slice(1)) !== undefined;
      if (negative) throw this.fail(line, field, 'positive', `a price must be greater than 0, got "${cell}"`);
      throw this.fail(line, field, 'decimal', `"${cell}" is not a plain decimal number`);
    }
    throw this.fail(line, field, 'positive', `a price must be greater than 0, got "${cell}"`);
  }

  #volume(text: string, spans: CellSpans, line: number): string {
    const value = this.#decimal(text, spans, V, line, 'volume');
    if (value !== undefined) return value;
    const cell = text.slice(spans[V], spans[V + 1]);
    if (cell.startsWith('-') && canonicalDecimal(cell.slice(1)) !== undefined) {
      throw this.fail(line, 'volume', 'non_negative', `volume must not be negative, got "${cell}"`);
    }
    throw this.fail(line, 'volume', 'decimal', `"${cell}" is not a plain decimal number`);
  }

  #symbolOf(text: string, spans: CellSpans, line: number): string {
    const start = spans[S] as number;
    if (start < 0 && this.#symbol !== undefined) return this.#symbol;
    this.#missing(spans, S, line, 'symbol');
    const end = spans[S + 1] as number;
    const known = this.#knownTexts;
    for (let i = 0; i < known.length; i++) {
      const t = known[i] as string;
      if (end - start === t.length && text.startsWith(t, start)) return this.#knownSymbols[i] as string;
    }
    const cell = text.slice(start, end);
    const symbol = parseSymbol(cell);
    if (symbol === undefined) throw this.fail(line, 'symbol', 'symbol', `"${cell}" is not a symbol like BTC_USDT or BTC/USDT`);
    if (this.#symbol !== undefined && symbol !== this.#symbol) {
      throw this.fail(line, 'symbol', 'symbol_mismatch', `"${cell}" is not the symbol this file was opened for, ${this.#symbol}`);
    }
    if (known.length < KNOWN_SYMBOLS) {
      known.push(cell);
      this.#knownSymbols.push(symbol);
    }
    return symbol;
  }

  #advance(symbol: string, atMs: number, line: number, text: string, spans: CellSpans): void {
    const end = symbol === this.#cachedSymbol ? this.#cachedEnd : this.#ends.get(symbol);
    this.#cachedSymbol = symbol;
    if (end === undefined) {
      this.#cachedEnd = { atMs, line };
      this.#ends.set(symbol, this.#cachedEnd);
      return;
    }
    this.#cachedEnd = end;
    if (atMs <= end.atMs) {
      const at = new Date(atMs).toISOString();
      const same = atMs === end.atMs;
      const relation = same ? `repeats the ${symbol} bar of line ${end.line}` : `is before the ${symbol} bar of line ${end.line} at ${new Date(end.atMs).toISOString()}`;
      throw this.fail(line, 'timestamp', same ? 'duplicate_time' : 'time_order', `"${text.slice(spans[T], spans[T + 1])}" (${at}) ${relation}: times must increase strictly per symbol`);
    }
    end.atMs = atMs;
    end.line = line;
  }

  /** The bar of one row, its cells at `spans` in `text`. */
  bar(line: number, text: string, spans: CellSpans): Bar {
    this.#missing(spans, T, line, 'timestamp');
    const atMs = parseTimeAt(text, spans[T] as number, spans[T + 1] as number);
    if (Number.isNaN(atMs)) throw this.fail(line, 'timestamp', 'timestamp', timeProblem(text.slice(spans[T], spans[T + 1])));
    const symbol = this.#symbolOf(text, spans, line);
    const open = this.#price(text, spans, O, line, 'open');
    const o = this.#value;
    const high = this.#price(text, spans, H, line, 'high');
    const h = this.#value;
    const low = this.#price(text, spans, L, line, 'low');
    const l = this.#value;
    const close = this.#price(text, spans, C, line, 'close');
    const c = this.#value;
    const volume = this.#volume(text, spans, line);
    const shape = barShapeProblem(o, h, l, c);
    if (shape !== undefined) {
      const texts = { open, high, low, close };
      const verb = shape.field === 'high' ? 'is below' : 'is above';
      throw this.fail(line, shape.field, shape.rule, `${shape.field} ${texts[shape.field]} ${verb} ${shape.other} ${texts[shape.other]}`);
    }
    this.#advance(symbol, atMs, line, text, spans);
    return { symbol, atMs, open, high, low, close, volume, o, h, l, c, source: `${this.#file}:${line}` };
  }
}
