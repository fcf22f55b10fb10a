import type { PaperConnectorConfig } from '../../config/schema.js';
import type { Clock } from '../../domain/clock.js';
import type { Decimal } from '../../domain/decimal.js';
import { PlanexecError, TransientError, UnknownOutcomeError } from '../../domain/errors.js';
import type {
  AmendRequest,
  CallOptions,
  ConnectorCapabilities,
  ExecutionListener,
  ExecutionReport,
  IAPIConnector,
  InstrumentRules,
  OrderRequest,
  VenueBalance,
  VenueOrder,
} from '../../ports/connector.js';
import type { BarPrices, IntrabarRule, RestingLevels } from './bar-walk.js';
import type { FaultedCall, FaultKind } from './fault-plan.js';
import { ExecutionListeners } from '../execution-listeners.js';
import { rejection } from './order-rules.js';
import { PaperEngine, type PaperPosition } from './paper-engine.js';
import { resolveInstruments } from './paper-instruments.js';
import type { PaperFill, PaperOrder } from './paper-order-view.js';
import { copyPaperStore } from './copy-paper-store.js';
import { openPaperStore } from './open-paper-store.js';
import type { PaperStore, SubmitAttempt, VenueOwner } from './paper-store.js';

export interface PaperConnectorOptions {
  readonly clock: Clock;
  /** Venue name, part of fill identity; default `paper`. */
  readonly venue?: string;
  /** Told what an execution listener threw; the venue itself carries on either way. */
  readonly onListenerError?: (error: unknown, report: ExecutionReport) => void;
  /** Open the venue file read-only (it must exist): look-ups work, anything that writes fails. */
  readonly readonly?: boolean;
}

type CallName = 'getInstrument' | 'getReferencePrice' | 'placeOrder' | 'cancelOrder' | 'amendOrder' | 'fetchOrder' | 'fetchOpenOrders';

const FAULTED: Readonly<Partial<Record<CallName, FaultedCall>>> = {
  placeOrder: 'place',
  cancelOrder: 'cancel',
  amendOrder: 'amend',
  fetchOrder: 'fetch',
};

const WRITES: ReadonlySet<CallName> = new Set(['placeOrder', 'cancelOrder', 'amendOrder']);

/**
 * A simulated exchange behind IAPIConnector. Its state (orders, fills, prices, positions in the
 * configured position mode, submit attempts) lives in its own SQLite file, so it outlives planexec restarts as a real venue
 * would (path ':memory:': in this process's memory instead). Every call takes `latency_ms` of the
 * injected clock, half on the way in and half on the way out, so an abort can land before or after
 * the request took effect; a seeded fault plan injects transient errors, rejections and timeouts
 * whose outcome the caller cannot know.
 */
export class PaperConnector implements IAPIConnector {
  readonly venue: string;
  readonly capabilities: ConnectorCapabilities;
  readonly #clock: Clock;
  readonly #store: PaperStore;
  readonly #engine: PaperEngine;
  readonly #requestLegMs: number;
  readonly #responseLegMs: number;
  readonly #listeners: ExecutionListeners;

  constructor(config: PaperConnectorConfig, options: PaperConnectorOptions) {
    this.venue = options.venue ?? 'paper';
    this.capabilities = {
      idempotentSubmit: config.idempotent_submit,
      nativeStops: true,
      partialFills: true,
      amendOrders: true,
      fetchByClientOrderId: true,
      positionMode: config.position_mode,
      shortSelling: true,
      marketSlippageCap: true,
      postOnly: true,
      nativeIceberg: false,
    };
    this.#clock = options.clock;
    this.#listeners = new ExecutionListeners(options.onListenerError ?? (() => undefined));
    this.#requestLegMs = Math.floor(config.latency_ms / 2);
    this.#responseLegMs = config.latency_ms - this.#requestLegMs;
    this.#store = openPaperStore(config.path, { readonly: options.readonly === true });
    try {
      this.#engine = new PaperEngine(config, resolveInstruments(config.instruments), this.#store, config.path);
    } catch (error) {
      this.#store.close();
      throw error;
    }
  }

  /** Record which ledger this venue serves, unless another one is recorded: returns the recorded owner. */
  claimOwner(ledger: VenueOwner): VenueOwner {
    return this.#store.claimOwner(ledger, this.#clock.now());
  }

  getInstrument(symbol: string, options?: CallOptions): Promise<InstrumentRules> {
    return this.#call('getInstrument', options, () => {
      const { reference_price: _price, ...rules } = this.#engine.instrument(symbol);
      return rules;
    });
  }

  getReferencePrice(symbol: string, options?: CallOptions): Promise<Decimal> {
    return this.#call('getReferencePrice', options, () => this.#engine.referencePrice(symbol));
  }

  placeOrder(request: OrderRequest, options?: CallOptions): Promise<VenueOrder> {
    return this.#call(
      'placeOrder',
      options,
      (fault) => {
        if (fault === 'REJECTION') {
          const refused = rejection('SIMULATED_REJECTION', `simulated rejection of ${request.client_order_id}`);
          this.#engine.refuse(request, refused, this.#clock.now());
          throw refused;
        }
        const outcome = this.#engine.place(request, this.#clock.now());
        if (!outcome.ok) throw outcome.error;
        return outcome.order;
      },
      () => this.#engine.recordAttempt(request.client_order_id, 'TRANSIENT', this.#clock.now()),
    );
  }

  cancelOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder> {
    return this.#call('cancelOrder', options, () => this.#engine.cancel(clientOrderId, symbol, this.#clock.now()));
  }

  amendOrder(clientOrderId: string, symbol: string, changes: AmendRequest, options?: CallOptions): Promise<VenueOrder> {
    return this.#call('amendOrder', options, () => this.#engine.amend(clientOrderId, symbol, changes, this.#clock.now()));
  }

  fetchOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder | undefined> {
    return this.#call('fetchOrder', options, () => this.#engine.find(clientOrderId, symbol, this.#clock.now()));
  }

  fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<VenueOrder[]> {
    return this.#call('fetchOpenOrders', options, () => this.#engine.openOrders(symbol));
  }

  /** The simulator keeps positions, not an account. */
  fetchBalances(_options?: CallOptions): Promise<readonly VenueBalance[] | null> {
    return Promise.resolve(null);
  }

  onExecution(listener: ExecutionListener): () => void {
    return this.#listeners.add(listener);
  }

  /**
   * The price feed: records `price` for `symbol`, then triggers stops and fills resting limits.
   * Listeners hear of each changed order after the change is committed; the reports are returned.
   */
  async setPrice(symbol: string, price: Decimal): Promise<ExecutionReport[]> {
    this.#ensureOpen();
    const reports = this.#engine.applyPrice(symbol, price, this.#clock.now());
    for (const report of reports) this.#deliver(report);
    return reports;
  }

  /**
   * Backtest: one OHLC bar of `symbol` (see PaperEngine.applyBar for the walk). Listeners hear of
   * each changed order after the change is committed; the reports are returned.
   */
  applyBar(symbol: string, bar: BarPrices, rule: IntrabarRule): ExecutionReport[] {
    this.#ensureOpen();
    const reports = this.#engine.applyBar(symbol, bar, rule, this.#clock.now());
    for (const report of reports) this.#deliver(report);
    return reports;
  }

  /** Backtest: the price the next market order of `symbol` takes (the coming bar's open), resting orders untouched. */
  setReferencePrice(symbol: string, price: Decimal): void {
    this.#ensureOpen();
    this.#engine.setReferencePrice(symbol, price, this.#clock.now());
  }

  /** Whether the venue lists `symbol`. */
  lists(symbol: string): boolean {
    try {
      this.#engine.instrument(symbol);
      return true;
    } catch {
      return false;
    }
  }

  /** The orders resting on `symbol` with their levels, oldest first. */
  restingOrders(symbol: string): readonly RestingLevels[] {
    this.#ensureOpen();
    return this.#engine.restingOrders(symbol);
  }

  /** The last price the feed set for `symbol` (kept in the venue file), undefined when none was set. */
  lastPrice(symbol: string): Decimal | undefined {
    this.#ensureOpen();
    return this.#engine.lastPrice(symbol);
  }

  /** Signed net base quantity per symbol over every fill (BUY +, SELL −). */
  netPositions(): Map<string, Decimal> {
    this.#ensureOpen();
    return this.#engine.netPositions();
  }

  /**
   * Every position the venue holds or held (flat ones with size 0): per (symbol, position_id) in
   * hedge mode, where position_id is the trade id planexec sent; one per symbol (position_id
   * null) in netting mode. The per-symbol sums are netPositions().
   */
  positions(): PaperPosition[] {
    this.#ensureOpen();
    return this.#engine.positions();
  }

  /**
   * Submits the venue processed: for one client order id, or in all. A simulated transient error
   * refuses a submit before processing, so it is not counted (it is in submitAttemptLog).
   */
  submitAttempts(clientOrderId?: string): number {
    return this.submitAttemptLog(clientOrderId).filter((a) => a.outcome !== 'TRANSIENT').length;
  }

  /** Processed submits per client order id (a leg sent twice shows as 2). */
  submitAttemptCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const attempt of this.submitAttemptLog()) {
      if (attempt.outcome !== 'TRANSIENT') counts.set(attempt.client_order_id, (counts.get(attempt.client_order_id) ?? 0) + 1);
    }
    return counts;
  }

  /** Every submit that reached the venue, oldest first, with what the venue did with it. */
  submitAttemptLog(clientOrderId?: string): SubmitAttempt[] {
    this.#ensureOpen();
    return this.#store.attempts(clientOrderId);
  }

  /** Every order the venue accepted, oldest first, with simulator-only fields. */
  allOrders(): PaperOrder[] {
    this.#ensureOpen();
    return this.#engine.allOrders();
  }

  allFills(): PaperFill[] {
    this.#ensureOpen();
    return this.#engine.allFills();
  }

  /** The fills with a seq above `seq`, oldest first, each with its seq (a backtest follows its equity this way). */
  fillsAfter(seq: number): (PaperFill & { readonly seq: number })[] {
    this.#ensureOpen();
    return this.#engine.fillsAfter(seq);
  }

  /**
   * Write the venue's whole state to a new venue file at `path` (a backtest keeps its venue in
   * memory and saves it beside its database at the end), owned by `owner`.
   */
  saveCopy(path: string, symbols: readonly string[], owner: VenueOwner): void {
    this.#ensureOpen();
    const target = openPaperStore(path);
    try {
      copyPaperStore(this.#store, target, symbols, owner, this.#clock.now());
    } finally {
      target.close();
    }
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#store.close();
    return Promise.resolve();
  }

  /**
   * One venue call: the request leg, the fault draw, the effect, the response leg. A timeout
   * fault and an abort after the request left both leave the effect in place and throw
   * UnknownOutcomeError for writes (the caller cannot tell whether it happened).
   */
  async #call<T>(name: CallName, options: CallOptions | undefined, perform: (fault: FaultKind) => T, onTransient?: () => void): Promise<T> {
    const signal = options?.signal;
    if (signal?.aborted) {
      throw new TransientError(`${name}: aborted before it was sent`, 'ABORTED_BEFORE_SEND', { call: name }, signal.reason);
    }
    this.#ensureOpen();
    await this.#travel(name, this.#requestLegMs, signal);
    this.#ensureOpen();
    const faulted = FAULTED[name];
    const fault = faulted === undefined ? 'NONE' : this.#engine.drawFault(faulted);
    if (fault === 'TRANSIENT') {
      onTransient?.();
      throw new TransientError(`${name}: simulated transient venue error`, 'SIMULATED_TRANSIENT', { call: name });
    }
    let outcome: { readonly value: T } | { readonly error: unknown };
    try {
      outcome = { value: perform(fault) };
    } catch (error) {
      outcome = { error };
    }
    await this.#travel(name, this.#responseLegMs, signal);
    if (fault === 'TIMEOUT') {
      throw new UnknownOutcomeError(`${name}: simulated timeout after the request reached the venue`, 'SIMULATED_TIMEOUT', { call: name });
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }

  async #travel(name: CallName, ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      if (ms > 0) await this.#clock.sleep(ms, signal);
      else if (signal?.aborted) throw signal.reason;
    } catch (reason) {
      if (WRITES.has(name)) {
        throw new UnknownOutcomeError(`${name}: aborted in flight; the venue may have acted`, 'ABORTED_IN_FLIGHT', { call: name }, reason);
      }
      throw new TransientError(`${name}: aborted in flight`, 'ABORTED_IN_FLIGHT', { call: name }, reason);
    }
  }

  #deliver(report: ExecutionReport): void {
    this.#listeners.deliver(report);
  }

  #ensureOpen(): void {
    if (!this.#store.isOpen) throw new PlanexecError(`paper venue ${this.venue} is closed`, { code: 'CONNECTOR_CLOSED' });
  }
}
