import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertStoreExists, openStore, openStoreForReading, type StorageConfig } from '../../src/app/open-store.js';
import { defaultConfig } from '../../src/config/schema.js';
import { StorageError } from '../../src/domain/errors.js';
import { JournaledTradingState, TRADING_STATE_FLOW_ID } from '../../src/orchestration/trading-state.js';
import type { IJournalWriter } from '../../src/ports/journal.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { InlineStoreWriter } from '../../src/store/sqlite/store-writer.js';
import { ThreadStoreWriter } from '../../src/store/sqlite/writer-thread.js';
import { configError } from '../support/config-error.js';
import { FakeClock } from '../support/fake-clock.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-open-store-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function storage(path: string, overrides: Partial<StorageConfig> = {}): StorageConfig {
  return { ...defaultConfig().storage, path, ...overrides };
}

/** One journal entry that needs no flow row (a kill-switch change), so the database is a consistent world. */
async function halt(journal: IJournalWriter): Promise<void> {
  const control = await JournaledTradingState.open({ journal, clock: new FakeClock() });
  await control.set({ state: 'HALTED', reason: 'drill', changed_by: 'test' });
}

async function databaseWithOneEntry(path: string): Promise<void> {
  const store = openStore(storage(path), { clock: new FakeClock() });
  await halt(store.journal);
  await store.close();
}

describe('openStore', () => {
  it('opens the SQLite store storage.type names, on the writer thread or not as storage.writer_thread says', async () => {
    for (const writerThread of [true, false]) {
      const path = join(dir, `thread-${writerThread}.db`);
      const store = openStore(storage(path, { writer_thread: writerThread }), { clock: new FakeClock() });
      try {
        expect((store as SqliteStore).writer).toBeInstanceOf(writerThread ? ThreadStoreWriter : InlineStoreWriter);
        await halt(store.journal);
        expect(store.health()).toBe('ok');
        expect(store.commitStats().batches).toBeGreaterThan(0);
        expect((await store.journal.read()).map((e) => e.flow_id)).toEqual([TRADING_STATE_FLOW_ID]);
      } finally {
        await store.close();
      }
      expect(store.health()).toBe('closed');
    }
  });

  it('keeps the database identity in the database: the same after reopening, another for a new database at the same path', async () => {
    const path = join(dir, 'planexec.db');
    const first = openStore(storage(path), { clock: new FakeClock() });
    const id = first.identity();
    expect(first.identity()).toBe(id);
    await first.close();
    const again = openStore(storage(path), { clock: new FakeClock() });
    expect(again.identity()).toBe(id);
    await again.close();
    rmSync(path);
    const fresh = openStore(storage(path), { clock: new FakeClock() });
    expect(fresh.identity()).not.toBe(id);
    await fresh.close();
  });

  it('refuses postgres as not in this build, named in the config file, and creates nothing', () => {
    const path = join(dir, 'planexec.db');
    const error = configError(() => openStore(storage(path, { type: 'postgres' }), { clock: new FakeClock(), configFile: 'platform.yaml' }));
    expect(error.issues).toEqual([
      { file: 'platform.yaml', line: null, column: null, keyPath: 'storage.type', rule: 'not_in_this_build', message: 'postgres is planned — not in this build; this build runs sqlite' },
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('openStoreForReading', () => {
  it('reads what the writer wrote through the read ports', async () => {
    const path = join(dir, 'planexec.db');
    await databaseWithOneEntry(path);
    const reader = openStoreForReading(path);
    try {
      expect(await reader.journal.verify()).toEqual({ ok: true, entries: 1 });
      expect((await reader.flows.counts()).RUNNING).toBe(0);
      expect(reader.baseline.list('paper')).toEqual([]);
      expect((await reader.readModels.readExportPage('journal', { from: null, to: null }, 0, 10)).records.map((e) => e.flow_id)).toEqual([TRADING_STATE_FLOW_ID]);
      expect(await reader.snapshot(async () => (await reader.ledger.listPositions()).length)).toBe(0);
    } finally {
      await reader.close();
      await reader.close();
    }
  });

  it('by default leaves the file untouched; a tidy reader leaves no -wal or -shm behind', async () => {
    const path = join(dir, 'planexec.db');
    await databaseWithOneEntry(path);
    const files = readdirSync(dir).sort();
    const bytes = readFileSync(path);
    const untouched = openStoreForReading(path);
    await untouched.journal.read();
    await untouched.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const tidy = openStoreForReading(path, { untouched: false });
    await tidy.journal.read();
    await tidy.close();
    expect(readdirSync(dir).sort()).toEqual(files);
  });

  it('says "no planexec database at PATH" for a missing path and creates nothing; so does assertStoreExists', () => {
    const path = join(dir, 'typo.bd');
    const notFound = expect.objectContaining({ name: StorageError.name, code: 'STORAGE_NOT_FOUND', message: `no planexec database at ${path}` });
    expect(() => openStoreForReading(path)).toThrow(notFound);
    expect(() => assertStoreExists(path)).toThrow(notFound);
    expect(readdirSync(dir)).toEqual([]);
  });
});
