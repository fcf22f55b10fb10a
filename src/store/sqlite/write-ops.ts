import type { Database, Statement } from 'better-sqlite3';
import { Decimal } from '../../domain/decimal.js';
import { LedgerError } from '../../domain/errors.js';
import type { Anomaly } from '../../domain/trading.js';
import { entryHash, type JournalHead } from '../journal-chain.js';
import { anomalyToRow, FILL_COLUMNS, jsonObjectSql, ORDER_COLUMNS, POSITION_COLUMNS, upsertSql, type Row } from './ledger-rows.js';

/**
 * Every write the SQLite store makes, as plain data: the same op runs on the event loop's own
 * connection or on the writer thread's (structured-clonable, no closures, no clock: times and
 * entry ids are fixed by the caller before the op is enqueued).
 */
export type WriteOp = LedgerApplyOp | LedgerRollbackOp | JournalAppendOp | FlowBeginOp | FlowFinishOp | BaselineRecordOp;

export interface LedgerRows {
  readonly positions: readonly Row[];
  readonly orders: readonly Row[];
  readonly fills: readonly Row[];
  readonly anomalies: readonly Row[];
}

export interface LedgerApplyOp {
  readonly op: 'ledger.apply';
  readonly directiveId: string | null;
  /** The directive to record before-images under, or null for none. */
  readonly undoKey: string | null;
  readonly rows: LedgerRows;
  /** Anomalies the change carries: the store does not detect them a second time. */
  readonly given: readonly Pick<Anomaly, 'kind' | 'client_order_id'>[];
  /** `detected_at` of an anomaly the store detects. */
  readonly detectedAt: string;
}

export interface LedgerRollbackOp {
  readonly op: 'ledger.rollback';
  readonly directiveId: string;
}

/** A journal entry with its id fixed and its body serialised: what is hashed and stored, but its place in the chain. */
export type { EntryRow } from '../journal-input.js';
import type { ChainLink, EntryRow } from '../journal-input.js';

export interface JournalAppendOp {
  readonly op: 'journal.append';
  readonly entries: readonly EntryRow[];
}

export interface FlowBeginOp {
  readonly op: 'flow.begin';
  readonly flow: { readonly flow_id: string; readonly directive_id: string | null; readonly strategy_id: string | null; readonly started_at: string };
  readonly accepted: EntryRow;
}

export interface FlowFinishOp {
  readonly op: 'flow.finish';
  readonly row: Readonly<Record<string, string | number | null>>;
}

export interface BaselineRecordOp {
  readonly op: 'baseline.record';
  readonly venue: string;
  /** [asset, total] sorted by asset. */
  readonly totals: readonly (readonly [string, string])[];
  readonly recordedAt: string;
}

/** Where an appended entry landed in the chain. */
export type { ChainLink } from '../journal-input.js';

export interface LedgerApplyOutcome {
  readonly duplicate_fills: readonly string[];
  readonly detected_anomalies: readonly Anomaly[];
}

/** What each op resolves with. */
export interface WriteOpResults {
  'ledger.apply': LedgerApplyOutcome;
  'ledger.rollback': number;
  'journal.append': ChainLink[];
  'flow.begin': ChainLink[];
  'flow.finish': undefined;
  'baseline.record': boolean;
}

interface UndoRow {
  readonly kind: 'position' | 'order' | 'fill';
  readonly row_key: string;
  readonly before_image: string | null;
}

/**
 * Runs write ops against one connection. Synchronous and not transactional by itself: a commit
 * queue runs each op as one of its units. The journal head (journal_head, which `verify` compares
 * the chain's tail with) is moved once per batch by `beforeCommit`, to the batch's last entry.
 */
export class WriteOpRunner {
  readonly #s: ReturnType<typeof prepareStatements>;
  #headBehind = false;

  constructor(db: Database) {
    this.#s = prepareStatements(db);
  }

  run(op: WriteOp): unknown {
    switch (op.op) {
      case 'ledger.apply':
        return this.#applyRows(op);
      case 'ledger.rollback':
        return this.#rollbackRows(op.directiveId);
      case 'journal.append':
        return this.#append(op.entries);
      case 'flow.begin':
        this.#s.insertRunning.run(op.flow);
        return this.#append([op.accepted]);
      case 'flow.finish':
        this.#s.finishFlow.run(op.row);
        return undefined;
      case 'baseline.record':
        return this.#recordBaseline(op);
      default:
        throw new LedgerError(`unknown write op ${String((op as { op: unknown }).op)}`);
    }
  }

  /** Once per transaction, right before COMMIT: head = tail in every committed state. */
  beforeCommit(): void {
    if (!this.#headBehind) return;
    this.#s.writeHead.run();
    this.#headBehind = false;
  }

  #append(entries: readonly EntryRow[]): ChainLink[] {
    // read from the table, not memory: right when a batch is rolled back and replayed
    let { seq, hash } = this.#s.readTip.get() ?? this.#s.readHead.get()!;
    const links: ChainLink[] = [];
    for (const entry of entries) {
      seq += 1;
      const prevHash = hash;
      hash = entryHash(prevHash, { seq, ...entry });
      this.#s.insertEntry.run(
        seq, entry.entry_id, entry.event_type, entry.flow_id, entry.directive_id, entry.strategy_id,
        entry.timestamp, entry.correlation_id, entry.causation_id, entry.body, prevHash, hash,
      );
      links.push({ seq, prev_hash: prevHash, hash });
    }
    if (links.length > 0) this.#headBehind = true;
    return links;
  }

  #applyRows(op: LedgerApplyOp): LedgerApplyOutcome {
    const s = this.#s;
    const { undoKey, rows } = op;
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
    const detected = this.#detectFillAnomalies(filledOrders, op);
    for (const anomaly of detected) s.insertAnomaly.run(anomalyToRow(anomaly, op.directiveId));
    return { duplicate_fills: duplicates, detected_anomalies: detected };
  }

  #detectFillAnomalies(clientOrderIds: ReadonlySet<string>, op: LedgerApplyOp): Anomaly[] {
    const detected: Anomaly[] = [];
    const already = (kind: Anomaly['kind'], id: string): boolean => op.given.some((a) => a.kind === kind && a.client_order_id === id);
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
          detected_at: op.detectedAt,
        });
      } else if (filled.gt(order.quantity)) {
        if (already('OVERFILL', id)) continue;
        detected.push({
          kind: 'OVERFILL',
          trade_id: order.trade_id,
          client_order_id: id,
          message: `order ${id} filled ${filled.toFixed()} of ${order.quantity}`,
          details: { order_quantity: order.quantity, filled_quantity: filled.toFixed(), venue_trade_ids: fills.map((f) => f.venue_trade_id) },
          detected_at: op.detectedAt,
        });
      }
    }
    return detected;
  }

  /**
   * Replays the directive's before-images, newest first: positions and orders it changed go back
   * to what they were before its first change (or are deleted if it created them), fills it
   * inserted are deleted. The undo log is then forgotten, so a second rollback returns 0.
   */
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

  /** The first record of a venue wins (in one transaction, so two starts cannot both record). */
  #recordBaseline(op: BaselineRecordOp): boolean {
    if ((this.#s.countBaseline.get(op.venue)?.n ?? 0) > 0) return false;
    for (const [asset, total] of op.totals) this.#s.insertBaseline.run(op.venue, asset, total, op.recordedAt);
    return true;
  }
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
    orderQuantity: db.prepare('SELECT quantity, trade_id FROM orders WHERE client_order_id = ?'),
    fillQuantities: db.prepare('SELECT quantity, venue_trade_id, trade_id FROM fills WHERE client_order_id = ? ORDER BY rowid'),
    insertEntry: db.prepare(
      `INSERT INTO journal (seq, entry_id, event_type, flow_id, directive_id, strategy_id, timestamp, correlation_id, causation_id, body, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    readHead: db.prepare<[], JournalHead>('SELECT seq, hash FROM journal_head WHERE id = 1'),
    readTip: db.prepare<[], JournalHead>('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1'),
    // EXISTS: the flag may outlive a rolled-back batch; with the journal still empty the head stays at genesis
    writeHead: db.prepare(
      'UPDATE journal_head SET (seq, hash) = (SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1) WHERE id = 1 AND EXISTS (SELECT 1 FROM journal)',
    ),
    insertRunning: db.prepare(
      `INSERT INTO flows (flow_id, directive_id, strategy_id, status, started_at)
       VALUES (@flow_id, @directive_id, @strategy_id, 'RUNNING', @started_at)`,
    ),
    // A flow finished without begin (should not happen) is still recorded; a finished flow keeps its first outcome.
    finishFlow: db.prepare(
      `INSERT INTO flows (flow_id, directive_id, strategy_id, status, final_state, reason, error_details, started_at, completed_at, duration_ms)
       VALUES (@flow_id, @directive_id, @strategy_id, @status, @final_state, @reason, @error_details, @started_at, @completed_at, @duration_ms)
       ON CONFLICT (flow_id) DO UPDATE SET status = excluded.status, final_state = excluded.final_state, reason = excluded.reason,
         error_details = excluded.error_details, completed_at = excluded.completed_at, duration_ms = excluded.duration_ms
       WHERE flows.status = 'RUNNING'`,
    ),
    countBaseline: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM venue_baseline WHERE venue = ?'),
    insertBaseline: db.prepare('INSERT INTO venue_baseline (venue, asset, total, recorded_at) VALUES (?, ?, ?, ?)'),
  };
}
