import type { Logger } from 'pino';
import type { Alert, IAlertSink } from '../orchestration/ports.js';

/** Log level per alert severity: an alert is always above `info`, so it survives the default log level. */
const LEVEL = { info: 'warn', warning: 'error', critical: 'fatal' } as const satisfies Record<Alert['severity'], string>;

/** Writes each alert as one log line (`alert: {…}`), level by severity: info→warn, warning→error, critical→fatal. */
export class LogAlertSink implements IAlertSink {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  send(alert: Alert): Promise<void> {
    try {
      this.#logger[LEVEL[alert.severity] ?? 'error']({ alert }, `ALERT ${alert.code}: ${alert.message}`);
    } catch {
      // A sink must not throw (IAlertSink); a logger that fails has nowhere to report to.
    }
    return Promise.resolve();
  }
}
