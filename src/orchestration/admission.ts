import type { Logger } from 'pino';
import type { IEventBus } from '../ports/bus.js';
import type { PlanexecEvents } from '../ports/events.js';
import type { DirectiveSubmission } from '../domain/dto.js';
import type { NotStarted } from './flow-result.js';
import type { FlowRunner } from './flow-runner.js';

interface CapacityWaiter {
  readonly maxQueued: number;
  readonly resolve: (room: boolean) => void;
}

/**
 * Admission and backpressure: counts the submissions pending (queued or running) and those still
 * waiting for their strategy's turn, lets intakes wait for room (concurrency.max_pending_directives,
 * and their own read-ahead), and drops queued submissions on request (`abandonQueued`).
 */
export class Admission {
  readonly #runner: FlowRunner;
  readonly #maxPending: number;
  readonly #bus: IEventBus<PlanexecEvents>;
  readonly #logger: Logger;
  #waiters: CapacityWaiter[] = [];
  #pending = 0;
  #queued = 0;

  constructor(deps: { readonly runner: FlowRunner; readonly maxPending: number; readonly bus: IEventBus<PlanexecEvents>; readonly logger: Logger }) {
    this.#runner = deps.runner;
    this.#maxPending = deps.maxPending;
    this.#bus = deps.bus;
    this.#logger = deps.logger;
  }

  get pending(): number {
    return this.#pending;
  }

  get queued(): number {
    return this.#queued;
  }

  /** A submission arrived: pending, and queued until its flow begins. */
  received(): void {
    this.#pending += 1;
    this.#queued += 1;
  }

  /** Its strategy's turn came: its flow begins. */
  began(): void {
    this.#queued -= 1;
    this.#wake();
  }

  /** A crash-interrupted flow being finished: pending, never queued. */
  resumed(): void {
    this.#pending += 1;
  }

  /** A flow ended; `report` tells its listeners before waiting intakes are woken. */
  finished(report: () => void = () => undefined): void {
    this.#pending -= 1;
    report();
    this.#wake();
  }

  /**
   * Resolves true once fewer than max_pending_directives submissions are pending and fewer than
   * `maxQueued` of them wait to begin; false if `signal` aborts first.
   */
  waitForCapacity(options: { readonly maxQueued?: number; readonly signal?: AbortSignal } = {}): Promise<boolean> {
    const maxQueued = options.maxQueued ?? Number.POSITIVE_INFINITY;
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve(false);
    if (this.#hasRoom(maxQueued)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      };
      const waiter: CapacityWaiter = {
        maxQueued,
        resolve: (room) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(room);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Drops the abandonable submissions still queued that `which` selects; each is announced as DIRECTIVE_NOT_STARTED. */
  abandonQueued(which: (submission: DirectiveSubmission) => boolean): NotStarted[] {
    const dropped = this.#runner.abandonQueued((tag) => isNotStarted(tag) && which(tag.submission)) as NotStarted[];
    this.#pending -= dropped.length;
    this.#queued -= dropped.length;
    for (const notStarted of dropped) {
      try {
        this.#bus.publish(
          'DIRECTIVE_NOT_STARTED',
          { directive_id: notStarted.directive_id, strategy_id: notStarted.strategy_id, line: notStarted.line, source: notStarted.submission.source, received_at: notStarted.submission.received_at },
          { level: 'platform' },
        );
      } catch (error) {
        this.#logger.error({ err: error }, 'a DIRECTIVE_NOT_STARTED subscriber failed');
      }
    }
    if (dropped.length > 0) this.#logger.warn({ not_started: dropped.length }, 'submissions abandoned before their flow began');
    this.#wake();
    return dropped;
  }

  #hasRoom(maxQueued: number): boolean {
    return this.#pending < this.#maxPending && this.#queued < maxQueued;
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiting: CapacityWaiter[] = [];
    for (const waiter of this.#waiters) {
      if (this.#hasRoom(waiter.maxQueued)) waiter.resolve(true);
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
  }
}

function isNotStarted(tag: unknown): tag is NotStarted {
  return typeof tag === 'object' && tag !== null && (tag as NotStarted).outcome === 'NOT_STARTED';
}
