import type { IAPIConnector, VenueOrder } from '../ports/connector.js';
import type { Clock } from '../domain/clock.js';
import { PlanexecError, VenueRejected } from '../domain/errors.js';
import type { FillRecord, OrderRecord } from '../domain/trading.js';
import type { ExecutionContext } from './execution-context.js';
import { mergeVenueOrder, newFills } from './order-sync.js';
import type { ILedgerProvider } from '../ports/ledger.js';

/** An order after the venue answered: the merged ledger row and the fills new to it (not yet in the ledger). */
export interface LegResult {
  readonly record: OrderRecord;
  readonly venueOrder: VenueOrder | null;
  readonly fills: readonly FillRecord[];
}

/**
 * The venue's view of an order merged into its record, with the fills neither the ledger nor this
 * context holds yet (booked once), journaled as its ORDER_RESULT.
 */
export async function mergeAnswer(
  ctx: ExecutionContext,
  deps: { readonly ledger: ILedgerProvider; readonly connector: IAPIConnector; readonly clock: Clock },
  record: OrderRecord,
  venueOrder: VenueOrder,
  info: Readonly<Record<string, unknown>>,
): Promise<LegResult> {
  const known = new Set((await ctx.readCommitted('fills', () => deps.ledger.listFills({ client_order_id: record.client_order_id }))).map((f) => f.venue_trade_id));
  // this context's own fills may still wait for their commit
  for (const fill of ctx.fillsOf(record.client_order_id)) known.add(fill.venue_trade_id);
  const merged = mergeVenueOrder(record, venueOrder, ctx.now());
  ctx.track(merged);
  const fills = newFills(venueOrder, merged, known, deps.connector.venue, deps.clock.now());
  ctx.trackFills(merged.client_order_id, fills);
  await ctx.write('ORDER_RESULT', { ...info, status: venueOrder.status, order: venueOrder, new_fills: fills });
  return { record: merged, venueOrder, fills };
}

/** A leg the venue answered REJECTED: its final row, then VenueRejected. */
export async function refuseRejected(ctx: ExecutionContext, record: OrderRecord, venueOrder: VenueOrder): Promise<void> {
  if (venueOrder.status !== 'REJECTED') return;
  await recordQuietly(ctx, record);
  throw new VenueRejected(`venue rejected ${record.client_order_id}: ${venueOrder.reject_reason ?? 'no reason given'}`, 'VENUE_REJECTED', {
    client_order_id: record.client_order_id,
  });
}

/** A failed leg's final row: a ledger failure here must not hide the original error. */
export async function recordQuietly(ctx: ExecutionContext, record: OrderRecord): Promise<void> {
  try {
    await ctx.applyLedger({ orders: [record] });
  } catch (error) {
    ctx.logger.error({ err: error, client_order_id: record.client_order_id }, 'could not record the failed order in the ledger');
  }
}

export function codeOf(error: unknown): string {
  return error instanceof PlanexecError ? error.code : 'INTERNAL';
}
