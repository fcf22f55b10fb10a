import { describe, expect, it } from 'vitest';
import type { FlowCompletion, FlowRecord } from '../../dashboard/src/api/types.js';
import { failureKind, flowFromCompletion, isFlowCompletion } from '../../dashboard/src/model/flow-outcome.js';

function failed(reason: string, errorType: string, errorCode: string): FlowRecord {
  return {
    flow_id: 'F1',
    directive_id: 'F1',
    strategy_id: 's',
    status: 'FAILED',
    final_state: 'ERROR',
    reason,
    error_details: { error_type: errorType, error_code: errorCode, error_message: reason },
    started_at: '2026-12-02T10:00:00Z',
    completed_at: '2026-12-02T10:00:01Z',
    duration_ms: 1000,
  };
}

describe('failureKind', () => {
  it('tells a denial by the kill switch or by risk apart from a venue rejection', () => {
    expect(failureKind(failed('DENIED: trading state HALTED (maintenance)', 'RiskDenied', 'TRADING_STATE_HALTED'))).toBe('DENIED');
    expect(failureKind(failed('notional over the cap', 'RiskDenied', 'RISK_DENIED'))).toBe('DENIED');
    expect(failureKind(failed('insufficient funds', 'VenueRejected', 'INSUFFICIENT_FUNDS'))).toBe('REJECTED');
    expect(failureKind(failed('entry_plan.limit_price: required', 'ValidationError', 'VALIDATION_FAILED'))).toBe('INVALID');
    expect(failureKind(failed('journal unavailable', 'StorageError', 'STORAGE_FAILED'))).toBe('FAILED');
  });

  it('counts in-doubt flows as failures to watch and successes as none', () => {
    expect(failureKind({ ...failed('x', 'UnknownOutcomeError', 'UNKNOWN_OUTCOME'), status: 'IN_DOUBT' })).toBe('IN_DOUBT');
    expect(failureKind({ ...failed('x', 'x', 'x'), status: 'SUCCEEDED', error_details: null })).toBeNull();
  });
});

describe('flowFromCompletion', () => {
  it('turns a flow_stop event into the record GET /api/flows answers', () => {
    const stop: FlowCompletion = {
      flow_id: 'DIR_1',
      directive_id: 'DIR_1',
      strategy_id: 's',
      completion_time: '2026-12-02T10:00:01Z',
      started_at: '2026-12-02T10:00:00Z',
      duration_ms: 1000,
      reason: 'executed',
      final_state: 'SUCCESS',
      outcome: 'SUCCEEDED',
      error_details: null,
    };
    expect(isFlowCompletion(stop)).toBe(true);
    expect(isFlowCompletion({ flow_id: 'x' })).toBe(false);
    expect(flowFromCompletion(stop)).toEqual({
      flow_id: 'DIR_1',
      directive_id: 'DIR_1',
      strategy_id: 's',
      status: 'SUCCEEDED',
      final_state: 'SUCCESS',
      reason: 'executed',
      error_details: null,
      started_at: '2026-12-02T10:00:00Z',
      completed_at: '2026-12-02T10:00:01Z',
      duration_ms: 1000,
    });
  });
});
