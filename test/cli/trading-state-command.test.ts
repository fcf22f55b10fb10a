import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { acquireWriterLease } from '../../src/app/open-store.js';
import { runCli } from '../../src/cli/program.js';
import { TRADING_STATE_FLOW_ID } from '../../src/orchestration/trading-state.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { closeWire, newTradeWire } from '../support/directives.js';
import { type CapturedCliIo, captureCliIo } from '../support/capture-cli-io.js';

/** `planexec trading-state` in process: against the database, and through a running server (--url). */


async function cli(args: readonly string[], stdin?: string): Promise<CapturedCliIo> {
  const c = captureCliIo();
  await runCli(['--log-level', 'silent', ...args], c.io, stdin === undefined ? {} : { stdin: Readable.from([stdin]) });
  return c;
}

const dir = mkdtempSync(join(tmpdir(), 'planexec-trading-state-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

let dbCount = 0;
/** A fresh, empty planexec database. */
async function database(): Promise<string> {
  dbCount += 1;
  const db = join(dir, `db${dbCount}`, 'planexec.db');
  await openSqliteStore(db).close();
  return db;
}

describe('planexec trading-state (database)', () => {
  it('shows ACTIVE, never changed, on a database whose switch never moved', async () => {
    const db = await database();
    const text = await cli(['trading-state', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('trading state: ACTIVE (never changed)\n');
    const json = await cli(['trading-state', '--db', db, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ state: 'ACTIVE', reason: null, changed_by: null, changed_at: null });
  });

  it('sets the state with who and why, journals it, and shows it afterwards', async () => {
    const db = await database();
    const set = await cli(['trading-state', 'set', 'halted', '--reason', 'exchange maintenance', '--by', 'alice', '--db', db]);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^trading state set\ntrading state: HALTED\nreason: +exchange maintenance\nchanged by: +alice\n/);

    const shown = await cli(['trading-state', '--db', db, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ state: 'HALTED', reason: 'exchange maintenance', changed_by: 'alice' });
    const store = openSqliteStore(db);
    try {
      const [entry] = await store.journal.read({ flow_id: TRADING_STATE_FLOW_ID });
      expect(entry).toMatchObject({ event_type: 'TRADING_STATE_CHANGED', body: { state: 'HALTED', previous: 'ACTIVE', reason: 'exchange maintenance', changed_by: 'alice' } });
    } finally {
      await store.close();
    }
  });

  it('names the changer cli:<user> when --by is not given', async () => {
    const db = await database();
    const set = await cli(['trading-state', '--json', '--db', db, 'set', 'REDUCING', '--reason', 'wind down']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ state: 'REDUCING', changed_by: expect.stringMatching(/^cli/) });
  });

  it('exits 2 naming the allowed values for a bad state, and for a missing or empty --reason', async () => {
    const db = await database();
    const bad = await cli(['trading-state', 'set', 'PAUSED', '--reason', 'x', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the trading state must be one of ACTIVE, REDUCING, HALTED, got "PAUSED"');
    const missing = await cli(['trading-state', 'set', 'HALTED', '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--reason <text>' not specified");
    const empty = await cli(['trading-state', 'set', 'HALTED', '--reason', '  ', '--db', db]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--reason: a reason is required');
    expect((await cli(['trading-state', '--db', db, '--json'])).stdout).toContain('"state":"ACTIVE"');
  });

  it('exits 2 where there is no database, and creates no file', async () => {
    const folder = join(dir, 'nothing-here');
    const set = await cli(['trading-state', 'set', 'HALTED', '--reason', 'x', '--db', join(folder, 'planexec.db')]);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('no planexec database');
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
  });

  it('exits 3 while another process writes the database, and says to go through --url', async () => {
    const db = await database();
    const lease = await acquireWriterLease({ type: 'sqlite', path: db });
    try {
      const set = await cli(['trading-state', 'set', 'HALTED', '--reason', 'outage', '--db', db]);
      expect(set.code).toBe(3);
      expect(set.stderr).toContain('is in use by another writer');
      expect(set.stderr).toContain('--url http://HOST:PORT');
    } finally {
      lease?.release();
    }
    expect((await cli(['trading-state', '--db', db, '--json'])).stdout).toContain('"state":"ACTIVE"');
  });
});

describe('planexec run under the kill switch (paper venue)', () => {
  it('HALTED: a NEW_TRADE is denied with nothing sent, a CLOSE_EXISTING closes its trade; the summary counts the denial as failed', async () => {
    const db = join(dir, 'paper', 'planexec.db');
    const open = newTradeWire({ entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '1' }, exit_plan: { stop_loss_price: '100' } });
    const opened = await cli(['run', '--db', db, '--json', '-'], `${JSON.stringify(open)}\n`);
    expect(JSON.parse(opened.stdout.trim().split('\n').at(-1)!)).toMatchObject({ succeeded: 1 });

    expect((await cli(['trading-state', 'set', 'HALTED', '--reason', 'venue incident', '--by', 'ops', '--db', db])).code).toBe(0);
    const denied = newTradeWire({ entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '1' }, exit_plan: undefined });
    const close = closeWire([open.directive_id]);
    const run = await cli(['run', '--db', db, '--json', '-'], `${JSON.stringify(denied)}\n${JSON.stringify(close)}\n`);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { failures: { reason: string }[] };
    expect(summary).toMatchObject({ processed: 2, succeeded: 1, failed: 1 });
    expect(JSON.stringify(summary.failures)).toContain('DENIED: trading state HALTED (venue incident)');

    const orders = JSON.parse((await cli(['orders', '--db', db, '--json'])).stdout) as { directive_id: string | null }[];
    expect(orders.filter((o) => o.directive_id === denied.directive_id)).toEqual([]);
    const positions = JSON.parse((await cli(['positions', '--db', db, '--json'])).stdout) as { trade_id: string; status: string }[];
    expect(positions.map((p) => [p.trade_id, p.status])).toEqual([[open.directive_id, 'CLOSED']]);
  });
});

interface Seen {
  readonly method: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** A stand-in for `planexec serve`'s /api/trading-state that needs the token `secret`. */
async function fakeServer(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  let record = { state: 'ACTIVE', reason: null as string | null, changed_by: null as string | null, changed_at: null as string | null };
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', authorization: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== 'Bearer secret') {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: 'unauthorized', message: 'a bearer token is required' }));
        return;
      }
      if (req.method === 'PUT') {
        const change = JSON.parse(body) as { state: string; reason: string };
        record = { state: change.state, reason: change.reason, changed_by: 'api', changed_at: '2026-12-02T10:00:00.000Z' };
      }
      res.end(JSON.stringify(record));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('planexec trading-state --url (a running planexec serve)', () => {
  it('GETs and PUTs /api/trading-state with the bearer token from PLANEXEC_TOKEN', async () => {
    const server = await fakeServer();
    try {
      vi.stubEnv('PLANEXEC_TOKEN', 'secret');
      const set = await cli(['trading-state', 'set', 'HALTED', '--reason', 'outage', '--url', server.url, '--json']);
      expect(set.code).toBe(0);
      expect(JSON.parse(set.stdout)).toMatchObject({ state: 'HALTED', reason: 'outage', changed_by: 'api' });
      const shown = await cli(['trading-state', '--url', `${server.url}/`]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('trading state: HALTED');
      expect(server.seen.map((s) => [s.method, s.authorization])).toEqual([
        ['PUT', 'Bearer secret'],
        ['GET', 'Bearer secret'],
      ]);
      expect(JSON.parse(server.seen[0]!.body)).toEqual({ state: 'HALTED', reason: 'outage' });
    } finally {
      await server.close();
    }
  });

  it('reads the token from the variable --token-env names, and exits 2 when it is not set', async () => {
    const server = await fakeServer();
    try {
      vi.stubEnv('OPS_TOKEN', 'secret');
      expect((await cli(['trading-state', '--url', server.url, '--token-env', 'OPS_TOKEN'])).code).toBe(0);
      const unset = await cli(['trading-state', '--url', server.url, '--token-env', 'NO_SUCH_TOKEN_VARIABLE']);
      expect(unset.code).toBe(2);
      expect(unset.stderr).toContain('--token-env NO_SUCH_TOKEN_VARIABLE: that environment variable is not set');
    } finally {
      await server.close();
    }
  });

  it('with --config, reads the token from the variable serve reads it from (server.auth_token_env)', async () => {
    const server = await fakeServer();
    const dir = mkdtempSync(join(tmpdir(), 'planexec-ts-config-'));
    try {
      const config = join(dir, 'platform.yaml');
      writeFileSync(config, 'server:\n  auth_token_env: DESK_API_TOKEN\n');
      vi.stubEnv('DESK_API_TOKEN', 'secret');
      vi.stubEnv('PLANEXEC_TOKEN', 'other');
      const shown = await cli(['trading-state', '--url', server.url, '--config', config]);
      expect(shown.stderr).toBe('');
      expect(shown.code).toBe(0);
      expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer secret']);
      vi.stubEnv('DESK_API_TOKEN', '');
      const unset = await cli(['trading-state', '--url', server.url, '--config', config]);
      expect(unset.code).toBe(2);
      expect(unset.stderr).toContain('server.auth_token_env DESK_API_TOKEN: that environment variable is not set');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with a clear message when the server answers 401', async () => {
    const server = await fakeServer();
    try {
      vi.stubEnv('PLANEXEC_TOKEN', 'wrong');
      const refused = await cli(['trading-state', '--url', server.url]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('refused the token (401)');
      vi.stubEnv('PLANEXEC_TOKEN', '');
      const none = await cli(['trading-state', '--url', server.url]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('needs a token (401): put it in PLANEXEC_TOKEN');
    } finally {
      await server.close();
    }
  });

  it('exits 1 when nothing listens at --url, and 2 for an address that is not http(s) or with --by', async () => {
    const server = await fakeServer();
    const { url } = server;
    await server.close();
    const unreachable = await cli(['trading-state', '--url', url]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`cannot reach planexec serve at ${url}`);
    const notHttp = await cli(['trading-state', '--url', 'ftp://example.org']);
    expect(notHttp.code).toBe(2);
    expect(notHttp.stderr).toContain('--url must start with http:// or https://');
    const withBy = await cli(['trading-state', 'set', 'HALTED', '--reason', 'x', '--by', 'bob', '--url', url]);
    expect(withBy.code).toBe(2);
    expect(withBy.stderr).toContain('--by cannot be used with --url');
  });
});
