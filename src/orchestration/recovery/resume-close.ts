import type { ExecutionDirective } from '../../domain/directive.js';
import { UnknownTradeError } from '../../domain/errors.js';
import { clientOrderId } from '../../domain/ids.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { LegResult } from '../order-executor.js';
import type { ScopeDeps, ScopeOutcome } from '../scopes/scope-types.js';
import { closeOneTrade } from '../scopes/close-trade.js';

/**
 * CLOSE_EXISTING in RESUME mode: closeTrade's steps, except that a target this directive already
 * closed (the crash came after) is done rather than TRADE_ALREADY_CLOSED, and a target its close
 * leg already flattened is closed at that leg's price. Leg names stay C<index of the target>.
 */
export async function resumeClose(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  const ids = directive.target_trade_ids ?? [];
  const targets: Position[] = [];
  for (const tradeId of ids) {
    const position = await ctx.readLedger(`trade ${tradeId}`, () => deps.ledger.getPosition(tradeId));
    if (!position) throw new UnknownTradeError(`CLOSE_EXISTING: target trade ${tradeId} not found in the ledger`, 'TRADE_NOT_FOUND', { trade_id: tradeId });
    if (position.status === 'CLOSED' && position.last_directive_id !== directive.directive_id) {
      throw new UnknownTradeError(`CLOSE_EXISTING: target trade ${tradeId} is already closed (${position.close_reason ?? 'no reason recorded'})`, 'TRADE_ALREADY_CLOSED', {
        trade_id: tradeId,
      });
    }
    targets.push(position);
  }
  const positions: Position[] = [];
  const legs: LegResult[] = [];
  let primary: LegResult | null = null;
  for (const [index, target] of targets.entries()) {
    if (target.status === 'CLOSED') {
      const closeId = clientOrderId(directive.directive_id, `C${index}`);
      const closeRow = await ctx.readLedger(`order ${closeId}`, () => deps.ledger.getOrder(closeId));
      if (closeRow) {
        const leg: LegResult = { record: closeRow, venueOrder: null, fills: [] };
        primary ??= leg;
        legs.push(leg);
      }
      positions.push(target);
      continue;
    }
    const closed = await closeOneTrade(ctx, directive, deps, target, index);
    if (closed.closeLeg) primary ??= closed.closeLeg;
    legs.push(...closed.legs);
    positions.push(closed.position);
  }
  return { positions, primary, legs, tradeIds: targets.map((p) => p.trade_id) };
}
