import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriceThinner } from '../../src/backtest/price-thinner.js';
import { SimClock } from '../../src/backtest/sim-clock.js';

describe('SimClock', () => {
  it('stands still until moved, never moves back, and wakes timers in time order, same-time ones in the order they were set', () => {
    const clock = new SimClock(1_000);
    const woke: string[] = [];
    clock.after(50, () => woke.push('b@1050'));
    clock.after(10, () => woke.push('a@1010'));
    clock.after(50, () => woke.push('c@1050'));
    const cancel = clock.after(20, () => woke.push('cancelled'));
    cancel();
    expect(clock.now()).toBe(1_000);
    expect(clock.nextDue()).toBe(1_010);
    expect(clock.fireNext(1_005)).toBe(false);
    while (clock.fireNext(Number.POSITIVE_INFINITY));
    expect(woke).toEqual(['a@1010', 'b@1050', 'c@1050']);
    expect(clock.now()).toBe(1_050);
    clock.moveTo(900);
    expect(clock.now()).toBe(1_050);
  });

  it('resolves a sleep when its time is reached and rejects it with the signal’s reason when aborted first', async () => {
    const clock = new SimClock(0);
    const slept = clock.sleep(100);
    clock.fireNext(100);
    await expect(slept).resolves.toBeUndefined();
    const abort = new AbortController();
    const aborted = clock.sleep(100, abort.signal);
    abort.abort(new Error('deadline'));
    await expect(aborted).rejects.toThrow('deadline');
    expect(clock.nextDue()).toBeUndefined();
  });
});

describe('PriceThinner', () => {
  it('keeps at most its limit (plus the latest point), evenly spaced, always ending with the latest bar', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 2, max: 300 }), (count, limit) => {
        const thinner = new PriceThinner(limit);
        for (let i = 0; i < count; i += 1) thinner.add(i, i * 2);
        const points = thinner.points();
        expect(points.length).toBeLessThanOrEqual(limit + 1);
        expect(points[points.length - 1]).toEqual({ atMs: count - 1, close: (count - 1) * 2 });
        expect(points[0]).toEqual({ atMs: 0, close: 0 });
        const gaps = new Set(points.slice(0, -1).map((p, i) => (points[i + 1] ?? p).atMs - p.atMs).slice(0, -1));
        expect(gaps.size).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });
});
