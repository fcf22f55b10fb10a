import { hostname } from 'node:os';
import type { Pool } from 'pg';
import { errorMessage, StorageError } from '../../domain/errors.js';
import type { IWorkerRegistry, PartitionClaim, WorkerRecord } from '../../ports/store.js';
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


  async claimPartitions(total: number): Promise<PartitionClaim> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO partition_leases (partition) SELECT generate_series(0, $1::int - 1) ON CONFLICT DO NOTHING', [total]);
      const renewed = await client.query<{ partition: number }>(
        `UPDATE partition_leases SET lease_expires_at = now() + make_interval(secs => $2::double precision / 1000)
         WHERE owner = $1 AND partition < $3 RETURNING partition`,
        [this.workerId, this.leaseMs, total],
      );
      const alive = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM workers WHERE stopped_at IS NULL AND lease_expires_at > now()');
      const share = Math.ceil(total / Math.max(1, Number(alive.rows[0]!.n)));
      const held = renewed.rows.map((r) => r.partition);
      const want = Math.max(0, share - held.length);
      const gained =
        want === 0
          ? []
          : (
              await client.query<{ partition: number }>(
                `UPDATE partition_leases SET owner = $1, lease_expires_at = now() + make_interval(secs => $2::double precision / 1000)
                 WHERE partition IN (SELECT partition FROM partition_leases
                   WHERE partition < $4 AND (owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now())
                   ORDER BY partition LIMIT $3 FOR UPDATE SKIP LOCKED)
                 RETURNING partition`,
                [this.workerId, this.leaseMs, want, total],
              )
            ).rows.map((r) => r.partition);
      await client.query('COMMIT');
      const owned = [...held, ...gained].sort((a, b) => a - b);
      return { owned, gained: gained.sort((a, b) => a - b), surplus: owned.slice(share) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new StorageError(`partition claim failed in PostgreSQL: ${errorMessage(error)}`, 'STORAGE_FAILED', { operation: 'claim partitions' }, error);
    } finally {
      client.release();
    }
  }

  async releasePartition(partition: number): Promise<void> {
    await this.#pool.query('UPDATE partition_leases SET owner = NULL, lease_expires_at = NULL WHERE partition = $1 AND owner = $2', [partition, this.workerId]);
  }

  async strategyBusyElsewhere(strategyId: string): Promise<boolean> {
    const { rows } = await this.#pool.query<{ busy: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM flows WHERE strategy_id = $1 AND status = 'RUNNING' AND owner IS DISTINCT FROM $2) AS busy",
      [strategyId, this.workerId],
    );
    return rows[0]!.busy;
  }

  async leave(): Promise<void> {
    await this.#pool.query('UPDATE partition_leases SET owner = NULL, lease_expires_at = NULL WHERE owner = $1', [this.workerId]);
    await this.#pool.query('UPDATE workers SET stopped_at = now(), lease_expires_at = now() WHERE worker_id = $1', [this.workerId]);
  }
}
