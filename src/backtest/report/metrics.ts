import { Decimal, decimalToWire } from '../../domain/decimal.js';
import type { BacktestReportInput, EquityPoint, ReportTrade } from '../report-input.js';

/** metrics.json: decimals as strings; a ratio that cannot be computed is null, and `notes` says why. */
export interface BacktestMetrics {
  readonly start: string;
  readonly end: string;
  readonly bars: number;
  readonly directives: number;
  readonly failures: number;
  readonly initial_equity: string;
  readonly final_equity: string;
  readonly net_pnl: string;
  readonly return_pct: string;
  readonly fees: string;
  /** Largest fall from a peak of equity, as a fraction of that peak. */
  readonly max_drawdown: string;
  readonly max_drawdown_amount: string;
  /** Mean ÷ standard deviation of daily returns, × √365 (crypto trades every day; risk-free rate 0). */
  readonly sharpe: string | null;
  /** Mean ÷ downside deviation of daily returns, × √365. */
  readonly sortino: string | null;
  readonly daily_returns: number;
  /** Closed trades whose realized P&L less fees is above 0 ÷ closed trades. */
  readonly win_rate: string | null;
  /** Gross profit ÷ gross loss of closed trades (net of fees). */
  readonly profit_factor: string | null;
  /** Share of the run's time with at least one filled position open. */
  readonly exposure: string;
  readonly trades: { readonly total: number; readonly closed: number; readonly open: number };
  /** Fills against their reference price: adverse slippage, notional-weighted, in basis points, and its cost in the quote asset. */
  readonly slippage: { readonly average_bps: string | null; readonly cost: string };
  readonly notes: readonly string[];
}

const DAY_MS = 86_400_000;
const ZERO = new Decimal(0);

const fixed = (value: Decimal, places: number): string => decimalToWire(value.toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN));
const ratio = (value: number): string => (Math.round(value * 10_000) / 10_000).toFixed(4);

export function computeBacktestMetrics(input: BacktestReportInput): BacktestMetrics {
  const notes: string[] = [];
  const initial = new Decimal(input.initialEquity);
  const final = new Decimal(input.equity[input.equity.length - 1]?.equity ?? input.initialEquity);
  const drawdown = maxDrawdown(initial, input.equity);
  const returns = dailyReturns(initial, input.equity);
  const sharpe = sharpeOf(returns);
  const sortino = sortinoOf(returns);
  if (sharpe === null) notes.push(returns.length < 2 ? 'sharpe, sortino: fewer than 2 daily returns' : 'sharpe: the daily returns do not vary');
  else if (sortino === null) notes.push('sortino: no daily return below 0');
  const closed = input.trades.filter((t) => t.status === 'CLOSED' && t.entryPrice !== null);
  const nets = closed.map(netOf);
  const wins = nets.filter((n) => n.gt(0)).length;
  const grossProfit = nets.filter((n) => n.gt(0)).reduce((a, b) => a.plus(b), ZERO);
  const grossLoss = nets.filter((n) => n.lt(0)).reduce((a, b) => a.plus(b.neg()), ZERO);
  if (closed.length === 0) notes.push('win_rate, profit_factor: no closed trade');
  else if (grossLoss.isZero()) notes.push('profit_factor: no losing trade');
  const slippage = slippageOf(input);
  return {
    start: new Date(input.startMs).toISOString(),
    end: new Date(input.endMs).toISOString(),
    bars: input.bars,
    directives: input.directives,
    failures: input.failures.length,
    initial_equity: decimalToWire(initial),
    final_equity: fixed(final, 8),
    net_pnl: fixed(final.minus(initial), 8),
    return_pct: fixed(final.minus(initial).div(initial).mul(100), 4),
    fees: fixed(input.fills.reduce((sum, f) => sum.plus(f.fee), ZERO), 8),
    max_drawdown: fixed(drawdown.fraction, 6),
    max_drawdown_amount: fixed(drawdown.amount, 8),
    sharpe: sharpe === null ? null : ratio(sharpe),
    sortino: sortino === null ? null : ratio(sortino),
    daily_returns: returns.length,
    win_rate: closed.length === 0 ? null : ratio(wins / closed.length),
    profit_factor: grossLoss.isZero() ? null : fixed(grossProfit.div(grossLoss), 4),
    exposure: ratio(exposure(input)),
    trades: { total: input.trades.length, closed: closed.length, open: input.trades.filter((t) => t.status === 'OPEN' && t.entryPrice !== null).length },
    slippage,
    notes,
  };
}

function netOf(trade: ReportTrade): Decimal {
  return new Decimal(trade.realizedPnl).minus(trade.fees);
}

/** The deepest fall from a running peak (the initial equity is the first peak). */
export function maxDrawdown(initial: Decimal, equity: readonly EquityPoint[]): { fraction: Decimal; amount: Decimal } {
  let peak = initial;
  let worst = { fraction: ZERO, amount: ZERO };
  for (const point of equity) {
    const value = new Decimal(point.equity);
    if (value.gt(peak)) peak = value;
    const amount = peak.minus(value);
    const fraction = peak.gt(0) ? amount.div(peak) : ZERO;
    if (fraction.gt(worst.fraction)) worst = { fraction, amount };
  }
  return worst;
}

/** Returns of each UTC day's last equity over the day before's (the first day over the initial equity). */
export function dailyReturns(initial: Decimal, equity: readonly EquityPoint[]): number[] {
  const closes = new Map<number, number>();
  for (const point of equity) closes.set(Math.floor(point.atMs / DAY_MS), Number(point.equity));
  const days = [...closes.keys()].sort((a, b) => a - b);
  const returns: number[] = [];
  let previous = initial.toNumber();
  for (const day of days) {
    const value = closes.get(day)!;
    if (previous > 0) returns.push(value / previous - 1);
    previous = value;
  }
  return returns;
}

const ANNUAL = Math.sqrt(365);

export function sharpeOf(returns: readonly number[]): number | null {
  if (returns.length < 2) return null;
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
  const deviation = Math.sqrt(variance);
  return deviation > 1e-15 ? (mean / deviation) * ANNUAL : null;
}

export function sortinoOf(returns: readonly number[]): number | null {
  if (returns.length < 2) return null;
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const downside = Math.sqrt(returns.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / returns.length);
  return downside > 1e-15 ? (mean / downside) * ANNUAL : null;
}

/** Share of [start, end] covered by at least one filled trade being open. */
export function exposure(input: Pick<BacktestReportInput, 'startMs' | 'endMs' | 'trades'>): number {
  const span = input.endMs - input.startMs;
  if (span <= 0) return 0;
  const intervals = input.trades
    .filter((t) => t.entryPrice !== null)
    .map((t) => [Math.max(input.startMs, t.openedAtMs), Math.min(input.endMs, t.closedAtMs ?? input.endMs)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let [from, to] = [Number.NaN, Number.NaN];
  for (const [a, b] of intervals) {
    if (Number.isNaN(from) || a > to) {
      if (!Number.isNaN(from)) covered += to - from;
      [from, to] = [a, b];
    } else to = Math.max(to, b);
  }
  if (!Number.isNaN(from)) covered += to - from;
  return covered / span;
}

function slippageOf(input: BacktestReportInput): BacktestMetrics['slippage'] {
  let cost = ZERO;
  let notional = ZERO;
  for (const fill of input.fills) {
    const reference = new Decimal(fill.referencePrice);
    const quantity = new Decimal(fill.quantity);
    // what the fill paid beyond its reference: positive = worse for the trader
    const adverse = fill.side === 'BUY' ? new Decimal(fill.price).minus(reference) : reference.minus(fill.price);
    cost = cost.plus(adverse.mul(quantity));
    notional = notional.plus(reference.mul(quantity));
  }
  return { average_bps: notional.isZero() ? null : fixed(cost.div(notional).mul(10_000), 4), cost: fixed(cost, 8) };
}
