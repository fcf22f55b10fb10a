import type { Clock } from '../../src/domain/clock.js';

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

/** A clock that moves only when told: backoff and timeouts are tested in milliseconds, instantly. */
export class FakeClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(startMs = Date.UTC(2026, 10, 24, 10, 0, 0)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  after(ms: number, callback: () => void): () => void {
    const sleeper: Sleeper = { at: this.#now + Math.max(0, ms), resolve: callback };
    this.#sleepers.push(sleeper);
    return () => {
      this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
    };
  }

  /** Number of pending sleeps (to assert a backoff is waiting). */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }

  /** Move time forward, waking sleepers in time order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.#sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== due);
      this.#now = Math.max(this.#now, due.at);
      due.resolve();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Advance in steps until `done()` holds or `maxMs` passed (for flows that sleep several times). */
  async runUntil(done: () => boolean, maxMs = 600_000, stepMs = 10): Promise<void> {
    let elapsed = 0;
    while (!done() && elapsed < maxMs) {
      await this.advance(stepMs);
      elapsed += stepMs;
    }
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
