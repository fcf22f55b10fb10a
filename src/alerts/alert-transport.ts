import type { Alert } from '../ports/alerts.js';

/** What went wrong with one delivery, without anything that could echo the request (URL, headers, token). */
export interface DeliveryError {
  readonly name: string;
  readonly code: string | null;
}

/** The outcome of one delivery attempt; the retry decision belongs to the failure, not to the caller. */
export type DeliveryResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Network errors, timeouts, 408, 429 and 5xx: trying again may work. */
      readonly retryable: boolean;
      /** What the receiver asked for (Retry-After, Telegram's retry_after); null when it did not say. */
      readonly retryAfterMs: number | null;
      readonly status: number | null;
      readonly error: DeliveryError | null;
    };

/** One destination that makes a single delivery attempt per call and never throws. */
export interface AlertTransport {
  /** The sink's name in logs and metrics: `log`, `webhook`, `telegram`. */
  readonly name: string;
  deliver(alert: Alert): Promise<DeliveryResult>;
}

export const DELIVERED: DeliveryResult = Object.freeze({ ok: true });

/** A failure that no retry can cure (e.g. the alert cannot be serialised). */
export function permanentFailure(error: unknown): DeliveryResult {
  return { ok: false, retryable: false, retryAfterMs: null, status: null, error: describeError(error) };
}

/** The error's class name and system code (ECONNREFUSED, …), never its message: fetch messages may carry the URL. */
export function describeError(error: unknown): DeliveryError {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
    return { name: error.name, code: typeof code === 'string' ? code : null };
  }
  return { name: typeof error, code: null };
}
