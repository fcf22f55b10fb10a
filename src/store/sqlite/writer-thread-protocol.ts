import { JournalError, LedgerError, StorageError } from '../../domain/errors.js';
import type { EntryRow, WriteOp } from './write-ops.js';

/** Messages between the event loop and the writer thread (writer-thread.ts, writer-thread-worker.ts). */
export type ToWriter =
  | { readonly type: 'open'; readonly store: number; readonly path: string; readonly busyTimeoutMs: number }
  /**
   * `ops`: the WriteOp[] as JSON text (one string crosses the thread boundary far cheaper than a
   * cloned object graph), with every journal body replaced by its index in `bodies`: a body is
   * already JSON text, and escaping it into a string inside another would cost as much again.
   */
  | { readonly type: 'batch'; readonly store: number; readonly batch: number; readonly ops: string; readonly bodies: readonly string[] }
  | { readonly type: 'pragma'; readonly store: number; readonly batch: number; readonly pragma: string }
  | { readonly type: 'close'; readonly store: number };

export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: WireError };

export type FromWriter =
  | {
      readonly type: 'done';
      readonly store: number;
      readonly batch: number;
      readonly outcomes: readonly Outcome[];
      readonly batches: number;
      readonly replays: number;
      readonly rows: number;
    }
  | { readonly type: 'closed'; readonly store: number };

/** An error as it crosses the thread boundary: what the store's error mapping looks at. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly details?: Record<string, unknown>;
}

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, details } = error as { code?: unknown; details?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(details !== null && typeof details === 'object' ? { details: details as Record<string, unknown> } : {}),
  };
}

/** The error again, as the class the store's callers test for (LedgerError, …) or an Error with SQLite's code. */
export function fromWireError(wire: WireError): Error {
  switch (wire.name) {
    case 'LedgerError':
      return new LedgerError(wire.message, wire.details);
    case 'JournalError':
      return new JournalError(wire.message, wire.details);
    case 'StorageError':
      return new StorageError(wire.message, wire.code, wire.details);
    default: {
      const error = new Error(wire.message) as Error & { code?: string };
      error.name = wire.name;
      if (wire.code !== undefined) error.code = wire.code;
      return error;
    }
  }
}

/** The ops of one batch as they cross to the writer thread: journal bodies beside the JSON, not escaped in it. */
export function packOps(ops: readonly WriteOp[]): { readonly ops: string; readonly bodies: string[] } {
  const bodies: string[] = [];
  const packed = mapEntryRows(ops, (row) => {
    bodies.push(row.body);
    return { ...row, body: bodies.length - 1 } as unknown as EntryRow;
  });
  return { ops: JSON.stringify(packed), bodies };
}

/** The writer thread's side of packOps. */
export function unpackOps(text: string, bodies: readonly string[]): WriteOp[] {
  return mapEntryRows(JSON.parse(text) as WriteOp[], (row) => ({ ...row, body: bodies[row.body as unknown as number]! }));
}

/** The ops with every journal entry row (appended, or the accepted entry of a flow's begin) passed through `map`. */
function mapEntryRows(ops: readonly WriteOp[], map: (row: EntryRow) => EntryRow): WriteOp[] {
  return ops.map((op): WriteOp => {
    switch (op.op) {
      case 'journal.append':
        return { op: op.op, entries: op.entries.map(map) };
      case 'flow.begin':
        return { ...op, accepted: map(op.accepted) };
      default:
        return op;
    }
  });
}
