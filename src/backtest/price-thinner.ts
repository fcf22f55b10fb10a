/**
 * Keeps a price series short enough to draw: every bar until `limit` points, then every second
 * point of those kept and every second bar from then on, and so on. Memory stays bounded however
 * many bars a run reads; the last point is always the latest bar.
 */
export class PriceThinner {
  readonly #limit: number;
  #kept: { atMs: number; close: number }[] = [];
  #stride = 1;
  #seen = 0;
  #latest: { atMs: number; close: number } | undefined;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`limit must be an integer >= 2, got ${limit}`);
    this.#limit = limit;
  }

  add(atMs: number, close: number): void {
    this.#latest = { atMs, close };
    if (this.#seen % this.#stride === 0) {
      this.#kept.push(this.#latest);
      if (this.#kept.length >= this.#limit) {
        this.#kept = this.#kept.filter((_, i) => i % 2 === 0);
        this.#stride *= 2;
      }
    }
    this.#seen += 1;
  }

  points(): { readonly atMs: number; readonly close: number }[] {
    const last = this.#kept[this.#kept.length - 1];
    return this.#latest !== undefined && last !== this.#latest ? [...this.#kept, this.#latest] : [...this.#kept];
  }
}
