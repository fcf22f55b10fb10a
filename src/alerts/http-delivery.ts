import { describeError, DELIVERED, permanentFailure, type DeliveryResult } from './alert-transport.js';

export interface HttpPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Already serialised (and redacted) JSON. */
  readonly body: string;
  /** Bounds one attempt: connect, send and response. */
  readonly timeoutMs: number;
  /** For a Retry-After given as an HTTP date. */
  readonly nowMs: number;
}

/** Longest wait a receiver may ask for: beyond, the answer is taken as wrong, not as an instruction to stall shutdowns. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** POST once; a 2xx is delivered, anything else a failure classified for retry. Never throws. */
export async function postJson(request: HttpPost): Promise<DeliveryResult> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    // refused, reset, DNS, timeout: the receiver may be back soon
    return { ok: false, retryable: true, retryAfterMs: null, status: null, error: describeError(error) };
  }
  // Read the body so the connection is released for reuse (and Telegram's retry_after can be read).
  const text = await response.text().catch(() => '');
  if (response.ok) return DELIVERED;
  const status = response.status;
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = retryable ? (parseRetryAfter(response.headers.get('retry-after'), request.nowMs) ?? bodyRetryAfter(text)) : null;
  return { ok: false, retryable, retryAfterMs, status, error: null };
}

/** Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/** Telegram's Bot API says how long to wait in the body: `{"parameters":{"retry_after":N}}` (seconds). */
function bodyRetryAfter(text: string): number | null {
  if (!text.includes('retry_after')) return null;
  try {
    const seconds = (JSON.parse(text) as { parameters?: { retry_after?: unknown } }).parameters?.retry_after;
    return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : null;
  } catch {
    return null;
  }
}

/** JSON text of a payload; an unserialisable one (a bigint, a cycle) is a permanent failure. */
export function serialise(payload: unknown): { ok: true; text: string } | { ok: false; failure: DeliveryResult } {
  try {
    return { ok: true, text: JSON.stringify(payload) };
  } catch (error) {
    return { ok: false, failure: permanentFailure(error) };
  }
}
