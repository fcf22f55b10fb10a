import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BeginFlowResult, IFlowStore } from '../../../src/ports/flow-store.js';
import type { IJournalWriter } from '../../../src/ports/journal.js';
import { completion, journalInput } from './builders.js';

export interface FlowStoreFixture {
  readonly flows: IFlowStore;
  /** The journal `begin` writes its accepted entry to. */
  readonly journal: IJournalWriter;
  close(): Promise<void>;
}

const T0 = '2026-11-24T10:15:00.000Z';

function flowOf(id: string, startedAt = T0): { flow_id: string; directive_id: string; strategy_id: string; started_at: string } {
  return { flow_id: id, directive_id: id, strategy_id: 'btc_momentum', started_at: startedAt };
}

function accepted(id: string) {
  return journalInput({ event_type: 'DIRECTIVE_ACCEPTED', flow_id: id, directive_id: id, correlation_id: id, body: { scope: 'NEW_TRADE' } });
}

/** Behaviour every IFlowStore must have. `factory` gives a fresh, empty store each time. */
export function describeFlowStoreContract(name: string, factory: () => Promise<FlowStoreFixture>): void {
  describe(`IFlowStore contract: ${name}`, () => {
    let fixture: FlowStoreFixture;
    let flows: IFlowStore;

    beforeEach(async () => {
      fixture = await factory();
      flows = fixture.flows;
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('begins a flow: a RUNNING row and its accepted entry in the journal', async () => {
      const result = await flows.begin(flowOf('F1'), accepted('F1'));
      expect(result.status).toBe('started');
      const started = result as Extract<BeginFlowResult, { status: 'started' }>;
      await started.durable;
      const entries = await fixture.journal.read({ flow_id: 'F1' });
      expect(entries).toMatchObject([{ seq: 1, event_type: 'DIRECTIVE_ACCEPTED', flow_id: 'F1', entry_id: started.entry_id }]);
      expect(await flows.get('F1')).toEqual({
        flow_id: 'F1',
        directive_id: 'F1',
        strategy_id: 'btc_momentum',
        status: 'RUNNING',
        final_state: null,
        reason: null,
        error_details: null,
        started_at: T0,
        completed_at: null,
        duration_ms: null,
      });
    });

    it('answers duplicate for a flow id it has seen, without journaling again', async () => {
      await flows.begin(flowOf('F2'), accepted('F2'));
      await flows.finish(completion({ flow_id: 'F2' }));
      const again = await flows.begin(flowOf('F2', '2026-11-25T00:00:00.000Z'), accepted('F2'));
      expect(again).toMatchObject({ status: 'duplicate', flow: { flow_id: 'F2', status: 'SUCCEEDED', started_at: T0 } });
      expect(await fixture.journal.read({ flow_id: 'F2' })).toHaveLength(1);
    });

    it('starts exactly one of many concurrent begins of the same flow id', async () => {
      const results = await Promise.all(Array.from({ length: 25 }, () => flows.begin(flowOf('F3'), accepted('F3'))));
      expect(results.filter((r) => r.status === 'started')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(24);
      await Promise.all(results.map((r) => (r.status === 'started' ? r.durable : undefined)));
      expect(await fixture.journal.read({ flow_id: 'F3' })).toHaveLength(1);
      expect((await fixture.journal.verify()).ok).toBe(true);
    });

    it('records how a flow finished', async () => {
      await flows.begin(flowOf('F4'), accepted('F4'));
      const done = completion({
        flow_id: 'F4',
        final_state: 'ERROR',
        outcome: 'FAILED',
        reason: 'venue rejected: insufficient balance',
        duration_ms: 87,
        completion_time: '2026-11-24T10:15:00.087Z',
        error_details: { error_type: 'VenueRejected', error_code: 'INSUFFICIENT_FUNDS', error_message: 'balance 3 < 975' },
      });
      await flows.finish(done);
      expect(await flows.get('F4')).toEqual({
        flow_id: 'F4',
        directive_id: 'F4',
        strategy_id: 'btc_momentum',
        status: 'FAILED',
        final_state: 'ERROR',
        reason: 'venue rejected: insufficient balance',
        error_details: done.error_details,
        started_at: T0,
        completed_at: '2026-11-24T10:15:00.087Z',
        duration_ms: 87,
      });
    });

    it('keeps the first outcome when a flow is finished twice, without throwing', async () => {
      await flows.begin(flowOf('F5'), accepted('F5'));
      await flows.finish(completion({ flow_id: 'F5', outcome: 'IN_DOUBT', final_state: 'ERROR', reason: 'timeout after send' }));
      await expect(flows.finish(completion({ flow_id: 'F5', outcome: 'SUCCEEDED', final_state: 'SUCCESS', reason: 'late' }))).resolves.toBeUndefined();
      expect(await flows.get('F5')).toMatchObject({ status: 'IN_DOUBT', final_state: 'ERROR', reason: 'timeout after send' });
    });

    it('lists the flows begun and never finished, oldest first', async () => {
      await flows.begin(flowOf('FB', '2026-11-24T10:15:02.000Z'), accepted('FB'));
      await flows.begin(flowOf('FA', '2026-11-24T10:15:01.000Z'), accepted('FA'));
      await flows.begin(flowOf('FC', '2026-11-24T10:15:03.000Z'), accepted('FC'));
      await flows.finish(completion({ flow_id: 'FC' }));
      expect((await flows.listUnfinished()).map((f) => f.flow_id)).toEqual(['FA', 'FB']);
    });

    it('lists flows newest first, filtered by status, strategy and start time, a page after a given flow', async () => {
      const at = (second: number) => `2026-11-24T10:15:0${second}.000Z`;
      await flows.begin(flowOf('L1', at(1)), accepted('L1'));
      await flows.begin({ ...flowOf('L2', at(2)), strategy_id: 'eth_swing' }, accepted('L2'));
      await flows.begin(flowOf('L3', at(3)), accepted('L3'));
      await flows.begin(flowOf('L4', at(3)), accepted('L4'));
      await flows.finish(completion({ flow_id: 'L1', started_at: at(1), outcome: 'FAILED', final_state: 'ERROR' }));
      const ids = async (filter: Parameters<IFlowStore['list']>[0]) => (await flows.list(filter)).map((f) => f.flow_id);
      expect(await ids({ limit: 10 })).toEqual(['L4', 'L3', 'L2', 'L1']);
      expect(await ids({ limit: 2 })).toEqual(['L4', 'L3']);
      expect(await ids({ limit: 10, before: { started_at: at(3), flow_id: 'L3' } })).toEqual(['L2', 'L1']);
      expect(await ids({ limit: 10, status: 'FAILED' })).toEqual(['L1']);
      expect(await ids({ limit: 10, status: 'RUNNING', strategy_id: 'btc_momentum' })).toEqual(['L4', 'L3']);
      expect(await ids({ limit: 10, since: at(2) })).toEqual(['L4', 'L3', 'L2']);
    });

    it('counts flows by status, zeros included', async () => {
      expect(await flows.counts()).toEqual({ RUNNING: 0, SUCCEEDED: 0, FAILED: 0, IN_DOUBT: 0 });
      for (const id of ['C1', 'C2', 'C3', 'C4']) await flows.begin(flowOf(id), accepted(id));
      await flows.finish(completion({ flow_id: 'C1' }));
      await flows.finish(completion({ flow_id: 'C2', outcome: 'FAILED', final_state: 'ERROR' }));
      await flows.finish(completion({ flow_id: 'C3', outcome: 'IN_DOUBT', final_state: 'ERROR' }));
      expect(await flows.counts()).toEqual({ RUNNING: 1, SUCCEEDED: 1, FAILED: 1, IN_DOUBT: 1 });
    });

    it('returns undefined for a flow it does not know', async () => {
      expect(await flows.get('nope')).toBeUndefined();
    });

    it('records a finish for a flow that never began rather than losing it', async () => {
      await flows.finish(completion({ flow_id: 'INV_abc', directive_id: null, strategy_id: null, outcome: 'FAILED', final_state: 'ERROR' }));
      expect(await flows.get('INV_abc')).toMatchObject({ status: 'FAILED', directive_id: null, started_at: T0 });
      expect(await flows.listUnfinished()).toEqual([]);
    });

    it('begins flows without a directive (input that was not a valid directive)', async () => {
      const id = 'INV_0123456789abcdef01234567';
      const result = await flows.begin(
        { flow_id: id, directive_id: null, strategy_id: null, started_at: T0 },
        journalInput({ event_type: 'EXECUTION_FAILED', flow_id: id, directive_id: null, strategy_id: null, correlation_id: id, body: { line: 3 } }),
      );
      expect(result.status).toBe('started');
      expect(await flows.get(id)).toMatchObject({ directive_id: null, strategy_id: null, status: 'RUNNING' });
      if (result.status === 'started') await result.durable;
      expect(await flows.get(id)).toMatchObject({ directive_id: null, strategy_id: null, status: 'RUNNING' });
    });

    it('answers duplicate for a flow id whose begin is not committed yet, and makes the first begin durable', async () => {
      const first = await flows.begin(flowOf('F5'), accepted('F5'));
      const second = await flows.begin(flowOf('F5'), accepted('F5'));
      expect(second).toMatchObject({ status: 'duplicate', flow: { flow_id: 'F5', status: 'RUNNING' } });
      if (first.status !== 'started') throw new Error('the first begin must start the flow');
      await first.durable;
      expect(await fixture.journal.read({ flow_id: 'F5' })).toMatchObject([{ event_type: 'DIRECTIVE_ACCEPTED', entry_id: first.entry_id }]);
    });
  });
}
