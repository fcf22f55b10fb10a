import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { BTC, idOf, rejection, useLoopbackVenue } from './ccxt-test-world.js';

const open = useLoopbackVenue();


describe('loopback venue markets through ccxt', () => {
  it('loadMarkets gives each symbol the precision and limits of its exchangeInfo filters', async () => {
    const { exchange } = await open({
      instruments: [
        {
          symbol: 'SOLUSDT',
          base: 'SOL',
          quote: 'USDT',
          tickSize: '0.001',
          stepSize: '0.01',
          minQty: '0.01',
          maxQty: '5000',
          minNotional: '10',
          price: '150',
        },
      ],
    });
    const market = exchange.market('SOL/USDT');
    expect(market.spot).toBe(true);
    expect(market.active).toBe(true);
    expect(market.precision).toMatchObject({ price: 0.001, amount: 0.01 });
    expect(market.limits.amount).toEqual({ min: 0.01, max: 5000 });
    expect(market.limits.cost?.min).toBe(10);
    expect(Object.keys(exchange.markets ?? {})).toEqual(['SOL/USDT']);
  });

  it('serves ticker, book ticker and price ticker for one symbol and for all', async () => {
    const { exchange } = await open();
    expect((await exchange.fetchTicker(BTC)).last).toBe(65000);
    const tickers = await exchange.fetchTickers();
    expect(Object.keys(tickers).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(Object.keys(await exchange.fetchTickers([BTC]))).toEqual([BTC]);
    const book = await exchange.fetchBidsAsks([BTC]);
    expect(book[BTC]).toMatchObject({ bid: 65000, ask: 65000 });
    const prices = (await exchange.publicGetTickerPrice({ symbol: 'ETHUSDT' })) as { price: string };
    expect(prices.price).toBe('3500.00000000');
  });
});

describe('loopback venue orders through ccxt', () => {
  it('createOrder returns our clientOrderId and fetchOrder finds the order by it', async () => {
    const { exchange } = await open();
    const placed = await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 64000, { clientOrderId: 'PX00000000000000a1-1' });
    expect(placed.clientOrderId).toBe('PX00000000000000a1-1');
    expect(placed.status).toBe('open');
    const fetched = await exchange.fetchOrder(undefined as unknown as string, BTC, { clientOrderId: 'PX00000000000000a1-1' });
    expect(fetched.id).toBe(placed.id);
    expect(fetched).toMatchObject({ status: 'open', amount: 0.01, price: 64000, filled: 0, side: 'buy', type: 'limit' });
  });

  it('a market buy fills at the current price and pays commission in the base asset', async () => {
    const { exchange, client } = await open();
    const order = await exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'mkt-buy-1' });
    expect(order).toMatchObject({ status: 'closed', filled: 0.01, average: 65000, cost: 650 });
    expect(order.fee).toEqual({ currency: 'BTC', cost: 0.00001 });
    expect(await client.balance('BTC')).toEqual({ free: '0.00999000', locked: '0.00000000' });
    expect(await client.balance('USDT')).toEqual({ free: '99350.00000000', locked: '0.00000000' });
  });

  it('a sell pays commission in the quote asset', async () => {
    const { exchange, client } = await open({ balances: { BTC: '1', USDT: '0' } });
    await exchange.createOrder(BTC, 'market', 'sell', 0.1, undefined, { clientOrderId: 'mkt-sell-1' });
    const [trade] = await exchange.fetchMyTrades(BTC);
    expect(trade?.fee).toEqual({ currency: 'USDT', cost: 6.5 });
    expect(await client.balance('USDT')).toEqual({ free: '6493.50000000', locked: '0.00000000' });
    expect(await client.balance('BTC')).toEqual({ free: '0.90000000', locked: '0.00000000' });
  });

  it('refuses a second open order with the same client id: InvalidOrder "Duplicate order sent."', async () => {
    const { exchange } = await open();
    await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'dup-1' });
    const error = await rejection(exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'dup-1' }));
    expect(error).toBeInstanceOf(ccxt.InvalidOrder);
    expect(error.message).toContain('Duplicate order sent.');
  });

  it('refuses the client id of a filled order inside the duplicate window and accepts it after', async () => {
    let now = 1_800_000_000_000;
    const { exchange } = await open({ duplicateWindowMs: 5000, now: () => now });
    await exchange.createOrder(BTC, 'market', 'buy', 0.001, undefined, { clientOrderId: 'dup-filled' });
    now += 4999;
    const error = await rejection(exchange.createOrder(BTC, 'market', 'buy', 0.001, undefined, { clientOrderId: 'dup-filled' }));
    expect(error.message).toContain('Duplicate order sent.');
    now += 1;
    const again = await exchange.createOrder(BTC, 'market', 'buy', 0.001, undefined, { clientOrderId: 'dup-filled' });
    expect(again.status).toBe('closed');
  });

  it('frees the client id of a canceled order at once, even with a duplicate window', async () => {
    const { exchange } = await open({ duplicateWindowMs: 60_000 });
    const first = await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'reuse-after-cancel' });
    await exchange.cancelOrder(idOf(first), BTC);
    const second = await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'reuse-after-cancel' });
    expect(second.status).toBe('open');
  });

  it('answers an unknown order with OrderNotFound on fetch and on cancel', async () => {
    const { exchange } = await open();
    expect(await rejection(exchange.fetchOrder('424242', BTC))).toBeInstanceOf(ccxt.OrderNotFound);
    const byClientId = exchange.fetchOrder(undefined as unknown as string, BTC, { clientOrderId: 'never-sent' });
    expect((await rejection(byClientId)).message).toContain('Order does not exist.');
    const cancel = await rejection(exchange.cancelOrder('424242', BTC));
    expect(cancel).toBeInstanceOf(ccxt.OrderNotFound);
    expect(cancel.message).toContain('Unknown order sent.');
  });

  it('cancels a resting order, gives back its locked quote, and refuses to cancel it twice', async () => {
    const { exchange, client } = await open();
    const order = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 60000, { clientOrderId: 'to-cancel' });
    expect(await client.balance('USDT')).toEqual({ free: '94000.00000000', locked: '6000.00000000' });
    const canceled = await exchange.cancelOrder(idOf(order), BTC);
    expect(canceled.status).toBe('canceled');
    expect(await client.balance('USDT')).toEqual({ free: '100000.00000000', locked: '0.00000000' });
    expect(await rejection(exchange.cancelOrder(idOf(order), BTC))).toBeInstanceOf(ccxt.OrderNotFound);
    expect((await exchange.fetchOrder(idOf(order), BTC)).status).toBe('canceled');
  });

  it("cancels by client order id (origClientOrderId); as on Binance, the answer's clientOrderId is the cancel's own id", async () => {
    const { exchange, client } = await open();
    await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 60000, { clientOrderId: 'PX00000000000000cc-1' });
    const canceled = await exchange.cancelOrder(undefined as unknown as string, BTC, { clientOrderId: 'PX00000000000000cc-1' });
    expect(canceled).toMatchObject({ status: 'canceled', clientOrderId: 'lbv_cancel_1' });
    expect(canceled.info).toMatchObject({ origClientOrderId: 'PX00000000000000cc-1', clientOrderId: 'lbv_cancel_1' });
    const [request] = await client.requests('DELETE /api/v3/order');
    expect(request?.params['origClientOrderId']).toBe('PX00000000000000cc-1');
  });

  it('fetchOpenOrders lists only resting orders, for one symbol or all', async () => {
    const { exchange } = await open({ balances: { USDT: '100000', ETH: '10' } });
    await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'open-btc' });
    await exchange.createOrder('ETH/USDT', 'limit', 'sell', 1, 4000, { clientOrderId: 'open-eth' });
    await exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'filled-btc' });
    expect((await exchange.fetchOpenOrders(BTC)).map((o) => o.clientOrderId)).toEqual(['open-btc']);
    exchange.options['warnOnFetchOpenOrdersWithoutSymbol'] = false;
    expect((await exchange.fetchOpenOrders()).map((o) => o.clientOrderId).sort()).toEqual(['open-btc', 'open-eth']);
    expect((await exchange.fetchOrders(BTC)).map((o) => o.clientOrderId)).toEqual(['open-btc', 'filled-btc']);
  });

  it('fetchMyTrades returns the fills with ids, order ids and fromId paging', async () => {
    const { exchange } = await open();
    const first = await exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 't-1' });
    const second = await exchange.createOrder(BTC, 'market', 'buy', 0.02, undefined, { clientOrderId: 't-2' });
    const trades = await exchange.fetchMyTrades(BTC);
    expect(trades.map((t) => [t.order, t.amount, t.price])).toEqual([
      [first.id, 0.01, 65000],
      [second.id, 0.02, 65000],
    ]);
    const later = await exchange.fetchMyTrades(BTC, undefined, undefined, { fromId: trades[1]?.id });
    expect(later.map((t) => t.order)).toEqual([second.id]);
    const ofOrder = await exchange.fetchMyTrades(BTC, undefined, undefined, { orderId: first.id });
    expect(ofOrder.map((t) => t.id)).toEqual([trades[0]?.id]);
  });

  it('fetchBalance shows free and locked (used) per asset', async () => {
    const { exchange } = await open({ balances: { USDT: '1000', BTC: '0.5' } });
    await exchange.createOrder(BTC, 'limit', 'sell', 0.2, 70000, { clientOrderId: 'lock-btc' });
    const balance = await exchange.fetchBalance();
    expect(balance['BTC']).toMatchObject({ free: 0.3, used: 0.2, total: 0.5 });
    expect(balance['USDT']).toMatchObject({ free: 1000, used: 0, total: 1000 });
  });

  it('fills a resting limit at its limit price when the price crosses it', async () => {
    const { exchange, client } = await open();
    const order = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 64000, { clientOrderId: 'rest-1' });
    await client.setPrice('BTCUSDT', '64500');
    expect((await exchange.fetchOrder(idOf(order), BTC)).status).toBe('open');
    const move = await client.setPrice('BTCUSDT', '63000');
    expect(move.fills).toMatchObject([{ orderId: Number(order.id), price: '64000.00000000', qty: '0.10000000' }]);
    const filled = await exchange.fetchOrder(idOf(order), BTC);
    expect(filled).toMatchObject({ status: 'closed', filled: 0.1, average: 64000 });
    expect(await client.balance('USDT')).toEqual({ free: '93600.00000000', locked: '0.00000000' });
  });

  it('a marketable limit fills at once at the current (better) price and unlocks the rest', async () => {
    const { exchange, client } = await open();
    const order = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 66000, { clientOrderId: 'marketable' });
    expect(order).toMatchObject({ status: 'closed', average: 65000 });
    expect(await client.balance('USDT')).toEqual({ free: '93500.00000000', locked: '0.00000000' });
  });

  it('a post-only (LIMIT_MAKER) order rests, and one that would take is refused', async () => {
    const { exchange } = await open();
    const maker = await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 64000, { clientOrderId: 'maker', postOnly: true });
    expect(maker).toMatchObject({ status: 'open', postOnly: true });
    const taker = exchange.createOrder(BTC, 'limit', 'buy', 0.01, 65500, { clientOrderId: 'taker', postOnly: true });
    const error = await rejection(taker);
    expect(error).toBeInstanceOf(ccxt.OrderImmediatelyFillable);
    expect(error.message).toContain('Order would immediately match and take.');
  });

  it('an IOC limit that cannot fill expires', async () => {
    const { exchange } = await open();
    const order = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 60000, { clientOrderId: 'ioc', timeInForce: 'IOC' });
    expect(order.status).toBe('expired');
  });

  it('a STOP_LOSS sell rests until the price falls to its stop, then sells at market', async () => {
    const { exchange, client } = await open({ balances: { BTC: '1' } });
    const stop = await exchange.createOrder(BTC, 'market', 'sell', 0.5, undefined, {
      clientOrderId: 'stop-1',
      stopLossPrice: 60000,
    });
    const booked = await exchange.fetchOrder(idOf(stop), BTC);
    expect(booked.info).toMatchObject({ type: 'STOP_LOSS', status: 'NEW', isWorking: false, stopPrice: '60000.00000000' });
    expect(await client.balance('BTC')).toEqual({ free: '0.50000000', locked: '0.50000000' });
    await client.setPrice('BTCUSDT', '60500');
    expect((await exchange.fetchOrder(idOf(stop), BTC)).status).toBe('open');
    await client.setPrice('BTCUSDT', '59900');
    expect(await exchange.fetchOrder(idOf(stop), BTC)).toMatchObject({ status: 'closed', average: 59900, filled: 0.5 });
    expect(await client.balance('BTC')).toEqual({ free: '0.50000000', locked: '0.00000000' });
  });

  it('a STOP_LOSS_LIMIT triggers into a resting limit that fills when the price reaches it', async () => {
    const { exchange, client } = await open({ balances: { BTC: '1' } });
    const stop = await exchange.createOrder(BTC, 'limit', 'sell', 0.5, 60200, { clientOrderId: 'sl-limit', stopLossPrice: 60000 });
    await client.setPrice('BTCUSDT', '59800');
    const triggered = await exchange.fetchOrder(idOf(stop), BTC);
    expect(triggered.info).toMatchObject({ type: 'STOP_LOSS_LIMIT', status: 'NEW', isWorking: true });
    await client.setPrice('BTCUSDT', '60300');
    expect(await exchange.fetchOrder(idOf(stop), BTC)).toMatchObject({ status: 'closed', average: 60200 });
  });

  it('a STOP_LOSS_LIMIT whose limit is marketable at the trigger fills there at once', async () => {
    const { exchange, client } = await open({ balances: { BTC: '1' } });
    const stop = await exchange.createOrder(BTC, 'limit', 'sell', 0.5, 59500, { clientOrderId: 'sl-take', stopLossPrice: 60000 });
    await client.setPrice('BTCUSDT', '59800');
    expect(await exchange.fetchOrder(idOf(stop), BTC)).toMatchObject({ status: 'closed', average: 59800 });
  });

  it('a TAKE_PROFIT sell triggers on a rise and refuses a stop that would trigger at once', async () => {
    const { exchange, client } = await open({ balances: { BTC: '1' } });
    const takeProfit = await exchange.createOrder(BTC, 'market', 'sell', 0.5, undefined, {
      clientOrderId: 'tp-1',
      takeProfitPrice: 70000,
    });
    await client.setPrice('BTCUSDT', '70000');
    expect((await exchange.fetchOrder(idOf(takeProfit), BTC)).status).toBe('closed');
    const tooLate = exchange.createOrder(BTC, 'market', 'sell', 0.1, undefined, { clientOrderId: 'tp-2', takeProfitPrice: 69000 });
    const error = await rejection(tooLate);
    expect(error).toBeInstanceOf(ccxt.OrderImmediatelyFillable);
    expect(error.message).toContain('Stop price would trigger immediately.');
  });

  it('refuses an order the balance cannot pay for with InsufficientFunds', async () => {
    const { exchange } = await open({ balances: { USDT: '1000' } });
    const error = await rejection(exchange.createOrder(BTC, 'market', 'buy', 0.1, undefined, { clientOrderId: 'poor' }));
    expect(error).toBeInstanceOf(ccxt.InsufficientFunds);
    expect(error.message).toContain('Account has insufficient balance for requested action.');
  });

  it('locks a resting sell, so a second sell of the whole holding is refused', async () => {
    const { exchange } = await open({ balances: { BTC: '0.5' } });
    await exchange.createOrder(BTC, 'limit', 'sell', 0.5, 70000, { clientOrderId: 'sell-all-1' });
    const error = await rejection(exchange.createOrder(BTC, 'limit', 'sell', 0.5, 71000, { clientOrderId: 'sell-all-2' }));
    expect(error).toBeInstanceOf(ccxt.InsufficientFunds);
  });

  it('splits a large taker fill into several trades of one order', async () => {
    const { exchange } = await open({ splitFills: { aboveQuantity: '0.5', parts: 3 } });
    const order = await exchange.createOrder(BTC, 'market', 'buy', 1, undefined, { clientOrderId: 'split' });
    expect(order.trades.map((t) => t.amount)).toEqual([0.33333, 0.33333, 0.33334]);
    expect(order).toMatchObject({ filled: 1, status: 'closed' });
    expect((await exchange.fetchMyTrades(BTC)).map((t) => t.order)).toEqual([order.id, order.id, order.id]);
  });

  it('a market buy by quote amount buys the whole steps it can pay', async () => {
    const { exchange } = await open();
    const order = await exchange.createOrder(BTC, 'market', 'buy', 0, undefined, { clientOrderId: 'quote-qty', cost: 100 });
    expect(order).toMatchObject({ status: 'closed', filled: 0.00153, cost: 99.45 });
  });
});

describe('loopback venue other reads and bulk cancel', () => {
  it('serves fetchTime from the venue clock and a one-level order book at the price', async () => {
    const { exchange } = await open({ now: () => 1_800_000_000_000 });
    expect(await exchange.fetchTime()).toBe(1_800_000_000_000);
    const book = await exchange.fetchOrderBook(BTC);
    expect(book.bids[0]?.[0]).toBe(65000);
    expect(book.asks[0]?.[0]).toBe(65000);
  });

  it('cancelAllOrders cancels every open order of the symbol and leaves the others', async () => {
    const { exchange } = await open();
    await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'bulk-1' });
    await exchange.createOrder(BTC, 'limit', 'buy', 0.01, 61000, { clientOrderId: 'bulk-2' });
    await exchange.createOrder('ETH/USDT', 'limit', 'buy', 0.1, 3000, { clientOrderId: 'bulk-eth' });
    await exchange.cancelAllOrders(BTC);
    expect((await exchange.fetchOpenOrders()).map((o) => o.clientOrderId)).toEqual(['bulk-eth']);
    expect((await exchange.fetchCanceledAndClosedOrders(BTC)).map((o) => o.status)).toEqual(['canceled', 'canceled']);
  });

  it('fetchOrderTrades gives the trades of one order', async () => {
    const { exchange } = await open({ splitFills: { aboveQuantity: '0.1', parts: 2 } });
    await exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'small' });
    const big = await exchange.createOrder(BTC, 'market', 'buy', 0.2, undefined, { clientOrderId: 'big' });
    const trades = await exchange.fetchOrderTrades(idOf(big), BTC);
    expect(trades.map((t) => t.amount)).toEqual([0.1, 0.1]);
  });

  it('answers an endpoint it does not serve with 404 -1020 (ccxt BadRequest, not retried) and logs it as unknown', async () => {
    const { exchange, client } = await open();
    const error = await rejection(exchange.fetchTrades(BTC));
    expect(error).toBeInstanceOf(ccxt.BadRequest);
    expect(error.message).toContain('The loopback venue does not serve GET /api/v3/aggTrades.');
    expect((await client.requests('GET /api/v3/aggTrades'))[0]).toMatchObject({ kind: 'unknown', status: 404 });
  });
});

describe('loopback venue wallet endpoints ccxt reaches', () => {
  it('serves fetchStatus and fetchTradingFees with the configured commission rate', async () => {
    const { exchange } = await open({ commissionRate: '0.00075' });
    expect((await exchange.fetchStatus()).status).toBe('ok');
    const fees = await exchange.fetchTradingFees();
    expect(fees[BTC]).toMatchObject({ maker: 0.00075, taker: 0.00075 });
  });
});

describe('loopback venue validation', () => {
  it('a test order is checked like a real one and books nothing', async () => {
    const { exchange, client } = await open();
    const params = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '60000' };
    expect(await exchange.privatePostOrderTest({ ...params, quantity: '0.01' })).toEqual({});
    const lot = await rejection(exchange.privatePostOrderTest({ ...params, quantity: '0.000015' }));
    expect(lot.message).toContain('Filter failure: LOT_SIZE');
    expect((await client.state()).orders).toEqual([]);
  });

  it('refuses filter failures with -1013 and Binance messages', async () => {
    const { exchange } = await open();
    const send = (quantity: string, price: string) =>
      exchange.privatePostOrder({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity,
        price,
        newClientOrderId: `f-${quantity}-${price}`.replace(/\./g, '_'),
      });
    const lot = await rejection(send('0.000015', '60000'));
    expect(lot).toBeInstanceOf(ccxt.InvalidOrder);
    expect(lot.message).toContain('"code":-1013,"msg":"Filter failure: LOT_SIZE"');
    expect((await rejection(send('0.01', '60000.001'))).message).toContain('Filter failure: PRICE_FILTER');
    expect((await rejection(send('0.00001', '60000'))).message).toContain('Filter failure: NOTIONAL');
  });

  it('refuses an unknown symbol with -1121 and missing or malformed parameters with -1102 / -1100', async () => {
    const { exchange } = await open();
    const badSymbol = await rejection(exchange.privatePostOrder({ symbol: 'DOGEUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }));
    expect(badSymbol).toBeInstanceOf(ccxt.BadSymbol);
    expect(badSymbol.message).toContain('Invalid symbol.');
    const noPrice = await rejection(
      exchange.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01' }),
    );
    expect(noPrice.message).toContain(`"code":-1102,"msg":"Mandatory parameter 'price' was not sent, was empty/null, or malformed."`);
    const badQty = await rejection(exchange.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1e-3' }));
    expect(badQty.message).toContain(`"code":-1100,"msg":"Illegal characters found in parameter 'quantity'`);
  });

  it('refuses a signed request without an API key (-2014) or with an unknown one (-2015)', async () => {
    const { venue: started } = await open({ apiKeys: ['good-key'] });
    const query = 'symbol=BTCUSDT&orderId=1&timestamp=1&signature=abc';
    const missing = await fetch(`${started.url}/api/v3/order?${query}`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const wrong = await fetch(`${started.url}/api/v3/order?${query}`, { headers: { 'X-MBX-APIKEY': 'bad-key' } });
    expect(await wrong.json()).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    const ok = await fetch(`${started.url}/api/v3/order?${query}`, { headers: { 'X-MBX-APIKEY': 'good-key' } });
    expect(await ok.json()).toEqual({ code: -2013, msg: 'Order does not exist.' });
  });

  it('logs the exact quantity and price strings ccxt sent', async () => {
    const { exchange, client } = await open();
    await exchange.createOrder(BTC, 'limit', 'buy', 0.01234, 60000.5, { clientOrderId: 'exact-strings' });
    const [request] = await client.requests('POST /api/v3/order');
    expect(request?.params).toMatchObject({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01234',
      price: '60000.5',
      newClientOrderId: 'exact-strings',
    });
    expect(request?.status).toBe(200);
    expect(await client.requestCounts()).toEqual({ 'GET /api/v3/exchangeInfo': 1, 'POST /api/v3/order': 1 });
  });

  it('reset returns to the configured prices and balances with no orders or log', async () => {
    const { exchange, client } = await open();
    await exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'before-reset' });
    await client.setPrice('BTCUSDT', '1000');
    await client.reset();
    const state = await client.state();
    expect(state.orders).toEqual([]);
    expect(state.trades).toEqual([]);
    expect(state.prices['BTCUSDT']).toBe('65000.00000000');
    expect(state.balances).toEqual([{ asset: 'USDT', free: '100000.00000000', locked: '0.00000000' }]);
    expect(state.requests.log).toEqual([]);
  });
});
