import type { Alert, IAlertSink } from '../orchestration/ports.js';

/** Used when no alert sink is configured. */
export class NoopAlertSink implements IAlertSink {
  send(_alert: Alert): Promise<void> {
    return Promise.resolve();
  }
}
