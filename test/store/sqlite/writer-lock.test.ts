import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, StorageError, type WriterIdentity } from '../../../src/domain/errors.js';
import { SqliteWriterLock, writerLockFiles } from '../../../src/store/sqlite/writer-lock.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURE = resolve(import.meta.dirname, 'fixtures/hold-writer-lock.ts');
const TRY_FIXTURE = resolve(import.meta.dirname, 'fixtures/try-writer-lock.ts');

/** Another process's single attempt at the lock of `path`. */
function tryInChild(path: string): { acquired: boolean; holder?: WriterIdentity | null } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', TRY_FIXTURE, path], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`try-writer-lock exited ${String(result.status)}: ${result.stderr}`);
  return JSON.parse(result.stdout) as { acquired: boolean; holder?: WriterIdentity | null };
}

let dir: string;
let db: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-writer-lock-unit-'));
  db = join(dir, 'planexec.db');
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/** A separate process holding the lock of `path`; resolves with its identity once it holds it. */
function holdInChild(path: string): Promise<{ child: ChildProcess; holder: WriterIdentity }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolvePromise({ child, holder: JSON.parse(out.split('\n')[0]!) as WriterIdentity });
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('exit', (code) => reject(new Error(`fixture exited ${String(code)} before holding the lock: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) resolvePromise();
    else child.once('exit', () => resolvePromise());
  });
}

async function refusal(lock: SqliteWriterLock): Promise<DatabaseInUseError> {
  const error = await lock.acquire().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseInUseError);
  return error as DatabaseInUseError;
}

describe('SqliteWriterLock', () => {
  it('refuses a second acquirer at once, naming the holder', async () => {
    const lease = await new SqliteWriterLock(db, { command: 'planexec run --db planexec.db' }).acquire();
    try {
      const started = performance.now();
      const error = await refusal(new SqliteWriterLock(db));
      expect(performance.now() - started).toBeLessThan(500);
      expect(error.code).toBe('DATABASE_IN_USE');
      expect(error.database).toBe(db);
      expect(error.holder).toEqual(lease.holder);
      expect(error.holder).toMatchObject({ pid: process.pid, hostname: hostname(), command: 'planexec run --db planexec.db' });
      expect(error.message).toContain(db);
      expect(error.message).toContain(`pid ${process.pid}`);
      expect(error.message).toContain('planexec run --db planexec.db');
      expect(error.message).toContain(lease.holder.started_at);
    } finally {
      lease.release();
    }
  });

  it('is free again once released, and the holder file is gone', async () => {
    const first = await new SqliteWriterLock(db).acquire();
    expect(existsSync(writerLockFiles(db).holder)).toBe(true);
    first.release();
    first.release(); // idempotent
    expect(existsSync(writerLockFiles(db).holder)).toBe(false);
    const second = await new SqliteWriterLock(db).acquire();
    second.release();
    expect(existsSync(writerLockFiles(db).lock)).toBe(true); // never deleted: see the class comment
  });

  it('locks one database, not its neighbours', async () => {
    const a = await new SqliteWriterLock(join(dir, 'a.db')).acquire();
    const b = await new SqliteWriterLock(join(dir, 'b.db')).acquire();
    a.release();
    b.release();
  });

  it('refuses while another process holds it, and is free the moment that process is killed with SIGKILL', async () => {
    const { child, holder } = await holdInChild(db);
    expect(holder.pid).toBe(child.pid);
    const error = await refusal(new SqliteWriterLock(db));
    expect(error.holder).toEqual(holder);
    expect(error.message).toContain(`pid ${child.pid}`);
    expect(error.message).toContain('hold-writer-lock fixture');

    child.kill('SIGKILL');
    await exited(child);
    const started = performance.now();
    const lease = await new SqliteWriterLock(db).acquire(); // no clean-up: the kernel dropped the dead holder's lock
    expect(performance.now() - started).toBeLessThan(500);
    expect(lease.holder.pid).toBe(process.pid);
    expect(JSON.parse(readFileSync(writerLockFiles(db).holder, 'utf8'))).toEqual(lease.holder); // the dead holder's file is overwritten
    lease.release();
  }, 30_000);

  it('holds against other processes, even after attempts refused inside its own process', async () => {
    const lease = await new SqliteWriterLock(db).acquire();
    try {
      // closing a file descriptor drops all of a process's fcntl locks on that file; SQLite must not let these attempts do that
      for (let i = 0; i < 3; i += 1) await refusal(new SqliteWriterLock(db));
      expect(tryInChild(db)).toEqual({ acquired: false, holder: lease.holder });
    } finally {
      lease.release();
    }
    expect(tryInChild(db)).toEqual({ acquired: true });
  }, 30_000);

  it('with wait, says once who holds it, then takes it when the holder releases', async () => {
    const held = await new SqliteWriterLock(db, { command: 'first' }).acquire();
    const waitingFor: (WriterIdentity | null)[] = [];
    const waiter = new SqliteWriterLock(db, { pollMs: 10 }).acquire({ wait: true, onWaiting: (h) => waitingFor.push(h) });
    let taken = false;
    void waiter.then(() => (taken = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(taken).toBe(false);
    expect(waitingFor).toEqual([held.holder]);
    held.release();
    const lease = await waiter;
    expect(waitingFor).toHaveLength(1);
    lease.release();
  });

  it('names no holder when the holder file is missing or torn', async () => {
    const lease = await new SqliteWriterLock(db).acquire();
    try {
      writeFileSync(writerLockFiles(db).holder, '{"pid": 12');
      const error = await refusal(new SqliteWriterLock(db));
      expect(error.holder).toBeNull();
      expect(error.message).toContain('in use by another writer');
    } finally {
      lease.release();
    }
  });

  it('refuses a database path it cannot write with STORAGE_NOT_WRITABLE naming the path, creating nothing', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const under = join(file, 'planexec.db');
    const error = await new SqliteWriterLock(under).acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'STORAGE_NOT_WRITABLE' });
    expect((error as Error).message).toContain(under);
    expect((error as Error).message).toContain(`${file} is not a folder`);
  });
});
