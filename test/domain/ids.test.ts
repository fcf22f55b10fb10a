import { describe, expect, it } from 'vitest';
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
