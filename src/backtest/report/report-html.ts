import type { BacktestReportInput } from '../report-input.js';
import type { Chart } from './charts.js';
import type { BacktestMetrics } from './metrics.js';
import { escapeXml as esc } from './svg-chart.js';

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function tile(label: string, value: string | number | null): string {
  return `<div class="tile"><div class="label">${esc(label)}</div><div class="value">${esc(value === null ? 'n/a' : String(value))}</div></div>`;
}

function table(id: string, headers: readonly string[], rows: readonly (readonly (string | number | null)[])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  const head = headers.map((h, i) => `<th data-col="${i}">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c === null ? '' : String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table id="${id}" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #111827; --muted: #6b7280; --bg: #ffffff; --panel: #f9fafb; --line: #e5e7eb; }
@media (prefers-color-scheme: dark) { :root { --fg: #e5e7eb; --muted: #9ca3af; --bg: #111827; --panel: #1f2937; --line: #374151; } svg.chart .chart-bg { fill: #f9fafb; } }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: var(--muted); font-size: 13px; line-height: 1.6; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 16px 0; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.tile .label { color: var(--muted); font-size: 12px; } .tile .value { font-size: 17px; font-variant-numeric: tabular-nums; margin-top: 2px; }
svg.chart { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; font-size: 12px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; white-space: nowrap; }
th { cursor: pointer; background: var(--panel); position: sticky; top: 0; } td.wrap { white-space: normal; }
.scroll { max-height: 480px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.empty, .notes { color: var(--muted); font-size: 13px; }
`;

// a click on a header sorts its table by that column (numbers as numbers)
const SORT_SCRIPT = `
for (const table of document.querySelectorAll('table.sortable')) {
  table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
    const body = table.tBodies[0]; const rows = [...body.rows]; const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    const key = (r) => { const t = r.cells[col].textContent; const n = Number(t); return t !== '' && !Number.isNaN(n) ? n : t; };
    rows.sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * dir; });
    body.append(...rows);
  }));
}`;

/** report.html: one file, no network at view time (inline CSS, SVG and script). */
export function reportHtml(input: BacktestReportInput, metrics: BacktestMetrics, charts: readonly Chart[]): string {
  const q = input.quoteAsset;
  const inputs = [
    ...input.inputs.prices.map((p) => `prices: ${p}`),
    ...(input.inputs.directives ? [`directives: ${input.inputs.directives}`] : []),
    ...(input.inputs.strategy ? [`strategy: ${input.inputs.strategy}`] : []),
    `config: ${input.inputs.config ?? '(defaults)'}`,
  ];
  const trades = input.trades.map((t) => [t.tradeId, t.strategyId, t.symbol, t.direction, t.status, iso(t.openedAtMs), t.entryPrice, iso(t.closedAtMs), t.exitPrice, t.size, t.realizedPnl, t.fees, t.closeReason]);
  const failures = input.failures.map((f) => [iso(f.atMs), f.directiveId, f.strategyId, f.outcome, f.errorCode, f.reason]);
  const styles = input.executionStyles.map((r) => [r.run, r.style, r.entries, r.childOrders, r.plannedQuantity, r.filledQuantity, r.fillRatio, r.shortfallBps, r.shortfallCost, r.runNetPnl]);
  const replays = new Set(input.executionStyles.map((r) => r.run)).size;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(input.title)}</h1>
<div class="meta">${esc(iso(input.startMs))} → ${esc(iso(input.endMs))} (simulated time) · ${input.bars.toLocaleString('en-US')} bars · ${input.directives.toLocaleString('en-US')} directives<br>${inputs.map(esc).join('<br>')}</div>
<div class="tiles">
${tile(`net P&L (${q})`, metrics.net_pnl)}${tile('return', `${metrics.return_pct} %`)}${tile(`final equity (${q})`, metrics.final_equity)}${tile('max drawdown', `${(Number(metrics.max_drawdown) * 100).toFixed(2)} %`)}
${tile('Sharpe (daily, ×√365)', metrics.sharpe)}${tile('Sortino', metrics.sortino)}${tile('win rate', metrics.win_rate)}${tile('profit factor', metrics.profit_factor)}
${tile('trades (closed / open)', `${metrics.trades.closed} / ${metrics.trades.open}`)}${tile('exposure', metrics.exposure)}${tile(`fees (${q})`, metrics.fees)}${tile('slippage (bps)', metrics.slippage.average_bps)}
</div>
${metrics.notes.length > 0 ? `<p class="notes">${metrics.notes.map(esc).join('<br>')}</p>` : ''}
<h2>Equity and drawdown</h2>
${charts.filter((c) => !c.name.startsWith('price-')).map((c) => `<figure data-chart="${esc(c.name)}">${c.svg}</figure>`).join('\n')}
<h2>Prices and trades</h2>
<p class="notes">▲ BUY entry, ▼ SELL entry, ✕ exit (green: won, red: lost). Hover a marker for the trade.</p>
${charts.filter((c) => c.name.startsWith('price-')).map((c) => `<figure data-chart="${esc(c.name)}">${c.svg}</figure>`).join('\n')}
<h2>Execution by style</h2>
<p class="notes">Implementation shortfall: each entry's average fill against its decision price (the venue's price when the directive was accepted), weighted by quantity; positive = paid more than decided. ${replays > 1 ? `The same directives were replayed ${replays} times, once per style; each row carries its run's net P&amp;L.` : 'Replay the file with <code>--style SINGLE --style TWAP</code> to compare styles.'}</p>
<div class="scroll">${table('execution-styles', ['run', 'style', 'entries', 'orders', 'planned', 'filled', 'fill ratio', 'shortfall (bps)', `shortfall cost (${q})`, `run net P&L (${q})`], styles, 'No entries.')}</div>
<h2>Trades (${input.trades.length})</h2>
<div class="scroll">${table('trades', ['trade', 'strategy', 'symbol', 'side', 'status', 'opened', 'entry', 'closed', 'exit', 'size', 'realized P&L', 'fees', 'close reason'], trades, 'No trades.')}</div>
<h2>Failures (${input.failures.length})</h2>
<div class="scroll">${table('failures', ['time', 'directive', 'strategy', 'outcome', 'code', 'reason'], failures, 'No failures.')}</div>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}
