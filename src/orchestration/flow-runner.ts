/**
 * Runs async work in per-key FIFO queues (the key is the strategy): one key's tasks run one at a
 * time in arrival order; at most `maxConcurrentKeys` keys run at once. A key gives its slot up
 * after each task, so a busy strategy cannot starve the others. Every task's promise is owned
 * here: `run` hands the caller a promise that settles with the task, and `drain` waits for all.
 * A task run with `abandoned` may be dropped while it waits (`abandonQueued`): it never starts and
 * its promise settles with `abandoned()` instead. Once started, a task always runs to its end.
 */

interface Task {
  readonly start: () => Promise<void>;
  /** Set for a task that may be dropped before it starts: settles its promise without running it. */
  readonly abandon: (() => void) | null;
  readonly tag: unknown;
}

export interface RunOptions<T> {
  /** Makes the task droppable until it starts; its promise then settles with this value. */
  readonly abandoned?: () => T;
  /** Handed to `abandonQueued`'s filter. */
  readonly tag?: unknown;
}

export interface FlowRunnerOptions {
  readonly maxConcurrentKeys: number;
}

export class FlowRunner {
  readonly #max: number;
  readonly #queues = new Map<string, Task[]>();
  /** Keys waiting for a slot, in the order they became ready. */
  readonly #ready: string[] = [];
  readonly #running = new Set<string>();
  #pending = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: FlowRunnerOptions) {
    if (!Number.isInteger(options.maxConcurrentKeys) || options.maxConcurrentKeys < 1) {
      throw new RangeError(`maxConcurrentKeys must be a positive integer, got ${options.maxConcurrentKeys}`);
    }
    this.#max = options.maxConcurrentKeys;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /** Keys with a task running right now. */
  get activeKeys(): number {
    return this.#running.size;
  }

  /** Queue `task` behind the key's earlier tasks; the promise settles as the task does. */
  run<T>(key: string, task: () => Promise<T>, options: RunOptions<T> = {}): Promise<T> {
    this.#pending += 1;
    return new Promise<T>((resolve, reject) => {
      const { abandoned } = options;
      const entry: Task = {
        start: async () => {
          try {
            resolve(await task());
          } catch (error) {
            reject(error);
          }
        },
        abandon: abandoned ? () => resolve(abandoned()) : null,
        tag: options.tag,
      };
      const queue = this.#queues.get(key);
      if (queue) {
        queue.push(entry);
        return;
      }
      this.#queues.set(key, [entry]);
      this.#ready.push(key);
      this.#pump();
    });
  }

  /** Resolves when nothing is queued or running. */
  drain(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Drop every waiting task that was run with `abandoned` and passes `which`: none of them will
   * start. Returns their tags, in queue order per key. Running tasks are not touched.
   */
  abandonQueued(which: (tag: unknown) => boolean = () => true): unknown[] {
    const dropped: Task[] = [];
    for (const [key, queue] of this.#queues) {
      const kept: Task[] = [];
      for (const task of queue) (task.abandon !== null && which(task.tag) ? dropped : kept).push(task);
      if (kept.length === queue.length) continue;
      if (kept.length > 0 || this.#running.has(key)) {
        this.#queues.set(key, kept);
      } else {
        this.#queues.delete(key);
        const at = this.#ready.indexOf(key);
        if (at !== -1) this.#ready.splice(at, 1);
      }
    }
    this.#pending -= dropped.length;
    for (const task of dropped) task.abandon?.();
    if (dropped.length > 0) this.#wakeIfIdle();
    return dropped.map((task) => task.tag);
  }

  #pump(): void {
    while (this.#running.size < this.#max && this.#ready.length > 0) {
      const key = this.#ready.shift() as string;
      const task = this.#queues.get(key)?.shift();
      if (!task) {
        this.#queues.delete(key);
        continue;
      }
      this.#running.add(key);
      // start() never rejects: the task's own errors went to its caller's promise
      void task.start().finally(() => this.#finished(key));
    }
  }

  #finished(key: string): void {
    this.#running.delete(key);
    this.#pending -= 1;
    const queue = this.#queues.get(key);
    if (queue && queue.length > 0) this.#ready.push(key);
    else this.#queues.delete(key);
    this.#pump();
    this.#wakeIfIdle();
  }

  #wakeIfIdle(): void {
    if (this.#pending !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
