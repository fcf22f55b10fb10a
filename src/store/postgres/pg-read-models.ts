import type { Pool } from 'pg';
import { Decimal } from '../../domain/decimal.js';
import { errorMessage, LedgerError } from '../../domain/errors.js';
import type { JournalEntry } from '../../ports/journal.js';
import type { ExportKind, ExportPage, ExportRange, ExportRecordOf, IReadModels, QualityFill, QualityLeg, QualityLegFilter, StyledEntry } from '../../ports/read-models.js';
import { rowToFill, rowToOrder, rowToPosition, type Row } from '../sqlite/ledger-rows.js';
import { legOfRow, type LegRow, styledEntryOfRow, type StyledRow } from '../read-model-rows.js';

/** Each kind's table, its storage-order key, the time its window is on, and how a row becomes a record. */
const EXPORT_TABLES: { readonly [K in ExportKind]: { readonly table: string; readonly key: string; readonly time: string; readonly record: (row: Row) => ExportRecordOf[K] } } = {
  trades: { table: 'positions', key: 'row_order', time: 'opened_at', record: rowToPosition },
  orders: { table: 'orders', key: 'row_order', time: 'created_at', record: rowToOrder },
  fills: { table: 'fills', key: 'fill_order', time: 'executed_at', record: rowToFill },
  journal: { table: 'journal', key: 'seq', time: 'timestamp', record: journalRecord },
};

function journalRecord(row: Row): JournalEntry {
  return {
    seq: Number(row['seq']),
    entry_id: String(row['entry_id']),
    event_type: row['event_type'] as JournalEntry['event_type'],
    flow_id: String(row['flow_id']),
    directive_id: (row['directive_id'] as string | null) ?? null,
    strategy_id: (row['strategy_id'] as string | null) ?? null,
    timestamp: String(row['timestamp']),
    correlation_id: String(row['correlation_id']),
    causation_id: (row['causation_id'] as string | null) ?? null,
    body: JSON.parse(String(row['body'])) as JournalEntry['body'],
    prev_hash: String(row['prev_hash']),
    hash: String(row['hash']),
  };
}

const QUALITY_LEGS_SQL = `
SELECT * FROM (
  SELECT o.row_order AS _rid, o.client_order_id, o.symbol, o.side, o.order_type, o.quantity, o.limit_price, o.stop_price,
    COALESCE(f.strategy_id, (SELECT p.strategy_id FROM positions p WHERE p.trade_id = o.trade_id)) AS strategy_id,
    f.started_at AS accepted_at,
    (SELECT j.body::jsonb ->> 'reference_price' FROM journal j
      WHERE j.directive_id = o.directive_id AND j.event_type = 'ORDER_INTENT'
        AND j.body::jsonb ->> 'client_order_id' = o.client_order_id AND j.body::jsonb ->> 'reference_price' IS NOT NULL
      ORDER BY j.seq LIMIT 1) AS reference_price
  FROM orders o LEFT JOIN flows f ON f.directive_id = o.directive_id
  WHERE o.row_order > $1 AND o.purpose IN ('ENTRY', 'INCREASE') AND o.status NOT IN ('PENDING', 'REJECTED')
    AND ($2::text IS NULL OR o.symbol = $2) AND ($3::text IS NULL OR o.created_at >= $3)
) legs
WHERE $4::text IS NULL OR strategy_id = $4
ORDER BY _rid LIMIT $5`;

const STYLED_ENTRIES_SQL = `
SELECT strategy_id, b -> 'entry_plan' ->> 'symbol' AS symbol, b -> 'entry_plan' ->> 'direction' AS side,
  b -> 'execution' ->> 'style' AS style, b -> 'execution' ->> 'decision_price' AS decision_price,
  b -> 'execution' ->> 'average_fill_price' AS average_fill_price, b -> 'execution' ->> 'planned_quantity' AS planned_quantity,
  b -> 'execution' ->> 'filled_quantity' AS filled_quantity, (b -> 'execution' ->> 'child_orders')::int AS child_orders
FROM (SELECT seq, strategy_id, timestamp, body::jsonb AS b FROM journal WHERE event_type = 'TRADE_OPENED') opened
WHERE b -> 'execution' IS NOT NULL AND jsonb_typeof(b -> 'execution') = 'object'
  AND ($1::text IS NULL OR strategy_id = $1) AND ($2::text IS NULL OR b -> 'entry_plan' ->> 'symbol' = $2) AND ($3::text IS NULL OR timestamp >= $3)
ORDER BY seq`;




/** The read models' queries on a planexec PostgreSQL database: the same pages and rows as SQLite's (SqliteReadModels). */
export class PgReadModels implements IReadModels {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async readExportPage<K extends ExportKind>(kind: K, range: ExportRange, after: number, limit: number): Promise<ExportPage<ExportRecordOf[K]>> {
    const spec = EXPORT_TABLES[kind];
    const rows = await this.#rows<Row & { _rid: string }>(
      `export ${kind}`,
      `SELECT ${spec.key} AS _rid, * FROM ${spec.table}
       WHERE ${spec.key} > $1 AND ($2::text IS NULL OR ${spec.time} >= $2) AND ($3::text IS NULL OR ${spec.time} < $3)
       ORDER BY ${spec.key} LIMIT $4`,
      [after, range.from, range.to, limit],
    );
    const last = rows[rows.length - 1];
    return { records: rows.map((row) => spec.record(row)), cursor: rows.length < limit || last === undefined ? null : Number(last._rid) };
  }

  async readQualityLegs(filter: QualityLegFilter, after: number, limit: number): Promise<{ legs: QualityLeg[]; cursor: number | null }> {
    const rows = await this.#rows<LegRow & { _rid: string }>('execution quality legs', QUALITY_LEGS_SQL, [after, filter.symbol ?? null, filter.since ?? null, filter.strategy_id ?? null, limit]);
    const last = rows[rows.length - 1];
    const legs = rows.map(legOfRow);
    return { legs, cursor: rows.length < limit || last === undefined ? null : Number(last._rid) };
  }

  async readQualityFills(clientOrderIds: readonly string[]): Promise<QualityFill[]> {
    const rows = await this.#rows<{ client_order_id: string; quantity: string; price: string; executed_at: string }>(
      'execution quality fills',
      'SELECT client_order_id, quantity, price, executed_at FROM fills WHERE client_order_id = ANY($1) ORDER BY executed_at, fill_order',
      [[...clientOrderIds]],
    );
    return rows.map((r) => ({ client_order_id: r.client_order_id, quantity: new Decimal(r.quantity), price: new Decimal(r.price), executed_at: r.executed_at }));
  }

  async readStyledEntries(filter: QualityLegFilter): Promise<StyledEntry[]> {
    const rows = await this.#rows<StyledRow>('styled entries', STYLED_ENTRIES_SQL, [filter.strategy_id ?? null, filter.symbol ?? null, filter.since ?? null]);
    return rows.map(styledEntryOfRow);
  }

  async #rows<R extends object>(operation: string, sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw new LedgerError(`${operation} failed in PostgreSQL: ${errorMessage(error)}`, { operation }, error);
    }
  }
}
