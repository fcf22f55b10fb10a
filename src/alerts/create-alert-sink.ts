import type { Logger } from 'pino';
import type { AlertsConfig } from '../config/schema.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { IAlertMetrics, IManagedAlertSink } from '../ports/alerts.js';
import type { AlertTransport } from './alert-transport.js';
import { CompositeAlertSink } from './composite-alert-sink.js';
import { DeliveryPolicySink, type DeliveryPolicy } from './delivery-policy-sink.js';
import { LogAlertSink } from './log-alert-sink.js';
import { NoopAlertSink } from './noop-alert-sink.js';
import { TelegramAlertSink } from './telegram-alert-sink.js';
import { WebhookAlertSink } from './webhook-alert-sink.js';

export interface AlertSinkDeps {
  /** Dedupe and rate windows, retry waits. @default systemClock */
  readonly clock?: Clock;
  /** Sent / suppressed / failed counters per sink. */
  readonly metrics?: IAlertMetrics;
}

/** The `alerts:` policy keys in milliseconds. */
export function deliveryPolicy(config: AlertsConfig): DeliveryPolicy {
  return {
    dedupeWindowMs: config.dedupe_window_seconds * 1000,
    maxPerMinute: config.max_per_minute,
    retry: { maxAttempts: config.retry.max_attempts, initialDelayMs: config.retry.initial_delay_ms, maxDelayMs: config.retry.max_delay_ms },
  };
}

/**
 * The sinks the `alerts:` config section asks for — log (default on), a webhook (generic or Slack
 * format) when a url is set, Telegram when a bot token and chat are set — each behind its own
 * delivery policy (dedupe, rate limit, retries), so one slow or failing receiver never holds
 * back another. Close it on shutdown: deliveries run in the background.
 */
export function createAlertSink(config: AlertsConfig, logger: Logger, deps: AlertSinkDeps = {}): IManagedAlertSink {
  const clock = deps.clock ?? systemClock;
  const now = (): number => clock.now();
  const transports: AlertTransport[] = [];
  if (config.log.enabled) transports.push(new LogAlertSink(logger.child({ component: 'alerts' })));
  if (config.webhook.url !== undefined) {
    transports.push(
      new WebhookAlertSink({
        url: config.webhook.url,
        format: config.webhook.format,
        timeoutMs: config.webhook.timeout_ms,
        headers: config.webhook.headers,
        logger: logger.child({ component: 'alerts.webhook' }),
        now,
      }),
    );
  }
  if (config.telegram.bot_token !== undefined && config.telegram.chat_id !== undefined) {
    transports.push(
      new TelegramAlertSink({
        botToken: config.telegram.bot_token,
        chatId: config.telegram.chat_id,
        apiBaseUrl: config.telegram.api_base_url,
        timeoutMs: config.telegram.timeout_ms,
        now,
      }),
    );
  }
  const policy = deliveryPolicy(config);
  const sinks = transports.map(
    (transport) =>
      new DeliveryPolicySink({
        transport,
        policy,
        clock,
        logger: logger.child({ component: `alerts.${transport.name}` }),
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      }),
  );
  if (sinks.length === 0) return new NoopAlertSink();
  if (sinks.length === 1) return sinks[0] as DeliveryPolicySink;
  return new CompositeAlertSink(sinks);
}
