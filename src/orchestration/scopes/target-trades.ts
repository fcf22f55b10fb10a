import { UnknownTradeError } from '../../domain/errors.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { ScopeDeps } from './scope-types.js';

/** Every target must exist and be open; checked for all before anything is sent (all or nothing). */
export async function loadOpenTargets(ctx: ExecutionContext, tradeIds: readonly string[], deps: ScopeDeps, scope: string): Promise<Position[]> {
  const positions: Position[] = [];
  for (const tradeId of tradeIds) {
    const position = await ctx.readLedger(`trade ${tradeId}`, () => deps.ledger.getPosition(tradeId));
    if (!position) {
      throw new UnknownTradeError(`${scope}: target trade ${tradeId} not found in the ledger`, 'TRADE_NOT_FOUND', { trade_id: tradeId });
    }
    if (position.status === 'CLOSED') {
      throw new UnknownTradeError(`${scope}: target trade ${tradeId} is already closed (${position.close_reason ?? 'no reason recorded'})`, 'TRADE_ALREADY_CLOSED', {
        trade_id: tradeId,
      });
    }
    positions.push(position);
  }
  return positions;
}
