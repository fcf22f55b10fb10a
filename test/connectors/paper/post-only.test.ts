import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/schema.js';
import { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { systemClock } from '../../../src/domain/clock.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { PlanexecError } from '../../../src/domain/errors.js';
import type { OrderRequest } from '../../../src/ports/connector.js';

function limit(id: string, price: string, extra: Partial<OrderRequest> = {}): OrderRequest {
  return { client_order_id: id, symbol: 'BTC_USDT', side: 'BUY', order_type: 'LIMIT', quantity: new Decimal('0.01'), limit_price: new Decimal(price), time_in_force: 'GTC', reduce_only: false, ...extra };
}

async function refusal(promise: Promise<unknown>): Promise<PlanexecError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PlanexecError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the paper venue: post-only and iceberg orders', () => {
  let venue: PaperConnector;
  beforeEach(async () => {
    venue = new PaperConnector({ ...defaultConfig().connector.paper, path: ':memory:', slippage_bps: new Decimal(0) }, { clock: systemClock });
    await venue.setPrice('BTC_USDT', new Decimal('65000'));
  });
  afterEach(async () => {
    await venue.close();
  });

  it('declares post-only and no native iceberg', () => {
    expect([venue.capabilities.postOnly, venue.capabilities.nativeIceberg]).toEqual([true, false]);
  });

  it('a post-only BUY below the price rests, then fills at its limit as a maker when the price comes down through it', async () => {
    const placed = await venue.placeOrder(limit('PX0000000000000001-P1', '64999.99', { post_only: true }));
    expect(placed.status).toBe('OPEN');
    await venue.setPrice('BTC_USDT', new Decimal('64990'));
    const filled = await venue.fetchOrder('PX0000000000000001-P1', 'BTC_USDT');
    expect([filled?.status, filled?.average_fill_price?.toFixed()]).toEqual(['FILLED', '64999.99']);
  });

  it('a post-only BUY at or above the price is refused POST_ONLY_WOULD_CROSS, naming both prices, and nothing rests', async () => {
    const error = await refusal(venue.placeOrder(limit('PX0000000000000002-P1', '65000', { post_only: true })));
    expect(error.code).toBe('POST_ONLY_WOULD_CROSS');
    expect(error.message).toContain('65000');
    expect(await venue.fetchOpenOrders('BTC_USDT')).toEqual([]);
  });

  it('post_only on a MARKET order, and a display quantity, are refused', async () => {
    const market = await refusal(venue.placeOrder({ ...limit('PX0000000000000003-P1', '1', { post_only: true }), order_type: 'MARKET', limit_price: undefined }));
    expect(market.code).toBe('POST_ONLY_NEEDS_LIMIT');
    const iceberg = await refusal(venue.placeOrder(limit('PX0000000000000004-V1', '64000', { display_quantity: new Decimal('0.001') })));
    expect(iceberg.code).toBe('ICEBERG_NOT_SUPPORTED');
  });
});
