import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
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
});
