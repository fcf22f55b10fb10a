import type { Decimal } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import type { OrderType } from '../../domain/enums.js';
import { oppositeSide } from '../../domain/position-math.js';
import type { OrderRecord, Position } from '../../domain/trading.js';
import type { LegSpec } from '../order-executor.js';
import type { EntryTerms } from './resting-entry.js';

/** The order legs a MODIFY sends, named by the directive and the target's index (RP<i>, I<i>, R<i>). */

export function replacementLeg(directive: ExecutionDirective, position: Position, index: number, template: OrderRecord, terms: EntryTerms, quantity: Decimal): LegSpec {
  const hasLimit = terms.order_type === 'LIMIT' || terms.order_type === 'STOP_LIMIT';
  return {
    owner: directive.directive_id,
    leg: `RP${index}`,
    tradeId: position.trade_id,
    purpose: template.purpose,
    order: {
      symbol: position.symbol,
      side: position.direction,
      order_type: terms.order_type as OrderType,
      quantity,
      limit_price: hasLimit ? (terms.limit_price ?? undefined) : undefined,
      stop_price: terms.order_type === 'STOP_LIMIT' ? (terms.stop_price ?? undefined) : undefined,
      // the same order on new terms: it keeps resting as the one it replaces did
      time_in_force: template.time_in_force,
      reduce_only: false,
    },
  };
}

export function increaseLeg(directive: ExecutionDirective, position: Position, index: number, quantity: Decimal, entry: EntryTerms | null): LegSpec {
  const routing = directive.routing_plan ?? {};
  const limited = entry !== null && entry.order_type !== 'MARKET' && entry.limit_price !== null;
  return {
    owner: directive.directive_id,
    leg: `I${index}`,
    tradeId: position.trade_id,
    purpose: 'INCREASE',
    order: {
      symbol: position.symbol,
      side: position.direction,
      order_type: limited ? entry.order_type : 'MARKET',
      quantity,
      limit_price: limited ? (entry.limit_price ?? undefined) : undefined,
      stop_price: limited && entry.order_type === 'STOP_LIMIT' ? (entry.stop_price ?? undefined) : undefined,
      time_in_force: routing.time_in_force ?? 'GTC',
      reduce_only: false,
      max_slippage_pct: routing.max_slippage_pct,
    },
  };
}

export function reduceLeg(directive: ExecutionDirective, position: Position, index: number, delta: Decimal): LegSpec {
  const routing = directive.routing_plan ?? {};
  return {
    owner: directive.directive_id,
    leg: `R${index}`,
    tradeId: position.trade_id,
    purpose: 'REDUCE',
    order: {
      symbol: position.symbol,
      side: oppositeSide(position.direction),
      order_type: 'MARKET',
      quantity: delta.abs(),
      time_in_force: routing.time_in_force ?? 'GTC',
      reduce_only: true,
      max_slippage_pct: routing.max_slippage_pct,
    },
  };
}
