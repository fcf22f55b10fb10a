import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/decimal.js';
import { clientOrderId } from '../../../src/domain/ids.js';
import { ccxtOverLoopback } from './ccxt-fixture.js';

/** A step of the form mantissa × 10^-scale, as venues publish them (0.01, 0.00025, 5, …). */
const stepArb = fc.record({ mantissa: fc.constantFrom('1', '2', '5', '25'), scale: fc.integer({ min: 0, max: 8 }) }).map(({ mantissa, scale }) => new Decimal(mantissa).div(new Decimal(10).pow(scale)));

describe('amounts reach the venue exactly as planexec wrote them (never ccxt float rounding, ccxt #4853)', () => {
  it('for random tick and lot grids, the quantity and the price in the request equal decimal.toFixed()', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(stepArb, stepArb, fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 1, max: 9_999_999 }), async (tick, lot, lots, ticks) => {
        const quantity = lot.mul(lots);
        const price = tick.mul(ticks);
        const world = await ccxtOverLoopback({
          venue: {
            instruments: [
              {
                symbol: 'BTCUSDT',
                base: 'BTC',
                quote: 'USDT',
                tickSize: tick.toFixed(),
                stepSize: lot.toFixed(),
                minQty: lot.toFixed(),
                maxQty: '100000000000',
                minNotional: '0',
                minPrice: tick.toFixed(),
                maxPrice: '100000000000000',
                price: price.mul(2).toFixed(),
              },
            ],
            balances: { USDT: '1000000000000000000000' },
          },
        });
        try {
          run += 1;
          const id = clientOrderId(`exact-amounts-${run}`, 'E');
          // the venue may refuse it on its own rules; what matters is what was sent
          await world.connector
            .placeOrder({ client_order_id: id, symbol: 'BTC_USDT', side: 'BUY', order_type: 'LIMIT', quantity, limit_price: price, time_in_force: 'GTC', reduce_only: false })
            .catch(() => undefined);
          const [request] = await world.venue.client.requests('POST /api/v3/order');
          expect(request?.params).toMatchObject({ quantity: quantity.toFixed(), price: price.toFixed(), newClientOrderId: id });
        } finally {
          await world.close();
        }
      }),
      { numRuns: 40, seed: 4853 },
    );
  }, 120_000);
});
