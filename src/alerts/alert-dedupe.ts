import type { Alert } from '../ports/alerts.js';

/** Keys remembered at most; beyond, the oldest are forgotten first (an outage of unique subjects must not grow memory without bound). */
const MAX_KEYS = 50_000;

/** What an alert is about: its flow, else the subject, trade or symbol its details name; '' when none. */
export function alertSubject(alert: Alert): string {
  if (alert.flow_id) return alert.flow_id;
  const details = alert.details ?? {};
  for (const key of ['subject', 'trade_id', 'symbol'] as const) {
    const value = details[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return '';
}

/**
 * Same code and same subject within the window = the same alert. The window runs from the first
 * alert that got through, and a repeat does not extend it, so a condition that persists is
 * alerted again once per window.
 */
export class AlertDeduper {
  readonly #windowMs: number;
  /** key → end of its window; insertion order is expiry order, as every window has the same length. */
  readonly #until = new Map<string, number>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** True when the alert repeats one seen within the window (suppress it); otherwise it is remembered. */
  isRepeat(alert: Alert, nowMs: number): boolean {
    if (this.#windowMs <= 0) return false;
    this.#forgetExpired(nowMs);
    const key = `${alert.code}\u0000${alertSubject(alert)}`;
    const until = this.#until.get(key);
    if (until !== undefined && until > nowMs) return true;
    this.#until.delete(key);
    this.#until.set(key, nowMs + this.#windowMs);
    if (this.#until.size > MAX_KEYS) this.#until.delete(this.#until.keys().next().value as string);
    return false;
  }

  get size(): number {
    return this.#until.size;
  }

  #forgetExpired(nowMs: number): void {
    for (const [key, until] of this.#until) {
      if (until > nowMs) return;
      this.#until.delete(key);
    }
  }
}
