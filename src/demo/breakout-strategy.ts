import { Decimal, decimalToWire, floorToStep, roundToStep } from '../domain/decimal.js';
import type { ExecutionDirectiveWire } from '../domain/directive.js';
import type { Direction } from '../domain/enums.js';
import { type DemoIds, isoSecond } from './demo-ids.js';
import type { DemoInstrument } from './demo-instruments.js';
import type { Random } from './prng.js';

/** What a directive is for, so the demo can report it and tests can check it. */
export type DemoDirectiveKind = 'NEW_TRADE' | 'MODIFY_STOP' | 'MODIFY_SIZE' | 'CLOSE_EXISTING';

export interface DemoDirective {
  readonly kind: DemoDirectiveKind;
  readonly wire: ExecutionDirectiveWire;
}

/** The strategy's own belief about one of its trades (the venue is the truth; this is close enough). */
interface BelievedTrade {
  readonly trade_id: string;
  readonly direction: Direction;
  readonly entry: Decimal;
  readonly opened_step: number;
  readonly base_size: Decimal;
  filled: boolean;
  size: Decimal;
  stop: Decimal;
  readonly take: Decimal;
  scaled: 'none' | 'in' | 'out';
}

const LOOKBACK = 20;
const FAST_MEAN = 10;
const MAX_OPEN_TRADES = 2;
const ENTRY_COOLDOWN_STEPS = 3;
const UNFILLED_ENTRY_STEPS = 12;
const MAX_HOLD_STEPS = 40;
const RISK_PER_TRADE = new Decimal(20);
const ONE = new Decimal(1);

/**
 * A breakout/momentum rule on one symbol: enter when the price leaves its 20-step range (market,
 * marketable limit or resting limit), protect with a stop loss and a 2R take profit, trail the stop,
 * scale in once and out once, and close when momentum fades, the trade is old, or an entry never fills.
 */
export class BreakoutStrategy {
  readonly #instrument: DemoInstrument;
  readonly #rng: Random;
  readonly #ids: DemoIds;
  readonly #tick: Decimal;
  readonly #lot: Decimal;
  readonly #minNotional: Decimal;
  /** Stop distance as a fraction of the entry; take profit is twice as far (2R). */
  readonly #stopPct: Decimal;
  readonly #history: Decimal[] = [];
  readonly #open: BelievedTrade[] = [];
  #lastEntryStep = -Infinity;

  constructor(instrument: DemoInstrument, rng: Random, ids: DemoIds) {
    this.#instrument = instrument;
    this.#rng = rng;
    this.#ids = ids;
    this.#tick = new Decimal(instrument.tick_size);
    this.#lot = new Decimal(instrument.lot_size);
    this.#minNotional = new Decimal(instrument.min_notional);
    this.#stopPct = new Decimal(instrument.volatility).mul(4).toDecimalPlaces(4);
  }

  get openTradeIds(): readonly string[] {
    return this.#open.map((t) => t.trade_id);
  }

  /** The directives this strategy sends after seeing `price` at `step`. */
  onPrice(step: number, timeMs: number, price: Decimal): DemoDirective[] {
    this.#history.push(price);
    if (this.#history.length > LOOKBACK + 1) this.#history.shift();
    this.#applyVenueEffects(price);
    const out: DemoDirective[] = [];
    for (const trade of [...this.#open]) {
      const directive = this.#manage(trade, step, timeMs, price);
      if (directive) out.push(directive);
    }
    const entry = this.#maybeEnter(step, timeMs, price);
    if (entry) out.push(entry);
    return out;
  }

  /** Close everything still open (end of the session). */
  flatten(timeMs: number): DemoDirective | undefined {
    if (this.#open.length === 0) return undefined;
    const targets = this.#open.splice(0).map((t) => t.trade_id);
    return this.#close(targets, timeMs, 'end of session: flatten');
  }

  /** What the venue does on its own at this price: resting entries fill, protective orders trigger. */
  #applyVenueEffects(price: Decimal): void {
    for (const trade of [...this.#open]) {
      const buy = trade.direction === 'BUY';
      if (!trade.filled && (buy ? price.lte(trade.entry) : price.gte(trade.entry))) trade.filled = true;
      if (!trade.filled) continue;
      const stopped = buy ? price.lte(trade.stop) : price.gte(trade.stop);
      const target = buy ? price.gte(trade.take) : price.lte(trade.take);
      if (stopped || target) this.#forget(trade);
    }
  }

  #manage(trade: BelievedTrade, step: number, timeMs: number, price: Decimal): DemoDirective | undefined {
    const held = step - trade.opened_step;
    if (!trade.filled) {
      if (held < UNFILLED_ENTRY_STEPS) return undefined;
      this.#forget(trade);
      return this.#close([trade.trade_id], timeMs, `entry limit ${decimalToWire(trade.entry)} not filled after ${held} steps: cancel`);
    }
    const buy = trade.direction === 'BUY';
    const gain = buy ? price.div(trade.entry).minus(1) : ONE.minus(price.div(trade.entry));
    if (held >= MAX_HOLD_STEPS || (gain.gt(this.#stopPct.mul('0.5')) && this.#momentumFaded(trade.direction, price))) {
      this.#forget(trade);
      const why = held >= MAX_HOLD_STEPS ? `time stop after ${held} steps` : 'momentum faded below the 10-step mean';
      return this.#close([trade.trade_id], timeMs, why);
    }
    if (trade.scaled === 'none' && gain.gt(this.#stopPct.mul('0.3'))) {
      const target = floorToStep(trade.base_size.mul('1.5'), this.#lot);
      if (this.#notionalOk(target, price)) {
        trade.scaled = 'in';
        trade.size = target;
        return this.#modifySize(trade, target, timeMs, 'scale in: trade is working');
      }
    }
    if (trade.scaled === 'in' && gain.gt(this.#stopPct)) {
      const target = floorToStep(trade.base_size.mul('0.75'), this.#lot);
      if (this.#notionalOk(target, price)) {
        trade.scaled = 'out';
        trade.size = target;
        return this.#modifySize(trade, target, timeMs, 'scale out: take some profit at 1R');
      }
    }
    const trail = this.#stopPct.mul('0.8');
    const candidate = roundToStep(buy ? price.mul(ONE.minus(trail)) : price.mul(ONE.plus(trail)), this.#tick);
    const minMove = trade.entry.mul(this.#stopPct).mul('0.25');
    const better = buy ? candidate.minus(trade.stop).gte(minMove) : trade.stop.minus(candidate).gte(minMove);
    if (better) {
      trade.stop = candidate;
      return this.#directive('MODIFY_STOP', timeMs, {
        scope: 'MODIFY_EXISTING',
        rationale: `trail stop to ${decimalToWire(candidate)}`,
        target_trade_ids: [trade.trade_id],
        exit_plan: { stop_loss_price: decimalToWire(candidate) },
      });
    }
    return undefined;
  }

  #maybeEnter(step: number, timeMs: number, price: Decimal): DemoDirective | undefined {
    if (this.#history.length <= LOOKBACK) return undefined;
    if (this.#open.length >= MAX_OPEN_TRADES || step - this.#lastEntryStep < ENTRY_COOLDOWN_STEPS) return undefined;
    const previous = this.#history.slice(0, -1);
    const high = Decimal.max(...previous);
    const low = Decimal.min(...previous);
    let direction: Direction;
    if (price.gt(high)) direction = 'BUY';
    else if (price.lt(low)) direction = 'SELL';
    else return undefined;
    // the venue nets one symbol's trades: an opposite trade would eat the reducible size of the open ones
    if (this.#open.some((t) => t.direction !== direction)) return undefined;
    const buy = direction === 'BUY';

    const roll = this.#rng.next();
    const orderType = roll < 0.5 ? 'MARKET' : 'LIMIT';
    // a marketable limit crosses the spread a little; a resting one waits for a pullback
    const offset = roll < 0.8 ? new Decimal('0.001').neg() : this.#stopPct.mul('0.25');
    const limit = orderType === 'LIMIT' ? roundToStep(buy ? price.mul(ONE.minus(offset)) : price.mul(ONE.plus(offset)), this.#tick) : undefined;
    const reference = limit ?? price;
    const stop = roundToStep(buy ? reference.mul(ONE.minus(this.#stopPct)) : reference.mul(ONE.plus(this.#stopPct)), this.#tick);
    const takePct = this.#stopPct.mul(2);
    const take = roundToStep(buy ? reference.mul(ONE.plus(takePct)) : reference.mul(ONE.minus(takePct)), this.#tick);
    const size = floorToStep(RISK_PER_TRADE.div(reference.minus(stop).abs()), this.#lot);
    if (!this.#notionalOk(size, reference)) return undefined;

    const directiveTime = timeMs;
    const id = this.#ids.next('DIR', directiveTime);
    const resting = limit !== undefined && roll >= 0.8;
    this.#open.push({
      trade_id: id,
      direction,
      entry: reference,
      opened_step: step,
      base_size: size,
      filled: !resting,
      size,
      stop,
      take,
      scaled: 'none',
    });
    this.#lastEntryStep = step;
    const range = buy ? `above the ${LOOKBACK}-step high ${decimalToWire(high)}` : `below the ${LOOKBACK}-step low ${decimalToWire(low)}`;
    return this.#directive(
      'NEW_TRADE',
      directiveTime,
      {
        scope: 'NEW_TRADE',
        trigger_context: { opportunity_id: this.#ids.next('SIG', directiveTime), threat_ids: [] },
        rationale: `breakout ${range}`,
        entry_plan: {
          symbol: this.#instrument.symbol,
          direction,
          order_type: orderType,
          ...(limit === undefined ? {} : { limit_price: decimalToWire(limit) }),
        },
        size_plan: {
          position_size: decimalToWire(size),
          position_value: decimalToWire(size.mul(reference).toDecimalPlaces(2)),
          risk_amount: decimalToWire(RISK_PER_TRADE),
          leverage: '1',
        },
        exit_plan: { stop_loss_price: decimalToWire(stop), take_profit_price: decimalToWire(take) },
        routing_plan:
          orderType === 'MARKET'
            ? { execution_urgency: '0.9', max_slippage_pct: '0.005', time_in_force: 'IOC' }
            : { execution_urgency: resting ? '0.3' : '0.7', time_in_force: 'GTC' },
      },
      id,
    );
  }

  #momentumFaded(direction: Direction, price: Decimal): boolean {
    const recent = this.#history.slice(-FAST_MEAN);
    const mean = recent.reduce((sum, p) => sum.plus(p), new Decimal(0)).div(recent.length);
    return direction === 'BUY' ? price.lt(mean) : price.gt(mean);
  }

  #notionalOk(size: Decimal, price: Decimal): boolean {
    return size.gt(0) && size.mul(price).gte(this.#minNotional.mul(2));
  }

  #forget(trade: BelievedTrade): void {
    const index = this.#open.indexOf(trade);
    if (index >= 0) this.#open.splice(index, 1);
  }

  #modifySize(trade: BelievedTrade, target: Decimal, timeMs: number, why: string): DemoDirective {
    return this.#directive('MODIFY_SIZE', timeMs, {
      scope: 'MODIFY_EXISTING',
      rationale: `${why}: target size ${decimalToWire(target)}`,
      target_trade_ids: [trade.trade_id],
      size_plan: { position_size: decimalToWire(target) },
    });
  }

  #close(targets: string[], timeMs: number, why: string): DemoDirective {
    return this.#directive('CLOSE_EXISTING', timeMs, {
      scope: 'CLOSE_EXISTING',
      rationale: why,
      target_trade_ids: targets,
      routing_plan: { execution_urgency: '1', time_in_force: 'IOC' },
    });
  }

  #directive(
    kind: DemoDirectiveKind,
    timeMs: number,
    body: Omit<ExecutionDirectiveWire, 'directive_id' | 'strategy_id' | 'timestamp'>,
    id = this.#ids.next('DIR', timeMs),
  ): DemoDirective {
    const { scope, ...plans } = body;
    return {
      kind,
      wire: { directive_id: id, strategy_id: this.#instrument.strategy_id, scope, timestamp: isoSecond(timeMs), ...plans },
    };
  }
}
