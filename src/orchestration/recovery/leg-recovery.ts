import type { IAPIConnector, OrderRequest, VenueOrder } from '../../ports/connector.js';
import type { PlanExecutionConfig } from '../../config/schema.js';
import type { Clock } from '../../domain/clock.js';
import { errorMessage, VenueRejected, type PlanexecError } from '../../domain/errors.js';
import { transitionOrder } from '../../domain/order-status.js';
import type { OrderRecord } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import { ExecutionError, isExecutionErrorCode, isInDoubtUnresolved } from '../execution-errors.js';
import { InDoubtResolver } from '../in-doubt-resolver.js';
import { codeOf, mergeAnswer, recordQuietly, refuseRejected, type LegResult } from '../leg-outcome.js';
import type { LegSpec, PendingMeta, ResumeLookup } from '../order-executor.js';
import { orderRequestOf, pendingOrderRecord } from '../order-sync.js';
import type { ILedgerProvider } from '../../ports/ledger.js';
import type { IMetricsCollector } from '../../ports/metrics.js';
import type { ScopeDeps } from '../scopes/scope-types.js';
import { timeOf } from './new-trade-entry.js';

/** What an interrupted run left of a leg (RESUME mode). */
type PriorLeg =
  | { readonly kind: 'done'; readonly result: LegResult }
  | { readonly kind: 'failed'; readonly error: PlanexecError }
  | { readonly kind: 'unsettled'; readonly row: OrderRecord | undefined; readonly intentAtMs: number };

/** What recovery's scope work needs: the scope handlers' deps and the legs' look-ups. */
export type ResumeDeps = ScopeDeps & { readonly legs: LegRecovery };

const INTERRUPTED = 'planexec stopped before the outcome was recorded (recovery)';

/**
 * The legs of a flow a crash interrupted: looked up at the venue, never sent again blind. The
 * executor asks it (as its ResumeLookup) before it declares a leg of a resumed flow; recovery
 * settles the legs left PENDING / IN_DOUBT with it.
 */
export class LegRecovery implements ResumeLookup {
  readonly #deps: { readonly connector: IAPIConnector; readonly ledger: ILedgerProvider; readonly clock: Clock };
  readonly #resolver: InDoubtResolver;

  constructor(deps: { connector: IAPIConnector; ledger: ILedgerProvider; clock: Clock; config: PlanExecutionConfig; metrics: IMetricsCollector }) {
    this.#deps = deps;
    this.#resolver = new InDoubtResolver({ connector: deps.connector, clock: deps.clock, config: deps.config, metrics: deps.metrics });
  }

  /**
   * A leg an interrupted run may have sent. Final at an earlier run → that result (nothing sent).
   * Left PENDING / IN_DOUBT → looked up at the venue (settle, the in-doubt rules; a connector with
   * idempotent submission gets it resubmitted under the same id). Definitively absent →
   * NOT_FOUND_AT_VENUE: it is not sent again, because a venue that refused it before the crash
   * looks exactly like one that never got it. Undefined: it never left the process; send it.
   */
  async resumeLeg(ctx: ExecutionContext, spec: LegSpec, request: OrderRequest, legInfo: Readonly<Record<string, unknown>>, meta: PendingMeta): Promise<LegResult | undefined> {
    const prior = await this.#prior(ctx, request);
    if (prior === undefined) {
      // never reached the venue: an adding leg is sent only within recovery.resend_within_seconds of the flow's acceptance
      ctx.resume?.admit(spec.purpose, spec.leg, request.client_order_id, ctx.nowMs());
      return undefined;
    }
    if (prior.kind === 'done') return prior.result;
    if (prior.kind === 'failed') throw prior.error;
    const settled = await this.settle(ctx, prior.row ?? pendingOrderRecord(request, meta), prior.intentAtMs, legInfo);
    if (settled.venueOrder) {
      await refuseRejected(ctx, settled.record, settled.venueOrder);
      return settled;
    }
    await recordQuietly(ctx, settled.record);
    throw legFailure(request.client_order_id, ctx.resume?.get(request.client_order_id)?.result ?? null, settled.record.reject_reason);
  }

  /**
   * Find out at the venue what became of a leg an interrupted run left PENDING or IN_DOUBT (the
   * in-doubt rules: look-ups by client order id, not-found grace from the intent, max_checks).
   * Never sends it blind. Not found after the grace: the returned record is REJECTED with no venue
   * order (never placed). Still unknown: throws IN_DOUBT_UNRESOLVED. The fills returned are those
   * the ledger does not hold yet; the caller books them.
   */
  async settle(ctx: ExecutionContext, row: OrderRecord, intentAtMs: number, legInfo?: Readonly<Record<string, unknown>>): Promise<LegResult> {
    const info = { ...(legInfo ?? { action: 'PLACE', purpose: row.purpose, trade_id: row.trade_id, client_order_id: row.client_order_id }), recovered: true };
    ctx.track(row);
    ctx.markSent();
    let venueOrder: VenueOrder;
    try {
      venueOrder = await this.#resolver.resolve(ctx, orderRequestOf(row), row, intentAtMs, INTERRUPTED, info);
    } catch (error) {
      if (isInDoubtUnresolved(error)) throw error;
      const gone = transitionOrder(row, 'REJECTED', { reject_reason: errorMessage(error), updated_at: ctx.now() });
      const result = { status: 'REJECTED', error_code: codeOf(error), error_message: errorMessage(error) };
      ctx.track(gone);
      ctx.resume?.note(row.client_order_id, result);
      await ctx.write('ORDER_RESULT', { ...info, ...result });
      return { record: gone, venueOrder: null, fills: [] };
    }
    return mergeAnswer(ctx, this.#deps, row, venueOrder, info);
  }

  /** What the journal and the ledger know of a leg before it is (re)sent. Undefined: it never reached the venue. */
  async #prior(ctx: ExecutionContext, request: OrderRequest): Promise<PriorLeg | undefined> {
    const coid = request.client_order_id;
    const leg = ctx.resume?.get(coid);
    const row = await ctx.readLedger(`order ${coid}`, () => this.#deps.ledger.getOrder(coid));
    if (row) {
      // a PENDING row with no durable intent: the intent's write failed or was cut off, and the connector is only called after both
      if (row.status === 'PENDING' && !leg) return undefined;
      if (row.status === 'PENDING' || row.status === 'IN_DOUBT') return { kind: 'unsettled', row, intentAtMs: leg?.intentAtMs ?? timeOf(row.created_at) };
      ctx.track(row);
      if (row.status === 'REJECTED') return { kind: 'failed', error: legFailure(coid, leg?.result ?? null, row.reject_reason) };
      ctx.markSent();
      return { kind: 'done', result: { record: row, venueOrder: null, fills: [] } };
    }
    if (!leg) return undefined;
    if (leg.result?.status === 'REJECTED') return { kind: 'failed', error: legFailure(coid, leg.result, null) };
    if (leg.reachedConnector) return { kind: 'unsettled', row: undefined, intentAtMs: leg.intentAtMs };
    // intent journaled, PENDING row never written: the connector is only called after both, so nothing was sent
    return undefined;
  }
}

/** The failure a leg ended with before the crash, raised again so the resumed flow ends as the first run would have. */
function legFailure(coid: string, result: { readonly error_code: string | null; readonly error_message: string | null } | null, reason: string | null): PlanexecError {
  const code = result?.error_code ?? 'VENUE_REJECTED';
  const message = result?.error_message ?? reason ?? `order ${coid} was rejected`;
  const details = { client_order_id: coid, resumed: true };
  return isExecutionErrorCode(code) ? new ExecutionError(message, code, details) : new VenueRejected(message, code, details);
}
