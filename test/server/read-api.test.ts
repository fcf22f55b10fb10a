import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { eventually, json, startWorld, type ServerWorld } from './server-world.js';

let world: ServerWorld;
const directives = [newTradeWire({ strategy_id: 'alpha' }), newTradeWire({ strategy_id: 'beta' }), newTradeWire({ strategy_id: 'alpha' })];

beforeAll(async () => {
  world = await startWorld();
  const response = await world.app.inject({ method: 'POST', url: '/api/directives?wait=true', headers: world.auth, payload: { directives } });
  expect(response.statusCode).toBe(202);
  // one refused flow, for the state filter
  await world.app.inject({ method: 'POST', url: '/api/directives', headers: world.auth, payload: { directive_id: 'broken' } });
  const flows = world.platform.store.flows;
  await eventually(async () => ((await flows.counts()).FAILED === 1 ? true : undefined));
});

afterAll(() => world.close());

const get = (url: string) => world.app.inject({ url, headers: world.auth });

interface FlowPage {
  flows: { flow_id: string; status: string; strategy_id: string | null }[];
  next_cursor: string | null;
}

describe('the API without a token', () => {
  it('answers 401 on every /api route, with a wrong token too, and leaves /healthz and /metrics open', async () => {
    for (const url of ['/api/flows', '/api/positions', '/api/journal', '/api/openapi.json', '/api/events']) {
      expect((await world.app.inject({ url })).statusCode, url).toBe(401);
    }
    const wrong = await world.app.inject({ url: '/api/flows', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(json(wrong)).toEqual({ error: 'unauthorized', message: expect.any(String) });
    expect(wrong.body).not.toContain('test-token');
    expect((await world.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await world.app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });
});

describe('GET /api/flows', () => {
  it('lists flows newest first, a page at a time through next_cursor, each flow once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: FlowPage = json<FlowPage>(await get(`/api/flows?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      expect(page.flows.length).toBeLessThanOrEqual(2);
      seen.push(...page.flows.map((f) => f.flow_id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(seen).toEqual(expect.arrayContaining(directives.map((d) => d.directive_id)));
  });

  it('filters by state and strategy_id, and refuses an unknown state naming the field', async () => {
    const failed = json<FlowPage>(await get('/api/flows?state=FAILED'));
    expect(failed.flows.map((f) => f.status)).toEqual(['FAILED']);
    const alpha = json<FlowPage>(await get('/api/flows?strategy_id=alpha'));
    expect(alpha.flows.map((f) => f.strategy_id)).toEqual(['alpha', 'alpha']);
    const bad = await get('/api/flows?state=SOMETIMES&limit=5000');
    expect(bad.statusCode).toBe(400);
    const paths = json<{ issues: { path: string }[] }>(bad).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['state', 'limit']));
  });

  it('lists only flows started at or after since', async () => {
    expect(json<FlowPage>(await get('/api/flows?since=2999-01-01T00:00:00Z')).flows).toEqual([]);
    expect(json<FlowPage>(await get('/api/flows?since=2000-01-01T00:00:00%2B02:00')).flows).toHaveLength(4);
    const bad = await get('/api/flows?since=yesterday');
    expect(json<{ issues: { path: string; rule: string }[] }>(bad).issues).toEqual([expect.objectContaining({ path: 'since', rule: 'iso8601' })]);
  });

  it('shows one flow with its causality timeline, and 404 for an unknown one', async () => {
    const id = directives[0]!.directive_id;
    const answer = json<{ flow: { status: string }; timeline: { kind: string; event_type: string; seq: number }[] }>(await get(`/api/flows/${id}`));
    expect(answer.flow.status).toBe('SUCCEEDED');
    const kinds = answer.timeline.map((t) => t.kind);
    expect(kinds[0]).toBe('directive');
    expect(kinds).toEqual(expect.arrayContaining(['plan', 'order', 'ledger']));
    const seqs = answer.timeline.map((t) => t.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect((await get('/api/flows/NOPE')).statusCode).toBe(404);
  });
});

describe('ledger, journal and verify', () => {
  it('lists open positions with a mark price and unrealised PnL as strings', async () => {
    const { positions } = json<{ positions: { trade_id: string; status: string; mark_price: string | null; unrealized_pnl: string | null; entry_price: string }[] }>(
      await get('/api/positions?status=OPEN'),
    );
    expect(positions.map((p) => p.trade_id).sort()).toEqual(directives.map((d) => d.directive_id).sort());
    for (const p of positions) {
      expect(p.mark_price).toMatch(/^\d+(\.\d+)?$/);
      expect(p.unrealized_pnl).toMatch(/^-?\d+(\.\d+)?$/);
    }
  });

  it('lists orders by trade and status', async () => {
    const id = directives[0]!.directive_id;
    const { orders } = json<{ orders: { trade_id: string; purpose: string; status: string }[] }>(await get(`/api/orders?trade_id=${id}`));
    expect(orders.map((o) => o.purpose).sort()).toEqual(['ENTRY', 'STOP_LOSS', 'TAKE_PROFIT']);
    const filled = json<{ orders: { status: string }[] }>(await get(`/api/orders?trade_id=${id}&status=FILLED`));
    expect(filled.orders.map((o) => o.status)).toEqual(['FILLED']);
  });

  it('pages the journal after a seq', async () => {
    const first = json<{ entries: { seq: number }[]; next_after_seq: number | null }>(await get('/api/journal?limit=3'));
    expect(first.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(first.next_after_seq).toBe(3);
    const rest = json<{ entries: { seq: number }[]; next_after_seq: number | null }>(await get('/api/journal?after_seq=3&limit=1000'));
    expect(rest.entries[0]?.seq).toBe(4);
    expect(rest.next_after_seq).toBeNull();
  });

  it('verifies journal, ledger and venue as planexec verify --json does', async () => {
    const report = json<{ ok: boolean; differences: unknown[]; checked: { positions: number } }>(await get('/api/verify'));
    expect(report.differences).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checked.positions).toBe(3);
  });
});

describe('operations', () => {
  it('serves an OpenAPI 3.1 document whose directive body is the directive schema', async () => {
    const doc = json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>> }>(await get('/api/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/directives', '/api/flows', '/api/flows/{flow_id}', '/api/events', '/metrics', '/readyz']));
    const body = JSON.stringify(doc.paths['/api/directives']?.post?.requestBody);
    expect(body).toContain('directive_id');
    expect(body).toContain('NEW_TRADE');
  });

  it('exposes Prometheus metrics and readiness', async () => {
    const metrics = await world.app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(/^# HELP /m);
    const ready = await world.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(json(ready)).toEqual({ ready: true, checks: { store: 'ok', venue: 'ok', recovery: 'ok' } });
  });

  it('answers / with a note when the dashboard was not built', async () => {
    const root = await world.app.inject({ url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain('dashboard was not built');
  });
});
