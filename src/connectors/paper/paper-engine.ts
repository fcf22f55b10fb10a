import type { PaperConnectorConfig } from '../../config/schema.js';
import { isoTime } from '../../domain/clock.js';
import { Decimal, decimalToWire, roundToStep } from '../../domain/decimal.js';
import type { Direction } from '../../domain/enums.js';
import { ConfigError, ValidationError, VenueRejected } from '../../domain/errors.js';
import type { AmendRequest, ExecutionReport, OrderRequest, PositionMode, VenueOrder } from '../../ports/connector.js';
import { anyFaults, pickFault, type FaultedCall, type FaultKind } from './fault-plan.js';
import { type BarPrices, intrabarRank, type IntrabarRule, levelReached, type RestingLevels } from './bar-walk.js';
import { fee, fillChunk, isMarketable, isStopTriggered, splitQuantity, takerPrice } from './fill-model.js';
import { checkAmend, checkNewOrder, rejection, type RuleContext } from './order-rules.js';
import { toPaperFill, toPaperOrder, toVenueOrder, type PaperFill, type PaperOrder } from './paper-order-view.js';
import type { PaperInstrument } from './paper-instruments.js';
import { DEFAULT_POSITION, POSITION_MODE, type FillRow, type Liquidity, type OrderRow, type PaperStore, type RefusedRow } from './paper-store.js';
import { nextRandom } from './seeded-random.js';

/** One position the venue holds. position_id null: the default position (netting mode, or orders sent without one). */
export interface PaperPosition {
  readonly symbol: string;
  readonly position_id: string | null;
  /** Signed base quantity: BUY +, SELL −. */
  readonly size: Decimal;
}

export type PlaceOutcome = { readonly ok: true; readonly order: VenueOrder } | { readonly ok: false; readonly error: VenueRejected };

interface Executed {
  readonly order: OrderRow;
  readonly fills: readonly FillRow[];
}

const PRNG_STATE = 'fault_prng_state';
const PRNG_SEED = 'fault_prng_seed';

/**
 * The simulated exchange itself: order rules, matching against the reference price, fills and
 * positions, all synchronous and each request in one store transaction. Latency, faults and
 * listeners belong to PaperConnector.
 *
 * Positions follow `position_mode`. hedge: one position per (symbol, position_id), as in hedge
 * mode on derivatives venues; an order grows or shrinks its own position_id's position and a
 * reduce-only order may only reduce that one. netting: one net position per symbol, which every
 * order moves and every reduce-only order is checked against. The per-symbol net is kept in
 * both modes (the sum of the symbol's positions).
 */
export class PaperEngine {
  readonly #config: PaperConnectorConfig;
  readonly #instruments: ReadonlyMap<string, PaperInstrument>;
  readonly #store: PaperStore;
  #mode: PositionMode;

  constructor(config: PaperConnectorConfig, instruments: ReadonlyMap<string, PaperInstrument>, store: PaperStore, location = 'paper venue') {
    this.#config = config;
    this.#instruments = instruments;
    this.#store = store;
    this.#mode = config.position_mode;
    this.#adoptMode(location);
  }

  get positionMode(): PositionMode {
    return this.#mode;
  }

  instrument(symbol: string): PaperInstrument {
    const instrument = this.#instruments.get(symbol);
    if (!instrument) throw rejection('UNKNOWN_SYMBOL', `unknown symbol ${symbol}`, { symbol });
    return instrument;
  }

  /** The last price the feed set, if any. */
  lastPrice(symbol: string): Decimal | undefined {
    return this.#store.price(symbol);
  }

  /** The last price the feed set, else the configured one (refused under require_price). */
  referencePrice(symbol: string): Decimal {
    const instrument = this.instrument(symbol);
    const price = this.#store.price(symbol);
    if (price !== undefined) return price;
    if (this.#config.require_price) throw rejection('NO_PRICE', `no price for ${symbol} yet: nothing has priced it (connector.paper.require_price)`, { symbol });
    return instrument.reference_price;
  }

  /** One fault draw from the seeded sequence; the generator state lives in the venue file. */
  drawFault(call: FaultedCall): FaultKind {
    const faults = this.#config.faults;
    if (!anyFaults(faults)) return 'NONE';
    return this.#store.transaction(() => {
      const sameSeed = this.#store.counter(PRNG_SEED) === faults.seed;
      const state = sameSeed ? (this.#store.counter(PRNG_STATE) ?? faults.seed) : faults.seed;
      const draw = nextRandom(state);
      this.#store.setCounter(PRNG_SEED, faults.seed);
      this.#store.setCounter(PRNG_STATE, draw.state);
      return pickFault(draw.value, call, faults);
    });
  }

  recordAttempt(clientOrderId: string, outcome: string, nowMs: number): void {
    this.#store.transaction(() => this.#store.recordAttempt(clientOrderId, outcome, nowMs));
  }

  /** A submit refused without an order being created: counted, and remembered so find() reports it. */
  refuse(request: OrderRequest, error: VenueRejected, nowMs: number): void {
    this.#store.transaction(() => this.#remember(request, error, nowMs));
  }

  #remember(request: OrderRequest, error: VenueRejected, nowMs: number): void {
    this.#store.recordAttempt(request.client_order_id, error.code, nowMs);
    this.#store.recordRefused({
      client_order_id: request.client_order_id,
      symbol: request.symbol,
      side: request.side,
      order_type: request.order_type,
      quantity: request.quantity,
      limit_price: request.limit_price ?? null,
      stop_price: request.stop_price ?? null,
      reason: `${error.code}: ${error.message}`,
      at_ms: nowMs,
    });
  }

  place(request: OrderRequest, nowMs: number): PlaceOutcome {
    return this.#store.transaction((): PlaceOutcome => {
      const refuse = (error: VenueRejected): PlaceOutcome => {
        this.#remember(request, error, nowMs);
        return { ok: false, error };
      };
      const existing = this.#store.order(request.client_order_id);
      if (existing) {
        if (!this.#config.idempotent_submit) {
          // the id belongs to the order the venue has: counted, not remembered as a refusal
          const duplicate = rejection('DUPLICATE_CLIENT_ORDER_ID', `client order id ${request.client_order_id} is already used`, {
            client_order_id: request.client_order_id,
            venue_order_id: existing.venue_order_id,
          });
          this.#store.recordAttempt(request.client_order_id, duplicate.code, nowMs);
          return { ok: false, error: duplicate };
        }
        this.#store.recordAttempt(request.client_order_id, 'EXISTING', nowMs);
        return { ok: true, order: this.#view(existing) };
      }
      let ctx: RuleContext;
      try {
        ctx = this.#context(request.symbol, request.side, this.#positionOf(request));
      } catch (error) {
        if (error instanceof VenueRejected) return refuse(error);
        throw error;
      }
      const broken = checkNewOrder(request, ctx);
      if (broken) return refuse(broken);
      const order = this.#accept(request, nowMs, ctx);
      this.#store.recordAttempt(request.client_order_id, 'ACCEPTED', nowMs);
      return { ok: true, order: this.#view(order) };
    });
  }

  cancel(clientOrderId: string, symbol: string, nowMs: number): VenueOrder {
    return this.#store.transaction(() => {
      const order = this.#known(clientOrderId, symbol);
      if (!isResting(order)) return this.#view(order);
      const cancelled: OrderRow = { ...order, status: 'CANCELLED', updated_at_ms: nowMs };
      this.#store.updateOrder(cancelled);
      return this.#view(cancelled);
    });
  }

  amend(clientOrderId: string, symbol: string, changes: AmendRequest, nowMs: number): VenueOrder {
    return this.#store.transaction(() => {
      const order = this.#known(clientOrderId, symbol);
      if (!isResting(order)) {
        throw rejection('ORDER_NOT_OPEN', `order ${clientOrderId} is ${order.status}`, { status: order.status });
      }
      const ctx = this.#context(order.symbol, order.side, this.#positionOf(order));
      const terms = checkAmend(order, changes, ctx);
      if (terms instanceof VenueRejected) throw terms;
      const done = terms.quantity.eq(order.filled_quantity);
      let amended: OrderRow = { ...order, ...terms, status: done ? 'FILLED' : order.status, updated_at_ms: nowMs };
      this.#store.updateOrder(amended);
      // a limit moved through the price trades at once, as a taker
      if (!done && restsAsLimit(amended) && amended.limit_price && isMarketable(amended.side, amended.limit_price, ctx.reference)) {
        amended = this.#execute(amended, onTick(ctx.reference, ctx.instrument), 'TAKER', nowMs).order;
      }
      return this.#view(amended);
    });
  }

  /**
   * undefined when the venue does not know the order, or (like some exchanges) not yet. A submit
   * it refused is reported as a REJECTED order (as venues that keep rejected orders in their
   * history do), so "never received" and "refused" can be told apart after a crash.
   */
  find(clientOrderId: string, symbol: string, nowMs: number): VenueOrder | undefined {
    const order = this.#store.order(clientOrderId);
    if (!order) {
      const refused = this.#store.refused(clientOrderId);
      if (!refused || refused.symbol !== symbol || nowMs - refused.at_ms < this.#config.not_found_window_ms) return undefined;
      return refusedView(refused);
    }
    if (order.symbol !== symbol) return undefined;
    if (nowMs - order.created_at_ms < this.#config.not_found_window_ms) return undefined;
    return this.#view(order);
  }

  openOrders(symbol?: string): VenueOrder[] {
    return this.#store.restingOrders(symbol).map((order) => this.#view(order));
  }

  /** A new price from the feed: triggers stops and fills resting limits, oldest order first. */
  applyPrice(symbol: string, price: Decimal, nowMs: number): ExecutionReport[] {
    const instrument = this.instrument(symbol);
    if (!price.isFinite() || price.lte(0)) {
      throw new ValidationError([{ path: 'price', rule: 'positive', message: `must be greater than 0, got ${price.toString()}` }], 'setPrice');
    }
    return this.#store.transaction(() => {
      this.#store.setPrice(symbol, price, nowMs);
      const reports: ExecutionReport[] = [];
      for (const resting of this.#store.restingOrders(symbol)) {
        const changed = this.#onPrice(resting, price, instrument, nowMs);
        if (changed) reports.push({ order: this.#view(changed.order), new_fills: changed.fills.map(toPaperFill) });
      }
      return reports;
    });
  }

  /**
   * One OHLC bar of a symbol (backtest): its open acts like a price update (a stop the open is
   * past fills at the open: a gap), then each resting order the bar's range reaches acts at its
   * own level in the order `rule` gives (stops at their stop price plus slippage, limits at their
   * limit), then the close. Every order acts at most once per visit, so a partial fill takes at
   * most partial_fill_threshold per visit. The close becomes the last price.
   */
  applyBar(symbol: string, bar: BarPrices, rule: IntrabarRule, nowMs: number): ExecutionReport[] {
    const instrument = this.instrument(symbol);
    if (!bar.low.gt(0) || bar.high.lt(bar.low)) {
      throw new ValidationError([{ path: 'bar', rule: 'ohlc', message: `low must be > 0 and high >= low, got low ${bar.low.toString()} high ${bar.high.toString()}` }], 'applyBar');
    }
    return this.#store.transaction(() => {
      const reports: ExecutionReport[] = [];
      const visit = (order: OrderRow, price: Decimal): void => {
        const changed = this.#onPrice(order, price, instrument, nowMs);
        if (changed) reports.push({ order: this.#view(changed.order), new_fills: changed.fills.map(toPaperFill) });
      };
      for (const resting of this.#store.restingOrders(symbol)) visit(resting, bar.open);
      const inside = this.#store
        .restingOrders(symbol)
        .map((order) => ({ order, level: levelReached(order, bar) }))
        .filter((o): o is { order: OrderRow; level: Decimal } => o.level !== undefined)
        .sort((a, b) => intrabarRank(a.order, rule) - intrabarRank(b.order, rule) || a.order.seq - b.order.seq);
      for (const { order, level } of inside) {
        // an earlier fill of this bar may have ended it (a reduce-only target after its stop)
        const current = this.#store.order(order.client_order_id);
        if (current && isResting(current)) visit(current, level);
      }
      for (const resting of this.#store.restingOrders(symbol)) visit(resting, bar.close);
      this.#store.setPrice(symbol, bar.close, nowMs);
      return reports;
    });
  }

  /** The orders resting on `symbol`, oldest first. */
  restingOrders(symbol: string): readonly RestingLevels[] {
    return this.#store.restingOrders(symbol);
  }

  /** Set the price market orders and marketable limits take, without acting on resting orders (backtest: the next bar's open). */
  setReferencePrice(symbol: string, price: Decimal, nowMs: number): void {
    this.instrument(symbol);
    this.#store.transaction(() => this.#store.setPrice(symbol, price, nowMs));
  }

  netPositions(): Map<string, Decimal> {
    return this.#store.netPositions();
  }

  /** Every position the venue has held, flat ones with size 0. In netting mode: one per symbol, position_id null. */
  positions(): PaperPosition[] {
    return this.#store.positionSizes().map((p) => ({ symbol: p.symbol, position_id: p.position_id === DEFAULT_POSITION ? null : p.position_id, size: p.size }));
  }

  allOrders(): PaperOrder[] {
    return this.#store.allOrders().map((order) => toPaperOrder(order, this.#store.fillsOf(order.client_order_id)));
  }

  allFills(): PaperFill[] {
    return this.#store.allFills().map(toPaperFill);
  }

  fillsAfter(seq: number): (PaperFill & { readonly seq: number })[] {
    return this.#store.fillsAfter(seq).map((fill) => ({ ...toPaperFill(fill), seq: fill.seq }));
  }

  #onPrice(order: OrderRow, price: Decimal, instrument: PaperInstrument, nowMs: number): Executed | undefined {
    const isStop = order.order_type === 'STOP_MARKET' || order.order_type === 'STOP_LIMIT';
    if (isStop && !order.triggered) {
      if (!order.stop_price || !isStopTriggered(order.side, order.stop_price, price)) return undefined;
      const triggered: OrderRow = { ...order, triggered: true, updated_at_ms: nowMs };
      this.#store.updateOrder(triggered);
      if (order.order_type === 'STOP_MARKET') {
        return this.#execute(triggered, takerPrice(order.side, price, this.#config.slippage_bps, instrument.tick_size), 'TAKER', nowMs);
      }
      // a triggered stop-limit is a new limit order: it takes the price if it can, else rests
      if (triggered.limit_price && isMarketable(order.side, triggered.limit_price, price)) {
        return this.#execute(triggered, onTick(price, instrument), 'TAKER', nowMs);
      }
      return { order: triggered, fills: [] };
    }
    if (restsAsLimit(order) && order.limit_price && isMarketable(order.side, order.limit_price, price)) {
      const liquidity = fillChunk(this.#config.partial_fill_threshold, instrument.lot_size);
      return this.#execute(order, order.limit_price, 'MAKER', nowMs, liquidity);
    }
    return undefined;
  }

  #accept(request: OrderRequest, nowMs: number, ctx: RuleContext): OrderRow {
    const seq = this.#store.next('venue_order');
    const order: OrderRow = {
      seq,
      client_order_id: request.client_order_id,
      venue_order_id: `V${seq}`,
      symbol: request.symbol,
      side: request.side,
      order_type: request.order_type,
      time_in_force: request.time_in_force,
      quantity: request.quantity,
      limit_price: request.order_type === 'LIMIT' || request.order_type === 'STOP_LIMIT' ? (request.limit_price ?? null) : null,
      stop_price: request.order_type === 'STOP_LIMIT' || request.order_type === 'STOP_MARKET' ? (request.stop_price ?? null) : null,
      reduce_only: request.reduce_only,
      // the position it moves, fixed at acceptance (ctx.position: null = the default position)
      position_id: ctx.position,
      status: 'OPEN',
      filled_quantity: new Decimal(0),
      reject_reason: null,
      triggered: false,
      created_at_ms: nowMs,
      updated_at_ms: nowMs,
    };
    this.#store.insertOrder(order);
    const { instrument, reference } = ctx;
    switch (order.order_type) {
      case 'MARKET':
        return this.#execute(order, takerPrice(order.side, reference, this.#config.slippage_bps, instrument.tick_size), 'TAKER', nowMs).order;
      case 'LIMIT': {
        // a marketable limit takes the reference price, which is at least as good as its limit
        if (order.limit_price && isMarketable(order.side, order.limit_price, reference)) {
          return this.#execute(order, onTick(reference, instrument), 'TAKER', nowMs).order;
        }
        if (order.time_in_force === 'GTC') return order;
        const expired: OrderRow = { ...order, status: 'EXPIRED', reject_reason: `${order.time_in_force}: not marketable` };
        this.#store.updateOrder(expired);
        return expired;
      }
      case 'STOP_LIMIT':
      case 'STOP_MARKET':
        return order;
    }
  }

  /**
   * Fills what is left of `order` at `price`, in parts of at most partial_fill_threshold.
   * `liquidity` bounds a maker fill to one part per price update (what trades at that level);
   * the rest keeps resting, PARTIALLY_FILLED. A reduce-only order never takes its position (its
   * position_id's in hedge mode, the symbol's net in netting mode) past zero: what it cannot fill expires.
   */
  #execute(order: OrderRow, price: Decimal, role: Liquidity, nowMs: number, liquidity?: Decimal): Executed {
    const instrument = this.instrument(order.symbol);
    const position = this.#positionOf(order);
    const remaining = order.quantity.minus(order.filled_quantity);
    const allowed = order.reduce_only ? Decimal.min(remaining, this.#reducible(order.symbol, order.side, position)) : remaining;
    const quantity = liquidity === undefined ? allowed : Decimal.min(allowed, liquidity);
    const fills: FillRow[] = [];
    if (quantity.gt(0)) {
      const rate = role === 'MAKER' ? this.#config.maker_fee_rate : this.#config.taker_fee_rate;
      for (const part of splitQuantity(quantity, this.#config.partial_fill_threshold, instrument.lot_size)) {
        const seq = this.#store.next('venue_trade');
        const fill: FillRow = {
          seq,
          venue_trade_id: `T${seq}`,
          client_order_id: order.client_order_id,
          symbol: order.symbol,
          side: order.side,
          quantity: part,
          price,
          fee: fee(part, price, rate),
          fee_asset: instrument.quote_asset,
          liquidity: role,
          executed_at_ms: nowMs,
        };
        this.#store.insertFill(fill);
        fills.push(fill);
      }
      const signed = order.side === 'BUY' ? quantity : quantity.neg();
      this.#store.setPositionSize(order.symbol, position, this.#store.positionSize(order.symbol, position).plus(signed));
      this.#store.setNetPosition(order.symbol, this.#store.netPosition(order.symbol).plus(signed));
    }
    const filled = order.filled_quantity.plus(quantity);
    const updated: OrderRow = filled.gte(order.quantity)
      ? { ...order, filled_quantity: filled, status: 'FILLED', updated_at_ms: nowMs }
      : quantity.lt(allowed)
        ? { ...order, filled_quantity: filled, status: 'PARTIALLY_FILLED', updated_at_ms: nowMs }
        : {
            ...order,
            filled_quantity: filled,
            status: 'EXPIRED',
            reject_reason: `REDUCE_ONLY: only ${decimalToWire(quantity)} was left to reduce`,
            updated_at_ms: nowMs,
          };
    this.#store.updateOrder(updated);
    return { order: updated, fills };
  }

  /**
   * The position an order moves: its own position_id's in hedge mode, the symbol's one position in
   * netting mode. A reduce-only order for a position the venue never held reduces the default
   * position: that is a trade opened before the file had position modes (its size is in the
   * default position), so it can still be protected and closed after the upgrade.
   */
  #positionOf(order: { readonly symbol: string; readonly position_id?: string | null; readonly reduce_only: boolean }): string {
    if (this.#mode === 'netting' || !order.position_id) return DEFAULT_POSITION;
    if (order.reduce_only && !this.#store.hasPosition(order.symbol, order.position_id)) return DEFAULT_POSITION;
    return order.position_id;
  }

  /** How much an order on `side` may reduce `position` (0 when it would grow it). */
  #reducible(symbol: string, side: Direction, position: string): Decimal {
    const size = this.#store.positionSize(symbol, position);
    const reducible = side === 'BUY' ? size.neg() : size;
    return reducible.gt(0) ? reducible : new Decimal(0);
  }

  #context(symbol: string, side: Direction, position: string): RuleContext {
    return {
      instrument: this.instrument(symbol),
      reference: this.referencePrice(symbol),
      reducible: this.#reducible(symbol, side, position),
      position: position === DEFAULT_POSITION ? null : position,
      slippageBps: this.#config.slippage_bps,
    };
  }

  /**
   * A venue file keeps the mode it was created in. Opening it in the other mode is refused: hedge
   * positions cannot be merged into one net without making resting reduce-only orders invalid, and
   * a net cannot be split back into the trades it came from. A file from before position modes
   * (no mode recorded) adopts the configured one; its nets became the default position's sizes.
   */
  #adoptMode(location: string): void {
    this.#store.transaction(() => {
      const recorded = this.#store.setting(POSITION_MODE);
      if (this.#store.readonly) {
        // a reader (verify) sees the venue as it is, whatever the config says
        if (recorded === 'hedge' || recorded === 'netting') this.#mode = recorded;
        return;
      }
      if (recorded === undefined) {
        this.#store.setSetting(POSITION_MODE, this.#mode);
        return;
      }
      if (recorded === this.#mode) return;
      throw new ConfigError([
        {
          file: location,
          line: null,
          column: null,
          keyPath: 'connector.paper.position_mode',
          rule: 'venue_position_mode',
          message: `the venue file was created in ${recorded} mode and connector.paper.position_mode is ${this.#mode}; a venue cannot change position mode with positions on its books: set position_mode: ${recorded}, or use a new venue file (connector.paper.path or another --db)`,
        },
      ]);
    });
  }

  #known(clientOrderId: string, symbol: string): OrderRow {
    const order = this.#store.order(clientOrderId);
    if (!order || order.symbol !== symbol) {
      throw rejection('UNKNOWN_ORDER', `no order ${clientOrderId} on ${symbol}`, { client_order_id: clientOrderId, symbol });
    }
    return order;
  }

  #view(order: OrderRow): VenueOrder {
    return toVenueOrder(order, this.#store.fillsOf(order.client_order_id));
  }
}

function isResting(order: OrderRow): boolean {
  return order.status === 'OPEN' || order.status === 'PARTIALLY_FILLED';
}

/** A LIMIT, or a STOP_LIMIT whose stop has fired. */
function restsAsLimit(order: OrderRow): boolean {
  return order.order_type === 'LIMIT' || (order.order_type === 'STOP_LIMIT' && order.triggered);
}

/** A feed price as a tradeable price (the feed may quote off the tick grid). */
function onTick(price: Decimal, instrument: PaperInstrument): Decimal {
  const rounded = roundToStep(price, instrument.tick_size);
  return rounded.gt(0) ? rounded : instrument.tick_size;
}

function refusedView(refused: RefusedRow): VenueOrder {
  return {
    client_order_id: refused.client_order_id,
    venue_order_id: '',
    symbol: refused.symbol,
    side: refused.side,
    order_type: refused.order_type,
    quantity: refused.quantity,
    limit_price: refused.limit_price,
    stop_price: refused.stop_price,
    status: 'REJECTED',
    filled_quantity: new Decimal(0),
    average_fill_price: null,
    fills: [],
    reject_reason: refused.reason,
    created_at: isoTime(refused.at_ms),
    updated_at: isoTime(refused.at_ms),
  };
}
