import type { VerifyReport } from '../app/verify.js';
import { renderTable } from './table.js';

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** `planexec verify` for people: one line when everything agrees, else each difference. */
export function verifyText(report: VerifyReport, db: string, venue: string): string {
  const c = report.checked;
  const what = `${plural(c.positions, 'position', 'positions')}, ${plural(c.orders, 'order', 'orders')}, journal ${plural(c.journal_entries, 'entry', 'entries')}`;
  const balances = c.venue_balances === null ? '' : `, ${plural(c.venue_balances, 'asset balance', 'asset balances')} checked`;
  const venueLine = c.venue_orders === null ? `venue: not compared (${venue})` : `venue ${venue}: ${plural(c.venue_orders, 'order', 'orders')} looked up, ${c.venue_open_orders ?? 0} open${balances}`;
  const unfinished =
    c.unfinished_flows === 0
      ? ''
      : `${plural(c.unfinished_flows, 'flow', 'flows')} unfinished: in flight in a running planexec, or interrupted (planexec recover finishes them); their trades may differ until they end\n`;
  if (report.ok) return `verified: ${what}: all agree\n${unfinished}${venueLine}\ndatabase: ${db}\n`;
  const table = renderTable(
    [
      { header: 'CHECK', value: (d: VerifyReport['differences'][number]) => d.check },
      { header: 'DIFFERENCE', value: (d: VerifyReport['differences'][number]) => d.message },
    ],
    report.differences,
  );
  return `verify: ${plural(report.differences.length, 'difference', 'differences')} (${what})\n\n${table}\n\n${unfinished}${venueLine}\ndatabase: ${db}\n`;
}
