import { hostname } from 'node:os';
import type { Pool } from 'pg';
import { errorMessage, StorageError } from '../../domain/errors.js';
import type { IWorkerRegistry, WorkerRecord } from '../../ports/store.js';
import type { PgFlowStore } from './pg-flow-store.js';

interface WorkerRow {
  readonly worker_id: string;
  readonly host: string;
  readonly pid: number;
  readonly started_at: Date;
  readonly heartbeat_at: Date;
  readonly lease_expires_at: Date;
  readonly stopped_at: Date | null;
  readonly leases: string;
  readonly alive: boolean;
}

/** The workers table: one row per worker process, its heartbeat, and (counted from flows) the leases it holds. */
export class PgWorkerRegistry implements IWorkerRegistry {
  readonly #pool: Pool;
  readonly #flows: PgFlowStore;
  readonly workerId: string;
  readonly leaseMs: number;

  constructor(pool: Pool, flows: PgFlowStore, options: { readonly workerId: string; readonly leaseMs: number }) {
    this.#pool = pool;
    this.#flows = flows;
    this.workerId = options.workerId;
    this.leaseMs = options.leaseMs;
  }

  async heartbeat(): Promise<number> {
    try {
      await this.#pool.query(
        `INSERT INTO workers (worker_id, host, pid, started_at, heartbeat_at, lease_expires_at)
         VALUES ($1, $2, $3, now(), now(), now() + make_interval(secs => $4::double precision / 1000))
         ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), lease_expires_at = EXCLUDED.lease_expires_at, stopped_at = NULL`,
        [this.workerId, hostname(), process.pid, this.leaseMs],
      );
      return await this.#flows.renewLeases();
    } catch (error) {
      throw new StorageError(`worker heartbeat failed in PostgreSQL: ${errorMessage(error)}`, 'STORAGE_FAILED', { operation: 'heartbeat' }, error);
    }
  }

  async list(): Promise<WorkerRecord[]> {
    const { rows } = await this.#pool.query<WorkerRow>(
      `SELECT w.*, (w.stopped_at IS NULL AND w.lease_expires_at > now()) AS alive,
         (SELECT COUNT(*) FROM flows f WHERE f.owner = w.worker_id AND f.status = 'RUNNING') AS leases
       FROM workers w ORDER BY alive DESC, w.started_at, w.worker_id`,
    );
    return rows.map((r) => ({
      worker_id: r.worker_id,
      host: r.host,
      pid: r.pid,
      started_at: r.started_at.toISOString(),
      heartbeat_at: r.heartbeat_at.toISOString(),
      leases: Number(r.leases),
      alive: r.alive,
      stopped_at: r.stopped_at === null ? null : r.stopped_at.toISOString(),
    }));
  }

  async leave(): Promise<void> {
    await this.#pool.query('UPDATE workers SET stopped_at = now(), lease_expires_at = now() WHERE worker_id = $1', [this.workerId]);
  }
}
