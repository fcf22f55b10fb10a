import type { Alert, IAlertSink, IManagedAlertSink } from '../ports/alerts.js';

/** Sends each alert to every sink at once and resolves when all of them are done. */
export class CompositeAlertSink implements IManagedAlertSink {
  readonly #sinks: readonly IAlertSink[];

  constructor(sinks: readonly IAlertSink[]) {
    this.#sinks = [...sinks];
  }

  async send(alert: Alert): Promise<void> {
    // allSettled: a sink breaking its no-throw contract must not hide the others' deliveries.
    await Promise.allSettled(this.#sinks.map((sink) => sink.send(alert)));
  }

  async drain(): Promise<void> {
    await Promise.allSettled(this.#sinks.map((sink) => (isManaged(sink) ? sink.drain() : undefined)));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#sinks.map((sink) => (isManaged(sink) ? sink.close() : undefined)));
  }

  get size(): number {
    return this.#sinks.length;
  }

  get sinks(): readonly IAlertSink[] {
    return this.#sinks;
  }
}

function isManaged(sink: IAlertSink): sink is IManagedAlertSink {
  return typeof (sink as Partial<IManagedAlertSink>).drain === 'function' && typeof (sink as Partial<IManagedAlertSink>).close === 'function';
}
