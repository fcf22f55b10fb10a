import type { Database, Statement } from 'better-sqlite3';
import { Decimal } from '../../domain/decimal.js';
import type { StoredJournalRow } from '../journal-chain.js';
import type { ExportKind, ExportPage, ExportRange, ExportRecordOf, IExecutionQualitySource, IExportSource, QualityFill, QualityLeg, QualityLegFilter, StyledEntry } from '../../ports/read-models.js';
import { rowToFill, rowToOrder, rowToPosition, type Row } from './ledger-rows.js';
import { rowToEntry } from './sqlite-journal.js';
import { toLedgerError } from './storage-errors.js';
import { legOfRow, type LegRow, styledEntryOfRow, type StyledRow } from '../read-model-rows.js';

/** Each kind's table, the time its window is on, and how a row becomes a record. */
const EXPORT_TABLES: { readonly [K in ExportKind]: { readonly table: string; readonly time: string; readonly record: (row: Row) => ExportRecordOf[K] } } = {
  trades: { table: 'positions', time: 'opened_at', record: rowToPosition },
  orders: { table: 'orders', time: 'created_at', record: rowToOrder },
  fills: { table: 'fills', time: 'executed_at', record: rowToFill },
  journal: { table: 'journal', time: 'timestamp', record: (row) => rowToEntry(row as unknown as StoredJournalRow) },
};

/**
 * Keyset pages on rowid (the journal's rowid is its seq): each read walks the primary key from
 * where the last stopped, so paging a million rows costs one pass, and the time window is a
 * filter on that walk (no index on the time columns is needed).
 */
function exportPageSql(table: string, time: string): string {
  return `SELECT rowid AS _rid, * FROM ${table}
    WHERE rowid > @after AND (@from IS NULL OR ${time} >= @from) AND (@to IS NULL OR ${time} < @to)
    ORDER BY rowid LIMIT @limit`;
}

/** Legs that open or add to a position and reached the venue, with their directive's strategy and acceptance and the intent's reference price. */
const QUALITY_LEGS_SQL = `
SELECT * FROM (
  SELECT o.rowid AS _rid, o.client_order_id, o.symbol, o.side, o.order_type, o.quantity, o.limit_price, o.stop_price,
    COALESCE(
      (SELECT f.strategy_id FROM flows f WHERE f.directive_id = o.directive_id ORDER BY f.started_at LIMIT 1),
      (SELECT p.strategy_id FROM positions p WHERE p.trade_id = o.trade_id)
    ) AS strategy_id,
    (SELECT f.started_at FROM flows f WHERE f.directive_id = o.directive_id ORDER BY f.started_at LIMIT 1) AS accepted_at,
    (SELECT json_extract(j.body, '$.reference_price') FROM journal j
      WHERE j.directive_id = o.directive_id AND j.event_type = 'ORDER_INTENT'
        AND json_extract(j.body, '$.client_order_id') = o.client_order_id
        AND json_extract(j.body, '$.reference_price') IS NOT NULL
      ORDER BY j.seq LIMIT 1) AS reference_price
  FROM orders o
  WHERE o.rowid > @after AND o.purpose IN ('ENTRY', 'INCREASE') AND o.status NOT IN ('PENDING', 'REJECTED')
    AND (@symbol IS NULL OR o.symbol = @symbol) AND (@since IS NULL OR o.created_at >= @since)
)
WHERE @strategy_id IS NULL OR strategy_id = @strategy_id
ORDER BY _rid LIMIT @limit`;

const STYLED_ENTRIES_SQL = `
SELECT strategy_id,
  json_extract(body, '$.entry_plan.symbol') AS symbol, json_extract(body, '$.entry_plan.direction') AS side,
  json_extract(body, '$.execution.style') AS style, json_extract(body, '$.execution.decision_price') AS decision_price,
  json_extract(body, '$.execution.average_fill_price') AS average_fill_price, json_extract(body, '$.execution.planned_quantity') AS planned_quantity,
  json_extract(body, '$.execution.filled_quantity') AS filled_quantity, json_extract(body, '$.execution.child_orders') AS child_orders
FROM journal
WHERE event_type = 'TRADE_OPENED' AND json_extract(body, '$.execution') IS NOT NULL
  AND (@strategy_id IS NULL OR strategy_id = @strategy_id) AND (@symbol IS NULL OR json_extract(body, '$.entry_plan.symbol') = @symbol)
  AND (@since IS NULL OR timestamp >= @since)
ORDER BY seq`;

const QUALITY_FILLS_SQL = `
SELECT client_order_id, quantity, price, executed_at FROM fills
WHERE client_order_id IN (SELECT value FROM json_each(?))
ORDER BY executed_at, rowid`;




/**
 * The read models' queries on a planexec SQLite database: export pages and execution-quality
 * legs. Reads only, so it serves a read-only connection (the CLI beside a running writer) as well
 * as the writer's own (`planexec serve`); each call is one short synchronous read.
 */
export class SqliteReadModels implements IExportSource, IExecutionQualitySource {
  readonly #db: Database;
  readonly #pages = new Map<ExportKind, Statement>();
  #legs: Statement | undefined;
  #styled: Statement | undefined;
  #fills: Statement | undefined;

  constructor(db: Database) {
    this.#db = db;
  }

  async readExportPage<K extends ExportKind>(kind: K, range: ExportRange, after: number, limit: number): Promise<ExportPage<ExportRecordOf[K]>> {
    const spec = EXPORT_TABLES[kind];
    return this.#read(`export ${kind}`, () => {
      let statement = this.#pages.get(kind);
      if (statement === undefined) this.#pages.set(kind, (statement = this.#db.prepare(exportPageSql(spec.table, spec.time))));
      const rows = statement.all({ after, from: range.from, to: range.to, limit }) as (Row & { _rid: number })[];
      const last = rows[rows.length - 1];
      return { records: rows.map((row) => spec.record(row)), cursor: rows.length < limit || last === undefined ? null : last._rid };
    });
  }

  async readQualityLegs(filter: QualityLegFilter, after: number, limit: number): Promise<{ legs: QualityLeg[]; cursor: number | null }> {
    return this.#read('execution quality legs', () => {
      this.#legs ??= this.#db.prepare(QUALITY_LEGS_SQL);
      const rows = this.#legs.all({ after, limit, symbol: filter.symbol ?? null, since: filter.since ?? null, strategy_id: filter.strategy_id ?? null }) as (LegRow & { _rid: number })[];
      const last = rows[rows.length - 1];
      const legs = rows.map(legOfRow);
      return { legs, cursor: rows.length < limit || last === undefined ? null : last._rid };
    });
  }

  async readQualityFills(clientOrderIds: readonly string[]): Promise<QualityFill[]> {
    return this.#read('execution quality fills', () => {
      this.#fills ??= this.#db.prepare(QUALITY_FILLS_SQL);
      const rows = this.#fills.all(JSON.stringify(clientOrderIds)) as { client_order_id: string; quantity: string; price: string; executed_at: string }[];
      return rows.map((r) => ({ client_order_id: r.client_order_id, quantity: new Decimal(r.quantity), price: new Decimal(r.price), executed_at: r.executed_at }));
    });
  }

  async readStyledEntries(filter: QualityLegFilter): Promise<StyledEntry[]> {
    return this.#read('styled entries', () => {
      this.#styled ??= this.#db.prepare(STYLED_ENTRIES_SQL);
      const rows = this.#styled.all({ symbol: filter.symbol ?? null, since: filter.since ?? null, strategy_id: filter.strategy_id ?? null }) as StyledRow[];
      return rows.map(styledEntryOfRow);
    });
  }

  #read<T>(operation: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw toLedgerError(error, operation);
    }
  }
}
