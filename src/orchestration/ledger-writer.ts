import type { Logger } from 'pino';
import type { ErrorHandlingConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import { isoTime } from '../domain/clock.js';
import { toWire } from '../domain/directive.js';
import { errorMessage, LedgerError } from '../domain/errors.js';
import { sendAlert } from './alerting.js';
import type { LedgerWriteContext } from './ledger-write-context.js';
import type { Anomaly, OrderRecord } from '../domain/trading.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { ILedgerProvider, LedgerApplyResult, LedgerChange } from '../ports/ledger.js';
import type { IMetricsCollector } from '../ports/metrics.js';

/**
 * Ledger writes with on_ledger_failure applied. A failure before anything took effect at the
 * venue simply fails the flow (nothing to reconcile). After the venue acted:
 * - continue: record the anomaly (journal ANOMALY + POLICY_APPLIED, metric, warning alert) and go on;
 * - alert_admin / rollback_api: throw LedgerError (details.after_venue = true); the error path
 *   alerts, or compensates at the venue. The venue's state is in the journal's ORDER_RESULT
 *   entries, so recovery can rebuild the ledger either way.
 */
export class LedgerWriter {
  readonly #ledger: ILedgerProvider;
  readonly #policy: ErrorHandlingConfig['on_ledger_failure'];
  readonly #rollsBack: boolean;
  readonly #alerts: IAlertSink;
  readonly #metrics: IMetricsCollector;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onOrders: ((orders: readonly OrderRecord[]) => void) | undefined;

  constructor(deps: {
    ledger: ILedgerProvider;
    policy: ErrorHandlingConfig['on_ledger_failure'];
    /** on_api_failure is rollback_ledger: changes get undo rows while a rollback may still follow. */
    rollsBack: boolean;
    alerts: IAlertSink;
    metrics: IMetricsCollector;
    clock: Clock;
    logger: Logger;
    /** Told of the order rows of each change once it is durable (live views); must not throw. */
    onOrders?: (orders: readonly OrderRecord[]) => void;
  }) {
    this.#ledger = deps.ledger;
    this.#policy = deps.policy;
    this.#rollsBack = deps.rollsBack;
    this.#alerts = deps.alerts;
    this.#metrics = deps.metrics;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#onOrders = deps.onOrders;
  }

  async write(ctx: LedgerWriteContext, change: Omit<LedgerChange, 'directive_id'>): Promise<LedgerApplyResult | null> {
    let result: LedgerApplyResult;
    try {
      result = await this.#ledger.apply({ directive_id: ctx.directiveId, ...change, undo: this.#rollsBack && ctx.rollbackPossible });
    } catch (error) {
      const message = errorMessage(error);
      if (ctx.ledgerTolerant) {
        ctx.logger.error({ err: error }, 'ledger update failed during compensation; the journal has the venue state');
        this.#metrics.anomaly('OTHER');
        await ctx.write('ANOMALY', { kind: 'LEDGER_UPDATE_FAILED', message, change });
        return null;
      }
      if (!ctx.venueActed) {
        throw new LedgerError(`ledger update failed before anything took effect at the venue: ${message}`, { after_venue: false }, error);
      }
      if (this.#policy !== 'continue') {
        throw new LedgerError(`ledger update failed after the venue acted: ${message}`, { after_venue: true, change: toWire(change) }, error);
      }
      ctx.logger.error({ err: error }, 'ledger update failed after the venue acted; continuing (on_ledger_failure=continue)');
      this.#metrics.anomaly('OTHER');
      await ctx.write('ANOMALY', { kind: 'LEDGER_UPDATE_FAILED', message, change });
      await ctx.write('POLICY_APPLIED', { policy: 'on_ledger_failure', value: 'continue', decision: 'record_anomaly_and_continue', error_message: message });
      await sendAlert(this.#alerts, ctx.logger, {
        severity: 'warning',
        code: 'LEDGER_FAILURE',
        message: `ledger update failed after the venue acted; continuing: ${message}`,
        flow_id: ctx.flowId,
        directive_id: ctx.directiveId,
        timestamp: isoTime(this.#clock.now()),
      });
      return null;
    }
    if (change.orders !== undefined && change.orders.length > 0) this.#tellOrders(ctx, change.orders);
    const anomalies = [...(change.anomalies ?? []), ...(result.detected_anomalies ?? [])];
    if (anomalies.length > 0) await this.#raise(ctx, anomalies);
    return result;
  }

  /** An anomaly (overfill, fill of an unknown order) is recorded, counted and alerted — never a crash. */
  async #raise(ctx: LedgerWriteContext, anomalies: readonly Anomaly[]): Promise<void> {
    for (const anomaly of anomalies) {
      this.#metrics.anomaly(anomaly.kind);
      ctx.logger.warn({ kind: anomaly.kind, trade_id: anomaly.trade_id, client_order_id: anomaly.client_order_id }, anomaly.message);
      await ctx.write('ANOMALY', toWire(anomaly) as Record<string, unknown>);
      await sendAlert(this.#alerts, ctx.logger, {
        severity: 'warning',
        code: anomaly.kind,
        message: anomaly.message,
        flow_id: ctx.flowId,
        directive_id: ctx.directiveId,
        details: toWire(anomaly.details) as Record<string, unknown>,
        timestamp: isoTime(this.#clock.now()),
      });
    }
  }

  #tellOrders(ctx: LedgerWriteContext, orders: readonly OrderRecord[]): void {
    try {
      this.#onOrders?.(orders);
    } catch (error) {
      // a live view must never fail a flow whose ledger write succeeded
      ctx.logger.error({ err: error }, 'an order-update listener failed');
    }
  }

  async read<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.#logger.error({ err: error, what }, 'ledger read failed');
      throw new LedgerError(`ledger read failed (${what}): ${errorMessage(error)}`, { after_venue: false, read: what }, error);
    }
  }
}
