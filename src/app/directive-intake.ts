import { systemClock, type Clock } from '../domain/clock.js';
import type { DirectiveSubmission } from '../domain/dto.js';
import type { FlowEnding } from './flow-tally.js';
import { FlowTally } from './flow-tally.js';
import type { Platform } from './create-platform.js';

/** A flow's ending as the orchestrator reports it (FlowResult). */
export interface IntakeResult extends FlowEnding {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly reason: string;
  readonly line: number | null;
}

export interface DirectiveIntakeOptions {
  readonly clock?: Clock;
  /**
   * At most this many of this intake's submissions may wait to begin (no DIRECTIVE_ACCEPTED yet);
   * `submit` waits beyond it. @default unbounded (only concurrency.max_pending_directives)
   */
  readonly readAhead?: number;
}

export interface SubmitOptions {
  /** Stops the wait for room: the line is then not submitted (`submit` resolves false). */
  readonly signal?: AbortSignal;
  /** The line was over the directive limit: `text` is its start only (DirectiveSubmission.oversize). */
  readonly oversize?: DirectiveSubmission['oversize'];
}

/**
 * Feeds raw directive lines into a platform the way every intake does (spec-faithful): wait for
 * capacity, then publish EXECUTION_DIRECTIVE_READY on the bus; the orchestrator validates and runs
 * the flow. Counts how the flows end, and which lines never started (`abandon`).
 */
export class DirectiveIntake {
  readonly #platform: Pick<Platform, 'bus' | 'orchestrator'>;
  readonly #clock: Clock;
  readonly #readAhead: number;
  readonly #tally = new FlowTally();
  readonly #unsubscribe: () => void;
  readonly #listeners = new Set<(result: IntakeResult) => void>();
  /** What this intake published, to abandon its own submissions only (weak: holds no input). */
  readonly #mine = new WeakSet<DirectiveSubmission>();
  #submitted = 0;
  #notStarted = 0;
  #firstNotStarted: number | null = null;
  #waiters: (() => void)[] = [];

  constructor(platform: Pick<Platform, 'bus' | 'orchestrator'>, options: DirectiveIntakeOptions = {}) {
    this.#platform = platform;
    this.#clock = options.clock ?? systemClock;
    this.#readAhead = options.readAhead ?? Number.POSITIVE_INFINITY;
    this.#unsubscribe = platform.orchestrator.onResult((result) => {
      this.#tally.add(result);
      for (const listener of this.#listeners) listener(result);
      if (this.#tally.processed >= this.#submitted) this.#wake();
    });
  }

  /** Lines handed to the orchestrator for execution (those abandoned before they began are not counted). */
  get submitted(): number {
    return this.#submitted;
  }

  get tally(): FlowTally {
    return this.#tally;
  }

  /** Lines read that will not run in this session: abandoned before they began, or never handed over. */
  get notStarted(): { readonly count: number; readonly firstLine: number | null } {
    return { count: this.#notStarted, firstLine: this.#firstNotStarted };
  }

  onResult(listener: (result: IntakeResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Submit one line of input (`line`: its 1-based number in the source), once there is room.
   * False when `options.signal` aborted the wait: the line was not submitted (and is counted as not started).
   */
  /** `line` null: the directive comes from no file (a backtest's strategy module), so its errors name no line. */
  async submit(text: string, line: number | null, options: SubmitOptions = {}): Promise<boolean> {
    const room = await this.#platform.orchestrator.waitForCapacity({ maxQueued: this.#readAhead, signal: options.signal });
    if (!room || options.signal?.aborted) {
      this.#countNotStarted(line);
      return false;
    }
    const submission: DirectiveSubmission = {
      input: text,
      source: line === null ? { kind: 'internal' } : { kind: 'cli', line },
      received_at: this.#clock.now(),
      ...(options.oversize ? { oversize: options.oversize } : {}),
    };
    this.#mine.add(submission);
    this.#submitted += 1;
    this.#platform.bus.publish('EXECUTION_DIRECTIVE_READY', submission);
    return true;
  }

  /**
   * Drop this intake's submissions whose flow has not begun: they never run (no DIRECTIVE_ACCEPTED)
   * and count as not started. Flows already begun go on. Returns how many were dropped.
   */
  abandon(): number {
    const dropped = this.#platform.orchestrator.abandonQueued((submission) => this.#mine.has(submission));
    this.#submitted -= dropped.length;
    for (const notStarted of dropped) this.#countNotStarted(notStarted.line);
    if (this.#tally.processed >= this.#submitted) this.#wake();
    return dropped.length;
  }

  /**
   * Resolves once every flow submitted so far has reported its ending, or once the orchestrator
   * is idle (whatever is still missing then will never come).
   */
  async settled(): Promise<void> {
    if (this.#tally.processed >= this.#submitted) return;
    const reported = new Promise<void>((resolve) => this.#waiters.push(resolve));
    await Promise.race([reported, this.#platform.orchestrator.drain()]);
  }

  dispose(): void {
    this.#unsubscribe();
    this.#listeners.clear();
    this.#wake();
  }

  #countNotStarted(line: number | null): void {
    this.#notStarted += 1;
    if (line !== null && (this.#firstNotStarted === null || line < this.#firstNotStarted)) this.#firstNotStarted = line;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
