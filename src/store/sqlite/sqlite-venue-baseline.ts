import type { Database, Statement } from 'better-sqlite3';
import { Decimal, decimalToWire } from '../../domain/decimal.js';
import type { IVenueBaseline, VenueBaselineEntry } from '../../ports/store.js';
import type { StoreWriter } from './store-writer.js';

interface BaselineRow {
  readonly venue: string;
  readonly asset: string;
  readonly total: string;
  readonly recorded_at: string;
}

/**
 * The venue balances `planexec verify` starts from. Recorded once per venue: the first record
 * wins, later ones are ignored (in one transaction, so two starts cannot both record).
 */
export class SqliteVenueBaseline implements IVenueBaseline {
  readonly #writer: StoreWriter | null;
  readonly #list: Statement<[string], BaselineRow>;

  /** Without a writer it only reads (the read-only store). */
  constructor(db: Database, writer: StoreWriter | null) {
    this.#writer = writer;
    this.#list = db.prepare<[string], BaselineRow>('SELECT venue, asset, total, recorded_at FROM venue_baseline WHERE venue = ? ORDER BY asset');
  }

  list(venue: string): VenueBaselineEntry[] {
    return this.#list.all(venue).map((r) => ({ venue: r.venue, asset: r.asset, total: new Decimal(r.total), recorded_at: r.recorded_at }));
  }

  /** Record `totals` as the venue's baseline unless it has one; resolves true when this call recorded it. */
  recordOnce(venue: string, totals: ReadonlyMap<string, Decimal>, recordedAt: string): Promise<boolean> {
    const writer = this.#writer;
    if (writer === null) return Promise.reject(new Error('the venue baseline was opened read-only'));
    const sorted = [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([asset, total]) => [asset, decimalToWire(total)] as const);
    return writer.run({ op: 'baseline.record', venue, totals: sorted, recordedAt });
  }
}
