import type { Alert, IManagedAlertSink } from '../ports/alerts.js';

/** Used when no alert sink is configured. */
export class NoopAlertSink implements IManagedAlertSink {
  send(_alert: Alert): Promise<void> {
    return Promise.resolve();
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
