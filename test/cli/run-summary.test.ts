import { describe, expect, it } from 'vitest';
import { runSummary, runSummaryJson, runSummaryText } from '../../src/cli/run-summary.js';

const counts = { processed: 10, succeeded: 6, failed: 2, in_doubt: 1, duplicates: 1, adjusted: 3, failures_by_reason: { VALIDATION_FAILED: 2, IN_DOUBT_UNRESOLVED: 1 } };

describe('run summary', () => {
  const failure = { line: 3, flow_id: 'INV_x', directive_id: null, outcome: 'FAILED' as const, error_code: 'VALIDATION_FAILED', reason: 'line 3: is not valid JSON [json]' };
  const summary = runSummary(counts, { failures: [failure], submitted: 10, duration_ms: 2000, source: 'in.jsonl', db: 'x.db', interrupted: false });

  it('derives the rate and the unfinished flows', () => {
    expect(summary.directives_per_second).toBe(5);
    expect(summary.unfinished).toBe(0);
    expect(runSummary(counts, { failures: [], submitted: 12, duration_ms: 0, source: '-', db: 'x', interrupted: false }).unfinished).toBe(2);
  });

  it('prints one JSON line with the contract fields first', () => {
    const line = runSummaryJson(summary);
    expect(line).not.toContain('\n');
    expect(Object.keys(JSON.parse(line)).slice(0, 5)).toEqual(['processed', 'succeeded', 'failed', 'in_doubt', 'duplicates']);
    expect(JSON.parse(line)).toMatchObject({ processed: 10, failures_by_reason: { VALIDATION_FAILED: 2 }, db: 'x.db', duration_ms: 2000 });
  });

  it('reports the flows whose prices or sizes were rounded, outside processed', () => {
    expect(JSON.parse(runSummaryJson(summary))).toMatchObject({ processed: 10, adjusted: 3 });
    expect(runSummaryText(summary)).toContain('adjusted: 3 flow(s)');
    expect(runSummaryText(runSummary({ ...counts, adjusted: 0 }, { failures: [], submitted: 10, duration_ms: 1, source: '-', db: 'x', interrupted: false }))).not.toContain('adjusted');
  });

  it('prints a readable table for people', () => {
    const text = runSummaryText(summary);
    expect(text).toContain('10 directives from in.jsonl');
    expect(text).toMatch(/succeeded\s+6/);
    expect(text).toMatch(/VALIDATION_FAILED\s+2/);
    expect(text).toContain('database: x.db');
    expect(text).toContain('line 3: INV_x: line 3: is not valid JSON [json]');
  });

  it('reports what did not start, with its first line, in the JSON and in plain words', () => {
    const interrupted = runSummary(counts, { failures: [], submitted: 10, duration_ms: 1000, source: 'plan.jsonl', db: 'x.db', interrupted: true, not_started: 37, first_not_started_line: 114 });
    expect(JSON.parse(runSummaryJson(interrupted))).toMatchObject({ processed: 10, unfinished: 0, not_started: 37, first_not_started_line: 114, interrupted: true });
    expect(runSummaryText(interrupted)).toContain('not started: 37 (from line 114); run the same file again to finish them');
    const fromStdin = runSummary(counts, { ...interrupted, source: 'stdin', not_started: 2, first_not_started_line: 11, unread_counted: false });
    expect(runSummaryText(fromStdin)).toContain('not started: 2 (from line 11) of the lines read (lines not read are not counted); submit the same input again to finish them');
    expect(JSON.parse(runSummaryJson(summary))).toMatchObject({ not_started: 0, first_not_started_line: null });
    expect(runSummaryText(summary)).not.toContain('not started');
  });

  it('after a second Ctrl-C, names the unfinished flows and who finishes them', () => {
    const left = runSummary(counts, { failures: [], submitted: 13, duration_ms: 1000, source: 'plan.jsonl', db: 'x.db', interrupted: true, not_started: 5, first_not_started_line: 20 });
    expect(left.unfinished).toBe(3);
    expect(runSummaryText(left)).toContain('unfinished: 3 flow(s) accepted but not stopped; the next planexec run or planexec recover on this database finishes them');
  });
});
