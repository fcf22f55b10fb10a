import { Decimal } from '../../domain/decimal.js';
import type { ExecutionStyleName, StyleChosenBy } from '../../domain/dto.js';
import type { EntryOrderType } from '../../domain/enums.js';
import type { ExecutionStylesConfig } from '../../config/schema.js';

export type ExecutionStyle = ExecutionStyleName;
export type ChunkDistributionName = 'UNIFORM' | 'FRONT_LOADED' | 'BACK_LOADED';

/** The routing_plan fields a style is chosen from (the directive's routing_plan is one). */
export interface StyleRouting {
  readonly execution_urgency?: Decimal;
  readonly visibility_preference?: Decimal;
  readonly max_slippage_pct?: Decimal;
  readonly must_complete_immediately?: boolean;
  readonly max_execution_window_minutes?: number;
  readonly preferred_execution_style?: ExecutionStyle;
  readonly chunk_count_hint?: number;
  readonly chunk_distribution?: ChunkDistributionName;
  readonly min_fill_ratio?: Decimal;
}

/**
 * How a NEW_TRADE's entry is sent. `single` is one order: `MARKET` as asked (today's behaviour),
 * or `MARKETABLE_LIMIT`, a LIMIT IOC at the decision price ± max_slippage_pct.
 */
export type ExecutionChoice =
  | { readonly style: 'SINGLE'; readonly single: 'AS_ASKED' | 'MARKETABLE_LIMIT'; readonly chosenBy: ChosenBy }
  | { readonly style: 'PASSIVE' | 'ICEBERG'; readonly windowMs: number; readonly visibility: Decimal; readonly chosenBy: ChosenBy }
  | { readonly style: 'TWAP'; readonly windowMs: number; readonly chunks: number; readonly distribution: ChunkDistributionName; readonly chosenBy: ChosenBy };

export type ChosenBy = StyleChosenBy;

/** execution_urgency at or above this: one order now. */
export const URGENT_FROM = new Decimal('0.7');
/** execution_urgency below this: PASSIVE. Between the two: a marketable limit within the slippage cap. */
export const PATIENT_BELOW = new Decimal('0.3');

/**
 * The style a NEW_TRADE entry runs with. A named style wins; must_complete_immediately is one
 * immediate order; a LIMIT / STOP_LIMIT entry without a named style is sent as asked (its price
 * already says how patient it is); a MARKET entry's urgency chooses: ≥ 0.7 (or absent) one market
 * order, 0.3 to 0.7 a marketable limit bounded by max_slippage_pct (a market order without one),
 * below 0.3 PASSIVE.
 */
export function chooseExecution(routing: StyleRouting, orderType: EntryOrderType, config: ExecutionStylesConfig): ExecutionChoice {
  const windowMs = (routing.max_execution_window_minutes ?? config.default_window_minutes) * 60_000;
  const visibility = routing.visibility_preference ?? new Decimal(String(config.default_visibility));
  const styled = (style: ExecutionStyle, chosenBy: ChosenBy): ExecutionChoice => {
    switch (style) {
      case 'SINGLE':
        return { style, single: 'AS_ASKED', chosenBy };
      case 'TWAP':
        return { style, windowMs, chunks: routing.chunk_count_hint ?? config.default_chunk_count, distribution: routing.chunk_distribution ?? 'UNIFORM', chosenBy };
      case 'PASSIVE':
      case 'ICEBERG':
        return { style, windowMs, visibility, chosenBy };
    }
  };
  if (routing.preferred_execution_style) return styled(routing.preferred_execution_style, 'preferred');
  if (routing.must_complete_immediately) return { style: 'SINGLE', single: 'AS_ASKED', chosenBy: 'immediate' };
  if (orderType !== 'MARKET') return { style: 'SINGLE', single: 'AS_ASKED', chosenBy: 'order_type' };
  const urgency = routing.execution_urgency;
  if (urgency === undefined || urgency.gte(URGENT_FROM)) return { style: 'SINGLE', single: 'AS_ASKED', chosenBy: urgency === undefined ? 'default' : 'urgency' };
  if (urgency.lt(PATIENT_BELOW)) return styled('PASSIVE', 'urgency');
  return { style: 'SINGLE', single: routing.max_slippage_pct ? 'MARKETABLE_LIMIT' : 'AS_ASKED', chosenBy: 'urgency' };
}

/** The window a directive's entry is meant to work for (0 for one order): a flow that long is not slow. */
export function styleWindowMs(directive: { readonly scope: string; readonly entry_plan?: { readonly order_type: EntryOrderType }; readonly routing_plan?: StyleRouting }, config: ExecutionStylesConfig): number {
  if (directive.scope !== 'NEW_TRADE' || !directive.entry_plan) return 0;
  const choice = chooseExecution(directive.routing_plan ?? {}, directive.entry_plan.order_type, config);
  return choice.style === 'SINGLE' ? 0 : choice.windowMs;
}
