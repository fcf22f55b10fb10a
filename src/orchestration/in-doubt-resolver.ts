import type { IAPIConnector, OrderRequest, VenueOrder } from '../ports/connector.js';
import type { PlanExecutionConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import { errorMessage } from '../domain/errors.js';
import { transitionOrder } from '../domain/order-status.js';
import type { OrderRecord } from '../domain/trading.js';
import { attemptCall } from './connector-call.js';
import type { ExecutionContext } from './execution-context.js';
import { ExecutionError, ExecutionErrorCode } from './execution-errors.js';
import type { IMetricsCollector } from '../ports/metrics.js';

/**
 * Resolves a submit whose outcome is unknown. The order is IN_DOUBT (ledger row and journal)
 * and is never re-sent blind: the venue is asked by client order id, up to in_doubt.max_checks
 * times, check_interval_ms apart. Found → the venue's real state. Not found while younger than
 * not_found_grace_ms → ask again (the age counts from `sentAtMs`, the latest moment the request can
 * have reached the venue: the end of the attempt whose outcome is unknown, or for a leg recovery
 * resumes, its intent). Not found after the grace → resubmitted with
 * the same client order id if the connector declares idempotent submission, else it was never
 * placed (NOT_FOUND_AT_VENUE). Checks exhausted → IN_DOUBT_UNRESOLVED; nothing loops forever.
 * The checks are not bounded by timeout_seconds: they are reconciliation with their own budget.
 */
export class InDoubtResolver {
  readonly #connector: IAPIConnector;
  readonly #clock: Clock;
  readonly #config: PlanExecutionConfig;
  readonly #metrics: IMetricsCollector;

  constructor(deps: { connector: IAPIConnector; clock: Clock; config: PlanExecutionConfig; metrics: IMetricsCollector }) {
    this.#connector = deps.connector;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#metrics = deps.metrics;
  }

  async resolve(
    ctx: ExecutionContext,
    request: OrderRequest,
    record: OrderRecord,
    sentAtMs: number,
    cause: unknown,
    legInfo: Readonly<Record<string, unknown>>,
  ): Promise<VenueOrder> {
    const { max_checks, check_interval_ms, not_found_grace_ms } = this.#config.in_doubt;
    const coid = request.client_order_id;
    const inDoubt = transitionOrder(record, 'IN_DOUBT', { updated_at: ctx.now() });
    ctx.track(inDoubt);
    ctx.logger.warn({ err: cause, client_order_id: coid }, 'order outcome unknown; resolving with the venue');
    await ctx.write('ORDER_IN_DOUBT', { ...legInfo, cause: errorMessage(cause) });
    try {
      await ctx.applyLedger({ orders: [inDoubt] });
    } catch (error) {
      ctx.logger.error({ err: error, client_order_id: coid }, 'could not mark the order IN_DOUBT in the ledger (the journal has it)');
    }

    let lastSeen = 'no answer';
    let since = sentAtMs;
    for (let check = 0; check < max_checks; check++) {
      if (check > 0) await this.#clock.sleep(check_interval_ms);
      const lookup = await attemptCall(this.#clock, this.#config.attempt_timeout_ms, undefined, (signal) => this.#connector.fetchOrder(coid, request.symbol, { signal }));
      if (lookup.kind !== 'ok') {
        lastSeen = `look-up failed: ${errorMessage(lookup.error)}`;
        ctx.logger.warn({ err: lookup.error, client_order_id: coid, check: check + 1 }, 'in-doubt look-up failed');
        continue;
      }
      if (lookup.value) {
        ctx.logger.info({ client_order_id: coid, status: lookup.value.status, check: check + 1 }, 'in-doubt order found at the venue');
        return lookup.value;
      }
      lastSeen = 'not found';
      const age = this.#clock.now() - since;
      if (age < not_found_grace_ms) continue;
      if (!this.#connector.capabilities.idempotentSubmit) {
        throw new ExecutionError(`order ${coid} not found at the venue ${age} ms after it was sent: it was never placed`, 'NOT_FOUND_AT_VENUE', {
          client_order_id: coid,
          age_ms: age,
        });
      }
      // the venue dedupes by client order id, so sending the same id again cannot make a second order
      await ctx.write('ORDER_INTENT', { ...legInfo, action: 'RESUBMIT', order: request }, { writeAhead: true });
      const resubmit = await attemptCall(this.#clock, this.#config.attempt_timeout_ms, undefined, (signal) => this.#connector.placeOrder(request, { signal }));
      this.#metrics.executionAttempt(resubmit.kind === 'ok' ? 'ok' : resubmit.kind === 'definitive' ? 'rejected' : resubmit.kind);
      if (resubmit.kind === 'ok') return resubmit.value;
      if (resubmit.kind === 'definitive') throw resubmit.error;
      lastSeen = `resubmit failed: ${errorMessage(resubmit.error)}`;
      since = this.#clock.now();
    }
    throw new ExecutionError(`order ${coid} still in doubt after ${max_checks} venue checks (${lastSeen})`, ExecutionErrorCode.IN_DOUBT_UNRESOLVED, {
      client_order_id: coid,
      checks: max_checks,
    });
  }
}
