import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../dashboard/src/api/types.js';
import { FlowBook } from '../../dashboard/src/model/flow-book.js';

function flow(id: string, completedAt: string | null, status: FlowRecord['status'] = 'SUCCEEDED'): FlowRecord {
  return { flow_id: id, directive_id: id, strategy_id: 's', status, final_state: null, reason: null, error_details: null, started_at: '2026-12-02T10:00:00Z', completed_at: completedAt, duration_ms: null };
}

describe('FlowBook', () => {
  it('lists flows newest first, by completion time or, while running, start time', () => {
    const book = new FlowBook(10);
    book.upsert([flow('A', '2026-12-02T10:00:02Z'), flow('B', null, 'RUNNING'), flow('C', '2026-12-02T10:00:01.500Z')]);
    expect(book.newestFirst().map((f) => f.flow_id)).toEqual(['A', 'C', 'B']);
  });

  it('replaces a running flow by its stop instead of listing it twice', () => {
    const book = new FlowBook(10);
    book.upsert([flow('A', null, 'RUNNING')]);
    book.upsert([flow('A', '2026-12-02T10:00:05Z', 'FAILED')]);
    expect(book.newestFirst()).toEqual([flow('A', '2026-12-02T10:00:05Z', 'FAILED')]);
  });

  it('keeps the newest flows when it grows past its bound', () => {
    const book = new FlowBook(4);
    book.upsert(Array.from({ length: 6 }, (_, i) => flow(`F${i}`, `2026-12-02T10:00:0${i}Z`)));
    expect(book.newestFirst().map((f) => f.flow_id)).toEqual(['F5', 'F4', 'F3', 'F2']);
    expect(book.size).toBe(4);
  });
});
