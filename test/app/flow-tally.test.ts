import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FlowEnding, FlowTally } from '../../src/app/flow-tally.js';

describe('FlowTally', () => {
  it('counts each outcome and the reasons of failures and in-doubt flows', () => {
    const tally = new FlowTally();
    tally.add({ outcome: 'SUCCEEDED', error_code: null, adjustments: 2 });
    tally.add({ outcome: 'FAILED', error_code: 'VALIDATION_FAILED' });
    tally.add({ outcome: 'FAILED', error_code: 'VALIDATION_FAILED' });
    tally.add({ outcome: 'FAILED', error_code: 'TRADE_NOT_FOUND' });
    tally.add({ outcome: 'IN_DOUBT', error_code: null });
    tally.add({ outcome: 'DUPLICATE', error_code: null });
    expect(tally.counts()).toEqual({
      processed: 6,
      succeeded: 1,
      failed: 3,
      in_doubt: 1,
      duplicates: 1,
      adjusted: 1,
      failures_by_reason: { VALIDATION_FAILED: 2, IN_DOUBT: 1, TRADE_NOT_FOUND: 1 },
    });
  });

  it('keeps processed = succeeded + failed + in_doubt + duplicates', () => {
    const ending = fc.record({
      outcome: fc.constantFrom('SUCCEEDED', 'FAILED', 'IN_DOUBT', 'DUPLICATE') as fc.Arbitrary<FlowEnding['outcome']>,
      error_code: fc.option(fc.constantFrom('A', 'B'), { nil: null }),
      adjustments: fc.nat({ max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(ending), (endings) => {
        const tally = new FlowTally();
        endings.forEach((e) => tally.add(e));
        const c = tally.counts();
        expect(c.processed).toBe(endings.length);
        expect(c.succeeded + c.failed + c.in_doubt + c.duplicates).toBe(c.processed);
        expect(Object.values(c.failures_by_reason).reduce((a, b) => a + b, 0)).toBe(c.failed + c.in_doubt);
        // adjusted is informational: flows with at least one rounding, whatever their outcome
        expect(c.adjusted).toBe(endings.filter((e) => e.adjustments > 0).length);
      }),
    );
  });
});
