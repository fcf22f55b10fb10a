import type { ExecutionDirective } from '../../domain/directive.js';
import { RiskDenied, UnknownTradeError } from '../../domain/errors.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { ScopeDeps } from './scope-types.js';

/**
 * Every target must exist, be open and (unless allow_cross_strategy_targets) belong to the
 * directive's strategy; checked for all before anything is sent (all or nothing).
 */
export async function loadOpenTargets(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<Position[]> {
  const scope = directive.scope;
  const positions: Position[] = [];
  for (const tradeId of directive.target_trade_ids ?? []) {
    const position = await ctx.readLedger(`trade ${tradeId}`, () => deps.ledger.getPosition(tradeId));
    if (!position) {
      throw new UnknownTradeError(`${scope}: target trade ${tradeId} not found in the ledger`, 'TRADE_NOT_FOUND', { trade_id: tradeId });
    }
    if (position.status === 'CLOSED') {
      throw new UnknownTradeError(`${scope}: target trade ${tradeId} is already closed (${position.close_reason ?? 'no reason recorded'})`, 'TRADE_ALREADY_CLOSED', {
        trade_id: tradeId,
      });
    }
    checkOwnTrade(directive, position, deps);
    positions.push(position);
  }
  return positions;
}

/** A MODIFY or CLOSE acts only on its own strategy's trades, unless the config allows otherwise. */
export function checkOwnTrade(directive: ExecutionDirective, position: Position, deps: ScopeDeps): void {
  if (deps.allowCrossStrategyTargets === true || position.strategy_id === directive.strategy_id) return;
  throw new RiskDenied(
    `${directive.scope}: target trade ${position.trade_id} belongs to strategy ${position.strategy_id}, not to the directive's strategy ${directive.strategy_id} ` +
      '(orchestration.plan_execution.allow_cross_strategy_targets is false) [foreign_trade]',
    'FOREIGN_TRADE',
    { trade_id: position.trade_id, trade_strategy_id: position.strategy_id, directive_strategy_id: directive.strategy_id },
  );
}
