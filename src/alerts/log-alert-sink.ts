import type { Logger } from 'pino';
import type { Alert, IAlertSink } from '../ports/alerts.js';
import { DELIVERED, permanentFailure, type AlertTransport, type DeliveryResult } from './alert-transport.js';

/** Log level per alert severity: an alert is always above `info`, so it survives the default log level. */
const LEVEL = { info: 'warn', warning: 'error', critical: 'fatal' } as const satisfies Record<Alert['severity'], string>;

/** Writes each alert as one log line (`alert: {…}`), level by severity: info→warn, warning→error, critical→fatal. */
export class LogAlertSink implements IAlertSink, AlertTransport {
  readonly name = 'log';
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  deliver(alert: Alert): Promise<DeliveryResult> {
    try {
      this.#logger[LEVEL[alert.severity] ?? 'error']({ alert }, `ALERT ${alert.code}: ${alert.message}`);
      return Promise.resolve(DELIVERED);
    } catch (error) {
      // A logger that fails has nowhere to report to, and writing again will not help.
      return Promise.resolve(permanentFailure(error));
    }
  }

  async send(alert: Alert): Promise<void> {
    await this.deliver(alert);
  }
}
