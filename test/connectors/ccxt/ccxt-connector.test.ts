import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ExchangeError, ExchangeNotAvailable } from 'ccxt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExecutionReport, OrderRequest } from '../../../src/ports/connector.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { PlanexecError, TransientError, UnknownOutcomeError, VenueRejected } from '../../../src/domain/errors.js';
import { clientOrderId } from '../../../src/domain/ids.js';
import { CcxtConnector } from '../../../src/connectors/ccxt/ccxt-connector.js';
import { createCcxtExchange } from '../../../src/connectors/ccxt/create-ccxt-exchange.js';
import { systemClock } from '../../../src/domain/clock.js';
import { silentLogger } from '../../support/fakes.js';
import { ccxtOverLoopback, manualScheduler, type CcxtOverLoopback } from './ccxt-fixture.js';

let world: CcxtOverLoopback | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function open(options: Parameters<typeof ccxtOverLoopback>[0] = {}): Promise<CcxtOverLoopback> {
  world = await ccxtOverLoopback(options);
  return world;
}

let seq = 0;
function order(overrides: Partial<OrderRequest> = {}): OrderRequest {
  seq += 1;
  return {
    client_order_id: clientOrderId(`directive-${seq}-${Date.now()}`, 'E'),
    symbol: 'BTC_USDT',
    side: 'BUY',
    order_type: 'MARKET',
    quantity: new Decimal('0.001'),
    time_in_force: 'GTC',
    reduce_only: false,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('CcxtConnector over the loopback venue (binance)', () => {
  it('declares a spot venue: netting, no short selling, no native stops, no idempotent submit, fills in parts, post-only and native icebergs (binance)', async () => {
    const { connector } = await open();
    expect(connector.venue).toBe('binance');
    expect(connector.capabilities).toEqual({
      idempotentSubmit: false,
      nativeStops: false,
      partialFills: true,
      // binance's spot editOrder is cancel-replace (a new order id): planexec cancels and replaces itself
      amendOrders: false,
      fetchByClientOrderId: true,
      positionMode: 'netting',
      shortSelling: false,
      marketSlippageCap: false,
      // LIMIT_MAKER and icebergQty on binance spot
      postOnly: true,
      nativeIceberg: true,
    });
  });

  it('loads the rules from the exchange filters as exact decimals', async () => {
    const { connector } = await open();
    const rules = await connector.getInstrument('BTC_USDT');
    expect(rules.symbol).toBe('BTC_USDT');
    expect([rules.base_asset, rules.quote_asset]).toEqual(['BTC', 'USDT']);
    expect([rules.tick_size, rules.lot_size, rules.min_quantity, rules.min_notional, rules.max_quantity].map((d) => d?.toFixed())).toEqual(['0.01', '0.00001', '0.00001', '5', '9000']);
    expect((await connector.getReferencePrice('BTC_USDT')).toFixed()).toBe('65000');
  });

  it('an unknown symbol is VenueRejected naming the symbol', async () => {
    const { connector } = await open();
    const error = await failure(connector.getInstrument('DOGE_USDT'));
    expect(error).toBeInstanceOf(VenueRejected);
    expect((error as VenueRejected).message).toContain('DOGE_USDT');
    expect((error as VenueRejected).code).toBe('UNKNOWN_SYMBOL');
  });

  it('sends our client order id as newClientOrderId, never a broker id of ccxt', async () => {
    const { connector, venue } = await open();
    const sent = order();
    await connector.placeOrder(sent);
    const [request] = await venue.client.requests('POST /api/v3/order');
    expect(request?.params.newClientOrderId).toBe(sent.client_order_id);
    expect(JSON.stringify(request?.params)).not.toMatch(/x-[A-Za-z0-9]{8}/);
  });

  it('refuses an off-grid quantity or price naming the field, before any request leaves', async () => {
    const { connector, venue } = await open();
    const quantity = await failure(connector.placeOrder(order({ quantity: new Decimal('0.000015') })));
    expect(quantity).toBeInstanceOf(VenueRejected);
    expect((quantity as VenueRejected).details).toMatchObject({ field: 'quantity', step: '0.00001' });
    const price = await failure(connector.placeOrder(order({ order_type: 'LIMIT', limit_price: new Decimal('60000.005') })));
    expect((price as VenueRejected).details).toMatchObject({ field: 'limit_price', step: '0.01' });
    expect(await venue.client.requests('POST /api/v3/order')).toEqual([]);
  });

  it('reports each fill with its trade id, and the fee in the asset the venue charged (base asset on a BUY)', async () => {
    const { connector } = await open({ venue: { commissionRate: '0.001', splitFills: { aboveQuantity: '0.001', parts: 3 } } });
    const placed = await connector.placeOrder(order({ quantity: new Decimal('0.003') }));
    expect(placed.status).toBe('FILLED');
    expect(placed.fills.length).toBe(3);
    expect(new Set(placed.fills.map((f) => f.venue_trade_id)).size).toBe(3);
    const total = placed.fills.reduce((s, f) => s.plus(f.quantity), new Decimal(0));
    expect(total.toFixed()).toBe('0.003');
    for (const fill of placed.fills) {
      expect(fill.fee_asset).toBe('BTC');
      expect(fill.fee.eq(fill.quantity.mul('0.001'))).toBe(true);
    }
    const sold = await connector.placeOrder(order({ side: 'SELL', quantity: new Decimal('0.002') }));
    expect(sold.fills.every((f) => f.fee_asset === 'USDT')).toBe(true);
  });

  it('a submit that timed out after the venue took it, sent again, meets "Duplicate order sent." and adopts the order', async () => {
    const { connector, venue } = await open({ timeoutMs: 400, venue: { duplicateWindowMs: 60_000 } });
    const sent = order({ order_type: 'LIMIT', limit_price: new Decimal('60000') });
    await venue.client.setFaults({ endpoints: { placeOrder: { timeoutAfterAcceptRate: 1, timeoutHoldMs: 2000 } } });
    const first = await failure(connector.placeOrder(sent));
    expect(first).toBeInstanceOf(UnknownOutcomeError);
    await venue.client.setFaults({});
    const adopted = await connector.placeOrder(sent);
    expect(adopted).toMatchObject({ client_order_id: sent.client_order_id, status: 'OPEN' });
    const state = await venue.client.state();
    expect(state.orders.filter((o) => o.clientOrderId === sent.client_order_id)).toHaveLength(1);
    const posts = await venue.client.requests('POST /api/v3/order');
    expect(posts.map((p) => p.status)).toEqual([expect.any(Number), 400]);
  });

  it('a 429 is a TransientError carrying the Retry-After as retry_after_ms', async () => {
    const { connector, venue } = await open();
    await connector.getInstrument('BTC_USDT');
    await venue.client.setFaults({ endpoints: { placeOrder: { rateLimitRate: 1, retryAfterSeconds: 7 } } });
    const error = await failure(connector.placeOrder(order()));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('RATE_LIMITED');
    expect((error as TransientError).details.retry_after_ms).toBe(7000);
  });

  it('a 503 on a read is transient; an order looked up in its "not found" window is undefined, then found', async () => {
    const { connector, venue } = await open();
    await connector.getInstrument('BTC_USDT');
    await venue.client.setFaults({ endpoints: { getOrder: { notFoundAfterCreateMs: 400 }, myTrades: { notFoundAfterCreateMs: 400 } } });
    const sent = order({ order_type: 'LIMIT', limit_price: new Decimal('60000') });
    await connector.placeOrder(sent);
    expect(await connector.fetchOrder(sent.client_order_id, 'BTC_USDT')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await connector.fetchOrder(sent.client_order_id, 'BTC_USDT'))?.status).toBe('OPEN');
    await venue.client.setFaults({ endpoints: { getOrder: { serverErrorRate: 1 } } });
    expect(await failure(connector.fetchOrder(sent.client_order_id, 'BTC_USDT'))).toBeInstanceOf(TransientError);
  });

  it('a read is asked again after a 429 or a 5xx (nothing changes at the venue), so a rate-limited start-up goes on', async () => {
    const { connector, venue } = await open();
    await venue.client.setFaults({ endpoints: { account: { rateLimitRate: 1, retryAfterSeconds: 0, maxFaults: 2 } } });
    const balances = await connector.fetchBalances();
    expect(balances?.find((b) => b.asset === 'USDT')?.free.gt(0)).toBe(true);
    const asked = await venue.client.requests('GET /api/v3/account');
    expect(asked.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('a 5xx on a submit is an unknown outcome (the venue may have taken it): here it did, and the order is found by its id', async () => {
    const { connector, venue } = await open();
    await connector.getInstrument('BTC_USDT');
    await venue.client.setFaults({ endpoints: { placeOrder: { serverErrorAfterAcceptRate: 1 } } });
    const sent = order();
    const error = await failure(connector.placeOrder(sent));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).code).toBe('VENUE_UNAVAILABLE');
    await venue.client.setFaults({});
    expect((await connector.fetchOrder(sent.client_order_id, 'BTC_USDT'))?.status).toBe('FILLED');
  });

  it('insufficient balance is VenueRejected (spot cannot sell what it does not hold)', async () => {
    const { connector } = await open();
    const error = await failure(connector.placeOrder(order({ side: 'SELL' })));
    expect(error).toBeInstanceOf(VenueRejected);
    expect((error as VenueRejected).code).toBe('INSUFFICIENT_FUNDS');
  });

  it('polls resting orders: a partial then a final fill are reported once each, with only the new fills', async () => {
    const { connector, venue } = await open({ venue: { splitFills: { aboveQuantity: '0.001', parts: 2 } } });
    const reports: ExecutionReport[] = [];
    connector.onExecution((r) => reports.push(r));
    const sent = order({ order_type: 'LIMIT', limit_price: new Decimal('64000'), quantity: new Decimal('0.002') });
    await connector.placeOrder(sent);
    await connector.pollNow();
    expect(reports).toEqual([]);
    await venue.client.setPrice('BTCUSDT', '63000');
    await connector.pollNow();
    await connector.pollNow();
    const mine = reports.filter((r) => r.order.client_order_id === sent.client_order_id);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.at(-1)?.order.status).toBe('FILLED');
    const reported = mine.flatMap((r) => r.new_fills.map((f) => f.venue_trade_id));
    expect(new Set(reported).size).toBe(reported.length);
    expect(mine.flatMap((r) => r.new_fills).reduce((s, f) => s.plus(f.quantity), new Decimal(0)).toFixed()).toBe('0.002');
    await connector.pollNow();
    expect(reports.filter((r) => r.order.client_order_id === sent.client_order_id)).toHaveLength(mine.length);
  });

  it('fetchBalances gives free and locked per asset as exact decimals', async () => {
    const { connector } = await open({ venue: { balances: { USDT: '1000.5', BTC: '0.25' } } });
    await connector.placeOrder(order({ order_type: 'LIMIT', limit_price: new Decimal('60000'), quantity: new Decimal('0.01') }));
    const balances = await connector.fetchBalances();
    const usdt = balances?.find((b) => b.asset === 'USDT');
    expect([usdt?.free.toFixed(), usdt?.locked.toFixed()]).toEqual(['400.5', '600']);
    expect(balances?.find((b) => b.asset === 'BTC')?.free.toFixed()).toBe('0.25');
  });

  it('an error outside the table is logged at error level with its class and counted: an unknown outcome on a submit, transient on a read (asked again)', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }));
    const { connector, errorMetrics, exchange } = await open({ logger });
    await connector.getInstrument('BTC_USDT');
    // a venue code ccxt maps to no specific class arrives as a bare ExchangeError
    vi.spyOn(exchange, 'createOrder').mockRejectedValueOnce(new ExchangeError('binance {"code":-9999,"msg":"Something new."}'));
    vi.spyOn(exchange, 'fetchTicker').mockRejectedValueOnce(new ExchangeError('binance {"code":-9998,"msg":"Something else."}'));
    const submit = await failure(connector.placeOrder(order()));
    expect(submit).toBeInstanceOf(UnknownOutcomeError);
    expect((submit as UnknownOutcomeError).code).toBe('VENUE_UNMAPPED_ERROR');
    // transient on a read: asked again, and the second answer is the price
    expect((await connector.getReferencePrice('BTC_USDT')).toFixed()).toBe('65000');
    expect(await errorMetrics.unmappedCount('binance', 'ExchangeError')).toBe(2);
    const logged = lines.map((l) => JSON.parse(l) as { level: number; error_class: string; operation: string; msg: string });
    expect(logged).toEqual([
      expect.objectContaining({ level: 50, error_class: 'ExchangeError', operation: 'submit', msg: expect.stringContaining('Something new') }),
      expect.objectContaining({ level: 50, error_class: 'ExchangeError', operation: 'read' }),
    ]);
  });

  it('a venue whose editOrder keeps the order amends in place: editOrder gets the venue order id and our exact strings', async () => {
    const { connector, exchange } = await open({ profile: { clientId: { maxLength: 36, hyphen: true, underscore: true }, editInPlace: true, postOnly: true, nativeIceberg: false } });
    expect(connector.capabilities.amendOrders).toBe(true);
    const sent = order({ order_type: 'LIMIT', limit_price: new Decimal('60000'), quantity: new Decimal('0.001') });
    const placed = await connector.placeOrder(sent);
    const edit = vi.spyOn(exchange, 'editOrder').mockImplementation(async () => exchange.fetchOrder(placed.venue_order_id, 'BTC/USDT'));
    await connector.amendOrder(sent.client_order_id, 'BTC_USDT', { quantity: new Decimal('0.00123'), limit_price: new Decimal('59999.99') });
    expect(edit).toHaveBeenCalledWith(placed.venue_order_id, 'BTC/USDT', 'limit', 'buy', '0.00123', '59999.99', { clientOrderId: sent.client_order_id });
    const offGrid = await failure(connector.amendOrder(sent.client_order_id, 'BTC_USDT', { limit_price: new Decimal('59999.999') }));
    expect((offGrid as VenueRejected).details).toMatchObject({ field: 'limit_price' });
    expect(edit).toHaveBeenCalledTimes(1);
  });

  it('binance: a post-only child goes out as ccxt postOnly (LIMIT_MAKER, no time in force) and rests; a display quantity as icebergQty; a venue without them refuses locally', async () => {
    const { connector, exchange } = await open();
    expect([connector.capabilities.postOnly, connector.capabilities.nativeIceberg]).toEqual([true, true]);
    const create = vi.spyOn(exchange, 'createOrder');
    const maker = await connector.placeOrder(order({ order_type: 'LIMIT', limit_price: new Decimal('64000'), quantity: new Decimal('0.001'), post_only: true }));
    expect(maker.status).toBe('OPEN');
    expect(create.mock.calls[0]?.[5]).toEqual({ clientOrderId: expect.any(String), postOnly: true });
    await connector.placeOrder(order({ order_type: 'LIMIT', limit_price: new Decimal('64000'), quantity: new Decimal('0.01'), display_quantity: new Decimal('0.002') }));
    expect(create.mock.calls[1]?.[5]).toMatchObject({ icebergQty: '0.002', timeInForce: 'GTC' });

    const plain = await open({ profile: { clientId: { maxLength: 36, hyphen: true, underscore: true }, editInPlace: false, postOnly: false, nativeIceberg: false } });
    const refused = await failure(plain.connector.placeOrder(order({ order_type: 'LIMIT', limit_price: new Decimal('64000'), quantity: new Decimal('0.001'), post_only: true })));
    expect((refused as PlanexecError).code).toBe('POST_ONLY_NOT_SUPPORTED');
    const iceberg = await failure(plain.connector.placeOrder(order({ order_type: 'LIMIT', limit_price: new Decimal('64000'), quantity: new Decimal('0.01'), display_quantity: new Decimal('0.002') })));
    expect((iceberg as PlanexecError).code).toBe('ICEBERG_NOT_SUPPORTED');
  });

  it('binance (editOrder is cancel-replace there): amendOrder is VenueRejected saying amend is unsupported', async () => {
    const { connector } = await open();
    const sent = order({ order_type: 'LIMIT', limit_price: new Decimal('60000') });
    await connector.placeOrder(sent);
    const error = await failure(connector.amendOrder(sent.client_order_id, 'BTC_USDT', { limit_price: new Decimal('59000') }));
    expect(error).toBeInstanceOf(VenueRejected);
    expect((error as VenueRejected).code).toBe('AMEND_UNSUPPORTED');
  });

  it('a submit the venue took whose fills then cannot be read is an unknown outcome (never "not processed", which would resend it)', async () => {
    const { connector, exchange, venue } = await open();
    await connector.getInstrument('BTC_USDT');
    const createOrder = exchange.createOrder.bind(exchange);
    // an answer without its trades, and the trade look-up failing after it
    vi.spyOn(exchange, 'createOrder').mockImplementationOnce(async (...args: Parameters<typeof createOrder>) => ({ ...(await createOrder(...args)), trades: [] }));
    const trades = vi.spyOn(exchange, 'fetchMyTrades').mockRejectedValue(new ExchangeNotAvailable('binance 503 Service Unavailable'));
    const sent = order();
    const error = await failure(connector.placeOrder(sent));
    trades.mockRestore();
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).code).toBe('ORDER_DETAILS_UNREAD');
    expect(await venue.client.requests('POST /api/v3/order')).toHaveLength(1);
    const found = await connector.fetchOrder(sent.client_order_id, 'BTC_USDT');
    expect(found?.status).toBe('FILLED');
    expect(found?.fills.length).toBeGreaterThan(0);
  });

  it('a resting order found by fetchOrder or fetchOpenOrders (after a restart) is polled from then on, its fill reported once', async () => {
    const first = await open();
    const sent = order({ order_type: 'LIMIT', limit_price: new Decimal('64000') });
    const other = order({ order_type: 'LIMIT', limit_price: new Decimal('63500') });
    await first.connector.placeOrder(sent);
    await first.connector.placeOrder(other);
    // a second connector on the same venue: planexec restarted
    const restarted = new CcxtConnector({
      exchange: createCcxtExchange({ exchange: 'binance', sandbox: false, api_key: 'k', api_secret: 's', options: {}, api_base_url: first.venue.url, rate_limit: false }),
      clock: systemClock,
      logger: silentLogger,
      pollIntervalMs: 1000,
      pollScheduler: manualScheduler,
    });
    try {
      const reports: ExecutionReport[] = [];
      restarted.onExecution((r) => reports.push(r));
      await restarted.fetchOrder(sent.client_order_id, 'BTC_USDT');
      await restarted.fetchOpenOrders('BTC_USDT');
      await first.venue.client.setPrice('BTCUSDT', '63000');
      await restarted.pollNow();
      await restarted.pollNow();
      expect(reports.map((r) => [r.order.client_order_id, r.order.status, r.new_fills.length]).sort()).toEqual(
        [
          [sent.client_order_id, 'FILLED', 1],
          [other.client_order_id, 'FILLED', 1],
        ].sort(),
      );
    } finally {
      await restarted.close();
    }
  });
});
