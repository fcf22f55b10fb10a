import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertStoreExists, openStore, openStoreForReading, type StorageConfig } from '../../src/app/open-store.js';
import type { StoreLocation } from '../../src/app/platform-paths.js';
import type { IPlatformStore } from '../../src/ports/store.js';
import { defaultConfig } from '../../src/config/schema.js';
import { StorageError } from '../../src/domain/errors.js';
import { JournaledTradingState, TRADING_STATE_FLOW_ID } from '../../src/orchestration/trading-state.js';
import type { IJournalWriter } from '../../src/ports/journal.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { InlineStoreWriter } from '../../src/store/sqlite/store-writer.js';
import { ThreadStoreWriter } from '../../src/store/sqlite/writer-thread.js';
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

function sqlite(path: string): StoreLocation {
  return { type: 'sqlite', path };
}

function open(path: string, overrides: Partial<StorageConfig> = {}): Promise<IPlatformStore> {
  return openStore(sqlite(path), storage(path, overrides), { clock: new FakeClock() });
}

/** One journal entry that needs no flow row (a kill-switch change), so the database is a consistent world. */
async function halt(journal: IJournalWriter): Promise<void> {
  const control = await JournaledTradingState.open({ journal, clock: new FakeClock() });
  await control.set({ state: 'HALTED', reason: 'drill', changed_by: 'test' });
}

async function databaseWithOneEntry(path: string): Promise<void> {
  const store = await open(path);
  await halt(store.journal);
  await store.close();
}

describe('openStore', () => {
  it('opens the SQLite store storage.type names, on the writer thread or not as storage.writer_thread says', async () => {
    for (const writerThread of [true, false]) {
      const path = join(dir, `thread-${writerThread}.db`);
      const store = await open(path, { writer_thread: writerThread });
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
    const first = await open(path);
    const id = first.identity();
    expect(first.identity()).toBe(id);
    await first.close();
    const again = await open(path);
    expect(again.identity()).toBe(id);
    await again.close();
    rmSync(path);
    const fresh = await open(path);
    expect(fresh.identity()).not.toBe(id);
    await fresh.close();
  });
});

describe('openStoreForReading', () => {
  it('reads what the writer wrote through the read ports', async () => {
    const path = join(dir, 'planexec.db');
    await databaseWithOneEntry(path);
    const reader = await openStoreForReading(sqlite(path));
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
    const untouched = await openStoreForReading(sqlite(path));
    await untouched.journal.read();
    await untouched.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const tidy = await openStoreForReading(sqlite(path), { untouched: false });
    await tidy.journal.read();
    await tidy.close();
    expect(readdirSync(dir).sort()).toEqual(files);
  });

  it('says "no planexec database at PATH" for a missing path and creates nothing; so does assertStoreExists', async () => {
    const path = join(dir, 'typo.bd');
    const notFound = expect.objectContaining({ name: StorageError.name, code: 'STORAGE_NOT_FOUND', message: `no planexec database at ${path}` });
    await expect(openStoreForReading(sqlite(path))).rejects.toThrow(notFound);
    await expect(assertStoreExists(sqlite(path))).rejects.toThrow(notFound);
    expect(readdirSync(dir)).toEqual([]);
  });
});
