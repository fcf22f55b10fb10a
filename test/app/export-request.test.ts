import { describe, expect, it } from 'vitest';
import { exportContentType, exportFileName, exportHeaders, parseExportRequest } from '../../src/app/export/index.js';
import { ValidationError } from '../../src/domain/errors.js';

function issuesOf(run: () => unknown): { path: string; rule: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

describe('export request', () => {
  it('defaults to CSV over all time', () => {
    expect(parseExportRequest('fills', {})).toEqual({ kind: 'fills', format: 'csv', range: { from: null, to: null } });
  });

  it('takes the window in any zone offset and keeps it in the stored UTC form', () => {
    const request = parseExportRequest('journal', { format: 'jsonl', from: '2026-11-24T12:00:00+02:00', to: '2026-11-25T00:00:00Z' });
    expect(request).toEqual({ kind: 'journal', format: 'jsonl', range: { from: '2026-11-24T10:00:00.000Z', to: '2026-11-25T00:00:00.000Z' } });
  });

  it('names every bad field at once, with its rule and the allowed values', () => {
    const issues = issuesOf(() => parseExportRequest('positions', { format: 'xlsx', from: 'yesterday', to: '2026-02-30T00:00:00Z' }));
    expect(issues).toEqual([
      { path: 'kind', rule: 'enum', message: 'must be one of trades, orders, fills, journal' },
      { path: 'format', rule: 'enum', message: 'must be one of csv, jsonl' },
      { path: 'from', rule: 'iso8601', message: expect.stringContaining('ISO-8601') },
      { path: 'to', rule: 'iso8601', message: expect.stringContaining('ISO-8601') },
    ]);
  });

  it('refuses a window that ends before it starts, and unknown query fields', () => {
    expect(issuesOf(() => parseExportRequest('trades', { from: '2026-11-25T00:00:00Z', to: '2026-11-24T00:00:00Z' }))).toEqual([
      { path: 'to', rule: 'after_from', message: 'must be later than from (2026-11-25T00:00:00.000Z); got 2026-11-24T00:00:00.000Z' },
    ]);
    expect(issuesOf(() => parseExportRequest('trades', { since: '2026-11-24T00:00:00Z' }))).toEqual([{ path: 'since', rule: 'unknown_field', message: 'is not a known field' }]);
  });

  it('names the download planexec-<kind>.<format> with a matching content type', () => {
    expect(exportFileName('orders', 'csv')).toBe('planexec-orders.csv');
    expect(exportFileName('journal', 'jsonl')).toBe('planexec-journal.jsonl');
    expect(exportContentType('csv')).toBe('text/csv; charset=utf-8');
    expect(exportContentType('jsonl')).toBe('application/x-ndjson; charset=utf-8');
    expect(exportHeaders('fills', 'csv')).toEqual({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename=planexec-fills.csv' });
  });
});
