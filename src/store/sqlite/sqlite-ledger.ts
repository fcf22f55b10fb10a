import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../../domain/clock.js';
import { isoTime } from '../../domain/clock.js';
import { LedgerError } from '../../domain/errors.js';
import type { Anomaly, FillRecord, OrderRecord, Position } from '../../domain/trading.js';
import type { ILedgerProvider, LedgerApplyResult, LedgerChange, OrderFilter, PositionFilter } from '../../ports/ledger.js';
import type { StoreWriter } from './store-writer.js';
import { anomalyToRow, fillToRow, orderToRow, positionToRow, rowToAnomaly, rowToFill, rowToOrder, rowToPosition, type Row } from './ledger-rows.js';
import { toLedgerError } from './storage-errors.js';
import { TradeReadCache } from '../trade-read-cache.js';

export interface SqliteLedgerApplyResult extends LedgerApplyResult {
  readonly detected_anomalies: readonly Anomaly[];
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
  /** Null for a read-only ledger. */
  readonly #writer: StoreWriter | null;
  readonly #clock: Clock;
  readonly #s: ReturnType<typeof prepareStatements>;
  readonly #lists = new Map<string, Statement>();
  /** Null unless this ledger is the database's writer: when another process writes, nothing read may be kept. */
  readonly #cache: TradeReadCache | null;
  #closed = false;

  constructor(db: Database, writer: StoreWriter | null, clock: Clock, options: { readonly cacheTrades?: boolean } = {}) {
    this.#db = db;
    this.#writer = writer;
    this.#clock = clock;
    this.#s = prepareStatements(db);
    this.#cache = writer !== null && options.cacheTrades === true ? new TradeReadCache() : null;
  }

  apply(change: LedgerChange): Promise<SqliteLedgerApplyResult> {
    const writer = this.#writer;
    if (this.#closed || writer === null) return Promise.reject(closedError());
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
    const applied = writer.run(
      {
        op: 'ledger.apply',
        directiveId,
        undoKey: change.undo === false ? null : directiveId,
        rows,
        given: (change.anomalies ?? []).map((a) => ({ kind: a.kind, client_order_id: a.client_order_id })),
        detectedAt: isoTime(this.#clock.now()),
      },
      (error) => toLedgerError(error, 'apply'),
    );
    const cache = this.#cache;
    if (cache === null) return applied;
    // the cache learns the change before the caller goes on, so no read after it can miss it
    return applied.then(
      (result) => {
        cache.written(change);
        return result;
      },
      (error: unknown) => {
        cache.drop();
        throw error;
      },
    );
  }

  async getPosition(tradeId: string): Promise<Position | undefined> {
    const load = async (): Promise<Position | undefined> =>
      this.#read('getPosition', () => {
        const row = this.#s.getPosition.get(tradeId) as Row | undefined;
        return row === undefined ? undefined : rowToPosition(row);
      });
    if (this.#closed) throw closedError();
    return this.#cache === null ? load() : this.#cache.position(tradeId, load);
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
    if (this.#closed) throw closedError();
    // a trade's orders: the hot path's read, kept in memory while this process writes them
    const tradeId = filter.trade_id;
    if (this.#cache !== null && tradeId !== undefined && filter.directive_id === undefined) {
      return this.#cache.orders(tradeId, filter.statuses, () => this.#listOrders({ trade_id: tradeId }));
    }
    return this.#listOrders(filter);
  }

  async #listOrders(filter: OrderFilter): Promise<OrderRecord[]> {
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
    if (this.#closed || this.#writer === null) return Promise.reject(closedError());
    const cache = this.#cache;
    // before-images come back in SQL: the cache does not follow them, it starts again
    cache?.drop();
    return this.#writer.run({ op: 'ledger.rollback', directiveId }, (error) => toLedgerError(error, 'rollbackDirective')).finally(() => cache?.drop());
  }

  /** Waits for pending writes and refuses new ones; the database is closed by SqliteStore.close(). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writer?.flush();
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
  return {
    getPosition: db.prepare('SELECT * FROM positions WHERE trade_id = ?'),
    getOrder: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
    listAnomalies: db.prepare('SELECT * FROM anomalies ORDER BY anomaly_id'),
  };
}
