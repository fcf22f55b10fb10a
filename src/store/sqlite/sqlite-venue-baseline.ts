import type { Database, Statement } from 'better-sqlite3';
import { Decimal, decimalToWire } from '../../domain/decimal.js';
import type { CommitQueue } from './commit-queue.js';

/** One asset of a venue account as planexec first found it (table venue_baseline). */
export interface VenueBaselineEntry {
  readonly venue: string;
  readonly asset: string;
  /** free + locked */
  readonly total: Decimal;
  readonly recorded_at: string;
}

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
export class SqliteVenueBaseline {
  readonly #queue: CommitQueue | null;
  readonly #list: Statement<[string], BaselineRow>;
  readonly #count: Statement<[string], { n: number }>;
  readonly #insert: Statement<[string, string, string, string]> | null;

  /** Without a queue it only reads (the read-only store). */
  constructor(db: Database, queue: CommitQueue | null) {
    this.#queue = queue;
    this.#list = db.prepare<[string], BaselineRow>('SELECT venue, asset, total, recorded_at FROM venue_baseline WHERE venue = ? ORDER BY asset');
    this.#count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM venue_baseline WHERE venue = ?');
    this.#insert = queue === null ? null : db.prepare('INSERT INTO venue_baseline (venue, asset, total, recorded_at) VALUES (?, ?, ?, ?)');
  }

  list(venue: string): VenueBaselineEntry[] {
    return this.#list.all(venue).map((r) => ({ venue: r.venue, asset: r.asset, total: new Decimal(r.total), recorded_at: r.recorded_at }));
  }

  /** Record `totals` as the venue's baseline unless it has one; resolves true when this call recorded it. */
  recordOnce(venue: string, totals: ReadonlyMap<string, Decimal>, recordedAt: string): Promise<boolean> {
    const queue = this.#queue;
    const insert = this.#insert;
    if (queue === null || insert === null) return Promise.reject(new Error('the venue baseline was opened read-only'));
    return queue.run(() => {
      if ((this.#count.get(venue)?.n ?? 0) > 0) return false;
      for (const [asset, total] of [...totals].sort(([a], [b]) => a.localeCompare(b))) insert.run(venue, asset, decimalToWire(total), recordedAt);
      return true;
    });
  }
}
