import { fillRecordToWire, orderRecordToWire, positionToWire } from '../../domain/wire.js';
import type { JournalEntry } from '../../ports/journal.js';
import type { ExportRecordOf, IExportSource } from '../../ports/read-models.js';
import type { ExportKind, ExportRange } from './export-request.js';

/** A record as exported: its wire object (snake_case, decimals as strings, times ISO-8601 UTC). */
export type WireRecord = Readonly<Record<string, unknown>>;

/** Rows per store read: small enough to keep a page's work short on a shared event loop. */
export const EXPORT_PAGE_SIZE = 500;

/** The journal entry as stored: envelope, `body` as one object, then the chain. */
function journalWire(entry: JournalEntry): WireRecord {
  return {
    seq: entry.seq,
    entry_id: entry.entry_id,
    event_type: entry.event_type,
    flow_id: entry.flow_id,
    directive_id: entry.directive_id,
    strategy_id: entry.strategy_id,
    timestamp: entry.timestamp,
    correlation_id: entry.correlation_id,
    causation_id: entry.causation_id,
    body: entry.body,
    prev_hash: entry.prev_hash,
    hash: entry.hash,
  };
}

const TO_WIRE: { readonly [K in ExportKind]: (record: ExportRecordOf[K]) => WireRecord } = {
  trades: positionToWire,
  orders: orderRecordToWire,
  fills: fillRecordToWire,
  journal: journalWire,
};

/** Every record of `kind` in the window, as wire objects, one page at a time. */
export async function* exportRecords<K extends ExportKind>(
  kind: K,
  source: IExportSource,
  range: ExportRange,
  pageSize: number = EXPORT_PAGE_SIZE,
): AsyncGenerator<readonly WireRecord[]> {
  const toWire = TO_WIRE[kind];
  let after = 0;
  for (;;) {
    const page = await source.readExportPage(kind, range, after, pageSize);
    if (page.records.length > 0) yield page.records.map(toWire);
    if (page.cursor === null) return;
    after = page.cursor;
  }
}
