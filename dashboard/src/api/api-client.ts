import type { TokenPrompt } from '../auth/token-prompt.js';
import type { TokenStore } from '../auth/token-store.js';

/** An answer of the API that is not a success, with the server's error code when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;

  constructor(status: number, code: string | null, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * fetch with the Bearer token. No token is asked for until the server refuses one (a loopback
 * server without a token is open); a 401 clears the stored token, asks again and retries.
 */
export class ApiClient {
  readonly #base: URL;
  readonly #tokens: TokenStore;
  readonly #prompt: TokenPrompt;

  constructor(base: URL, tokens: TokenStore, prompt: TokenPrompt) {
    this.#base = base;
    this.#tokens = tokens;
    this.#prompt = prompt;
  }

  get token(): string | null {
    return this.#tokens.get();
  }

  url(path: string, query: Readonly<Record<string, string | number | undefined>> = {}): URL {
    const url = new URL(path.replace(/^\//, ''), this.#base);
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    return url;
  }

  async getJson<T>(path: string, query: Readonly<Record<string, string | number | undefined>> = {}): Promise<T> {
    const response = await this.request(this.url(path, query), { method: 'GET' });
    return (await response.json()) as T;
  }

  async putJson<T>(path: string, body: unknown): Promise<T> {
    const response = await this.request(this.url(path), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as T;
  }

  /** Any request; resolves with a 2xx response, throws ApiError otherwise. */
  async request(url: URL, init: RequestInit): Promise<Response> {
    for (;;) {
      const token = this.#tokens.get();
      const headers = new Headers(init.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      const response = await fetch(url, { ...init, headers });
      if (response.status === 401) {
        // Refused with a token: that token is wrong. Without one: the server needs one.
        this.#tokens.clear();
        this.#tokens.set(await this.#prompt.ask(token !== null));
        continue;
      }
      if (!response.ok) throw await apiError(response);
      return response;
    }
  }

  /** Called when the event stream is refused: a probe that asks for the token again if needed. */
  async ensureToken(): Promise<void> {
    await this.request(this.url('/api/trading-state'), { method: 'GET' });
  }
}

async function apiError(response: Response): Promise<ApiError> {
  let code: string | null = null;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown; issues?: unknown };
    if (typeof body.error === 'string') code = body.error;
    if (typeof body.message === 'string') message = body.message;
    // A validation error names each field and rule: show them all.
    if (Array.isArray(body.issues)) {
      const issues = body.issues.map((issue: { path?: unknown; message?: unknown }) => (typeof issue.message === 'string' ? issue.message : String(issue.path)));
      if (issues.length > 0) message = issues.join('; ');
    }
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  return new ApiError(response.status, code, message);
}
