import { decimalToWire } from '../domain/decimal.js';
import { invocation } from './invocation.js';
import type { DemoRunResult } from '../demo/demo-runner.js';
import { money } from './positions-format.js';
import { countsTable, reasonsTable } from './run-summary.js';
import { renderTable } from './table.js';

export interface DemoSummary extends DemoRunResult {
  readonly seed: number;
  readonly directives: number;
  readonly duration_ms: number;
  readonly db: string;
  readonly directives_file: string;
  /** Where the logs went; null: stderr. */
  readonly log_file: string | null;
}

function perSecond(count: number, ms: number): number {
  return ms > 0 ? Math.round((count / (ms / 1000)) * 10) / 10 : count;
}

/** One JSON object: the run counts of `planexec run --json`, then what the demo traded. */
export function demoSummaryJson(s: DemoSummary): string {
  const c = s.counts;
  return JSON.stringify({
    processed: c.processed,
    succeeded: c.succeeded,
    failed: c.failed,
    in_doubt: c.in_doubt,
    duplicates: c.duplicates,
    failures_by_reason: c.failures_by_reason,
    submitted: s.submitted,
    unfinished: Math.max(0, s.submitted - c.processed),
    seed: s.seed,
    directives: s.directives,
    steps: s.steps,
    trades: {
      opened: s.trades.total,
      open: s.trades.open,
      closed: s.trades.closed,
      closed_by_reason: s.trades.closed_by_reason,
    },
    realized_pnl: decimalToWire(s.trades.realized_pnl),
    fees: decimalToWire(s.trades.fees),
    net_pnl: decimalToWire(s.trades.net_pnl),
    journal: s.journal,
    duration_ms: s.duration_ms,
    directives_per_second: perSecond(c.processed, s.duration_ms),
    db: s.db,
    directives_file: s.directives_file,
    log_file: s.log_file,
  });
}

export function demoSummaryText(s: DemoSummary, command: string = invocation()): string {
  const c = s.counts;
  const t = s.trades;
  const seconds = (s.duration_ms / 1000).toFixed(2);
  const out = [
    `planexec demo (seed ${s.seed}): ${s.directives} directives over ${s.steps} simulated minutes in ${seconds} s (${perSecond(c.processed, s.duration_ms)}/s)`,
    '',
    countsTable(c),
  ];
  const reasons = reasonsTable(c.failures_by_reason);
  if (reasons) out.push('', reasons);
  out.push('', `trades: ${t.total} opened, ${t.closed} closed, ${t.open} still open`);
  const closed = Object.entries(t.closed_by_reason);
  if (closed.length > 0) {
    out.push(
      renderTable<[string, number]>(
        [
          { header: 'closed by', value: (r) => r[0] },
          { header: 'count', value: (r) => String(r[1]), align: 'right' },
        ],
        closed,
      ),
    );
  }
  const width = Math.max(...[t.realized_pnl, t.fees, t.net_pnl].map((d) => money(d).length));
  out.push(
    '',
    `realised PnL  ${money(t.realized_pnl).padStart(width)} USDT`,
    `fees          ${money(t.fees).padStart(width)} USDT`,
    `net           ${money(t.net_pnl).padStart(width)} USDT`,
    '',
    s.journal.ok
      ? `journal verified: ${s.journal.entries} entries, hash chain intact`
      : `journal BROKEN at seq ${s.journal.first_bad_seq}: ${s.journal.reason}`,
  );
  if (c.processed < s.submitted) out.push(`${s.submitted - c.processed} flow(s) did not report their stop`);
  out.push(
    '',
    `database:   ${s.db}`,
    `directives: ${s.directives_file}`,
    ...(s.log_file === null ? [] : [`logs:       ${s.log_file}`]),
    '',
    'look around:',
    `  ${command} positions --db ${s.db}`,
    `  ${command} orders --db ${s.db} --status OPEN`,
    `  ${command} journal --db ${s.db} --verify`,
    `  ${command} verify --db ${s.db}   # journal → ledger → venue agree`,
    `  ${command} run --db ${s.db} --directives ${s.directives_file}   # replay: every directive is a duplicate`,
  );
  return `${out.join('\n')}\n`;
}
