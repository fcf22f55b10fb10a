import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../../domain/clock.js';
import { isoTime } from '../../domain/clock.js';
import { Decimal } from '../../domain/decimal.js';
import { LedgerError } from '../../domain/errors.js';
import type { Anomaly, FillRecord, OrderRecord, Position } from '../../domain/trading.js';
import type { ILedgerProvider, LedgerApplyResult, LedgerChange, OrderFilter, PositionFilter } from '../../ports/ledger.js';
import type { CommitQueue } from './commit-queue.js';
import {
  anomalyToRow,
  FILL_COLUMNS,
  fillToRow,
  jsonObjectSql,
  ORDER_COLUMNS,
  orderToRow,
  POSITION_COLUMNS,
  positionToRow,
  rowToAnomaly,
  rowToFill,
  rowToOrder,
  rowToPosition,
  upsertSql,
  type Row,
} from './ledger-rows.js';
import { toLedgerError } from './storage-errors.js';

export interface SqliteLedgerApplyResult extends LedgerApplyResult {
  readonly detected_anomalies: readonly Anomaly[];
}

interface UndoRow {
  readonly kind: 'position' | 'order' | 'fill';
  readonly row_key: string;
  readonly before_image: string | null;
}

/**
 * The position ledger on SQLite: positions, orders, fills and anomalies. `apply` is one unit of
 * the shared commit queue (all rows or none, durable when resolved). Fills are unique by
 * (venue, venue_trade_id): a repeat is skipped and reported, never an error. As a safety net the
 * ledger itself records an OVERFILL anomaly when an order's fills exceed its quantity, and an
 * UNKNOWN_ORDER_FILL when a fill names an order it does not have, unless the change already
 * carries that anomaly.
 */
export class SqliteLedger implements ILedgerProvider {
  readonly #db: Database;
  readonly #queue: CommitQueue;
  readonly #clock: Clock;
  readonly #s: ReturnType<typeof prepareStatements>;
  readonly #lists = new Map<string, Statement>();
  #closed = false;

  constructor(db: Database, queue: CommitQueue, clock: Clock) {
    this.#db = db;
    this.#queue = queue;
    this.#clock = clock;
    this.#s = prepareStatements(db);
  }

  apply(change: LedgerChange): Promise<SqliteLedgerApplyResult> {
    if (this.#closed) return Promise.reject(closedError());
    let rows;
    try {
      // Converted before enqueueing: a malformed record is refused without costing a transaction.
      rows = {
        positions: (change.positions ?? []).map(positionToRow),
        orders: (change.orders ?? []).map(orderToRow),
        fills: (change.fills ?? []).map(fillToRow),
        anomalies: (change.anomalies ?? []).map((a) => anomalyToRow(a, change.directive_id ?? null)),
      };
    } catch (error) {
      return Promise.reject(toLedgerError(error, 'apply'));
    }
    const directiveId = change.directive_id ?? null;
    const undoKey = change.undo === false ? null : directiveId;
    return this.#queue.run(
      () => this.#applyRows(directiveId, undoKey, rows, change.anomalies ?? []),
      (error) => toLedgerError(error, 'apply'),
    );
  }

  async getPosition(tradeId: string): Promise<Position | undefined> {
    return this.#read('getPosition', () => {
      const row = this.#s.getPosition.get(tradeId) as Row | undefined;
      return row === undefined ? undefined : rowToPosition(row);
    });
  }

  async listPositions(filter: PositionFilter = {}): Promise<Position[]> {
    return this.#read('listPositions', () => {
      const where: string[] = [];
      if (filter.status !== undefined) where.push('status = @status');
      if (filter.strategy_id !== undefined) where.push('strategy_id = @strategy_id');
      if (filter.symbol !== undefined) where.push('symbol = @symbol');
      if (filter.direction !== undefined) where.push('direction = @direction');
      const statement = this.#list('positions', where, 'opened_at, trade_id');
      const rows = statement.all({ status: filter.status ?? null, strategy_id: filter.strategy_id ?? null, symbol: filter.symbol ?? null, direction: filter.direction ?? null });
      return (rows as Row[]).map(rowToPosition);
    });
  }

  async getOrder(clientOrderId: string): Promise<OrderRecord | undefined> {
    return this.#read('getOrder', () => {
      const row = this.#s.getOrder.get(clientOrderId) as Row | undefined;
      return row === undefined ? undefined : rowToOrder(row);
    });
  }

  async listOrders(filter: OrderFilter = {}): Promise<OrderRecord[]> {
    return this.#read('listOrders', () => {
      const where: string[] = [];
      if (filter.trade_id !== undefined) where.push('trade_id = @trade_id');
      if (filter.directive_id !== undefined) where.push('directive_id = @directive_id');
      const params: Record<string, string | null> = { trade_id: filter.trade_id ?? null, directive_id: filter.directive_id ?? null };
      if (filter.statuses !== undefined) {
        // one parameter per status (a statement per count, cached): cheaper than json_each on a hot read
        const names = filter.statuses.map((status, i) => {
          params[`status${i}`] = status;
          return `@status${i}`;
        });
        where.push(names.length === 0 ? '0' : `status IN (${names.join(', ')})`);
      }
      const statement = this.#list('orders', where, 'created_at, rowid');
      const rows = statement.all(params);
      return (rows as Row[]).map(rowToOrder);
    });
  }

  async listFills(filter: { readonly trade_id?: string; readonly client_order_id?: string } = {}): Promise<FillRecord[]> {
    return this.#read('listFills', () => {
      const where: string[] = [];
      if (filter.trade_id !== undefined) where.push('trade_id = @trade_id');
      if (filter.client_order_id !== undefined) where.push('client_order_id = @client_order_id');
      const statement = this.#list('fills', where, 'executed_at, rowid');
      const rows = statement.all({ trade_id: filter.trade_id ?? null, client_order_id: filter.client_order_id ?? null });
      return (rows as Row[]).map(rowToFill);
    });
  }

  async listAnomalies(): Promise<Anomaly[]> {
    return this.#read('listAnomalies', () => (this.#s.listAnomalies.all() as Row[]).map(rowToAnomaly));
  }

  /**
   * Replays the directive's before-images, newest first: positions and orders it changed go back
   * to what they were before its first change (or are deleted if it created them), fills it
   * inserted are deleted. Anomalies stay: they record what happened. The undo log is then
   * forgotten, so a second rollback does nothing and returns 0.
   */
  rollbackDirective(directiveId: string): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#queue.run(
      () => this.#rollbackRows(directiveId),
      (error) => toLedgerError(error, 'rollbackDirective'),
    );
  }

  /** Waits for pending writes and refuses new ones; the database is closed by SqliteStore.close(). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.flush();
  }

  /** `undoKey`: the directive to record before-images under, or null for none. */
  #applyRows(
    directiveId: string | null,
    undoKey: string | null,
    rows: { positions: Row[]; orders: Row[]; fills: Row[]; anomalies: Row[] },
    given: readonly Anomaly[],
  ): SqliteLedgerApplyResult {
    const s = this.#s;
    for (const row of rows.positions) {
      if (undoKey !== null) s.snapshotPosition.run({ directive_id: undoKey, key: row.trade_id });
      s.upsertPosition.run(row);
    }
    for (const row of rows.orders) {
      if (undoKey !== null) s.snapshotOrder.run({ directive_id: undoKey, key: row.client_order_id });
      s.upsertOrder.run(row);
    }
    const duplicates: string[] = [];
    const filledOrders = new Set<string>();
    for (const row of rows.fills) {
      if (s.insertFill.run(row).changes === 0) {
        duplicates.push(String(row.venue_trade_id));
        continue;
      }
      filledOrders.add(String(row.client_order_id));
      if (undoKey !== null) s.recordInsertedFill.run({ directive_id: undoKey, key: row.fill_id });
    }
    for (const row of rows.anomalies) s.insertAnomaly.run(row);
    const detected = this.#detectFillAnomalies(filledOrders, given);
    for (const anomaly of detected) s.insertAnomaly.run(anomalyToRow(anomaly, directiveId));
    return { duplicate_fills: duplicates, detected_anomalies: detected };
  }

  #detectFillAnomalies(clientOrderIds: ReadonlySet<string>, given: readonly Anomaly[]): Anomaly[] {
    const detected: Anomaly[] = [];
    const already = (kind: Anomaly['kind'], id: string): boolean => given.some((a) => a.kind === kind && a.client_order_id === id);
    for (const id of clientOrderIds) {
      const order = this.#s.orderQuantity.get(id) as { quantity: string; trade_id: string } | undefined;
      const fills = this.#s.fillQuantities.all(id) as { quantity: string; venue_trade_id: string; trade_id: string }[];
      const filled = fills.reduce((sum, f) => sum.plus(f.quantity), new Decimal(0));
      if (order === undefined) {
        if (already('UNKNOWN_ORDER_FILL', id)) continue;
        detected.push({
          kind: 'UNKNOWN_ORDER_FILL',
          trade_id: fills[0]?.trade_id ?? null,
          client_order_id: id,
          message: `fill for order ${id}, which the ledger does not know`,
          details: { venue_trade_ids: fills.map((f) => f.venue_trade_id), filled_quantity: filled.toFixed() },
          detected_at: isoTime(this.#clock.now()),
        });
      } else if (filled.gt(order.quantity)) {
        if (already('OVERFILL', id)) continue;
        detected.push({
          kind: 'OVERFILL',
          trade_id: order.trade_id,
          client_order_id: id,
          message: `order ${id} filled ${filled.toFixed()} of ${order.quantity}`,
          details: { order_quantity: order.quantity, filled_quantity: filled.toFixed(), venue_trade_ids: fills.map((f) => f.venue_trade_id) },
          detected_at: isoTime(this.#clock.now()),
        });
      }
    }
    return detected;
  }

  #rollbackRows(directiveId: string): number {
    const s = this.#s;
    const undo = s.undoRows.all(directiveId) as UndoRow[];
    let changed = 0;
    for (const { kind, row_key: key, before_image: before } of undo) {
      switch (kind) {
        case 'position':
          changed += before === null ? s.deletePosition.run(key).changes : s.upsertPosition.run(JSON.parse(before) as Row).changes;
          break;
        case 'order':
          changed += before === null ? s.deleteOrder.run(key).changes : s.upsertOrder.run(JSON.parse(before) as Row).changes;
          break;
        case 'fill':
          changed += s.deleteFill.run(key).changes;
          break;
        default:
          throw new LedgerError(`unknown undo kind ${String(kind)}`, { directive_id: directiveId });
      }
    }
    s.forgetUndo.run(directiveId);
    return changed;
  }

  #list(table: string, where: readonly string[], orderBy: string): Statement {
    const key = `${table}:${where.join(' AND ')}`;
    let statement = this.#lists.get(key);
    if (statement === undefined) {
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      statement = this.#db.prepare(`SELECT * FROM ${table}${clause} ORDER BY ${orderBy}`);
      this.#lists.set(key, statement);
    }
    return statement;
  }

  #read<T>(operation: string, read: () => T): T {
    if (this.#closed) throw closedError();
    try {
      return read();
    } catch (error) {
      throw toLedgerError(error, operation);
    }
  }
}

function closedError(): LedgerError {
  return new LedgerError('ledger is closed', { operation: 'closed' });
}

function prepareStatements(db: Database) {
  const snapshot = (kind: string, table: string, columns: readonly string[], key: string): Statement =>
    db.prepare(
      `INSERT INTO ledger_undo (directive_id, kind, row_key, before_image)
       VALUES (@directive_id, '${kind}', @key, (SELECT ${jsonObjectSql(columns)} FROM ${table} WHERE ${key} = @key))
       ON CONFLICT (directive_id, kind, row_key) DO NOTHING`,
    );
  return {
    upsertPosition: db.prepare(upsertSql('positions', POSITION_COLUMNS, 'trade_id')),
    upsertOrder: db.prepare(upsertSql('orders', ORDER_COLUMNS, 'client_order_id')),
    insertFill: db.prepare(
      `INSERT INTO fills (${FILL_COLUMNS.join(', ')}) VALUES (${FILL_COLUMNS.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (venue, venue_trade_id) DO NOTHING`,
    ),
    insertAnomaly: db.prepare(
      `INSERT INTO anomalies (kind, trade_id, client_order_id, directive_id, message, details, detected_at)
       VALUES (@kind, @trade_id, @client_order_id, @directive_id, @message, @details, @detected_at)`,
    ),
    snapshotPosition: snapshot('position', 'positions', POSITION_COLUMNS, 'trade_id'),
    snapshotOrder: snapshot('order', 'orders', ORDER_COLUMNS, 'client_order_id'),
    recordInsertedFill: db.prepare(
      `INSERT INTO ledger_undo (directive_id, kind, row_key, before_image) VALUES (@directive_id, 'fill', @key, NULL)
       ON CONFLICT (directive_id, kind, row_key) DO NOTHING`,
    ),
    undoRows: db.prepare('SELECT kind, row_key, before_image FROM ledger_undo WHERE directive_id = ? ORDER BY undo_id DESC'),
    forgetUndo: db.prepare('DELETE FROM ledger_undo WHERE directive_id = ?'),
    deletePosition: db.prepare('DELETE FROM positions WHERE trade_id = ?'),
    deleteOrder: db.prepare('DELETE FROM orders WHERE client_order_id = ?'),
    deleteFill: db.prepare('DELETE FROM fills WHERE fill_id = ?'),
    getPosition: db.prepare('SELECT * FROM positions WHERE trade_id = ?'),
    getOrder: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
    orderQuantity: db.prepare('SELECT quantity, trade_id FROM orders WHERE client_order_id = ?'),
    fillQuantities: db.prepare('SELECT quantity, venue_trade_id, trade_id FROM fills WHERE client_order_id = ? ORDER BY rowid'),
    listAnomalies: db.prepare('SELECT * FROM anomalies ORDER BY anomaly_id'),
  };
}
