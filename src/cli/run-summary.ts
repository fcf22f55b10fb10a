import { printable } from '../domain/printable.js';
import type { FlowCounts } from '../app/flow-tally.js';
import { renderTable } from './table.js';

/** One flow that did not succeed, for people to find the line to fix. */
export interface FailedLine {
  readonly line: number | null;
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly outcome: 'FAILED' | 'IN_DOUBT';
  readonly error_code: string | null;
  readonly reason: string;
}

/** Failed lines listed in a summary at most (the counts are always complete). */
export const MAX_LISTED_FAILURES = 100;

/** What `planexec run` reports at the end; the JSON form is one object on the last line of stdout. */
export interface RunSummary extends FlowCounts {
  /** The first MAX_LISTED_FAILURES failed or in-doubt flows, in the order they stopped. */
  readonly failures: readonly FailedLine[];
  /** Directives handed over for execution (non-blank lines read, less those abandoned before they began). */
  readonly submitted: number;
  /** Submitted flows that never reported their stop: accepted, not stopped (a second Ctrl-C; recovery finishes them). */
  readonly unfinished: number;
  /**
   * The input's directives (non-blank lines) that were not accepted: read but abandoned on Ctrl-C,
   * and for a file the lines never read. processed + unfinished + not_started = the file's directives.
   */
  readonly not_started: number;
  /** The smallest line number among them (null when none). */
  readonly first_not_started_line: number | null;
  /** Whether not_started includes the lines never read (a file counted to its end; not stdin). Text only. */
  readonly unread_counted: boolean;
  readonly duration_ms: number;
  readonly directives_per_second: number;
  readonly source: string;
  readonly db: string;
  readonly interrupted: boolean;
}

type NotStartedFields = 'not_started' | 'first_not_started_line' | 'unread_counted';

export function runSummary(
  counts: FlowCounts,
  fields: Omit<RunSummary, keyof FlowCounts | 'unfinished' | 'directives_per_second' | NotStartedFields> & Partial<Pick<RunSummary, NotStartedFields>>,
): RunSummary {
  const seconds = fields.duration_ms / 1000;
  return {
    ...counts,
    not_started: 0,
    first_not_started_line: null,
    unread_counted: true,
    ...fields,
    unfinished: Math.max(0, fields.submitted - counts.processed),
    directives_per_second: seconds > 0 ? Math.round((counts.processed / seconds) * 10) / 10 : counts.processed,
  };
}

/** The JSON summary line: the contract's counts first, extras after. */
export function runSummaryJson(s: RunSummary): string {
  return JSON.stringify({
    processed: s.processed,
    succeeded: s.succeeded,
    failed: s.failed,
    in_doubt: s.in_doubt,
    duplicates: s.duplicates,
    adjusted: s.adjusted,
    failures_by_reason: s.failures_by_reason,
    failures: s.failures,
    submitted: s.submitted,
    unfinished: s.unfinished,
    not_started: s.not_started,
    first_not_started_line: s.first_not_started_line,
    interrupted: s.interrupted,
    duration_ms: s.duration_ms,
    directives_per_second: s.directives_per_second,
    source: s.source,
    db: s.db,
  });
}

/** Counts as a small two-column table. */
export function countsTable(counts: FlowCounts): string {
  const rows: [string, number][] = [
    ['processed', counts.processed],
    ['succeeded', counts.succeeded],
    ['failed', counts.failed],
    ['in doubt', counts.in_doubt],
    ['duplicates', counts.duplicates],
  ];
  return renderTable<[string, number]>(
    [
      { header: 'flows', value: (r) => r[0] },
      { header: 'count', value: (r) => String(r[1]), align: 'right' },
    ],
    rows,
  );
}

export function reasonsTable(reasons: Readonly<Record<string, number>>): string | undefined {
  const rows = Object.entries(reasons);
  if (rows.length === 0) return undefined;
  return renderTable<[string, number]>(
    [
      { header: 'failure reason', value: (r) => r[0] },
      { header: 'count', value: (r) => String(r[1]), align: 'right' },
    ],
    rows,
  );
}

export function runSummaryText(s: RunSummary): string {
  const seconds = (s.duration_ms / 1000).toFixed(2);
  const parts = [
    `planexec run: ${s.submitted} directive${s.submitted === 1 ? '' : 's'} from ${s.source} in ${seconds} s (${s.directives_per_second}/s)${s.interrupted ? ' — interrupted' : ''}`,
    '',
    countsTable(s),
  ];
  const reasons = reasonsTable(s.failures_by_reason);
  if (reasons) parts.push('', reasons);
  const listed = s.failures.slice(0, 20);
  if (listed.length > 0) {
    const more = s.failed + s.in_doubt - listed.length;
    parts.push('', `failed flows${more > 0 ? ` (first ${listed.length}; --json lists up to ${MAX_LISTED_FAILURES})` : ''}:`);
    for (const f of listed) parts.push(printable(`  ${f.line === null ? '' : `line ${f.line}: `}${f.directive_id ?? f.flow_id}: ${f.reason}`));
  }
  if (s.adjusted > 0) parts.push('', `adjusted: ${s.adjusted} flow(s) used a price or size rounded to the instrument (see "adjustments" in their journal entries)`);
  if (s.not_started > 0) {
    const from = s.first_not_started_line === null ? '' : ` (from line ${s.first_not_started_line})`;
    parts.push(
      '',
      s.unread_counted
        ? `not started: ${s.not_started}${from}; run the same file again to finish them`
        : `not started: ${s.not_started}${from} of the lines read (lines not read are not counted); submit the same input again to finish them`,
    );
  }
  if (s.unfinished > 0) {
    parts.push(
      '',
      s.interrupted
        ? `unfinished: ${s.unfinished} flow(s) accepted but not stopped; the next planexec run or planexec recover on this database finishes them`
        : `${s.unfinished} flow(s) did not report their stop`,
    );
  }
  parts.push('', `database: ${s.db}`);
  return `${parts.join('\n')}\n`;
}
