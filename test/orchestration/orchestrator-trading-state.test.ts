import { describe, expect, it } from 'vitest';
import type { ExecutionFailedDTO, FlowCompletionDTO } from '../../src/domain/dto.js';
import type { TradingState } from '../../src/ports/trading-state.js';
import { JournaledTradingState } from '../../src/orchestration/trading-state.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { FakeClock } from '../support/fake-clock.js';
import { InMemoryJournal } from '../support/fakes.js';
import { createHarness, type Harness } from './harness.js';

/**
 * The kill switch at acceptance (docs/kill-switch.md): what each state lets run, how a denied
 * flow ends (journaled, EXECUTION_FAILED, `_flow_stop_error`, reason DENIED …), and that nothing
 * of it reaches the venue.
 */

interface World {
  readonly h: Harness;
  readonly control: JournaledTradingState;
  /** The filled BUY 0.015 BTC_USDT trade (SL 64000, TP 67000) opened while ACTIVE. */
  readonly tradeId: string;
  flip(state: TradingState, reason?: string): Promise<void>;
}

async function world(): Promise<World> {
  const control = await JournaledTradingState.open({ journal: new InMemoryJournal(), clock: new FakeClock() });
  const h = createHarness({ tradingState: control });
  const open = newTradeWire();
  expect((await h.submit(open)).outcome).toBe('SUCCEEDED');
  h.connector.calls.length = 0;
  h.events.length = 0;
  return {
    h,
    control,
    tradeId: open.directive_id,
    flip: async (state, reason = 'exchange maintenance') => {
      await control.set({ state, reason, changed_by: 'ops' });
    },
  };
}

function venueWrites(h: Harness): string[] {
  return h.connector.calls.filter((c) => ['placeOrder', 'amendOrder', 'cancelOrder'].includes(c.method)).map((c) => c.method);
}

describe('kill switch at acceptance', () => {
  it('HALTED denies a NEW_TRADE: journaled, EXECUTION_FAILED, _flow_stop_error with a DENIED reason, nothing sent', async () => {
    const { h, flip } = await world();
    await flip('HALTED');
    const wire = newTradeWire();
    const result = await h.submit(wire);

    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'TRADING_STATE_HALTED' });
    expect(result.reason).toMatch(/^DENIED: trading state HALTED \(exchange maintenance\): only CLOSE_EXISTING runs; NEW_TRADE /);
    expect(h.connector.calls).toEqual([]);
    const journaled = await h.journal.read({ directive_id: wire.directive_id });
    expect(journaled.map((e) => e.event_type)).toEqual(['DIRECTIVE_ACCEPTED', 'EXECUTION_FAILED']);
    expect(journaled[1]!.body).toMatchObject({ error_type: 'RiskDenied', error_code: 'TRADING_STATE_HALTED', error_details: { trading_state: 'HALTED', trading_state_reason: 'exchange maintenance', changed_by: 'ops' } });
    const failed = h.events.find((e) => e.name === 'EXECUTION_FAILED')!.payload as ExecutionFailedDTO;
    expect(failed).toMatchObject({ directive_id: wire.directive_id, error_type: 'RiskDenied', error_code: 'TRADING_STATE_HALTED' });
    const stop = h.stops();
    expect(stop.map((s) => s.name)).toEqual(['_flow_stop_error']);
    expect((stop[0]!.payload as FlowCompletionDTO).reason).toMatch(/^DENIED: trading state HALTED \(exchange maintenance\)/);
    expect((await h.flows.get(wire.directive_id))?.status).toBe('FAILED');
  });

  it('never says "rejected" of a denial', async () => {
    const { h, flip } = await world();
    await flip('REDUCING', 'drawdown limit');
    const result = await h.submit(newTradeWire());
    expect(result.reason).toMatch(/^DENIED: trading state REDUCING \(drawdown limit\)/);
    expect(result.reason.toLowerCase()).not.toContain('reject');
  });

  it('HALTED lets a CLOSE_EXISTING through, and it closes the trade at the venue', async () => {
    const { h, flip, tradeId } = await world();
    await flip('HALTED');
    const result = await h.submit(closeWire([tradeId]));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.ledger.positions.get(tradeId)?.status).toBe('CLOSED');
    expect(h.connector.placed().map((o) => o.reduce_only)).toEqual([true]);
  });

  it('HALTED denies a MODIFY_EXISTING, even one that only moves the stop', async () => {
    const { h, flip, tradeId } = await world();
    await flip('HALTED');
    const result = await h.submit(modifyWire([tradeId], { exit_plan: { stop_loss_price: '64500' } }));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'TRADING_STATE_HALTED' });
    expect(venueWrites(h)).toEqual([]);
    expect(h.ledger.positions.get(tradeId)?.stop_loss?.toFixed()).toBe('64000');
  });

  it('REDUCING lets a MODIFY_EXISTING move the stop and reduce the size', async () => {
    const { h, flip, tradeId } = await world();
    await flip('REDUCING');
    expect((await h.submit(modifyWire([tradeId], { exit_plan: { stop_loss_price: '64500' } }))).outcome).toBe('SUCCEEDED');
    const reduce = await h.submit(modifyWire([tradeId], { exit_plan: undefined, size_plan: { position_size: '0.01' } }));
    expect(reduce.outcome).toBe('SUCCEEDED');
    expect(h.ledger.positions.get(tradeId)?.filled_size.toFixed()).toBe('0.01');
  });

  it('REDUCING denies a MODIFY_EXISTING that adds size, naming the size and what the trade holds', async () => {
    const { h, flip, tradeId } = await world();
    await flip('REDUCING');
    const result = await h.submit(modifyWire([tradeId], { exit_plan: undefined, size_plan: { position_size: '0.025' } }));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'TRADING_STATE_REDUCING' });
    expect(result.reason).toContain('size_plan.position_size 0.025 is above what trade');
    expect(venueWrites(h)).toEqual([]);
    expect(h.ledger.positions.get(tradeId)?.filled_size.toFixed()).toBe('0.015');
  });

  it('REDUCING denies a NEW_TRADE and lets a CLOSE_EXISTING through', async () => {
    const { h, flip, tradeId } = await world();
    await flip('REDUCING');
    expect(await h.submit(newTradeWire())).toMatchObject({ outcome: 'FAILED', error_code: 'TRADING_STATE_REDUCING' });
    expect((await h.submit(closeWire([tradeId]))).outcome).toBe('SUCCEEDED');
  });

  it('ACTIVE again: new directives run (a denied directive_id stays used: it is a duplicate now)', async () => {
    const { h, flip } = await world();
    await flip('HALTED');
    const denied = newTradeWire();
    expect((await h.submit(denied)).outcome).toBe('FAILED');
    await flip('ACTIVE', 'maintenance over');
    expect((await h.submit(newTradeWire())).outcome).toBe('SUCCEEDED');
    expect((await h.submit(denied)).outcome).toBe('DUPLICATE');
  });

  it('a flow already past acceptance finishes when the switch flips while it runs', async () => {
    const { h, control } = await world();
    const flipped: Promise<unknown>[] = [];
    h.connector.beforePlace = () => {
      if (flipped.length === 0) flipped.push(control.set({ state: 'HALTED', reason: 'flipped mid-flow', changed_by: 'ops' }));
    };
    const result = await h.submit(newTradeWire());
    await Promise.all(flipped);
    expect(control.current().state).toBe('HALTED');
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.placed().length).toBe(3);
  });

  it('without a kill switch every directive runs as before', async () => {
    const h = createHarness();
    expect((await h.submit(newTradeWire())).outcome).toBe('SUCCEEDED');
  });
});
