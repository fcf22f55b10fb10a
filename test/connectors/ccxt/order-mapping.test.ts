import type { Order, Trade } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { orderStatus, orderType, toVenueFill, toVenueOrder } from '../../../src/connectors/ccxt/order-mapping.js';
import { Decimal } from '../../../src/domain/decimal.js';

const ZERO = new Decimal(0);

describe('ccxt orders and trades as ours', () => {
  it('maps ccxt statuses; an open order with fills is PARTIALLY_FILLED', () => {
    expect(orderStatus('open', ZERO)).toBe('OPEN');
    expect(orderStatus('open', new Decimal('0.1'))).toBe('PARTIALLY_FILLED');
    expect(orderStatus('closed', new Decimal('1'))).toBe('FILLED');
    expect(orderStatus('canceled', new Decimal('0.1'))).toBe('CANCELLED');
    expect(orderStatus('expired', ZERO)).toBe('EXPIRED');
    expect(orderStatus('rejected', ZERO)).toBe('REJECTED');
  });

  it('maps order types: a trigger with a limit is STOP_LIMIT, without one STOP_MARKET', () => {
    expect(orderType('market', false)).toBe('MARKET');
    expect(orderType('limit', false)).toBe('LIMIT');
    expect(orderType('limit_maker', false)).toBe('LIMIT');
    expect(orderType('stop_loss_limit', true)).toBe('STOP_LIMIT');
    expect(orderType('take_profit_limit', true)).toBe('STOP_LIMIT');
    expect(orderType('stop_loss', true)).toBe('STOP_MARKET');
    expect(orderType('limit', true)).toBe('STOP_LIMIT');
  });

  it("a fill keeps the fee in whatever asset the venue charged, from the venue's strings", () => {
    const trade = {
      id: '77',
      order: '5',
      amount: 0.1,
      price: 3500,
      fee: { cost: 0.0001, currency: 'ETH' },
      timestamp: Date.parse('2026-12-02T08:00:00Z'),
      datetime: '2026-12-02T08:00:00.000Z',
      info: { qty: '0.10000000', price: '3500.01000000', commission: '0.00010000', commissionAsset: 'ETH' },
    } as unknown as Trade;
    const fill = toVenueFill(trade, 'PXa-E', 'USDT', 0);
    expect([fill.venue_trade_id, fill.quantity.toFixed(), fill.price.toFixed(), fill.fee.toFixed(), fill.fee_asset, fill.executed_at]).toEqual([
      '77',
      '0.1',
      '3500.01',
      '0.0001',
      'ETH',
      '2026-12-02T08:00:00.000Z',
    ]);
    const bnb = toVenueFill({ ...trade, info: { ...trade.info, commission: '0.0002', commissionAsset: 'BNB' } } as Trade, 'PXa-E', 'USDT', 0);
    expect([bnb.fee.toFixed(), bnb.fee_asset]).toEqual(['0.0002', 'BNB']);
    const unified = toVenueFill({ ...trade, info: {} } as Trade, 'PXa-E', 'USDT', 0);
    expect([unified.quantity.toFixed(), unified.price.toFixed(), unified.fee.toFixed(), unified.fee_asset]).toEqual(['0.1', '3500', '0.0001', 'ETH']);
    const feeless = toVenueFill({ ...trade, fee: undefined, info: {} } as unknown as Trade, 'PXa-E', 'USDT', 0);
    expect([feeless.fee.toFixed(), feeless.fee_asset]).toEqual(['0', 'USDT']);
  });

  it("an order: our id and symbol, the venue's amounts, the average price of its fills", () => {
    const order = {
      id: '5',
      clientOrderId: 'PXa-E',
      symbol: 'ETH/USDT',
      type: 'limit',
      side: 'buy',
      status: 'open',
      amount: 0.3,
      filled: 0.2,
      price: 3500,
      timestamp: 1,
      info: { origQty: '0.30000000', executedQty: '0.20000000', price: '3500.00000000', stopPrice: '0.00000000' },
    } as unknown as Order;
    const fills = [
      toVenueFill({ id: '1', amount: 0.1, price: 3500, info: {} } as unknown as Trade, 'PXa-E', 'USDT', 0),
      toVenueFill({ id: '2', amount: 0.1, price: 3499, info: {} } as unknown as Trade, 'PXa-E', 'USDT', 0),
    ];
    const mapped = toVenueOrder(order, fills, { clientOrderId: 'PXa-E', symbol: 'ETH_USDT', quoteAsset: 'USDT', nowMs: 0 });
    expect(mapped).toMatchObject({ client_order_id: 'PXa-E', venue_order_id: '5', symbol: 'ETH_USDT', side: 'BUY', order_type: 'LIMIT', status: 'PARTIALLY_FILLED', stop_price: null });
    expect([mapped.quantity.toFixed(), mapped.filled_quantity.toFixed(), mapped.limit_price?.toFixed(), mapped.average_fill_price?.toFixed()]).toEqual(['0.3', '0.2', '3500', '3499.5']);
  });
});
