import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/clock.js';
import { PgJournal, PLATFORM_CHAIN } from '../../../src/store/postgres/pg-journal.js';
import { journalInput } from '../contract/builders.js';
import { describeJournalContract } from '../contract/journal-contract.js';
import { postgresReachable, scratchSchema } from '../../support/postgres.js';

const reachable = await postgresReachable();

async function openJournal() {
  const scratch = await scratchSchema();
  await PgJournal.migrate(scratch.pool);
  const journal = new PgJournal(scratch.pool, systemClock);
  return { journal, scratch, close: async () => (await journal.close(), await scratch.drop()) };
}

describe.runIf(reachable)('the PostgreSQL journal', () => {
  describeJournalContract('PostgreSQL', openJournal);

  it('keeps one chain per strategy: each links only its own entries, and verify walks them all', async () => {
    const { journal, scratch, close } = await openJournal();
    try {
      const a1 = await journal.logEntry(journalInput({ strategy_id: 'alpha' }));
      const b1 = await journal.logEntry(journalInput({ strategy_id: 'beta' }));
      const a2 = await journal.logEntry(journalInput({ strategy_id: 'alpha' }));
      const p1 = await journal.logEntry(journalInput({ strategy_id: null, event_type: 'TRADING_STATE_CHANGED' }));
      expect([a1.seq, b1.seq, a2.seq, p1.seq]).toEqual([1, 2, 3, 4]);
      expect(a2.prev_hash).toBe(a1.hash);
      expect(b1.prev_hash).toBe('0'.repeat(64));
      expect(p1.prev_hash).toBe('0'.repeat(64));
      const { rows } = await scratch.pool.query<{ chain: string; chain_seq: string }>('SELECT chain, chain_seq FROM journal_chains ORDER BY chain');
      expect(rows.map((r) => [r.chain, Number(r.chain_seq)])).toEqual([
        [PLATFORM_CHAIN, 1],
        ['alpha', 2],
        ['beta', 1],
      ]);
      expect(await journal.verify()).toEqual({ ok: true, entries: 4 });
    } finally {
      await close();
    }
  });

  it('finds an altered entry and names its chain and global seq; a removed one too', async () => {
    const { journal, scratch, close } = await openJournal();
    try {
      await journal.logEntry(journalInput({ strategy_id: 'alpha' }));
      const beta = await journal.logEntry(journalInput({ strategy_id: 'beta' }));
      await journal.logEntry(journalInput({ strategy_id: 'beta' }));
      await scratch.pool.query(`UPDATE journal SET body = '{"client_order_id":"PX9-E"}' WHERE seq = $1`, [beta.seq]);
      const altered = await journal.verify();
      expect(altered).toMatchObject({ ok: false, first_bad_seq: beta.seq });
      expect(altered.ok ? '' : altered.reason).toMatch(/^chain beta: entry 1 was altered/);

      const { journal: other, scratch: s2, close: close2 } = await openJournal();
      try {
        await other.logEntry(journalInput({ strategy_id: 'alpha' }));
        const last = await other.logEntry(journalInput({ strategy_id: 'alpha' }));
        await s2.pool.query('DELETE FROM journal WHERE seq = $1', [last.seq]);
        const removed = await other.verify();
        expect(removed.ok).toBe(false);
        expect(removed.ok ? '' : removed.reason).toMatch(/^chain alpha: entries 2\.\.2 are missing/);
      } finally {
        await close2();
      }
    } finally {
      await close();
    }
  });

  it('a worker appending for one strategy does not wait for another strategy’s open transaction', async () => {
    const { journal, scratch, close } = await openJournal();
    await journal.logEntry(journalInput({ strategy_id: 'alpha' }));
    const holder = await scratch.pool.connect();
    try {
      // another worker is in the middle of appending to alpha: its chain row is locked
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM journal_chains WHERE chain = 'alpha' FOR UPDATE`);
      const beta = await Promise.race([journal.logEntry(journalInput({ strategy_id: 'beta' })), new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 2_000))]);
      expect(beta).not.toBe('blocked');
      let alphaDone = false;
      const alpha = journal.logEntry(journalInput({ strategy_id: 'alpha' })).then((e) => ((alphaDone = true), e));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(alphaDone).toBe(false);
      await holder.query('COMMIT');
      expect((await alpha).prev_hash).not.toBe('0'.repeat(64));
      expect(await journal.verify()).toEqual({ ok: true, entries: 3 });
    } finally {
      holder.release();
      await close();
    }
  });
});
