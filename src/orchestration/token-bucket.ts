import type { Clock } from '../domain/clock.js';

/**
 * A token bucket on an injectable clock: holds at most `capacity` tokens and refills evenly,
 * `capacity` per `perSeconds`. Token counts are request counts, not amounts: plain numbers.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #msPerToken: number;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;

  constructor(options: { readonly capacity: number; readonly perSeconds: number; readonly clock: Clock }) {
    if (!(options.capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${options.capacity}`);
    if (!(options.perSeconds > 0)) throw new RangeError(`perSeconds must be above 0, got ${options.perSeconds}`);
    this.#capacity = options.capacity;
    this.#msPerToken = (options.perSeconds * 1000) / options.capacity;
    this.#clock = options.clock;
    this.#tokens = options.capacity;
    this.#refilledAt = options.clock.now();
  }

  /** Take a token if one is there. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (0 when one is there). */
  waitMs(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) * this.#msPerToken);
  }

  /** Wait for a token and take it; rejects with the signal's reason when aborted first. */
  async take(signal?: AbortSignal): Promise<void> {
    while (!this.tryTake()) await this.#clock.sleep(Math.max(1, this.waitMs()), signal);
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#refilledAt;
    if (elapsed <= 0) return;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed / this.#msPerToken);
    this.#refilledAt = now;
  }
}
