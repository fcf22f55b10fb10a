import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import { JournalError, LedgerError, StorageError } from '../../src/domain/errors.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { entryHash } from '../../src/store/journal-chain.js';
import { applyMigrations, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { FakeClock } from '../support/fake-clock.js';
import { fill, journalInput, order, position } from './contract/builders.js';
import { describeFlowStoreContract } from './contract/flow-store-contract.js';
import { describeJournalContract } from './contract/journal-contract.js';
import { describeLedgerContract } from './contract/ledger-contract.js';

/** A store on a fresh file in a fresh temp folder; close() also removes the folder. */
function tempStore(writerThread = false): SqliteStore & { readonly path: string; readonly dir: string; closeKeepingFile(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-store-'));
  const path = join(dir, 'planexec.db');
  const store = openSqliteStore(path, { clock: new FakeClock(), writerThread });
  return {
    ...store,
    path,
    dir,
    closeKeepingFile: () => store.close(),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function memoryStore(): SqliteStore {
  return openSqliteStore(':memory:', { clock: new FakeClock() });
}

for (const [kind, open] of [
  ['SQLite file', () => tempStore(false)],
  ['SQLite file, writer thread', () => tempStore(true)],
  ['SQLite :memory:', memoryStore],
] as const) {
  describeLedgerContract(kind, async () => open());
  describeJournalContract(kind, async () => open());
  describeFlowStoreContract(kind, async () => open());
}

for (const writerThread of [false, true]) describe(`SqliteStore (${writerThread ? 'writer thread' : 'commits on the event loop'})`, () => {
  let store: ReturnType<typeof tempStore>;
  let closed = false;

  beforeEach(() => {
    store = tempStore(writerThread);
    closed = false;
  });

  afterEach(async () => {
    if (!closed) await store.close();
  });

  /** A second connection, as an attacker or a careless operator would use. */
  function raw(): Database.Database {
    return new Database(store.path);
  }

  async function fiveEntries(): Promise<void> {
    for (let i = 1; i <= 5; i += 1) await store.journal.logEntry(journalInput({ body: { i } }));
  }

  function tamper(sql: string, ...params: unknown[]): void {
    const db = raw();
    try {
      db.exec('DROP TRIGGER IF EXISTS journal_no_update; DROP TRIGGER IF EXISTS journal_no_delete;');
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
  }

  describe('durability configuration', () => {
    it('runs in WAL mode with synchronous=FULL and foreign keys on', () => {
      expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
      expect(store.database.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(Number(store.database.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    });

    it('makes a resolved write visible to another connection at once (committed, not buffered)', async () => {
      await store.journal.logEntry(journalInput());
      await store.ledger.apply({ directive_id: null, positions: [position({ trade_id: 'TVIS' })] });
      const db = raw();
      try {
        expect(db.prepare('SELECT COUNT(*) AS n FROM journal').get()).toEqual({ n: 1 });
        expect(db.prepare("SELECT position_size FROM positions WHERE trade_id = 'TVIS'").get()).toEqual({ position_size: '0.015' });
      } finally {
        db.close();
      }
    });
  });

  describe('append-only journal', () => {
    it('refuses UPDATE and DELETE on journal rows, from any connection', async () => {
      await fiveEntries();
      const db = raw();
      try {
        expect(() => db.prepare("UPDATE journal SET body = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
        expect(() => db.prepare('DELETE FROM journal WHERE seq = 5').run()).toThrow(/append-only/);
        expect(() => db.prepare('DELETE FROM journal_head').run()).toThrow(/cannot be deleted/);
        expect(() => db.prepare('UPDATE journal_head SET seq = 1').run()).toThrow(/only moves forward/);
      } finally {
        db.close();
      }
      expect(await store.journal.verify()).toEqual({ ok: true, entries: 5 });
    });
  });

  describe('journal verify finds tampering', () => {
    it('reports an altered field at its seq', async () => {
      await fiveEntries();
      tamper(`UPDATE journal SET body = '{"i":33}' WHERE seq = 3`);
      expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 3, entries: 2, reason: expect.stringMatching(/altered/) });
    });

    it('reports each hashed column, not only the body', async () => {
      await fiveEntries();
      for (const [column, value] of [
        ['event_type', 'TRADE_CLOSED'],
        ['timestamp', '2026-11-24T10:15:00.001Z'],
        ['causation_id', 'JRN_20261124_101500_deadbeef'],
        ['entry_id', 'JRN_20261124_101500_00000000'],
        ['directive_id', null],
      ] as const) {
        const before = store.database.prepare(`SELECT ${column} AS v FROM journal WHERE seq = 4`).get() as { v: unknown };
        tamper(`UPDATE journal SET ${column} = ? WHERE seq = 4`, value);
        expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 4 });
        tamper(`UPDATE journal SET ${column} = ? WHERE seq = 4`, before.v);
        expect((await store.journal.verify()).ok).toBe(true);
      }
    });

    it('reports a removed entry in the middle at the missing seq', async () => {
      await fiveEntries();
      tamper('DELETE FROM journal WHERE seq = 3');
      expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 3, reason: expect.stringMatching(/missing/) });
    });

    it('reports a removed first entry at seq 1', async () => {
      await fiveEntries();
      tamper('DELETE FROM journal WHERE seq = 1');
      expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 1 });
    });

    it('reports a removed tail through the head', async () => {
      await fiveEntries();
      tamper('DELETE FROM journal WHERE seq >= 4');
      expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 4, entries: 3, reason: expect.stringMatching(/head/) });
    });

    it('reports a broken link where prev_hash was changed', async () => {
      await fiveEntries();
      tamper(`UPDATE journal SET prev_hash = ? WHERE seq = 2`, 'f'.repeat(64));
      expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 2, reason: expect.stringMatching(/prev_hash/) });
    });

    it('reports a rewritten entry whose own hash was recomputed at the next link', async () => {
      await fiveEntries();
      const row = store.database.prepare('SELECT * FROM journal WHERE seq = 3').get() as Parameters<typeof entryHash>[1] & { prev_hash: string };
      const forged = { ...row, body: '{"i":300}' };
      tamper('UPDATE journal SET body = ?, hash = ? WHERE seq = 3', forged.body, entryHash(row.prev_hash, forged));
      expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 4, reason: expect.stringMatching(/prev_hash/) });
    });

    it('reports entries added behind the writer, past the head', async () => {
      await fiveEntries();
      const last = store.database.prepare('SELECT * FROM journal WHERE seq = 5').get() as Record<string, unknown> & { hash: string };
      const extra = { ...last, seq: 6, prev_hash: last.hash, entry_id: 'JRN_20261124_101500_0badc0de' };
      const hash = entryHash(last.hash, extra as unknown as Parameters<typeof entryHash>[1]);
      const db = raw();
      try {
        db.prepare(
          'INSERT INTO journal (seq, entry_id, event_type, flow_id, directive_id, strategy_id, timestamp, correlation_id, causation_id, body, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
        ).run(6, extra.entry_id, last.event_type, last.flow_id, last.directive_id, last.strategy_id, last.timestamp, last.correlation_id, last.causation_id, last.body, last.hash, hash);
      } finally {
        db.close();
      }
      expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 6 });
    });

    it('streams a long journal and finds a change deep inside it', async () => {
      const n = 12_000;
      for (let i = 0; i < n; i += 2000) {
        await store.journal.append(Array.from({ length: 2000 }, (_, k) => journalInput({ body: { k: i + k } })));
      }
      expect(await store.journal.verify()).toEqual({ ok: true, entries: n });
      tamper(`UPDATE journal SET flow_id = 'other' WHERE seq = 9001`);
      expect(await store.journal.verify()).toMatchObject({ ok: false, first_bad_seq: 9001, entries: 9000 });
    });
  });

  describe('journal head', () => {
    it('points at the last entry, and at seq 0 with the genesis hash when empty', async () => {
      expect(await store.journal.head()).toEqual({ seq: 0, hash: '0'.repeat(64) });
      await fiveEntries();
      const [last] = await store.journal.read({ after_seq: 4 });
      expect(await store.journal.head()).toEqual({ seq: 5, hash: last!.hash });
    });

    it('moves the recorded head once per commit, to the last entry of the batch', async () => {
      const db = store.database;
      // in the database, not TEMP: the writer may be another connection (the writer thread's)
      db.exec(`CREATE TABLE head_moves (seq INTEGER);
               CREATE TRIGGER count_head_moves AFTER UPDATE ON journal_head BEGIN INSERT INTO head_moves VALUES (NEW.seq); END;`);
      await Promise.all(Array.from({ length: 25 }, (_, i) => store.journal.logEntry(journalInput({ body: { i } }))));
      await store.journal.append([journalInput(), journalInput()]);
      expect(db.prepare('SELECT seq FROM head_moves ORDER BY rowid').all()).toEqual([{ seq: 25 }, { seq: 27 }]);
      const [last] = await store.journal.read({ after_seq: 26 });
      expect(await store.journal.head()).toEqual({ seq: 27, hash: last!.hash });
      expect(await store.journal.verify()).toEqual({ ok: true, entries: 27 });
    });

    it('leaves the head at the tail after a batch with a failing unit was replayed unit by unit', async () => {
      await store.ledger.apply({ directive_id: null, fills: [fill({ fill_id: 'FIL_H', venue_trade_id: 'H1' })] });
      const batch = await Promise.allSettled([
        store.journal.logEntry(journalInput({ body: { n: 1 } })),
        store.ledger.apply({ directive_id: null, fills: [fill({ fill_id: 'FIL_H', venue_trade_id: 'H2' })] }),
        store.journal.logEntry(journalInput({ body: { n: 2 } })),
      ]);
      expect(batch.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const [last] = await store.journal.read({ after_seq: 1 });
      expect(await store.journal.head()).toEqual({ seq: 2, hash: last!.hash });
      expect(await store.journal.verify()).toEqual({ ok: true, entries: 2 });
    });

    it('keeps one gapless chain when two connections append to the same file', async () => {
      const other = openSqliteStore(store.path);
      try {
        await Promise.all(
          Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? store.journal : other.journal).logEntry(journalInput({ body: { i } }))),
        );
        for (let i = 0; i < 10; i += 1) {
          await store.journal.logEntry(journalInput({ body: { i } }));
          await other.journal.logEntry(journalInput({ body: { i } }));
        }
        expect(await store.journal.verify()).toEqual({ ok: true, entries: 80 });
        expect(await other.journal.verify()).toEqual({ ok: true, entries: 80 });
      } finally {
        await other.close();
      }
    });
  });

  describe('reopening', () => {
    it('keeps ledger, flows and the chain, and goes on from the last seq', async () => {
      await fiveEntries();
      await store.ledger.apply({ directive_id: 'T1', positions: [position({ trade_id: 'T1', realized_pnl: new Decimal('-0.000001') })] });
      await store.flows.begin({ flow_id: 'F1', directive_id: 'F1', strategy_id: 's', started_at: '2026-11-24T10:15:00.000Z' }, journalInput({ flow_id: 'F1' }));
      await store.closeKeepingFile();
      closed = true;

      const again = openSqliteStore(store.path);
      try {
        expect((await again.ledger.getPosition('T1'))!.realized_pnl.toFixed()).toBe('-0.000001');
        expect((await again.flows.listUnfinished()).map((f) => f.flow_id)).toEqual(['F1']);
        expect(await again.ledger.rollbackDirective('T1')).toBe(1);
        const next = await again.journal.logEntry(journalInput());
        expect(next.seq).toBe(7);
        expect(await again.journal.verify()).toEqual({ ok: true, entries: 7 });
      } finally {
        await again.close();
        rmSync(store.dir, { recursive: true, force: true });
      }
    });

    it('applies migrations once: reopening changes nothing', () => {
      expect(store.database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(applyMigrations(store.database)).toBe(0);
      const second = openSqliteStore(store.path);
      try {
        expect(second.database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      } finally {
        second.database.close();
      }
    });

    it('refuses a database written by a newer planexec', async () => {
      store.database.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      expect(() => openSqliteStore(store.path)).toThrow(StorageError);
      store.database.pragma(`user_version = ${SCHEMA_VERSION}`);
    });

    it('applies pending migrations in order, each with its version', () => {
      const db = new Database(':memory:');
      try {
        const applied = applyMigrations(db, [
          { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
          { version: 2, name: 'b', sql: 'CREATE TABLE b (x)' },
        ]);
        expect(applied).toBe(2);
        expect(db.pragma('user_version', { simple: true })).toBe(2);
        expect(applyMigrations(db, [{ version: 1, name: 'a', sql: 'CREATE TABLE a (x)' }, { version: 2, name: 'b', sql: 'x' }, { version: 3, name: 'c', sql: 'CREATE TABLE c (x)' }])).toBe(1);
        expect(db.pragma('user_version', { simple: true })).toBe(3);
      } finally {
        db.close();
      }
    });

    it('migration 2 gives trades already in the ledger the protection their orders show', () => {
      const db = new Database(':memory:');
      try {
        applyMigrations(db, MIGRATIONS.slice(0, 1));
        const trade = db.prepare(
          `INSERT INTO positions (trade_id, strategy_id, symbol, direction, status, position_size, filled_size, remaining_size, stop_loss, take_profit,
             realized_pnl, fees, opened_at, updated_at, opened_by) VALUES (?, 's', 'SOL_USDT', 'BUY', ?, '1', ?, '0', ?, ?, '0', '0', 't', 't', ?)`,
        );
        const protective = db.prepare(
          `INSERT INTO orders (client_order_id, trade_id, purpose, symbol, side, order_type, time_in_force, quantity, reduce_only, status,
             filled_quantity, created_at, updated_at) VALUES (?, ?, ?, 'SOL_USDT', 'SELL', 'LIMIT', 'GTC', '1', 1, ?, '0', 't', 't')`,
        );
        trade.run('T_LIVE', 'OPEN', '1', '140', '160', 'T_LIVE');
        protective.run('T_LIVE-SL', 'T_LIVE', 'STOP_LOSS', 'OPEN');
        protective.run('T_LIVE-TP', 'T_LIVE', 'TAKE_PROFIT', 'OPEN');
        trade.run('T_MISSING', 'OPEN', '1', '140', '160', 'T_MISSING');
        protective.run('T_MISSING-SL', 'T_MISSING', 'STOP_LOSS', 'REJECTED');
        protective.run('T_MISSING-TP', 'T_MISSING', 'TAKE_PROFIT', 'OPEN');
        trade.run('T_RESTING', 'OPEN', '0', '140', null, 'T_RESTING');
        trade.run('T_BARE', 'OPEN', '1', null, null, 'T_BARE');
        trade.run('T_CLOSED', 'CLOSED', '0', '140', '160', 'T_CLOSED');
        applyMigrations(db);
        const rows = db.prepare('SELECT trade_id, protection FROM positions ORDER BY trade_id').all();
        expect(rows).toEqual([
          { trade_id: 'T_BARE', protection: 'NONE' },
          { trade_id: 'T_CLOSED', protection: 'NONE' },
          { trade_id: 'T_LIVE', protection: 'LIVE' },
          { trade_id: 'T_MISSING', protection: 'MISSING' },
          { trade_id: 'T_RESTING', protection: 'NONE' },
        ]);
        expect(() => db.prepare("UPDATE positions SET protection = 'MAYBE'").run()).toThrow(/CHECK/);
      } finally {
        db.close();
      }
    });

    it('migration 3 sums each trade\'s fills\' fees per asset exactly and adds the venue baseline table', () => {
      const db = new Database(':memory:');
      try {
        applyMigrations(db, MIGRATIONS.slice(0, 2));
        db.prepare(
          `INSERT INTO positions (trade_id, strategy_id, symbol, direction, status, position_size, filled_size, remaining_size,
             realized_pnl, fees, opened_at, updated_at, opened_by) VALUES (?, 's', 'BTC_USDT', 'BUY', 'OPEN', '1', '1', '0', '0', '0.3', 't', 't', ?)`,
        ).run('T_FEES', 'T_FEES');
        const fill = db.prepare(
          `INSERT INTO fills (fill_id, venue, venue_trade_id, client_order_id, trade_id, symbol, side, quantity, price, fee, fee_asset, executed_at)
             VALUES (?, 'v', ?, 'c', 'T_FEES', 'BTC_USDT', 'BUY', '0.5', '100', ?, ?, 't')`,
        );
        // 0.1 + 0.2 is 0.30000000000000004 in floating point
        fill.run('F1', 'V1', '0.1', 'USDT');
        fill.run('F2', 'V2', '0.2', 'USDT');
        fill.run('F3', 'V3', '0.00001', 'BTC');
        applyMigrations(db);
        expect(db.prepare('SELECT fees_by_asset FROM positions').get()).toEqual({ fees_by_asset: '{"BTC":"0.00001","USDT":"0.3"}' });
        db.prepare("INSERT INTO venue_baseline (venue, asset, total, recorded_at) VALUES ('binance', 'BTC', '1.5', 't')").run();
        expect(() => db.prepare("INSERT INTO venue_baseline (venue, asset, total, recorded_at) VALUES ('binance', 'BTC', '2', 't')").run()).toThrow(/UNIQUE/);
      } finally {
        db.close();
      }
    });

    it('leaves the schema at the last whole version when a migration fails', () => {
      const db = new Database(':memory:');
      try {
        expect(() =>
          applyMigrations(db, [
            { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
            { version: 2, name: 'broken', sql: 'CREATE TABLE b (x); CREATE TABLE a (x);' },
          ]),
        ).toThrow();
        expect(db.pragma('user_version', { simple: true })).toBe(1);
        expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
      } finally {
        db.close();
      }
    });
  });

  describe('group commit across ledger, journal and flows', () => {
    it('rejects only the failing unit of a batch; the rest commit', async () => {
      await store.ledger.apply({ directive_id: null, fills: [fill({ fill_id: 'FIL_X', venue_trade_id: 'A' })] });
      const batch = await Promise.allSettled([
        store.journal.logEntry(journalInput({ body: { n: 1 } })),
        store.ledger.apply({ directive_id: null, positions: [position({ trade_id: 'T_OK' })] }),
        store.ledger.apply({ directive_id: null, positions: [position({ trade_id: 'T_BAD' })], fills: [fill({ fill_id: 'FIL_X', venue_trade_id: 'B' })] }),
        store.flows.begin({ flow_id: 'F', directive_id: 'F', strategy_id: 's', started_at: '2026-11-24T10:15:00.000Z' }, journalInput({ flow_id: 'F' })),
        store.journal.logEntry(journalInput({ body: { n: 2 } })),
      ]);
      expect(batch.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const failure = (batch[2] as PromiseRejectedResult).reason as LedgerError;
      expect(failure).toBeInstanceOf(LedgerError);
      expect(failure.code).toBe('LEDGER_FAILED');
      expect(failure.cause).toBeDefined();
      expect(failure.details).toMatchObject({ operation: 'apply', cause_code: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
      expect(await store.ledger.getPosition('T_OK')).toBeDefined();
      expect(await store.ledger.getPosition('T_BAD')).toBeUndefined();
      expect((await store.journal.read()).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(await store.journal.verify()).toEqual({ ok: true, entries: 3 });
    });

    it('reports the anomalies it detected in the apply result', async () => {
      const o = order({ client_order_id: 'PX_OV', quantity: new Decimal('1') });
      const result = await store.ledger.apply({ directive_id: 'D', orders: [o], fills: [fill({ client_order_id: 'PX_OV', quantity: new Decimal('1.5') })] });
      expect(result.detected_anomalies).toMatchObject([{ kind: 'OVERFILL', client_order_id: 'PX_OV', details: { order_quantity: '1', filled_quantity: '1.5' } }]);
    });

    it('finishes pending writes before close resolves and refuses writes after', async () => {
      const pending = Array.from({ length: 50 }, (_, i) => store.journal.logEntry(journalInput({ body: { i } })));
      await store.close();
      closed = true;
      expect((await Promise.all(pending)).map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      await expect(store.journal.logEntry(journalInput())).rejects.toBeInstanceOf(JournalError);
      await expect(store.ledger.apply({ directive_id: null })).rejects.toBeInstanceOf(LedgerError);
      rmSync(store.dir, { recursive: true, force: true });
    });

    it('stamps entry ids from the injected clock', async () => {
      const clock = new FakeClock(Date.UTC(2030, 0, 2, 3, 4, 5));
      const s = openSqliteStore(':memory:', { clock });
      try {
        const entry = await s.journal.logEntry(journalInput());
        expect(entry.entry_id).toMatch(/^JRN_20300102_030405_[0-9a-f]{8}$/);
      } finally {
        await s.close();
      }
    });
  });
});
