import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InstrumentRules } from '../../src/ports/connector.js';
import { Decimal } from '../../src/domain/decimal.js';
import { RiskDenied } from '../../src/domain/errors.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { checkVenueRules, fitOrderToGrid, priceRounding } from '../../src/orchestration/venue-rules.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { createHarness } from './harness.js';

const d = (value: string | number): Decimal => new Decimal(value);

function rules(overrides: Partial<InstrumentRules> = {}): InstrumentRules {
  return {
    symbol: 'BTC_USDT',
    base_asset: 'BTC',
    quote_asset: 'USDT',
    tick_size: d('0.1'),
    lot_size: d('0.001'),
    min_quantity: d('0.001'),
    min_notional: d('10'),
    max_quantity: null,
    ...overrides,
  };
}

function isOnStep(value: Decimal, step: Decimal): boolean {
  return value.mod(step).isZero();
}

describe('prices go onto the tick the way that is never worse than asked', () => {
  it('a limit BUY rounds down, a limit SELL up; a protective stop towards the market; an entry trigger to the nearest', () => {
    expect(priceRounding('limit_price', 'BUY', false)).toBe('down');
    expect(priceRounding('limit_price', 'SELL', true)).toBe('up');
    expect(priceRounding('stop_price', 'SELL', true)).toBe('up');
    expect(priceRounding('stop_price', 'BUY', true)).toBe('down');
    expect(priceRounding('stop_price', 'BUY', false)).toBe('nearest');
  });

  it('fits an order: quantity floored to the lot, limit and stop by side', () => {
    const fitted = fitOrderToGrid(
      { symbol: 'BTC_USDT', side: 'SELL', order_type: 'STOP_LIMIT', quantity: d('0.0159'), limit_price: d('64000.01'), stop_price: d('64000.19'), time_in_force: 'GTC', reduce_only: true },
      rules(),
    );
    expect([fitted.quantity.toFixed(), fitted.limit_price?.toFixed(), fitted.stop_price?.toFixed()]).toEqual(['0.015', '64000.1', '64000.2']);
  });
});

describe('checkVenueRules', () => {
  function denial(run: () => void): RiskDenied {
    try {
      run();
    } catch (error) {
      if (error instanceof RiskDenied) return error;
      throw error;
    }
    throw new Error('expected a RiskDenied');
  }

  it('names the field, the value, the rule and the venue figure for max_quantity', () => {
    const error = denial(() => checkVenueRules(rules({ max_quantity: d('0.5') }), d('0.6'), d('65000'), 'ENTRY X'));
    expect(error.code).toBe('MAX_QUANTITY');
    expect(error.message).toBe('ENTRY X: quantity 0.6 is above the maximum 0.5 for BTC_USDT [max_quantity]');
    expect(error.details).toMatchObject({ field: 'quantity', quantity: '0.6', rule: 'max_quantity', max_quantity: '0.5', symbol: 'BTC_USDT' });
  });

  it('measures min_notional at the given price', () => {
    const error = denial(() => checkVenueRules(rules(), d('0.001'), d('9000'), 'CLOSE Y'));
    expect(error.code).toBe('MIN_NOTIONAL');
    expect(error.details).toMatchObject({ field: 'notional', notional: '9', price: '9000', rule: 'min_notional', min_notional: '10' });
  });

  it('refuses a quantity that floors to zero as below min_quantity', () => {
    expect(denial(() => checkVenueRules(rules(), d('0'), d('65000'), 'E')).code).toBe('MIN_QUANTITY');
  });
});

/** Grids like venues use: a step of 1, 2, 5 or 25 × 10^-k. */
const step = fc.tuple(fc.constantFrom(1, 2, 5, 25), fc.integer({ min: 0, max: 6 })).map(([m, k]) => d(String(m)).div(d(10).pow(k)));
const amount = fc.tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 8 })).map(([n, k]) => d(String(n)).div(d(10).pow(k)));

describe('property: what passes the venue rules is on the grid, within [min, max], and never more than asked', () => {
  it('for random grids and amounts (the pure rules)', () => {
    fc.assert(
      fc.property(step, step, amount, amount, fc.integer({ min: 1, max: 50 }), fc.option(fc.integer({ min: 1, max: 5000 })), fc.constantFrom('BUY', 'SELL' as const), (tick, lot, qty, price, minLots, maxLots, side) => {
        const r = rules({ tick_size: tick, lot_size: lot, min_quantity: lot.mul(minLots), max_quantity: maxLots === null ? null : lot.mul(maxLots + minLots), min_notional: d('1') });
        const fitted = fitOrderToGrid({ symbol: 'BTC_USDT', side, order_type: 'LIMIT', quantity: qty, limit_price: price, time_in_force: 'GTC', reduce_only: false }, r);
        let passed = true;
        try {
          checkVenueRules(r, fitted.quantity, fitted.limit_price!, 'P');
        } catch (error) {
          if (!(error instanceof RiskDenied)) throw error;
          passed = false;
        }
        // the limit never gets worse than asked, and stays within one tick
        expect(isOnStep(fitted.limit_price!, tick)).toBe(true);
        expect(side === 'BUY' ? fitted.limit_price!.lte(price) : fitted.limit_price!.gte(price)).toBe(true);
        expect(fitted.limit_price!.minus(price).abs().lt(tick)).toBe(true);
        if (!passed) return;
        expect(isOnStep(fitted.quantity, lot)).toBe(true);
        expect(fitted.quantity.lte(qty)).toBe(true);
        expect(fitted.quantity.gte(r.min_quantity)).toBe(true);
        if (r.max_quantity) expect(fitted.quantity.lte(r.max_quantity)).toBe(true);
        expect(fitted.quantity.mul(fitted.limit_price!).gte(r.min_notional)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('for random grids and amounts through the orchestrator: sent on the grid within the rules, or denied with nothing sent', async () => {
    await fc.assert(
      fc.asyncProperty(step, step, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 900_000 }), fc.integer({ min: 55_000, max: 64_000 }), async (tick, lot, minLots, maxLots, qtyMilli, limit) => {
        const h = createHarness();
        const r = rules({ tick_size: tick, lot_size: lot, min_quantity: lot.mul(minLots), max_quantity: lot.mul(minLots + maxLots), min_notional: d('10') });
        h.connector.rules.set('BTC_USDT', r);
        const quantity = d(qtyMilli).div(1_000_000);
        const price = d(limit).plus(d('0.0123456'));
        const result = await h.submit(
          newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: price.toFixed() }, size_plan: { position_size: quantity.toFixed() }, exit_plan: undefined }),
        );
        const placed = h.connector.placed();
        if (result.outcome !== 'SUCCEEDED') {
          expect(['MIN_QUANTITY', 'MAX_QUANTITY', 'MIN_NOTIONAL']).toContain(result.error_code);
          expect(placed).toEqual([]);
          return;
        }
        const [sent] = placed;
        expect(isOnStep(sent!.quantity, lot) && isOnStep(sent!.limit_price!, tick)).toBe(true);
        expect(sent!.quantity.lte(quantity) && sent!.quantity.gte(r.min_quantity) && sent!.quantity.lte(r.max_quantity!)).toBe(true);
        expect(sent!.limit_price!.lte(price)).toBe(true);
        expect(sent!.quantity.mul(sent!.limit_price!).gte(r.min_notional)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('every leg passes the venue rules before it is sent', () => {
  it('an entry above max_quantity is denied MAX_QUANTITY naming the rule and the venue figure; no placeOrder happened', async () => {
    const h = createHarness();
    h.connector.rules.set('BTC_USDT', { ...h.connector.rules.get('BTC_USDT')!, max_quantity: d('0.01') });
    const result = await h.submit(newTradeWire());
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'MAX_QUANTITY' });
    expect(result.reason).toContain('quantity 0.015 is above the maximum 0.01 for BTC_USDT [max_quantity]');
    expect(h.connector.callsOf('placeOrder')).toHaveLength(0);
    expect(h.stops()[0]!.payload.error_details).toMatchObject({ error_type: 'RiskDenied', error_code: 'MAX_QUANTITY' });
  });

  it('protective legs of a partial fill off the lot are floored to the lot', async () => {
    const h = createHarness();
    const wire = newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '60000' }, exit_plan: { stop_loss_price: '59000', take_profit_price: '67000' } });
    expect((await h.submit(wire)).outcome).toBe('SUCCEEDED');
    // the venue reports a fill the lot does not divide (e.g. net of a fee in the base asset)
    h.connector.trigger(clientOrderId(wire.directive_id, 'E'), { quantity: '0.0125' });
    await h.settle(h.orchestrator.drain());
    const protective = h.connector.placed().filter((o) => o.reduce_only);
    expect(protective.map((o) => [o.order_type, o.quantity.toFixed()])).toEqual([
      ['STOP_MARKET', '0.012'],
      ['LIMIT', '0.012'],
    ]);
    // a later MODIFY of the target alone amends the target only: the stop already rests at what the lot allows
    const amendsBefore = h.connector.callsOf('amendOrder').length;
    expect((await h.submit(modifyWire([wire.directive_id], { exit_plan: { take_profit_price: '68000' } }))).outcome).toBe('SUCCEEDED');
    expect(h.connector.callsOf('amendOrder').slice(amendsBefore).map((c) => c.args[0])).toEqual([clientOrderId(wire.directive_id, 'TP')]);
  });

  it('a close whose notional at the reference price is below min_notional is denied MIN_NOTIONAL before the close order is sent', async () => {
    const h = createHarness();
    const wire = newTradeWire({ exit_plan: undefined });
    await h.submit(wire);
    h.connector.setPrice('BTC_USDT', '600');
    const result = await h.submit(closeWire([wire.directive_id]));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'MIN_NOTIONAL' });
    expect(result.reason).toContain('notional 9 (0.015 × 600) is below the minimum 10 for BTC_USDT [min_notional]');
    expect(h.connector.placed().filter((o) => o.reduce_only)).toEqual([]);
  });
});

describe('spot venues cannot short', () => {
  it('a SELL NEW_TRADE is denied SHORT_NOT_ALLOWED saying the venue is spot; nothing reaches the venue', async () => {
    const h = createHarness({ capabilities: { shortSelling: false } });
    const result = await h.submit(
      newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'SELL', order_type: 'MARKET' }, exit_plan: { stop_loss_price: '66000', take_profit_price: '63000' } }),
    );
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'SHORT_NOT_ALLOWED' });
    expect(result.reason).toContain('the venue is a spot market and cannot open a short');
    expect(h.connector.callsOf('placeOrder')).toHaveLength(0);
    expect(h.stops()[0]!.payload.error_details).toMatchObject({ error_type: 'RiskDenied', error_code: 'SHORT_NOT_ALLOWED' });
  });

  it('a BUY opens, and its reduce-only SELL stop and target are sent', async () => {
    const h = createHarness({ capabilities: { shortSelling: false } });
    const result = await h.submit(newTradeWire());
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.placed().map((o) => [o.side, o.reduce_only])).toEqual([
      ['BUY', false],
      ['SELL', true],
      ['SELL', true],
    ]);
  });
});
