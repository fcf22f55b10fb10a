import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/domain/ids.js';
import { JournalFallback } from '../../src/orchestration/journal-fallback.js';
import { replayFallback } from '../../src/orchestration/recovery/fallback-replay.js';
import { newTradeWire } from '../support/directives.js';
import { expectCorrupted } from '../support/projection-check.js';
import { useWorlds, World } from './recovery-world.js';

const { world, restart, track } = useWorlds('recovery-policies');

function fallbackLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Three trades on three symbols, one at a time. */
async function threeTrades(w: World): Promise<string[]> {
  const ids: string[] = [];
  for (const [symbol, size, sl, tp] of [
    ['BTC_USDT', '0.015', '60000', '70000'],
    ['ETH_USDT', '0.5', '3000', '4000'],
    ['SOL_USDT', '5', '120', '180'],
  ] as const) {
    const wire = newTradeWire({ entry_plan: { symbol, direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: size }, exit_plan: { stop_loss_price: sl, take_profit_price: tp } });
    ids.push(wire.directive_id);
    await w.submit(wire);
  }
  return ids;
}

describe('on_journal_failure on the real store: the journal starts failing mid-run', () => {
  for (const policy of ['continue', 'alert_admin'] as const) {
    it(`${policy}: every entry goes to the fsync'd fallback file with an alert, flows go on; recovery replays them all into the journal once`, async () => {
      const w = world({ config: { error_handling: { on_journal_failure: policy } } });
      w.journal.fail = (_entry, written) => written >= 5;
      const ids = await threeTrades(w);
      expect(w.stops.map((s) => s.payload.reason)).toEqual(['Execution completed successfully', 'Execution completed successfully', 'Execution completed successfully']);
      const lines = fallbackLines(w.files.fallback);
      const entries = lines.filter((l) => l['event_type'] !== 'POLICY_APPLIED');
      expect(entries.length).toBeGreaterThan(10);
      expect(lines.filter((l) => l['event_type'] === 'POLICY_APPLIED')).toHaveLength(entries.length);
      expect(new Set(lines.map((l) => l['fallback_entry_id'])).size).toBe(lines.length);
      const alert = w.alerts.alerts.find((a) => a.code === 'JOURNAL_FALLBACK');
      expect(alert?.severity).toBe(policy === 'continue' ? 'warning' : 'critical');
      const journaledBefore = (await w.store.journal.read({})).length;

      const r = await restart(w);
      const report = await r.recover();
      expect(report.fallback).toEqual({ replayed: lines.length, already_journaled: 0, malformed: 0, error: null });
      const journal = await r.store.journal.read({});
      expect(journal).toHaveLength(journaledBefore + lines.length);
      expect(journal.filter((e) => e.body['replayed_from_fallback'] === true)).toHaveLength(lines.length);
      // each trade's intents, results and causality entry are in the journal now
      for (const id of ids) {
        const types = journal.filter((e) => e.flow_id === id).map((e) => e.event_type);
        expect(types).toEqual(expect.arrayContaining(['DIRECTIVE_ACCEPTED', 'ORDER_INTENT', 'ORDER_RESULT', 'TRADE_OPENED']));
      }
      // the causation chain is whole again: a replayed entry keeps the id the flow named it by, and ids stay unique
      const entryIds = new Set(journal.map((e) => e.entry_id));
      expect(entryIds.size).toBe(journal.length);
      for (const id of ids) {
        for (const entry of journal.filter((e) => e.flow_id === id && e.causation_id !== null)) expect(entryIds.has(entry.causation_id!), `${entry.event_type} ${entry.causation_id}`).toBe(true);
      }
      expect(await r.store.journal.verify()).toEqual({ ok: true, entries: journal.length });
      expect(fallbackLines(r.files.fallback)).toEqual([]);
    });
  }

  it('fail_execution: flows that have sent nothing abort (JOURNAL_UNAVAILABLE), nothing reaches the venue for them; their decisions are replayed later', async () => {
    const w = world({ config: { error_handling: { on_journal_failure: 'fail_execution' } } });
    const first = newTradeWire({ exit_plan: undefined });
    expect((await w.submit(first)).outcome).toBe('SUCCEEDED');
    w.journal.fail = () => true;
    // the journal fails while the ledger on the same database goes on: the refused leg's row has no intent
    expectCorrupted(w.files.db);
    const second = newTradeWire({ exit_plan: undefined });
    expect(await w.submit(second)).toMatchObject({ outcome: 'FAILED', error_code: 'JOURNAL_UNAVAILABLE' });
    expect(w.venue.submitAttempts(clientOrderId(second.directive_id, 'E'))).toBe(0);
    expect(w.alerts.codes()).toContain('JOURNAL_UNAVAILABLE');
    const lines = fallbackLines(w.files.fallback);
    expect(lines.some((l) => (l['body'] as Record<string, unknown>)['decision'] === 'abort_flow')).toBe(true);

    const r = await restart(w);
    expect((await r.recover()).fallback.replayed).toBe(lines.length);
    expect(await r.store.journal.verify()).toMatchObject({ ok: true });
  });

  it('a replay cut short after its append (before the file was emptied) is not doubled by the next one', async () => {
    const w = world();
    w.journal.fail = (_entry, written) => written >= 3;
    await w.submit(newTradeWire());
    const lines = fallbackLines(w.files.fallback);
    await w.close();

    class DyingFallback extends JournalFallback {
      override clear(): Promise<void> {
        return Promise.reject(new Error('killed before the truncation'));
      }
    }
    const r = track(new World(w.files, { startMs: w.clock.now() + 1000 }));
    await expect(replayFallback(new DyingFallback(w.files.fallback), r.store.journal)).rejects.toThrow('killed');
    const afterFirst = (await r.store.journal.read({})).length;
    const report = await r.recover();
    expect(report.fallback).toEqual({ replayed: 0, already_journaled: lines.length, malformed: 0, error: null });
    expect(await r.store.journal.read({})).toHaveLength(afterFirst);
    expect(await r.store.journal.verify()).toMatchObject({ ok: true });
    expect(fallbackLines(r.files.fallback)).toEqual([]);
  });

  it('a fallback line torn by a crash (never acknowledged) is counted as malformed, the rest is replayed', async () => {
    const w = world();
    w.journal.fail = (_entry, written) => written >= 3;
    await w.submit(newTradeWire({ exit_plan: undefined }));
    const lines = fallbackLines(w.files.fallback);
    await new JournalFallback(w.files.fallback).append({ torn: true });
    const { appendFileSync } = await import('node:fs');
    appendFileSync(w.files.fallback, '{"event_type":"ORDER_INT');
    const r = await restart(w);
    expect((await r.recover()).fallback).toMatchObject({ replayed: lines.length, malformed: 2 });
  });
});

describe('on_ledger_failure: a ledger write fails after the venue filled; the venue position is not forgotten', () => {
  /** The trade's first booking (trade + entry + fills) fails; the venue has the fill. */
  const failTradeWrites = (w: World) => {
    w.ledger.fail = (change) => change.positions !== undefined;
  };

  it('alert_admin: the flow fails with a critical alert and reconcile_required; at the next start recovery rebuilds the trade from the venue', async () => {
    const w = world({ config: { error_handling: { on_ledger_failure: 'alert_admin' } } });
    failTradeWrites(w);
    const wire = newTradeWire();
    expect(await w.submit(wire)).toMatchObject({ outcome: 'FAILED', error_code: 'LEDGER_FAILED' });
    expect(w.alerts.alerts.find((a) => a.code === 'LEDGER_FAILURE')?.severity).toBe('critical');
    const decision = (await w.store.journal.read({ flow_id: wire.directive_id })).find((e) => e.event_type === 'POLICY_APPLIED');
    expect(decision?.body).toMatchObject({ policy: 'on_ledger_failure', decision: 'alerted_admin', reconcile_required: true });
    expect(await w.store.ledger.getPosition(wire.directive_id)).toBeUndefined();
    expect(w.venue.netPositions().get('BTC_USDT')?.toFixed()).toBe('0.015');

    const r = await restart(w);
    const report = await r.recover();
    expect(report.orders.rebuilt_trades).toBe(1);
    const trade = await r.store.ledger.getPosition(wire.directive_id);
    expect(trade).toMatchObject({ status: 'OPEN', symbol: 'BTC_USDT', direction: 'BUY' });
    expect(trade!.filled_size.toFixed()).toBe('0.015');
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    // restoring sends nothing: the flow had failed before its protective orders
    expect(r.venue.submitAttempts()).toBe(1);
    expect((await r.store.journal.read({ flow_id: wire.directive_id })).some((e) => e.body['decision'] === 'ledger_rebuilt_from_venue')).toBe(true);
    expect(r.stops).toHaveLength(0);
  });

  it('rollback_api: the exposure is flattened at the venue (X0); recovery books both legs and the trade ends closed and flat', async () => {
    const w = world({ config: { error_handling: { on_ledger_failure: 'rollback_api' } } });
    failTradeWrites(w);
    const wire = newTradeWire();
    expect(await w.submit(wire)).toMatchObject({ outcome: 'FAILED', error_code: 'LEDGER_FAILED' });
    expect(w.venue.netPositions().get('BTC_USDT')?.isZero()).toBe(true);
    expect(w.venue.submitAttempts(clientOrderId(wire.directive_id, 'X0'))).toBe(1);

    const r = await restart(w);
    await r.recover();
    expect(await r.store.ledger.getPosition(wire.directive_id)).toMatchObject({ status: 'CLOSED', close_reason: 'COMPENSATION' });
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0', venue: '0' });
    for (const [id, count] of r.venue.submitAttemptCounts()) expect(count, id).toBe(1);
  });

  it('continue: the flow succeeds with the anomaly recorded; recovery restores the trade and its protective orders from the venue', async () => {
    const w = world({ config: { error_handling: { on_ledger_failure: 'continue' } } });
    failTradeWrites(w);
    const wire = newTradeWire();
    expect((await w.submit(wire)).outcome).toBe('SUCCEEDED');
    expect(w.alerts.codes()).toContain('LEDGER_FAILURE');
    expect(await w.store.ledger.getPosition(wire.directive_id)).toBeUndefined();

    const r = await restart(w);
    await r.recover();
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    const legs = await r.store.ledger.listOrders({ trade_id: wire.directive_id });
    expect(legs.map((o) => [o.purpose, o.status]).sort()).toEqual([
      ['ENTRY', 'FILLED'],
      ['STOP_LOSS', 'OPEN'],
      ['TAKE_PROFIT', 'OPEN'],
    ]);
  });
});
