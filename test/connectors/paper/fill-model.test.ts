import { describe, expect, it } from 'vitest';
import { PaperFaultsSchema } from '../../../src/config/schema.js';
import { pickFault } from '../../../src/connectors/paper/fault-plan.js';
import { exceedsSlippage, fillChunk, isMarketable, isStopTriggered, splitQuantity, takerPrice } from '../../../src/connectors/paper/fill-model.js';
import { nextRandom } from '../../../src/connectors/paper/seeded-random.js';
import { dec } from './paper-fixture.js';

const texts = (values: readonly { toString(): string }[]): string[] => values.map(String);

describe('paper fill model', () => {
  it('moves a taker price against the taker and rounds it to the tick', () => {
    expect(takerPrice('BUY', dec('100'), dec('2'), dec('0.01')).toString()).toBe('100.02');
    expect(takerPrice('SELL', dec('100'), dec('2'), dec('0.01')).toString()).toBe('99.98');
    expect(takerPrice('BUY', dec('100.003'), dec('0'), dec('0.01')).toString()).toBe('100');
  });

  it('compares a fill price with the slippage allowance on the adverse side only', () => {
    expect(exceedsSlippage('BUY', dec('100.21'), dec('100'), dec('0.002'))).toBe(true);
    expect(exceedsSlippage('BUY', dec('100.2'), dec('100'), dec('0.002'))).toBe(false);
    expect(exceedsSlippage('BUY', dec('99'), dec('100'), dec('0.002'))).toBe(false);
    expect(exceedsSlippage('SELL', dec('99.79'), dec('100'), dec('0.002'))).toBe(true);
    expect(exceedsSlippage('SELL', dec('101'), dec('100'), dec('0.002'))).toBe(false);
  });

  it('treats touching the limit or the stop as reaching it', () => {
    expect(isMarketable('BUY', dec('100'), dec('100'))).toBe(true);
    expect(isMarketable('BUY', dec('100'), dec('100.01'))).toBe(false);
    expect(isMarketable('SELL', dec('100'), dec('100'))).toBe(true);
    expect(isMarketable('SELL', dec('100'), dec('99.99'))).toBe(false);
    expect(isStopTriggered('SELL', dec('100'), dec('100'))).toBe(true);
    expect(isStopTriggered('SELL', dec('100'), dec('100.01'))).toBe(false);
    expect(isStopTriggered('BUY', dec('100'), dec('100'))).toBe(true);
    expect(isStopTriggered('BUY', dec('100'), dec('99.99'))).toBe(false);
  });

  it('splits a quantity into parts of at most the threshold, rounded down to the lot', () => {
    expect(texts(splitQuantity(dec('1'), dec('0'), dec('0.1')))).toEqual(['1']);
    expect(texts(splitQuantity(dec('1'), dec('0.4'), dec('0.1')))).toEqual(['0.4', '0.4', '0.2']);
    expect(texts(splitQuantity(dec('1'), dec('0.25'), dec('0.1')))).toEqual(['0.2', '0.2', '0.2', '0.2', '0.2']);
    expect(texts(splitQuantity(dec('0.3'), dec('0.05'), dec('0.1')))).toEqual(['0.1', '0.1', '0.1']);
    expect(texts(splitQuantity(dec('0.3'), dec('0.5'), dec('0.1')))).toEqual(['0.3']);
    expect(fillChunk(dec('0'), dec('0.1'))).toBeUndefined();
  });
});

describe('paper fault plan', () => {
  const faults = PaperFaultsSchema.parse({ transient_error_rate: 0.1, rejection_rate: 0.2, timeout_rate: 0.3 });

  it('splits one draw into consecutive bands, one per fault the call can suffer', () => {
    expect(pickFault(0.05, 'place', faults)).toBe('TRANSIENT');
    expect(pickFault(0.15, 'place', faults)).toBe('REJECTION');
    expect(pickFault(0.45, 'place', faults)).toBe('TIMEOUT');
    expect(pickFault(0.65, 'place', faults)).toBe('NONE');
    // a cancel cannot be rejected by fault: timeouts take the band after transient errors
    expect(pickFault(0.15, 'cancel', faults)).toBe('TIMEOUT');
    expect(pickFault(0.45, 'cancel', faults)).toBe('NONE');
    // a read only fails transiently
    expect(pickFault(0.15, 'fetch', faults)).toBe('NONE');
    expect(pickFault(0.05, 'fetch', faults)).toBe('TRANSIENT');
  });

  it('draws each fault about as often as its rate says', () => {
    const seen = { NONE: 0, TRANSIENT: 0, REJECTION: 0, TIMEOUT: 0 };
    let state = 42;
    for (let i = 0; i < 20_000; i++) {
      const draw = nextRandom(state);
      state = draw.state;
      seen[pickFault(draw.value, 'place', faults)] += 1;
    }
    expect(seen.TRANSIENT / 20_000).toBeCloseTo(0.1, 1);
    expect(seen.REJECTION / 20_000).toBeCloseTo(0.2, 1);
    expect(seen.TIMEOUT / 20_000).toBeCloseTo(0.3, 1);
  });

  it('produces the same sequence from the same state', () => {
    const sequence = (seed: number): number[] => {
      const values: number[] = [];
      let state = seed;
      for (let i = 0; i < 5; i++) {
        const draw = nextRandom(state);
        values.push(draw.value);
        state = draw.state;
      }
      return values;
    };
    expect(sequence(1)).toEqual(sequence(1));
    expect(sequence(1)).not.toEqual(sequence(2));
    for (const value of sequence(3)) expect(value >= 0 && value < 1).toBe(true);
  });
});
