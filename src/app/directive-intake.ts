import { systemClock, type Clock } from '../domain/clock.js';
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

/**
 * Feeds raw directive lines into a platform the way every intake does (spec-faithful): wait for
 * capacity, then publish EXECUTION_DIRECTIVE_READY on the bus; the orchestrator validates and runs
 * the flow. Counts how the flows end.
 */
export class DirectiveIntake {
  readonly #platform: Pick<Platform, 'bus' | 'orchestrator'>;
  readonly #clock: Clock;
  readonly #tally = new FlowTally();
  readonly #unsubscribe: () => void;
  readonly #listeners = new Set<(result: IntakeResult) => void>();
  #submitted = 0;
  #waiters: (() => void)[] = [];

  constructor(platform: Pick<Platform, 'bus' | 'orchestrator'>, options: { readonly clock?: Clock } = {}) {
    this.#platform = platform;
    this.#clock = options.clock ?? systemClock;
    this.#unsubscribe = platform.orchestrator.onResult((result) => {
      this.#tally.add(result);
      for (const listener of this.#listeners) listener(result);
      if (this.#tally.processed >= this.#submitted) this.#wake();
    });
  }

  get submitted(): number {
    return this.#submitted;
  }

  get tally(): FlowTally {
    return this.#tally;
  }

  onResult(listener: (result: IntakeResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Submit one line of input (`line`: its 1-based number in the source), once there is room. */
  async submit(text: string, line: number): Promise<void> {
    await this.#platform.orchestrator.waitForCapacity();
    this.#submitted += 1;
    this.#platform.bus.publish('EXECUTION_DIRECTIVE_READY', { input: text, source: { kind: 'cli', line }, received_at: this.#clock.now() });
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

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
