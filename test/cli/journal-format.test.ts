import { describe, expect, it } from 'vitest';
import { journalEntryJson, journalTable } from '../../src/cli/journal-format.js';
import type { JournalEntry } from '../../src/ports/journal.js';

const entry: JournalEntry = {
  seq: 7,
  entry_id: 'JRN_20261124_101500_0000abcd',
  event_type: 'TRADE_OPENED',
  flow_id: 'DIR_1',
  directive_id: 'DIR_1',
  strategy_id: 's1',
  timestamp: '2026-11-24T10:15:00.000Z',
  correlation_id: 'DIR_1',
  causation_id: 'JRN_20261124_101500_00000001',
  body: { symbol: 'BTC_USDT', fill_price: '65000.1', seq: 'clash', directive_id: 'DIR_1' },
  prev_hash: 'aa',
  hash: 'bb',
};

describe('journal output', () => {
  it('spreads the body between the envelope and the chain; a repeated envelope field is dropped, a clashing one renamed', () => {
    const json = journalEntryJson(entry);
    expect(Object.keys(json)).toEqual([
      'seq',
      'entry_id',
      'event_type',
      'flow_id',
      'directive_id',
      'strategy_id',
      'timestamp',
      'correlation_id',
      'causation_id',
      'symbol',
      'fill_price',
      'body_seq',
      'prev_hash',
      'hash',
    ]);
    expect(json.seq).toBe(7);
    expect(json.body_seq).toBe('clash');
  });

  it('renders one table row per entry with the body as key=value', () => {
    const lines = journalTable([entry]).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('TRADE_OPENED');
    expect(lines[1]).toContain('symbol=BTC_USDT fill_price=65000.1');
  });

  it('shows plain fields before nested ones and leaves empty ones out of the table (the JSON keeps them)', () => {
    const withNested: JournalEntry = { ...entry, body: { order: { side: 'BUY' }, rationale: null, status: 'FILLED', error_message: 'none' } };
    const row = journalTable([withNested]).split('\n')[1]!;
    expect(row).toContain('status=FILLED error_message=none order={"side":"BUY"}');
    expect(row).not.toContain('rationale');
    expect(journalEntryJson(withNested).rationale).toBeNull();
  });
});
