import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { json, startWorld, type ServerWorld } from './server-world.js';

let world: ServerWorld;

beforeEach(async () => {
  world = await startWorld({ server: { auth_token_label: 'desk-ops' } });
});
afterEach(() => world.close());

const get = (url: string) => world.app.inject({ url, headers: world.auth });
const put = (payload: unknown) => world.app.inject({ method: 'PUT', url: '/api/trading-state', headers: world.auth, payload: payload as Record<string, unknown> });

describe('PUT /api/trading-state (the kill switch over HTTP)', () => {
  it('halts trading as the token label, journaled with the reason, and the next NEW_TRADE stops DENIED with nothing sent', async () => {
    expect(json(await get('/api/trading-state'))).toMatchObject({ state: 'ACTIVE', changed_by: null });
    const changed = await put({ state: 'HALTED', reason: 'venue incident' });
    expect(changed.statusCode).toBe(200);
    expect(json(changed)).toMatchObject({ state: 'HALTED', reason: 'venue incident', changed_by: 'desk-ops' });
    expect(json(await get('/api/trading-state'))).toMatchObject({ state: 'HALTED', changed_by: 'desk-ops' });
    const metrics = (await world.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('planexec_trading_state{state="HALTED"} 1');
    expect(metrics).toContain('planexec_trading_state{state="ACTIVE"} 0');

    const directive = newTradeWire({ strategy_id: 'alpha' });
    const answer = await world.app.inject({ method: 'POST', url: '/api/directives?wait=true', headers: world.auth, payload: directive });
    expect(answer.statusCode).toBe(202);
    const [flow] = json<{ flows: { status: string; reason: string; error_details: { error_code: string } }[] }>(answer).flows;
    expect(flow).toMatchObject({ status: 'FAILED', error_details: { error_code: 'TRADING_STATE_HALTED' } });
    expect(flow!.reason).toMatch(/^DENIED: trading state HALTED \(venue incident\)/);
    const { orders } = json<{ orders: unknown[] }>(await get(`/api/orders?trade_id=${directive.directive_id}`));
    expect(orders).toEqual([]);

    const entries = await world.platform.store.journal.read();
    expect(entries.find((e) => e.event_type === 'TRADING_STATE_CHANGED')?.body).toMatchObject({ state: 'HALTED', previous: 'ACTIVE', reason: 'venue incident', changed_by: 'desk-ops' });
  });

  it('refuses an unknown state and a missing reason, naming each field, and changes nothing', async () => {
    const refused = await put({ state: 'PAUSED' });
    expect(refused.statusCode).toBe(400);
    const { issues } = json<{ issues: { path: string; rule: string }[] }>(refused);
    expect(issues.map((i) => i.path).sort()).toEqual(['reason', 'state']);
    expect(json(await get('/api/trading-state'))).toMatchObject({ state: 'ACTIVE' });
  });

  it('needs the token', async () => {
    const response = await world.app.inject({ method: 'PUT', url: '/api/trading-state', payload: { state: 'HALTED', reason: 'x' } });
    expect(response.statusCode).toBe(401);
    expect(world.platform.tradingState.current().state).toBe('ACTIVE');
  });
});

describe('exports and execution quality over HTTP', () => {
  beforeEach(async () => {
    const directives = [newTradeWire({ strategy_id: 'alpha' }), newTradeWire({ strategy_id: 'beta' })];
    expect((await world.app.inject({ method: 'POST', url: '/api/directives?wait=true', headers: world.auth, payload: { directives } })).statusCode).toBe(202);
  });

  it('downloads trades as CSV with a header row and one row per trade, and fills as JSON Lines', async () => {
    const csv = await get('/api/export/trades?format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toBe('attachment; filename=planexec-trades.csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^trade_id,/);
    expect(lines).toHaveLength(3);
    const fills = await get('/api/export/fills?format=jsonl');
    expect(fills.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const records = fills.body.trim().split('\n').map((l) => JSON.parse(l) as { price: unknown });
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(typeof records[0]!.price).toBe('string');
  });

  it('refuses an unknown export kind or format naming the field', async () => {
    const kind = await get('/api/export/positions');
    expect(kind.statusCode).toBe(400);
    expect(json<{ issues: { path: string }[] }>(kind).issues[0]!.path).toBe('kind');
    const format = await get('/api/export/trades?format=xlsx');
    expect(format.statusCode).toBe(400);
    expect(json<{ issues: { path: string }[] }>(format).issues[0]!.path).toBe('format');
  });

  it('reports execution quality per strategy and symbol with slippage as a decimal string', async () => {
    const { rows } = json<{ rows: { strategy_id: string; symbol: string; fills: number; avg_slippage_bps: string | null; fill_ratio: string }[] }>(await get('/api/execution-quality'));
    expect(rows.map((r) => r.strategy_id).sort()).toEqual(['alpha', 'beta']);
    for (const row of rows) {
      expect(row.fills).toBeGreaterThan(0);
      expect(row.avg_slippage_bps).toMatch(/^-?\d+(\.\d+)?$/);
      expect(row.fill_ratio).toBe('1');
    }
    const one = json<{ rows: unknown[] }>(await get('/api/execution-quality?strategy_id=alpha'));
    expect(one.rows).toHaveLength(1);
  });
});
