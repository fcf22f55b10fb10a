import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StorageError } from '../../domain/errors.js';
import type { StoreWriter, WriterStats } from './store-writer.js';
import type { WriteOp, WriteOpResults } from './write-ops.js';
import { fromWireError, packOps, type FromWriter, type Outcome, type ToWriter } from './writer-thread-protocol.js';

/**
 * Ops handed to the writer thread in one message once this many are queued, without waiting for
 * the end of the turn: the thread starts committing while the event loop goes on producing.
 */
const EARLY_HAND_OFF = 64;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly mapError: ((error: unknown) => unknown) | undefined;
}

/**
 * One writer thread per process, shared by every store opened with `writerThread` (a process
 * normally has one; the test suite opens hundreds, and a thread costs a module load to start).
 * It keeps the process alive only while some store has ops in flight.
 */
class WriterThread {
  readonly #worker: Worker;
  readonly #stores = new Map<number, ThreadStoreWriter>();
  #busy = 0;
  #failure: Error | null = null;

  constructor() {
    this.#worker = startWorker();
    this.#worker.unref();
    this.#worker.on('message', (message: FromWriter) => this.#stores.get(message.store)?.receive(message));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the writer thread exited (code ${code})`)));
  }

  get failed(): boolean {
    return this.#failure !== null;
  }

  attach(id: number, writer: ThreadStoreWriter): void {
    this.#stores.set(id, writer);
  }

  detach(id: number): void {
    this.#stores.delete(id);
  }

  post(message: ToWriter): void {
    if (this.#failure !== null) throw this.#failure;
    this.#worker.postMessage(message);
  }

  /** A store has work in flight: keep the process alive until it is answered. */
  busy(delta: 1 | -1): void {
    this.#busy += delta;
    if (this.#busy === 1 && delta === 1) this.#worker.ref();
    if (this.#busy === 0) this.#worker.unref();
  }

  #fail(error: Error): void {
    if (this.#failure !== null) return;
    this.#failure = new StorageError(`the SQLite writer thread failed: ${error.message}`, 'STORAGE_WRITER_FAILED', {}, error);
    if (shared === this) shared = null;
    for (const store of this.#stores.values()) store.fail(this.#failure);
  }
}

let shared: WriterThread | null = null;
let nextStoreId = 1;

function writerThread(): WriterThread {
  if (shared === null || shared.failed) shared = new WriterThread();
  return shared;
}

/**
 * The worker's entry point next to this module: the built .js, or under a TypeScript loader
 * (tests, tsx) the .ts source, which the thread loads through tsx's register API.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  // the thread inherits the process's node options, but refuses the ones only a main script takes
  // (and, when given explicitly, the process-wide ones such as --expose-gc): filter only if needed
  const kept = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
  const execArgv = kept.length === process.execArgv.length ? undefined : kept;
  if (here.endsWith('.js')) return new Worker(new URL('./writer-thread-worker.js', here), { execArgv });
  const tsxApi = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./writer-thread-worker.ts', here).href;
  const source = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })
    .catch((error) => { setImmediate(() => { throw error; }); });`;
  return new Worker(source, { eval: true, execArgv });
}

/** A store's writer on the shared writer thread: its own connection there, its own commit queue. */
export class ThreadStoreWriter implements StoreWriter {
  readonly #id = nextStoreId++;
  readonly #thread: WriterThread;
  #queue: WriteOp[] = [];
  #queued: Pending[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #nextBatch = 1;
  readonly #inFlight = new Map<number, readonly Pending[]>();
  #idle: (() => void)[] = [];
  #closed = false;
  #closing: Promise<void> | undefined;
  #onClosed: (() => void) | undefined;
  #failure: Error | null = null;
  #stats: WriterStats = { batches: 0, replays: 0, rows: 0 };

  constructor(path: string, options: { readonly busyTimeoutMs?: number } = {}) {
    this.#thread = writerThread();
    this.#thread.attach(this.#id, this);
    this.#thread.post({ type: 'open', store: this.#id, path, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  }

  run<K extends WriteOp['op']>(op: Extract<WriteOp, { op: K }>, mapError?: (error: unknown) => unknown): Promise<WriteOpResults[K]> {
    if (this.#closed || this.#failure !== null) {
      const error = this.#failure ?? new StorageError('store is closed', 'STORAGE_CLOSED');
      return Promise.reject(mapError ? mapError(error) : error);
    }
    return new Promise<WriteOpResults[K]>((resolve, reject) => {
      this.#queue.push(op);
      this.#queued.push({ resolve: resolve as (value: unknown) => void, reject, mapError });
      if (this.#queue.length >= EARLY_HAND_OFF) this.#handOff();
      else this.#scheduled ??= setImmediate(() => this.#handOff());
    });
  }

  /** A pragma on the thread's connection, after the ops enqueued before it. */
  pragma(pragma: string): Promise<unknown> {
    this.#handOff();
    return new Promise((resolve, reject) => {
      this.#send((batch) => ({ type: 'pragma', store: this.#id, batch, pragma }), [{ resolve, reject, mapError: undefined }]);
    });
  }

  flush(): Promise<void> {
    this.#handOff();
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  close(): Promise<void> {
    this.#closed = true;
    return (this.#closing ??= (async () => {
      await this.flush();
      if (this.#failure === null) {
        const closed = new Promise<void>((resolve) => (this.#onClosed = resolve));
        this.#thread.busy(1);
        try {
          this.#thread.post({ type: 'close', store: this.#id });
          await closed;
        } finally {
          this.#thread.busy(-1);
        }
      }
      this.#thread.detach(this.#id);
    })());
  }

  stats(): WriterStats {
    return this.#stats;
  }

  /** An answer from the thread. */
  receive(message: FromWriter): void {
    if (message.type === 'closed') {
      this.#onClosed?.();
      return;
    }
    this.#stats = { batches: message.batches, replays: message.replays, rows: message.rows };
    const pending = this.#inFlight.get(message.batch);
    if (pending === undefined) return;
    this.#settle(message.batch, pending, message.outcomes);
  }

  /** The thread is gone: nothing in flight can be known durable. */
  fail(error: Error): void {
    this.#failure = error;
    for (const [batch, pending] of [...this.#inFlight]) {
      this.#settle(batch, pending, pending.map(() => ({ ok: false, error: { name: error.name, message: error.message, code: 'STORAGE_WRITER_FAILED' } })));
    }
    this.#onClosed?.();
  }

  #handOff(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#queue.length === 0) return;
    const ops = this.#queue;
    const pending = this.#queued;
    this.#queue = [];
    this.#queued = [];
    const packed = packOps(ops);
    this.#send((batch) => ({ type: 'batch', store: this.#id, batch, ops: packed.ops, bodies: packed.bodies }), pending);
  }

  #send(message: (batch: number) => ToWriter, pending: readonly Pending[]): void {
    const batch = this.#nextBatch++;
    this.#inFlight.set(batch, pending);
    this.#thread.busy(1);
    try {
      this.#thread.post(message(batch));
    } catch (error) {
      this.fail(error as Error);
    }
  }

  #settle(batch: number, pending: readonly Pending[], outcomes: readonly Outcome[]): void {
    this.#inFlight.delete(batch);
    this.#thread.busy(-1);
    pending.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) {
        p.resolve(outcome.value);
      } else {
        const error = fromWireError(outcome?.error ?? { name: 'StorageError', message: 'no answer from the writer thread', code: 'STORAGE_WRITER_FAILED' });
        p.reject(p.mapError ? p.mapError(error) : error);
      }
    });
    if (this.#inFlight.size === 0 && this.#queue.length === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }
}
