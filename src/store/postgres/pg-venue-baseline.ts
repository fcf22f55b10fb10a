import type { Pool } from 'pg';
import { Decimal, decimalToWire } from '../../domain/decimal.js';
import type { IVenueBaseline, VenueBaselineEntry } from '../../ports/store.js';

interface BaselineRow {
  readonly venue: string;
  readonly asset: string;
  readonly total: string;
  readonly recorded_at: string;
}

/**
 * The venue balances `planexec verify` starts from, in PostgreSQL. The port reads synchronously,
 * so the rows are loaded when the store opens (`load`) and kept as this worker records them; the
 * first record of a venue wins across every worker (a gate row inserted once).
 */
export class PgVenueBaseline implements IVenueBaseline {
  readonly #pool: Pool;
  readonly #byVenue = new Map<string, VenueBaselineEntry[]>();

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async load(): Promise<void> {
    const { rows } = await this.#pool.query<BaselineRow>('SELECT venue, asset, total, recorded_at FROM venue_baseline ORDER BY venue, asset');
    this.#byVenue.clear();
    for (const row of rows) {
      const list = this.#byVenue.get(row.venue) ?? [];
      list.push({ venue: row.venue, asset: row.asset, total: new Decimal(row.total), recorded_at: row.recorded_at });
      this.#byVenue.set(row.venue, list);
    }
  }

  list(venue: string): VenueBaselineEntry[] {
    return [...(this.#byVenue.get(venue) ?? [])];
  }

  async recordOnce(venue: string, totals: ReadonlyMap<string, Decimal>, recordedAt: string): Promise<boolean> {
    const sorted = [...totals].sort(([a], [b]) => a.localeCompare(b));
    const client = await this.#pool.connect();
    let recorded = false;
    try {
      await client.query('BEGIN');
      const gate = await client.query('INSERT INTO venue_baseline_recorded (venue) VALUES ($1) ON CONFLICT DO NOTHING', [venue]);
      recorded = gate.rowCount === 1;
      if (recorded) {
        for (const [asset, total] of sorted) {
          await client.query('INSERT INTO venue_baseline (venue, asset, total, recorded_at) VALUES ($1, $2, $3, $4)', [venue, asset, decimalToWire(total), recordedAt]);
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await this.load();
    return recorded;
  }
}
