import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalError } from '../../../src/domain/errors.js';
import { isGeneratedId } from '../../../src/domain/ids.js';
import type { IJournalWriter, JournalEntry } from '../../../src/ports/journal.js';
import { journalInput } from './builders.js';

export interface JournalFixture {
  readonly journal: IJournalWriter;
  close(): Promise<void>;
}

const GENESIS = '0'.repeat(64);

/** Behaviour every IJournalWriter must have. `factory` gives a fresh, empty store each time. */
export function describeJournalContract(name: string, factory: () => Promise<JournalFixture>): void {
  describe(`IJournalWriter contract: ${name}`, () => {
    let fixture: JournalFixture;
    let journal: IJournalWriter;

    beforeEach(async () => {
      fixture = await factory();
      journal = fixture.journal;
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('numbers entries from 1 and links each to the previous one by hash', async () => {
      const a = await journal.logEntry(journalInput({ event_type: 'DIRECTIVE_ACCEPTED' }));
      const b = await journal.logEntry(journalInput({ causation_id: a.entry_id }));
      expect([a.seq, b.seq]).toEqual([1, 2]);
      expect(a.prev_hash).toBe(GENESIS);
      expect(b.prev_hash).toBe(a.hash);
      expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(a.hash).not.toBe(b.hash);
      expect(isGeneratedId(a.entry_id, 'JRN')).toBe(true);
      expect(a.entry_id).not.toBe(b.entry_id);
      expect(b.causation_id).toBe(a.entry_id);
    });

    it('reads back exactly what it returned when appending', async () => {
      const input = journalInput({
        event_type: 'TRADE_OPENED',
        body: { z: 1, a: { nested: ['x', { k: '0.00000001' }] }, fill_price: '65000.10', flag: true, nothing: null },
      });
      const written = await journal.logEntry(input);
      const [read] = await journal.read();
      expect(read).toEqual(written);
      expect(read!.body).toEqual(input.body);
      expect((read!.body.a as { nested: unknown[] }).nested[1]).toEqual({ k: '0.00000001' });
    });

    it('appends several entries atomically and in order', async () => {
      const entries = await journal.append([
        journalInput({ event_type: 'ORDER_INTENT' }),
        journalInput({ event_type: 'ORDER_RESULT' }),
        journalInput({ event_type: 'TRADE_OPENED' }),
      ]);
      expect(entries.map((e) => [e.seq, e.event_type])).toEqual([
        [1, 'ORDER_INTENT'],
        [2, 'ORDER_RESULT'],
        [3, 'TRADE_OPENED'],
      ]);
      expect(entries[1]!.prev_hash).toBe(entries[0]!.hash);
      expect(await journal.append([])).toEqual([]);
    });

    it('journals logError as EXECUTION_FAILED whatever type it was given', async () => {
      const entry = await journal.logError(journalInput({ event_type: 'ORDER_RESULT', body: { error_code: 'VENUE_REJECTED' } }));
      expect(entry.event_type).toBe('EXECUTION_FAILED');
      expect((await journal.read())[0]!.event_type).toBe('EXECUTION_FAILED');
    });

    it('refuses an entry that is not well formed and consumes no seq for it', async () => {
      await expect(journal.logEntry(journalInput({ event_type: 'NOT_A_TYPE' as never }))).rejects.toBeInstanceOf(JournalError);
      await expect(journal.logEntry(journalInput({ body: { size: 10n } as never }))).rejects.toBeInstanceOf(JournalError);
      await expect(journal.logEntry(journalInput({ flow_id: '' }))).rejects.toBeInstanceOf(JournalError);
      const ok = await journal.logEntry(journalInput());
      expect(ok.seq).toBe(1);
    });

    it('writes none of a batch when one of its entries is refused', async () => {
      await expect(journal.append([journalInput(), journalInput({ body: { bad: Number.NaN } })])).rejects.toBeInstanceOf(JournalError);
      expect(await journal.read()).toEqual([]);
    });

    it('keeps seq gapless and each batch contiguous when many callers append at once', async () => {
      const callers = 40;
      const rounds = 10;
      const results = await Promise.all(
        Array.from({ length: callers }, async (_, c) => {
          const mine: JournalEntry[][] = [];
          for (let r = 0; r < rounds; r += 1) {
            const size = 1 + ((c + r) % 3);
            const flow = `FLOW_${c}`;
            mine.push(await journal.append(Array.from({ length: size }, () => journalInput({ flow_id: flow, body: { c, r } }))));
          }
          return mine;
        }),
      );
      const all = await journal.read();
      const expected = results.flat(2).length;
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
      for (const batch of results.flat()) {
        batch.forEach((e, i) => expect(e.seq).toBe(batch[0]!.seq + i));
      }
      for (let i = 1; i < all.length; i += 1) expect(all[i]!.prev_hash).toBe(all[i - 1]!.hash);
      expect(await journal.verify()).toEqual({ ok: true, entries: expected });
    });

    it('lets one caller fail without disturbing the others appending at the same time', async () => {
      const outcomes = await Promise.allSettled([
        journal.logEntry(journalInput({ body: { n: 1 } })),
        journal.logEntry(journalInput({ body: { n: Number.POSITIVE_INFINITY } })),
        journal.logEntry(journalInput({ body: { n: 3 } })),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await journal.read()).map((e) => e.body.n)).toEqual([1, 3]);
      expect((await journal.verify()).ok).toBe(true);
    });

    it('verifies an empty journal and an intact one', async () => {
      expect(await journal.verify()).toEqual({ ok: true, entries: 0 });
      for (let i = 0; i < 5; i += 1) await journal.logEntry(journalInput({ body: { i } }));
      expect(await journal.verify()).toEqual({ ok: true, entries: 5 });
    });

    it('filters reads by directive, by flow, after a seq and up to a limit, in seq order', async () => {
      await journal.append([
        journalInput({ flow_id: 'F1', directive_id: 'D1', correlation_id: 'F1' }),
        journalInput({ flow_id: 'F2', directive_id: 'D2', correlation_id: 'F2' }),
        journalInput({ flow_id: 'F1', directive_id: 'D1', correlation_id: 'F1' }),
        journalInput({ flow_id: 'INV_x', directive_id: null, strategy_id: null, correlation_id: 'INV_x', event_type: 'EXECUTION_FAILED' }),
        journalInput({ flow_id: 'F1', directive_id: 'D1', correlation_id: 'F1' }),
      ]);
      const seqs = async (f: Parameters<IJournalWriter['read']>[0]): Promise<number[]> => (await journal.read(f)).map((e) => e.seq);
      expect(await seqs({})).toEqual([1, 2, 3, 4, 5]);
      expect(await seqs({ directive_id: 'D1' })).toEqual([1, 3, 5]);
      expect(await seqs({ flow_id: 'F2' })).toEqual([2]);
      expect(await seqs({ after_seq: 2 })).toEqual([3, 4, 5]);
      expect(await seqs({ limit: 2 })).toEqual([1, 2]);
      expect(await seqs({ flow_id: 'F1', after_seq: 1, limit: 1 })).toEqual([3]);
      const [invalid] = await journal.read({ flow_id: 'INV_x' });
      expect(invalid).toMatchObject({ directive_id: null, strategy_id: null, event_type: 'EXECUTION_FAILED' });
    });

    it('stores the causality fields as given', async () => {
      const root = await journal.logEntry(journalInput({ flow_id: 'FC', correlation_id: 'FC', causation_id: null }));
      const child = await journal.logEntry(journalInput({ flow_id: 'FC', correlation_id: 'FC', causation_id: root.entry_id, timestamp: '2026-11-24T10:15:00.123Z' }));
      const [r, c] = await journal.read({ flow_id: 'FC' });
      expect(r).toMatchObject({ correlation_id: 'FC', causation_id: null });
      expect(c).toMatchObject({ correlation_id: 'FC', causation_id: root.entry_id, timestamp: '2026-11-24T10:15:00.123Z' });
      expect(c!.entry_id).toBe(child.entry_id);
    });
  });
}
