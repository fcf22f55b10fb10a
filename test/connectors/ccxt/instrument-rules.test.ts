import type { MarketInterface } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { instrumentRules, PrecisionMode } from '../../../src/connectors/ccxt/instrument-rules.js';
import { VenueRejected } from '../../../src/domain/errors.js';

function market(overrides: Partial<MarketInterface> = {}): MarketInterface {
  return {
    id: 'BTCUSDT',
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    spot: true,
    precision: { amount: 0.00001, price: 0.01 },
    limits: { amount: { min: 0.00001, max: 9000 }, price: {}, cost: { min: 5 }, leverage: {} },
    info: {},
    ...overrides,
  } as MarketInterface;
}

const text = (rules: ReturnType<typeof instrumentRules>) => ({
  symbol: rules.symbol,
  tick: rules.tick_size.toFixed(),
  lot: rules.lot_size.toFixed(),
  min: rules.min_quantity.toFixed(),
  max: rules.max_quantity?.toFixed() ?? null,
  notional: rules.min_notional.toFixed(),
});

describe('instrument rules from a ccxt market', () => {
  it("prefers the venue's raw filters (exact strings) over ccxt's parsed numbers", () => {
    const rules = instrumentRules(
      market({
        precision: { amount: 0.001, price: 0.1 },
        info: {
          filters: [
            { filterType: 'PRICE_FILTER', tickSize: '0.01000000', minPrice: '0.01' },
            { filterType: 'LOT_SIZE', stepSize: '0.00001000', minQty: '0.00002000', maxQty: '9000.00000000' },
            { filterType: 'NOTIONAL', minNotional: '5.00000000' },
          ],
        },
      }),
      PrecisionMode.TICK_SIZE,
    );
    expect(text(rules)).toEqual({ symbol: 'BTC_USDT', tick: '0.01', lot: '0.00001', min: '0.00002', max: '9000', notional: '5' });
  });

  it('reads MIN_NOTIONAL (older venues) when NOTIONAL is absent', () => {
    const rules = instrumentRules(market({ info: { filters: [{ filterType: 'MIN_NOTIONAL', minNotional: '10' }] } }), PrecisionMode.TICK_SIZE);
    expect(rules.min_notional.toFixed()).toBe('10');
  });

  it('TICK_SIZE precision mode: precision is the step itself (ccxt 4 for binance)', () => {
    expect(text(instrumentRules(market(), PrecisionMode.TICK_SIZE))).toEqual({ symbol: 'BTC_USDT', tick: '0.01', lot: '0.00001', min: '0.00001', max: '9000', notional: '5' });
  });

  it('DECIMAL_PLACES precision mode: precision is a number of places', () => {
    const rules = instrumentRules(market({ precision: { amount: 4, price: 2 } }), PrecisionMode.DECIMAL_PLACES);
    expect([rules.tick_size.toFixed(), rules.lot_size.toFixed()]).toEqual(['0.01', '0.0001']);
  });

  it('no minimum quantity -> one lot; no maximum -> null; no minimum cost -> 0', () => {
    const rules = instrumentRules(market({ limits: { amount: {}, price: {}, cost: {}, leverage: {} } as MarketInterface['limits'] }), PrecisionMode.TICK_SIZE);
    expect(text(rules)).toMatchObject({ min: '0.00001', max: null, notional: '0' });
  });

  it('a step it cannot derive (significant-digits mode, no filters) is refused naming the field', () => {
    expect(() => instrumentRules(market({ precision: { amount: 4, price: 5 } }), PrecisionMode.SIGNIFICANT_DIGITS)).toThrow(VenueRejected);
    expect(() => instrumentRules(market({ precision: { amount: 4, price: 5 } }), PrecisionMode.SIGNIFICANT_DIGITS)).toThrow(/no usable price step/);
  });
});
