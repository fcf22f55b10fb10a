import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { BTC, idOf, rejection, useLoopbackVenue } from './ccxt-test-world.js';

const open = useLoopbackVenue();


describe('loopback venue cancel-replace (ccxt editOrder on spot)', () => {
  it('replaces a resting limit: the old order is canceled, the new one rests with the new price and quantity', async () => {
    const { exchange, client } = await open();
    expect(exchange.has['editOrder']).toBe(true);
    const original = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 60000, { clientOrderId: 'amend-old' });
    const replaced = await exchange.editOrder(idOf(original), BTC, 'limit', 'buy', 0.2, 61000, { clientOrderId: 'amend-new' });
    expect(replaced).toMatchObject({ clientOrderId: 'amend-new', status: 'open', amount: 0.2, price: 61000 });
    expect((await exchange.fetchOrder(idOf(original), BTC)).status).toBe('canceled');
    expect(await client.balance('USDT')).toEqual({ free: '87800.00000000', locked: '12200.00000000' });
    const [request] = await client.requests('POST /api/v3/order/cancelReplace');
    expect(request?.params).toMatchObject({ cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrderId: original.id, quantity: '0.2' });
  });

  it('may reuse the canceled order client id for the replacement, even with a duplicate window', async () => {
    const { exchange } = await open({ duplicateWindowMs: 60_000 });
    const original = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 60000, { clientOrderId: 'PX0000000000000001-1' });
    const replaced = await exchange.editOrder(idOf(original), BTC, 'limit', 'buy', 0.1, 60500, {
      clientOrderId: 'PX0000000000000001-1',
    });
    expect(replaced.clientOrderId).toBe('PX0000000000000001-1');
    const latest = await exchange.fetchOrder(undefined as unknown as string, BTC, { clientOrderId: 'PX0000000000000001-1' });
    expect(latest).toMatchObject({ id: replaced.id, price: 60500, status: 'open' });
  });

  it('answers a replace of an unknown or final order with -2022 and places nothing', async () => {
    const { exchange, client } = await open();
    const filled = await exchange.createOrder(BTC, 'market', 'buy', 0.01, undefined, { clientOrderId: 'final' });
    const error = await rejection(exchange.editOrder(idOf(filled), BTC, 'limit', 'buy', 0.01, 60000, { clientOrderId: 'never' }));
    expect(error).toBeInstanceOf(ccxt.ExchangeError);
    expect(error.message).toContain('"code":-2022,"msg":"Order cancel-replace failed."');
    expect(error.message).toContain('"cancelResponse":{"code":-2011,"msg":"Unknown order sent."}');
    expect(error.message).toContain('"newOrderResult":"NOT_ATTEMPTED"');
    expect((await client.state()).orders).toHaveLength(1);
  });

  it('answers 409 -2021 when the cancel succeeds and the new order is refused: the old order stays canceled', async () => {
    const { exchange } = await open({ balances: { USDT: '10000' } });
    const original = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 60000, { clientOrderId: 'half-old' });
    const error = await rejection(exchange.editOrder(idOf(original), BTC, 'limit', 'buy', 1, 60000, { clientOrderId: 'half-new' }));
    expect(error.message).toContain('"code":-2021,"msg":"Order cancel-replace partially failed."');
    expect(error.message).toContain('Account has insufficient balance for requested action.');
    expect((await exchange.fetchOrder(idOf(original), BTC)).status).toBe('canceled');
  });
});

describe('loopback venue control: partial fills and venue-side endings', () => {
  it('fills part of a resting order on demand: PARTIALLY_FILLED, open with filled > 0, a trade with a fee', async () => {
    const { exchange, client } = await open();
    const order = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 64000, { clientOrderId: 'partial' });
    const { fill } = await client.fill('BTCUSDT', { clientOrderId: 'partial' }, '0.04');
    expect(fill).toMatchObject({ price: '64000.00000000', qty: '0.04000000', commission: '0.00004000', commissionAsset: 'BTC' });
    const fetched = await exchange.fetchOrder(idOf(order), BTC);
    expect(fetched).toMatchObject({ status: 'open', filled: 0.04, remaining: 0.06 });
    expect(fetched.info).toMatchObject({ status: 'PARTIALLY_FILLED' });
    expect(await client.balance('USDT')).toEqual({ free: '93600.00000000', locked: '3840.00000000' });
    await client.setPrice('BTCUSDT', '63000');
    expect(await exchange.fetchOrder(idOf(order), BTC)).toMatchObject({ status: 'closed', filled: 0.1 });
    expect((await exchange.fetchMyTrades(BTC)).map((t) => t.amount)).toEqual([0.04, 0.06]);
  });

  it('cancel of a partly filled order keeps its fills and unlocks the rest', async () => {
    const { exchange, client } = await open();
    const order = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 64000, { clientOrderId: 'partial-cancel' });
    await client.fill('BTCUSDT', { orderId: Number(order.id) }, '0.025');
    const canceled = await exchange.cancelOrder(idOf(order), BTC);
    expect(canceled).toMatchObject({ status: 'canceled', filled: 0.025 });
    expect(await client.balance('USDT')).toEqual({ free: '98400.00000000', locked: '0.00000000' });
  });

  it('ends an order from the venue side (expired), which fetchOrder then reports', async () => {
    const { exchange, client } = await open();
    const order = await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 60000, { clientOrderId: 'venue-ends' });
    await client.end('BTCUSDT', { clientOrderId: 'venue-ends' }, 'EXPIRED');
    expect((await exchange.fetchOrder(idOf(order), BTC)).status).toBe('expired');
    expect(await client.balance('USDT')).toEqual({ free: '100000.00000000', locked: '0.00000000' });
  });

  it('refuses a fill larger than what remains, naming the bound', async () => {
    const { exchange, client } = await open();
    await exchange.createOrder(BTC, 'limit', 'buy', 0.1, 60000, { clientOrderId: 'too-much' });
    await expect(client.fill('BTCUSDT', { clientOrderId: 'too-much' }, '0.2')).rejects.toThrow('fill quantity must be in (0, 0.1]');
  });
});
