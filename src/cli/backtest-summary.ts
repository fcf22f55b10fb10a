import type { BacktestMetrics } from '../backtest/report/metrics.js';
import type { BacktestRun } from '../backtest/run-backtest.js';
import type { StyleRow } from '../backtest/style-stats.js';

export interface BacktestSummary {
  readonly out: string;
  readonly db: string;
  readonly files: readonly string[];
  readonly run: Pick<BacktestRun, 'bars' | 'directives' | 'counts' | 'refused' | 'interrupted' | 'startMs' | 'endMs' | 'failures'>;
  readonly metrics: BacktestMetrics;
  /** Entries by execution style, per run (one per `--style`). */
  readonly executionStyles?: readonly StyleRow[];
  readonly seconds: number;
}

const MAX_LISTED = 10;

export function backtestSummaryJson(s: BacktestSummary): string {
  const c = s.run.counts;
  return JSON.stringify({
    bars: s.run.bars,
    directives: s.run.directives,
    succeeded: c.succeeded,
    failed: c.failed,
    in_doubt: c.in_doubt,
    duplicates: c.duplicates,
    failures_by_reason: c.failures_by_reason,
    not_run: s.run.refused.length,
    not_run_first: s.run.refused.slice(0, MAX_LISTED).map((r) => ({ line: r.line, directive_id: r.directiveId, reason: r.reason })),
    interrupted: s.run.interrupted,
    metrics: s.metrics,
    execution_styles: (s.executionStyles ?? []).map((r) => ({
      run: r.run,
      style: r.style,
      entries: r.entries,
      child_orders: r.childOrders,
      planned_quantity: r.plannedQuantity,
      filled_quantity: r.filledQuantity,
      fill_ratio: r.fillRatio,
      shortfall_bps: r.shortfallBps,
      shortfall_cost: r.shortfallCost,
      run_net_pnl: r.runNetPnl,
    })),
    db: s.db,
    files: s.files,
    seconds: Math.round(s.seconds * 100) / 100,
  });
}

function firstFailure(s: BacktestSummary): string[] {
  const failed = s.run.failures.find((f) => f.errorCode !== 'BACKTEST_NOT_RUN');
  return failed === undefined ? [] : [`  first failure${failed.directiveId ? ` (${failed.directiveId})` : ''}: ${failed.reason}`];
}

export function backtestSummaryText(s: BacktestSummary): string {
  const c = s.run.counts;
  const m = s.metrics;
  const lines = [
    `planexec backtest: ${s.run.bars.toLocaleString('en-US')} bars, ${m.start} → ${m.end} (simulated), in ${s.seconds.toFixed(2)} s${s.run.interrupted ? ' (interrupted)' : ''}`,
    `directives: ${s.run.directives} run: ${c.succeeded} succeeded, ${c.failed} failed, ${c.in_doubt} in doubt, ${c.duplicates} duplicates; ${s.run.refused.length} not run`,
    ...Object.entries(c.failures_by_reason).map(([code, n]) => `  ${code}: ${n}`),
    // the codes say what kind; the first reason says what to fix
    ...firstFailure(s),
    ...s.run.refused.slice(0, MAX_LISTED).map((r) => `  not run${r.line === null ? '' : `, line ${r.line}`}${r.directiveId ? ` (${r.directiveId})` : ''}: ${r.reason}`),
    ...(s.run.refused.length > MAX_LISTED ? [`  … and ${s.run.refused.length - MAX_LISTED} more (report.html lists them all)`] : []),
    `net P&L ${m.net_pnl} (${m.return_pct} %), max drawdown ${(Number(m.max_drawdown) * 100).toFixed(2)} %, Sharpe ${m.sharpe ?? 'n/a'}, win rate ${m.win_rate ?? 'n/a'}, trades ${m.trades.closed} closed / ${m.trades.open} open, fees ${m.fees}`,
    ...styleLines(s.executionStyles ?? []),
    `report:   ${s.files.find((f) => f.endsWith('report.html')) ?? ''}`,
    `database: ${s.db} (planexec journal --db ${s.db})`,
  ];
  return `${lines.join('\n')}\n`;
}

/** One line per style and run: how the entries executed against their decision prices. */
function styleLines(rows: readonly StyleRow[]): string[] {
  if (rows.length === 0) return [];
  const runs = new Set(rows.map((r) => r.run)).size;
  return [
    'execution: style, entries, filled / planned, shortfall (bps, cost)',
    ...rows.map(
      (r) =>
        `  ${runs > 1 && r.run !== r.style ? `${r.run}: ` : ''}${r.style} ${r.entries} entries, ${r.childOrders} orders, ${r.filledQuantity} / ${r.plannedQuantity}, ${r.shortfallBps ?? 'n/a'} bps, ${r.shortfallCost}${runs > 1 && r.runNetPnl !== null ? ` (run net P&L ${r.runNetPnl})` : ''}`,
    ),
  ];
}
