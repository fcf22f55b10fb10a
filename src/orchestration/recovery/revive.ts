import { Decimal, ZERO } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import type { TradeExecutedDTO, TradeExecution } from '../../domain/dto.js';
import type { OrderStatus } from '../../domain/enums.js';
import { isUnknownTradeCode, LedgerError, PlanexecError, RiskDenied, TransientError, UnknownTradeError, VenueRejected } from '../../domain/errors.js';
import { ExecutionError, isExecutionErrorCode } from '../execution-errors.js';

/** The failure a flow was ending with before a crash, as the journal's EXECUTION_FAILED entry has it. */
export interface RecordedFailure {
  readonly error: PlanexecError;
  /** The error class name as first reported. */
  readonly errorType: string;
  /** The message as first reported (with its `line N:` prefix). */
  readonly message: string;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Rebuild the error of an EXECUTION_FAILED entry (its class decides the error policy, its details
 * what the policy does: `after_venue` for a ledger failure), so a resumed flow ends as it was going to.
 */
export function reviveFailure(body: Readonly<Record<string, unknown>>): RecordedFailure {
  const code = text(body['error_code']) ?? 'INTERNAL';
  const message = text(body['error_message']) ?? 'execution failed before a restart';
  const errorType = text(body['error_type']) ?? 'Error';
  const details = record(body['error_details']);
  return { error: errorOf(errorType, code, message, details), errorType, message };
}

function errorOf(errorType: string, code: string, message: string, details: Record<string, unknown>): PlanexecError {
  switch (errorType) {
    case 'VenueRejected':
      return new VenueRejected(message, code, details);
    case 'TransientError':
      return new TransientError(message, code, details);
    case 'RiskDenied':
      return new RiskDenied(message, code, details);
    case 'LedgerError':
      return new LedgerError(message, details);
    case 'UnknownTradeError':
      if (isUnknownTradeCode(code)) return new UnknownTradeError(message, code, details);
      break;
    case 'ExecutionError':
      if (isExecutionErrorCode(code)) return new ExecutionError(message, code, details);
      break;
  }
  return new PlanexecError(message, { code, details });
}

/** TRADE_EXECUTED of a flow whose causality entry was written before the crash (published again: the bus is in-process). */
export function tradeExecutedFromCausality(directive: ExecutionDirective, body: Readonly<Record<string, unknown>>): TradeExecutedDTO {
  const coid = text(body['client_order_id']);
  const orders = Array.isArray(body['orders']) ? body['orders'].map(record) : [];
  const main = orders.find((o) => o['client_order_id'] === coid);
  const decimal = (value: unknown): Decimal | null => (typeof value === 'string' ? new Decimal(value) : null);
  return {
    directive_id: directive.directive_id,
    strategy_id: directive.strategy_id,
    scope: directive.scope,
    execution_time: text(body['executed_at']) ?? '',
    fill_price: decimal(body['fill_price']),
    order_id: text(body['order_id']),
    target_trade_ids: directive.target_trade_ids ?? [],
    client_order_id: coid,
    status: main ? ((text(main['status']) as OrderStatus | null) ?? null) : null,
    filled_quantity: (main ? decimal(main['filled_quantity']) : null) ?? ZERO,
    trade_ids: Array.isArray(body['trade_ids']) ? body['trade_ids'].filter((t): t is string => typeof t === 'string') : [],
    ...executionOf(body['execution']),
  };
}

/** The causality entry's `execution` block as the DTO carries it (decimals back from their wire text). */
function executionOf(value: unknown): { execution?: TradeExecution } {
  if (typeof value !== 'object' || value === null) return {};
  const e = value as Record<string, unknown>;
  const decimal = (v: unknown): Decimal | null => (typeof v === 'string' ? new Decimal(v) : null);
  return {
    execution: {
      style: (text(e['style']) ?? 'SINGLE') as TradeExecution['style'],
      chosen_by: (text(e['chosen_by']) ?? 'default') as TradeExecution['chosen_by'],
      decision_price: decimal(e['decision_price']),
      planned_quantity: decimal(e['planned_quantity']) ?? ZERO,
      filled_quantity: decimal(e['filled_quantity']) ?? ZERO,
      average_fill_price: decimal(e['average_fill_price']),
      child_orders: typeof e['child_orders'] === 'number' ? e['child_orders'] : 0,
      shortfall_bps: decimal(e['shortfall_bps']),
      ended_by: (text(e['ended_by']) ?? 'filled') as TradeExecution['ended_by'],
    },
  };
}
