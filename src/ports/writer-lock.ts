import type { WriterIdentity } from '../domain/errors.js';

/**
 * The right to write one database, held by one process at a time (docs/reliability.md): only the
 * holder runs recovery and flows, so no process ever takes another's in-flight flows for crashed
 * ones. A holder that dies loses it without doing anything.
 */
export interface WriterLease {
  /** The database it is for. */
  readonly database: string;
  readonly holder: WriterIdentity;
  /** Give it up. Idempotent. */
  release(): void;
}

export interface WriterLeaseRequest {
  /** Wait for the holder to finish instead of throwing DatabaseInUseError. @default false */
  readonly wait?: boolean;
  /** Called once, when `wait` is set and another process holds the lease. */
  readonly onWaiting?: (holder: WriterIdentity | null) => void;
}

export interface IWriterLock {
  /** Take the lease; throws DatabaseInUseError (naming the holder) at once when another process has it, unless `wait`. */
  acquire(request?: WriterLeaseRequest): Promise<WriterLease>;
}
