import type { VenueOrder } from '../../ports/connector.js';
import { errorMessage } from '../../domain/errors.js';
import { clientOrderId } from '../../domain/ids.js';
import { transitionOrder } from '../../domain/order-status.js';
import type { OrderRecord } from '../../domain/trading.js';
import { attemptCall } from '../connector-call.js';
import type { ExecutionContext } from '../execution-context.js';
import { isProtective, isRefusal } from '../protective-orders.js';
import type { ScopeDeps } from '../scopes/scope-types.js';
import { bookFills, closeIfProtectiveFlattened } from '../trade-book.js';
import { orderOf } from './new-trade-entry.js';
import { requestFromWire, type ResumeLeg, type ResumeLegs } from './resume-legs.js';

/**
 * RESUME mode, before the scope runs: the legs whose intent was journaled with nothing after it
 * (the process died between the intent's commit and learning the venue's answer) are looked up at
 * the venue by client order id, once the not-found grace from the intent is over.
 * - The venue has it (resting, filled, or a refusal it reports): left to the executor, which
 *   settles it and never sends it again.
 * - The venue knows no order under that id at all: it never received it. A leg that reduces or
 *   closes exposure is sent again under the same id, as journaled; a leg that adds exposure only
 *   within recovery.resend_within_seconds of the flow's acceptance, else the leg is recorded as
 *   not placed and the flow fails EXPIRED_DURING_OUTAGE. A leg of a trade the ledger holds is sent
 *   here and its result booked onto the trade, as settleUnsettledLegs books a leg found at the
 *   venue, so the scope then sees the ledger as it really is (a CLOSE must not cancel its own
 *   close leg as a live order, protection must not take a PENDING row for a resting order). A
 *   NEW_TRADE's entry (its trade is written with the entry's result) is forgotten instead: the
 *   executor then sends it when the scope places it.
 * - The venue cannot answer: left to the executor's in-doubt rules (IN_DOUBT_UNRESOLVED).
 * A refusal before the crash is not "never received": the venue reports the refused order (the
 * paper venue does), so a refused leg is not sent a second time.
 * Returns the number of legs that will be sent again.
 */
export async function resendUnreceivedLegs(ctx: ExecutionContext, deps: ScopeDeps): Promise<number> {
  const legs = ctx.resume;
  if (!legs?.policy) return 0;
  let resent = 0;
  for (const leg of legs.unconfirmed()) {
    const row = await ctx.readLedger(`order ${leg.clientOrderId}`, () => deps.ledger.getOrder(leg.clientOrderId));
    // no PENDING row beside the intent: the connector is only called after both, so it was never sent (the executor sends it)
    if (row?.status !== 'PENDING') continue;
    const venue = await lookUp(ctx, deps, legs, leg, row);
    if (venue !== 'absent') continue;
    const expired = legs.expiry(row.purpose, leg.leg ?? row.purpose, leg.clientOrderId, ctx.nowMs());
    if (expired) {
      await notPlaced(ctx, row, expired.message);
      throw expired;
    }
    await ctx.write('POLICY_APPLIED', {
      policy: 'recovery.resend_within_seconds',
      value: legs.policy.resendWithinMs / 1000,
      decision: 'resend_unreceived_leg',
      client_order_id: leg.clientOrderId,
      purpose: row.purpose,
      trade_id: row.trade_id,
      flow_age_ms: legs.ageMs(ctx.nowMs()),
    });
    ctx.logger.warn({ client_order_id: leg.clientOrderId, purpose: row.purpose }, 'recovery: the venue never received this leg; it is sent again under the same client order id');
    legs.forget(leg.clientOrderId);
    resent += 1;
    await sendNow(ctx, deps, leg, row);
  }
  return resent;
}

/** Send a forgotten leg of a trade the ledger holds now, and book what it did onto the trade. */
async function sendNow(ctx: ExecutionContext, deps: ScopeDeps, leg: ResumeLeg, row: OrderRecord): Promise<void> {
  const owner = ctx.directiveId;
  // the executor names a leg clientOrderId(owner, leg): only a leg this flow named can be sent under its own id from here
  if (owner === null || leg.leg === null || clientOrderId(owner, leg.leg) !== leg.clientOrderId) return;
  const position = await ctx.readLedger(`trade ${row.trade_id}`, () => deps.ledger.getPosition(row.trade_id));
  if (position?.status !== 'OPEN') return;
  const order = (leg.order ? requestFromWire(leg.order) : null) ?? orderOf(row);
  let sent;
  try {
    sent = await deps.executor.place(ctx, { owner, leg: leg.leg, tradeId: row.trade_id, purpose: row.purpose, order });
  } catch (error) {
    // a refused stop or target is the scope's to handle, as in a first run: its protection step
    // finds the leg REJECTED and books the trade MISSING under on_protection_failure
    if (isProtective(row.purpose) && isRefusal(error)) return;
    throw error;
  }
  const booked = bookFills(position, row.purpose, sent.fills);
  const after = await closeIfProtectiveFlattened(booked.position, sent.record, ctx.now(), () => deps.executor.instrument(ctx, booked.position.symbol));
  await ctx.applyLedger({ positions: [after], orders: [sent.record], fills: sent.fills, anomalies: booked.anomalies });
}

/**
 * The in-doubt rules: "not found" counts only once not_found_grace_ms have passed since the intent;
 * up to max_checks look-ups, one attempt each. 'unknown': the venue could not tell (the executor's
 * in-doubt resolution then takes the leg over).
 */
async function lookUp(ctx: ExecutionContext, deps: ScopeDeps, legs: ResumeLegs, leg: ResumeLeg, row: OrderRecord): Promise<VenueOrder | 'absent' | 'unknown'> {
  const { clock, inDoubt, attemptTimeoutMs } = legs.policy!;
  const wait = leg.intentAtMs + inDoubt.not_found_grace_ms - clock.now();
  if (wait > 0) await clock.sleep(wait, ctx.signal);
  for (let check = 0; check < inDoubt.max_checks; check++) {
    if (check > 0) await clock.sleep(inDoubt.check_interval_ms, ctx.signal);
    const outcome = await attemptCall(clock, attemptTimeoutMs, ctx.signal, (signal) => deps.connector.fetchOrder(leg.clientOrderId, row.symbol, { signal }));
    if (outcome.kind === 'ok') return outcome.value ?? 'absent';
    ctx.logger.warn({ err: outcome.error, client_order_id: leg.clientOrderId, check: check + 1 }, `recovery: look-up of an unconfirmed leg failed: ${errorMessage(outcome.error)}`);
  }
  return 'unknown';
}

/** An adding leg past the window: final in the ledger and the journal, so nothing waits for an order that will never be sent. */
async function notPlaced(ctx: ExecutionContext, row: OrderRecord, reason: string): Promise<void> {
  const gone = transitionOrder(row, 'REJECTED', { reject_reason: reason, updated_at: ctx.now() });
  const result = { status: 'REJECTED', error_code: 'EXPIRED_DURING_OUTAGE', error_message: reason };
  ctx.track(gone);
  ctx.resume?.note(row.client_order_id, result);
  await ctx.write('ORDER_RESULT', { action: 'PLACE', purpose: row.purpose, trade_id: row.trade_id, client_order_id: row.client_order_id, ...result, recovered: true });
  await ctx.applyLedger({ orders: [gone] });
}
