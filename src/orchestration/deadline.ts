import type { Clock } from '../domain/clock.js';
import { ExecutionDeadline } from './execution-errors.js';

/** timeout_seconds as an AbortSignal on the injected clock; `cancel` when the execution is over. */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #cancelTimer: () => void;

  constructor(clock: Clock, seconds: number) {
    this.#cancelTimer = clock.after(seconds * 1000, () => this.#controller.abort(new ExecutionDeadline(seconds)));
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stop the timer (it is gone when this resolves). */
  cancel(): Promise<void> {
    this.#cancelTimer();
    return Promise.resolve();
  }
}
