import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/domain/errors.js';
import { CommitQueue } from '../../../src/store/sqlite/commit-queue.js';

describe('CommitQueue', () => {
  let dir: string;
  let path: string;
  let db: Database.Database;
  let queue: CommitQueue;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'planexec-queue-'));
    path = join(dir, 'q.db');
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
             CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (pid INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`);
    queue = new CommitQueue(db);
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (id: number, v = 'x') => () => db.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run(id, v).changes;
  const ids = (): number[] => (db.prepare('SELECT id FROM t ORDER BY id').all() as { id: number }[]).map((r) => r.id);

  it('runs every unit enqueued in one turn in a single transaction', async () => {
    const before = queue.batches;
    await Promise.all(Array.from({ length: 100 }, (_, i) => queue.run(insert(i))));
    expect(queue.batches - before).toBe(1);
    expect(ids()).toHaveLength(100);
  });

  it('groups callers woken by the same commit into the next batch', async () => {
    const callers = 20;
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        for (let r = 0; r < 5; r += 1) await queue.run(insert(c * 100 + r));
      }),
    );
    expect(queue.batches).toBe(5);
    expect(ids()).toHaveLength(callers * 5);
  });

  it('runs units in the order they were enqueued and resolves each with its result', async () => {
    const order: number[] = [];
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => queue.run(() => (order.push(i), i * 2))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  it('resolves a unit only once its commit is visible to another connection', async () => {
    const other = new Database(path, { readonly: true });
    try {
      let seenAtResolve: unknown;
      await queue.run(insert(1)).then(() => {
        seenAtResolve = other.prepare('SELECT v FROM t WHERE id = 1').get();
        expect(db.inTransaction).toBe(false);
      });
      expect(seenAtResolve).toEqual({ v: 'x' });
    } finally {
      other.close();
    }
  });

  it('rejects only the unit that failed; the others of its batch commit', async () => {
    const settled = await Promise.allSettled([
      queue.run(insert(1)),
      queue.run(insert(1, 'duplicate key')),
      queue.run(() => {
        db.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run(3, 'y');
        throw new Error('unit changed its mind');
      }),
      queue.run(insert(4)),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/changed its mind/);
    expect(ids()).toEqual([1, 4]);
    expect(queue.replays).toBe(1);
  });

  it('rejects a lone failing unit without replaying anything', async () => {
    await expect(queue.run(() => db.prepare('INSERT INTO t (id) VALUES (1)').run())).rejects.toThrow(/NOT NULL/);
    expect(queue.replays).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('rejects every unit of a batch whose COMMIT fails, and keeps none of it', async () => {
    const settled = await Promise.allSettled([queue.run(insert(1)), queue.run(() => db.prepare('INSERT INTO child (pid) VALUES (99)').run())]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(ids()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    await queue.run(insert(2));
    expect(ids()).toEqual([2]);
  });

  it('runs a before-commit hook once per transaction, after the units and inside the transaction', async () => {
    const seen: number[][] = [];
    queue.beforeCommit(() => {
      expect(db.inTransaction).toBe(true);
      seen.push(ids());
    });
    await Promise.all([queue.run(insert(1)), queue.run(insert(2))]);
    await queue.run(insert(3));
    expect(seen).toEqual([[1, 2], [1, 2, 3]]);
  });

  it('fails the whole batch, and keeps none of it, when a before-commit hook throws', async () => {
    let fail = true;
    queue.beforeCommit(() => {
      if (fail) throw new Error('hook refused');
    });
    const settled = await Promise.allSettled([queue.run(insert(1)), queue.run(insert(2))]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(ids()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    fail = false;
    await queue.run(insert(3));
    expect(ids()).toEqual([3]);
  });

  it('flushes: resolves once everything enqueued before has settled', async () => {
    const done: number[] = [];
    for (let i = 0; i < 5; i += 1) void queue.run(insert(i)).then(() => done.push(i));
    await queue.flush();
    await Promise.resolve();
    expect(done).toEqual([0, 1, 2, 3, 4]);
    await expect(queue.flush()).resolves.toBeUndefined();
  });

  it('refuses new units once closed, after finishing the queued ones', async () => {
    const queued = queue.run(insert(1));
    await queue.close();
    await expect(queued).resolves.toBe(1);
    await expect(queue.run(insert(2))).rejects.toBeInstanceOf(StorageError);
  });
});
