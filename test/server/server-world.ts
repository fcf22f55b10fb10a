import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { createPlatform, type Platform } from '../../src/app/create-platform.js';
import { defaultConfig, type PlatformConfig } from '../../src/config/schema.js';
import { buildServer, type BuildServerOptions, type PlanexecServer } from '../../src/server/build-server.js';

export const TOKEN = 'test-token-5d1c9a';

export interface WorldOptions {
  readonly server?: Partial<PlatformConfig['server']>;
  /** Paper venue latency per call: keeps flows in flight. @default 0 */
  readonly latencyMs?: number;
  /** @default TOKEN */
  readonly token?: string | null;
  /** A database file in a temporary folder instead of :memory:. */
  readonly onDisk?: boolean;
  readonly build?: Partial<BuildServerOptions>;
}

export interface ServerWorld {
  readonly platform: Platform;
  readonly server: PlanexecServer;
  readonly app: FastifyInstance;
  readonly auth: { readonly authorization: string };
  close(): Promise<void>;
}

/** A paper platform on an in-memory database (or a temporary file) with the HTTP server built over it (not listening). */
export async function startWorld(options: WorldOptions = {}): Promise<ServerWorld> {
  const base = defaultConfig();
  const config: PlatformConfig = {
    ...base,
    connector: { ...base.connector, paper: { ...base.connector.paper, latency_ms: options.latencyMs ?? 0 } },
    server: { ...base.server, ...options.server },
  };
  const dir = options.onDisk ? mkdtempSync(join(tmpdir(), 'planexec-server-')) : null;
  const logger = pino({ level: 'silent' });
  const platform = await createPlatform({ config, dbPath: dir === null ? ':memory:' : join(dir, 'planexec.db'), logger });
  const token = options.token === undefined ? TOKEN : options.token;
  const server = await buildServer({ platform, token, logger, dashboardDir: join(tmpdir(), 'planexec-no-dashboard'), ...options.build });
  return {
    platform,
    server,
    app: server.app,
    auth: { authorization: `Bearer ${token ?? ''}` },
    close: async () => {
      server.beginDrain();
      await platform.close();
      await server.close();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}

/** Poll until `check` returns a value (not undefined), or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
