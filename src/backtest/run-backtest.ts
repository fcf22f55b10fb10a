import type { Logger } from 'pino';
import { paperVenue } from '../app/create-connector.js';
import { createPlatform, type Platform } from '../app/create-platform.js';
import { DirectiveIntake } from '../app/directive-intake.js';
import type { FlowCounts } from '../app/flow-tally.js';
import type { PlatformConfig } from '../config/schema.js';
import type { PaperConnector } from '../connectors/paper/paper-connector.js';
import { isoTime } from '../domain/clock.js';
import { Decimal } from '../domain/decimal.js';
import { PlanexecError } from '../domain/errors.js';
import { entropy32, useSeededEntropy } from '../domain/id-entropy.js';
import type { Bar } from '../market-data/bar.js';
import { DirectiveSchedule, type DirectiveLine, type RefusedDirective, type ScheduledDirective } from './directive-schedule.js';
import { EquityTracker } from './equity-tracker.js';
import { PriceThinner } from './price-thinner.js';
import type { EquityPoint, PriceSeries, ReportFailure } from './report-input.js';
import { RestingLevelCache } from './resting-level-cache.js';
import { SimClock } from './sim-clock.js';
import { StrategyHost } from './strategy-host.js';
import type { BacktestStrategy } from './strategy.js';

export interface BacktestRunOptions {
  /** The resolved config (environment overlay applied); storage and venue are replaced by in-memory ones. */
  readonly config: PlatformConfig;
  /** Bars in time order (mergeBarFiles), in chunks. */
  readonly bars: AsyncIterable<readonly Bar[]>;
  readonly directives?: AsyncIterable<DirectiveLine>;
  readonly strategy?: BacktestStrategy;
  readonly logger: Logger;
  readonly configFile?: string | null;
  /** After each chunk of bars, with the bars read so far and simulated time. */
  readonly onProgress?: (bars: number, nowMs: number) => void;
  /** Stops the run after the current bar; what was done is kept and reported. */
  readonly signal?: AbortSignal;
  /** Each directive line (file or strategy) as it will run, e.g. replayed with another execution style (`--style`). */
  readonly rewriteDirective?: (text: string) => string;
}

/** A finished run: its platform still open (the caller saves its store, then closes it). */
export interface BacktestRun {
  readonly platform: Platform;
  readonly startMs: number;
  readonly endMs: number;
  readonly bars: number;
  readonly directives: number;
  readonly counts: FlowCounts;
  readonly refused: readonly RefusedDirective[];
  readonly failures: readonly ReportFailure[];
  readonly equity: readonly EquityPoint[];
  readonly prices: readonly PriceSeries[];
  /** The price each venue fill was decided against, by venue trade id (slippage is measured from it). */
  readonly referenceByVenueTrade: ReadonlyMap<string, string>;
  readonly interrupted: boolean;
  /** Restores the process's id entropy; call once the store is saved. */
  readonly release: () => void;
}

/**
 * The config a backtest runs with: the ledger and the paper venue in memory, the venue's latency
 * applied by the scheduler (a directive reaches the market latency_ms after its timestamp) rather
 * than as waits, no live price source, no writer thread, and no trading a symbol before its first
 * bar (an instrument's configured reference_price is not a market).
 */
export function backtestConfig(config: PlatformConfig): PlatformConfig {
  const paper = config.connector.paper;
  return {
    ...config,
    storage: { ...config.storage, type: 'sqlite', path: ':memory:', writer_thread: false },
    connector: { ...config.connector, type: 'paper', paper: { ...paper, path: ':memory:', latency_ms: 0, require_price: true, prices: { ...paper.prices, source: 'static' } } },
  };
}

/**
 * Run the unchanged orchestrator on simulated time against bars. For each time that has bars:
 * the directives whose timestamp (plus the venue latency) has come run first, market orders
 * taking the bar's open (plus slippage); then each bar is walked on the paper venue (resting
 * orders fill by the intrabar rule); then the strategy sees the bars and the events they caused,
 * and what it returns runs at the next bar's open.
 */
export async function runBacktest(options: BacktestRunOptions): Promise<BacktestRun> {
  const config = backtestConfig(options.config);
  const latencyMs = options.config.connector.paper.latency_ms;
  const rule = config.backtest.intrabar_rule;
  const release = useSeededEntropy(config.backtest.seed);
  let platform: Platform | undefined;
  try {
    const bars = options.bars[Symbol.asyncIterator]();
    let chunk = await nextChunk(bars);
    const first = chunk[0];
    if (first === undefined) throw new PlanexecError('the price files hold no bars', { code: 'BACKTEST_NO_BARS' });
    const clock = new SimClock(first.atMs);
    platform = await createPlatform({
      config,
      dbPath: ':memory:',
      clock,
      logger: options.logger,
      configFile: options.configFile ?? null,
      random: () => entropy32() / 4_294_967_296,
    });
    const venue = paperVenue(platform, 'a backtest');
    const run = new BacktestLoop(platform, venue, clock, options, rule, latencyMs, new Decimal(config.backtest.initial_equity));
    let interrupted = false;
    while (chunk.length > 0) {
      for (const bar of chunk) await run.bar(bar);
      options.onProgress?.(run.barCount, clock.now());
      if (options.signal?.aborted === true) {
        interrupted = true;
        break;
      }
      chunk = await nextChunk(bars);
    }
    await run.finish(interrupted);
    return { ...run.result(), platform, interrupted, release };
  } catch (error) {
    release();
    await platform?.close();
    throw error;
  }
}

/** Turns of the event loop without a commit before simulated time may move. */
const QUIET_TURNS = 8;
/** Wall time with no commit and no timer to fire after which a run is stuck, not slow: it stops with an error instead of hanging. */
const STALL_MS = 10_000;

async function nextChunk(bars: AsyncIterator<readonly Bar[]>): Promise<readonly Bar[]> {
  for (;;) {
    const item = await bars.next();
    if (item.done === true) return [];
    if (item.value.length > 0) return item.value;
  }
}

/** The state of one run between bars. */
class BacktestLoop {
  readonly #platform: Platform;
  readonly #venue: PaperConnector;
  readonly #clock: SimClock;
  readonly #rule: 'pessimistic' | 'optimistic';
  readonly #latencyMs: number;
  readonly #intake: DirectiveIntake;
  readonly #schedule: DirectiveSchedule | null;
  readonly #strategy: StrategyHost | null;
  readonly #equity: EquityTracker;
  readonly #levels: RestingLevelCache;
  readonly #prices = new Map<string, PriceThinner>();
  readonly #refused: RefusedDirective[] = [];
  readonly #failures: ReportFailure[] = [];
  readonly #references = new Map<string, string>();
  /** The reference (market) price per symbol now: the open of its bar being traded, else the last close. */
  readonly #reference = new Map<string, string>();
  /** Closes not yet handed to the venue: most bars reach no order, and a Decimal per bar would cost more than the walk. */
  readonly #pendingCloses = new Map<string, string>();
  readonly #knownSymbols = new Set<string>();
  #timeMs: number | undefined;
  #marketPriced = false;
  /** The bars of the time being processed, handed to the strategy once the time is over. */
  #group: Bar[] = [];
  #startMs: number | undefined;
  #endMs = 0;
  #bars = 0;
  #directives = 0;
  #fillSeq = 0;
  readonly #rewrite: ((text: string) => string) | undefined;

  constructor(platform: Platform, venue: PaperConnector, clock: SimClock, options: BacktestRunOptions, rule: 'pessimistic' | 'optimistic', latencyMs: number, initialEquity: Decimal) {
    this.#platform = platform;
    this.#venue = venue;
    this.#clock = clock;
    this.#rule = rule;
    this.#latencyMs = latencyMs;
    this.#intake = new DirectiveIntake(platform, { clock });
    this.#schedule = options.directives ? new DirectiveSchedule(options.directives, this.#refused) : null;
    this.#strategy = options.strategy ? new StrategyHost(options.strategy, platform.bus, clock) : null;
    this.#equity = new EquityTracker(initialEquity);
    this.#levels = new RestingLevelCache(venue);
    this.#rewrite = options.rewriteDirective;
    this.#intake.onResult((result) => {
      if (result.outcome === 'FAILED' || result.outcome === 'IN_DOUBT') {
        this.#failures.push({
          atMs: clock.now(),
          directiveId: result.directive_id,
          strategyId: null,
          outcome: result.outcome,
          errorCode: result.error_code,
          reason: result.reason,
        });
      }
    });
  }

  get barCount(): number {
    return this.#bars;
  }

  async bar(bar: Bar): Promise<void> {
    this.#checkSymbol(bar.symbol);
    if (bar.atMs !== this.#timeMs) await this.#beginTime(bar.atMs);
    this.#group.push(bar);
    this.#bars += 1;
    this.#endMs = bar.atMs;
  }

  /** The bars are over: the last time's walk, then everything still queued is refused. */
  async finish(interrupted: boolean): Promise<void> {
    await this.#endTime();
    const reason = interrupted ? 'not run: the backtest was interrupted' : 'not run: its time is after the last bar';
    for (const directive of this.#strategy?.takeAll() ?? []) this.#refuse(directive, reason);
    if (this.#schedule !== null) {
      for await (const directive of this.#schedule.rest()) {
        // a line without a readable timestamp is validated and journaled wherever it stands
        if (directive.atMs === null && !interrupted) await this.#submit(directive, this.#endMs);
        else this.#refuse(directive, reason);
      }
    }
    // flows still working a window (TWAP, PASSIVE) finish on the last prices
    await this.#settle(Number.POSITIVE_INFINITY);
    await this.#platform.termination.drain();
    this.#bookFills();
    this.#equity.finish(this.#endMs);
    this.#intake.dispose();
    this.#strategy?.dispose();
  }

  result(): Omit<BacktestRun, 'platform' | 'interrupted' | 'release'> {
    const failures = [
      ...this.#failures,
      ...this.#refused.map((r) => ({
        atMs: r.atMs ?? this.#endMs,
        directiveId: r.directiveId,
        strategyId: r.strategyId,
        outcome: 'FAILED' as const,
        errorCode: 'BACKTEST_NOT_RUN',
        reason: r.line === null ? r.reason : `line ${r.line}: ${r.reason}`,
      })),
    ].sort((a, b) => a.atMs - b.atMs);
    return {
      startMs: this.#startMs ?? this.#endMs,
      endMs: this.#endMs,
      bars: this.#bars,
      directives: this.#directives,
      counts: this.#intake.tally.counts(),
      refused: this.#refused,
      failures,
      equity: this.#equity.points,
      prices: [...this.#prices.entries()].map(([symbol, thinner]) => ({ symbol, points: thinner.points() })),
      referenceByVenueTrade: this.#references,
    };
  }

  /** A new bar time: finish the last one, then run the directives that reach the market by now. */
  async #beginTime(atMs: number): Promise<void> {
    if (this.#timeMs !== undefined) await this.#endTime();
    else this.#startMs = atMs;
    this.#timeMs = atMs;
    this.#group = [];
    this.#marketPriced = false;
  }

  /** Work that waits on simulated time due by `atMs` runs now, at the open of the bars at `atMs`: the first price at or after its time, as a directive would. */
  async #wakeDue(atMs: number): Promise<void> {
    if ((this.#clock.nextDue() ?? Number.POSITIVE_INFINITY) > atMs) return;
    if (!this.#marketPriced) {
      this.#priceTheMarket();
      this.#marketPriced = true;
    }
    await this.#settle(atMs);
    this.#bookFills();
  }

  /** The directives whose time (plus latency) has come run at the coming bar's open. */
  async #runDue(atMs: number): Promise<void> {
    if (atMs === this.#startMs) await this.#refuseBefore(atMs);
    // decided at the last bar's close or on an event: runs at this bar's open
    for (const directive of this.#strategy?.takeAll(atMs) ?? []) await this.#submit(directive, atMs);
    if (this.#schedule === null) return;
    for (let next = await this.#schedule.takeDue(atMs - this.#latencyMs); next !== undefined; next = await this.#schedule.takeDue(atMs - this.#latencyMs)) {
      await this.#submit(next, atMs);
    }
  }

  /** The venue's prices as the market stands before this time's bars trade: the last closes, the opens of the bars now. */
  #priceTheMarket(): void {
    for (const [symbol, close] of this.#pendingCloses) this.#venue.setReferencePrice(symbol, new Decimal(close));
    this.#pendingCloses.clear();
    for (const bar of this.#group) {
      this.#venue.setReferencePrice(bar.symbol, new Decimal(bar.open));
      this.#reference.set(bar.symbol, bar.open);
    }
  }

  async #submit(directive: ScheduledDirective, barMs: number): Promise<void> {
    if (!this.#marketPriced) {
      this.#priceTheMarket();
      this.#marketPriced = true;
    }
    this.#clock.moveTo(Math.min(barMs, (directive.atMs ?? this.#clock.now()) + this.#latencyMs));
    this.#directives += 1;
    await this.#intake.submit(this.#rewrite ? this.#rewrite(directive.text) : directive.text, directive.line);
    // at the bar's open: what waits on later time (a TWAP's next child) goes on after the bar's walk
    await this.#settle(this.#clock.now());
    this.#bookFills();
  }

  /** Directives of the file dated before the first bar cannot run: there is no price for them. */
  async #refuseBefore(firstMs: number): Promise<void> {
    if (this.#schedule === null) return;
    for (let next = await this.#schedule.takeDue(firstMs - 1); next !== undefined; next = await this.#schedule.takeDue(firstMs - 1)) {
      if (next.atMs === null) {
        // no readable timestamp: validation journals why it cannot run
        await this.#submit(next, firstMs);
        continue;
      }
      this.#refuse(next, `not run: its timestamp ${new Date(next.atMs).toISOString()} is before the first bar (${new Date(firstMs).toISOString()})`);
    }
  }

  /**
   * The current time's bars: what waited on time up to now (a TWAP's next child, a resting
   * child's check) at the bars' open, then the directives due, then each bar walked, then the
   * strategy's turn.
   */
  async #endTime(): Promise<void> {
    const atMs = this.#timeMs;
    if (atMs === undefined) return;
    await this.#wakeDue(atMs);
    await this.#runDue(atMs);
    this.#clock.moveTo(atMs);
    for (const bar of this.#group) {
      if (this.#levels.reaches(bar)) {
        this.#pendingCloses.delete(bar.symbol);
        this.#venue.applyBar(bar.symbol, { open: new Decimal(bar.open), high: new Decimal(bar.high), low: new Decimal(bar.low), close: new Decimal(bar.close) }, this.#rule);
        this.#levels.invalidate();
        await this.#settle(atMs);
        this.#bookFills();
      } else {
        this.#pendingCloses.set(bar.symbol, bar.close);
      }
      this.#reference.set(bar.symbol, bar.close);
      this.#equity.mark(bar.symbol, bar.close, atMs);
      this.#thinner(bar.symbol).add(atMs, bar.c);
    }
    if (this.#strategy !== null) {
      for (const bar of this.#group) await this.#strategy.bar(bar);
    }
  }

  /**
   * Run flows and venue reports until they end or wait only on time after `limitMs`. Simulated
   * time moves only once everything waits on it (a retry's backoff, a TWAP's next child): when
   * several turns of the event loop in a row committed nothing, the earliest timer up to
   * `limitMs` fires. A flow busy with its store is never timed out by a jump in time.
   */
  async #settle(limitMs: number): Promise<void> {
    let done = false;
    const drained = this.#platform.orchestrator.drain().then(() => {
      done = true;
    });
    let quietTurns = 0;
    let stalledSince: number | null = null;
    let last = this.#platform.store.commitStats().batches;
    while (!done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batches = this.#platform.store.commitStats().batches;
      quietTurns = batches === last ? quietTurns + 1 : 0;
      if (batches !== last) stalledSince = null;
      last = batches;
      if (done || quietTurns < QUIET_TURNS) continue;
      quietTurns = 0;
      if (this.#clock.fireNext(limitMs)) {
        stalledSince = null;
        continue;
      }
      // the flows left wait on later time: the next bars come first
      const due = this.#clock.nextDue();
      if (due !== undefined && due > limitMs) {
        this.#levels.invalidate();
        return;
      }
      // nothing to fire and still not done: something outside the event loop's turns (a file write) is pending
      stalledSince ??= performance.now();
      if (performance.now() - stalledSince > STALL_MS) {
        throw new PlanexecError(`the backtest stalled at ${isoTime(this.#clock.now())}: its flows made no progress for ${STALL_MS / 1000} s and wait on no simulated time`, {
          code: 'BACKTEST_STALLED',
        });
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
    await drained;
    this.#levels.invalidate();
  }

  #bookFills(): void {
    const fills = this.#venue.fillsAfter(this.#fillSeq);
    if (fills.length === 0) return;
    this.#fillSeq = fills[fills.length - 1]!.seq;
    for (const fill of fills) {
      const reference = this.#reference.get(fill.symbol);
      if (reference !== undefined) this.#references.set(fill.venue_trade_id, reference);
    }
    this.#equity.book(fills, this.#clock.now());
  }

  #refuse(directive: ScheduledDirective, reason: string): void {
    this.#refused.push({ line: directive.line, directiveId: directive.directiveId, strategyId: directive.strategyId, atMs: directive.atMs, reason });
  }

  #checkSymbol(symbol: string): void {
    if (this.#knownSymbols.has(symbol)) return;
    if (!this.#venue.lists(symbol)) {
      throw new PlanexecError(
        `prices: symbol ${symbol} is not an instrument of the paper venue: add connector.paper.instruments.${symbol} (tick_size, lot_size, min_quantity, min_notional, reference_price) to the config`,
        { code: 'BACKTEST_UNKNOWN_SYMBOL', details: { symbol } },
      );
    }
    this.#knownSymbols.add(symbol);
  }

  #thinner(symbol: string): PriceThinner {
    let thinner = this.#prices.get(symbol);
    if (thinner === undefined) {
      thinner = new PriceThinner(2_000);
      this.#prices.set(symbol, thinner);
    }
    return thinner;
  }
}

