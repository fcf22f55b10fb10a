import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { eventually, json, startWorld, type ServerWorld } from './server-world.js';

let world: ServerWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

interface FlowStatus {
  flow_id: string;
  directive_id: string;
  status: string;
  final_state?: string;
  reason?: string;
  original?: { flow_id: string; status: string } | null;
}

describe('POST /api/directives', () => {
  it('answers 202 RUNNING once the directive is accepted, and the flow then succeeds', async () => {
    world = await startWorld();
    const directive = newTradeWire();
    const response = await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: directive });
    expect(response.statusCode).toBe(202);
    const { flows } = json<{ flows: FlowStatus[] }>(response);
    expect(flows).toEqual([{ flow_id: directive.directive_id, directive_id: directive.directive_id, status: 'RUNNING' }]);
    const record = await world.platform.store.flows.get(directive.directive_id);
    expect(record).toBeDefined();
    const app = world.app;
    const auth = world.auth;
    const done = await eventually(async () => {
      const flow = json<{ flow: { status: string } }>(await app.inject({ url: `/api/flows/${directive.directive_id}`, headers: auth }));
      return flow.flow.status === 'RUNNING' ? undefined : flow.flow.status;
    });
    expect(done).toBe('SUCCEEDED');
  });

  it('with ?wait=true answers each flow\'s end: status, final_state and reason', async () => {
    world = await startWorld();
    const batch = [newTradeWire({ strategy_id: 'a' }), newTradeWire({ strategy_id: 'b' })];
    const response = await world.app.inject({ method: 'POST', url: '/api/directives?wait=true', headers: world.auth, payload: { directives: batch } });
    expect(response.statusCode).toBe(202);
    const { flows } = json<{ flows: FlowStatus[] }>(response);
    expect(flows.map((f) => [f.directive_id, f.status, f.final_state])).toEqual(batch.map((d) => [d.directive_id, 'SUCCEEDED', 'SUCCESS']));
    expect(flows[0]?.reason).toMatch(/\S/);
  });

  it('answers 409 with the original flow for a single directive already executed, and DUPLICATE inside a batch', async () => {
    world = await startWorld();
    const directive = newTradeWire();
    await world.app.inject({ method: 'POST', url: '/api/directives?wait=true', headers: world.auth, payload: directive });
    const again = await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: directive });
    expect(again.statusCode).toBe(409);
    const body = json<{ error: string; flows: { flow_id: string; status: string }[] }>(again);
    expect(body.error).toBe('duplicate');
    expect(body.flows).toEqual([expect.objectContaining({ flow_id: directive.directive_id, status: 'SUCCEEDED' })]);

    const fresh = newTradeWire();
    const batch = await world.app.inject({ method: 'POST', url: '/api/directives?wait=true', headers: world.auth, payload: { directives: [directive, fresh, fresh] } });
    expect(batch.statusCode).toBe(202);
    const statuses = json<{ flows: FlowStatus[] }>(batch).flows.map((f) => f.status);
    expect(statuses).toEqual(['DUPLICATE', 'SUCCEEDED', 'DUPLICATE']);
  });

  it('answers 400 with every field path of every invalid item, runs nothing of the batch, and journals each invalid item as a failed flow', async () => {
    world = await startWorld();
    const good = newTradeWire();
    const bad = { ...newTradeWire(), scope: 'SOMETIMES', size_plan: { position_size: 'lots' } };
    const response = await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: { directives: [good, bad] } });
    expect(response.statusCode).toBe(400);
    const body = json<{ error: string; issues: { index: number; path: string; rule: string }[] }>(response);
    expect(body.error).toBe('validation');
    expect(body.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ index: 1, path: 'scope', rule: 'enum' }), expect.objectContaining({ index: 1, path: 'size_plan.position_size' })]),
    );
    expect(body.issues.every((i) => i.index === 1)).toBe(true);
    const platform = world.platform;
    const failed = await eventually(async () => ((await platform.store.flows.counts()).FAILED === 1 ? 1 : undefined));
    expect(failed).toBe(1);
    expect(await platform.store.flows.get(good.directive_id)).toBeUndefined();
  });

  it('answers 400 naming the rule for a body that is not JSON or not a directive batch', async () => {
    world = await startWorld();
    const notJson = await world.app.inject({ method: 'POST', url: '/api/directives', headers: { ...world.auth, 'content-type': 'application/json' }, payload: '{"directive_id": ' });
    expect(notJson.statusCode).toBe(400);
    expect(json<{ issues: { rule: string }[] }>(notJson).issues[0]?.rule).toBe('json');
    const empty = await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: { directives: [] } });
    expect(json<{ issues: { path: string; rule: string }[] }>(empty).issues).toEqual([expect.objectContaining({ path: 'directives', rule: 'min_items' })]);
  });

  it('keeps a JSON number\'s exact text (never a float) in the executed directive', async () => {
    world = await startWorld();
    const directive = newTradeWire();
    const text = JSON.stringify(directive).replace('"position_size":"0.015"', '"position_size":0.015000000000000001');
    const response = await world.app.inject({ method: 'POST', url: '/api/directives?wait=true', headers: { ...world.auth, 'content-type': 'application/json' }, payload: text });
    expect(response.statusCode, response.body).toBe(202);
    const [accepted] = await world.platform.store.journal.read({ flow_id: directive.directive_id, limit: 1 });
    expect((accepted?.body.directive as { size_plan: { position_size: string } }).size_plan.position_size).toBe('0.015000000000000001');
  });

  it('answers 413 for a body over server.body_limit_bytes', async () => {
    world = await startWorld({ server: { body_limit_bytes: 2048 } });
    const response = await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: { ...newTradeWire(), rationale: 'x'.repeat(3000) } });
    expect(response.statusCode).toBe(413);
    expect(json(response).error).toBe('payload_too_large');
  });

  it('answers 429 with Retry-After while the directives in flight fill server.intake_max_pending', async () => {
    world = await startWorld({ latencyMs: 150, server: { intake_max_pending: 2 } });
    const first = await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: { directives: [newTradeWire({ strategy_id: 'a' }), newTradeWire({ strategy_id: 'b' })] } });
    expect(first.statusCode).toBe(202);
    const over = await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: newTradeWire({ strategy_id: 'c' }) });
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(json(over).error).toBe('intake_full');
  });

  it('answers 503 draining once shutdown began', async () => {
    world = await startWorld();
    world.server.beginDrain();
    const response = await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: newTradeWire() });
    expect(response.statusCode).toBe(503);
    expect(json(response).error).toBe('draining');
  });
});

describe('CORS', () => {
  it('is off unless configured, and answers a configured origin\'s preflight without the token', async () => {
    world = await startWorld({ server: { cors_origins: ['https://ops.example.com'] } });
    const preflight = await world.app.inject({ method: 'OPTIONS', url: '/api/directives', headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
    const other = await world.app.inject({ url: '/api/flows', headers: { ...world.auth, origin: 'https://evil.example.com' } });
    expect(other.statusCode).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the dashboard files', () => {
  it('are served at / from the dashboard folder when it was built, without the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planexec-dashboard-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>planexec</title>');
      mkdirSync(join(dir, 'assets'));
      writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
      world = await startWorld({ build: { dashboardDir: dir } });
      const root = await world.app.inject({ url: '/' });
      expect(root.statusCode).toBe(200);
      expect(root.headers['content-type']).toContain('text/html');
      expect(root.body).toContain('<title>planexec</title>');
      expect((await world.app.inject({ url: '/assets/app.js' })).statusCode).toBe(200);
      expect((await world.app.inject({ url: '/api/nothing-here', headers: world.auth })).statusCode).toBe(404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
