import { createHash } from 'node:crypto';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Directive and signal ids in the platform's `PREFIX_YYYYMMDD_HHMMSS_hash8` shape, derived from the seed (deterministic). */
export class DemoIds {
  readonly #seed: number;
  #counter = 0;

  constructor(seed: number) {
    this.#seed = seed;
  }

  next(prefix: 'DIR' | 'SIG', timeMs: number): string {
    this.#counter += 1;
    const d = new Date(timeMs);
    const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
    const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
    const hash = createHash('sha256').update(`planexec-demo:${this.#seed}:${this.#counter}`).digest('hex').slice(0, 8);
    return `${prefix}_${date}_${time}_${hash}`;
  }
}

/** ISO-8601 UTC to the second, as planners write it. */
export function isoSecond(timeMs: number): string {
  return new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
