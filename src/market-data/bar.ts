/**
 * One OHLCV bar of a price file, as the backtest reads it. The decimal text of each price is kept
 * for exact arithmetic where a fill happens; the numbers are for the many comparisons per bar
 * (does this bar trade through a resting order's price?), which are exact for prices of up to 15
 * significant digits because parsing decimal text to a double preserves their order.
 */
export interface Bar {
  /** The platform's form, BASE_QUOTE (a file's BTC/USDT becomes BTC_USDT). */
  readonly symbol: string;
  /** The bar's opening time, epoch milliseconds (UTC). */
  readonly atMs: number;
  /** Canonical decimal text (no exponent, no leading +, no leading or trailing zeros; docs/price-data.md), as read. */
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  /** The same prices as numbers, for comparisons: exactly Number() of the text. */
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  /** Where the bar came from, for error messages: `file:line`. */
  readonly source: string;
}
