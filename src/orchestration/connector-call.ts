import type { Clock } from '../domain/clock.js';
import { PlanexecError, UnknownOutcomeError } from '../domain/errors.js';
import { AttemptTimeout } from './execution-errors.js';

/**
 * One connector call as an outcome: ok, retryable (definitively not processed), definitive (the
 * venue or the connector refused), or unknown (the request may have taken effect: a timeout of
 * the attempt or of the whole execution while the call was out, an UnknownOutcomeError, or
 * anything the connector threw without classifying it).
 */
export type AttemptOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'retryable'; readonly error: PlanexecError }
  | { readonly kind: 'definitive'; readonly error: PlanexecError }
  | { readonly kind: 'unknown'; readonly error: unknown };

const NEVER = new AbortController().signal;

/** Reason for stopping a timer: preallocated, because abort() without one builds a DOMException (a stack capture) per call. */
export const TIMER_STOPPED: Error = Object.freeze(new Error('timer stopped')) as Error;

function abortedPromise(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Run `call` bounded by `attemptTimeoutMs` (on the injected clock) and by `outer`. The call gets
 * an AbortSignal so a connector can really stop; one that ignores it is raced, never awaited forever.
 */
export async function attemptCall<T>(
  clock: Clock,
  attemptTimeoutMs: number,
  outer: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<AttemptOutcome<T>> {
  const outerSignal = outer ?? NEVER;
  const attempt = new AbortController();
  const onOuter = (): void => attempt.abort(outerSignal.reason);
  if (outerSignal.aborted) attempt.abort(outerSignal.reason);
  else outerSignal.addEventListener('abort', onOuter, { once: true });
  const stopTimer = new AbortController();
  const timer = clock.sleep(attemptTimeoutMs, stopTimer.signal).then(
    () => attempt.abort(new AttemptTimeout(attemptTimeoutMs)),
    () => undefined,
  );
  try {
    const value = await Promise.race([call(attempt.signal), abortedPromise(attempt.signal)]);
    return { kind: 'ok', value };
  } catch (error) {
    if (attempt.signal.aborted) return { kind: 'unknown', error: attempt.signal.reason as unknown };
    if (error instanceof UnknownOutcomeError || !(error instanceof PlanexecError)) return { kind: 'unknown', error };
    return error.retryable ? { kind: 'retryable', error } : { kind: 'definitive', error };
  } finally {
    outerSignal.removeEventListener('abort', onOuter);
    stopTimer.abort(TIMER_STOPPED);
    await timer;
  }
}
