/**
 * The writer thread: owns one write connection per store the process opened and runs their ops
 * through a commit queue each. Every batch that arrives while a COMMIT (and its fsync) runs
 * joins the next transaction, so the event loop never waits for SQLite and the group commit
 * grows with the load.
 */
import type { Database } from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';
import { StorageError } from '../../domain/errors.js';
import { openDatabase } from './open-database.js';
import { InlineStoreWriter } from './store-writer.js';
import type { FromWriter, Outcome, ToWriter } from './writer-thread-protocol.js';
import { toWireError, unpackOps } from './writer-thread-protocol.js';
import type { WriteOp } from './write-ops.js';

interface OpenStore {
  readonly db: Database | null;
  readonly writer: InlineStoreWriter | null;
  /** Why the connection could not be opened: every op of the store fails with it. */
  readonly failure: unknown;
}

const port = parentPort;
if (port === null) throw new Error('writer-thread-worker runs as a worker thread');
const stores = new Map<number, OpenStore>();

function post(message: FromWriter): void {
  port!.postMessage(message);
}

function open(store: number, path: string, busyTimeoutMs: number): void {
  try {
    const db = openDatabase(path, { busyTimeoutMs });
    stores.set(store, { db, writer: new InlineStoreWriter(db), failure: null });
  } catch (error) {
    stores.set(store, { db: null, writer: null, failure: error });
  }
}

function runBatch(store: number, batch: number, ops: readonly WriteOp[]): void {
  const open = stores.get(store);
  const writer = open?.writer ?? null;
  if (writer === null) {
    const failure = open?.failure ?? new StorageError('store is closed', 'STORAGE_CLOSED');
    const outcomes: Outcome[] = ops.map(() => ({ ok: false, error: toWireError(failure) }));
    post({ type: 'done', store, batch, outcomes, batches: 0, replays: 0, rows: 0 });
    return;
  }
  // the commit queue folds the ops of every batch that arrived in this turn into one transaction
  void Promise.all(
    ops.map((op) =>
      writer.run(op).then(
        (value): Outcome => ({ ok: true, value }),
        (error: unknown): Outcome => ({ ok: false, error: toWireError(error) }),
      ),
    ),
  ).then((outcomes) => {
    const stats = writer.stats();
    post({ type: 'done', store, batch, outcomes, batches: stats.batches, replays: stats.replays, rows: stats.rows });
  });
}

/** A pragma on the store's write connection, in order with its batches (the bench's WAL counts). */
function runPragma(store: number, batch: number, pragma: string): void {
  const open = stores.get(store);
  const stats = open?.writer?.stats() ?? { batches: 0, replays: 0, rows: 0 };
  let outcome: Outcome;
  try {
    if (open?.db == null) throw open?.failure ?? new StorageError('store is closed', 'STORAGE_CLOSED');
    outcome = { ok: true, value: open.db.pragma(pragma) };
  } catch (error) {
    outcome = { ok: false, error: toWireError(error) };
  }
  post({ type: 'done', store, batch, outcomes: [outcome], ...stats });
}

async function close(store: number): Promise<void> {
  const open = stores.get(store);
  stores.delete(store);
  if (open?.writer) await open.writer.close();
  if (open?.db?.open) open.db.close();
  post({ type: 'closed', store });
}

port.on('message', (message: ToWriter) => {
  switch (message.type) {
    case 'open':
      open(message.store, message.path, message.busyTimeoutMs);
      break;
    case 'batch':
      runBatch(message.store, message.batch, unpackOps(message.ops, message.bodies));
      break;
    case 'pragma':
      runPragma(message.store, message.batch, message.pragma);
      break;
    case 'close':
      void close(message.store);
      break;
  }
});
