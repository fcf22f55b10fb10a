import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../dashboard/src/api/types.js';
import { causalityTree } from '../../dashboard/src/model/causality-tree.js';

function entry(seq: number, causation: number | null, kind: TimelineEntry['kind'] = 'event'): TimelineEntry {
  return { seq, entry_id: `E${seq}`, event_type: 'X', kind, timestamp: '2026-12-02T10:00:00Z', causation_id: causation === null ? null : `E${causation}`, body: {} };
}

const shape = (timeline: TimelineEntry[]) => causalityTree(timeline).map(({ entry: e, depth }) => `${e.entry_id}@${depth}`);

describe('causalityTree', () => {
  it('nests each entry one level under the entry that caused it, siblings in journal order', () => {
    // directive → entry order → fill → ledger, which causes both protective orders and the stop
    const timeline = [entry(1, null, 'directive'), entry(2, 1), entry(3, 2), entry(4, 3), entry(5, 4), entry(6, 4), entry(7, 4, 'stop'), entry(8, 5)];
    expect(shape(timeline)).toEqual(['E1@0', 'E2@1', 'E3@2', 'E4@3', 'E5@4', 'E8@5', 'E6@4', 'E7@4']);
  });

  it('orders by seq whatever order the timeline arrives in', () => {
    expect(shape([entry(3, 1), entry(1, null), entry(2, 1)])).toEqual(['E1@0', 'E2@1', 'E3@1']);
  });

  it('shows an entry whose cause lies outside the timeline as a root', () => {
    expect(shape([entry(5, 4), entry(6, 5), entry(7, null)])).toEqual(['E5@0', 'E6@1', 'E7@0']);
  });

  it('shows every entry of a causation cycle once instead of looping or dropping them', () => {
    const a = { ...entry(1, 2) };
    const b = { ...entry(2, 1) };
    expect(shape([a, b]).sort()).toEqual(['E1@0', 'E2@1']);
  });
});
