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
  // one controller and one cancellable timer per attempt: whoever aborts the attempt also ends
  // the race, so nothing listens on the attempt's own signal
  const attempt = new AbortController();
  let endRace!: (reason: unknown) => void;
  const aborted = new Promise<never>((_, reject) => (endRace = reject));
  const abort = (reason: unknown): void => {
    if (attempt.signal.aborted) return;
    attempt.abort(reason);
    endRace(reason);
  };
  const onOuter = (): void => abort(outer?.reason);
  if (outer?.aborted) abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  const cancelTimer = clock.after(attemptTimeoutMs, () => abort(new AttemptTimeout(attemptTimeoutMs)));
  try {
    const value = await Promise.race([call(attempt.signal), aborted]);
    return { kind: 'ok', value };
  } catch (error) {
    if (attempt.signal.aborted) return { kind: 'unknown', error: attempt.signal.reason as unknown };
    if (error instanceof UnknownOutcomeError || !(error instanceof PlanexecError)) return { kind: 'unknown', error };
    return error.retryable ? { kind: 'retryable', error } : { kind: 'definitive', error };
  } finally {
    outer?.removeEventListener('abort', onOuter);
    cancelTimer();
  }
}
