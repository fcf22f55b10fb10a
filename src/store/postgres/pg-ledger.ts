import type { Pool, PoolClient } from 'pg';
import { Decimal } from '../../domain/decimal.js';
import { errorMessage, LedgerError } from '../../domain/errors.js';
import type { Anomaly, FillRecord, OrderRecord, Position } from '../../domain/trading.js';
import type { ILedgerProvider, LedgerApplyResult, LedgerChange, OrderFilter, PositionFilter } from '../../ports/ledger.js';
import {
  anomalyToRow,
  FILL_COLUMNS,
  fillToRow,
  ORDER_COLUMNS,
  orderToRow,
  POSITION_COLUMNS,
  positionToRow,
  type Row,
  rowToAnomaly,
  rowToFill,
  rowToOrder,
  rowToPosition,
} from '../sqlite/ledger-rows.js';
import { PgWriter } from './pg-writer.js';

/** The ledger's tables, as in SQLite (decimals as their canonical text); idempotent, run at open. */
export const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS positions (
  trade_id TEXT PRIMARY KEY, strategy_id TEXT NOT NULL, symbol TEXT NOT NULL, direction TEXT NOT NULL CHECK (direction IN ('BUY', 'SELL')),
  status TEXT NOT NULL CHECK (status IN ('OPEN', 'CLOSED')), entry_price TEXT, position_size TEXT NOT NULL, filled_size TEXT NOT NULL,
  remaining_size TEXT NOT NULL, average_entry_price TEXT, stop_loss TEXT, take_profit TEXT, exit_price TEXT, close_reason TEXT,
  realized_pnl TEXT NOT NULL, fees TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT, updated_at TEXT NOT NULL, opened_by TEXT NOT NULL,
  last_directive_id TEXT, protection TEXT NOT NULL, fees_by_asset TEXT NOT NULL, row_order BIGSERIAL
);
CREATE TABLE IF NOT EXISTS orders (
  client_order_id TEXT PRIMARY KEY, venue_order_id TEXT, trade_id TEXT NOT NULL, directive_id TEXT, purpose TEXT NOT NULL, symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')), order_type TEXT NOT NULL, time_in_force TEXT NOT NULL, quantity TEXT NOT NULL,
  limit_price TEXT, stop_price TEXT, reduce_only INTEGER NOT NULL CHECK (reduce_only IN (0, 1)), status TEXT NOT NULL,
  filled_quantity TEXT NOT NULL, average_fill_price TEXT, reject_reason TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  row_order BIGSERIAL
);
CREATE INDEX IF NOT EXISTS orders_by_trade ON orders (trade_id);
CREATE INDEX IF NOT EXISTS orders_by_directive ON orders (directive_id);
CREATE TABLE IF NOT EXISTS fills (
  fill_id TEXT PRIMARY KEY, venue TEXT NOT NULL, venue_trade_id TEXT NOT NULL, client_order_id TEXT NOT NULL, trade_id TEXT NOT NULL,
  directive_id TEXT, symbol TEXT NOT NULL, side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')), quantity TEXT NOT NULL, price TEXT NOT NULL,
  fee TEXT NOT NULL, fee_asset TEXT NOT NULL, executed_at TEXT NOT NULL, fill_order BIGSERIAL, UNIQUE (venue, venue_trade_id)
);
CREATE INDEX IF NOT EXISTS fills_by_order ON fills (client_order_id);
CREATE INDEX IF NOT EXISTS fills_by_trade ON fills (trade_id);
CREATE TABLE IF NOT EXISTS anomalies (
  anomaly_id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, trade_id TEXT, client_order_id TEXT, directive_id TEXT,
  message TEXT NOT NULL, details TEXT NOT NULL, detected_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_undo (
  undo_id BIGSERIAL PRIMARY KEY, directive_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('position', 'order', 'fill')),
  row_key TEXT NOT NULL, before_image TEXT, UNIQUE (directive_id, kind, row_key)
);
`;

const TABLES = {
  position: { table: 'positions', key: 'trade_id', columns: POSITION_COLUMNS },
  order: { table: 'orders', key: 'client_order_id', columns: ORDER_COLUMNS },
} as const;

function upsertSql(table: string, columns: readonly string[], key: string): string {
  const values = columns.map((_, i) => `$${i + 1}`).join(', ');
  const updates = columns.filter((c) => c !== key).map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values}) ON CONFLICT (${key}) DO UPDATE SET ${updates}`;
}

const UPSERT_POSITION = upsertSql('positions', POSITION_COLUMNS, 'trade_id');
const UPSERT_ORDER = upsertSql('orders', ORDER_COLUMNS, 'client_order_id');
const INSERT_FILL = `INSERT INTO fills (${FILL_COLUMNS.join(', ')}) VALUES (${FILL_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (venue, venue_trade_id) DO NOTHING`;
const INSERT_ANOMALY = 'INSERT INTO anomalies (kind, trade_id, client_order_id, directive_id, message, details, detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7)';

const valuesOf = (row: Row, columns: readonly string[]): unknown[] => columns.map((c) => row[c] ?? null);

/**
 * The position ledger in PostgreSQL (distributed mode). The same rows and rules as the SQLite
 * ledger: full-state upserts, fills deduplicated by (venue, venue_trade_id), overfills and fills of
 * unknown orders recorded as anomalies, and before-images (first touch per directive) for
 * `rollbackDirective`. Each `apply` is one transaction.
 */
export class PgLedger implements ILedgerProvider {
  readonly #pool: Pool;
  readonly #now: () => string;
  readonly #writer: PgWriter;

  constructor(pool: Pool, now: () => string = () => new Date().toISOString(), writer: PgWriter = new PgWriter(pool)) {
    this.#pool = pool;
    this.#now = now;
    this.#writer = writer;
  }

  static async migrate(pool: Pool): Promise<void> {
    await pool.query(LEDGER_SCHEMA);
  }

  async apply(change: LedgerChange): Promise<LedgerApplyResult> {
    // rows first: a JS number where a Decimal belongs is refused before anything is written
    const positions = (change.positions ?? []).map(positionToRow);
    const orders = (change.orders ?? []).map(orderToRow);
    const fills = (change.fills ?? []).map(fillToRow);
    const given = change.anomalies ?? [];
    const undoKey = change.undo === false ? null : change.directive_id;
    return this.#transaction('apply', async (client) => {
      for (const row of positions) {
        if (undoKey !== null) await snapshot(client, undoKey, 'position', String(row['trade_id']));
        await client.query(UPSERT_POSITION, valuesOf(row, POSITION_COLUMNS));
      }
      for (const row of orders) {
        if (undoKey !== null) await snapshot(client, undoKey, 'order', String(row['client_order_id']));
        await client.query(UPSERT_ORDER, valuesOf(row, ORDER_COLUMNS));
      }
      const duplicates: string[] = [];
      const filled = new Set<string>();
      for (const row of fills) {
        const inserted = await client.query(INSERT_FILL, valuesOf(row, FILL_COLUMNS));
        if (inserted.rowCount === 0) {
          duplicates.push(String(row['venue_trade_id']));
          continue;
        }
        filled.add(String(row['client_order_id']));
        if (undoKey !== null) {
          await client.query(`INSERT INTO ledger_undo (directive_id, kind, row_key, before_image) VALUES ($1, 'fill', $2, NULL) ON CONFLICT DO NOTHING`, [undoKey, row['fill_id']]);
        }
      }
      for (const a of given) await client.query(INSERT_ANOMALY, valuesOf(anomalyToRow(a, change.directive_id), ANOMALY_COLUMNS));
      const detected = await detectFillAnomalies(client, filled, given, this.#now());
      for (const a of detected) await client.query(INSERT_ANOMALY, valuesOf(anomalyToRow(a, change.directive_id), ANOMALY_COLUMNS));
      return detected.length > 0 ? { duplicate_fills: duplicates, detected_anomalies: detected } : { duplicate_fills: duplicates };
    });
  }

  /** Before-images replayed newest first (a row the directive created is deleted), its fills removed, its undo log forgotten. */
  async rollbackDirective(directiveId: string): Promise<number> {
    return this.#transaction('rollback', async (client) => {
      const { rows } = await client.query<{ kind: 'position' | 'order' | 'fill'; row_key: string; before_image: string | null }>(
        'SELECT kind, row_key, before_image FROM ledger_undo WHERE directive_id = $1 ORDER BY undo_id DESC',
        [directiveId],
      );
      let changed = 0;
      for (const { kind, row_key: key, before_image: before } of rows) {
        if (kind === 'fill') {
          changed += (await client.query('DELETE FROM fills WHERE fill_id = $1', [key])).rowCount ?? 0;
          continue;
        }
        const { table, key: keyColumn, columns } = TABLES[kind];
        if (before === null) {
          changed += (await client.query(`DELETE FROM ${table} WHERE ${keyColumn} = $1`, [key])).rowCount ?? 0;
        } else {
          const image = JSON.parse(before) as Row;
          changed += (await client.query(upsertSql(table, columns, keyColumn), valuesOf(image, columns))).rowCount ?? 0;
        }
      }
      await client.query('DELETE FROM ledger_undo WHERE directive_id = $1', [directiveId]);
      return changed;
    });
  }

  async getPosition(tradeId: string): Promise<Position | undefined> {
    const { rows } = await this.#query<Row>('read', 'SELECT * FROM positions WHERE trade_id = $1', [tradeId]);
    return rows[0] ? rowToPosition(rows[0]) : undefined;
  }

  async listPositions(filter: PositionFilter = {}): Promise<Position[]> {
    const { rows } = await this.#query<Row>(
      'read',
      `SELECT * FROM positions WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR strategy_id = $2)
         AND ($3::text IS NULL OR symbol = $3) AND ($4::text IS NULL OR direction = $4) ORDER BY opened_at, trade_id`,
      [filter.status ?? null, filter.strategy_id ?? null, filter.symbol ?? null, filter.direction ?? null],
    );
    return rows.map(rowToPosition);
  }

  async getOrder(clientOrderId: string): Promise<OrderRecord | undefined> {
    const { rows } = await this.#query<Row>('read', 'SELECT * FROM orders WHERE client_order_id = $1', [clientOrderId]);
    return rows[0] ? rowToOrder(rows[0]) : undefined;
  }

  async listOrders(filter: OrderFilter = {}): Promise<OrderRecord[]> {
    const { rows } = await this.#query<Row>(
      'read',
      `SELECT * FROM orders WHERE ($1::text IS NULL OR trade_id = $1) AND ($2::text IS NULL OR directive_id = $2)
         AND ($3::text[] IS NULL OR status = ANY($3)) ORDER BY created_at, client_order_id`,
      [filter.trade_id ?? null, filter.directive_id ?? null, filter.statuses ? [...filter.statuses] : null],
    );
    return rows.map(rowToOrder);
  }

  async listFills(filter: { readonly trade_id?: string; readonly client_order_id?: string } = {}): Promise<FillRecord[]> {
    const { rows } = await this.#query<Row>(
      'read',
      'SELECT * FROM fills WHERE ($1::text IS NULL OR trade_id = $1) AND ($2::text IS NULL OR client_order_id = $2) ORDER BY executed_at, fill_order',
      [filter.trade_id ?? null, filter.client_order_id ?? null],
    );
    return rows.map(rowToFill);
  }

  async listAnomalies(): Promise<Anomaly[]> {
    const { rows } = await this.#query<Row>('read', 'SELECT * FROM anomalies ORDER BY anomaly_id', []);
    return rows.map(rowToAnomaly);
  }

  /** The pool belongs to the store that opened it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  async #query<R extends object>(operation: string, sql: string, params: unknown[]): Promise<{ rows: R[] }> {
    try {
      return await this.#pool.query<R>(sql, params);
    } catch (error) {
      throw ledgerError(error, operation);
    }
  }

  async #transaction<T>(operation: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    try {
      return await this.#writer.run(work);
    } catch (error) {
      throw ledgerError(error, operation);
    }
  }
}

const ANOMALY_COLUMNS = ['kind', 'trade_id', 'client_order_id', 'directive_id', 'message', 'details', 'detected_at'] as const;

/** The row's before-image, at the directive's first touch only (the undo log keeps the oldest). */
async function snapshot(client: PoolClient, directiveId: string, kind: 'position' | 'order', key: string): Promise<void> {
  const { table, key: keyColumn, columns } = TABLES[kind];
  await client.query(
    `INSERT INTO ledger_undo (directive_id, kind, row_key, before_image)
     VALUES ($1, $2, $3, (SELECT json_build_object(${columns.map((c) => `'${c}', ${c}`).join(', ')})::text FROM ${table} WHERE ${keyColumn} = $3))
     ON CONFLICT (directive_id, kind, row_key) DO NOTHING`,
    [directiveId, kind, key],
  );
}

/** Fills of orders the ledger does not know, and orders filled beyond their quantity; none the change already carries. */
async function detectFillAnomalies(client: PoolClient, clientOrderIds: ReadonlySet<string>, given: readonly Anomaly[], detectedAt: string): Promise<Anomaly[]> {
  const detected: Anomaly[] = [];
  const already = (kind: Anomaly['kind'], id: string): boolean => given.some((a) => a.kind === kind && a.client_order_id === id);
  for (const id of clientOrderIds) {
    const order = (await client.query<{ quantity: string; trade_id: string }>('SELECT quantity, trade_id FROM orders WHERE client_order_id = $1', [id])).rows[0];
    const fills = (await client.query<{ quantity: string; venue_trade_id: string; trade_id: string }>('SELECT quantity, venue_trade_id, trade_id FROM fills WHERE client_order_id = $1 ORDER BY fill_order', [id])).rows;
    const filled = fills.reduce((sum, f) => sum.plus(f.quantity), new Decimal(0));
    if (order === undefined) {
      if (already('UNKNOWN_ORDER_FILL', id)) continue;
      detected.push({
        kind: 'UNKNOWN_ORDER_FILL',
        trade_id: fills[0]?.trade_id ?? null,
        client_order_id: id,
        message: `fill for order ${id}, which the ledger does not know`,
        details: { venue_trade_ids: fills.map((f) => f.venue_trade_id), filled_quantity: filled.toFixed() },
        detected_at: detectedAt,
      });
    } else if (filled.gt(order.quantity)) {
      if (already('OVERFILL', id)) continue;
      detected.push({
        kind: 'OVERFILL',
        trade_id: order.trade_id,
        client_order_id: id,
        message: `order ${id} filled ${filled.toFixed()} of ${order.quantity}`,
        details: { order_quantity: order.quantity, filled_quantity: filled.toFixed(), venue_trade_ids: fills.map((f) => f.venue_trade_id) },
        detected_at: detectedAt,
      });
    }
  }
  return detected;
}

function ledgerError(error: unknown, operation: string): LedgerError {
  if (error instanceof LedgerError) return error;
  return new LedgerError(`ledger ${operation} failed in PostgreSQL: ${errorMessage(error)}`, { operation }, error);
}
