import type { StyleRow } from './style-stats.js';

/**
 * What a finished backtest hands to its report (report.html, PNG charts, metrics.json): plain data,
 * so the report can be tested without running a backtest. Decimals are wire text; times are
 * epoch milliseconds of simulated time.
 */
export interface BacktestReportInput {
  readonly title: string;
  /** What the run read, shown in the report's header. */
  readonly inputs: {
    readonly prices: readonly string[];
    readonly directives: string | null;
    readonly strategy: string | null;
    readonly config: string | null;
  };
  /** First and last bar times of the run. */
  readonly startMs: number;
  readonly endMs: number;
  /** The quote asset equity is counted in (e.g. USDT). */
  readonly quoteAsset: string;
  readonly initialEquity: string;
  /**
   * Equity (cash + open positions marked at the bar's close) over time, in time order: at least
   * one point per UTC day of the run (its last bar), one at every fill, and the final one (the backtest also samples the last bar of each hour).
   */
  readonly equity: readonly EquityPoint[];
  /** Close prices per symbol for the price charts, already thinned to a few thousand points. */
  readonly prices: readonly PriceSeries[];
  /** Every trade of the ledger (open ones too), in opening order. */
  readonly trades: readonly ReportTrade[];
  /** Every fill, in time order. */
  readonly fills: readonly ReportFill[];
  /** Every flow that failed or was denied, in time order. */
  readonly failures: readonly ReportFailure[];
  /** Bars read and directives run, for the header. */
  readonly bars: number;
  readonly directives: number;
  /** Entries by execution style and run (several when one file was replayed with several `--style`s). */
  readonly executionStyles: readonly StyleRow[];
}

export interface EquityPoint {
  readonly atMs: number;
  readonly equity: string;
}

export interface PriceSeries {
  readonly symbol: string;
  readonly points: readonly { readonly atMs: number; readonly close: number }[];
}

export interface ReportTrade {
  readonly tradeId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly direction: 'BUY' | 'SELL';
  readonly status: 'OPEN' | 'CLOSED';
  readonly openedAtMs: number;
  readonly closedAtMs: number | null;
  /** Average entry price; null when the entry never filled. */
  readonly entryPrice: string | null;
  readonly exitPrice: string | null;
  /** The trade's size (position_size: what it was sized to, held or not). */
  readonly size: string;
  readonly realizedPnl: string;
  readonly fees: string;
  readonly closeReason: string | null;
}

export interface ReportFill {
  readonly atMs: number;
  readonly tradeId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  /** ENTRY, STOP_LOSS, TAKE_PROFIT, CLOSE, … (the order's purpose). */
  readonly purpose: string;
  readonly quantity: string;
  readonly price: string;
  /** The fee in the quote asset. */
  readonly fee: string;
  /** The price the order was decided against (the reference price at acceptance, or the stop/limit level): slippage is measured from it. */
  readonly referencePrice: string;
}

export interface ReportFailure {
  readonly atMs: number;
  readonly directiveId: string | null;
  readonly strategyId: string | null;
  readonly outcome: 'FAILED' | 'DENIED' | 'IN_DOUBT';
  readonly errorCode: string | null;
  readonly reason: string;
}
