import type { Logger } from 'pino';
import type { AlertsConfig } from '../config/schema.js';
import type { IAlertSink } from '../orchestration/ports.js';
import { CompositeAlertSink } from './composite-alert-sink.js';
import { LogAlertSink } from './log-alert-sink.js';
import { NoopAlertSink } from './noop-alert-sink.js';
import { WebhookAlertSink } from './webhook-alert-sink.js';

/** The sinks the `alerts:` config section asks for: log (default on) and/or webhook (when a url is set). */
export function createAlertSink(config: AlertsConfig, logger: Logger): IAlertSink {
  const sinks: IAlertSink[] = [];
  if (config.log.enabled) sinks.push(new LogAlertSink(logger.child({ component: 'alerts' })));
  if (config.webhook.url !== undefined) {
    sinks.push(
      new WebhookAlertSink({
        url: config.webhook.url,
        timeoutMs: config.webhook.timeout_ms,
        headers: config.webhook.headers,
        logger: logger.child({ component: 'alerts.webhook' }),
      }),
    );
  }
  if (sinks.length === 0) return new NoopAlertSink();
  if (sinks.length === 1) return sinks[0] as IAlertSink;
  return new CompositeAlertSink(sinks);
}
