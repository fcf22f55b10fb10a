import type { Clock } from '../domain/clock.js';
import { TIMER_STOPPED } from './connector-call.js';
import { ExecutionDeadline } from './execution-errors.js';

/** timeout_seconds as an AbortSignal on the injected clock; `cancel` when the execution is over. */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #stop = new AbortController();
  readonly #timer: Promise<void>;

  constructor(clock: Clock, seconds: number) {
    this.#timer = clock.sleep(seconds * 1000, this.#stop.signal).then(
      () => this.#controller.abort(new ExecutionDeadline(seconds)),
      () => undefined,
    );
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stop the timer; resolves once it is gone. */
  cancel(): Promise<void> {
    this.#stop.abort(TIMER_STOPPED);
    return this.#timer;
  }
}
