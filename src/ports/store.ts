import type { Decimal } from '../domain/decimal.js';
import type { IFlowReader, IFlowStore } from './flow-store.js';
import type { IJournalReader, IJournalWriter } from './journal.js';
import type { ILedgerProvider, ILedgerReader } from './ledger.js';
import type { IReadModels } from './read-models.js';

/**
 * The store as a whole: ledger, journal and flows on one database (their writes share commits),
 * with what the platform needs of the database itself. The platform, the server and the CLI see
 * only these ports; which engine sits behind them is decided by the factories in src/app
 * (`openStore`, `openStoreForReading`).
 */

/** One asset of a venue account as planexec first found it. */
export interface VenueBaselineEntry {
  readonly venue: string;
  readonly asset: string;
  /** free + locked */
  readonly total: Decimal;
  readonly recorded_at: string;
}

/** The venue baseline's reads (verify's starting point). */
export interface IVenueBaselineReader {
  /** The venue's recorded balances, by asset; empty when none was recorded. */
  list(venue: string): VenueBaselineEntry[];
}

/**
 * The venue balances `planexec verify` starts from. Recorded once per venue: the first record
 * wins and later ones are ignored, so two starts cannot both record.
 */
export interface IVenueBaseline extends IVenueBaselineReader {
  /** Record `totals` (by asset) as the venue's baseline unless it has one; resolves true when this call recorded it. */
  recordOnce(venue: string, totals: ReadonlyMap<string, Decimal>, recordedAt: string): Promise<boolean>;
}

/** What the store has committed so far (the bench's and the hot path tests' measure of durable work). */
export interface StoreCommitStats {
  /** Durable commits (transactions). */
  readonly batches: number;
  /** Commits replayed op by op because one op failed. */
  readonly replays: number;
  /** Rows changed, as the engine counts them (triggers included). */
  readonly rows: number;
}

/** One worker of a shared store, as the others see it. */
export interface WorkerRecord {
  readonly worker_id: string;
  readonly host: string;
  readonly pid: number;
  readonly started_at: string;
  readonly heartbeat_at: string;
  /** Unfinished flows it holds a lease on. */
  readonly leases: number;
  /** Its heartbeat is within its lease; false once it stopped (or died). */
  readonly alive: boolean;
  readonly stopped_at: string | null;
}

/**
 * The workers sharing a store (distributed mode, docs/deployment.md): each records itself alive
 * and renews the leases on the flows it runs with every heartbeat; a worker that stops beating
 * loses them when they expire, and another takes its flows over (IFlowStore.takeInterrupted).
 */
export interface IWorkerRegistry {
  readonly workerId: string;
  /** How long a lease lasts without a heartbeat. */
  readonly leaseMs: number;
  /** Record this worker alive and renew its flow leases; resolves how many flows it holds. */
  heartbeat(): Promise<number>;
  /** Every worker that ever joined, live ones first. */
  list(): Promise<WorkerRecord[]>;
  /** Record this worker stopped (its unfinished flows, if any, are taken over once their leases expire). */
  leave(): Promise<void>;
  /**
   * Renew this worker's partition leases and take free or expired ones up to its fair share of
   * `total` (shared by the live workers). `surplus`: partitions it holds beyond its share, to
   * release once it stopped consuming them.
   */
  claimPartitions(total: number): Promise<PartitionClaim>;
  /** Give a partition back (only if this worker holds it). */
  releasePartition(partition: number): Promise<void>;
  /** Whether another worker (live, or dead and not yet taken over) holds an unfinished flow of this strategy. */
  strategyBusyElsewhere(strategyId: string): Promise<boolean>;
}

/** The partitions of the directive stream a worker consumes (distributed mode). */
export interface PartitionClaim {
  /** Every partition it holds now, ascending. */
  readonly owned: readonly number[];
  /** Taken by this claim. */
  readonly gained: readonly number[];
  /** Held beyond its fair share. */
  readonly surplus: readonly number[];
}

/** The store a running platform writes: its database's one writer (docs/reliability.md). */
export interface IPlatformStore {
  readonly ledger: ILedgerProvider;
  readonly journal: IJournalWriter;
  readonly flows: IFlowStore;
  readonly baseline: IVenueBaseline;
  /** Paged reads over the whole history: exports and execution quality. */
  readonly readModels: IReadModels;
  /** Present on a store several workers share (PostgreSQL): this worker and the others. */
  readonly workers?: IWorkerRegistry;
  /**
   * The database's identity: made the first time it is asked for and kept in the database, so it
   * follows the data when the file moves and a new database at the same place is another one. The
   * paper venue records it to know which ledger it serves.
   */
  identity(): string;
  /** 'ok' while the store can be read and written; else why not ('closed', 'read-only', 'error: …'): the readiness probe's answer. */
  health(): string;
  commitStats(): StoreCommitStats;
  /** Drain every pending write, then close. Idempotent. */
  close(): Promise<void>;
}

/**
 * An existing database opened only to read it (verify, the CLI's read commands): beside a running
 * writer, without its writer lease, and nothing is created, migrated or written. Typed by the
 * reader ports, so a write does not even compile.
 */
export interface IReadOnlyStore {
  readonly ledger: ILedgerReader;
  readonly journal: IJournalReader;
  readonly flows: IFlowReader;
  readonly baseline: IVenueBaselineReader;
  readonly readModels: IReadModels;
  /**
   * Run `read` so that every read inside it sees the same committed state, even while another
   * process keeps writing.
   */
  snapshot<T>(read: () => Promise<T>): Promise<T>;
  /** Idempotent. */
  close(): Promise<void>;
}
