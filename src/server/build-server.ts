import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parse as parseLossless } from 'lossless-json';
import type { Logger } from 'pino';
import type { DirectiveStream } from '../app/create-bus.js';
import type { Platform } from '../app/create-platform.js';
import { holdsNumber } from '../domain/directive.js';
import { errorMessage } from '../domain/errors.js';
import { ApiError, validationError } from './api-errors.js';
import { ApiRouter } from './api-router.js';
import { bearerToken, tokenMatches } from './auth.js';
import { EventHub } from './event-hub.js';
import { HttpIntake } from './http-intake.js';
import { feedLiveEvents } from './live-events.js';
import { Readiness, type ReadinessOptions } from './readiness.js';
import { ROUTE_GROUPS, type RouteGroup } from './routes/index.js';
import type { ServerContext } from './server-context.js';

/** Where `npm run build` puts the dashboard: dist/dashboard/ beside dist/server/ (or src/server/ under tsx). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

/** Comment heartbeats on the live stream, so proxies keep idle connections. */
const HEARTBEAT_MS = 15_000;

/** Routes whose JSON numbers must keep their text (directives: decimals are never floats, invariant 5). */
const LOSSLESS_ROUTES = new Set(['/api/directives']);

export interface BuildServerOptions {
  readonly platform: Platform;
  /** The API token (resolveAuthToken); null: /api is open (loopback only, checked by the caller). */
  readonly token: string | null;
  readonly logger: Logger;
  /** @default '0.0.0' */
  readonly version?: string;
  /** @default DEFAULT_DASHBOARD_DIR */
  readonly dashboardDir?: string;
  /** This worker's JetStream intake (bus.type nats), shown by GET /api/workers. @default null */
  readonly directiveStream?: DirectiveStream | null;
  /** Route groups besides the built-in ones (other parts of the API plug in here). */
  readonly routes?: readonly RouteGroup[];
  readonly readiness?: ReadinessOptions;
  /** Frames a live-stream client may have waiting before it is reset. @default 5000 */
  readonly sseClientQueue?: number;
  /** How long live events are gathered before each client's write. @default 100 */
  readonly sseFlushDelayMs?: number;
}

/** The HTTP server of `planexec serve`, built and not yet listening. */
export interface PlanexecServer {
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  /** Refuse new directives (503 draining) from now on; flows in flight go on. */
  beginDrain(): void;
  /** Stop the live stream and the HTTP server (the platform is the caller's to close). Idempotent. */
  close(): Promise<void>;
}

function isSecuredPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** `?access_token=` of the live stream (EventSource cannot set headers); only that route accepts it. */
function queryToken(request: FastifyRequest): string | null {
  if (pathOf(request.url) !== '/api/events') return null;
  const value = (request.query as Record<string, unknown> | undefined)?.access_token;
  return typeof value === 'string' ? value : null;
}

/**
 * Build the fastify app over a running platform: auth, CORS, body limits and lossless JSON,
 * the contract's error shape, the route groups (ROUTE_GROUPS and `options.routes`), the live
 * stream fed from the bus and the completion stream, and the dashboard's files.
 */
export async function buildServer(options: BuildServerOptions): Promise<PlanexecServer> {
  const { platform, token, logger } = options;
  const server = platform.config.server;
  const app = Fastify({ logger: false, bodyLimit: server.body_limit_bytes, forceCloseConnections: true });

  let draining = false;
  const events = new EventHub({
    bufferSize: server.sse_buffer_size,
    ...(options.sseClientQueue === undefined ? {} : { clientQueueSize: options.sseClientQueue }),
    ...(options.sseFlushDelayMs === undefined ? {} : { flushDelayMs: options.sseFlushDelayMs }),
  });
  const intake = new HttpIntake(platform, {
    maxPending: server.intake_max_pending,
    orchestratorMaxPending: platform.config.orchestration.plan_execution.concurrency.max_pending_directives,
  });
  const feed = feedLiveEvents(platform, events, logger);
  const heartbeat = setInterval(() => events.heartbeat(), HEARTBEAT_MS);
  heartbeat.unref();
  const context: ServerContext = {
    platform,
    server,
    token,
    tokenLabel: server.auth_token_label,
    intake,
    events,
    readiness: new Readiness(platform, options.readiness),
    directiveStream: options.directiveStream ?? null,
    logger,
    version: options.version ?? '0.0.0',
    draining: () => draining,
  };

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      const value: unknown = JSON.parse(text);
      const lossless = LOSSLESS_ROUTES.has(request.routeOptions.url ?? '') && holdsNumber(value);
      done(null, lossless ? parseLossless(text) : value);
    } catch (error) {
      done(validationError([{ index: null, path: '', rule: 'json', message: `is not valid JSON: ${errorMessage(error)}` }], 'body'));
    }
  });

  const cors = new Set(server.cors_origins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && cors.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
      reply.header('access-control-allow-headers', 'Authorization, Content-Type, Last-Event-ID');
      reply.header('access-control-allow-methods', 'GET, POST, PUT, OPTIONS');
      if (request.method === 'OPTIONS') return reply.code(204).send();
    }
    if (token === null || !isSecuredPath(request.url)) return undefined;
    const presented = bearerToken(request.headers.authorization) ?? queryToken(request);
    if (!tokenMatches(presented, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid "Authorization: Bearer <token>" header is required' });
    }
    return undefined;
  });

  app.addHook('onResponse', async (request, reply) => {
    // the path only: a query may carry access_token
    logger.debug({ method: request.method, path: pathOf(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http request');
  });

  app.setErrorHandler((error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) return reply.code(error.status).headers(error.headers).send(error.body());
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).send({ error: 'payload_too_large', message: `the body is over ${server.body_limit_bytes} bytes (server.body_limit_bytes)` });
    if (status === 415) return reply.code(415).send({ error: 'unsupported_media_type', message: 'send JSON (Content-Type: application/json)' });
    if (status >= 400 && status < 500) return reply.code(status).send({ error: 'bad_request', message: error.message });
    logger.error({ err: error, method: request.method, path: pathOf(request.url) }, 'http request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error (logged)' });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${pathOf(request.url)}` }));

  const router = new ApiRouter(app);
  for (const group of [...ROUTE_GROUPS, ...(options.routes ?? [])]) group(router, context);
  await registerDashboard(app, options.dashboardDir ?? DEFAULT_DASHBOARD_DIR);

  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    beginDrain: () => {
      draining = true;
    },
    close: () =>
      (closing ??= (async () => {
        draining = true;
        clearInterval(heartbeat);
        feed.stop();
        intake.dispose();
        events.close();
        await app.close();
      })()),
  };
}

/** The dashboard's built files at `/`; without a build, `/` says how to get one. */
async function registerDashboard(app: FastifyInstance, dir: string): Promise<void> {
  if (existsSync(dir)) {
    await app.register(fastifyStatic, { root: dir, prefix: '/', index: 'index.html' });
    return;
  }
  app.get('/', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(`planexec: the dashboard was not built (no ${dir}); run npm run build, or use the API under /api (GET /api/openapi.json describes it)\n`),
  );
}
