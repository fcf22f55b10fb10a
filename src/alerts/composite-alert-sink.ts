import type { Alert, IAlertSink } from '../orchestration/ports.js';

/** Sends each alert to every sink at once and resolves when all of them are done. */
export class CompositeAlertSink implements IAlertSink {
  readonly #sinks: readonly IAlertSink[];

  constructor(sinks: readonly IAlertSink[]) {
    this.#sinks = [...sinks];
  }

  async send(alert: Alert): Promise<void> {
    // allSettled: a sink breaking its no-throw contract must not hide the others' deliveries.
    await Promise.allSettled(this.#sinks.map((sink) => sink.send(alert)));
  }

  get size(): number {
    return this.#sinks.length;
  }
}
