import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load-config.js';
import { RiskSchema } from '../../src/config/schema.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { TokenBucket } from '../../src/orchestration/token-bucket.js';
import { closeWire, newTradeWire } from '../support/directives.js';
import { FakeClock } from '../support/fake-clock.js';
import { createHarness, type HarnessOptions } from './harness.js';

/** 0.015 BTC at 65000: every default NEW_TRADE's entry has a notional of 975. */
function harness(risk: Record<string, unknown>, options: HarnessOptions = {}) {
  return createHarness({ ...options, risk: RiskSchema.parse(risk) });
}

const bare = (overrides: Parameters<typeof newTradeWire>[0] = {}) => newTradeWire({ exit_plan: undefined, ...overrides });

describe('risk.max_order_notional', () => {
  it('denies an entry above it with RISK_MAX_ORDER_NOTIONAL, naming the limit and the figure; nothing is sent', async () => {
    const h = harness({ max_order_notional: '900' });
    const result = await h.submit(newTradeWire());
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'RISK_MAX_ORDER_NOTIONAL' });
    expect(result.reason).toContain('order notional 975 (0.015 × 65000 BTC_USDT) is above risk.max_order_notional 900 [max_order_notional]');
    expect(h.connector.callsOf('placeOrder')).toHaveLength(0);
    expect(h.stops()[0]!.payload.error_details).toMatchObject({ error_type: 'RiskDenied', error_code: 'RISK_MAX_ORDER_NOTIONAL' });
    expect(h.journal.ofType('ORDER_INTENT')).toHaveLength(0);
  });

  it('lets an entry within it through, and never refuses its protective legs (a take profit of 0.015 × 67000 = 1005)', async () => {
    const h = harness({ max_order_notional: '1000' });
    const result = await h.submit(newTradeWire());
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.placed().map((o) => o.order_type)).toEqual(['MARKET', 'STOP_MARKET', 'LIMIT']);
  });

  it('measures a limit order at its limit price', async () => {
    const h = harness({ max_order_notional: '950' });
    const result = await h.submit(bare({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '60000' } }));
    // 0.015 × 60000 = 900
    expect(result.outcome).toBe('SUCCEEDED');
  });
});

describe('risk.max_strategy_notional', () => {
  it('counts the strategy’s open exposure plus the new order; another strategy has its own', async () => {
    const h = harness({ max_strategy_notional: '2000' });
    expect((await h.submit(bare())).outcome).toBe('SUCCEEDED');
    expect((await h.submit(bare())).outcome).toBe('SUCCEEDED');
    const third = await h.submit(bare());
    expect(third).toMatchObject({ outcome: 'FAILED', error_code: 'RISK_MAX_STRATEGY_NOTIONAL' });
    expect(third.reason).toContain('exposure of strategy btc_momentum with this order 2925 is above risk.max_strategy_notional 2000');
    expect((await h.submit(bare({ strategy_id: 'eth_swing' }))).outcome).toBe('SUCCEEDED');
    expect(h.connector.placed()).toHaveLength(3);
  });

  it('counts a resting entry at its limit price, and a closed trade no more', async () => {
    const h = harness({ max_strategy_notional: '1000' });
    const resting = bare({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '60000' } });
    expect((await h.submit(resting)).outcome).toBe('SUCCEEDED');
    // 900 resting + 975
    expect((await h.submit(bare())).error_code).toBe('RISK_MAX_STRATEGY_NOTIONAL');
    expect((await h.submit(closeWire([resting.directive_id]))).outcome).toBe('SUCCEEDED');
    expect((await h.submit(bare())).outcome).toBe('SUCCEEDED');
  });
});

describe('risk.max_symbol_notional', () => {
  it('counts every strategy’s exposure on the symbol', async () => {
    const h = harness({ max_symbol_notional: '1500' });
    expect((await h.submit(bare({ strategy_id: 'a' }))).outcome).toBe('SUCCEEDED');
    const second = await h.submit(bare({ strategy_id: 'b' }));
    expect(second).toMatchObject({ outcome: 'FAILED', error_code: 'RISK_MAX_SYMBOL_NOTIONAL' });
    expect(h.stops()[1]!.payload.error_details).toMatchObject({ error_code: 'RISK_MAX_SYMBOL_NOTIONAL' });
    // another symbol is not counted: 0.5 ETH at 3000 = 1500
    const eth = bare({ strategy_id: 'b', entry_plan: { symbol: 'ETH_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '0.5' } });
    expect((await h.submit(eth)).outcome).toBe('SUCCEEDED');
  });
});

describe('risk.max_open_orders', () => {
  it('refuses an entry that would make one too many live orders, but never a protective leg', async () => {
    const h = harness({ max_open_orders: 3 });
    // filled entry, then SL and TP live: 2
    expect((await h.submit(newTradeWire())).outcome).toBe('SUCCEEDED');
    // entry makes 3: allowed; its SL and TP make 5: never refused
    expect((await h.submit(newTradeWire())).outcome).toBe('SUCCEEDED');
    expect(h.connector.placed()).toHaveLength(6);
    const third = await h.submit(newTradeWire());
    expect(third).toMatchObject({ outcome: 'FAILED', error_code: 'RISK_MAX_OPEN_ORDERS' });
    expect(third.reason).toContain('5 orders would be live at the venue, above risk.max_open_orders 3');
    expect(h.connector.placed()).toHaveLength(6);
  });
});

describe('risk.order_rate', () => {
  it('refuses an adding order when the budget is spent, and makes reduce-only legs wait for their turn instead', async () => {
    const h = harness({ order_rate: { max_orders: 2, per_seconds: 10 } });
    const first = newTradeWire();
    expect((await h.submit(first)).outcome).toBe('SUCCEEDED');
    const sends = h.connector.callsOf('placeOrder').map((c) => c.at - h.connector.callsOf('placeOrder')[0]!.at);
    // entry and stop at once; the take profit waited 5 s for the budget to refill one order
    expect(sends).toEqual([0, 0, 5000]);
    const second = await h.submit(newTradeWire());
    expect(second).toMatchObject({ outcome: 'FAILED', error_code: 'RISK_ORDER_RATE' });
    expect(second.reason).toContain('the order-rate budget of 2 per 10 s is spent');
    expect(h.connector.placed()).toHaveLength(3);
    await h.clock.advance(5000);
    expect((await h.submit(bare())).outcome).toBe('SUCCEEDED');
  });

  it('a cancel waits too, bounded by the execution deadline', async () => {
    const h = harness({ order_rate: { max_orders: 1, per_seconds: 600 } }, { config: { timeout_seconds: 5 } });
    const open = bare({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '60000' } });
    expect((await h.submit(open)).outcome).toBe('SUCCEEDED');
    const close = await h.submit(closeWire([open.directive_id]));
    expect(close).toMatchObject({ outcome: 'FAILED', error_code: 'EXECUTION_TIMEOUT' });
    expect(close.reason).toContain('waiting for the order-rate budget');
    expect(h.connector.callsOf('cancelOrder')).toHaveLength(0);
    expect(h.ledger.orders.get(clientOrderId(open.directive_id, 'E'))?.status).toBe('OPEN');
  });
});

describe('TokenBucket', () => {
  it('holds at most its capacity and refills evenly on the injected clock', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ capacity: 3, perSeconds: 3, clock });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(bucket.waitMs()).toBe(1000);
    await clock.advance(60_000);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    let taken = false;
    const waiting = bucket.take().then(() => (taken = true));
    await clock.runUntil(() => taken, 2000, 100);
    await waiting;
    expect(clock.now()).toBeGreaterThanOrEqual(60_000 + 1000);
  });
});

describe('risk config, per environment', () => {
  const text = [
    'risk:',
    '  max_open_orders: 100',
    'environments:',
    '  live:',
    '    risk:',
    '      max_order_notional: "5000"',
    '      order_rate: { max_orders: 10, per_seconds: 2 }',
    '  paper:',
    '    logging: { level: warn }',
    '',
  ].join('\n');

  it('is off by default: every limit 0', () => {
    const { config } = loadConfigText('', 'platform.yaml', { environ: {} });
    expect(config.risk.max_order_notional.toFixed()).toBe('0');
    expect(config.risk).toMatchObject({ max_open_orders: 0, order_rate: { max_orders: 0, per_seconds: 1 } });
  });

  it('environments.live.risk overrides the base for live only', () => {
    const live = loadConfigText(text, 'platform.yaml', { environ: {}, env: 'live' }).config.risk;
    expect(live.max_order_notional.toFixed()).toBe('5000');
    expect(live).toMatchObject({ max_open_orders: 100, order_rate: { max_orders: 10, per_seconds: 2 } });
    const paper = loadConfigText(text, 'platform.yaml', { environ: {}, env: 'paper' }).config.risk;
    expect(paper.max_order_notional.toFixed()).toBe('0');
    expect(paper).toMatchObject({ max_open_orders: 100, order_rate: { max_orders: 0 } });
  });

  it('a negative limit is refused naming the key and the rule', () => {
    expect(() => loadConfigText('risk:\n  max_symbol_notional: "-1"\n', 'platform.yaml', { environ: {} })).toThrow(/risk\.max_symbol_notional: .*\[non_negative\]/);
  });
});
