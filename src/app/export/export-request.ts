import { z } from 'zod';
import { timestampField, zodIssues } from '../../domain/directive.js';
import { ValidationError } from '../../domain/errors.js';
import { EXPORT_KINDS, type ExportKind, type ExportRange } from '../../ports/read-models.js';

export { EXPORT_KINDS, type ExportKind, type ExportRange };

/** How an export is written. The values are the CLI's --format and the HTTP `format` query values. */
export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const OPEN_RANGE: ExportRange = { from: null, to: null };

/** The query of `GET /api/export/{kind}` (and the options of `planexec export`). */
export const ExportQuerySchema = z.strictObject({
  format: z.enum(EXPORT_FORMATS).default('csv'),
  from: timestampField.optional(),
  to: timestampField.optional(),
});
export type ExportQuery = z.input<typeof ExportQuerySchema>;

export const ExportKindSchema = z.enum(EXPORT_KINDS);

export interface ExportRequest {
  readonly kind: ExportKind;
  readonly format: ExportFormat;
  readonly range: ExportRange;
}

/**
 * Checks kind, format and window together and reports every problem at once: a ValidationError
 * whose issues name the field (`kind`, `format`, `from`, `to`) and the rule, the allowed values
 * in the message ("must be one of csv, jsonl").
 */
export function parseExportRequest(kind: unknown, query: unknown): ExportRequest {
  const parsedKind = ExportKindSchema.safeParse(kind);
  const parsedQuery = ExportQuerySchema.safeParse(query ?? {});
  const issues = [
    ...(parsedKind.success ? [] : zodIssues(parsedKind.error, kind).map((i) => ({ ...i, path: 'kind' }))),
    ...(parsedQuery.success ? [] : zodIssues(parsedQuery.error, query)),
  ];
  if (parsedKind.success && parsedQuery.success) {
    const range = { from: normalTime(parsedQuery.data.from), to: normalTime(parsedQuery.data.to) };
    if (range.from !== null && range.to !== null && range.from >= range.to) {
      issues.push({ path: 'to', rule: 'after_from', message: `must be later than from (${range.from}); got ${range.to}` });
    } else if (issues.length === 0) {
      return { kind: parsedKind.data, format: parsedQuery.data.format, range };
    }
  }
  throw new ValidationError(issues, 'export request');
}

/** Any zone offset → UTC with milliseconds, the stored form. */
export function normalTime(iso: string | undefined): string | null {
  return iso === undefined ? null : new Date(iso).toISOString();
}

/** `planexec-trades.csv`: the download's file name. */
export function exportFileName(kind: ExportKind, format: ExportFormat): string {
  return `planexec-${kind}.${format}`;
}

/** The HTTP Content-Type of a format. */
export function exportContentType(format: ExportFormat): string {
  return format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
}

/** The headers of an export download: its content type and `attachment; filename=planexec-<kind>.<ext>`. */
export function exportHeaders(kind: ExportKind, format: ExportFormat): Readonly<Record<'content-type' | 'content-disposition', string>> {
  return { 'content-type': exportContentType(format), 'content-disposition': `attachment; filename=${exportFileName(kind, format)}` };
}
