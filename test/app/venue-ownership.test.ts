import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../src/app/create-platform.js';
import { defaultConfig } from '../../src/config/schema.js';
import { SqlitePaperStore } from '../../src/connectors/paper/sqlite-paper-store.js';
import { ConfigError } from '../../src/domain/errors.js';
import { storeIdentity } from '../../src/store/sqlite/store-identity.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-venue-owner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logger = pino({ level: 'silent' });

async function open(db: string, venue?: string): Promise<void> {
  const config = defaultConfig();
  const withVenue = venue === undefined ? config : { ...config, connector: { ...config.connector, paper: { ...config.connector.paper, path: venue } } };
  const platform = await createPlatform({ config: withVenue, dbPath: db, logger });
  await platform.close();
}

async function refusal(db: string, venue?: string): Promise<ConfigError> {
  const error = await open(db, venue).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('a database identity', () => {
  it('is made once and kept in the database', () => {
    const db = new Database(':memory:');
    const id = storeIdentity(db);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(storeIdentity(db)).toBe(id);
    expect(storeIdentity(new Database(':memory:'))).not.toBe(id);
  });
});

describe('the paper venue serves one ledger database', () => {
  it('records the first claimant, keeps it, and follows it to a new path', () => {
    const store = new SqlitePaperStore(join(dir, 'claims.venue.db'));
    try {
      expect(store.claimOwner({ ledger_id: 'L1', ledger_path: '/a.db' }, 1)).toEqual({ ledger_id: 'L1', ledger_path: '/a.db' });
      expect(store.claimOwner({ ledger_id: 'L2', ledger_path: '/b.db' }, 2)).toEqual({ ledger_id: 'L1', ledger_path: '/a.db' });
      expect(store.claimOwner({ ledger_id: 'L1', ledger_path: '/moved/a.db' }, 3)).toEqual({ ledger_id: 'L1', ledger_path: '/moved/a.db' });
    } finally {
      store.close();
    }
  });

  it('refuses a second database on a named venue file, naming the venue and both databases', async () => {
    const venue = join(dir, 'named', 'venue.db');
    await open(join(dir, 'named', 'a.db'), venue);
    const error = await refusal(join(dir, 'named', 'b.db'), venue);
    expect(error.issues).toEqual([
      expect.objectContaining({ keyPath: 'connector.paper.path', rule: 'venue_owned_by_other_database', line: null }),
    ]);
    const message = error.issues[0]!.message;
    expect(message).toContain(venue);
    expect(message).toContain(join(dir, 'named', 'a.db'));
    expect(message).toContain(join(dir, 'named', 'b.db'));
    await open(join(dir, 'named', 'a.db'), venue);
  });

  it('lets a database and its venue move together, and refuses a new database at the old path', async () => {
    const a = join(dir, 'moved', 'a.db');
    await open(a);
    expect(existsSync(`${a}.venue.db`)).toBe(true);
    const b = join(dir, 'moved', 'b.db');
    renameSync(a, b);
    renameSync(`${a}.venue.db`, `${b}.venue.db`);
    await open(b);

    // b.db deleted, its venue kept: a fresh database at b.db is another ledger
    rmSync(b);
    const error = await refusal(b);
    expect(error.issues[0]!.message).toContain(`another database that was at ${b} before`);

    // the documented reset: delete the venue file too
    rmSync(`${b}.venue.db`);
    await open(b);
  });

  it('leaves in-memory worlds alone', async () => {
    await open(':memory:');
    await open(':memory:');
  });
});
