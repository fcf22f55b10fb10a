import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/decimal.js';
import { icebergVisible, smallestChild, twapSchedule, type ChunkDistribution, type SizeRules } from '../../../src/orchestration/styles/child-schedule.js';

/** Lots from real instruments; totals, minimums and prices built from integers so every amount is exact. */
const lot = fc.constantFrom('0.00001', '0.001', '0.01', '1').map((l) => new Decimal(l));
const world = lot.chain((lotSize) =>
  fc.record({
    rules: fc.record({
      lotSize: fc.constant(lotSize),
      minQuantity: fc.integer({ min: 1, max: 50 }).map((n) => lotSize.times(n)),
      minNotional: fc.integer({ min: 0, max: 50 }).map((n) => new Decimal(n)),
    }),
    total: fc.integer({ min: 1, max: 5_000_000 }).map((n) => lotSize.times(n)),
    price: fc.integer({ min: 1, max: 10_000_000 }).map((n) => new Decimal(n).div(100)),
    chunks: fc.integer({ min: 1, max: 100 }),
    windowMs: fc.integer({ min: 60_000, max: 86_400_000 }),
    distribution: fc.constantFrom<ChunkDistribution>('UNIFORM', 'FRONT_LOADED', 'BACK_LOADED'),
  }),
);

const onLot = (q: Decimal, rules: SizeRules): boolean => q.div(rules.lotSize).isInteger();

describe('TWAP schedules', () => {
  it('children sum exactly to the size, each on the lot and at least the venue minimum (unless one child holds a size below it), all inside the window in time order, no more than asked, the same every time', () => {
    fc.assert(
      fc.property(world, (w) => {
        const children = twapSchedule(w);
        const smallest = smallestChild(w.rules, w.price);
        expect(children.length).toBeGreaterThanOrEqual(1);
        expect(children.length).toBeLessThanOrEqual(w.chunks);
        expect(children.reduce((sum, c) => sum.plus(c.quantity), new Decimal(0)).eq(w.total)).toBe(true);
        for (const [i, child] of children.entries()) {
          expect(child.index).toBe(i);
          expect(onLot(child.quantity, w.rules)).toBe(true);
          expect(child.quantity.gt(0)).toBe(true);
          if (children.length > 1) expect(child.quantity.gte(smallest)).toBe(true);
          expect(child.offsetMs).toBeGreaterThanOrEqual(0);
          expect(child.offsetMs).toBeLessThan(w.windowMs);
          if (i > 0) expect(child.offsetMs).toBeGreaterThanOrEqual(children[i - 1]!.offsetMs);
        }
        expect(twapSchedule(w)).toEqual(children);
      }),
      { numRuns: 400 },
    );
  });

  it('a size that fits as many children as asked: FRONT_LOADED never grows from one child to the next but for the last (the remainder), BACK_LOADED never shrinks', () => {
    fc.assert(
      fc.property(world, (w) => {
        const smallest = smallestChild(w.rules, w.price);
        // enough room that no child is merged: every share is well above the minimum
        fc.pre(w.total.gte(smallest.times(w.chunks).times(w.chunks).times(4)));
        const front = twapSchedule({ ...w, distribution: 'FRONT_LOADED' }).map((c) => c.quantity);
        const back = twapSchedule({ ...w, distribution: 'BACK_LOADED' }).map((c) => c.quantity);
        expect(front).toHaveLength(w.chunks);
        for (let i = 1; i < front.length - 1; i++) expect(front[i]!.lte(front[i - 1]!)).toBe(true);
        for (let i = 1; i < back.length - 1; i++) expect(back[i]!.gte(back[i - 1]!)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('four children of a round size over a minute: equal parts at 0, 15, 30 and 45 s', () => {
    const rules = { lotSize: new Decimal('0.001'), minQuantity: new Decimal('0.001'), minNotional: new Decimal('5') };
    const children = twapSchedule({ total: new Decimal('1'), chunks: 4, windowMs: 60_000, distribution: 'UNIFORM', rules, price: new Decimal('65000') });
    expect(children.map((c) => [c.quantity.toFixed(), c.offsetMs])).toEqual([
      ['0.25', 0],
      ['0.25', 15_000],
      ['0.25', 30_000],
      ['0.25', 45_000],
    ]);
  });

  it('a size the venue minimum allows only twice is sent as two children, not as ten below the minimum', () => {
    // min notional 100 at 10 = 10 units; 25 units fit two children of at least 10
    const rules = { lotSize: new Decimal('1'), minQuantity: new Decimal('1'), minNotional: new Decimal('100') };
    const children = twapSchedule({ total: new Decimal('25'), chunks: 10, windowMs: 600_000, distribution: 'UNIFORM', rules, price: new Decimal('10') });
    expect(children.map((c) => [c.quantity.toFixed(), c.offsetMs])).toEqual([
      ['12', 0],
      ['13', 300_000],
    ]);
  });

  it('a size below the venue minimum is one child holding all of it', () => {
    const rules = { lotSize: new Decimal('0.001'), minQuantity: new Decimal('0.01'), minNotional: new Decimal('0') };
    expect(twapSchedule({ total: new Decimal('0.005'), chunks: 5, windowMs: 60_000, distribution: 'UNIFORM', rules, price: new Decimal('100') }).map((c) => c.quantity.toFixed())).toEqual(['0.005']);
  });

  it('refuses a size of zero', () => {
    const rules = { lotSize: new Decimal('1'), minQuantity: new Decimal('1'), minNotional: new Decimal('0') };
    expect(() => twapSchedule({ total: new Decimal('0'), chunks: 2, windowMs: 60_000, distribution: 'UNIFORM', rules, price: new Decimal('1') })).toThrow(TypeError);
  });
});

describe('ICEBERG visible part', () => {
  it('is on the lot, at least the venue minimum (or the whole size when that is smaller), never more than the size', () => {
    fc.assert(
      fc.property(world, fc.integer({ min: 0, max: 100 }), (w, percent) => {
        const visible = icebergVisible({ total: w.total, visibility: new Decimal(percent).div(100), rules: w.rules, price: w.price });
        const smallest = smallestChild(w.rules, w.price);
        expect(onLot(visible, w.rules)).toBe(true);
        expect(visible.lte(w.total)).toBe(true);
        expect(visible.gte(smallest) || visible.eq(w.total)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('the smallest child meets the minimum quantity and notional, on the lot', () => {
    fc.assert(
      fc.property(world, (w) => {
        const smallest = smallestChild(w.rules, w.price);
        expect(onLot(smallest, w.rules)).toBe(true);
        expect(smallest.gte(w.rules.minQuantity)).toBe(true);
        expect(smallest.times(w.price).gte(w.rules.minNotional)).toBe(true);
        expect(smallest.minus(w.rules.lotSize).times(w.price).lt(w.rules.minNotional) || smallest.minus(w.rules.lotSize).lt(w.rules.minQuantity)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
