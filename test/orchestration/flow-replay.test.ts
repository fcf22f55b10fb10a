import { describe, expect, it } from 'vitest';
import type { JournalEventType } from '../../src/domain/enums.js';
import { FlowReplayer } from '../../src/orchestration/flow-replay.js';
import type { JournalEntry } from '../../src/ports/journal.js';

const FLOW = 'DIR_20261124_101500_0000abcd';
let seq = 0;
function entry(event_type: JournalEventType, body: Record<string, unknown>, timestamp: string, directive_id: string | null = FLOW): JournalEntry {
  seq += 1;
  return { seq, entry_id: `JRN_${seq}`, event_type, flow_id: FLOW, directive_id, strategy_id: 'btc_momentum', timestamp, correlation_id: FLOW, causation_id: null, body, prev_hash: '', hash: '' };
}

describe('FlowReplayer', () => {
  it('a success keeps its scope’s notes in the reason, and a venue event later journaled under the same flow id does not end the flow again', () => {
    const replayer = new FlowReplayer();
    replayer.apply(entry('DIRECTIVE_ACCEPTED', { directive: {} }, '2026-11-24T10:15:00.000Z'));
    expect(replayer.flows.get(FLOW)).toMatchObject({ status: 'RUNNING', directive_id: FLOW, strategy_id: 'btc_momentum', final_state: null });
    replayer.apply(entry('TRADE_OPENED', { scope: 'NEW_TRADE', notes: ['take profit not placed: none asked'] }, '2026-11-24T10:15:00.250Z'));
    const stopped = { status: 'SUCCEEDED', final_state: 'SUCCESS', reason: 'Execution completed successfully; take profit not placed: none asked', completed_at: '2026-11-24T10:15:00.250Z', duration_ms: 250 };
    expect(replayer.flows.get(FLOW)).toMatchObject(stopped);
    // the stop filled an hour later: the venue event handler journals it under the opening directive's id
    replayer.apply(entry('TRADE_CLOSED', { trade_id: FLOW, close_reason: 'STOP_LOSS', position: {} }, '2026-11-24T11:15:00.000Z', null));
    expect(replayer.flows.get(FLOW)).toMatchObject(stopped);
  });

  it('a failure after the causality entry (a critical subscriber failed) ends the flow FAILED; a kill-switch denial keeps its DENIED reason with the line last', () => {
    const replayer = new FlowReplayer();
    replayer.apply(entry('DIRECTIVE_ACCEPTED', {}, '2026-11-24T10:15:00.000Z'));
    replayer.apply(entry('TRADE_OPENED', { scope: 'NEW_TRADE', notes: [] }, '2026-11-24T10:15:00.100Z'));
    replayer.apply(entry('EXECUTION_FAILED', { error_type: 'BusError', error_code: 'SUBSCRIBER_FAILED', error_message: 'line 3: boom', line: 3 }, '2026-11-24T10:15:00.200Z'));
    expect(replayer.flows.get(FLOW)).toMatchObject({ status: 'FAILED', final_state: 'ERROR', reason: 'Execution failed: line 3: boom', error_details: { error_type: 'BusError', error_code: 'SUBSCRIBER_FAILED', error_message: 'line 3: boom' } });

    const denied = new FlowReplayer();
    denied.apply(entry('DIRECTIVE_ACCEPTED', {}, '2026-11-24T10:15:00.000Z'));
    denied.apply(entry('EXECUTION_FAILED', { error_type: 'RiskDenied', error_code: 'TRADING_STATE_HALTED', error_message: 'line 4: DENIED: trading state HALTED', line: 4 }, '2026-11-24T10:15:00.010Z'));
    expect(denied.flows.get(FLOW)).toMatchObject({ status: 'FAILED', reason: 'DENIED: trading state HALTED (line 4)' });
  });
});
