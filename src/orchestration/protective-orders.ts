import type { AmendRequest, InstrumentRules, OrderRequest } from '../ports/connector.js';
import type { ErrorHandlingConfig } from '../config/schema.js';
import { isoTime, type Clock } from '../domain/clock.js';
import { type Decimal, floorToStep } from '../domain/decimal.js';
import type { OrderPurpose, Protection } from '../domain/enums.js';
import { errorMessage, isVenueRejection, PlanexecError, VenueRejectCode } from '../domain/errors.js';
import { closePosition, oppositeSide } from '../domain/position-math.js';
import type { Anomaly, OrderRecord, Position } from '../domain/trading.js';
import { sendAlert } from './alerting.js';
import { Deadline } from './deadline.js';
import { classifyFailure } from './error-policy.js';
import type { ExecutionContext } from './execution-context.js';
import { ExecutionError } from './execution-errors.js';
import type { DeclaredChange, DeclaredLeg, LegResult, LegSpec, OrderExecutor } from './order-executor.js';
import { LIVE_ORDER_STATUSES } from './order-sync.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { ILedgerProvider } from '../ports/ledger.js';
import { bookFills, closeIfProtectiveFlattened } from './trade-book.js';

export type OnProtectionFailure = ErrorHandlingConfig['on_protection_failure'];

export interface ProtectiveOrdersDeps {
  readonly executor: OrderExecutor;
  readonly ledger: ILedgerProvider;
  readonly alerts: IAlertSink;
  readonly clock: Clock;
  /** error_handling.on_protection_failure. */
  readonly onFailure: OnProtectionFailure;
  /** timeout_seconds: a flatten gets a deadline of its own (the flow's may be spent). */
  readonly timeoutSeconds: number;
}

/** A protective leg the venue would not take. */
interface Refusal {
  readonly purpose: OrderPurpose;
  readonly error: PlanexecError;
}

/** How new protective legs are named: `clientOrderId(owner, 'SL' + suffix)` / `'TP' + suffix`. */
export interface ProtectiveNaming {
  readonly owner: string;
  readonly suffix: string;
}

export interface ProtectiveResult {
  readonly position: Position;
  readonly legs: readonly LegResult[];
  readonly anomalies: readonly Anomaly[];
}

const KINDS = [
  { purpose: 'STOP_LOSS', prefix: 'SL' },
  { purpose: 'TAKE_PROFIT', prefix: 'TP' },
] as const;

/**
 * Keeps a trade's protective orders at the venue in line with the trade: a reduce-only
 * STOP_MARKET at stop_loss and a reduce-only LIMIT at take_profit, each for the size held. One
 * `reconcile` places what is missing, amends what differs (or cancels and replaces it when the
 * venue cannot amend), and cancels what is no longer wanted; when nothing differs nothing is sent.
 * Every leg result is written to the ledger with its fills and the trade at once.
 *
 * The trade's `protection` says what rests: LIVE when every order asked for was placed (or kept),
 * MISSING when the venue refused one (any definitive refusal, or retries exhausted), NONE when
 * there is nothing to protect. MISSING is booked first, then a critical PROTECTION_MISSING alert,
 * then on_protection_failure (flatten: close the trade at market, close_reason
 * PROTECTION_MISSING; alert_only: keep it open, unprotected), and the caller gets an
 * ExecutionError PROTECTION_MISSING (a flow then stops with that error; the trade stays booked).
 */
export class ProtectiveOrders {
  readonly #deps: ProtectiveOrdersDeps;
  readonly #executor: OrderExecutor;
  readonly #ledger: ILedgerProvider;

  constructor(deps: ProtectiveOrdersDeps) {
    this.#deps = deps;
    this.#executor = deps.executor;
    this.#ledger = deps.ledger;
  }

  /** The venue's rules for `symbol` (cached per execution). */
  instrument(ctx: ExecutionContext, symbol: string): Promise<InstrumentRules> {
    return this.#executor.instrument(ctx, symbol);
  }

  get native(): boolean {
    return this.#executor.connector.capabilities.nativeStops;
  }

  /** The trade's protective orders that may still rest at the venue (ledger rows, updated by what this context saw). */
  async live(ctx: ExecutionContext, tradeId: string): Promise<OrderRecord[]> {
    const rows = await ctx.readCommitted('protective orders', () => this.#ledger.listOrders({ trade_id: tradeId, statuses: LIVE_ORDER_STATUSES }));
    const byId = new Map(rows.map((r) => [r.client_order_id, r]));
    for (const seen of ctx.orders) if (seen.trade_id === tradeId) byId.set(seen.client_order_id, seen);
    return [...byId.values()].filter((o) => isProtective(o.purpose) && LIVE_ORDER_STATUSES.includes(o.status));
  }

  async reconcile(ctx: ExecutionContext, position: Position, naming: ProtectiveNaming): Promise<ProtectiveResult> {
    if (!this.native) {
      if (position.stop_loss || position.take_profit) {
        ctx.logger.warn({ trade_id: position.trade_id }, 'venue has no native stops: stop loss / take profit recorded on the position only');
      }
      // nothing rests at such a venue: the stop and target are recorded, not live
      const unprotected = withProtection(position, protectionOf(position, true));
      if (unprotected !== position) await ctx.applyLedger({ positions: [unprotected] });
      return { position: unprotected, legs: [], anomalies: [] };
    }
    // the protection expected once every leg is placed rides along with the legs' own ledger writes (no extra commit)
    let current = withProtection(position, protectionOf(position, false));
    let written = position.protection;
    const legs: LegResult[] = [];
    const anomalies: Anomaly[] = [];
    const refused: Refusal[] = [];
    const live = await this.live(ctx, position.trade_id);
    // the legs to place where nothing rests and the amends of what rests are declared together: their intents share one commit (DESIGN §3b)
    const early = await this.#declareAhead(ctx, current, live, naming);
    const place = async (kind: (typeof KINDS)[number], price: Decimal, quantity: Decimal, ahead: EarlyLeg | undefined): Promise<void> => {
      try {
        const sameLeg = ahead?.leg !== undefined && ahead.price.eq(price) && ahead.quantity.eq(quantity);
        if (ahead && !sameLeg) await this.#withdraw(ctx, ahead, 'the trade changed before it was sent');
        await book(await this.#placeOrFlatten(ctx, current, kind, price, quantity, naming, sameLeg ? await ahead.leg : undefined));
      } catch (error) {
        if (!isRefusal(error)) throw error;
        ctx.logger.error({ err: error, trade_id: current.trade_id, purpose: kind.purpose }, 'protective order refused');
        refused.push({ purpose: kind.purpose, error });
        // from here on, every write of the trade says so
        current = withProtection(current, protectionOf(current, true));
      }
    };
    const book = async (leg: LegResult): Promise<void> => {
      const booked = bookFills(current, leg.record.purpose, leg.fills);
      current = await closeIfProtectiveFlattened(booked.position, leg.record, ctx.now(), () => this.#executor.instrument(ctx, booked.position.symbol));
      anomalies.push(...booked.anomalies);
      legs.push(leg);
      await ctx.applyLedger({ orders: [leg.record], fills: leg.fills, positions: [current], anomalies: booked.anomalies });
      written = current.protection;
    };

    for (const kind of KINDS) {
      const price = kind.purpose === 'STOP_LOSS' ? current.stop_loss : current.take_profit;
      const quantity = current.status === 'OPEN' ? current.filled_size : null;
      const existing = live.filter((o) => o.purpose === kind.purpose);
      const wanted = price !== null && quantity !== null && quantity.gt(0);
      // what was declared ahead for this kind is sent below or withdrawn here, before anything else touches the kind's orders
      let ahead = early.get(kind.purpose);
      early.delete(kind.purpose);
      const [keep, ...extra] = existing;
      const amending = wanted && keep !== undefined && extra.length === 0 && keep.status !== 'IN_DOUBT';
      if (ahead && !(wanted && keep === undefined) && !(amending && ahead.amends === keep)) {
        await this.#withdraw(ctx, ahead, 'the trade changed before it was sent');
        ahead = undefined;
      }
      if (!wanted || current.status !== 'OPEN') {
        for (const order of existing) await book(await this.#executor.cancel(ctx, order));
        continue;
      }
      for (const order of extra) await book(await this.#executor.cancel(ctx, order));
      if (!keep) {
        await place(kind, price, quantity, ahead);
        continue;
      }
      if (keep.status === 'IN_DOUBT') {
        ctx.logger.warn({ client_order_id: keep.client_order_id }, 'protective order in doubt: left for reconciliation');
        continue;
      }
      const currentPrice = kind.purpose === 'STOP_LOSS' ? keep.stop_price : keep.limit_price;
      // what rests was floored to the lot when sent (a size net of a base-asset fee may lie off it): compare like with like
      const lot = (await this.#executor.instrument(ctx, current.symbol)).lot_size;
      if (restsAsWanted(kind, keep, price, quantity, lot)) {
        if (ahead) await this.#withdraw(ctx, ahead, 'what rests is already what is wanted');
        continue;
      }
      if (this.#executor.connector.capabilities.amendOrders) {
        try {
          const early = ahead?.change !== undefined && ahead.amends === keep && ahead.price.eq(price) && ahead.quantity.eq(quantity) ? ahead.change : undefined;
          if (ahead && !early) await this.#withdraw(ctx, ahead, 'the trade changed before it was sent');
          const change = early ? await early : await this.#executor.declareAmend(ctx, keep, amendOf(kind, keep, price, quantity));
          await book(await this.#executor.sendAmend(ctx, change));
        } catch (error) {
          // refused: the order still rests as it was, so the trade shows that price, not the one asked for
          if (isRefusal(error) && currentPrice) {
            current = kind.purpose === 'STOP_LOSS' ? { ...current, stop_loss: currentPrice } : { ...current, take_profit: currentPrice };
            await ctx.applyLedger({ positions: [current] });
            written = current.protection;
          }
          throw error;
        }
      } else {
        await book(await this.#executor.cancel(ctx, keep));
        if (current.status === 'OPEN' && current.filled_size.gt(0)) await place(kind, price, current.filled_size, undefined);
      }
    }
    for (const declared of early.values()) await this.#withdraw(ctx, declared, `trade ${current.trade_id} no longer needs it`);
    current = withProtection(current, protectionOf(current, refused.length > 0));
    if (current.protection !== written) await ctx.applyLedger({ positions: [current] });
    if (refused.length > 0 && current.protection === 'MISSING') return this.#missing(ctx, current, refused, naming, legs, anomalies);
    return { position: current, legs, anomalies };
  }

  /**
   * The venue refused protection of a trade that holds a size: it is booked MISSING (done by the
   * caller), a critical alert goes out, and on_protection_failure decides. flatten: its live
   * protective orders are cancelled and what it holds is closed at market (leg PX<suffix>, reason
   * PROTECTION_MISSING); a flatten that fails leaves it MISSING, with a second critical alert.
   * Always ends with ExecutionError PROTECTION_MISSING, so a flow stops on the error path; the
   * ledger keeps the trade as it now is (ErrorPolicy does not roll it back: the venue acted).
   */
  async #missing(ctx: ExecutionContext, position: Position, refused: readonly Refusal[], naming: ProtectiveNaming, legs: LegResult[], anomalies: Anomaly[]): Promise<never> {
    const policy = this.#deps.onFailure;
    const what = refused.map((r) => `${r.purpose} (${r.error.code}: ${r.error.message})`).join('; ');
    const subject = `trade ${position.trade_id} (${position.direction} ${position.filled_size.toFixed()} ${position.symbol})`;
    const alertDetails = { trade_id: position.trade_id, symbol: position.symbol, direction: position.direction, refused: refused.map((r) => r.purpose), policy };
    await this.#alert(ctx, 'PROTECTION_MISSING', `${subject} is not protected at the venue: ${what}; on_protection_failure = ${policy}`, alertDetails);
    let current = position;
    let decision: string;
    let flattenError: unknown = null;
    if (policy === 'flatten') {
      try {
        current = await this.#flatten(ctx, position, naming, legs, anomalies);
        decision = current.status === 'CLOSED' ? 'flattened' : 'flatten_incomplete';
      } catch (error) {
        flattenError = error;
        decision = 'flatten_failed';
      }
      if (decision !== 'flattened') {
        await this.#alert(
          ctx,
          'PROTECTION_FLATTEN_FAILED',
          `${subject} could not be flattened after its protection was refused; it is open and unprotected: ${flattenError === null ? `${current.filled_size.toFixed()} still held` : errorMessage(flattenError)}`,
          alertDetails,
        );
      }
    } else {
      decision = 'kept_open_unprotected';
    }
    const failures = refused.map((r) => ({ purpose: r.purpose, error_code: r.error.code, error_message: r.error.message }));
    await ctx.write('POLICY_APPLIED', { policy: 'on_protection_failure', value: policy, decision, trade_id: position.trade_id, failures, position: current });
    const outcome =
      decision === 'flattened' ? 'the trade was flattened at market' : decision === 'kept_open_unprotected' ? 'the trade is open and unprotected' : 'the flatten failed: the trade is open and unprotected';
    throw new ExecutionError(`${subject}: protection refused by the venue (${what}); ${outcome} [on_protection_failure: ${policy}]`, 'PROTECTION_MISSING', {
      trade_id: position.trade_id,
      failures,
      policy,
      decision,
      trade_status: current.status,
    });
  }

  /** Cancel the trade's live protective orders, then close what it holds with a reduce-only MARKET leg. */
  async #flatten(ctx: ExecutionContext, position: Position, naming: ProtectiveNaming, legs: LegResult[], anomalies: Anomaly[]): Promise<Position> {
    const deadline = new Deadline(this.#deps.clock, this.#deps.timeoutSeconds);
    ctx.setSignal(deadline.signal);
    let current = position;
    const book = async (leg: LegResult): Promise<void> => {
      const booked = bookFills(current, leg.record.purpose, leg.fills);
      current = booked.position;
      anomalies.push(...booked.anomalies);
      legs.push(leg);
      await ctx.applyLedger({ orders: [leg.record], fills: leg.fills, positions: [current], anomalies: booked.anomalies });
    };
    try {
      for (const order of await this.live(ctx, position.trade_id)) await book(await this.#executor.cancel(ctx, order));
      if (current.filled_size.gt(0)) {
        await book(await this.#placeLeg(ctx, current, naming, `PX${naming.suffix}`, 'CLOSE', current.filled_size, { order_type: 'MARKET', time_in_force: 'IOC' }));
      }
      if (current.filled_size.isZero()) {
        const exit = legs.at(-1)?.record;
        current = closePosition(current, {
          exit_price: exit?.purpose === 'CLOSE' ? exit.average_fill_price : null,
          close_reason: 'PROTECTION_MISSING',
          closed_at: ctx.now(),
          directive_id: ctx.directiveId,
        });
        await ctx.applyLedger({ positions: [current] });
      }
      return current;
    } finally {
      await deadline.cancel();
    }
  }

  async #alert(ctx: ExecutionContext, code: string, message: string, details: Readonly<Record<string, unknown>>): Promise<void> {
    await sendAlert(this.#deps.alerts, ctx.logger, {
      severity: 'critical',
      code,
      message,
      flow_id: ctx.flowId,
      directive_id: ctx.directiveId,
      details,
      timestamp: isoTime(this.#deps.clock.now()),
    });
  }

  /** Cancel every protective order of the trade that may still rest at the venue. */
  async cancelAll(ctx: ExecutionContext, position: Position): Promise<ProtectiveResult> {
    let current = position;
    const legs: LegResult[] = [];
    const anomalies: Anomaly[] = [];
    for (const order of await this.live(ctx, position.trade_id)) {
      const leg = await this.#executor.cancel(ctx, order);
      const booked = bookFills(current, leg.record.purpose, leg.fills);
      current = booked.position;
      anomalies.push(...booked.anomalies);
      legs.push(leg);
      await ctx.applyLedger({ orders: [leg.record], fills: leg.fills, positions: [current], anomalies: booked.anomalies });
    }
    return { position: current, legs, anomalies };
  }

  /**
   * A stop the market has already passed (the entry filled late, or the price gapped) cannot
   * rest: the venue refuses it. Leaving the trade unprotected would be worse than what the stop
   * promised, so the trade is flattened at market at once, booked as a stop loss.
   */
  async #placeOrFlatten(
    ctx: ExecutionContext,
    position: Position,
    kind: (typeof KINDS)[number],
    price: Decimal,
    quantity: Decimal,
    naming: ProtectiveNaming,
    /** The leg, already declared with these terms. */
    declared?: DeclaredLeg,
  ): Promise<LegResult> {
    try {
      return declared ? await this.#executor.send(ctx, declared) : await this.#placeLeg(ctx, position, naming, `${kind.prefix}${naming.suffix}`, kind.purpose, quantity, protectiveOrder(kind, price));
    } catch (error) {
      if (kind.purpose !== 'STOP_LOSS' || !isVenueRejection(error, [VenueRejectCode.WOULD_TRIGGER_IMMEDIATELY])) throw error;
      ctx.logger.warn({ trade_id: position.trade_id, stop_loss: price.toFixed() }, 'stop loss already breached: flattening at market');
      return this.#placeLeg(ctx, position, naming, `SX${naming.suffix}`, 'STOP_LOSS', quantity, { order_type: 'MARKET', time_in_force: 'IOC' });
    }
  }

  /**
   * Declare (write ahead, not send) at once what `reconcile` will send for each kind in the usual
   * case: a leg where nothing rests, an amend of the one order that rests with other terms. Each is
   * later sent by `reconcile` or withdrawn; a refusal surfaces there.
   */
  async #declareAhead(ctx: ExecutionContext, position: Position, live: readonly OrderRecord[], naming: ProtectiveNaming): Promise<Map<OrderPurpose, EarlyLeg>> {
    const early = new Map<OrderPurpose, EarlyLeg>();
    const quantity = position.status === 'OPEN' ? position.filled_size : null;
    if (quantity === null || quantity.lte(0)) return early;
    const lot = live.length > 0 ? (await this.#executor.instrument(ctx, position.symbol)).lot_size : null;
    for (const kind of KINDS) {
      const price = kind.purpose === 'STOP_LOSS' ? position.stop_loss : position.take_profit;
      const existing = live.filter((o) => o.purpose === kind.purpose);
      if (price === null) continue;
      if (existing.length === 0) {
        const leg = this.#executor.declare(ctx, this.#legSpec(position, naming, `${kind.prefix}${naming.suffix}`, kind.purpose, quantity, protectiveOrder(kind, price)));
        // seen by `reconcile` or `#withdraw`; until then a refusal must not count as unhandled
        leg.catch(() => undefined);
        early.set(kind.purpose, { leg, price, quantity });
        continue;
      }
      const keep = existing[0]!;
      if (existing.length > 1 || keep.status === 'IN_DOUBT' || !this.#executor.connector.capabilities.amendOrders || lot === null) continue;
      if (restsAsWanted(kind, keep, price, quantity, lot)) continue;
      const change = this.#executor.declareAmend(ctx, keep, amendOf(kind, keep, price, quantity));
      change.catch(() => undefined);
      early.set(kind.purpose, { change, amends: keep, price, quantity });
    }
    return early;
  }

  /** A declared leg or amend that will not be sent: closed as never sent (a declaration that failed needs nothing). */
  async #withdraw(ctx: ExecutionContext, early: EarlyLeg, why: string): Promise<void> {
    if (early.leg) {
      const declared = await early.leg.catch(() => null);
      if (declared) await this.#executor.withdraw(ctx, declared, why);
    }
    if (early.change) {
      const declared = await early.change.catch(() => null);
      if (declared) await this.#executor.withdrawChange(ctx, declared, why);
    }
  }

  /** A reduce-only order against the trade, opposite its direction. */
  #placeLeg(
    ctx: ExecutionContext,
    position: Position,
    naming: ProtectiveNaming,
    leg: string,
    purpose: OrderPurpose,
    quantity: Decimal,
    order: ProtectiveOrderTerms,
  ): Promise<LegResult> {
    return this.#executor.place(ctx, this.#legSpec(position, naming, leg, purpose, quantity, order));
  }

  #legSpec(position: Position, naming: ProtectiveNaming, leg: string, purpose: OrderPurpose, quantity: Decimal, order: ProtectiveOrderTerms): LegSpec {
    return {
      owner: naming.owner,
      leg,
      tradeId: position.trade_id,
      purpose,
      order: { symbol: position.symbol, side: oppositeSide(position.direction), quantity, reduce_only: true, ...order },
    };
  }
}

type ProtectiveOrderTerms = Pick<OrderRequest, 'order_type' | 'time_in_force' | 'limit_price' | 'stop_price'>;

/** A protective leg (or an amend of the one resting) declared ahead of its turn, with the terms it was declared for. */
interface EarlyLeg {
  readonly leg?: Promise<DeclaredLeg>;
  readonly change?: Promise<DeclaredChange>;
  /** The resting order an amend is for. */
  readonly amends?: OrderRecord;
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/** Whether a resting protective order already has the wanted price and size (it was floored to the lot when sent). */
function restsAsWanted(kind: (typeof KINDS)[number], order: OrderRecord, price: Decimal, quantity: Decimal, lot: Decimal): boolean {
  const restingPrice = kind.purpose === 'STOP_LOSS' ? order.stop_price : order.limit_price;
  return restingPrice?.eq(price) === true && order.quantity.minus(order.filled_quantity).eq(floorToStep(quantity, lot));
}

/** An amend sets the order's total quantity: what already filled of it plus what should rest. */
function amendOf(kind: (typeof KINDS)[number], order: OrderRecord, price: Decimal, quantity: Decimal): AmendRequest {
  const total = order.filled_quantity.plus(quantity);
  return kind.purpose === 'STOP_LOSS' ? { quantity: total, stop_price: price } : { quantity: total, limit_price: price };
}

/** A stop loss rests as a STOP_MARKET at its price, a take profit as a LIMIT. */
function protectiveOrder(kind: (typeof KINDS)[number], price: Decimal): ProtectiveOrderTerms {
  return kind.purpose === 'STOP_LOSS' ? { order_type: 'STOP_MARKET', stop_price: price, time_in_force: 'GTC' } : { order_type: 'LIMIT', limit_price: price, time_in_force: 'GTC' };
}

export function isProtective(purpose: OrderPurpose): boolean {
  return purpose === 'STOP_LOSS' || purpose === 'TAKE_PROFIT';
}

/** A definitive no from the venue or the connector (rejection, local denial, retries exhausted); not an unknown outcome, not our own storage. */
/** A definitive no from the venue (or our own risk checks): the order does not rest, nothing is in doubt. */
export function isRefusal(error: unknown): error is PlanexecError {
  if (!(error instanceof PlanexecError)) return false;
  const kind = classifyFailure(error);
  return kind === 'api' || kind === 'risk';
}

/** What the trade's protection is, given whether a protective order it asked for was refused. */
function protectionOf(position: Position, refused: boolean): Protection {
  const held = position.status === 'OPEN' && position.filled_size.gt(0);
  const asked = position.stop_loss !== null || position.take_profit !== null;
  if (!held || !asked) return 'NONE';
  return refused ? 'MISSING' : 'LIVE';
}

function withProtection(position: Position, protection: Protection): Position {
  return position.protection === protection ? position : { ...position, protection };
}
