import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BinanceError } from './binance-error.js';
import { checkSigned, findRoute, type Route } from './binance-routes.js';
import { CONTROL_PREFIX, handleControl } from './control-routes.js';
import { LoopbackVenueClient } from './control-client.js';
import type { FaultDecision } from './faults.js';
import { resolveVenueConfig, type VenueConfig } from './options.js';
import type { LoggedRequest } from './request-log.js';
import { VenueState } from './venue-state.js';

export interface LoopbackVenueOptions extends VenueConfig {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Clock for every venue timestamp and time window (default Date.now). */
  readonly now?: () => number;
}

export interface LoopbackVenue {
  readonly url: string;
  readonly port: number;
  readonly client: LoopbackVenueClient;
  /** The live state, for in-process tests that want more than the control API gives. */
  readonly state: VenueState;
  close(): Promise<void>;
}

const SERVER_ERROR_TEXT = 'Unknown error, please check your request or try again later.';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json;charset=UTF-8';
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Query string and form body together, as Binance reads them. */
function requestParams(url: URL, body: string, contentType: string | undefined): Record<string, string> {
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  if (body !== '' && (contentType ?? '').includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body)) params[key] = value;
  }
  return params;
}

/** Starts the loopback venue on 127.0.0.1 and resolves once it listens. */
export async function startLoopbackVenue(options: LoopbackVenueOptions = {}): Promise<LoopbackVenue> {
  const { port = 0, host = '127.0.0.1', now = Date.now, ...config } = options;
  const state = new VenueState(resolveVenueConfig(config), now);
  const held = new Set<{ socket: Socket; timer: NodeJS.Timeout | null }>();

  function withhold(res: ServerResponse, holdMs: number | null): void {
    const socket = res.socket;
    if (!socket) return;
    const entry = { socket, timer: null as NodeJS.Timeout | null };
    const release = () => {
      if (entry.timer) clearTimeout(entry.timer);
      held.delete(entry);
    };
    socket.once('close', release);
    if (holdMs !== null) entry.timer = setTimeout(() => socket.destroy(), holdMs);
    held.add(entry);
  }

  async function answerBinance(req: IncomingMessage, res: ServerResponse, route: Route, logged: LoggedRequest) {
    const decision: FaultDecision = state.faults.decide(route.kind);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const rejection = decision.rejection;
    if (rejection?.kind === 'rate_limit') {
      logged.fault = 'rate_limit';
      logged.status = rejection.status;
      const msg =
        rejection.status === 418
          ? `Way too many requests; IP(127.0.0.1) banned until ${now() + rejection.retryAfterSeconds * 1000}. Please use the websocket for live updates to avoid bans.`
          : 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.';
      send(res, rejection.status, { code: -1003, msg }, { 'Retry-After': String(rejection.retryAfterSeconds) });
      return;
    }
    if (rejection?.kind === 'server_error') {
      logged.fault = 'server_error';
      logged.status = rejection.status;
      send(res, rejection.status, SERVER_ERROR_TEXT);
      return;
    }
    let status = 200;
    let body: unknown;
    try {
      if (route.signed) checkSigned(logged.params, req.headers['x-mbx-apikey'] as string | undefined, state.config.apiKeys);
      body = route.handle({ params: logged.params, venue: state, markFault: (fault) => (logged.fault = fault) });
    } catch (error) {
      if (!(error instanceof BinanceError)) throw error;
      status = error.httpStatus;
      body = { code: error.code, msg: error.msg, ...(error.data === undefined ? {} : { data: error.data }) };
    }
    logged.status = status;
    // whatever the outcome: the client cannot tell an accepted order from a refused one
    const after = decision.afterEffect;
    if (after?.kind === 'withhold') {
      logged.fault = 'timeout_after_accept';
      withhold(res, after.holdMs);
      return;
    }
    if (after?.kind === 'server_error') {
      logged.fault = 'server_error_after_accept';
      logged.status = after.status;
      send(res, after.status, SERVER_ERROR_TEXT);
      return;
    }
    send(res, status, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const method = req.method ?? 'GET';
    const rawBody = await readBody(req);
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      try {
        const body = rawBody === '' ? {} : (JSON.parse(rawBody) as unknown);
        send(res, 200, handleControl(state, method, url, body));
      } catch (error) {
        send(res, 400, { error: (error as Error).message });
      }
      return;
    }
    const params = requestParams(url, rawBody, req.headers['content-type']);
    const route = findRoute(method, url.pathname);
    if (!route) {
      state.log.record({ time: now(), method, path: url.pathname, kind: 'unknown', params }).status = 404;
      send(res, 404, { code: -1000, msg: `The loopback venue does not serve ${method} ${url.pathname}.` });
      return;
    }
    const logged = state.log.record({ time: now(), method, path: url.pathname, kind: route.kind, params });
    await answerBinance(req, res, route, logged);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { code: -1000, msg: `loopback venue failure: ${(error as Error).message}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    port: address.port,
    client: new LoopbackVenueClient(url),
    state,
    close: async () => {
      for (const entry of held) {
        if (entry.timer) clearTimeout(entry.timer);
        entry.socket.destroy();
      }
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
