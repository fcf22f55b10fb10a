import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import { nextGbmPrice } from '../../src/demo/price-path.js';
import { mulberry32 } from '../../src/demo/prng.js';

describe('mulberry32', () => {
  it('repeats its sequence for the same seed and stays in [0, 1)', () => {
    const a = mulberry32(99);
    const b = mulberry32(99);
    for (let i = 0; i < 1000; i++) {
      const x = a.next();
      expect(b.next()).toBe(x);
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('draws standard normals with mean near 0 and variance near 1', () => {
    const rng = mulberry32(5);
    const xs = Array.from({ length: 20_000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('nextGbmPrice', () => {
  it('moves by about volatility × shock and stays on the tick', () => {
    const next = nextGbmPrice(new Decimal('100'), 0.01, 1, new Decimal('0.01'));
    expect(next.toFixed()).toBe('101');
    const down = nextGbmPrice(new Decimal('100'), 0.01, -2, new Decimal('0.01'));
    expect(down.toFixed()).toBe('98.01');
  });

  it('never reaches zero', () => {
    expect(nextGbmPrice(new Decimal('0.01'), 0.5, -10, new Decimal('0.01')).toFixed()).toBe('0.01');
  });
});
