import type { Clock } from '../domain/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/**
 * Simulated time for a backtest: it stands still until the driver moves it, and a sleep or a
 * timer wakes when the driver reaches its time. Timers due at the same time wake in the order
 * they were set, so a run is repeatable.
 */
export class SimClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason as Error);
      };
      const cancel = this.after(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  after(ms: number, callback: () => void): () => void {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fire: callback };
    this.#insert(timer);
    return () => {
      const index = this.#timers.indexOf(timer);
      if (index >= 0) this.#timers.splice(index, 1);
    };
  }

  /** When the next timer is due; undefined when none is set. */
  nextDue(): number | undefined {
    return this.#timers[0]?.at;
  }

  /** Move to `ms` (never back) without waking anything: the caller wakes timers with fireDue. */
  moveTo(ms: number): void {
    if (ms > this.#now) this.#now = ms;
  }

  /** Wake the earliest timer if it is due at or before `limitMs`, moving the clock to its time; false when none is. */
  fireNext(limitMs: number): boolean {
    const first = this.#timers[0];
    if (first === undefined || first.at > limitMs) return false;
    this.#timers.shift();
    this.moveTo(first.at);
    first.fire();
    return true;
  }

  // few timers are ever set at once (one per venue call in flight): a sorted array is enough
  #insert(timer: Timer): void {
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.at > timer.at) i -= 1;
    this.#timers.splice(i, 0, timer);
  }
}
