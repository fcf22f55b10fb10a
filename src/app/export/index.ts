export { cellText, csvField, csvRecord, guardFormula } from './csv.js';
export { EXPORT_COLUMNS } from './export-columns.js';
export { EXPORT_PAGE_SIZE, exportRecords, type WireRecord } from './export-records.js';
export {
  EXPORT_FORMATS,
  EXPORT_KINDS,
  ExportKindSchema,
  ExportQuerySchema,
  exportContentType,
  exportFileName,
  exportHeaders,
  OPEN_RANGE,
  parseExportRequest,
  type ExportFormat,
  type ExportKind,
  type ExportQuery,
  type ExportRange,
  type ExportRequest,
} from './export-request.js';
export type { ExportPage, ExportRecordOf, IExportSource } from '../../ports/read-models.js';
export { csvHeader, exportStream, formatPage, type ExportStreamOptions } from './export-stream.js';
