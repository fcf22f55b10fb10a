const MINUTE_MS = 60_000;

/**
 * A fixed one-minute window per sink: it opens with the first alert admitted after the previous
 * one closed, and admits at most `max` alerts (0 = no limit).
 */
export class MinuteWindow {
  readonly #max: number;
  #startMs: number | null = null;
  #count = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Counts the alert in the current minute (opening a new one if needed), or says it is full. */
  admit(nowMs: number): boolean {
    if (this.#max === 0) return true;
    this.#open(nowMs);
    if (this.#count >= this.#max) return false;
    this.#count++;
    return true;
  }

  /** Counts an alert that is never held back (the summary), even beyond the limit. */
  force(nowMs: number): void {
    if (this.#max === 0) return;
    this.#open(nowMs);
    this.#count++;
  }

  /** When the current minute ends; a minute from now when none is open. */
  endMs(nowMs: number): number {
    return this.#startMs !== null && this.#startMs + MINUTE_MS > nowMs ? this.#startMs + MINUTE_MS : nowMs + MINUTE_MS;
  }

  #open(nowMs: number): void {
    if (this.#startMs === null || nowMs >= this.#startMs + MINUTE_MS) {
      this.#startMs = nowMs;
      this.#count = 0;
    }
  }
}
