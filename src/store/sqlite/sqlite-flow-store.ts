import type { Database, Statement } from 'better-sqlite3';
import type { FlowCompletionDTO } from '../../domain/dto.js';
import { FlowOutcome } from '../../domain/enums.js';
import { JournalError } from '../../domain/errors.js';
import type { BeginFlowResult, FlowListFilter, FlowRecord, IFlowStore } from '../../ports/flow-store.js';
import type { JournalEntryInput } from '../../ports/journal.js';
import type { Clock } from '../../domain/clock.js';
import { prepareInput } from './journal-entries.js';
import { toJournalError } from './storage-errors.js';
import { nextJournalEntryId } from '../../domain/journal-entry-ids.js';
import type { StoreWriter } from './store-writer.js';

type FlowStatus = FlowRecord['status'];

interface FlowRow {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly status: FlowStatus;
  readonly final_state: FlowRecord['final_state'];
  readonly reason: string | null;
  readonly error_details: string | null;
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly duration_ms: number | null;
}

const OUTCOMES: ReadonlySet<string> = new Set(Object.values(FlowOutcome));

const NOT_FINISHED = { status: 'RUNNING', final_state: null, reason: null, error_details: null, completed_at: null, duration_ms: null } as const;

/**
 * The flows table. `begin` is the idempotent intake: the RUNNING row and the DIRECTIVE_ACCEPTED
 * journal entry are written in one unit, so a flow id begins once ever (a begin of an id already
 * in the table, or enqueued and not yet committed, is a duplicate). `finish` records the
 * first outcome and ignores later ones. Errors are JournalErrors: the flows table is part of the
 * record of what happened.
 */
export class SqliteFlowStore implements IFlowStore {
  /** Null for a read-only flow store. */
  readonly #writer: StoreWriter | null;
  readonly #clock: Clock;
  readonly #get: Statement<[string], FlowRow>;
  readonly #unfinished: Statement<[], FlowRow>;
  readonly #counts: Statement<[], { status: FlowStatus; n: number }>;
  readonly #db: Database;
  /** list() statements by the filters they use (at most 16 shapes). */
  readonly #listStatements = new Map<string, Statement<Record<string, unknown>[], FlowRow>>();
  /** Flows whose begin is enqueued but not yet committed: a second begin of one of them is a duplicate too. */
  readonly #beginning = new Map<string, FlowRecord>();
  #closed = false;

  constructor(db: Database, writer: StoreWriter | null, clock: Clock) {
    this.#writer = writer;
    this.#clock = clock;
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM flows WHERE flow_id = ?');
    this.#unfinished = db.prepare("SELECT * FROM flows WHERE status = 'RUNNING' ORDER BY started_at, rowid");
    this.#counts = db.prepare('SELECT status, COUNT(*) AS n FROM flows GROUP BY status');
  }

  begin(
    flow: { readonly flow_id: string; readonly directive_id: string | null; readonly strategy_id: string | null; readonly started_at: string },
    accepted: JournalEntryInput,
  ): Promise<BeginFlowResult> {
    const writer = this.#writer;
    if (this.#closed || writer === null) return Promise.reject(closedError());
    let prepared;
    let existing: FlowRecord | undefined;
    try {
      if (typeof flow.flow_id !== 'string' || flow.flow_id === '') throw new JournalError('flow_id must be a non-empty string');
      prepared = prepareInput(accepted.entry_id === undefined ? { ...accepted, entry_id: nextJournalEntryId(Date.parse(accepted.timestamp) || 0) } : accepted, this.#clock);
      existing = this.#beginning.get(flow.flow_id) ?? this.#rowOf(flow.flow_id);
    } catch (error) {
      return Promise.reject(toJournalError(error, 'begin'));
    }
    // one writer per database (the writer lock): the table plus the begins not yet committed decide
    if (existing !== undefined) return Promise.resolve({ status: 'duplicate', flow: existing });
    const running: FlowRecord = { ...NOT_FINISHED, flow_id: flow.flow_id, directive_id: flow.directive_id ?? null, strategy_id: flow.strategy_id ?? null, started_at: flow.started_at };
    this.#beginning.set(flow.flow_id, running);
    const committed = writer.run(
      {
        op: 'flow.begin',
        flow: { flow_id: running.flow_id, directive_id: running.directive_id, strategy_id: running.strategy_id, started_at: running.started_at },
        accepted: prepared.row,
      },
      (error) => toJournalError(error, 'begin'),
    );
    // forgotten as the commit is answered, before any caller waiting on a later write of the batch goes on
    const forget = (): void => {
      this.#beginning.delete(flow.flow_id);
    };
    committed.then(forget, forget);
    const durable = committed.then(() => undefined);
    return Promise.resolve({ status: 'started', entry_id: prepared.row.entry_id, durable });
  }

  #rowOf(flowId: string): FlowRecord | undefined {
    const row = this.#get.get(flowId);
    return row === undefined ? undefined : rowToFlow(row);
  }

  finish(completion: FlowCompletionDTO): Promise<void> {
    const writer = this.#writer;
    if (this.#closed || writer === null) return Promise.reject(closedError());
    if (!OUTCOMES.has(completion.outcome)) {
      return Promise.reject(new JournalError(`unknown flow outcome "${String(completion.outcome)}"`, { flow_id: completion.flow_id }));
    }
    const params = {
      flow_id: completion.flow_id,
      directive_id: completion.directive_id ?? null,
      strategy_id: completion.strategy_id ?? null,
      status: completion.outcome,
      final_state: completion.final_state,
      reason: completion.reason,
      error_details: completion.error_details === null || completion.error_details === undefined ? null : JSON.stringify(completion.error_details),
      started_at: completion.started_at,
      completed_at: completion.completion_time,
      duration_ms: Math.round(completion.duration_ms),
    };
    return writer.run({ op: 'flow.finish', row: params }, (error) => toJournalError(error, 'finish'));
  }

  async get(flowId: string): Promise<FlowRecord | undefined> {
    // a flow whose begin waits for its commit is RUNNING already: its owner goes on meanwhile
    return this.#read('get', () => this.#rowOf(flowId) ?? this.#beginning.get(flowId));
  }

  async listUnfinished(): Promise<FlowRecord[]> {
    return this.#read('listUnfinished', () => this.#unfinished.all().map(rowToFlow));
  }

  async counts(): Promise<Readonly<Record<FlowStatus, number>>> {
    return this.#read('counts', () => {
      const counts: Record<FlowStatus, number> = { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, IN_DOUBT: 0 };
      for (const { status, n } of this.#counts.all()) counts[status] = n;
      return counts;
    });
  }

  async list(filter: FlowListFilter): Promise<FlowRecord[]> {
    return this.#read('list', () => {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: filter.limit };
      if (filter.status !== undefined) {
        where.push('status = @status');
        params.status = filter.status;
      }
      if (filter.strategy_id !== undefined) {
        where.push('strategy_id = @strategy_id');
        params.strategy_id = filter.strategy_id;
      }
      if (filter.since !== undefined) {
        where.push('started_at >= @since');
        params.since = filter.since;
      }
      if (filter.before !== undefined) {
        where.push('(started_at, flow_id) < (@before_started_at, @before_flow_id)');
        params.before_started_at = filter.before.started_at;
        params.before_flow_id = filter.before.flow_id;
      }
      const sql = `SELECT * FROM flows${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, flow_id DESC LIMIT @limit`;
      let statement = this.#listStatements.get(sql);
      if (statement === undefined) {
        statement = this.#db.prepare<Record<string, unknown>[], FlowRow>(sql);
        this.#listStatements.set(sql, statement);
      }
      return statement.all(params).map(rowToFlow);
    });
  }

  /** Waits for pending writes and refuses new ones; the database is closed by SqliteStore.close(). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writer?.flush();
  }

  #read<T>(operation: string, read: () => T): T {
    if (this.#closed) throw closedError();
    try {
      return read();
    } catch (error) {
      throw toJournalError(error, operation);
    }
  }
}

function closedError(): JournalError {
  return new JournalError('flow store is closed', { operation: 'closed' });
}

function rowToFlow(row: FlowRow): FlowRecord {
  return {
    flow_id: row.flow_id,
    directive_id: row.directive_id,
    strategy_id: row.strategy_id,
    status: row.status,
    final_state: row.final_state,
    reason: row.reason,
    error_details: row.error_details === null ? null : (JSON.parse(row.error_details) as FlowRecord['error_details']),
    started_at: row.started_at,
    completed_at: row.completed_at,
    duration_ms: row.duration_ms,
  };
}
