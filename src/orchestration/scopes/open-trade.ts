import type { InstrumentRules } from '../../ports/connector.js';
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Direction, TimeInForce } from '../../domain/enums.js';
import { priceBound, shortfallBps } from '../styles/execution-plan.js';
import { startStyledEntry } from '../styles/start-styled-entry.js';
import { chooseExecution } from '../styles/style-choice.js';
import type { ExecutionSummary } from '../styles/styled-entry.js';
import type { EntryPlan, ExecutionDirective, ExitPlan, SizePlan } from '../../domain/directive.js';
import { openPosition, oppositeSide } from '../../domain/position-math.js';
import type { ExecutionContext } from '../execution-context.js';
import { type Adjustment, AdjustmentLog } from './adjustments.js';
import { placeEntryAndProtect } from './entry-leg.js';
import { reserveNettingDirection } from './netting-guard.js';
import { checkExitSides, checkOrderSize } from './risk-checks.js';
import { checkShortAllowed, priceRounding } from '../venue-rules.js';
import { MarketData, type ScopeDeps, type ScopeOutcome } from './scope-types.js';

/**
 * NEW_TRADE: one entry leg 'E' (trade_id = directive_id, as the spec says). Amounts are rounded
 * to the instrument's lot and tick before the local checks, so what is checked is what is sent.
 * A filled entry gets its protective legs 'SL' / 'TP' at once; a resting one gets them when it
 * fills (venue events). Every amount that rounding changed is listed in the outcome's adjustments.
 */
export async function openTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  const entry = directive.entry_plan;
  const size = directive.size_plan;
  const routing = directive.routing_plan ?? {};
  if (!entry || !size) throw new TypeError('NEW_TRADE reached execution without entry_plan / size_plan');
  checkShortAllowed(deps.connector.capabilities, entry.direction, false, entry.symbol, `NEW_TRADE ${directive.directive_id}`);
  const market = new MarketData(ctx, deps);
  const rules = await market.rules(entry.symbol);
  const { quantity, limitPrice, stopPrice, stopLoss, takeProfit, adjustments } = roundNewTrade(entry, size, directive.exit_plan, rules);
  const reference = limitPrice ?? (await market.referencePrice(entry.symbol));
  checkOrderSize(rules, quantity, reference, `NEW_TRADE ${directive.directive_id}`);
  checkExitSides(entry.direction, reference, stopLoss, takeProfit, `NEW_TRADE ${directive.directive_id}`);

  const tradeId = directive.directive_id;
  const netting = await reserveNettingDirection(ctx, deps, { symbol: entry.symbol, direction: entry.direction, tradeId, what: `NEW_TRADE ${directive.directive_id}` });
  const position = openPosition({
    trade_id: tradeId,
    strategy_id: directive.strategy_id,
    symbol: entry.symbol,
    direction: entry.direction,
    position_size: quantity,
    stop_loss: stopLoss,
    take_profit: takeProfit,
    opened_at: ctx.now(),
    opened_by: directive.directive_id,
  });

  try {
    const choice = deps.styles ? chooseExecution(routing, entry.order_type, deps.styles.config) : null;
    if (deps.styles && choice && choice.style !== 'SINGLE') {
      const outcome = await startStyledEntry(ctx, deps, deps.styles, { directive, choice, quantity, limitPrice, rules, position });
      return { ...outcome, adjustments };
    }
    // max_slippage_pct is hard: a venue that cannot cap a market fill gets a limit at the bound instead
    const uncapped = entry.order_type === 'MARKET' && routing.max_slippage_pct !== undefined && !deps.connector.capabilities.marketSlippageCap;
    const marketable = uncapped || (choice?.style === 'SINGLE' && choice.single === 'MARKETABLE_LIMIT');
    const { timeInForce, adjusted } = immediateTimeInForce(routing.time_in_force, routing.must_complete_immediately === true);
    const bound = marketable ? priceBound(entry.direction, reference, routing.max_slippage_pct, undefined) : null;
    const outcome = await placeEntryAndProtect(ctx, deps, {
      position,
      recordTradeIfInDoubt: true,
      order: {
        symbol: entry.symbol,
        side: entry.direction,
        order_type: bound ? 'LIMIT' : entry.order_type,
        quantity,
        limit_price: bound ?? limitPrice,
        stop_price: stopPrice,
        time_in_force: bound ? 'IOC' : timeInForce,
        reduce_only: false,
        max_slippage_pct: bound ? undefined : routing.max_slippage_pct,
      },
    });
    const decision = entry.order_type === 'MARKET' ? reference : null;
    return { ...outcome, adjustments: [...adjustments, ...adjusted], execution: singleSummary(outcome, decision, entry.direction, choice?.chosenBy ?? 'default', quantity) };
  } finally {
    netting.release();
  }
}

/** must_complete_immediately is hard: IOC unless the plan says FOK; a GTC beside it is used as IOC, and listed. */
function immediateTimeInForce(asked: TimeInForce | undefined, immediate: boolean): { timeInForce: TimeInForce; adjusted: Adjustment[] } {
  if (!immediate) return { timeInForce: asked ?? 'GTC', adjusted: [] };
  if (asked === 'FOK') return { timeInForce: 'FOK', adjusted: [] };
  const adjusted: Adjustment[] = asked === 'GTC' ? [{ field: 'routing_plan.time_in_force', requested: 'GTC', used: 'IOC', rule: 'must_complete_immediately' }] : [];
  return { timeInForce: 'IOC', adjusted };
}

/** One entry order as an execution summary: the shortfall of a MARKET entry against the price it was decided at. */
function singleSummary(outcome: ScopeOutcome, decision: Decimal | null, side: Direction, chosenBy: ExecutionSummary['chosen_by'], planned: Decimal): ExecutionSummary {
  const record = outcome.primary?.record;
  const average = record?.average_fill_price ?? null;
  return {
    style: 'SINGLE',
    chosen_by: chosenBy,
    decision_price: decision,
    planned_quantity: planned,
    filled_quantity: record?.filled_quantity ?? ZERO,
    average_fill_price: average,
    child_orders: record ? 1 : 0,
    shortfall_bps: decision ? shortfallBps(side, decision, average) : null,
    ended_by: record && record.filled_quantity.gte(planned) ? 'filled' : 'schedule',
  };
}

export interface RoundedNewTrade {
  readonly quantity: Decimal;
  readonly limitPrice: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly stopLoss: Decimal | null;
  readonly takeProfit: Decimal | null;
  readonly adjustments: readonly Adjustment[];
}

/** A NEW_TRADE's amounts on the instrument's grid (size floored to the lot, prices to the tick), and what that changed. */
export function roundNewTrade(entry: EntryPlan, size: SizePlan, exit: ExitPlan | undefined, rules: InstrumentRules): RoundedNewTrade {
  const log = new AdjustmentLog();
  const quantity = log.lot('size_plan.position_size', size.position_size, rules);
  const exitSide = oppositeSide(entry.direction);
  const limitPrice = log.tickOrNull('entry_plan.limit_price', entry.limit_price, rules, priceRounding('limit_price', entry.direction, false)) ?? undefined;
  const stopPrice = log.tickOrNull('entry_plan.stop_price', entry.stop_price, rules, priceRounding('stop_price', entry.direction, false)) ?? undefined;
  // the exits are reduce-only orders on the other side: rounded as those legs will be sent
  const stopLoss = log.tickOrNull('exit_plan.stop_loss_price', exit?.stop_loss_price, rules, priceRounding('stop_price', exitSide, true));
  const takeProfit = log.tickOrNull('exit_plan.take_profit_price', exit?.take_profit_price, rules, priceRounding('limit_price', exitSide, true));
  return { quantity, limitPrice, stopPrice, stopLoss, takeProfit, adjustments: log.entries };
}
