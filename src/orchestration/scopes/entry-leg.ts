import type { OrderRequest } from '../../ports/connector.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import { isInDoubtUnresolved } from '../execution-errors.js';
import type { LegResult } from '../order-executor.js';
import { bookFills } from '../trade-book.js';
import type { ScopeDeps, ScopeOutcome } from './scope-types.js';

export interface EntryLeg {
  /** The trade; its id is the NEW_TRADE's directive id, which also names the legs. */
  readonly position: Position;
  readonly order: Omit<OrderRequest, 'client_order_id'>;
  /** The trade is not in the ledger yet: keep it if the entry ends IN_DOUBT, so later fills have something to attach to. */
  readonly recordTradeIfInDoubt: boolean;
}

/**
 * A NEW_TRADE's entry leg 'E': placed (or, in RESUME mode, looked up), its fills booked onto the
 * trade with the order row in one ledger change, then the protective legs 'SL' / 'TP' when the
 * entry filled. Shared by the first execution and by recovery, so both name and book legs alike.
 */
export async function placeEntryAndProtect(ctx: ExecutionContext, deps: ScopeDeps, entry: EntryLeg): Promise<ScopeOutcome> {
  const tradeId = entry.position.trade_id;
  let position = entry.position;
  let entryLeg: LegResult;
  try {
    entryLeg = await deps.executor.place(ctx, { owner: tradeId, leg: 'E', tradeId, purpose: 'ENTRY', order: entry.order });
  } catch (error) {
    if (entry.recordTradeIfInDoubt && isInDoubtUnresolved(error)) {
      await ctx.applyLedger({ positions: [position] }).catch((e: unknown) => ctx.logger.error({ err: e }, 'could not record the in-doubt trade'));
    }
    throw error;
  }
  const booked = bookFills(position, 'ENTRY', entryLeg.fills);
  position = booked.position;
  await ctx.applyLedger({ positions: [position], orders: [entryLeg.record], fills: entryLeg.fills, anomalies: booked.anomalies });
  const legs: LegResult[] = [entryLeg];
  if (position.status === 'OPEN' && position.filled_size.gt(0) && (position.stop_loss || position.take_profit)) {
    // the names of a first run: in RESUME mode legs already sent are recognised by the executor, never sent twice
    const protective = await deps.protective.reconcile(ctx, position, { owner: tradeId, suffix: '' });
    position = protective.position;
    legs.push(...protective.legs);
  }
  return { positions: [position], primary: entryLeg, legs, tradeIds: [tradeId] };
}
