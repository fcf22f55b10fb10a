import { createHash } from 'node:crypto';
import { isoTime } from '../domain/clock.js';
import type { IEventBus } from '../ports/bus.js';
import type { PlanexecEvents } from '../ports/events.js';
import type { Bar } from '../market-data/bar.js';
import type { ScheduledDirective } from './directive-schedule.js';
import type { SimClock } from './sim-clock.js';
import { type BacktestStrategy, type StrategyBar, type StrategyContext, type StrategyDirective, strategyDirectives, type StrategyOutput } from './strategy.js';

interface Decided {
  readonly directive: StrategyDirective;
  /** When it was decided: an event's time; undefined for a bar's (it runs at the next bar's open). */
  readonly atMs: number | undefined;
}

/**
 * Runs a strategy module inside a backtest: hands it each bar and the platform's events, and keeps
 * the directives it returns until the next bar's open, when the backtest runs them. Events arrive
 * while flows run; the directives they cause wait like the others, so a strategy reacts to its
 * own fills without re-entering a running flow.
 */
export class StrategyHost {
  readonly #strategy: BacktestStrategy;
  readonly #clock: SimClock;
  readonly #bus: IEventBus<PlanexecEvents>;
  readonly #subscriptions: string[] = [];
  #decided: Decided[] = [];
  #ids = 0;
  /** The first error a handler threw inside an event: rethrown at the next bar so the run stops with it. */
  #failure: unknown;

  constructor(strategy: BacktestStrategy, bus: IEventBus<PlanexecEvents>, clock: SimClock) {
    this.#strategy = strategy;
    this.#clock = clock;
    this.#bus = bus;
    const { onTradeExecuted, onExecutionFailed, onOrderUpdate } = strategy;
    if (onTradeExecuted) this.#subscriptions.push(bus.subscribe('TRADE_EXECUTED', (event) => this.#onEvent('onTradeExecuted', () => onTradeExecuted.call(strategy, event, this.#context()))));
    if (onExecutionFailed) this.#subscriptions.push(bus.subscribe('EXECUTION_FAILED', (event) => this.#onEvent('onExecutionFailed', () => onExecutionFailed.call(strategy, event, this.#context()))));
    if (onOrderUpdate) this.#subscriptions.push(bus.subscribe('ORDER_UPDATED', (order) => this.#onEvent('onOrderUpdate', () => onOrderUpdate.call(strategy, order, this.#context()))));
  }

  async bar(bar: Bar): Promise<void> {
    this.#rethrow();
    if (!this.#strategy.onBar) return;
    const view: StrategyBar = { symbol: bar.symbol, time: isoTime(bar.atMs), open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
    this.#keep(strategyDirectives(await this.#strategy.onBar(view, this.#context()), 'onBar'), undefined);
  }

  /** The directives decided so far, stamped (those without a timestamp get their decision time, else `nextBarMs`), oldest first. */
  takeAll(nextBarMs?: number): ScheduledDirective[] {
    this.#rethrow();
    const decided = this.#decided;
    this.#decided = [];
    return decided.map(({ directive, atMs }) => {
      const stamped = directive.timestamp === undefined ? { ...directive, timestamp: isoTime(atMs ?? nextBarMs ?? this.#clock.now()) } : directive;
      const time = Date.parse(String(stamped.timestamp));
      return {
        text: JSON.stringify(stamped),
        line: null,
        atMs: Number.isFinite(time) ? time : null,
        directiveId: typeof stamped.directive_id === 'string' ? stamped.directive_id : null,
        strategyId: typeof stamped.strategy_id === 'string' ? stamped.strategy_id : null,
      };
    });
  }

  dispose(): void {
    for (const id of this.#subscriptions.splice(0)) this.#bus.unsubscribe(id);
  }

  #onEvent(handler: string, call: () => StrategyOutput | Promise<StrategyOutput>): void {
    const atMs = this.#clock.now();
    try {
      const output = call();
      if (output instanceof Promise) output.then((value) => this.#keep(strategyDirectives(value, handler), atMs), (error: unknown) => (this.#failure ??= error));
      else this.#keep(strategyDirectives(output, handler), atMs);
    } catch (error) {
      this.#failure ??= error;
    }
  }

  #keep(directives: readonly StrategyDirective[], atMs: number | undefined): void {
    for (const directive of directives) this.#decided.push({ directive, atMs });
  }

  #context(): StrategyContext {
    return {
      now: isoTime(this.#clock.now()),
      nextDirectiveId: () => {
        this.#ids += 1;
        const iso = isoTime(this.#clock.now());
        const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
        return `DIR_${stamp}_${createHash('sha256').update(`backtest:${this.#ids}`).digest('hex').slice(0, 8)}`;
      },
    };
  }

  #rethrow(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
