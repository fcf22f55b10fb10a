import { isoTime } from '../domain/clock.js';
import type { Alert } from '../ports/alerts.js';
import { alertSubject } from './alert-dedupe.js';

export type SuppressionReason = 'duplicate' | 'rate_limited';

export const SUMMARY_CODE = 'ALERTS_SUPPRESSED';

const RANK = { info: 0, warning: 1, critical: 2 } as const;
/** Subjects named in a summary, so an operator knows where to look first. */
const SAMPLE_SUBJECTS = 10;

/** What was held back since the last summary, turned into that one summary alert. */
export class SuppressionTally {
  #count = 0;
  #duplicates = 0;
  #severity: Alert['severity'] = 'info';
  #sinceMs = 0;
  readonly #byCode = new Map<string, number>();
  readonly #subjects = new Set<string>();

  get count(): number {
    return this.#count;
  }

  add(alert: Alert, reason: SuppressionReason, nowMs: number): void {
    if (this.#count === 0) this.#sinceMs = nowMs;
    this.#count++;
    if (reason === 'duplicate') this.#duplicates++;
    if ((RANK[alert.severity] ?? 0) > RANK[this.#severity]) this.#severity = alert.severity;
    this.#byCode.set(alert.code, (this.#byCode.get(alert.code) ?? 0) + 1);
    const subject = alertSubject(alert);
    if (subject !== '' && this.#subjects.size < SAMPLE_SUBJECTS) this.#subjects.add(subject);
  }

  /** The summary of everything counted, then starts again from nothing. */
  takeSummary(nowMs: number): Alert {
    const byCode = [...this.#byCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const codes = byCode.map(([code, n]) => `${code} ×${n}`).join(', ');
    const summary: Alert = {
      severity: this.#severity,
      code: SUMMARY_CODE,
      message: `${this.#count} alert${this.#count === 1 ? '' : 's'} suppressed (${codes})`,
      details: {
        suppressed: this.#count,
        duplicates: this.#duplicates,
        rate_limited: this.#count - this.#duplicates,
        by_code: Object.fromEntries(byCode),
        sample_subjects: [...this.#subjects],
        since: isoTime(this.#sinceMs),
        until: isoTime(nowMs),
      },
      timestamp: isoTime(nowMs),
    };
    this.#count = 0;
    this.#duplicates = 0;
    this.#severity = 'info';
    this.#byCode.clear();
    this.#subjects.clear();
    return summary;
  }
}
