import type { EndpointKind } from './options.js';

export interface LoggedRequest {
  readonly seq: number;
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly kind: EndpointKind | 'control' | 'unknown';
  /** Parameters exactly as they arrived (query and form body), signature and timestamp included. */
  readonly params: Record<string, string>;
  status: number;
  /** The fault injected into this request, if any. */
  fault: 'rate_limit' | 'server_error' | 'server_error_after_accept' | 'timeout_after_accept' | 'not_found_window' | null;
}

/** Every Binance request the venue received (control requests are not logged), newest last. */
export class RequestLog {
  readonly #entries: LoggedRequest[] = [];
  readonly #counts = new Map<string, number>();
  readonly #limit: number;
  #seq = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  record(entry: Omit<LoggedRequest, 'seq' | 'status' | 'fault'>): LoggedRequest {
    const logged: LoggedRequest = { ...entry, seq: ++this.#seq, status: 0, fault: null };
    const key = `${entry.method} ${entry.path}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    if (this.#limit > 0) {
      this.#entries.push(logged);
      if (this.#entries.length > this.#limit) this.#entries.shift();
    }
    return logged;
  }

  entries(): readonly LoggedRequest[] {
    return this.#entries;
  }

  /** Requests per "METHOD /path", including those no longer kept in the log. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
