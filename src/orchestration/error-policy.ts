import type { ErrorHandlingConfig } from '../config/schema.js';
import { isoTime, type Clock } from '../domain/clock.js';
import { ZERO, type Decimal } from '../domain/decimal.js';
import type { Direction } from '../domain/enums.js';
import { errorMessage, LedgerError, PlanexecError, RiskDenied, TransientError, UnknownTradeError, ValidationError, VenueRejected } from '../domain/errors.js';
import { closePosition, heldChange, isIncreasingPurpose, oppositeSide } from '../domain/position-math.js';
import type { OrderRecord } from '../domain/trading.js';
import { sendAlert } from './alerting.js';
import { Deadline } from './deadline.js';
import type { ExecutionContext } from './execution-context.js';
import { ExecutionError, ExecutionErrorCode } from './execution-errors.js';
import type { OrderExecutor } from './order-executor.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { ILedgerProvider } from '../ports/ledger.js';
import { bookFills } from './trade-book.js';

/** What kind of failure ended a flow; it decides which policy applies. */
export type FailureKind = 'validation' | 'risk' | 'trade' | 'api' | 'in_doubt' | 'ledger' | 'journal' | 'disabled' | 'internal';

const API_CODES: ReadonlySet<ExecutionErrorCode> = new Set([ExecutionErrorCode.RETRIES_EXHAUSTED, ExecutionErrorCode.NOT_FOUND_AT_VENUE, ExecutionErrorCode.EXECUTION_TIMEOUT, ExecutionErrorCode.MIN_FILL_NOT_REACHED]);

export function classifyFailure(error: PlanexecError): FailureKind {
  if (error instanceof ValidationError) return 'validation';
  if (error instanceof RiskDenied) return 'risk';
  if (error instanceof UnknownTradeError) return 'trade';
  if (error instanceof VenueRejected || error instanceof TransientError) return 'api';
  if (error instanceof LedgerError) return 'ledger';
  if (error instanceof ExecutionError) {
    if (API_CODES.has(error.code)) return 'api';
    if (error.code === ExecutionErrorCode.IN_DOUBT_UNRESOLVED) return 'in_doubt';
    if (error.code === ExecutionErrorCode.JOURNAL_UNAVAILABLE) return 'journal';
    if (error.code === ExecutionErrorCode.ORCHESTRATION_DISABLED) return 'disabled';
  }
  return 'internal';
}

export interface ErrorPolicyDeps {
  readonly config: ErrorHandlingConfig;
  readonly ledger: ILedgerProvider;
  readonly executor: OrderExecutor;
  readonly alerts: IAlertSink;
  readonly clock: Clock;
  /** timeout_seconds: compensation gets a deadline of its own. */
  readonly timeoutSeconds: number;
}

/**
 * The error_handling policies, applied after the error is journaled and before EXECUTION_FAILED:
 * - on_api_failure (a definitive connector failure): rollback_ledger undoes the directive's ledger
 *   changes, but only when nothing it sent took effect at the venue (otherwise the ledger would
 *   stop matching the venue: refused, recorded, critical alert); alert_only alerts; continue records.
 *   Never for an unknown outcome: IN_DOUBT is left for reconciliation, with a critical alert.
 * - on_ledger_failure (the ledger failed after the venue acted): alert_admin alerts; rollback_api
 *   compensates at the venue (cancel the directive's live orders, flatten the exposure it added
 *   with reduce-only MARKET legs X<n>); continue was handled where the write failed.
 * Every decision is journaled as POLICY_APPLIED.
 */
export class ErrorPolicy {
  readonly #deps: ErrorPolicyDeps;

  constructor(deps: ErrorPolicyDeps) {
    this.#deps = deps;
  }

  async apply(ctx: ExecutionContext, error: PlanexecError): Promise<void> {
    switch (classifyFailure(error)) {
      case 'api':
        return this.#apiFailure(ctx, error);
      case 'in_doubt':
        await this.#record(ctx, 'in_doubt', 'reconcile', 'left_in_doubt_for_reconciliation', { error_message: error.message });
        await this.#alert(ctx, 'critical', ExecutionErrorCode.IN_DOUBT_UNRESOLVED, `order outcome still unknown; left IN_DOUBT for reconciliation: ${error.message}`);
        return;
      case 'ledger':
        return this.#ledgerFailure(ctx, error);
      default:
        return;
    }
  }

  async #apiFailure(ctx: ExecutionContext, error: PlanexecError): Promise<void> {
    const value = this.#deps.config.on_api_failure;
    switch (value) {
      case 'rollback_ledger': {
        if (ctx.directiveId === null) return;
        if (ctx.venueActed) {
          await this.#record(ctx, 'on_api_failure', value, 'rollback_refused_venue_acted', { error_message: error.message });
          await this.#alert(
            ctx,
            'critical',
            'ROLLBACK_REFUSED',
            `ledger not rolled back: part of directive ${ctx.directiveId} took effect at the venue before: ${error.message}`,
          );
          return;
        }
        try {
          const rows = await this.#deps.ledger.rollbackDirective(ctx.directiveId);
          await this.#record(ctx, 'on_api_failure', value, 'ledger_rolled_back', { rows, error_message: error.message });
        } catch (rollbackError) {
          await this.#record(ctx, 'on_api_failure', value, 'rollback_failed', { error_message: errorMessage(rollbackError) });
          await this.#alert(ctx, 'critical', 'ROLLBACK_FAILED', `ledger rollback of ${ctx.directiveId} failed: ${errorMessage(rollbackError)}`);
        }
        return;
      }
      case 'alert_only':
        await this.#record(ctx, 'on_api_failure', value, 'alerted', { error_message: error.message });
        await this.#alert(ctx, 'warning', 'API_FAILURE', `execution failed at the venue: ${error.message}`);
        return;
      case 'continue':
        await this.#record(ctx, 'on_api_failure', value, 'recorded_only', { error_message: error.message });
        return;
    }
  }

  async #ledgerFailure(ctx: ExecutionContext, error: PlanexecError): Promise<void> {
    const value = this.#deps.config.on_ledger_failure;
    if (error.details['after_venue'] !== true) {
      await this.#record(ctx, 'on_ledger_failure', value, 'nothing_at_venue', { error_message: error.message });
      if (value === 'alert_admin') await this.#alert(ctx, 'critical', 'LEDGER_FAILURE', `ledger failed before anything was sent: ${error.message}`);
      return;
    }
    switch (value) {
      case 'alert_admin':
        // recovery (src/orchestration/recovery/) restores the trade from the venue at the next start
        await this.#record(ctx, 'on_ledger_failure', value, 'alerted_admin', { error_message: error.message, reconcile_required: true });
        await this.#alert(ctx, 'critical', 'LEDGER_FAILURE', `ledger failed after the venue acted; venue state is in the journal: ${error.message}`);
        return;
      case 'rollback_api': {
        const summary = await this.#compensate(ctx);
        await this.#record(ctx, 'on_ledger_failure', value, 'compensated_at_venue', { ...summary, error_message: error.message });
        await this.#alert(ctx, 'critical', 'LEDGER_FAILURE_COMPENSATED', `ledger failed after the venue acted; venue compensated: ${error.message}`);
        return;
      }
      case 'continue':
        await this.#record(ctx, 'on_ledger_failure', value, 'recorded_only', { error_message: error.message });
        return;
    }
  }

  /** Cancel what the directive left resting; flatten the exposure it added. Reductions are not reversed (that would add risk). */
  async #compensate(ctx: ExecutionContext): Promise<{ cancelled: string[]; flattened: string[]; failed: string[] }> {
    const { executor, clock, timeoutSeconds } = this.#deps;
    const deadline = new Deadline(clock, timeoutSeconds);
    ctx.setSignal(deadline.signal);
    ctx.tolerateLedgerFailures();
    const cancelled: string[] = [];
    const flattened: string[] = [];
    const failed: string[] = [];
    try {
      for (const order of ctx.orders) {
        if (order.status !== 'OPEN' && order.status !== 'PARTIALLY_FILLED' && order.status !== 'IN_DOUBT') continue;
        try {
          await executor.cancel(ctx, order);
          cancelled.push(order.client_order_id);
        } catch (error) {
          failed.push(order.client_order_id);
          ctx.logger.error({ err: error, client_order_id: order.client_order_id }, 'compensation cancel failed');
        }
      }
      const added = new Map<string, { symbol: string; side: Direction; quantity: Decimal }>();
      for (const order of ctx.orders) {
        if (!isIncreasingPurpose(order.purpose) || !order.filled_quantity.gt(0)) continue;
        const prior = added.get(order.trade_id);
        // what the account received: a fee the venue took in the base asset is not there to sell
        const held = ctx.fillsOf(order.client_order_id).reduce((sum, f) => sum.plus(heldChange(order.side, true, f, order.symbol)).minus(f.quantity), order.filled_quantity);
        added.set(order.trade_id, { symbol: order.symbol, side: order.side, quantity: (prior?.quantity ?? ZERO).plus(held) });
      }
      let n = 0;
      for (const [tradeId, exposure] of added) {
        const leg = `X${n++}`;
        try {
          const result = await executor.place(ctx, {
            owner: ctx.directiveId ?? ctx.flowId,
            leg,
            tradeId,
            purpose: 'COMPENSATION',
            order: { symbol: exposure.symbol, side: oppositeSide(exposure.side), order_type: 'MARKET', quantity: exposure.quantity, time_in_force: 'GTC', reduce_only: true },
          });
          flattened.push(result.record.client_order_id);
          await this.#bookCompensation(ctx, tradeId, result.record, result.fills);
        } catch (error) {
          failed.push(`${tradeId}:${leg}`);
          ctx.logger.error({ err: error, trade_id: tradeId }, 'compensation flatten failed');
        }
      }
    } finally {
      await deadline.cancel();
    }
    return { cancelled, flattened, failed };
  }

  async #bookCompensation(ctx: ExecutionContext, tradeId: string, record: OrderRecord, fills: Parameters<typeof bookFills>[2]): Promise<void> {
    let position;
    try {
      position = await this.#deps.ledger.getPosition(tradeId);
    } catch {
      position = undefined;
    }
    if (!position) {
      await ctx.applyLedger({ orders: [record], fills });
      return;
    }
    const booked = bookFills(position, 'COMPENSATION', fills);
    const after = booked.position.filled_size.isZero()
      ? closePosition(booked.position, { exit_price: record.average_fill_price, close_reason: 'COMPENSATION', closed_at: ctx.now(), directive_id: ctx.directiveId })
      : booked.position;
    await ctx.applyLedger({ positions: [after], orders: [record], fills, anomalies: booked.anomalies });
  }

  async #record(ctx: ExecutionContext, policy: string, value: string, decision: string, details: Readonly<Record<string, unknown>>): Promise<void> {
    await ctx.write('POLICY_APPLIED', { policy, value, decision, ...details });
  }

  async #alert(ctx: ExecutionContext, severity: 'warning' | 'critical', code: string, message: string): Promise<void> {
    await sendAlert(this.#deps.alerts, ctx.logger, {
      severity,
      code,
      message,
      flow_id: ctx.flowId,
      directive_id: ctx.directiveId,
      timestamp: isoTime(this.#deps.clock.now()),
    });
  }
}
