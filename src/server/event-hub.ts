/** One event of the live stream, serialised once and shared by every client. */
export interface HubEvent {
  readonly id: number;
  readonly event: string;
  /** The SSE frame: `id:`, `event:`, `data:` lines and the blank line. */
  readonly frame: string;
}

/** Where a client's frames go (an HTTP response); `write` false = its socket buffer is full. */
export interface StreamSink {
  write(chunk: string): boolean;
  onDrain(listener: () => void): void;
  end(): void;
}

export interface EventHubOptions {
  /** Events kept for resumes (server.sse_buffer_size). */
  readonly bufferSize: number;
  /** Frames a congested client may have waiting; beyond it they are dropped and the client gets `reset`. @default 1000 */
  readonly clientQueueSize?: number;
}

const frameOf = (id: number, event: string, data: string): string => `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;

/**
 * The live stream's fan-out: each event gets the next integer id, is kept in a ring for clients
 * that resume (Last-Event-ID), and is written to every connected client. A publisher never waits:
 * a client whose socket is full has its frames queued up to a bound, then dropped, and is sent a
 * `reset` (refetch) once it drains, so a slow client never slows the flows or the other clients.
 */
export class EventHub {
  readonly #ring: (HubEvent | undefined)[];
  readonly #clientQueueSize: number;
  readonly #clients = new Set<Client>();
  #lastId = 0;
  #closed = false;

  constructor(options: EventHubOptions) {
    if (!Number.isInteger(options.bufferSize) || options.bufferSize < 1) throw new RangeError(`bufferSize must be a positive integer, got ${String(options.bufferSize)}`);
    this.#ring = new Array<HubEvent | undefined>(options.bufferSize);
    this.#clientQueueSize = options.clientQueueSize ?? 1000;
  }

  get lastId(): number {
    return this.#lastId;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  publish(event: string, payload: unknown): void {
    if (this.#closed) return;
    const id = ++this.#lastId;
    const item: HubEvent = { id, event, frame: frameOf(id, event, JSON.stringify(payload)) };
    this.#ring[id % this.#ring.length] = item;
    for (const client of this.#clients) client.send(item.frame);
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
      if (lastEventId > this.#lastId || lastEventId < oldest - 1) client.send(resetFrame(this.#lastId));
      else for (let id = lastEventId + 1; id <= this.#lastId; id += 1) client.send((this.#ring[id % this.#ring.length] as HubEvent).frame);
    }
    this.#clients.add(client);
    return () => this.#clients.delete(client);
  }

  /** A comment line to every client, so proxies keep idle connections open. */
  heartbeat(): void {
    for (const client of this.#clients) client.send(': heartbeat\n\n');
  }

  /** End every client's stream; later publishes are ignored. */
  close(): void {
    this.#closed = true;
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }
}

/** `reset` carries the id of the last event, so the client's next resume starts from now. */
const resetFrame = (lastId: number): string => `id: ${lastId}\nevent: reset\ndata: {"reason":"missed events: refetch"}\n\n`;

class Client {
  readonly #sink: StreamSink;
  readonly #capacity: number;
  readonly #lastId: () => number;
  #queue: string[] = [];
  #congested = false;
  #overflowed = false;

  constructor(sink: StreamSink, capacity: number, lastId: () => number) {
    this.#sink = sink;
    this.#capacity = capacity;
    this.#lastId = lastId;
    sink.onDrain(() => this.#flush());
  }

  send(frame: string): void {
    if (this.#congested) {
      if (this.#overflowed) return;
      if (this.#queue.length >= this.#capacity) {
        this.#queue = [];
        this.#overflowed = true;
        return;
      }
      this.#queue.push(frame);
      return;
    }
    if (!this.#sink.write(frame)) this.#congested = true;
  }

  end(): void {
    this.#queue = [];
    this.#sink.end();
  }

  #flush(): void {
    this.#congested = false;
    if (this.#overflowed) {
      this.#overflowed = false;
      this.#queue = [];
      this.send(resetFrame(this.#lastId()));
      return;
    }
    const queued = this.#queue;
    this.#queue = [];
    for (let i = 0; i < queued.length; i += 1) {
      this.send(queued[i] as string);
      if (this.#congested) {
        // the rest waits for the next drain, ahead of anything newer
        this.#queue = [...queued.slice(i + 1), ...this.#queue];
        return;
      }
    }
  }
}
