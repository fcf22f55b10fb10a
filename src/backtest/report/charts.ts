import { Decimal } from '../../domain/decimal.js';
import type { BacktestReportInput, ReportTrade } from '../report-input.js';
import { type ChartMarker, lineChart } from './svg-chart.js';

export interface Chart {
  /** File name stem: equity, drawdown, price-BTC_USDT. */
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

const WIDTH = 960;
const HEIGHT = 320;
const GREEN = '#16a34a';
const RED = '#dc2626';

function amount(value: number): string {
  const abs = Math.abs(value);
  return abs >= 1e6 ? `${(value / 1e6).toFixed(2)}M` : abs >= 1e4 ? `${(value / 1e3).toFixed(1)}k` : abs >= 100 ? value.toFixed(0) : value.toPrecision(4);
}

/** Equity, drawdown (underwater, as a percentage below the running peak), and each symbol's price with its trades. */
export function reportCharts(input: BacktestReportInput): Chart[] {
  const equity = [{ atMs: input.startMs, value: Number(input.initialEquity) }, ...input.equity.map((p) => ({ atMs: p.atMs, value: Number(p.equity) }))];
  let peak = Number.NEGATIVE_INFINITY;
  const drawdown = equity.map((p) => {
    peak = Math.max(peak, p.value);
    return { atMs: p.atMs, value: peak > 0 ? ((p.value - peak) / peak) * 100 : 0 };
  });
  const charts: Chart[] = [
    { name: 'equity', title: `Equity (${input.quoteAsset})`, svg: lineChart({ title: `Equity (${input.quoteAsset})`, width: WIDTH, height: HEIGHT, points: equity, color: '#2563eb', format: amount }) },
    { name: 'drawdown', title: 'Drawdown (% below the peak)', svg: lineChart({ title: 'Drawdown (% below the peak)', width: WIDTH, height: 220, points: drawdown, color: RED, area: true, format: (v) => `${Math.abs(v) < 0.05 ? '0.0' : v.toFixed(1)}%` }) },
  ];
  for (const series of input.prices) {
    const title = `${series.symbol}: close, trades marked`;
    const markers = input.trades.filter((t) => t.symbol === series.symbol).flatMap(tradeMarkers);
    charts.push({
      name: `price-${series.symbol}`,
      title,
      svg: lineChart({ title, width: WIDTH, height: HEIGHT, points: series.points.map((p) => ({ atMs: p.atMs, value: p.close })), color: '#475569', markers, format: amount }),
    });
  }
  return charts;
}

function tradeMarkers(trade: ReportTrade): ChartMarker[] {
  if (trade.entryPrice === null) return [];
  const markers: ChartMarker[] = [
    {
      atMs: trade.openedAtMs,
      value: Number(trade.entryPrice),
      shape: trade.direction === 'BUY' ? 'up' : 'down',
      color: trade.direction === 'BUY' ? GREEN : RED,
      title: `${trade.tradeId}: ${trade.direction} ${trade.size} at ${trade.entryPrice}, ${new Date(trade.openedAtMs).toISOString()}`,
    },
  ];
  if (trade.closedAtMs !== null && trade.exitPrice !== null) {
    const net = new Decimal(trade.realizedPnl).minus(trade.fees);
    markers.push({
      atMs: trade.closedAtMs,
      value: Number(trade.exitPrice),
      shape: 'cross',
      color: net.gt(0) ? GREEN : RED,
      title: `${trade.tradeId}: closed at ${trade.exitPrice} (${trade.closeReason ?? 'closed'}), net ${net.toFixed()}, ${new Date(trade.closedAtMs).toISOString()}`,
    });
  }
  return markers;
}
