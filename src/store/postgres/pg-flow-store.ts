import type { Pool, PoolClient } from 'pg';
import type { FlowCompletionDTO } from '../../domain/dto.js';
import { errorMessage, JournalError } from '../../domain/errors.js';
import type { BeginFlowResult, FlowListFilter, FlowRecord, IFlowStore } from '../../ports/flow-store.js';
import type { JournalEntryInput } from '../../ports/journal.js';
import { appendIn, type PgJournal } from './pg-journal.js';
import { PgWriter } from './pg-writer.js';

/** The flows table with its leases; idempotent, run at open. */
export const FLOWS_SCHEMA = `
CREATE TABLE IF NOT EXISTS flows (
  flow_id TEXT PRIMARY KEY,
  directive_id TEXT UNIQUE,
  strategy_id TEXT,
  status TEXT NOT NULL,
  final_state TEXT,
  reason TEXT,
  error_details TEXT,
  started_at TEXT NOT NULL,
  completed_at TEXT,
  duration_ms BIGINT,
  owner TEXT,
  lease_expires_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS flows_running ON flows (status, lease_expires_at);
CREATE INDEX IF NOT EXISTS flows_started ON flows (started_at DESC, flow_id DESC);
`;

interface FlowRow {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly status: FlowRecord['status'];
  readonly final_state: FlowRecord['final_state'];
  readonly reason: string | null;
  readonly error_details: string | null;
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly duration_ms: string | null;
}

export interface PgFlowStoreOptions {
  /** This worker's id: the owner of the flows it begins or takes over. */
  readonly workerId: string;
  /** How long a lease lasts unless renewed. */
  readonly leaseMs: number;
}

/**
 * The flows table in PostgreSQL (distributed mode, DESIGN §6). A directive id begins once, ever:
 * the unique keys decide it inside the transaction that also journals DIRECTIVE_ACCEPTED, so
 * `durable` is settled when `begin` returns. Every flow a worker runs is leased to it (owner and
 * expiry on the row): the worker renews its leases while it lives, and another worker takes over
 * only flows whose lease has expired (`claimExpired`, one atomic UPDATE), never a live worker's.
 */
export class PgFlowStore implements IFlowStore {
  readonly #pool: Pool;
  readonly #journal: PgJournal;
  readonly #options: PgFlowStoreOptions;
  readonly #writer: PgWriter;

  constructor(pool: Pool, journal: PgJournal, options: PgFlowStoreOptions, writer: PgWriter = new PgWriter(pool)) {
    this.#pool = pool;
    this.#journal = journal;
    this.#options = options;
    this.#writer = writer;
  }

  static async migrate(pool: Pool): Promise<void> {
    await pool.query(FLOWS_SCHEMA);
  }

  async begin(flow: { readonly flow_id: string; readonly directive_id: string | null; readonly strategy_id: string | null; readonly started_at: string }, accepted: JournalEntryInput): Promise<BeginFlowResult> {
    const [entry] = this.#journal.prepare([accepted]);
    return this.#transaction('begin', async (client) => {
      const inserted = await client.query(
        `INSERT INTO flows (flow_id, directive_id, strategy_id, status, started_at, owner, lease_expires_at)
         VALUES ($1, $2, $3, 'RUNNING', $4, $5, now() + make_interval(secs => $6::double precision / 1000))
         ON CONFLICT DO NOTHING`,
        [flow.flow_id, flow.directive_id, flow.strategy_id, flow.started_at, this.#options.workerId, this.#options.leaseMs],
      );
      if (inserted.rowCount === 0) {
        const seen = await client.query<FlowRow>('SELECT * FROM flows WHERE flow_id = $1 OR ($2::text IS NOT NULL AND directive_id = $2) LIMIT 1', [flow.flow_id, flow.directive_id]);
        return { status: 'duplicate', flow: recordOf(seen.rows[0]!) };
      }
      await appendIn(client, [entry!]);
      return { status: 'started', entry_id: entry!.row.entry_id, durable: Promise.resolve() };
    });
  }

  /** The first outcome stays; a finish of a flow that never began is recorded, not lost. The lease is released. */
  async finish(c: FlowCompletionDTO): Promise<void> {
    const details = c.error_details === null ? null : JSON.stringify(c.error_details);
    await this.#transaction('finish', async (client) => {
      const updated = await client.query(
        `UPDATE flows SET status = $2, final_state = $3, reason = $4, error_details = $5, completed_at = $6, duration_ms = $7, owner = NULL, lease_expires_at = NULL
         WHERE flow_id = $1 AND status = 'RUNNING'`,
        [c.flow_id, c.outcome, c.final_state, c.reason, details, c.completion_time, c.duration_ms],
      );
      if (updated.rowCount === 0) {
        await client.query(
          `INSERT INTO flows (flow_id, directive_id, strategy_id, status, final_state, reason, error_details, started_at, completed_at, duration_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
          [c.flow_id, c.directive_id, c.strategy_id, c.outcome, c.final_state, c.reason, details, c.started_at, c.completion_time, c.duration_ms],
        );
      }
    });
  }

  async get(flowId: string): Promise<FlowRecord | undefined> {
    const { rows } = await this.#query<FlowRow>('get', 'SELECT * FROM flows WHERE flow_id = $1', [flowId]);
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  async listUnfinished(): Promise<FlowRecord[]> {
    const { rows } = await this.#query<FlowRow>('list unfinished', `SELECT * FROM flows WHERE status = 'RUNNING' ORDER BY started_at, flow_id`, []);
    return rows.map(recordOf);
  }

  async counts(): Promise<Readonly<Record<FlowRecord['status'], number>>> {
    const { rows } = await this.#query<{ status: FlowRecord['status']; n: string }>('counts', 'SELECT status, COUNT(*) AS n FROM flows GROUP BY status', []);
    const counts: Record<FlowRecord['status'], number> = { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, IN_DOUBT: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async list(filter: FlowListFilter): Promise<FlowRecord[]> {
    const { rows } = await this.#query<FlowRow>(
      'list',
      `SELECT * FROM flows
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR strategy_id = $2) AND ($3::text IS NULL OR started_at >= $3)
         AND ($4::text IS NULL OR (started_at, flow_id) < ($4, $5))
       ORDER BY started_at DESC, flow_id DESC LIMIT $6`,
      [filter.status ?? null, filter.strategy_id ?? null, filter.since ?? null, filter.before?.started_at ?? null, filter.before?.flow_id ?? null, filter.limit],
    );
    return rows.map(recordOf);
  }

  /** Extend the leases of every flow this worker runs; the number renewed. A worker that stops renewing loses them when they expire. */
  async renewLeases(): Promise<number> {
    const { rowCount } = await this.#query(
      'renew leases',
      `UPDATE flows SET lease_expires_at = now() + make_interval(secs => $2::double precision / 1000) WHERE owner = $1 AND status = 'RUNNING'`,
      [this.#options.workerId, this.#options.leaseMs],
    );
    return rowCount ?? 0;
  }

  takeInterrupted(): Promise<FlowRecord[]> {
    return this.claimExpired();
  }

  /**
   * Take over the unfinished flows whose owner's lease has expired (a dead worker's), oldest
   * first, in one UPDATE: two workers claiming at once never get the same flow. A live worker's
   * flows are never taken.
   */
  async claimExpired(): Promise<FlowRecord[]> {
    const { rows } = await this.#query<FlowRow>(
      'claim expired',
      `UPDATE flows SET owner = $1, lease_expires_at = now() + make_interval(secs => $2::double precision / 1000)
       WHERE flow_id IN (SELECT flow_id FROM flows WHERE status = 'RUNNING' AND (lease_expires_at IS NULL OR lease_expires_at < now()) FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [this.#options.workerId, this.#options.leaseMs],
    );
    return rows.map(recordOf).sort((a, b) => a.started_at.localeCompare(b.started_at) || a.flow_id.localeCompare(b.flow_id));
  }

  async #query<R extends object>(operation: string, sql: string, params: unknown[]): Promise<{ rows: R[]; rowCount: number | null }> {
    try {
      return await this.#pool.query<R>(sql, params);
    } catch (error) {
      throw storageError(error, operation);
    }
  }

  async #transaction<T>(operation: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    try {
      return await this.#writer.run(work);
    } catch (error) {
      throw storageError(error, operation);
    }
  }
}

function recordOf(row: FlowRow): FlowRecord {
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
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
  };
}

/** As the SQLite store: the flows table fails as the journal does (the flow's first write). */
function storageError(error: unknown, operation: string): JournalError {
  if (error instanceof JournalError) return error;
  return new JournalError(`flows ${operation} failed in PostgreSQL: ${errorMessage(error)}`, { operation }, error);
}
