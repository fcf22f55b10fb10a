import type { AmendRequest, IAPIConnector, InstrumentRules, OrderRequest, VenueOrder } from '../ports/connector.js';
import type { PlanExecutionConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import type { Decimal } from '../domain/decimal.js';
import type { OrderPurpose } from '../domain/enums.js';
import { errorMessage, VenueRejected } from '../domain/errors.js';
import { clientOrderId } from '../domain/ids.js';
import { transitionOrder } from '../domain/order-status.js';
import type { OrderRecord } from '../domain/trading.js';
import { attemptCall, type AttemptOutcome } from './connector-call.js';
import type { ExecutionContext } from './execution-context.js';
import { ExecutionError, isInDoubtUnresolved } from './execution-errors.js';
import { InDoubtResolver } from './in-doubt-resolver.js';
import { codeOf, mergeAnswer, recordQuietly, refuseRejected, type LegResult } from './leg-outcome.js';
import { mergeVenueOrder, newFills, pendingOrderRecord } from './order-sync.js';
import type { ILedgerProvider } from '../ports/ledger.js';
import type { IMetricsCollector } from '../ports/metrics.js';
import type { PreTradeRisk, RiskLeg } from './pre-trade-risk.js';
import { checkPricePositive, checkShortAllowed, checkVenueRules, fitAmendToGrid, fitOrderToGrid, notionalPrice } from './venue-rules.js';
import { retryDelay, type CompiledRetryPolicy } from './retry-policy.js';

/** One order leg: its client order id is `clientOrderId(owner, leg)`, the same on every retry and restart. */
export interface LegSpec {
  /** The directive the leg's client order id derives from. */
  readonly owner: string;
  /** Short leg name: E (entry), SL, TP, I0 / R0 (increase / reduce), C0 (close), X0 (compensation), … */
  readonly leg: string;
  readonly tradeId: string;
  readonly purpose: OrderPurpose;
  /** position_id is set by the executor from tradeId. */
  readonly order: Omit<OrderRequest, 'client_order_id' | 'position_id'>;
}

export type { LegResult } from './leg-outcome.js';

/**
 * RESUME mode (ctx.resume): asked by `declare` before a leg is written ahead again
 * (recovery/leg-recovery.ts). A leg the interrupted run sent comes back settled, or its failure is
 * thrown; undefined: it never reached the venue, so it is declared as new.
 */
export interface ResumeLookup {
  resumeLeg(ctx: ExecutionContext, spec: LegSpec, request: OrderRequest, legInfo: Readonly<Record<string, unknown>>, meta: PendingMeta): Promise<LegResult | undefined>;
}

export type PendingMeta = Parameters<typeof pendingOrderRecord>[1];

export interface OrderExecutorDeps {
  readonly connector: IAPIConnector;
  readonly ledger: ILedgerProvider;
  readonly clock: Clock;
  readonly config: PlanExecutionConfig;
  readonly retry: CompiledRetryPolicy;
  readonly metrics: IMetricsCollector;
  /** [0, 1): backoff jitter; injectable so tests see exact delays. */
  readonly random: () => number;
  /** The `risk` limits; absent or with every limit off, no leg is checked against them. */
  readonly risk?: PreTradeRisk;
  /** Needed by flows that recovery resumes (ctx.resume). */
  readonly resume?: ResumeLookup;
}

/** What one execution context has read of the market: instrument rules and reference prices, once per symbol. */
interface MarketReads {
  readonly rules: Map<string, Promise<InstrumentRules>>;
  readonly prices: Map<string, Promise<Decimal>>;
}

/**
 * Sends order legs to the connector. For every state-changing call: the intent is journaled
 * (write-ahead) and, for a new order, its PENDING ledger row written, before the call; retries
 * reuse the same client order id and happen only for retryable errors, spaced by the backoff
 * policy, all bounded by the execution's deadline (ctx.signal); an unknown outcome goes to the
 * InDoubtResolver instead of being retried blind.
 */
export class OrderExecutor {
  readonly #deps: OrderExecutorDeps;
  readonly #resolver: InDoubtResolver;
  readonly #risk: PreTradeRisk | null;
  readonly #market = new WeakMap<ExecutionContext, MarketReads>();

  constructor(deps: OrderExecutorDeps) {
    this.#deps = deps;
    this.#resolver = new InDoubtResolver({ connector: deps.connector, clock: deps.clock, config: deps.config, metrics: deps.metrics });
    this.#risk = deps.risk?.active ? deps.risk : null;
  }

  /** The instrument's rules, read from the venue once per execution context. */
  instrument(ctx: ExecutionContext, symbol: string): Promise<InstrumentRules> {
    const reads = this.#reads(ctx);
    return cached(reads.rules, symbol, () => this.read(ctx, `instrument ${symbol}`, (signal) => this.#deps.connector.getInstrument(symbol, { signal })));
  }

  /** The venue's reference price, read once per execution context. */
  referencePrice(ctx: ExecutionContext, symbol: string): Promise<Decimal> {
    const reads = this.#reads(ctx);
    return cached(reads.prices, symbol, () => this.read(ctx, `reference price ${symbol}`, (signal) => this.#deps.connector.getReferencePrice(symbol, { signal })));
  }

  #reads(ctx: ExecutionContext): MarketReads {
    let reads = this.#market.get(ctx);
    if (!reads) this.#market.set(ctx, (reads = { rules: new Map(), prices: new Map() }));
    return reads;
  }

  get connector(): IAPIConnector {
    return this.#deps.connector;
  }

  /** Declare a leg (its intent durable) and send it. */
  async place(ctx: ExecutionContext, spec: LegSpec): Promise<LegResult> {
    return this.send(ctx, await this.declare(ctx, spec));
  }

  /**
   * The first half of `place`: the leg fitted to the venue's rules, checked against the risk
   * limits and written ahead (its ORDER_INTENT and PENDING row durable), not yet sent. Legs a flow
   * declares together share one commit (DESIGN §3b); each must then be sent or withdrawn. In RESUME
   * mode a leg an interrupted run already settled comes back as done.
   */
  async declare(ctx: ExecutionContext, spec: LegSpec): Promise<DeclaredLeg> {
    // position_id = the trade: a hedge-mode venue keeps each trade's position apart (ConnectorCapabilities.positionMode)
    const asked: OrderRequest = { ...spec.order, position_id: spec.tradeId, client_order_id: clientOrderId(spec.owner, spec.leg) };
    const legInfo = { action: 'PLACE', leg: spec.leg, purpose: spec.purpose, trade_id: spec.tradeId, client_order_id: asked.client_order_id };
    const meta = { trade_id: spec.tradeId, directive_id: ctx.directiveId, purpose: spec.purpose, now: ctx.now() };
    if (ctx.resume) {
      if (!this.#deps.resume) throw new TypeError(`a resumed flow declares ${asked.client_order_id}, but the executor has no ResumeLookup`);
      const resumed = await this.#deps.resume.resumeLeg(ctx, spec, asked, legInfo, meta);
      if (resumed) return { kind: 'done', result: resumed };
    }
    const { request, price } = await this.#fitToVenue(ctx, spec, asked);
    const intentAtMs = this.#deps.clock.now();
    const record = pendingOrderRecord(request, meta);
    const leg: RiskLeg = { symbol: request.symbol, side: request.side, purpose: spec.purpose, reduceOnly: request.reduce_only, quantity: request.quantity, price, tradeId: spec.tradeId };
    // a leg without a price of its own records the venue's price it was measured at: the
    // reference its fills' slippage is taken against (app/execution-quality.ts)
    const intent = ownPrice(request) ? { ...legInfo, order: request } : { ...legInfo, order: request, reference_price: price };
    await this.#admit(ctx, leg, `${spec.purpose} ${request.client_order_id}`, () => this.#writeAhead(ctx, intent, record));
    ctx.track(record);
    return { kind: 'declared', request, record, intentAtMs, legInfo };
  }

  /** The second half of `place`: send a declared leg and journal what the venue answered. */
  async send(ctx: ExecutionContext, declared: DeclaredLeg): Promise<LegResult> {
    if (declared.kind === 'done') return declared.result;
    const { connector, clock } = this.#deps;
    const { request, intentAtMs, legInfo } = declared;
    let record = declared.record;
    let venueOrder: VenueOrder;
    try {
      venueOrder = await this.#submit(ctx, request, record, intentAtMs, legInfo);
    } catch (error) {
      if (!isInDoubtUnresolved(error)) {
        record = transitionOrder(record, 'REJECTED', { reject_reason: errorMessage(error), updated_at: ctx.now() });
        ctx.track(record);
        await ctx.write('ORDER_RESULT', { ...legInfo, status: 'REJECTED', error_code: codeOf(error), error_message: errorMessage(error) });
        await recordQuietly(ctx, record);
      }
      throw error;
    }

    record = mergeVenueOrder(record, venueOrder, ctx.now());
    ctx.track(record);
    const fills = newFills(venueOrder, record, new Set(), connector.venue, clock.now());
    ctx.trackFills(record.client_order_id, fills);
    await ctx.write('ORDER_RESULT', { ...legInfo, status: venueOrder.status, order: venueOrder, new_fills: fills });
    await refuseRejected(ctx, record, venueOrder);
    return { record, venueOrder, fills };
  }

  /**
   * A declared leg that is not sent after all (what it was for is gone: the trade closed first):
   * its intent is closed by a REJECTED result, "not sent", so nothing waits for it.
   */
  async withdraw(ctx: ExecutionContext, declared: DeclaredLeg, why: string): Promise<void> {
    if (declared.kind === 'done') return;
    const reason = `not sent: ${why}`;
    const record = transitionOrder(declared.record, 'REJECTED', { reject_reason: reason, updated_at: ctx.now() });
    ctx.track(record);
    await ctx.write('ORDER_RESULT', { ...declared.legInfo, status: 'REJECTED', error_code: 'NOT_SENT', error_message: reason });
    await recordQuietly(ctx, record);
  }

  /**
   * The leg as the venue's rules allow it (VenueRules): prices on the tick, the quantity down to
   * the lot, then shortability, min/max quantity and min notional checked; RiskDenied before
   * anything is written or sent. `price` is the one its notional is measured at.
   */
  async #fitToVenue(ctx: ExecutionContext, spec: LegSpec, asked: OrderRequest): Promise<{ request: OrderRequest; price: Decimal }> {
    const what = `${spec.purpose} ${asked.client_order_id}`;
    checkShortAllowed(this.#deps.connector.capabilities, asked.side, asked.reduce_only, asked.symbol, what);
    const rules = await this.instrument(ctx, asked.symbol);
    const request = fitOrderToGrid(asked, rules);
    checkPricePositive('limit_price', request.limit_price, rules, what);
    checkPricePositive('stop_price', request.stop_price, rules, what);
    const own = notionalPrice(request.order_type, request.limit_price, request.stop_price, null);
    const price = own ?? (await this.referencePrice(ctx, request.symbol));
    checkVenueRules(rules, request.quantity, price, what);
    return { request, price };
  }

  /**
   * The `risk` limits, then `writeAhead`. An adding leg is checked and written ahead under the
   * risk component's lock (what it writes is what the next check sees); any other leg waits for
   * the order-rate budget, never refused.
   */
  async #admit(ctx: ExecutionContext, leg: RiskLeg, what: string, writeAhead: () => Promise<void>): Promise<void> {
    const risk = this.#risk;
    if (!risk) return writeAhead();
    if (!risk.adds(leg)) {
      await risk.waitForTurn(ctx, what);
      return writeAhead();
    }
    const checkThenWrite = async (): Promise<void> => {
      await risk.checkAdding(ctx, leg, what);
      await writeAhead();
    };
    await (risk.readsLedger ? risk.exclusive(checkThenWrite) : checkThenWrite());
  }

  /**
   * The write-ahead of a new leg: its PENDING row and its ORDER_INTENT, enqueued in that order so
   * they share one durable commit with everything the flow wrote before (DESIGN §3b), all durable
   * before the connector is called. If that commit or an earlier write failed, the leg is not sent;
   * an intent that did commit is closed by a REJECTED result, so nothing waits for an order that
   * never left.
   */
  async #writeAhead(ctx: ExecutionContext, intent: Readonly<Record<string, unknown>>, pending: OrderRecord): Promise<void> {
    await ctx.applyLedger({ orders: [pending] });
    let intentDurable = false;
    try {
      await ctx.write('ORDER_INTENT', intent, { writeAhead: true, onDurable: () => (intentDurable = true) });
    } catch (error) {
      const reason = `not sent: ${errorMessage(error)}`;
      if (intentDurable) await ctx.write('ORDER_RESULT', { ...pickLeg(intent), status: 'REJECTED', error_code: codeOf(error), error_message: reason });
      // the PENDING row may have committed without its intent: nothing may wait for an order that never left
      await recordQuietly(ctx, transitionOrder(pending, 'REJECTED', { reject_reason: reason, updated_at: ctx.now() }));
      throw error;
    }
  }

  /** Cancel an order (repeating a cancel is harmless, so unknown outcomes are retried too). */
  async cancel(ctx: ExecutionContext, record: OrderRecord): Promise<LegResult> {
    return this.sendCancel(ctx, await this.declareCancel(ctx, record));
  }

  /** The first half of `cancel`: its intent durable (cancels a flow declares together share one commit). */
  async declareCancel(ctx: ExecutionContext, record: OrderRecord): Promise<DeclaredChange> {
    const info = { action: 'CANCEL', purpose: record.purpose, trade_id: record.trade_id, client_order_id: record.client_order_id };
    await this.#risk?.waitForTurn(ctx, `cancel ${record.client_order_id}`);
    await ctx.write('ORDER_INTENT', info, { writeAhead: true });
    return { record, info, changes: null };
  }

  /** The second half of `cancel`. */
  async sendCancel(ctx: ExecutionContext, declared: DeclaredChange): Promise<LegResult> {
    const { connector } = this.#deps;
    const { record, info } = declared;
    ctx.markSent();
    try {
      const venueOrder = await this.#idempotent(ctx, `cancel ${record.client_order_id}`, (signal) =>
        connector.cancelOrder(record.client_order_id, record.symbol, { signal }),
      );
      ctx.markVenueActed();
      return await mergeAnswer(ctx, this.#deps, record, venueOrder, info);
    } catch (error) {
      if (!(error instanceof VenueRejected)) throw error;
      // the venue does not know it (never placed, or long gone): look before concluding
      const found = await this.read(ctx, `fetch ${record.client_order_id}`, (signal) => connector.fetchOrder(record.client_order_id, record.symbol, { signal }));
      if (found) return mergeAnswer(ctx, this.#deps, record, found, info);
      const gone = transitionOrder(record, 'CANCELLED', { reject_reason: `not found at venue on cancel: ${error.message}`, updated_at: ctx.now() });
      ctx.track(gone);
      await ctx.write('ORDER_RESULT', { ...info, status: 'CANCELLED', note: 'not found at venue', error_message: error.message });
      return { record: gone, venueOrder: null, fills: [] };
    }
  }

  /** Change quantity or prices of a resting order (absolute values, so repeating it is harmless). */
  async amend(ctx: ExecutionContext, record: OrderRecord, asked: AmendRequest): Promise<LegResult> {
    return this.sendAmend(ctx, await this.declareAmend(ctx, record, asked));
  }

  /** The first half of `amend`: the changes on the venue's grid, checked, and their intent durable. */
  async declareAmend(ctx: ExecutionContext, record: OrderRecord, asked: AmendRequest): Promise<DeclaredChange> {
    const info = { action: 'AMEND', purpose: record.purpose, trade_id: record.trade_id, client_order_id: record.client_order_id };
    const what = `amend ${record.client_order_id}`;
    const rules = await this.instrument(ctx, record.symbol);
    const changes = fitAmendToGrid(asked, record.side, record.reduce_only, rules);
    checkPricePositive('limit_price', changes.limit_price, rules, what);
    checkPricePositive('stop_price', changes.stop_price, rules, what);
    const quantity = changes.quantity ?? record.quantity;
    const price = notionalPrice(record.order_type, changes.limit_price ?? record.limit_price, changes.stop_price ?? record.stop_price, null) ?? (await this.referencePrice(ctx, record.symbol));
    checkVenueRules(rules, quantity, price, what);
    // the amended order's unfilled part is what its new terms put at the venue
    const leg: RiskLeg = { symbol: record.symbol, side: record.side, purpose: record.purpose, reduceOnly: record.reduce_only, quantity: quantity.minus(record.filled_quantity), price, tradeId: record.trade_id, amends: record };
    await this.#admit(ctx, leg, what, () => ctx.write('ORDER_INTENT', { ...info, changes }, { writeAhead: true }).then(() => undefined));
    return { record, info, changes };
  }

  /** The second half of `amend`. */
  async sendAmend(ctx: ExecutionContext, declared: DeclaredChange): Promise<LegResult> {
    const { record, info, changes } = declared;
    if (changes === null) throw new TypeError(`sendAmend of a cancel (${record.client_order_id})`);
    ctx.markSent();
    const venueOrder = await this.#idempotent(ctx, `amend ${record.client_order_id}`, (signal) =>
      this.#deps.connector.amendOrder(record.client_order_id, record.symbol, changes, { signal }),
    );
    ctx.markVenueActed();
    return mergeAnswer(ctx, this.#deps, record, venueOrder, info);
  }

  /**
   * A declared cancel or amend that is not sent after all (the trade changed first): its intent is
   * closed by a result that leaves the order as it rests ("not sent").
   */
  async withdrawChange(ctx: ExecutionContext, declared: DeclaredChange, why: string): Promise<void> {
    await ctx.write('ORDER_RESULT', { ...declared.info, status: declared.record.status, note: `not sent: ${why}` });
  }

  /** A read (instrument rules, reference price, order look-up): retried on retryable and unknown outcomes. */
  read<T>(ctx: ExecutionContext, what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.#idempotent(ctx, what, call, false);
  }

  async #submit(ctx: ExecutionContext, request: OrderRequest, record: OrderRecord, intentAtMs: number, legInfo: Readonly<Record<string, unknown>>): Promise<VenueOrder> {
    const { connector, clock, config, retry, metrics } = this.#deps;
    for (let attempt = 0; ; attempt++) {
      if (ctx.signal.aborted) throw timeoutError(config, attempt);
      ctx.markSent();
      const outcome = await attemptCall(clock, config.attempt_timeout_ms, ctx.signal, (signal) => connector.placeOrder(request, { signal }));
      metrics.executionAttempt(attemptMetric(outcome));
      switch (outcome.kind) {
        case 'ok':
          return outcome.value;
        case 'unknown':
          // the venue may have taken it at any moment of this attempt (retries, a stalled loop): the grace counts from the attempt's end
          return this.#resolver.resolve(ctx, request, record, Math.max(intentAtMs, clock.now()), outcome.error, legInfo);
        case 'definitive':
          throw outcome.error;
        case 'retryable': {
          if (attempt >= retry.maxRetries) {
            throw new ExecutionError(
              `order ${request.client_order_id} failed after ${attempt + 1} attempts: ${outcome.error.message}`,
              'RETRIES_EXHAUSTED',
              { client_order_id: request.client_order_id, attempts: attempt + 1, last_error_code: outcome.error.code },
              outcome.error,
            );
          }
          await this.#backoff(ctx, attempt, outcome.error, request.client_order_id);
        }
      }
    }
  }

  /** `execution`: a state-changing call, counted in the execution-attempt metric (reads are not). */
  async #idempotent<T>(ctx: ExecutionContext, what: string, call: (signal: AbortSignal) => Promise<T>, execution = true): Promise<T> {
    const { clock, config, retry, metrics } = this.#deps;
    for (let attempt = 0; ; attempt++) {
      if (ctx.signal.aborted) throw timeoutError(config, attempt);
      const outcome = await attemptCall(clock, config.attempt_timeout_ms, ctx.signal, call);
      if (execution) metrics.executionAttempt(attemptMetric(outcome));
      if (outcome.kind === 'ok') return outcome.value;
      if (outcome.kind === 'definitive') throw outcome.error;
      if (attempt >= retry.maxRetries) {
        throw new ExecutionError(`${what} failed after ${attempt + 1} attempts: ${errorMessage(outcome.error)}`, 'RETRIES_EXHAUSTED', { attempts: attempt + 1 }, outcome.error);
      }
      await this.#backoff(ctx, attempt, outcome.error, what);
    }
  }

  async #backoff(ctx: ExecutionContext, attempt: number, error: unknown, what: string): Promise<void> {
    const delay = retryDelay(attempt, this.#deps.retry, error, this.#deps.random);
    ctx.logger.warn({ err: error, attempt: attempt + 1, delay_ms: delay, what }, 'retrying after a retryable error');
    try {
      await this.#deps.clock.sleep(delay, ctx.signal);
    } catch {
      throw timeoutError(this.#deps.config, attempt + 1);
    }
  }
}

/** A leg written ahead and not yet sent (`declare`), or one an interrupted run already settled. */
export type DeclaredLeg =
  | { readonly kind: 'done'; readonly result: LegResult }
  | {
      readonly kind: 'declared';
      readonly request: OrderRequest;
      readonly record: OrderRecord;
      readonly intentAtMs: number;
      readonly legInfo: Readonly<Record<string, unknown>>;
    };

/** A cancel (changes null) or an amend written ahead and not yet sent. */
export interface DeclaredChange {
  readonly record: OrderRecord;
  readonly info: Readonly<Record<string, unknown>>;
  readonly changes: AmendRequest | null;
}


/** Whether the order carries the price its notional is measured at (a limit or a trigger). */
function ownPrice(request: OrderRequest): boolean {
  return notionalPrice(request.order_type, request.limit_price, request.stop_price, null) !== null;
}

/** One read per key, shared by every caller; a failed read is forgotten so the next caller asks again. */
function cached<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  const hit = map.get(key);
  if (hit) return hit;
  const pending = read();
  map.set(key, pending);
  pending.catch(() => map.delete(key));
  return pending;
}

function timeoutError(config: PlanExecutionConfig, attempts: number): ExecutionError {
  return new ExecutionError(`execution exceeded timeout_seconds (${config.timeout_seconds} s) after ${attempts} attempt(s)`, 'EXECUTION_TIMEOUT', {
    timeout_seconds: config.timeout_seconds,
    attempts,
  });
}

function attemptMetric(outcome: AttemptOutcome<unknown>): 'ok' | 'retryable' | 'rejected' | 'unknown' {
  switch (outcome.kind) {
    case 'ok':
      return 'ok';
    case 'retryable':
      return 'retryable';
    case 'definitive':
      return 'rejected';
    case 'unknown':
      return 'unknown';
  }
}

/** The leg's identity fields of an ORDER_INTENT body (what its ORDER_RESULT repeats). */
function pickLeg(intent: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const { action, leg, purpose, trade_id, client_order_id } = intent;
  return { action, leg, purpose, trade_id, client_order_id };
}
