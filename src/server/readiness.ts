import type { Platform } from '../app/create-platform.js';
import { errorMessage } from '../domain/errors.js';

export interface ReadyReport {
  readonly ready: boolean;
  readonly checks: { readonly store: string; readonly venue: string; readonly recovery: string };
}

export interface ReadinessOptions {
  /** How long one venue probe may take. @default 2000 */
  readonly venueTimeoutMs?: number;
  /** How long a venue answer is reused, so probes from a load balancer do not load the venue. @default 5000 */
  readonly venueCacheMs?: number;
  readonly now?: () => number;
}

/**
 * GET /readyz: the store is open for writing, the venue answers (one cheap call, with a short
 * timeout, its answer cached a few seconds), and start-up recovery has run.
 */
export class Readiness {
  readonly #platform: Pick<Platform, 'store' | 'connector' | 'recovery'>;
  readonly #timeoutMs: number;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #venue: { readonly at: number; readonly result: Promise<string> } | null = null;

  constructor(platform: Pick<Platform, 'store' | 'connector' | 'recovery'>, options: ReadinessOptions = {}) {
    this.#platform = platform;
    this.#timeoutMs = options.venueTimeoutMs ?? 2000;
    this.#cacheMs = options.venueCacheMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  async check(): Promise<ReadyReport> {
    const store = this.#platform.store.health();
    const venue = await this.#venueCheck();
    const recovery = this.#recovery();
    return { ready: store === 'ok' && venue === 'ok' && recovery === 'ok', checks: { store, venue, recovery } };
  }

  #recovery(): string {
    const report = this.#platform.recovery;
    if (report === null) return 'ok';
    return report.unfinished > 0 ? `${report.unfinished} interrupted flow(s) left unfinished` : 'ok';
  }

  #venueCheck(): Promise<string> {
    const now = this.#now();
    if (this.#venue !== null && now - this.#venue.at < this.#cacheMs) return this.#venue.result;
    const result = this.#probe();
    this.#venue = { at: now, result };
    return result;
  }

  async #probe(): Promise<string> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve(`no answer within ${this.#timeoutMs} ms`);
      }, this.#timeoutMs);
    });
    try {
      // balances: one cheap read every venue answers (the paper venue answers null)
      const call = this.#platform.connector.fetchBalances({ signal: abort.signal }).then(
        () => 'ok',
        (error: unknown) => `error: ${errorMessage(error)}`,
      );
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
