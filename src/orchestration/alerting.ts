import type { Logger } from 'pino';
import type { Alert, IAlertSink } from '../ports/alerts.js';

/** Send an alert without letting a failing sink disturb the flow (sinks should not throw; this makes sure). */
export async function sendAlert(alerts: IAlertSink, logger: Logger, alert: Alert): Promise<void> {
  try {
    await alerts.send(alert);
  } catch (error) {
    logger.error({ err: error, alert_code: alert.code }, 'alert sink failed');
  }
}
