import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.js';
import { ROOT, runNode } from '../../e2e/run-cli.js';
import { FakeClock } from '../../support/fake-clock.js';
import { journalInput } from '../contract/builders.js';
import type { WriteOp } from '../../../src/store/sqlite/write-ops.js';
import { packOps, unpackOps } from '../../../src/store/sqlite/writer-thread-protocol.js';

describe('SQLite writer thread', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'planexec-writer-'));
    path = join(dir, 'planexec.db');
    store = openSqliteStore(path, { clock: new FakeClock(), writerThread: true });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the writes of one event-loop turn in one transaction on the thread', async () => {
    await store.journal.logEntry(journalInput()); // the thread's connection is open
    const before = store.commitStats().batches;
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.journal.logEntry(journalInput({ body: { i } }))));
    expect(store.commitStats().batches - before).toBe(1);
    expect(await store.journal.verify()).toEqual({ ok: true, entries: 41 });
  });

  it('has a resolved write committed, so the event loop reads it on its own connection at once', async () => {
    const entry = await store.journal.logEntry(journalInput({ body: { seen: true } }));
    expect(store.database.prepare('SELECT body FROM journal WHERE seq = ?').get(entry.seq)).toEqual({ body: '{"seen":true}' });
  });

  it('hands back the entries as appended: seq, chain links and the caller body', async () => {
    const [a, b] = await store.journal.append([journalInput({ body: { n: 1 } }), journalInput({ body: { n: 2 } })]);
    expect([a!.seq, b!.seq]).toEqual([1, 2]);
    expect(b!.prev_hash).toBe(a!.hash);
    expect(b!.body).toEqual({ n: 2 });
    expect(await store.journal.head()).toEqual({ seq: 2, hash: b!.hash });
  });

  it('runs a pragma on the writing connection', async () => {
    expect(await store.writer.pragma('synchronous')).toEqual([{ synchronous: 2 }]);
  });

  it('does not keep an idle process alive: a script that never closes its store exits, its writes durable', async () => {
    const storeModule = pathToFileURL(join(ROOT, 'dist/store/index.js')).href;
    const other = join(dir, 'left-open.db');
    const script = `
      const { openSqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = openSqliteStore(${JSON.stringify(other)}, { writerThread: true });
      await store.journal.logEntry({ event_type: 'DIRECTIVE_ACCEPTED', flow_id: 'F', correlation_id: 'C', timestamp: '2026-11-24T10:15:00.000Z', body: { left: 'open' } });
      console.log('written');`;
    const result = await runNode(['--input-type=module', '-e', script]);
    expect(result).toMatchObject({ code: 0, stdout: 'written\n' });
    const reopened = openSqliteStore(other);
    try {
      expect((await reopened.journal.read()).map((e) => e.body)).toEqual([{ left: 'open' }]);
    } finally {
      await reopened.close();
    }
  });
});

describe('writer thread messages', () => {
  const entry = (body: string, id: string) => ({
    entry_id: id,
    event_type: 'ORDER_INTENT',
    flow_id: 'F1',
    directive_id: 'D1',
    strategy_id: null,
    timestamp: '2026-12-03T00:00:00.000Z',
    correlation_id: 'C1',
    causation_id: null,
    body,
  });

  it('carries every op and journal body across unchanged, bodies beside the JSON rather than escaped in it', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue().map((v) => JSON.stringify({ v })), { maxLength: 6 }), (bodies) => {
        const ops: WriteOp[] = [
          { op: 'journal.append', entries: bodies.map((b, i) => entry(b, `J${i}`)) },
          { op: 'flow.begin', flow: { flow_id: 'F1', directive_id: 'D1', strategy_id: null, started_at: 'T' }, accepted: entry('{"a":"\\"q\\""}', 'J9') },
          { op: 'ledger.rollback', directiveId: 'D1' },
        ];
        const packed = packOps(ops);
        expect(packed.bodies).toEqual([...bodies, '{"a":"\\"q\\""}']);
        expect(packed.ops).not.toContain('\\"');
        expect(unpackOps(packed.ops, packed.bodies)).toEqual(ops);
      }),
      { numRuns: 100 },
    );
  });
});
