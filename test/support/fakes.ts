import { createHash } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type {
  AmendRequest,
  CallOptions,
  ConnectorCapabilities,
  ExecutionListener,
  IAPIConnector,
  InstrumentRules,
  OrderRequest,
  VenueFill,
  VenueBalance,
  VenueOrder,
} from '../../src/ports/connector.js';
import type { Clock } from '../../src/domain/clock.js';
import { Decimal } from '../../src/domain/decimal.js';
import { UnknownOutcomeError, VenueRejected } from '../../src/domain/errors.js';
import type { Anomaly, FillRecord, OrderRecord, Position } from '../../src/domain/trading.js';
import type { Alert, IAlertSink } from '../../src/ports/alerts.js';
import type { BeginFlowResult, FlowRecord, FlowListFilter, IFlowStore } from '../../src/ports/flow-store.js';
import type { IJournalWriter, JournalEntry, JournalEntryInput, JournalFilter, JournalVerifyResult } from '../../src/ports/journal.js';
import { bodyJson } from '../../src/store/body-json.js';
import type { ILedgerProvider, LedgerApplyResult, LedgerChange, OrderFilter, PositionFilter } from '../../src/ports/ledger.js';
import type { IMetricsCollector } from '../../src/ports/metrics.js';
import type { FlowCompletionDTO } from '../../src/domain/dto.js';

export const silentLogger: Logger = pino({ level: 'silent' });

// ---------------------------------------------------------------------------------------------
// Fake venue
// ---------------------------------------------------------------------------------------------

/** What one scripted connector call does instead of the default behaviour. */
export type Step =
  | { readonly kind: 'throw'; readonly error: Error }
  /** Never answers; rejects with the signal's reason when aborted (an attempt timeout). */
  | { readonly kind: 'hang' }
  /** Takes effect (the order is placed), then the answer is lost. */
  | { readonly kind: 'accept_then_throw'; readonly error?: Error }
  /** Takes effect, then never answers. */
  | { readonly kind: 'accept_then_hang' }
  /** For fetchOrder: answer "not found" even if the order exists. */
  | { readonly kind: 'not_found' }
  | { readonly kind: 'default' };

export interface ConnectorCall {
  readonly method: string;
  readonly args: readonly unknown[];
  readonly at: number;
}

type ScriptedMethod = 'getInstrument' | 'getReferencePrice' | 'placeOrder' | 'cancelOrder' | 'amendOrder' | 'fetchOrder';

export const DEFAULT_RULES: Readonly<Record<string, InstrumentRules>> = {
  BTC_USDT: {
    symbol: 'BTC_USDT',
    base_asset: 'BTC',
    quote_asset: 'USDT',
    tick_size: new Decimal('0.1'),
    lot_size: new Decimal('0.001'),
    min_quantity: new Decimal('0.001'),
    min_notional: new Decimal('10'),
    max_quantity: null,
  },
  ETH_USDT: {
    symbol: 'ETH_USDT',
    base_asset: 'ETH',
    quote_asset: 'USDT',
    tick_size: new Decimal('0.01'),
    lot_size: new Decimal('0.01'),
    min_quantity: new Decimal('0.01'),
    min_notional: new Decimal('10'),
    max_quantity: null,
  },
};

export interface FakeConnectorOptions {
  readonly capabilities?: Partial<ConnectorCapabilities>;
  readonly clock: Clock;
  readonly prices?: Readonly<Record<string, string>>;
  readonly feeRate?: string;
}

/**
 * A venue in memory that records every call. MARKET orders fill at the reference price; LIMIT
 * orders fill at their price when marketable, else rest; stop orders rest until `trigger`.
 * Each method can be scripted call by call (`script`), e.g. to throw, hang or lose an answer.
 */
export class FakeConnector implements IAPIConnector {
  readonly venue = 'fake';
  capabilities: ConnectorCapabilities;
  readonly calls: ConnectorCall[] = [];
  readonly orders = new Map<string, VenueOrder>();
  readonly prices = new Map<string, Decimal>();
  readonly rules = new Map<string, InstrumentRules>(Object.entries(DEFAULT_RULES));
  /**
   * How fees are taken: `quote` (the default) charges every fill in the quote asset; `spot` as a
   * spot venue without a fee token: a BUY pays in the base asset it receives, a SELL in the quote;
   * `{ asset, amount }` charges that amount of a third asset (BNB) per fill.
   */
  feeModel: 'quote' | 'spot' | { readonly asset: string; readonly amount: string } = 'quote';
  /** Runs synchronously at the start of every placeOrder (write-ahead assertions). */
  beforePlace: ((request: OrderRequest) => void | Promise<void>) | null = null;
  readonly #clock: Clock;
  readonly #script = new Map<ScriptedMethod, Step[]>();
  readonly #listeners = new Set<ExecutionListener>();
  readonly #feeRate: Decimal;
  #tradeSeq = 0;
  #orderSeq = 0;
  /** Signed size per position (see #positionKey), and the position each order moves. */
  readonly #positions = new Map<string, Decimal>();
  readonly #positionOf = new Map<string, string>();

  constructor(options: FakeConnectorOptions) {
    this.#clock = options.clock;
    this.capabilities = {
      idempotentSubmit: false,
      nativeStops: true,
      partialFills: true,
      amendOrders: true,
      fetchByClientOrderId: true,
      positionMode: 'hedge',
      // the fake fills a market order at its reference: never beyond a cap
      marketSlippageCap: true,
      postOnly: false,
      nativeIceberg: false,
      shortSelling: true,
      ...options.capabilities,
    };
    for (const [symbol, price] of Object.entries(options.prices ?? { BTC_USDT: '65000', ETH_USDT: '3000' })) this.prices.set(symbol, new Decimal(price));
    this.#feeRate = new Decimal(options.feeRate ?? '0.001');
  }

  /** Queue steps for the next calls of `method` (consumed in order; afterwards: default behaviour). */
  script(method: ScriptedMethod, ...steps: Step[]): this {
    this.#script.set(method, [...(this.#script.get(method) ?? []), ...steps]);
    return this;
  }

  callsOf(method: string): ConnectorCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  placed(): OrderRequest[] {
    return this.callsOf('placeOrder').map((c) => c.args[0] as OrderRequest);
  }

  /**
   * Give `symbol` a lot of `lot` (Binance's BTCUSDT trades in 0.00001): a size net of a fee taken in
   * the base asset then stays on the lot, where a coarse lot would floor it when the leg is sent.
   */
  setLot(symbol: string, lot: string): void {
    const rules = this.rules.get(symbol);
    if (!rules) throw new Error(`fake venue: no rules for ${symbol}`);
    this.rules.set(symbol, { ...rules, lot_size: new Decimal(lot) });
  }

  setPrice(symbol: string, price: string): void {
    this.prices.set(symbol, new Decimal(price));
  }

  async getInstrument(symbol: string, options?: CallOptions): Promise<InstrumentRules> {
    this.#record('getInstrument', [symbol]);
    await this.#step('getInstrument', options);
    const rules = this.rules.get(symbol);
    if (!rules) throw new VenueRejected(`unknown symbol ${symbol}`, 'UNKNOWN_SYMBOL');
    return rules;
  }

  async getReferencePrice(symbol: string, options?: CallOptions): Promise<Decimal> {
    this.#record('getReferencePrice', [symbol]);
    await this.#step('getReferencePrice', options);
    const price = this.prices.get(symbol);
    if (!price) throw new VenueRejected(`no price for ${symbol}`, 'UNKNOWN_SYMBOL');
    return price;
  }

  async placeOrder(request: OrderRequest, options?: CallOptions): Promise<VenueOrder> {
    this.#record('placeOrder', [request]);
    if (this.beforePlace) await this.beforePlace(request);
    const step = this.#next('placeOrder');
    if (step.kind === 'accept_then_throw' || step.kind === 'accept_then_hang') {
      this.#accept(request);
      if (step.kind === 'accept_then_hang') return this.#hang(options);
      throw step.error ?? new UnknownOutcomeError('connection lost after send');
    }
    await this.#apply(step, options);
    return this.#accept(request);
  }

  async cancelOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder> {
    this.#record('cancelOrder', [clientOrderId, symbol]);
    await this.#step('cancelOrder', options);
    const order = this.orders.get(clientOrderId);
    if (!order) throw new VenueRejected(`unknown order ${clientOrderId}`, 'ORDER_NOT_FOUND');
    if (order.status === 'FILLED' || order.status === 'CANCELLED' || order.status === 'REJECTED' || order.status === 'EXPIRED') return order;
    const cancelled: VenueOrder = { ...order, status: 'CANCELLED', updated_at: this.#now() };
    this.orders.set(clientOrderId, cancelled);
    return cancelled;
  }

  async amendOrder(clientOrderId: string, symbol: string, changes: AmendRequest, options?: CallOptions): Promise<VenueOrder> {
    this.#record('amendOrder', [clientOrderId, symbol, changes]);
    await this.#step('amendOrder', options);
    const order = this.orders.get(clientOrderId);
    if (!order) throw new VenueRejected(`unknown order ${clientOrderId}`, 'ORDER_NOT_FOUND');
    const amended: VenueOrder = {
      ...order,
      quantity: changes.quantity ?? order.quantity,
      limit_price: changes.limit_price ?? order.limit_price,
      stop_price: changes.stop_price ?? order.stop_price,
      updated_at: this.#now(),
    };
    this.orders.set(clientOrderId, amended);
    return amended;
  }

  async fetchOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder | undefined> {
    this.#record('fetchOrder', [clientOrderId, symbol]);
    const step = this.#next('fetchOrder');
    if (step.kind === 'not_found') return undefined;
    await this.#apply(step, options);
    return this.orders.get(clientOrderId);
  }

  /** Client order ids fetchOpenOrders leaves out while fetchOrder still finds them (a listing that disagrees with the order). */
  readonly hiddenFromOpenOrders = new Set<string>();

  async fetchOpenOrders(symbol?: string): Promise<VenueOrder[]> {
    this.#record('fetchOpenOrders', [symbol]);
    return [...this.orders.values()].filter(
      (o) => (o.status === 'OPEN' || o.status === 'PARTIALLY_FILLED') && (!symbol || o.symbol === symbol) && !this.hiddenFromOpenOrders.has(o.client_order_id),
    );
  }

  /** Balances set by a test; null (the default) = a venue that keeps positions, not an account. */
  balances: VenueBalance[] | null = null;

  async fetchBalances(): Promise<readonly VenueBalance[] | null> {
    this.#record('fetchBalances', []);
    return this.balances;
  }

  onExecution(listener: ExecutionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {}

  /** The venue fills a resting order on its own (a limit reached, a stop triggered) and reports it. */
  trigger(clientOrderId: string, options: { price?: string; quantity?: string } = {}): VenueOrder {
    const order = this.orders.get(clientOrderId);
    if (!order) throw new Error(`fake venue: no order ${clientOrderId}`);
    const remaining = order.quantity.minus(order.filled_quantity);
    const quantity = options.quantity ? new Decimal(options.quantity) : remaining;
    const price = options.price ? new Decimal(options.price) : order.stop_price ?? order.limit_price ?? (this.prices.get(order.symbol) as Decimal);
    const fill = this.#fill(order, quantity, price);
    const updated = this.#withFills(order, [fill]);
    this.orders.set(clientOrderId, updated);
    for (const listener of [...this.#listeners]) listener({ order: updated, new_fills: [fill] });
    return updated;
  }

  /** Report an order the planexec side never sent (an external order). */
  emit(order: VenueOrder, newFills: readonly VenueFill[] = order.fills): void {
    for (const listener of [...this.#listeners]) listener({ order, new_fills: newFills });
  }

  /**
   * The venue moves its price: resting limits and stops it crosses fill and are reported, as a
   * real venue's would (setPrice only changes the reference).
   */
  movePrice(symbol: string, price: string): VenueOrder[] {
    this.setPrice(symbol, price);
    const to = new Decimal(price);
    const crossed = [...this.orders.values()].filter((o) => o.symbol === symbol && (o.status === 'OPEN' || o.status === 'PARTIALLY_FILLED') && crosses(o, to));
    return crossed.map((o) => this.trigger(o.client_order_id));
  }

  #accept(request: OrderRequest): VenueOrder {
    const existing = this.orders.get(request.client_order_id);
    if (existing) {
      if (this.capabilities.idempotentSubmit) return existing;
      throw new VenueRejected(`duplicate client order id ${request.client_order_id}`, 'DUPLICATE_CLIENT_ORDER_ID');
    }
    this.#checkRules(request);
    this.#positionOf.set(request.client_order_id, this.#positionKey(request));
    const now = this.#now();
    let order: VenueOrder = {
      client_order_id: request.client_order_id,
      venue_order_id: `V${++this.#orderSeq}`,
      symbol: request.symbol,
      side: request.side,
      order_type: request.order_type,
      quantity: request.quantity,
      limit_price: request.limit_price ?? null,
      stop_price: request.stop_price ?? null,
      status: 'OPEN',
      filled_quantity: new Decimal(0),
      average_fill_price: null,
      fills: [],
      reject_reason: null,
      created_at: now,
      updated_at: now,
    };
    const reference = this.prices.get(request.symbol) as Decimal;
    const marketable =
      request.order_type === 'MARKET' ||
      (request.order_type === 'LIMIT' && request.limit_price !== undefined && (request.side === 'BUY' ? request.limit_price.gte(reference) : request.limit_price.lte(reference)));
    if (marketable) {
      const price = request.order_type === 'MARKET' ? reference : (request.limit_price as Decimal);
      order = this.#withFills(order, [this.#fill(order, request.quantity, price)]);
    }
    this.orders.set(request.client_order_id, order);
    return order;
  }

  /** What the connector contract needs refused: unknown symbols, sizes below the minimum, reduce-only past the position. */
  #checkRules(request: OrderRequest): void {
    const rules = this.rules.get(request.symbol);
    if (!rules || !this.prices.has(request.symbol)) throw new VenueRejected(`unknown symbol ${request.symbol}`, 'UNKNOWN_SYMBOL');
    if (request.quantity.lt(rules.min_quantity)) throw new VenueRejected(`quantity ${request.quantity.toString()} is below ${rules.min_quantity.toString()}`, 'LOT_SIZE');
    if (!request.reduce_only) return;
    const size = this.#positions.get(this.#positionKey(request)) ?? new Decimal(0);
    const reducible = request.side === 'BUY' ? size.neg() : size;
    if (request.quantity.gt(reducible)) throw new VenueRejected(`reduce-only ${request.quantity.toString()} exceeds the position ${size.toString()}`, 'REDUCE_ONLY');
  }

  /** hedge: one position per position_id; netting: one per symbol. */
  #positionKey(request: OrderRequest): string {
    return this.capabilities.positionMode === 'hedge' ? `${request.symbol}|${request.position_id ?? ''}` : request.symbol;
  }

  #fill(order: VenueOrder, quantity: Decimal, price: Decimal): VenueFill {
    const key = this.#positionOf.get(order.client_order_id) ?? order.symbol;
    const size = this.#positions.get(key) ?? new Decimal(0);
    this.#positions.set(key, order.side === 'BUY' ? size.plus(quantity) : size.minus(quantity));
    return {
      venue_trade_id: `FT${++this.#tradeSeq}`,
      client_order_id: order.client_order_id,
      quantity,
      price,
      ...this.#fee(order, quantity, price),
      executed_at: this.#now(),
    };
  }

  #fee(order: VenueOrder, quantity: Decimal, price: Decimal): { fee: Decimal; fee_asset: string } {
    const [base, quote] = order.symbol.split('_') as [string, string];
    if (typeof this.feeModel === 'object') return { fee: new Decimal(this.feeModel.amount), fee_asset: this.feeModel.asset };
    if (this.feeModel === 'spot' && order.side === 'BUY') return { fee: quantity.mul(this.#feeRate), fee_asset: base };
    return { fee: quantity.mul(price).mul(this.#feeRate), fee_asset: quote };
  }

  #withFills(order: VenueOrder, fills: readonly VenueFill[]): VenueOrder {
    const all = [...order.fills, ...fills];
    const filled = all.reduce((sum, f) => sum.plus(f.quantity), new Decimal(0));
    const cost = all.reduce((sum, f) => sum.plus(f.quantity.mul(f.price)), new Decimal(0));
    return {
      ...order,
      fills: all,
      filled_quantity: filled,
      average_fill_price: filled.isZero() ? null : cost.div(filled),
      status: filled.gte(order.quantity) ? 'FILLED' : 'PARTIALLY_FILLED',
      updated_at: this.#now(),
    };
  }

  #record(method: string, args: unknown[]): void {
    this.calls.push({ method, args, at: this.#clock.now() });
  }

  #next(method: ScriptedMethod): Step {
    const queue = this.#script.get(method);
    return queue?.shift() ?? { kind: 'default' };
  }

  async #step(method: ScriptedMethod, options?: CallOptions): Promise<void> {
    await this.#apply(this.#next(method), options);
  }

  async #apply(step: Step, options?: CallOptions): Promise<void> {
    switch (step.kind) {
      case 'throw':
        throw step.error;
      case 'hang':
      case 'accept_then_hang':
        return this.#hang(options);
      default:
        return;
    }
  }

  #hang(options?: CallOptions): Promise<never> {
    return new Promise<never>((_, reject) => {
      const signal = options?.signal;
      if (!signal) return;
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

/** Whether a price move to `price` reaches a resting order's limit or stop. */
function crosses(order: VenueOrder, price: Decimal): boolean {
  const level = order.order_type === 'LIMIT' ? order.limit_price : order.stop_price;
  if (!level) return false;
  // a BUY limit and a SELL stop are reached from above, the others from below
  const fromAbove = (order.order_type === 'LIMIT') === (order.side === 'BUY');
  return fromAbove ? price.lte(level) : price.gte(level);
}

// ---------------------------------------------------------------------------------------------
// In-memory ledger, journal and flow store implementing the ports
// ---------------------------------------------------------------------------------------------

type BeforeImage =
  | { readonly table: 'position'; readonly key: string; readonly before: Position | undefined }
  | { readonly table: 'order'; readonly key: string; readonly before: OrderRecord | undefined }
  | { readonly table: 'fill'; readonly key: string };

/** A failure to inject: a predicate over the call's input; true → the call throws. */
export type FaultRule<T> = (input: T) => boolean;

export class InMemoryLedger implements ILedgerProvider {
  readonly positions = new Map<string, Position>();
  readonly orders = new Map<string, OrderRecord>();
  readonly fills = new Map<string, FillRecord>();
  readonly anomalies: Anomaly[] = [];
  readonly changes: LedgerChange[] = [];
  readonly rollbacks: string[] = [];
  failApply: FaultRule<LedgerChange> | null = null;
  /** A write failed on purpose: the ledger may hold less than the journal says (the projection check leaves the world out). */
  faultInjected = false;
  readonly #history = new Map<string, BeforeImage[]>();

  async apply(change: LedgerChange): Promise<LedgerApplyResult> {
    if (this.failApply?.(change)) {
      this.faultInjected = true;
      throw new Error('ledger: disk I/O error');
    }
    this.changes.push(change);
    const images = change.directive_id ? (this.#history.get(change.directive_id) ?? []) : [];
    const duplicate_fills: string[] = [];
    for (const p of change.positions ?? []) {
      images.push({ table: 'position', key: p.trade_id, before: this.positions.get(p.trade_id) });
      this.positions.set(p.trade_id, p);
    }
    for (const o of change.orders ?? []) {
      images.push({ table: 'order', key: o.client_order_id, before: this.orders.get(o.client_order_id) });
      this.orders.set(o.client_order_id, o);
    }
    for (const f of change.fills ?? []) {
      const key = `${f.venue}:${f.venue_trade_id}`;
      if (this.fills.has(key)) {
        duplicate_fills.push(f.venue_trade_id);
        continue;
      }
      images.push({ table: 'fill', key });
      this.fills.set(key, f);
    }
    this.anomalies.push(...(change.anomalies ?? []));
    if (change.directive_id) this.#history.set(change.directive_id, images);
    return { duplicate_fills };
  }

  async getPosition(tradeId: string): Promise<Position | undefined> {
    return this.positions.get(tradeId);
  }

  async listPositions(filter: PositionFilter = {}): Promise<Position[]> {
    return [...this.positions.values()].filter(
      (p) => (!filter.status || p.status === filter.status) && (!filter.strategy_id || p.strategy_id === filter.strategy_id) && (!filter.symbol || p.symbol === filter.symbol) &&
        (!filter.direction || p.direction === filter.direction),
    );
  }

  async getOrder(clientOrderId: string): Promise<OrderRecord | undefined> {
    return this.orders.get(clientOrderId);
  }

  async listOrders(filter: OrderFilter = {}): Promise<OrderRecord[]> {
    return [...this.orders.values()].filter(
      (o) =>
        (!filter.trade_id || o.trade_id === filter.trade_id) &&
        (!filter.directive_id || o.directive_id === filter.directive_id) &&
        (!filter.statuses || filter.statuses.includes(o.status)),
    );
  }

  async listFills(filter: { trade_id?: string; client_order_id?: string } = {}): Promise<FillRecord[]> {
    return [...this.fills.values()].filter((f) => (!filter.trade_id || f.trade_id === filter.trade_id) && (!filter.client_order_id || f.client_order_id === filter.client_order_id));
  }

  async listAnomalies(): Promise<Anomaly[]> {
    return [...this.anomalies];
  }

  async rollbackDirective(directiveId: string): Promise<number> {
    this.rollbacks.push(directiveId);
    const images = this.#history.get(directiveId) ?? [];
    for (const image of [...images].reverse()) {
      if (image.table === 'fill') this.fills.delete(image.key);
      else if (image.table === 'position') {
        if (image.before) this.positions.set(image.key, image.before);
        else this.positions.delete(image.key);
      } else if (image.before) this.orders.set(image.key, image.before);
      else this.orders.delete(image.key);
    }
    this.#history.delete(directiveId);
    return images.length;
  }

  async close(): Promise<void> {}
}

export class InMemoryJournal implements IJournalWriter {
  readonly entries: JournalEntry[] = [];
  failWrite: FaultRule<JournalEntryInput> | null = null;
  /** A write failed on purpose: the journal may lack what the tables hold (the projection check leaves the world out). */
  faultInjected = false;

  async logEntry(entry: JournalEntryInput): Promise<JournalEntry> {
    return this.#append(entry);
  }

  async logError(entry: JournalEntryInput): Promise<JournalEntry> {
    return this.#append(entry);
  }

  async append(entries: readonly JournalEntryInput[]): Promise<JournalEntry[]> {
    return entries.map((e) => this.#append(e));
  }

  async read(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const out = this.entries.filter(
      (e) =>
        (!filter.directive_id || e.directive_id === filter.directive_id) &&
        (!filter.flow_id || e.flow_id === filter.flow_id) &&
        (filter.after_seq === undefined || e.seq > filter.after_seq),
    );
    return filter.limit === undefined ? out : out.slice(0, filter.limit);
  }

  async verify(): Promise<JournalVerifyResult> {
    return { ok: true, entries: this.entries.length };
  }

  async close(): Promise<void> {}

  ofType(eventType: string): JournalEntry[] {
    return this.entries.filter((e) => e.event_type === eventType);
  }

  #append(input: JournalEntryInput): JournalEntry {
    if (this.failWrite?.(input)) {
      this.faultInjected = true;
      throw new Error('journal: database is locked');
    }
    const seq = this.entries.length + 1;
    const prev_hash = this.entries.at(-1)?.hash ?? '0'.repeat(64);
    const hash = createHash('sha256').update(prev_hash + JSON.stringify(input)).digest('hex');
    // kept as a store reads it back: the body's JSON (Decimals as their wire text)
    const body = JSON.parse(bodyJson(input.body)) as JournalEntry['body'];
    const entry: JournalEntry = { ...input, body, seq, entry_id: input.entry_id ?? `JRN_${seq}`, prev_hash, hash };
    this.entries.push(entry);
    return entry;
  }
}

export class InMemoryFlowStore implements IFlowStore {
  readonly records = new Map<string, FlowRecord>();
  readonly finished: FlowCompletionDTO[] = [];
  failBegin = false;
  readonly #journal: IJournalWriter;

  constructor(journal: IJournalWriter) {
    this.#journal = journal;
  }

  async begin(
    flow: { readonly flow_id: string; readonly directive_id: string | null; readonly strategy_id: string | null; readonly started_at: string },
    accepted: JournalEntryInput,
  ): Promise<BeginFlowResult> {
    if (this.failBegin) throw new Error('flow store: database is locked');
    const existing =
      this.records.get(flow.flow_id) ?? (flow.directive_id === null ? undefined : [...this.records.values()].find((r) => r.directive_id === flow.directive_id));
    if (existing) return { status: 'duplicate', flow: existing };
    const entry = await this.#journal.logEntry(accepted);
    this.records.set(flow.flow_id, {
      ...flow,
      status: 'RUNNING',
      final_state: null,
      reason: null,
      error_details: null,
      completed_at: null,
      duration_ms: null,
    });
    return { status: 'started', entry_id: entry.entry_id, durable: Promise.resolve() };
  }

  async finish(completion: FlowCompletionDTO): Promise<void> {
    this.finished.push(completion);
    const record = this.records.get(completion.flow_id);
    if (!record) return;
    this.records.set(completion.flow_id, {
      ...record,
      status: completion.outcome,
      final_state: completion.final_state,
      reason: completion.reason,
      error_details: completion.error_details,
      completed_at: completion.completion_time,
      duration_ms: completion.duration_ms,
    });
  }

  async get(flowId: string): Promise<FlowRecord | undefined> {
    return this.records.get(flowId);
  }

  async listUnfinished(): Promise<FlowRecord[]> {
    return [...this.records.values()].filter((r) => r.status === 'RUNNING');
  }

  async counts(): Promise<Readonly<Record<'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT', number>>> {
    const counts = { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, IN_DOUBT: 0 };
    for (const r of this.records.values()) counts[r.status] += 1;
    return counts;
  }

  async list(filter: FlowListFilter): Promise<FlowRecord[]> {
    const key = (r: { readonly started_at: string; readonly flow_id: string }) => `${r.started_at}\u0000${r.flow_id}`;
    return [...this.records.values()]
      .filter((r) => (filter.status === undefined || r.status === filter.status) && (filter.strategy_id === undefined || r.strategy_id === filter.strategy_id))
      .filter((r) => (filter.since === undefined || r.started_at >= filter.since) && (filter.before === undefined || key(r) < key(filter.before)))
      .sort((a, b) => (key(a) < key(b) ? 1 : -1))
      .slice(0, filter.limit);
  }
}

export class RecordingAlerts implements IAlertSink {
  readonly alerts: Alert[] = [];

  async send(alert: Alert): Promise<void> {
    this.alerts.push(alert);
  }

  codes(): string[] {
    return this.alerts.map((a) => a.code);
  }
}

export class RecordingMetrics implements IMetricsCollector {
  readonly attempts: string[] = [];
  readonly slow: number[] = [];
  readonly anomalies: string[] = [];
  readonly completed: { finalState: string; outcome: string; durationMs: number }[] = [];

  flowCompleted(finalState: string, outcome: string, durationMs: number): void {
    this.completed.push({ finalState, outcome, durationMs });
  }

  executionAttempt(result: 'ok' | 'retryable' | 'rejected' | 'unknown'): void {
    this.attempts.push(result);
  }

  slowExecution(durationMs: number): void {
    this.slow.push(durationMs);
  }

  anomaly(kind: Anomaly['kind']): void {
    this.anomalies.push(kind);
  }
}
