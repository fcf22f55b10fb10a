import type { IPlatformStore } from '../ports/store.js';
import { decimalToWire } from '../domain/decimal.js';
import type { BacktestReportInput, ReportFill, ReportTrade } from './report-input.js';
import type { BacktestRun } from './run-backtest.js';
import { styleRows } from './style-stats.js';

export interface ReportInputs {
  readonly title: string;
  readonly prices: readonly string[];
  readonly directives: string | null;
  readonly strategy: string | null;
  readonly config: string | null;
  readonly initialEquity: string;
  /** The run's label in the execution table: `as written`, or the style it was replayed with. */
  readonly runLabel?: string;
}

/** What the report shows, read from the run and its ledger (trades, orders, fills). */
export async function reportInputOf(run: BacktestRun, store: Pick<IPlatformStore, 'ledger' | 'journal'>, inputs: ReportInputs): Promise<BacktestReportInput> {
  const [positions, orders, fills] = await Promise.all([store.ledger.listPositions(), store.ledger.listOrders(), store.ledger.listFills()]);
  const orderById = new Map(orders.map((o) => [o.client_order_id, o]));
  const trades: ReportTrade[] = positions
    .map((p) => ({
      tradeId: p.trade_id,
      strategyId: p.strategy_id,
      symbol: p.symbol,
      direction: p.direction,
      status: p.status,
      openedAtMs: Date.parse(p.opened_at),
      closedAtMs: p.closed_at === null ? null : Date.parse(p.closed_at),
      entryPrice: p.average_entry_price === null ? null : decimalToWire(p.average_entry_price),
      exitPrice: p.exit_price === null ? null : decimalToWire(p.exit_price),
      size: decimalToWire(p.position_size),
      realizedPnl: decimalToWire(p.realized_pnl),
      fees: decimalToWire(p.fees),
      closeReason: p.close_reason,
    }))
    .sort((a, b) => a.openedAtMs - b.openedAtMs || a.tradeId.localeCompare(b.tradeId));
  const reportFills: ReportFill[] = fills
    .map((f) => {
      const order = orderById.get(f.client_order_id);
      // a stop or limit was decided at its level; a market order against the price it met (the bar's open)
      const level = order?.stop_price ?? order?.limit_price ?? null;
      const reference = level === null ? (run.referenceByVenueTrade.get(f.venue_trade_id) ?? decimalToWire(f.price)) : decimalToWire(level);
      return {
        atMs: Date.parse(f.executed_at),
        tradeId: f.trade_id,
        symbol: f.symbol,
        side: f.side,
        purpose: order?.purpose ?? 'UNKNOWN',
        quantity: decimalToWire(f.quantity),
        price: decimalToWire(f.price),
        fee: decimalToWire(f.fee),
        referencePrice: reference,
      };
    })
    .sort((a, b) => a.atMs - b.atMs);
  const quote = positions[0]?.symbol.split('_')[1] ?? run.prices[0]?.symbol.split('_')[1] ?? 'USDT';
  return {
    title: inputs.title,
    inputs: { prices: inputs.prices, directives: inputs.directives, strategy: inputs.strategy, config: inputs.config },
    startMs: run.startMs,
    endMs: run.endMs,
    quoteAsset: quote,
    initialEquity: inputs.initialEquity,
    equity: run.equity,
    prices: run.prices,
    trades,
    fills: reportFills,
    failures: run.failures,
    bars: run.bars,
    directives: run.directives,
    executionStyles: styleRows(await store.journal.read({}), inputs.runLabel ?? 'as written', null),
  };
}
