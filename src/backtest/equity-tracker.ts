import { Decimal, decimalToWire } from '../domain/decimal.js';
import type { Direction } from '../domain/enums.js';
import type { EquityPoint } from './report-input.js';

export interface TrackedFill {
  readonly symbol: string;
  readonly side: Direction;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
}

/** Equity is sampled at the last bar of each hour: fine enough for the curve, few enough for a year. */
const SAMPLE_MS = 3_600_000;

/**
 * The account a backtest trades from, kept from the venue's fills: cash in the quote asset and a
 * signed quantity per symbol, marked at the last close. Equity is sampled at every fill and at
 * the last bar of each UTC hour: the report's curve and drawdown, and its daily returns (the last
 * sample of each day).
 */
export class EquityTracker {
  #cash: Decimal;
  readonly #held = new Map<string, Decimal>();
  readonly #marks = new Map<string, string>();
  readonly #points: EquityPoint[] = [];
  #period: number | undefined;
  #lastMs: number | undefined;

  constructor(initialEquity: Decimal) {
    this.#cash = initialEquity;
  }

  get points(): readonly EquityPoint[] {
    return this.#points;
  }

  /** The close of `symbol` at `atMs`, as decimal text (converted only when equity is sampled). */
  mark(symbol: string, close: string, atMs: number): void {
    const period = Math.floor(atMs / SAMPLE_MS);
    // the hour's last bar was the previous one: its equity closes that hour
    if (this.#period !== undefined && period !== this.#period && this.#lastMs !== undefined) this.#sample(this.#lastMs);
    this.#period = period;
    this.#lastMs = atMs;
    this.#marks.set(symbol, close);
  }

  /** Book fills (BUY pays price × quantity + fee, SELL receives it less the fee), then sample. */
  book(fills: readonly TrackedFill[], atMs: number): void {
    if (fills.length === 0) return;
    for (const fill of fills) {
      const notional = fill.price.mul(fill.quantity);
      const signed = fill.side === 'BUY' ? fill.quantity : fill.quantity.neg();
      this.#cash = fill.side === 'BUY' ? this.#cash.minus(notional).minus(fill.fee) : this.#cash.plus(notional).minus(fill.fee);
      this.#held.set(fill.symbol, (this.#held.get(fill.symbol) ?? new Decimal(0)).plus(signed));
    }
    this.#sample(atMs);
  }

  /** The last point: the run's end. */
  finish(atMs: number): void {
    this.#sample(atMs);
  }

  equity(): Decimal {
    let total = this.#cash;
    for (const [symbol, quantity] of this.#held) {
      if (quantity.isZero()) continue;
      const mark = this.#marks.get(symbol);
      if (mark !== undefined) total = total.plus(quantity.mul(mark));
    }
    return total;
  }

  #sample(atMs: number): void {
    const equity = decimalToWire(this.equity());
    const last = this.#points[this.#points.length - 1];
    // one point per instant: a later sample at the same time replaces the earlier one
    if (last !== undefined && last.atMs === atMs) this.#points[this.#points.length - 1] = { atMs, equity };
    else this.#points.push({ atMs, equity });
  }
}
