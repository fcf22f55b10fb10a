import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO } from '../../../src/domain/decimal.js';
import { BinanceError } from './binance-error.js';
import { MatchingEngine } from './matching-engine.js';
import { resolveVenueConfig } from './options.js';
import { parseOrderRequest } from './order-request.js';
import { isOpen } from './venue-order.js';

type Operation =
  | { op: 'place'; side: 'BUY' | 'SELL'; type: 'LIMIT' | 'MARKET' | 'STOP_LOSS' | 'TAKE_PROFIT_LIMIT'; qtySteps: number; priceTicks: number }
  | { op: 'cancel'; pick: number }
  | { op: 'price'; priceTicks: number }
  | { op: 'fill'; pick: number; share: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({
    op: fc.constant('place' as const),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    type: fc.constantFrom('LIMIT' as const, 'MARKET' as const, 'STOP_LOSS' as const, 'TAKE_PROFIT_LIMIT' as const),
    qtySteps: fc.integer({ min: 1, max: 500 }),
    priceTicks: fc.integer({ min: 9_000, max: 11_000 }),
  }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('price' as const), priceTicks: fc.integer({ min: 9_000, max: 11_000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('fill' as const), pick: fc.nat(), share: fc.integer({ min: 1, max: 4 }) }) },
);

const TICK = new Decimal('0.5');
const STEP = new Decimal('0.001');

function requestParams(operation: Extract<Operation, { op: 'place' }>, id: number): Record<string, string> {
  const quantity = STEP.mul(operation.qtySteps).toFixed();
  const price = TICK.mul(operation.priceTicks).toFixed();
  const params: Record<string, string> = { symbol: 'XYZUSDT', side: operation.side, type: operation.type, quantity };
  params['newClientOrderId'] = `prop-${id}`;
  if (operation.type === 'LIMIT' || operation.type === 'TAKE_PROFIT_LIMIT') {
    params['price'] = price;
    params['timeInForce'] = 'GTC';
  }
  if (operation.type === 'STOP_LOSS' || operation.type === 'TAKE_PROFIT_LIMIT') params['stopPrice'] = price;
  return params;
}

describe('loopback venue matching engine invariants', () => {
  it('keeps balances equal to start plus trades minus commission, locked equal to what open orders hold, none negative', () => {
    let trades = 0;
    let partiallyFilled = 0;
    let splitOrders = 0;
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 60, size: 'medium' }), (operations) => {
        const engine = new MatchingEngine(
          resolveVenueConfig({
            instruments: [
              { symbol: 'XYZUSDT', base: 'XYZ', quote: 'USDT', tickSize: '0.5', stepSize: '0.001', minQty: '0.001', maxQty: '100', minNotional: '1', price: '5000' },
            ],
            balances: { USDT: '50000', XYZ: '10' },
            commissionRate: '0.00075',
            splitFills: { aboveQuantity: '0.2', parts: 3 },
          }),
          () => 0,
        );
        operations.forEach((operation, index) => {
          try {
            if (operation.op === 'place') engine.place(parseOrderRequest(requestParams(operation, index)));
            else if (operation.op === 'price') engine.setPrice('XYZUSDT', TICK.mul(operation.priceTicks));
            else {
              const open = engine.openOrders('XYZUSDT').filter((o) => o.isWorking || operation.op === 'cancel');
              const order = open[operation.pick % Math.max(open.length, 1)];
              if (!order) return;
              if (operation.op === 'cancel') engine.cancel('XYZUSDT', { orderId: order.orderId });
              else {
                const remaining = order.origQty.minus(order.executedQty);
                const part = remaining.div(operation.share).div(STEP).ceil().mul(STEP);
                engine.fillWorking('XYZUSDT', { orderId: order.orderId }, Decimal.min(part, remaining));
                if (order.status === 'PARTIALLY_FILLED') partiallyFilled++;
              }
            }
          } catch (error) {
            // refusals are part of the game (balance, filters, stops that would trigger); anything else is a bug
            if (!(error instanceof BinanceError)) throw error;
          }
        });

        trades += engine.trades.length;
        splitOrders += new Set(engine.trades.map((t) => t.orderId)).size < engine.trades.length ? 1 : 0;
        let base = new Decimal(10);
        let quote = new Decimal(50000);
        for (const trade of engine.trades) {
          if (trade.side === 'BUY') {
            base = base.plus(trade.qty).minus(trade.commission);
            quote = quote.minus(trade.quoteQty);
          } else {
            base = base.minus(trade.qty);
            quote = quote.plus(trade.quoteQty).minus(trade.commission);
          }
        }
        const holdings = (asset: string) => engine.balances.free(asset).plus(engine.balances.locked(asset));
        expect(holdings('XYZ').toFixed()).toBe(base.toFixed());
        expect(holdings('USDT').toFixed()).toBe(quote.toFixed());

        const held = { XYZ: ZERO, USDT: ZERO } as Record<string, Decimal>;
        for (const order of engine.orders.values()) {
          if (order.lockAsset === null) continue;
          if (!isOpen(order)) expect(order.lockRemaining.isZero()).toBe(true);
          held[order.lockAsset] = (held[order.lockAsset] ?? ZERO).plus(order.lockRemaining);
        }
        for (const asset of ['XYZ', 'USDT']) {
          expect(engine.balances.locked(asset).toFixed()).toBe((held[asset] ?? ZERO).toFixed());
          expect(engine.balances.free(asset).gte(0)).toBe(true);
        }
        for (const order of engine.orders.values()) {
          expect(order.executedQty.lte(order.origQty)).toBe(true);
          expect(order.status === 'FILLED').toBe(order.executedQty.eq(order.origQty));
        }
      }),
      { numRuns: 300 },
    );
    // the runs must have traded, split and partly filled, or the invariants proved nothing
        expect(trades).toBeGreaterThan(1000);
    expect(partiallyFilled).toBeGreaterThan(50);
    expect(splitOrders).toBeGreaterThan(50);
  });
});
