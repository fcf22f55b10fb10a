import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { loopbackExchange } from './index.js';
import { BTC, rejection, useLoopbackVenue } from './ccxt-test-world.js';

const open = useLoopbackVenue();

function byClientId(exchange: ReturnType<typeof loopbackExchange>, clientOrderId: string) {
  return exchange.fetchOrder(undefined as unknown as string, BTC, { clientOrderId });
}


describe('loopback venue rate limits and server errors', () => {
  it('answers 429 with Retry-After before the order takes effect: ccxt raises DDoSProtection', async () => {
    const { exchange, client } = await open();
    await client.setFaults({ endpoints: { placeOrder: { rateLimitRate: 1, retryAfterSeconds: 7 } } });
    const error = await rejection(exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'limited' }));
    expect(error).toBeInstanceOf(ccxt.DDoSProtection);
    expect(error.message).toContain('429');
    const state = await client.state();
    expect(state.orders).toEqual([]);
    expect(state.requests.log.at(-1)).toMatchObject({ path: '/api/v3/order', status: 429, fault: 'rate_limit' });
    const raw = await fetch(`${client.url}/api/v3/order?symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': 'k' },
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(((await raw.json()) as { code: number }).code).toBe(-1003);
  });

  it('can answer 418 (IP ban) instead of 429', async () => {
    const { exchange, client } = await open();
    await client.setFaults({ all: { rateLimitRate: 1, rateLimitStatus: 418, retryAfterSeconds: 60 } });
    const error = await rejection(exchange.fetchBalance());
    expect(error).toBeInstanceOf(ccxt.DDoSProtection);
    expect(error.message).toContain('418');
  });

  it('answers 503 before the order takes effect: ccxt raises ExchangeNotAvailable', async () => {
    const { exchange, client } = await open();
    await client.setFaults({ endpoints: { placeOrder: { serverErrorRate: 1 } } });
    const error = await rejection(exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'down' }));
    expect(error).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect((await client.state()).orders).toEqual([]);
    await client.setFaults({});
    expect((await exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'down' })).status).toBe('closed');
  });

  it('can answer 5xx after the order took effect (outcome unknown): 500 is ExchangeNotAvailable, 504 RequestTimeout', async () => {
    const { exchange, client } = await open();
    await client.setFaults({ endpoints: { placeOrder: { serverErrorAfterAcceptRate: 1, serverErrorStatus: 500 } } });
    const unavailable = await rejection(exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'took-500' }));
    expect(unavailable).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    await client.setFaults({ endpoints: { placeOrder: { serverErrorAfterAcceptRate: 1, serverErrorStatus: 504 } } });
    const timedOut = await rejection(exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'took-504' }));
    expect(timedOut).toBeInstanceOf(ccxt.RequestTimeout);
    const state = await client.state();
    expect(state.orders.map((o) => [o['clientOrderId'], o['status']])).toEqual([
      ['took-500', 'NEW'],
      ['took-504', 'NEW'],
    ]);
    expect(state.requests.log.filter((r) => r.path === '/api/v3/order').map((r) => [r.status, r.fault])).toEqual([
      [500, 'server_error_after_accept'],
      [504, 'server_error_after_accept'],
    ]);
  });

  it('applies a fault of one endpoint kind only to that kind', async () => {
    const { exchange, client } = await open();
    await client.setFaults({ all: { serverErrorRate: 1 }, endpoints: { account: { serverErrorRate: 0 } } });
    expect((await exchange.fetchBalance())['USDT']).toMatchObject({ free: 100000 });
    expect(await rejection(exchange.fetchOpenOrders(BTC))).toBeInstanceOf(ccxt.ExchangeNotAvailable);
  });
});

describe('loopback venue timeouts after acceptance', () => {
  it('places the order, withholds the answer until ccxt gives up (RequestTimeout), and the order exists after', async () => {
    const { exchange, client } = await open({}, 300);
    await client.setFaults({ endpoints: { placeOrder: { timeoutAfterAcceptRate: 1 } } });
    const error = await rejection(exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'in-doubt' }));
    expect(error).toBeInstanceOf(ccxt.RequestTimeout);
    const found = await byClientId(exchange, 'in-doubt');
    expect(found).toMatchObject({ status: 'closed', filled: 0.01, clientOrderId: 'in-doubt' });
    const [logged] = await client.requests('POST /api/v3/order');
    expect(logged?.fault).toBe('timeout_after_accept');
  });

  it('with a hold time, drops the connection after it: ccxt sees a network error, the order exists', async () => {
    const { exchange, client } = await open({}, 5000);
    await client.setFaults({ endpoints: { placeOrder: { timeoutAfterAcceptRate: 1, timeoutHoldMs: 100 } } });
    const started = Date.now();
    const error = await rejection(exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'dropped' }));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(error).toBeInstanceOf(ccxt.NetworkError);
    expect((await byClientId(exchange, 'dropped')).status).toBe('open');
  });
});

describe('loopback venue bounded faults', () => {
  it('times out the first submit only; the retry with the same client id is refused as a duplicate', async () => {
    const { exchange, client } = await open({}, 300);
    await client.setFaults({ endpoints: { placeOrder: { timeoutAfterAcceptRate: 1, maxFaults: 1 } } });
    const submit = () => exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'PX00000000000000ab-1' });
    expect(await rejection(submit())).toBeInstanceOf(ccxt.RequestTimeout);
    const retry = await rejection(submit());
    expect(retry).toBeInstanceOf(ccxt.InvalidOrder);
    expect(retry.message).toContain('Duplicate order sent.');
    const other = await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'PX00000000000000ab-2' });
    expect(other.status).toBe('open');
    expect((await client.state()).orders.map((o) => o['clientOrderId'])).toEqual(['PX00000000000000ab-1', 'PX00000000000000ab-2']);
  });

  it('lets the first afterRequests requests of a kind through before its faults start', async () => {
    const { client } = await open();
    await client.setFaults({ endpoints: { public: { serverErrorRate: 1, afterRequests: 2 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${client.url}/api/v3/ping`)).status);
    expect(statuses).toEqual([200, 200, 503, 503]);
  });
});

describe('loopback venue not-found window', () => {
  it('hides a new order from GET order and myTrades for the window, then shows it', async () => {
    let now = 1_800_000_000_000;
    const { exchange, client } = await open({ now: () => now });
    await client.setFaults({
      endpoints: { getOrder: { notFoundAfterCreateMs: 1000 }, myTrades: { notFoundAfterCreateMs: 1000 } },
    });
    const order = await exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'late' });
    expect(await rejection(byClientId(exchange, 'late'))).toBeInstanceOf(ccxt.OrderNotFound);
    expect(await exchange.fetchMyTrades(BTC)).toEqual([]);
    now += 999;
    expect(await rejection(byClientId(exchange, 'late'))).toBeInstanceOf(ccxt.OrderNotFound);
    now += 1;
    expect((await byClientId(exchange, 'late')).id).toBe(order.id);
    expect((await exchange.fetchMyTrades(BTC)).map((t) => t.order)).toEqual([order.id]);
    const faults = (await client.requests('GET /api/v3/order')).map((r) => r.fault);
    expect(faults).toEqual(['not_found_window', 'not_found_window', null]);
  });
});

describe('loopback venue latency and determinism', () => {
  it('delays each request by the configured latency', async () => {
    const { exchange, client } = await open();
    await client.setFaults({ endpoints: { public: { latencyMs: 150 } } });
    const started = Date.now();
    await exchange.fetchTicker(BTC);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('draws the same fault sequence for the same seed and another one for another seed', async () => {
    const { client } = await open();
    const statuses = async (seed: number) => {
      await client.setFaults({ seed, endpoints: { public: { serverErrorRate: 0.5 } } });
      const result: number[] = [];
      for (let i = 0; i < 24; i++) result.push((await fetch(`${client.url}/api/v3/ping`)).status);
      return result;
    };
    const first = await statuses(11);
    expect(new Set(first)).toEqual(new Set([200, 503]));
    expect(await statuses(11)).toEqual(first);
    expect(await statuses(12)).not.toEqual(first);
  });

  it('refuses a malformed fault plan with the field and the rule', async () => {
    const { client } = await open();
    await expect(client.setFaults({ all: { serverErrorRate: 2 } })).rejects.toThrow(/all\.serverErrorRate/);
  });
});
