import { createHash } from 'node:crypto';
import type { VerifyReport } from './verify.js';
import type { VerifyCheck } from './verify-differences.js';
import { isoTime, systemClock, type Clock } from '../domain/clock.js';
import type { Alert, IAlertSink } from '../ports/alerts.js';

export const VERIFY_ALERT_CODE = 'VERIFY_DIFFERENCES';

/** Differences named in the alert itself; the rest are in `planexec verify`'s report. */
const LISTED = 20;

/** A broken journal or a venue that disagrees with the ledger is money at risk; a replay difference is a bookkeeping one. */
const CRITICAL_CHECKS: ReadonlySet<VerifyCheck> = new Set(['journal_chain', 'ledger_venue', 'venue_balance']);

/**
 * One alert for a `verify` report with differences (none when it agrees): critical when the
 * journal's chain is broken or the venue disagrees, warning otherwise. Its subject is a digest of
 * the differences, so the same findings polled again (GET /api/verify) are deduplicated while a
 * new difference alerts at once. Resolves when the sink took it; never throws.
 */
export async function alertVerifyDifferences(report: VerifyReport, sink: IAlertSink, clock: Clock = systemClock): Promise<Alert | null> {
  const alert = verifyAlert(report, clock.now());
  if (alert === null) return null;
  try {
    await sink.send(alert);
  } catch {
    // IAlertSink promises not to throw; a verify report must not fail because one did
  }
  return alert;
}

export function verifyAlert(report: VerifyReport, nowMs: number): Alert | null {
  const { differences } = report;
  if (differences.length === 0) return null;
  const byCheck: Record<string, number> = {};
  for (const d of differences) byCheck[d.check] = (byCheck[d.check] ?? 0) + 1;
  const summary = Object.entries(byCheck)
    .map(([check, n]) => `${check} ×${n}`)
    .join(', ');
  const digest = createHash('sha256');
  for (const d of differences) digest.update(`${d.check}\u0000${d.subject}\u0000${d.id}\u0000${d.field}\u0000${d.ledger ?? ''}\u0000${d.expected ?? ''}\n`);
  return {
    severity: differences.some((d) => CRITICAL_CHECKS.has(d.check)) ? 'critical' : 'warning',
    code: VERIFY_ALERT_CODE,
    message: `verify found ${differences.length} difference${differences.length === 1 ? '' : 's'} between journal, ledger and venue (${summary})`,
    details: {
      subject: `verify:${digest.digest('hex').slice(0, 16)}`,
      differences: differences.length,
      by_check: byCheck,
      first: differences.slice(0, LISTED).map((d) => ({ check: d.check, subject: d.subject, id: d.id, trade_id: d.trade_id, field: d.field, message: d.message })),
      unfinished_flows: report.checked.unfinished_flows,
    },
    timestamp: isoTime(nowMs),
  };
}
