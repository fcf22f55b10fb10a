import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import { ValidationError } from '../../src/domain/errors.js';
import { JournaledTradingState, TRADING_STATE_FLOW_ID } from '../../src/orchestration/trading-state.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { InMemoryJournal, silentLogger } from '../support/fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-trading-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function control(journal = new InMemoryJournal(), clock = new FakeClock()) {
  const bus = new InMemoryEventBus<PlanexecEvents>({ logger: silentLogger });
  const published: PlanexecEvents['TRADING_STATE_CHANGED'][] = [];
  bus.subscribe('TRADING_STATE_CHANGED', (payload) => published.push(payload));
  const state = await JournaledTradingState.open({ journal, clock, bus, logger: silentLogger });
  return { state, journal, published, clock };
}

describe('JournaledTradingState', () => {
  it('starts ACTIVE, never changed, on an empty journal', async () => {
    const { state } = await control();
    expect(state.current()).toEqual({ state: 'ACTIVE', reason: null, changed_by: null, changed_at: null });
  });

  it('journals each change with who, why and the state it replaced, chained to the change before', async () => {
    const { state, journal, clock } = await control();
    const halted = await state.set({ state: 'HALTED', reason: 'venue outage', changed_by: 'alice' });
    await clock.advance(1000);
    await state.set({ state: 'ACTIVE', reason: 'venue back', changed_by: 'bob' });

    expect(halted).toEqual({ state: 'HALTED', reason: 'venue outage', changed_by: 'alice', changed_at: '2026-11-24T10:00:00.000Z' });
    const [first, second] = journal.ofType('TRADING_STATE_CHANGED');
    expect(first).toMatchObject({
      flow_id: TRADING_STATE_FLOW_ID,
      correlation_id: TRADING_STATE_FLOW_ID,
      causation_id: null,
      directive_id: null,
      timestamp: '2026-11-24T10:00:00.000Z',
      body: { state: 'HALTED', previous: 'ACTIVE', reason: 'venue outage', changed_by: 'alice' },
    });
    expect(second).toMatchObject({ causation_id: first!.entry_id, body: { state: 'ACTIVE', previous: 'HALTED', reason: 'venue back', changed_by: 'bob' } });
    expect(state.current()).toMatchObject({ state: 'ACTIVE', changed_by: 'bob', changed_at: '2026-11-24T10:00:01.000Z' });
  });

  it('publishes TRADING_STATE_CHANGED with the record and the previous state, once journaled', async () => {
    const { state, journal, published } = await control();
    let journaledWhenPublished = -1;
    const bus = new InMemoryEventBus<PlanexecEvents>({ logger: silentLogger });
    bus.subscribe('TRADING_STATE_CHANGED', () => (journaledWhenPublished = journal.ofType('TRADING_STATE_CHANGED').length));
    await state.set({ state: 'REDUCING', reason: 'drawdown', changed_by: 'risk-desk' });
    expect(published).toEqual([{ state: 'REDUCING', previous: 'ACTIVE', reason: 'drawdown', changed_by: 'risk-desk', changed_at: '2026-11-24T10:00:00.000Z' }]);

    const observed = await JournaledTradingState.open({ journal, clock: new FakeClock(), bus });
    await observed.set({ state: 'HALTED', reason: 'worse', changed_by: 'risk-desk' });
    expect(journaledWhenPublished).toBe(2);
  });

  it('a change the journal refuses changes nothing and announces nothing', async () => {
    const { state, journal, published } = await control();
    journal.failWrite = () => true;
    await expect(state.set({ state: 'HALTED', reason: 'outage', changed_by: 'alice' })).rejects.toThrow('database is locked');
    expect(state.current().state).toBe('ACTIVE');
    expect(published).toEqual([]);
    journal.failWrite = null;
    await state.set({ state: 'HALTED', reason: 'outage', changed_by: 'alice' });
    expect(journal.ofType('TRADING_STATE_CHANGED')[0]!.body).toMatchObject({ previous: 'ACTIVE' });
  });

  it('refuses a bad change naming every field and rule, and journals nothing', async () => {
    const { state, journal } = await control();
    const refused = state.set({ state: 'PAUSED' as never, reason: '   ', changed_by: 'x'.repeat(129) });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    const error = (await refused.catch((e: unknown) => e)) as ValidationError;
    expect(error.issues.map((i) => `${i.path}:${i.rule}`)).toEqual(['state:enum', 'reason:required', 'changed_by:max_length']);
    expect(error.message).toContain('must be one of ACTIVE, REDUCING, HALTED');
    await expect(state.set({ state: 'HALTED', reason: 'r'.repeat(501), changed_by: 'a' })).rejects.toThrow(/reason: must be at most 500 characters, got 501 \[max_length\]/);
    expect(journal.entries).toEqual([]);
  });

  it('applies concurrent changes one at a time, each naming the one before', async () => {
    const { state, journal } = await control();
    await Promise.all([
      state.set({ state: 'REDUCING', reason: 'one', changed_by: 'a' }),
      state.set({ state: 'HALTED', reason: 'two', changed_by: 'b' }),
      state.set({ state: 'ACTIVE', reason: 'three', changed_by: 'c' }),
    ]);
    expect(journal.ofType('TRADING_STATE_CHANGED').map((e) => [e.body['previous'], e.body['state']])).toEqual([
      ['ACTIVE', 'REDUCING'],
      ['REDUCING', 'HALTED'],
      ['HALTED', 'ACTIVE'],
    ]);
  });

  it('survives closing and reopening a database file', async () => {
    const db = join(dir, 'survives.db');
    const first = openSqliteStore(db);
    const state = await JournaledTradingState.open({ journal: first.journal, clock: new FakeClock() });
    await state.set({ state: 'REDUCING', reason: 'wind down', changed_by: 'alice' });
    await state.set({ state: 'HALTED', reason: 'stop everything', changed_by: 'bob' });
    await first.close();

    const second = openSqliteStore(db);
    try {
      const reopened = await JournaledTradingState.open({ journal: second.journal, clock: new FakeClock() });
      expect(reopened.current()).toEqual({ state: 'HALTED', reason: 'stop everything', changed_by: 'bob', changed_at: '2026-11-24T10:00:00.000Z' });
      await reopened.set({ state: 'ACTIVE', reason: 'resume', changed_by: 'carol' });
      const entries = await second.journal.read({ flow_id: TRADING_STATE_FLOW_ID });
      expect(entries.map((e) => e.body['previous'])).toEqual(['ACTIVE', 'REDUCING', 'HALTED']);
      expect(entries[2]!.causation_id).toBe(entries[1]!.entry_id);
      expect(await second.journal.verify()).toMatchObject({ ok: true });
    } finally {
      await second.close();
    }
  });
});
