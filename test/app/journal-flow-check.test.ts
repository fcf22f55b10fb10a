import { afterEach, describe, expect, it } from 'vitest';
import { compareFlowsWithJournal } from '../../src/app/journal-flow-check.js';
import { compareLedgerWithJournal } from '../../src/app/journal-ledger-check.js';
import { Decimal } from '../../src/domain/decimal.js';
import { TransientError, VenueRejected } from '../../src/domain/errors.js';
import { replayJournal } from '../../src/orchestration/journal-replay.js';
import type { FlowRecord } from '../../src/ports/flow-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createHarness } from '../orchestration/harness.js';
import { newTradeWire } from '../support/directives.js';
import { expectCorrupted, projectionDifferences } from '../support/projection-check.js';

const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** One flow of each ending, on a real store: success, venue refusal, in doubt, input that is no directive. */
async function world() {
  const store = openSqliteStore(':memory:');
  stores.push(store);
  const h = createHarness({ store, config: { in_doubt: { max_checks: 2, check_interval_ms: 100 } } });
  const ok = newTradeWire({ exit_plan: undefined });
  expect((await h.submit(ok)).outcome).toBe('SUCCEEDED');
  const refused = newTradeWire({ exit_plan: undefined });
  h.connector.script('placeOrder', { kind: 'throw', error: new VenueRejected('insufficient funds', 'INSUFFICIENT_FUNDS') });
  expect((await h.submit(refused)).outcome).toBe('FAILED');
  const doubt = newTradeWire({ exit_plan: undefined });
  h.connector.script('placeOrder', { kind: 'hang' });
  h.connector.script('fetchOrder', ...Array.from({ length: 2 }, () => ({ kind: 'throw' as const, error: new TransientError('venue unreachable') })));
  expect((await h.submit(doubt)).outcome).toBe('IN_DOUBT');
  const invalid = await h.submit('{"directive_id": ', 7);
  expect(invalid.outcome).toBe('FAILED');
  const flows = await store.flows.list({ limit: 100 });
  const replay = replayJournal(await store.journal.read({}));
  return { store, flows, replay, ids: { ok: ok.directive_id, refused: refused.directive_id, doubt: doubt.directive_id, invalid: invalid.flow_id } };
}

describe('flows rebuilt from the journal', () => {
  it('every way a flow ends is rebuilt from the journal alone as the flows table holds it: status, final state, reason, error details', async () => {
    const { flows, replay, ids } = await world();
    expect(flows).toHaveLength(4);
    expect(compareFlowsWithJournal(flows, replay)).toEqual([]);
    expect(replay.flows.get(ids.ok)).toMatchObject({ status: 'SUCCEEDED', final_state: 'SUCCESS', reason: 'Execution completed successfully', error_details: null });
    expect(replay.flows.get(ids.refused)).toMatchObject({ status: 'FAILED', final_state: 'ERROR', error_details: { error_type: 'VenueRejected', error_code: 'INSUFFICIENT_FUNDS' } });
    expect(replay.flows.get(ids.doubt)).toMatchObject({ status: 'IN_DOUBT', final_state: 'ERROR', error_details: { error_code: 'IN_DOUBT_UNRESOLVED' } });
    // the id of input that is not a directive is not reserved: its row names no directive
    expect(replay.flows.get(ids.invalid)).toMatchObject({ directive_id: null, status: 'FAILED', error_details: { error_code: 'VALIDATION_FAILED' } });
  });

  it('a flow row that differs is named with each field that differs, and a row one side lacks as a difference of existence', async () => {
    const { flows, replay, ids } = await world();
    const changed: FlowRecord[] = flows
      .filter((f) => f.flow_id !== ids.doubt)
      .map((f) => (f.flow_id === ids.ok ? { ...f, status: 'FAILED', reason: 'Execution failed: nothing' } : f));
    changed.push({ ...flows[0]!, flow_id: 'DIR_NEVER_ACCEPTED' });
    const differences = compareFlowsWithJournal(changed, replay);
    expect(differences.map((d) => [d.id, d.field, d.ledger, d.expected])).toEqual([
      [ids.ok, 'status', 'FAILED', 'SUCCEEDED'],
      [ids.ok, 'reason', 'Execution failed: nothing', 'Execution completed successfully'],
      ['DIR_NEVER_ACCEPTED', 'exists', flows[0]!.status, null],
      [ids.doubt, 'exists', null, 'IN_DOUBT'],
    ]);
    expect(differences.every((d) => d.check === 'journal_flows' && d.subject === 'flow')).toBe(true);
    expect(differences[0]!.message).toBe(`flow ${ids.ok}: status: flows table FAILED, journal SUCCEEDED`);
  });

  it('a fill the ledger books differently from the journal is a difference naming the fill and the field', async () => {
    const { store, replay, ids } = await world();
    const ledger = { positions: await store.ledger.listPositions(), orders: await store.ledger.listOrders(), fills: await store.ledger.listFills() };
    expect(compareLedgerWithJournal(ledger, replay)).toEqual([]);
    const fill = ledger.fills.find((f) => f.trade_id === ids.ok)!;
    const tampered = { ...ledger, fills: ledger.fills.map((f) => (f === fill ? { ...f, price: f.price.plus(1) } : f)) };
    expect(compareLedgerWithJournal(tampered, replay)).toEqual([
      expect.objectContaining({ check: 'journal_ledger', subject: 'fill', id: fill.venue_trade_id, trade_id: ids.ok, field: 'price', ledger: fill.price.plus(1).toString(), expected: fill.price.toString() }),
    ]);
  });

  it('the test suite’s check of a closed database finds a ledger changed behind the journal’s back, and nothing in an untouched one', async () => {
    const { store, ids } = await world();
    expect((await projectionDifferences(store.database.serialize())).differences).toEqual([]);
    store.database.prepare('UPDATE positions SET realized_pnl = ? WHERE trade_id = ?').run(new Decimal('999').toString(), ids.ok);
    store.database.prepare("UPDATE flows SET status = 'FAILED' WHERE flow_id = ?").run(ids.ok);
    const found = (await projectionDifferences(store.database.serialize())).differences.map((d) => `${d.check} ${d.id} ${d.field}`);
    expect(found).toEqual([`journal_ledger ${ids.ok} realized_pnl`, `journal_flows ${ids.ok} status`]);
    expectCorrupted(store.database);
  });
});
