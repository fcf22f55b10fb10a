/** One event of the live stream, serialised once and shared by every client. */
export interface HubEvent {
  readonly id: number;
  readonly event: string;
  /** The SSE frame: `id:`, `event:`, `data:` lines and the blank line. */
  readonly frame: string;
}

/** Where a client's frames go (an HTTP response); `write` false = its socket buffer is full. */
export interface StreamSink {
  write(chunk: string | Buffer): boolean;
  onDrain(listener: () => void): void;
  end(): void;
}

export interface EventHubOptions {
  /** Events kept for resumes (server.sse_buffer_size). */
  readonly bufferSize: number;
  /** Frames a client may have waiting (its socket full); beyond it they are dropped and the client gets `reset`. @default 5000 */
  readonly clientQueueSize?: number;
  /**
   * Events are gathered this long and written to each client in one write: under load, a few
   * writes a second per client instead of one per event per client. 0: the next turn of the
   * event loop. @default 100
   */
  readonly flushDelayMs?: number;
}

const frameOf = (id: number, event: string, data: string): string => `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;

/**
 * The live stream's fan-out: each event gets the next integer id, is kept in a ring for clients
 * that resume (Last-Event-ID), and is queued for every connected client; the queues are written
 * every `flushDelayMs` at most (one write per client however many events it gathered), so the
 * cost of many watchers does not grow with the rate of events.
 * A publisher never waits: a client whose socket is full has its frames queued up to a bound,
 * then dropped, and is sent a `reset` (refetch) once it drains, so a slow client never slows the
 * flows or the other clients.
 */
export class EventHub {
  readonly #ring: (HubEvent | undefined)[];
  readonly #clientQueueSize: number;
  readonly #clients = new Set<Client>();
  readonly #flushDelayMs: number;
  /** Coalesced events waiting for the flush, by key. */
  readonly #held = new Map<string, { readonly event: string; readonly payload: unknown }>();
  #lastId = 0;
  #closed = false;
  #flushScheduled = false;

  constructor(options: EventHubOptions) {
    if (!Number.isInteger(options.bufferSize) || options.bufferSize < 1) throw new RangeError(`bufferSize must be a positive integer, got ${String(options.bufferSize)}`);
    this.#ring = new Array<HubEvent | undefined>(options.bufferSize);
    this.#clientQueueSize = options.clientQueueSize ?? 5000;
    this.#flushDelayMs = options.flushDelayMs ?? 100;
  }

  get lastId(): number {
    return this.#lastId;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /**
   * Publish an event. With a `coalesceKey` (an order's id), the event is held until the next
   * flush and a newer event with the same key replaces it: an order that went PENDING → FILLED
   * within one flush delay is sent once, in its latest state. Held events go out after the
   * batch's other events; nothing is lost, only states already superseded are skipped.
   */
  publish(event: string, payload: unknown, coalesceKey?: string): void {
    if (this.#closed) return;
    if (coalesceKey !== undefined) {
      // re-inserted: held events go out in the order of their latest state
      this.#held.delete(coalesceKey);
      this.#held.set(coalesceKey, { event, payload });
      this.#scheduleFlush();
      return;
    }
    this.#emit(event, payload);
  }

  #emit(event: string, payload: unknown): void {
    const id = ++this.#lastId;
    const item: HubEvent = { id, event, frame: frameOf(id, event, JSON.stringify(payload)) };
    this.#ring[id % this.#ring.length] = item;
    if (this.#clients.size === 0) return;
    for (const client of this.#clients) client.enqueue(item.frame);
    this.#scheduleFlush();
  }

  /**
   * Connect a client. With `lastEventId`, the events after it are sent first when the ring still
   * holds them all; otherwise (too old, or from an earlier run of the server) one `reset` event.
   * Returns the function that disconnects it.
   */
  connect(sink: StreamSink, lastEventId: number | null): () => void {
    const client = new Client(sink, this.#clientQueueSize, () => this.#lastId);
    if (this.#closed) {
      sink.end();
      return () => undefined;
    }
    if (lastEventId !== null && lastEventId !== this.#lastId) {
      const oldest = Math.max(1, this.#lastId - this.#ring.length + 1);
      if (lastEventId > this.#lastId || lastEventId < oldest - 1) client.enqueue(resetFrame(this.#lastId));
      else for (let id = lastEventId + 1; id <= this.#lastId; id += 1) client.enqueue((this.#ring[id % this.#ring.length] as HubEvent).frame);
      client.flush(null);
    }
    this.#clients.add(client);
    return () => this.#clients.delete(client);
  }

  /** A comment line to every client, so proxies keep idle connections open. */
  heartbeat(): void {
    for (const client of this.#clients) client.enqueue(': heartbeat\n\n');
    this.#scheduleFlush();
  }

  /** Write what each client has waiting, one write per client (normally `flushDelayMs` after the first event of a batch). */
  flush(): void {
    if (this.#held.size > 0) {
      const held = [...this.#held.values()];
      this.#held.clear();
      for (const { event, payload } of held) this.#emit(event, payload);
    }
    // after the held events: they are written by this flush, not a next one
    this.#flushScheduled = false;
    // clients that keep up wait for the same frames: encoded once, the same bytes written to each
    const shared: SharedChunk = { first: undefined, last: undefined, length: 0, bytes: null };
    for (const client of this.#clients) client.flush(shared);
  }

  // one write per client per flush, however many events it gathered
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    if (this.#flushDelayMs === 0) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), this.#flushDelayMs).unref();
  }

  /** Write what is waiting, then end every client's stream; later publishes are ignored. */
  close(): void {
    this.flush();
    this.#closed = true;
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }
}

/** `reset` carries the id of the last event, so the client's next resume starts from now. */
const resetFrame = (lastId: number): string => `id: ${lastId}\nevent: reset\ndata: {"reason":"missed events: refetch"}\n\n`;

/** The last batch a flush encoded, recognised by its frames' identity. */
interface SharedChunk {
  first: string | undefined;
  last: string | undefined;
  length: number;
  bytes: Buffer | null;
}

class Client {
  readonly #sink: StreamSink;
  readonly #capacity: number;
  readonly #lastId: () => number;
  #pending: string[] = [];
  #congested = false;
  /** Frames were dropped: the client is sent `reset` before anything else once it can take it. */
  #overflowed = false;

  constructor(sink: StreamSink, capacity: number, lastId: () => number) {
    this.#sink = sink;
    this.#capacity = capacity;
    this.#lastId = lastId;
    sink.onDrain(() => {
      this.#congested = false;
      this.flush(null);
    });
  }

  enqueue(frame: string): void {
    if (this.#overflowed) return;
    if (this.#pending.length >= this.#capacity) {
      this.#pending = [];
      this.#overflowed = true;
      return;
    }
    this.#pending.push(frame);
  }

  flush(shared: SharedChunk | null): void {
    if (this.#congested) return;
    if (this.#overflowed) {
      this.#overflowed = false;
      this.#pending = [];
      this.#write(resetFrame(this.#lastId()));
      return;
    }
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    if (shared === null) {
      this.#write(pending.join(''));
      return;
    }
    const first = pending[0];
    const last = pending[pending.length - 1];
    if (shared.bytes === null || shared.first !== first || shared.last !== last || shared.length !== pending.length) {
      shared.first = first;
      shared.last = last;
      shared.length = pending.length;
      shared.bytes = Buffer.from(pending.join(''), 'utf8');
    }
    this.#write(shared.bytes);
  }

  end(): void {
    this.#pending = [];
    this.#sink.end();
  }

  #write(chunk: string | Buffer): void {
    // a false write still took the chunk: what comes next waits for 'drain'
    if (!this.#sink.write(chunk)) this.#congested = true;
  }
}
