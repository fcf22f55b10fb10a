import { errorMessage } from '../domain/errors.js';
import type { TradingState, TradingStateRecord } from '../ports/trading-state.js';
import { isTradingState } from '../orchestration/trading-state.js';
import { UsageError } from './exit-codes.js';

/** The environment variable holding the API token when --token-env names none. */
export const DEFAULT_TOKEN_ENV = 'PLANEXEC_TOKEN';

const REQUEST_TIMEOUT_MS = 10_000;

/** A running `planexec serve` did not do what was asked (unreachable, an error answer): exit 1. */
export class ServerRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerRequestError';
  }
}

export interface TradingStateServer {
  /** http(s)://HOST:PORT of `planexec serve`. */
  readonly url: string;
  /** The bearer token; null sends none (a server without a token on loopback). */
  readonly token: string | null;
  /** The environment variable the token was read from, named when the server refuses it. @default PLANEXEC_TOKEN */
  readonly tokenVariable?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The server's base URL, checked: UsageError (exit 2) for anything but http(s)://HOST[:PORT][/path]. */
export function serverUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url must be the address of planexec serve, e.g. http://127.0.0.1:8080, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must start with http:// or https://, got "${text}"`);
  return url.href.replace(/\/+$/, '');
}

/** GET /api/trading-state. */
export function fetchTradingState(server: TradingStateServer): Promise<TradingStateRecord> {
  return request(server, 'GET', undefined);
}

/** PUT /api/trading-state `{state, reason}`: the server records its token's label as changed_by. */
export function putTradingState(server: TradingStateServer, change: { readonly state: TradingState; readonly reason: string }): Promise<TradingStateRecord> {
  return request(server, 'PUT', change);
}

async function request(server: TradingStateServer, method: 'GET' | 'PUT', body: unknown): Promise<TradingStateRecord> {
  const url = `${server.url}/api/trading-state`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (server.token !== null) headers['authorization'] = `Bearer ${server.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await (server.fetch ?? fetch)(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ServerRequestError(`cannot reach planexec serve at ${server.url}: ${causeOf(error)}; is it running, and is --url its address?`);
  }
  const text = await response.text().catch(() => '');
  if (response.status === 401) {
    throw new UsageError(
      server.token === null
        ? `planexec serve at ${server.url} needs a token (401): put it in ${server.tokenVariable ?? DEFAULT_TOKEN_ENV}, or name the variable holding it with --token-env (or --config with server.auth_token_env)`
        : `planexec serve at ${server.url} refused the token (401) read from ${server.tokenVariable ?? DEFAULT_TOKEN_ENV}: check that variable, or name another with --token-env`,
    );
  }
  if (response.status === 400) throw new UsageError(`planexec serve refused the change (400): ${serverMessage(text)}`);
  if (!response.ok) throw new ServerRequestError(`planexec serve at ${server.url} answered ${method} /api/trading-state with ${response.status}: ${serverMessage(text)}`);
  const record = parseRecord(text);
  if (record === null) throw new ServerRequestError(`planexec serve at ${server.url} answered ${method} /api/trading-state with something that is not a trading state record: ${text.slice(0, 200)}`);
  return record;
}

function parseRecord(text: string): TradingStateRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (!isTradingState(v['state'])) return null;
  const optional = (key: string): string | null => (typeof v[key] === 'string' ? v[key] : null);
  return { state: v['state'], reason: optional('reason'), changed_by: optional('changed_by'), changed_at: optional('changed_at') };
}

/** `{"error","message"}` answers show their message; anything else a bounded excerpt. */
function serverMessage(text: string): string {
  try {
    const value = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof value.message === 'string') return value.message;
    if (typeof value.error === 'string') return value.error;
  } catch {
    // not JSON: shown as it came
  }
  return text.slice(0, 200) || '(empty answer)';
}

function causeOf(error: unknown): string {
  // fetch hides the socket error (ECONNREFUSED, ENOTFOUND) in its cause
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return errorMessage(cause);
}
