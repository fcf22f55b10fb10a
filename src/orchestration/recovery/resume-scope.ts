import type { ExecutionDirective } from '../../domain/directive.js';
import type { ExecutionContext } from '../execution-context.js';
import { modifyTrade } from '../scopes/modify-trade.js';
import { openTrade, roundNewTrade } from '../scopes/open-trade.js';
import { placeEntryAndProtect } from '../scopes/entry-leg.js';
import { MarketData, type ScopeDeps, type ScopeOutcome } from '../scopes/scope-types.js';
import { bookFills, closeIfProtectiveFlattened } from '../trade-book.js';
import type { ResumeDeps } from './leg-recovery.js';
import { freshTrade, sentEntry, timeOf } from './new-trade-entry.js';
import { resumeClose } from './resume-close.js';
import { resendUnreceivedLegs } from './unreceived-legs.js';

/**
 * RESUME mode: finish what an interrupted flow started, sending only what it never sent. First
 * the legs journaled with nothing after them are looked up: those the venue never received are
 * sent again under their own ids (reducing legs always, adding legs within
 * recovery.resend_within_seconds, else EXPIRED_DURING_OUTAGE); then the flow's legs left
 * PENDING / IN_DOUBT are settled with the venue and their fills booked once onto their trades; then the scope runs again on the ledger as it now is, with the executor in
 * RESUME mode (ctx.resume), so a leg that was sent is looked up, never sent again.
 * NEW_TRADE and CLOSE_EXISTING have resume-aware variants (a fresh trade must not be rebuilt from
 * nothing; a target this directive already closed is done); MODIFY_EXISTING sizes are absolute,
 * so running it again sends only what is still missing.
 */
export async function resumeScope(ctx: ExecutionContext, directive: ExecutionDirective, deps: ResumeDeps): Promise<ScopeOutcome> {
  await resendUnreceivedLegs(ctx, deps);
  await settleUnsettledLegs(ctx, directive.directive_id, deps);
  switch (directive.scope) {
    case 'NEW_TRADE':
      // entry never sent: a first execution (openTrade, risk checks and all)
      return (await continueOpen(ctx, directive, deps)) ?? openTrade(ctx, directive, deps);
    case 'MODIFY_EXISTING':
      return modifyTrade(ctx, directive, deps);
    case 'CLOSE_EXISTING':
      return resumeClose(ctx, directive, deps);
  }
}

/** Settle the directive's legs left PENDING or IN_DOUBT whose trade the ledger holds, and book what filled (once). */
export async function settleUnsettledLegs(ctx: ExecutionContext, directiveId: string, deps: ResumeDeps): Promise<number> {
  const rows = await ctx.readLedger('unsettled orders', () => deps.ledger.listOrders({ directive_id: directiveId, statuses: ['PENDING', 'IN_DOUBT'] }));
  let settled = 0;
  for (const row of rows) {
    const position = await ctx.readLedger(`trade ${row.trade_id}`, () => deps.ledger.getPosition(row.trade_id));
    // an entry whose trade was never written: resumeOpen settles it with the trade it creates
    if (!position) continue;
    // PENDING with no durable intent (or one the venue never received): never sent; the scope sends it
    if (row.status === 'PENDING' && !ctx.resume?.get(row.client_order_id)) continue;
    const leg = await deps.legs.settle(ctx, row, ctx.resume?.get(row.client_order_id)?.intentAtMs ?? timeOf(row.created_at));
    const booked = bookFills(position, row.purpose, leg.fills);
    const after = await closeIfProtectiveFlattened(booked.position, leg.record, ctx.now(), () => deps.executor.instrument(ctx, booked.position.symbol));
    await ctx.applyLedger({ positions: [after], orders: [leg.record], fills: leg.fills, anomalies: booked.anomalies });
    settled += 1;
  }
  return settled;
}

/**
 * NEW_TRADE whose entry was sent before a crash (null when it never was). The trade is the
 * ledger's or, if it was never written, a fresh one from the entry as journaled; the entry leg is
 * looked up at the venue instead of sent and its fills booked once; then the protective legs
 * still missing are placed (under the names of a first run).
 */
export async function continueOpen(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome | null> {
  const tradeId = directive.directive_id;
  const existing = await ctx.readLedger(`trade ${tradeId}`, () => deps.ledger.getPosition(tradeId));
  const order = await sentEntry(ctx, directive, deps);
  if (!order) return null;
  const position = existing ?? (await freshTrade(ctx, directive, deps, order));
  const outcome = await placeEntryAndProtect(ctx, deps, { position, order, recordTradeIfInDoubt: !existing });
  return { ...outcome, adjustments: await newTradeAdjustments(ctx, directive, deps) };
}

/** The roundings the first run made, for the causality entry; the legs are done, so a failed read only leaves them out. */
async function newTradeAdjustments(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome['adjustments']> {
  const { entry_plan: entry, size_plan: size } = directive;
  if (!entry || !size) return [];
  try {
    return roundNewTrade(entry, size, directive.exit_plan, await new MarketData(ctx, deps).rules(entry.symbol)).adjustments;
  } catch (error) {
    ctx.logger.warn({ err: error }, 'recovery: instrument rules unavailable; the causality entry lists no adjustments');
    return undefined;
  }
}
