import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareDryRunWorld } from '../../src/app/dry-run-world.js';
import { defaultConfig } from '../../src/config/schema.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-dry-world-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function rows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('prepareDryRunWorld', () => {
  it('copies a database another process is writing, with every commit so far, into a world of its own', async () => {
    const real = join(dir, 'live.db');
    const writer = new Database(real);
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE t (x INTEGER)');
    for (let i = 0; i < 5; i++) writer.prepare('INSERT INTO t VALUES (?)').run(i);
    expect(existsSync(`${real}-wal`)).toBe(true);

    const world = await prepareDryRunWorld(defaultConfig(), real);
    try {
      expect(rows(world.db)).toBe(5);
      expect(world.real.db).toBe(real);
      expect(world.config.storage.path).toBe(world.db);
      // every file of the world beside the copy, none beside the real database
      expect(dirname(world.config.connector.paper.path)).toBe(dirname(world.db));
      expect(dirname(world.config.storage.journal_fallback_path)).toBe(dirname(world.db));
      expect(dirname(world.db)).not.toBe(dir);
      expect(world.config.orchestration.plan_execution.concurrency.max_concurrent_strategies).toBe(1);
      // the writer goes on, the copy does not follow
      writer.prepare('INSERT INTO t VALUES (?)').run(99);
      expect(rows(world.db)).toBe(5);
    } finally {
      world.dispose();
      writer.close();
    }
    expect(existsSync(world.db)).toBe(false);
  });

  it('copies a cleanly closed database without leaving -wal or -shm files beside it', async () => {
    const real = join(dir, 'closed.db');
    const writer = new Database(real);
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
    writer.close();
    const before = readdirSync(dir).sort();
    const world = await prepareDryRunWorld(defaultConfig(), real);
    expect(rows(world.db)).toBe(1);
    world.dispose();
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('starts from nothing, and creates nothing, when the database does not exist', async () => {
    const world = await prepareDryRunWorld(defaultConfig(), join(dir, 'none.db'));
    expect(existsSync(world.db)).toBe(false);
    world.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });
});
