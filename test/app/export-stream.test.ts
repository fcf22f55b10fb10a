import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, EXPORT_KINDS, exportStream, type ExportFormat, type ExportKind, type ExportRange, type IExportSource } from '../../src/app/export/index.js';
import { Decimal } from '../../src/domain/decimal.js';
import { FillRecordSchema, fillRecordToWire, OrderRecordSchema, orderRecordToWire, PositionSchema, positionToWire } from '../../src/domain/wire.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SqliteReadModels } from '../../src/store/sqlite/sqlite-read-models.js';
import { fill, journalInput, order, position } from '../store/contract/builders.js';
import { parseCsv } from '../support/csv-reader.js';
import { expectCorrupted } from '../support/projection-check.js';

const at = (minute: number): string => new Date(Date.UTC(2026, 10, 24, 10, minute)).toISOString();
/** Written out of time order: the window must filter on time, not on where a row sits. */
const MINUTES = [3, 1, 4, 0, 2, 6, 5];

let dir: string;
let dbPath: string;
let store: SqliteStore;

async function fillStore(target: SqliteStore): Promise<void> {
  for (const minute of MINUTES) {
    const tradeId = `DIR_20261124_10${String(minute).padStart(2, '0')}00_0000abcd`;
    await target.ledger.apply({
      directive_id: tradeId,
      positions: [position({ trade_id: tradeId, opened_at: at(minute), close_reason: minute === 6 ? '=HYPERLINK("http://evil","click")' : null, realized_pnl: new Decimal(minute === 5 ? '-12.5' : '0') })],
      orders: [order({ client_order_id: `PX${minute}-E`, trade_id: tradeId, directive_id: tradeId, created_at: at(minute), reject_reason: minute === 4 ? 'too small, "min notional" 5' : null })],
      fills: [fill({ fill_id: `FIL_${minute}`, venue_trade_id: `T${minute}`, client_order_id: `PX${minute}-E`, trade_id: tradeId, directive_id: tradeId, executed_at: at(minute) })],
    });
    await target.journal.logEntry(journalInput({ flow_id: tradeId, timestamp: at(minute), body: { note: `line one\nline two, minute ${minute}` } }));
  }
}

async function exported(kind: ExportKind, format: ExportFormat, source: IExportSource, range: ExportRange = { from: null, to: null }, pageSize?: number): Promise<string> {
  return text(exportStream(kind, format, source, range, pageSize === undefined ? {} : { pageSize }));
}

const jsonLines = (body: string): Record<string, unknown>[] => body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-export-'));
  dbPath = join(dir, 'planexec.db');
  store = openSqliteStore(dbPath);
  // rows written one by one for the exports to read, not by flows: its journal does not record them
  expectCorrupted(dbPath);
  await fillStore(store);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('export columns', () => {
  it('list every field of each wire object, so no field is left out of a CSV', () => {
    expect([...EXPORT_COLUMNS.trades].sort()).toEqual(Object.keys(PositionSchema.shape).sort());
    expect([...EXPORT_COLUMNS.orders].sort()).toEqual(Object.keys(OrderRecordSchema.shape).sort());
    expect([...EXPORT_COLUMNS.fills].sort()).toEqual(Object.keys(FillRecordSchema.shape).sort());
    expect(EXPORT_COLUMNS.journal).toEqual(['seq', 'entry_id', 'event_type', 'flow_id', 'directive_id', 'strategy_id', 'timestamp', 'correlation_id', 'causation_id', 'body', 'prev_hash', 'hash']);
  });
});

describe('exportStream', () => {
  it('writes JSON Lines of the wire objects the ledger holds, one per record', async () => {
    const source = new SqliteReadModels(store.database);
    const byId = <T extends Record<string, unknown>>(rows: T[], key: string): T[] => [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
    expect(byId(jsonLines(await exported('trades', 'jsonl', source)), 'trade_id')).toEqual(byId((await store.ledger.listPositions()).map(positionToWire) as unknown as Record<string, unknown>[], 'trade_id'));
    expect(byId(jsonLines(await exported('orders', 'jsonl', source)), 'client_order_id')).toEqual(byId((await store.ledger.listOrders()).map(orderRecordToWire) as unknown as Record<string, unknown>[], 'client_order_id'));
    expect(byId(jsonLines(await exported('fills', 'jsonl', source)), 'fill_id')).toEqual(byId((await store.ledger.listFills()).map(fillRecordToWire) as unknown as Record<string, unknown>[], 'fill_id'));
    const journal = jsonLines(await exported('journal', 'jsonl', source));
    expect(journal.map((e) => e['seq'])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(journal[0]).toEqual({ ...(await store.journal.read({ limit: 1 }))[0] });
  });

  it('writes a CSV with the fixed header of its kind and one record per row, decimals as written', async () => {
    const source = new SqliteReadModels(store.database);
    for (const kind of EXPORT_KINDS) {
      const [header, ...rows] = parseCsv(await exported(kind, 'csv', source));
      expect(header, kind).toEqual(EXPORT_COLUMNS[kind]);
      expect(rows, kind).toHaveLength(MINUTES.length);
    }
    const [header, ...trades] = parseCsv(await exported('trades', 'csv', source));
    const column = (name: string): number => header!.indexOf(name);
    const losing = trades.find((t) => t[column('realized_pnl')] === '-12.5');
    expect(losing?.[column('entry_price')]).toBe('65000.1');
    expect(losing?.[column('fees_by_asset')]).toBe('{"USDT":"0.975"}');
    // a close reason a spreadsheet would run as a formula is shown as text
    expect(trades.map((t) => t[column('close_reason')])).toContain('\'=HYPERLINK("http://evil","click")');
    const [orderHeader, ...orders] = parseCsv(await exported('orders', 'csv', source));
    expect(orders.map((o) => o[orderHeader!.indexOf('reject_reason')])).toContain('too small, "min notional" 5');
    const [journalHeader, ...entries] = parseCsv(await exported('journal', 'csv', source));
    expect(JSON.parse(entries[0]![journalHeader!.indexOf('body')]!)).toEqual({ note: 'line one\nline two, minute 3' });
  });

  it('keeps records from `from` (inclusive) to `to` (exclusive) on each kind\'s own time', async () => {
    const source = new SqliteReadModels(store.database);
    const range = { from: at(2), to: at(5) };
    const inWindow = MINUTES.filter((m) => m >= 2 && m < 5).map(at).sort();
    const times = (kind: ExportKind, field: string): Promise<string[]> => exported(kind, 'jsonl', source, range).then((b) => jsonLines(b).map((r) => String(r[field])).sort());
    expect(await times('trades', 'opened_at')).toEqual(inWindow);
    expect(await times('orders', 'created_at')).toEqual(inWindow);
    expect(await times('fills', 'executed_at')).toEqual(inWindow);
    expect(await times('journal', 'timestamp')).toEqual(inWindow);
    expect(await exported('fills', 'jsonl', source, { from: at(7), to: null })).toBe('');
    expect(await exported('fills', 'csv', source, { from: at(7), to: null })).toBe(`${EXPORT_COLUMNS.fills.join(',')}\r\n`);
  });

  it('gives the same file whatever the page size, pages ending exactly at the table\'s end included', async () => {
    const source = new SqliteReadModels(store.database);
    for (const kind of EXPORT_KINDS) {
      const whole = await exported(kind, 'csv', source);
      for (const pageSize of [1, 2, 7, 1000]) expect(await exported(kind, 'csv', source, { from: null, to: null }, pageSize), `${kind} / ${pageSize}`).toBe(whole);
    }
  });

  it('reads ahead only as far as the stream buffer, however long the table is', async () => {
    let reads = 0;
    // an endless journal of 1 KiB entries: reading it all would never finish
    const endless: IExportSource = {
      readExportPage: (_kind, _range, after) => {
        reads += 1;
        const entry = { seq: after + 1, entry_id: `E${after + 1}`, event_type: 'ORDER_INTENT', flow_id: 'F', directive_id: 'F', strategy_id: 's', timestamp: at(0), correlation_id: 'F', causation_id: null, body: { pad: 'x'.repeat(1024) }, prev_hash: '0', hash: '1' };
        return Promise.resolve({ records: [entry as never], cursor: after + 1 });
      },
    };
    const stream = exportStream('journal', 'jsonl', endless, { from: null, to: null }, { pageSize: 1 });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(40);
    stream.destroy();
  });

  it('exports from a read-only connection while the writer keeps the database open', async () => {
    const reader = openSqliteStore(dbPath, { readOnly: true });
    try {
      const fromReader = await exported('orders', 'csv', new SqliteReadModels(reader.database));
      expect(fromReader).toBe(await exported('orders', 'csv', new SqliteReadModels(store.database)));
      await store.ledger.apply({ directive_id: null, fills: [fill({ fill_id: 'FIL_late', venue_trade_id: 'T_late', client_order_id: 'PX0-E', executed_at: at(9) })] });
      expect(jsonLines(await exported('fills', 'jsonl', new SqliteReadModels(reader.database), { from: at(9), to: null })).map((f) => f['fill_id'])).toEqual(['FIL_late']);
    } finally {
      await reader.close();
    }
  });

  it('ends the stream with the store\'s error when a read fails', async () => {
    const failing: IExportSource = { readExportPage: () => Promise.reject(new Error('disk gone')) };
    await expect(exported('trades', 'csv', failing)).rejects.toThrow('disk gone');
  });
});
