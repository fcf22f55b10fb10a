import type { FlowCompletion, FlowRecord } from '../api/types.js';

/**
 * Why a flow failed, as the dashboard tells them apart: DENIED is planexec refusing (kill switch,
 * pre-trade risk), REJECTED is the venue refusing, IN_DOUBT is an unknown outcome still being
 * resolved. Denied is never shown as rejected.
 */
export type FailureKind = 'DENIED' | 'REJECTED' | 'IN_DOUBT' | 'INVALID' | 'FAILED';

export function failureKind(flow: FlowRecord): FailureKind | null {
  if (flow.status === 'IN_DOUBT') return 'IN_DOUBT';
  if (flow.status !== 'FAILED') return null;
  const details = flow.error_details;
  if ((flow.reason ?? '').startsWith('DENIED') || details?.error_type === 'RiskDenied' || (details?.error_code ?? '').startsWith('TRADING_STATE_')) return 'DENIED';
  if (details?.error_type === 'VenueRejected') return 'REJECTED';
  if (details?.error_type === 'ValidationError') return 'INVALID';
  return 'FAILED';
}

/** A `flow_stop` event as the flow record GET /api/flows would now answer. */
export function flowFromCompletion(stop: FlowCompletion): FlowRecord {
  return {
    flow_id: stop.flow_id,
    directive_id: stop.directive_id,
    strategy_id: stop.strategy_id,
    status: stop.outcome,
    final_state: stop.final_state,
    reason: stop.reason,
    error_details: stop.error_details,
    started_at: stop.started_at,
    completed_at: stop.completion_time,
    duration_ms: stop.duration_ms,
  };
}

export function isFlowCompletion(value: unknown): value is FlowCompletion {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['flow_id'] === 'string' && typeof record['outcome'] === 'string' && typeof record['completion_time'] === 'string';
}
