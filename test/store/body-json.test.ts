import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LosslessNumber } from 'lossless-json';
import { Decimal } from '../../src/domain/decimal.js';
import { toWire } from '../../src/domain/directive.js';
import { bodyJson } from '../../src/store/body-json.js';

describe('bodyJson', () => {
  it('writes members in the order the body was built, without whitespace', () => {
    expect(bodyJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"b":1,"a":{"d":[3,{"z":1,"y":2}],"c":null}}');
  });

  it('writes Decimals through toJSON as their text', () => {
    expect(bodyJson({ price: new Decimal('65000.10') })).toBe('{"price":"65000.1"}');
  });

  it('drops undefined members like JSON.stringify, and writes them as null in arrays', () => {
    expect(bodyJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('refuses non-finite numbers and bigints with their path instead of writing null', () => {
    expect(() => bodyJson({ x: Number.NaN })).toThrow(/non-finite number at \$\.x/);
    expect(() => bodyJson({ x: [Number.POSITIVE_INFINITY] })).toThrow(/\$\.x\[0\]/);
    expect(() => bodyJson({ a: { x: 1n } })).toThrow(/bigint at \$\.a\.x/);
  });

  it('gives the same text for the same value and survives a parse unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = bodyJson(value);
        expect(bodyJson(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('writes a body with Decimals, lossless numbers and dates as the JSON of its wire form (toWire), so callers need not convert first', () => {
    const decimal = fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 12 })).map(([units, scale]) => new Decimal(units.toString()).div(new Decimal(10).pow(scale)));
    const leaf = fc.oneof(decimal, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.integer({ min: 0, max: 1e6 }).map((n) => new LosslessNumber(String(n))), fc.date({ noInvalidDate: true }));
    const body = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), leaf)));
    fc.assert(
      fc.property(body, (value) => {
        expect(bodyJson(value)).toBe(JSON.stringify(toWire(value)));
      }),
      { numRuns: 300 },
    );
  });
});
