import type { Logger } from 'pino';
import type { ExecutionReport, IAPIConnector, VenueOrder } from '../ports/connector.js';
import type { PlanExecutionConfig } from '../config/schema.js';
import { isoTime, type Clock } from '../domain/clock.js';
import { toWire } from '../domain/directive.js';
import { errorMessage } from '../domain/errors.js';
import { ExecutionErrorCode, hasExecutionCode } from './execution-errors.js';
import { closePosition, isIncreasingPurpose } from '../domain/position-math.js';
import type { Anomaly, OrderRecord, Position } from '../domain/trading.js';
import { sendAlert } from './alerting.js';
import { Deadline } from './deadline.js';
import type { ExecutionContext, ExecutionContextInit } from './execution-context.js';
import type { FlowRunner } from './flow-runner.js';
import { fillRecord, mergeVenueOrder } from './order-sync.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { ILedgerProvider } from '../ports/ledger.js';
import type { IMetricsCollector } from '../ports/metrics.js';
import { isProtective, type ProtectiveNaming, type ProtectiveOrders } from './protective-orders.js';
import { bookFills, onlyDustHeld } from './trade-book.js';

/** Queue key of venue reports whose trade is unknown (they still run one at a time). */
const UNOWNED = '\u0000venue';

export interface VenueEventHandlerDeps {
  readonly connector: IAPIConnector;
  readonly ledger: ILedgerProvider;
  readonly runner: FlowRunner;
  readonly protective: ProtectiveOrders;
  readonly config: PlanExecutionConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerts: IAlertSink;
  readonly metrics: IMetricsCollector;
  readonly makeContext: (init: ExecutionContextInit) => ExecutionContext;
}

/**
 * Applies what the venue reports on its own (a resting entry filled, a protective stop
 * triggered). Each report runs on its trade's strategy queue, so it never interleaves with a
 * directive of that strategy. New fills are booked (the ledger dedupes by venue trade id), the
 * order row and the trade updated; a filled entry gets its protective legs (or has them resized);
 * a stop loss or take profit that flattens the trade closes it ('STOP_LOSS' / 'TAKE_PROFIT') and
 * cancels its sibling (OCO). Entries are journaled with correlation_id = the opening directive.
 * These are not directive flows: no stop events.
 */
export class VenueEventHandler {
  readonly #deps: VenueEventHandlerDeps;
  readonly #unsubscribe: () => void;
  /** Look-ups run one after another so reports reach the queues in arrival order. */
  #intake: Promise<void> = Promise.resolve();
  readonly #inflight = new Set<Promise<void>>();

  constructor(deps: VenueEventHandlerDeps) {
    this.#deps = deps;
    this.#unsubscribe = deps.connector.onExecution((report) => this.#onReport(report));
  }

  dispose(): void {
    this.#unsubscribe();
  }

  /** Resolves when every report received so far has been applied. */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  #onReport(report: ExecutionReport): void {
    const done = this.#intake.then(() => this.#route(report));
    this.#intake = done.catch(() => undefined);
    this.#own(done);
  }

  #own(work: Promise<void>): void {
    const owned = work.catch((error: unknown) => {
      this.#deps.logger.error({ err: error }, 'venue report handling failed');
    });
    this.#inflight.add(owned);
    void owned.finally(() => this.#inflight.delete(owned));
  }

  /**
   * Recovery: apply the venue's current view of an order (fetched after a restart) exactly as a
   * pushed report would be: on its strategy's queue, fills deduplicated by venue trade id, the
   * same consequences (protection for entry fills, a flattening stop closes the trade). Resolves
   * once applied.
   */
  async sync(order: VenueOrder): Promise<void> {
    const { ledger, runner } = this.#deps;
    const report: ExecutionReport = { order, new_fills: [] };
    const row = await ledger.getOrder(order.client_order_id);
    const position = row ? await ledger.getPosition(row.trade_id) : undefined;
    await runner.run(position?.strategy_id ?? UNOWNED, () => this.#apply(report));
  }

  async #route(report: ExecutionReport): Promise<void> {
    const { ledger, runner } = this.#deps;
    const coid = report.order.client_order_id;
    const order = await ledger.getOrder(coid);
    const position = order ? await ledger.getPosition(order.trade_id) : undefined;
    this.#own(runner.run(position?.strategy_id ?? UNOWNED, () => this.#apply(report)));
  }

  async #apply(report: ExecutionReport): Promise<void> {
    const { ledger, connector, clock, config } = this.#deps;
    const coid = report.order.client_order_id;
    const order = await ledger.getOrder(coid);
    if (!order) {
      await this.#unknownOrder(report);
      return;
    }
    const position = await ledger.getPosition(order.trade_id);
    const deadline = new Deadline(clock, config.timeout_seconds);
    const correlation = position?.opened_by ?? order.directive_id ?? coid;
    const ctx = this.#deps.makeContext({
      flowId: correlation,
      directiveId: null,
      strategyId: position?.strategy_id ?? null,
      correlationId: correlation,
      causationId: null,
      logger: this.#deps.logger.child({ client_order_id: coid, trade_id: order.trade_id }),
      signal: deadline.signal,
    });
    try {
      const known = new Set((await ledger.listFills({ client_order_id: coid })).map((f) => f.venue_trade_id));
      const merged = mergeVenueOrder(order, report.order, ctx.now());
      const fills = [...report.order.fills, ...report.new_fills]
        .filter((f, i, all) => all.findIndex((g) => g.venue_trade_id === f.venue_trade_id) === i)
        .filter((f) => !known.has(f.venue_trade_id))
        .map((f) => fillRecord(f, merged, connector.venue, clock.now()));
      if (fills.length === 0 && merged.status === order.status && merged.filled_quantity.eq(order.filled_quantity)) return;
      ctx.track(merged);
      if (!position) {
        await this.#anomaly(ctx, 'UNKNOWN_ORDER_FILL', order.trade_id, coid, `report for ${coid} of unknown trade ${order.trade_id}`, { order: report.order });
        await ctx.applyLedger({ orders: [merged], fills });
        return;
      }
      const booked = bookFills(position, order.purpose, fills);
      let updated = booked.position;
      // a close or compensation leg is seen here only when its own flow could not book it (recovery)
      const reason = isProtective(order.purpose) ? order.purpose : order.purpose === 'CLOSE' ? 'CLOSE_EXISTING' : order.purpose === 'COMPENSATION' ? 'COMPENSATION' : null;
      const held = updated;
      const closes =
        reason !== null && held.status === 'OPEN' && merged.filled_quantity.gt(0) && (await onlyDustHeld(held, () => this.#deps.protective.instrument(ctx, held.symbol)));
      if (closes) {
        updated = closePosition(updated, { exit_price: merged.average_fill_price, close_reason: reason, closed_at: ctx.now(), directive_id: null });
      }
      await ctx.write('FILL_RECORDED', { client_order_id: coid, purpose: order.purpose, trade_id: order.trade_id, status: merged.status, fills, order: report.order, position: updated });
      if (closes) {
        if (isProtective(order.purpose)) await ctx.write('PROTECTIVE_TRIGGERED', { client_order_id: coid, purpose: order.purpose, trade_id: order.trade_id });
        await ctx.write('TRADE_CLOSED', {
          trade_id: updated.trade_id,
          strategy_id: updated.strategy_id,
          close_reason: updated.close_reason,
          exit_price: updated.exit_price,
          realized_pnl: updated.realized_pnl,
          fees: updated.fees,
          order_id: merged.venue_order_id,
          client_order_id: coid,
          position: updated,
        });
      }
      await ctx.applyLedger({ positions: [updated], orders: [merged], fills, anomalies: booked.anomalies });
      if (isProtective(order.purpose) || closes || (isIncreasingPurpose(order.purpose) && fills.length > 0)) {
        await this.#deps.protective.reconcile(ctx, updated, await this.#naming(ctx, updated));
      }
      await ctx.settle();
    } catch (error) {
      ctx.logger.error({ err: error }, 'venue report could not be fully applied');
      // ProtectiveOrders raised its own critical alert and applied on_protection_failure
      if (hasExecutionCode(error, ExecutionErrorCode.PROTECTION_MISSING)) return;
      await sendAlert(this.#deps.alerts, ctx.logger, {
        severity: 'critical',
        code: 'VENUE_EVENT_FAILED',
        message: `venue report for ${coid} (trade ${order.trade_id}) could not be fully applied: ${errorMessage(error)}`,
        flow_id: ctx.flowId,
        timestamp: isoTime(clock.now()),
      });
    } finally {
      // the writes of a path that returned early, or failed, still become durable before the next report of this trade
      await settleQuietly(ctx);
      await deadline.cancel();
    }
  }

  /** New protective legs after venue events: the trade's first ones are 'SL'/'TP' of its opening directive; later ones 'SLV<n>'/'TPV<n>'. */
  async #naming(ctx: ExecutionContext, position: Position): Promise<ProtectiveNaming> {
    const orders: OrderRecord[] = await ctx.readLedger(`orders of ${position.trade_id}`, () => this.#deps.ledger.listOrders({ trade_id: position.trade_id }));
    const count = orders.filter((o) => isProtective(o.purpose)).length;
    return { owner: position.opened_by, suffix: count === 0 ? '' : `V${count}` };
  }

  async #unknownOrder(report: ExecutionReport): Promise<void> {
    const coid = report.order.client_order_id;
    const { clock } = this.#deps;
    const deadline = new Deadline(clock, this.#deps.config.timeout_seconds);
    const ctx = this.#deps.makeContext({
      flowId: coid,
      directiveId: null,
      strategyId: null,
      correlationId: coid,
      causationId: null,
      logger: this.#deps.logger.child({ client_order_id: coid }),
      signal: deadline.signal,
    });
    try {
      await this.#anomaly(ctx, 'UNKNOWN_ORDER_FILL', null, coid, `venue reported order ${coid}, which the ledger does not know`, {
        order: report.order,
        new_fills: report.new_fills,
      });
    } finally {
      await settleQuietly(ctx);
      await deadline.cancel();
    }
  }

  async #anomaly(ctx: ExecutionContext, kind: Anomaly['kind'], tradeId: string | null, coid: string, message: string, details: Readonly<Record<string, unknown>>): Promise<void> {
    const anomaly: Anomaly = { kind, trade_id: tradeId, client_order_id: coid, message, details: toWire(details) as Record<string, unknown>, detected_at: ctx.now() };
    this.#deps.metrics.anomaly(kind);
    ctx.logger.warn({ kind }, message);
    await ctx.write('ANOMALY', { ...anomaly });
    try {
      await this.#deps.ledger.apply({ directive_id: null, anomalies: [anomaly] });
    } catch (error) {
      ctx.logger.error({ err: error }, 'could not record the anomaly in the ledger');
    }
    await sendAlert(this.#deps.alerts, ctx.logger, { severity: 'warning', code: kind, message, flow_id: ctx.flowId, timestamp: ctx.now() });
  }
}

async function settleQuietly(ctx: ExecutionContext): Promise<void> {
  try {
    await ctx.settle();
  } catch (error) {
    ctx.logger.error({ err: error }, 'a write of the venue report could not be made durable');
  }
}
