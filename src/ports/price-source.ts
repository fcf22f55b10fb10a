import type { Decimal } from '../domain/decimal.js';

/** One observed price of one instrument (planexec symbol, e.g. BTC_USDT). */
export interface PriceTick {
  readonly symbol: string;
  readonly price: Decimal;
  /** ISO-8601 UTC: when the source observed it (the venue's time where it reports one). */
  readonly at: string;
}

export type PriceListener = (tick: PriceTick) => void | Promise<void>;

/**
 * IPriceSource: where prices come from when planexec itself must watch them: the paper venue's
 * market (static prices, a real exchange's public tickers, a file of bars), the trigger of exits
 * planexec holds for a venue without native stops, and the mark price of open trades.
 */
export interface IPriceSource {
  /** Stable name for logs and errors (`static`, `ccxt:binance`, `file:bars.csv`). */
  readonly name: string;
  /** Latest price seen for `symbol`, or undefined when none has been seen yet. */
  latest(symbol: string): PriceTick | undefined;
  /** Every new tick, in the order observed. Returns an unsubscribe function. */
  onPrice(listener: PriceListener): () => void;
  /** Begin observing (first poll, open a stream). Resolves once the first prices are known or the source gave up with an error. */
  start(): Promise<void>;
  close(): Promise<void>;
}
