import { describe, expect, it } from 'vitest';
import { idTimestamp, isGeneratedId } from '../../src/domain/ids.js';
import { JournalEntryIds } from '../../src/domain/journal-entry-ids.js';

describe('JournalEntryIds', () => {
  it('makes ids in the platform format, stamped with the given second (UTC)', () => {
    const id = new JournalEntryIds().next(Date.UTC(2026, 10, 24, 10, 15, 7, 999));
    expect(isGeneratedId(id, 'JRN')).toBe(true);
    expect(id).toMatch(/^JRN_20261124_101507_[0-9a-f]{8}$/);
    expect(idTimestamp(id).toISOString()).toBe('2026-11-24T10:15:07.000Z');
  });

  it('never repeats an id within a second, even at journal rates', () => {
    const ids = new JournalEntryIds();
    const now = Date.UTC(2026, 0, 1);
    const made = new Set(Array.from({ length: 200_000 }, () => ids.next(now)));
    expect(made.size).toBe(200_000);
  });

  it('starts each second at a fresh random point', () => {
    const ids = new JournalEntryIds();
    const a = ids.next(Date.UTC(2026, 0, 1, 0, 0, 0));
    const b = ids.next(Date.UTC(2026, 0, 1, 0, 0, 1));
    const c = ids.next(Date.UTC(2026, 0, 1, 0, 0, 2));
    expect(new Set([a, b, c].map((id) => id.slice(-8))).size).toBe(3);
  });
});
