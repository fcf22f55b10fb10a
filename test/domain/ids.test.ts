import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDENTIFIER } from '../../src/domain/directive.js';
import { clientOrderId, generateId, idTimestamp, invalidInputFlowId, isGeneratedId } from '../../src/domain/ids.js';

describe('generateId', () => {
  it('formats PREFIX_YYYYMMDD_HHMMSS_hash8 in UTC', () => {
    const id = generateId('ORD', Date.UTC(2026, 10, 24, 10, 15, 0));
    expect(id).toMatch(/^ORD_20261124_101500_[0-9a-f]{8}$/);
    expect(isGeneratedId(id, 'ORD')).toBe(true);
    expect(idTimestamp(id).toISOString()).toBe('2026-11-24T10:15:00.000Z');
  });

  it('gives different ids within the same second', () => {
    const now = Date.UTC(2026, 0, 1);
    const ids = new Set(Array.from({ length: 1000 }, () => generateId('FIL', now)));
    expect(ids.size).toBe(1000);
  });

  it('rejects a prefix that is not three capitals', () => {
    expect(() => generateId('order')).toThrow(/3 uppercase letters/);
  });
});

describe('clientOrderId', () => {
  it('is the same for the same directive and leg, and differs per leg', () => {
    expect(clientOrderId('DIR_1', 'E')).toBe(clientOrderId('DIR_1', 'E'));
    expect(clientOrderId('DIR_1', 'E')).not.toBe(clientOrderId('DIR_1', 'SL'));
    expect(clientOrderId('DIR_1', 'E')).not.toBe(clientOrderId('DIR_2', 'E'));
    expect(clientOrderId('x'.repeat(128), 'TP0123456789').length).toBeLessThanOrEqual(32);
  });
});

describe('invalidInputFlowId', () => {
  it('is stable for the same bytes', () => {
    expect(invalidInputFlowId('{bad')).toBe(invalidInputFlowId('{bad'));
    expect(invalidInputFlowId('{bad')).not.toBe(invalidInputFlowId('{bad '));
  });
});

describe('generated ids (reference §2) as the rest of planexec uses them', () => {
  const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59) });
  const prefix = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')), minLength: 3, maxLength: 3 });

  it('embed their UTC second, readable back', () => {
    fc.assert(
      fc.property(prefix, instant, (p, ms) => {
        const id = generateId(p, ms);
        expect(isGeneratedId(id, p)).toBe(true);
        expect(idTimestamp(id).getTime()).toBe(Math.floor(ms / 1000) * 1000);
      }),
      { numRuns: 300 },
    );
  });

  it('sort chronologically by text across seconds', () => {
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        fc.pre(Math.floor(a / 1000) !== Math.floor(b / 1000));
        const [ia, ib] = [generateId('ORD', a), generateId('ORD', b)];
        expect(ia < ib).toBe(a < b);
      }),
      { numRuns: 300 },
    );
  });

  it('are valid directive identifiers, as are client order ids and invalid-input flow ids', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.string({ unit: fc.constantFrom(...'ABCxyz019'.split('')), minLength: 1, maxLength: 12 }), (text, leg) => {
        expect(generateId('STR')).toMatch(IDENTIFIER);
        expect(clientOrderId(text, leg)).toMatch(IDENTIFIER);
        expect(clientOrderId(text, leg).length).toBeLessThanOrEqual(32);
        expect(invalidInputFlowId(text)).toMatch(IDENTIFIER);
      }),
      { numRuns: 200 },
    );
  });

  it('isGeneratedId refuses look-alikes', () => {
    for (const bad of ['ORD_20261124_101500_a1b2c3d', 'ORD_20261124_101500_A1B2C3D4', 'ORDX_20261124_101500_a1b2c3d4', 'ORD-20261124-101500-a1b2c3d4', 'ORD_20261124_101500_a1b2c3d4_x']) {
      expect(isGeneratedId(bad)).toBe(false);
    }
    expect(isGeneratedId('ORD_20261124_101500_a1b2c3d4', 'FIL')).toBe(false);
    expect(() => idTimestamp('nope')).toThrow(TypeError);
  });

  it('clientOrderId refuses a leg that is not 1-12 alphanumerics', () => {
    for (const leg of ['', 'a-b', 'x'.repeat(13)]) expect(() => clientOrderId('DIR_1', leg)).toThrow(TypeError);
  });
});
