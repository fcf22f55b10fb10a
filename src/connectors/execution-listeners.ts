import type { ExecutionListener, ExecutionReport } from '../ports/connector.js';

/**
 * The listeners of one connector's `onExecution`. A listener that throws, or whose promise
 * rejects (a listener typed void may still be async), is reported to `onError` and never stops
 * the venue or the other listeners.
 */
export class ExecutionListeners {
  readonly #listeners = new Set<ExecutionListener>();

  constructor(private readonly onError: (error: unknown, report: ExecutionReport) => void) {}

  get size(): number {
    return this.#listeners.size;
  }

  /** IAPIConnector.onExecution: returns the unsubscribe function. */
  add(listener: ExecutionListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  deliver(report: ExecutionReport): void {
    for (const listener of [...this.#listeners]) {
      try {
        const result: unknown = listener(report);
        if (result instanceof Promise) result.catch((error: unknown) => this.#failed(error, report));
      } catch (error) {
        this.#failed(error, report);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }

  #failed(error: unknown, report: ExecutionReport): void {
    try {
      this.onError(error, report);
    } catch {
      // the error hook itself failed: nothing left to tell, and the venue must go on
    }
  }
}
