/** Time is injectable: backoff, timeouts and in-doubt windows are tested on a fake clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `callback` once `ms` of this clock's time has passed, unless the returned cancel runs
   * first. For timers that are nearly always cancelled (attempt timeouts, flow deadlines): no
   * promise, no AbortSignal, nothing left behind by the cancel.
   */
  after(ms: number, callback: () => void): () => void;
}

/** A signal that never aborts, for work that has no deadline (yet). */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

let lastMs = Number.NaN;
let lastIso = '';

/** ISO-8601 UTC of `ms`; the last answer is kept, because a busy flow asks for the same millisecond many times. */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
