import type { FlowCompletionDTO } from '../domain/dto.js';

export interface FlowCompletionStreamOptions {
  /** Default per-consumer buffer (config `flow_termination.ui_buffer_size`). */
  readonly bufferSize: number;
}

export interface SubscribeStreamOptions {
  /** Completions kept for this consumer while it is not reading; the oldest are dropped beyond it. */
  readonly bufferSize?: number;
  /** Aborting ends this consumer's iteration (cleanly: the loop just ends). */
  readonly signal?: AbortSignal;
}

/** One consumer's view of the stream. */
export interface FlowCompletionSubscription extends AsyncIterableIterator<FlowCompletionDTO> {
  /** Completions dropped for this consumer because its buffer was full. */
  readonly dropped: number;
  /** Completions waiting in this consumer's buffer. */
  readonly buffered: number;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The UI notification stream: every flow completion is broadcast to every current consumer
 * (e.g. SSE/WebSocket clients of the HTTP server). Each consumer has its own bounded buffer;
 * a slow consumer loses its own oldest completions (counted in `dropped`), never slows the flows
 * or the other consumers. With no consumers a push costs nothing and keeps nothing.
 */
export class FlowCompletionStream {
  readonly #consumers = new Set<Consumer>();
  readonly #defaultBufferSize: number;
  #closed = false;

  constructor(options: FlowCompletionStreamOptions) {
    this.#defaultBufferSize = checkBufferSize(options.bufferSize);
  }

  subscribe(options: SubscribeStreamOptions = {}): FlowCompletionSubscription {
    const bufferSize = options.bufferSize === undefined ? this.#defaultBufferSize : checkBufferSize(options.bufferSize);
    const consumer = new Consumer(bufferSize, this.#consumers, options.signal);
    if (this.#closed || options.signal?.aborted === true) consumer.end(false);
    else this.#consumers.add(consumer);
    return consumer;
  }

  push(completion: FlowCompletionDTO): void {
    if (this.#closed) return;
    for (const consumer of this.#consumers) consumer.offer(completion);
  }

  /** Ends every consumer after it has read what is already buffered; later pushes are ignored. */
  close(): void {
    this.#closed = true;
    for (const consumer of this.#consumers) consumer.end(true);
    this.#consumers.clear();
  }

  get consumerCount(): number {
    return this.#consumers.size;
  }

  get closed(): boolean {
    return this.#closed;
  }
}

function checkBufferSize(size: number): number {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`buffer size must be a positive integer, got ${String(size)}`);
  return size;
}

class Consumer implements FlowCompletionSubscription {
  readonly #capacity: number;
  readonly #owner: Set<Consumer>;
  readonly #signal: AbortSignal | undefined;
  // Ring buffer, grown on demand up to capacity so idle consumers with large limits stay small.
  #items: (FlowCompletionDTO | undefined)[] = [];
  #head = 0;
  #count = 0;
  #dropped = 0;
  #waiter: ((result: IteratorResult<FlowCompletionDTO>) => void) | null = null;
  /** No more offers; what is still buffered can be read (after close) or was cleared (return/abort). */
  #ended = false;
  readonly #onAbort = (): void => {
    this.end(false);
  };

  constructor(capacity: number, owner: Set<Consumer>, signal: AbortSignal | undefined) {
    this.#capacity = capacity;
    this.#owner = owner;
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get dropped(): number {
    return this.#dropped;
  }

  get buffered(): number {
    return this.#count;
  }

  offer(item: FlowCompletionDTO): void {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter({ done: false, value: item });
      return;
    }
    if (this.#count === this.#capacity) {
      // Full: overwrite the oldest.
      this.#items[this.#head] = item;
      this.#head = (this.#head + 1) % this.#capacity;
      this.#dropped++;
      return;
    }
    if (this.#count === this.#items.length) {
      // Grow: unroll so head is 0, then append.
      if (this.#head !== 0) this.#items = [...this.#items.slice(this.#head), ...this.#items.slice(0, this.#head)];
      this.#head = 0;
      this.#items.push(item);
    } else {
      this.#items[(this.#head + this.#count) % this.#items.length] = item;
    }
    this.#count++;
  }

  /** Stops this consumer; `drain` keeps what is buffered readable (close), otherwise it is dropped. */
  end(drain: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!drain) this.#clear();
    this.#owner.delete(this);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter(DONE);
    }
  }

  next(): Promise<IteratorResult<FlowCompletionDTO>> {
    if (this.#count > 0) {
      const item = this.#items[this.#head] as FlowCompletionDTO;
      this.#items[this.#head] = undefined;
      this.#count--;
      this.#head = this.#count === 0 ? 0 : (this.#head + 1) % this.#items.length;
      return Promise.resolve({ done: false, value: item });
    }
    if (this.#ended) return Promise.resolve(DONE);
    if (this.#waiter !== null) {
      // A second concurrent next(): not how for-await works; refuse rather than lose an item.
      return Promise.reject(new Error('FlowCompletionSubscription.next() called while a previous next() is pending'));
    }
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<FlowCompletionDTO>> {
    this.end(false);
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): FlowCompletionSubscription {
    return this;
  }

  #clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#count = 0;
  }
}
