import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/domain/ids.js';
import { newTradeWire } from '../support/directives.js';
import { World, worldFiles } from './recovery-world.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-write-ahead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close().catch(() => undefined);
});
let n = 0;
function world(): World {
  const w = new World(worldFiles(dir, `w${++n}`));
  worlds.push(w);
  return w;
}

describe('write-ahead: the intent is on disk before the connector is called', () => {
  it('a second connection to the database file sees the committed ORDER_INTENT and PENDING row of every leg when placeOrder is called', async () => {
    const w = world();
    const wire = newTradeWire();
    const reader = new Database(w.files.db, { readonly: true });
    const seen: { coid: string; intent: number; pending: string | undefined }[] = [];
    w.connector.hangBeforePlace = (request) => {
      const intent = reader
        .prepare("SELECT COUNT(*) AS n FROM journal WHERE event_type = 'ORDER_INTENT' AND json_extract(body, '$.client_order_id') = ?")
        .get(request.client_order_id) as { n: number };
      const row = reader.prepare('SELECT status FROM orders WHERE client_order_id = ?').get(request.client_order_id) as { status: string } | undefined;
      seen.push({ coid: request.client_order_id, intent: intent.n, pending: row?.status });
      return 'go';
    };
    expect((await w.submit(wire)).outcome).toBe('SUCCEEDED');
    reader.close();
    expect(seen.map((s) => s.coid)).toEqual([clientOrderId(wire.directive_id, 'E'), clientOrderId(wire.directive_id, 'SL'), clientOrderId(wire.directive_id, 'TP')]);
    for (const s of seen) expect(s, s.coid).toMatchObject({ intent: 1, pending: 'PENDING' });
  });

  it('commits are fsync’d: the store runs WAL with synchronous=FULL', () => {
    const w = world();
    expect(w.store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 = FULL: every COMMIT fsyncs the WAL before it returns
    expect(w.store.database.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('client order ids are a function of directive and leg only: a recovery computes the same ids as the first run', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: undefined });
    w.connector.hangAfterPlace = () => 'hang';
    await w.submitAndCrash(wire);
    const sentFirst = w.venue.submitAttemptLog().map((a) => a.client_order_id);
    const r = await w.restart(1000);
    worlds.push(r);
    await r.recover();
    expect(sentFirst).toEqual([clientOrderId(wire.directive_id, 'E')]);
    expect(r.venue.submitAttemptLog().map((a) => a.client_order_id)).toEqual(sentFirst);
    expect((await r.store.ledger.listOrders({ directive_id: wire.directive_id })).map((o) => o.client_order_id)).toEqual(sentFirst);
  });
});

describe('idempotent intake: a directive id seen before is reported, not executed again', () => {
  it('the same id arriving while its first flow is interrupted (RUNNING) is a duplicate; recovery then finishes the original once', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: undefined });
    w.connector.hangAfterPlace = () => 'hang';
    await w.submitAndCrash(wire);

    // next run, before any recovery: the id is known (RUNNING), nothing is executed for it
    const r = await w.restart(1000);
    worlds.push(r);
    const dup = await r.submit(wire);
    expect(dup.outcome).toBe('DUPLICATE');
    expect(dup.reason).toContain('RUNNING');
    expect(r.venue.submitAttempts()).toBe(1);

    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 1, succeeded: 1 });
    expect(r.stops).toHaveLength(1);
    expect(r.venue.submitAttempts()).toBe(1);
  });

  it('after recovery (as at every start-up) the repeated id is a duplicate naming the original outcome', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: undefined });
    w.connector.hangAfterPlace = () => 'hang';
    await w.submitAndCrash(wire);
    const r = await w.restart(1000);
    worlds.push(r);
    await r.recover();
    const again = await r.submit(wire);
    expect(again).toMatchObject({ outcome: 'DUPLICATE' });
    expect(again.reason).toContain('SUCCEEDED');
    expect(r.venue.submitAttempts()).toBe(1);
    expect(r.stops).toHaveLength(1);
  });

  it('a duplicate in the same run and in a later run is reported, never executed', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: undefined });
    const [first, second] = await Promise.all([w.submit(wire), w.submit(wire)]);
    expect([first.outcome, second.outcome].sort()).toEqual(['DUPLICATE', 'SUCCEEDED']);
    const r = await w.restart(1000);
    worlds.push(r);
    await r.recover();
    expect((await r.submit(wire)).outcome).toBe('DUPLICATE');
    expect(r.venue.submitAttempts()).toBe(1);
  });
});
