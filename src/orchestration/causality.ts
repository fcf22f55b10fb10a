import { ZERO } from '../domain/decimal.js';
import type { ExecutionDirective } from '../domain/directive.js';
import type { TradeExecutedDTO } from '../domain/dto.js';
import { SCOPE_EVENT_TYPE } from '../domain/enums.js';
import type { ScopeOutcome } from './scopes/scope-types.js';

/**
 * The one causality entry of a successful directive: every field the spec's _log_execution lists
 * (event_type, directive_id, strategy_id, timestamp, trigger_context, the four plans, order_result,
 * fill_price, order_id, position, rationale) plus the legs sent and the trades touched.
 * `timestamp` is the directive's, as in the spec; the entry's own time is the journal's.
 * `adjustments` lists every requested price or size used in another form (rounded to the lot /
 * tick), `notes` what a plan did not change and why.
 */
export function causalityBody(directive: ExecutionDirective, outcome: ScopeOutcome, executedAt: string): Record<string, unknown> {
  const primary = outcome.primary;
  // what a reader scans for first (the `journal` table shows the leading plain fields)
  return {
    event_type: SCOPE_EVENT_TYPE[directive.scope],
    directive_id: directive.directive_id,
    strategy_id: directive.strategy_id,
    scope: directive.scope,
    rationale: directive.rationale ?? null,
    fill_price: outcome.execution && outcome.execution.style !== 'SINGLE' ? outcome.execution.average_fill_price : (primary?.record.average_fill_price ?? null),
    executed_at: executedAt,
    timestamp: directive.timestamp,
    trade_ids: outcome.tradeIds,
    target_trade_ids: directive.target_trade_ids ?? [],
    order_id: primary?.record.venue_order_id ?? null,
    client_order_id: primary?.record.client_order_id ?? null,
    trigger_context: directive.trigger_context ?? null,
    entry_plan: directive.entry_plan ?? null,
    size_plan: directive.size_plan ?? null,
    exit_plan: directive.exit_plan ?? null,
    routing_plan: directive.routing_plan ?? null,
    order_result: primary?.venueOrder ?? null,
    position: outcome.positions.length === 1 ? outcome.positions[0] : outcome.positions,
    orders: outcome.legs.map((leg) => ({
      client_order_id: leg.record.client_order_id,
      purpose: leg.record.purpose,
      status: leg.record.status,
      venue_order_id: leg.record.venue_order_id,
      filled_quantity: leg.record.filled_quantity,
      average_fill_price: leg.record.average_fill_price,
    })),
    adjustments: outcome.adjustments ?? [],
    notes: outcome.notes ?? [],
    ...(outcome.execution ? { execution: outcome.execution } : {}),
  };
}

/** The flow's stop reason: the spec's, plus what the scope said it did not do. */
export function successReason(outcome: ScopeOutcome): string {
  return successReasonWith(outcome.notes ?? []);
}

/** The notes a journaled causality entry records (none when absent). */
export function recordedNotes(body: Readonly<Record<string, unknown>> | undefined): string[] {
  const notes = body?.['notes'];
  return Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [];
}

/** The stop reason of a success whose scope left these notes (also how the journal replay rebuilds it). */
export function successReasonWith(notes: readonly string[]): string {
  return notes.length === 0 ? 'Execution completed successfully' : `Execution completed successfully; ${notes.join('; ')}`;
}

export function tradeExecuted(directive: ExecutionDirective, outcome: ScopeOutcome, executedAt: string): TradeExecutedDTO {
  const primary = outcome.primary?.record ?? null;
  const execution = outcome.execution;
  // a styled entry has no one main order: its children together are what filled
  const styled = execution && execution.style !== 'SINGLE' ? execution : null;
  return {
    directive_id: directive.directive_id,
    strategy_id: directive.strategy_id,
    scope: directive.scope,
    execution_time: executedAt,
    fill_price: styled ? styled.average_fill_price : (primary?.average_fill_price ?? null),
    order_id: primary?.venue_order_id ?? null,
    target_trade_ids: directive.target_trade_ids ?? [],
    client_order_id: primary?.client_order_id ?? null,
    status: primary?.status ?? null,
    filled_quantity: styled ? styled.filled_quantity : (primary?.filled_quantity ?? ZERO),
    trade_ids: outcome.tradeIds,
    adjustments: outcome.adjustments ?? [],
    ...(execution ? { execution } : {}),
  };
}
