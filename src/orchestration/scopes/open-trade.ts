import { floorToStep, roundToStep } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import { openPosition } from '../../domain/position-math.js';
import type { ExecutionContext } from '../execution-context.js';
import { placeEntryAndProtect } from './entry-leg.js';
import { reserveNettingDirection } from './netting-guard.js';
import { checkExitSides, checkOrderSize } from './risk-checks.js';
import { MarketData, type ScopeDeps, type ScopeOutcome } from './scope-types.js';

/**
 * NEW_TRADE: one entry leg 'E' (trade_id = directive_id, as the spec says). Amounts are rounded
 * to the instrument's lot and tick before the local checks, so what is checked is what is sent.
 * A filled entry gets its protective legs 'SL' / 'TP' at once; a resting one gets them when it
 * fills (venue events).
 */
export async function openTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  const entry = directive.entry_plan;
  const size = directive.size_plan;
  const routing = directive.routing_plan ?? {};
  if (!entry || !size) throw new TypeError('NEW_TRADE reached execution without entry_plan / size_plan');
  const market = new MarketData(ctx, deps);
  const rules = await market.rules(entry.symbol);
  const quantity = floorToStep(size.position_size, rules.lot_size);
  const limitPrice = entry.limit_price ? roundToStep(entry.limit_price, rules.tick_size) : undefined;
  const stopPrice = entry.stop_price ? roundToStep(entry.stop_price, rules.tick_size) : undefined;
  const stopLoss = directive.exit_plan?.stop_loss_price ? roundToStep(directive.exit_plan.stop_loss_price, rules.tick_size) : null;
  const takeProfit = directive.exit_plan?.take_profit_price ? roundToStep(directive.exit_plan.take_profit_price, rules.tick_size) : null;
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

  return placeEntryAndProtect(ctx, deps, {
    position,
    recordTradeIfInDoubt: true,
    order: {
      symbol: entry.symbol,
      side: entry.direction,
      order_type: entry.order_type,
      quantity,
      limit_price: limitPrice,
      stop_price: stopPrice,
      time_in_force: routing.time_in_force ?? 'GTC',
      reduce_only: false,
      max_slippage_pct: routing.max_slippage_pct,
    },
  }).finally(() => netting.release());
}
