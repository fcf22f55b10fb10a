import { Readable } from 'node:stream';
import type { IExportSource } from '../../ports/read-models.js';
import { cellText, csvRecord } from './csv.js';
import { EXPORT_COLUMNS } from './export-columns.js';
import { EXPORT_PAGE_SIZE, exportRecords, type WireRecord } from './export-records.js';
import type { ExportFormat, ExportKind, ExportRange } from './export-request.js';

export interface ExportStreamOptions {
  /** Records per store read. @default EXPORT_PAGE_SIZE */
  readonly pageSize?: number;
}

/** One page of records as text: CSV records (CRLF) or JSON Lines (LF). */
export function formatPage(kind: ExportKind, format: ExportFormat, records: readonly WireRecord[]): string {
  if (format === 'jsonl') return records.map((r) => `${JSON.stringify(r)}\n`).join('');
  const columns = EXPORT_COLUMNS[kind];
  return records.map((r) => csvRecord(columns.map((c) => cellText(r[c])))).join('');
}

/** The CSV header line of a kind. */
export function csvHeader(kind: ExportKind): string {
  return csvRecord(EXPORT_COLUMNS[kind]);
}

async function* exportText(kind: ExportKind, format: ExportFormat, source: IExportSource, range: ExportRange, pageSize: number): AsyncGenerator<string> {
  if (format === 'csv') yield csvHeader(kind);
  for await (const page of exportRecords(kind, source, range, pageSize)) yield formatPage(kind, format, page);
}

/**
 * The export as a byte stream (UTF-8), for an HTTP reply or a file. It is pulled: pages are read
 * from the store only while the stream's buffer (16 KiB) has room, so a slow client holds about
 * one page in memory, never the table. A store error destroys the stream with that error.
 */
export function exportStream(kind: ExportKind, format: ExportFormat, source: IExportSource, range: ExportRange, options: ExportStreamOptions = {}): Readable {
  return Readable.from(exportText(kind, format, source, range, options.pageSize ?? EXPORT_PAGE_SIZE), { objectMode: false });
}
