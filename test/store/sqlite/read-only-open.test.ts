import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/domain/errors.js';
import type { JournalEntryInput } from '../../../src/ports/journal.js';
import { SCHEMA_VERSION } from '../../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-read-only-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function openError(path: string): StorageError {
  try {
    openSqliteStore(path, { readOnly: true });
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error('opened');
}

function accepted(flowId: string): JournalEntryInput {
  return { event_type: 'DIRECTIVE_ACCEPTED', flow_id: flowId, directive_id: flowId, strategy_id: 's', timestamp: '2026-11-24T10:15:00.000Z', correlation_id: flowId, causation_id: null, body: {} };
}

async function planexecDatabase(path: string): Promise<void> {
  const store = openSqliteStore(path);
  await store.journal.logEntry(accepted('F1'));
  await store.close();
}

describe('openSqliteStore({ readOnly: true })', () => {
  it('says "no planexec database at PATH" for a missing path and creates nothing', () => {
    const path = join(dir, 'typo.bd');
    const error = openError(path);
    expect(error.code).toBe('STORAGE_NOT_FOUND');
    expect(error.message).toBe(`no planexec database at ${path}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a folder, a file that is not SQLite, and a SQLite file without the planexec schema, leaving them as they were', () => {
    expect(openError(dir).message).toBe(`no planexec database at ${dir} (not a file)`);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n'.repeat(100));
    expect(openError(text)).toMatchObject({ code: 'STORAGE_NOT_FOUND', message: `no planexec database at ${text} (not a SQLite database)` });
    const other = join(dir, 'other.sqlite');
    new Database(other).exec('CREATE TABLE t (x)');
    expect(openError(other)).toMatchObject({ code: 'STORAGE_NOT_FOUND', message: `no planexec database at ${other} (no planexec schema in it)` });
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'other.sqlite']);
  });

  it('tells a database of another schema version what to do', () => {
    const newer = join(dir, 'newer.db');
    new Database(newer).pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(openError(newer).code).toBe('STORAGE_SCHEMA_TOO_NEW');
  });

  it('reads what a writer wrote, refuses every write, and leaves no -wal or -shm behind', async () => {
    const path = join(dir, 'planexec.db');
    await planexecDatabase(path);
    const before = readdirSync(dir).sort();
    const store = openSqliteStore(path, { readOnly: true });
    expect(await store.journal.verify()).toEqual({ ok: true, entries: 1 });
    await expect(store.journal.logEntry(accepted('F2'))).rejects.toThrow(/readonly/);
    await store.close();
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('reads beside a writer that keeps the database open', async () => {
    const path = join(dir, 'planexec.db');
    const writer = openSqliteStore(path);
    try {
      await writer.journal.logEntry(accepted('F1'));
      const reader = openSqliteStore(path, { readOnly: true });
      expect((await reader.journal.read()).map((e) => e.flow_id)).toEqual(['F1']);
      await writer.journal.logEntry(accepted('F2'));
      expect((await reader.journal.read()).map((e) => e.flow_id)).toEqual(['F1', 'F2']);
      await reader.close();
    } finally {
      await writer.close();
    }
  });
});
