import type { Logger } from 'pino';
import { redactSecrets } from '../config/redact.js';
import type { Alert, IAlertSink } from '../ports/alerts.js';
import { genericPayload, slackPayload } from './alert-formats.js';
import type { AlertTransport, DeliveryResult } from './alert-transport.js';
import { postJson, serialise } from './http-delivery.js';
import { urlSecrets } from './url-secrets.js';

export type WebhookFormat = 'generic' | 'slack';

export interface WebhookAlertSinkOptions {
  readonly url: string;
  /** generic: the alert as JSON; slack: a Slack incoming-webhook message. @default generic */
  readonly format?: WebhookFormat;
  /** Bounds one delivery (connect, send, response). */
  readonly timeoutMs: number;
  /** Sent with every request (e.g. an Authorization token); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** For a Retry-After given as a date. @default Date.now */
  readonly now?: () => number;
}

/**
 * POSTs each alert as JSON to a URL: the alert itself (generic: Alertmanager-style receivers, your
 * own bridge) or a Slack incoming-webhook message. `deliver` makes one attempt and classifies its
 * failure for the delivery policy (delivery-policy-sink.ts); `send` is that attempt with its
 * failure logged. Logs name only the URL's origin: a webhook's path and query are where its
 * secret lives (Slack's /services/T…/B…/X…), as are the header values; neither is ever logged,
 * and both are masked should an alert's text contain them.
 */
export class WebhookAlertSink implements IAlertSink, AlertTransport {
  readonly name = 'webhook';
  readonly #url: string;
  readonly #origin: string;
  readonly #format: WebhookFormat;
  readonly #timeoutMs: number;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #secrets: ReadonlySet<string>;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(options: WebhookAlertSinkOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new TypeError('webhook alert sink: url is not a valid URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('webhook alert sink: url must be http or https');
    if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0) throw new RangeError('webhook alert sink: timeoutMs must be a positive integer');
    this.#url = parsed.href;
    this.#origin = parsed.origin;
    this.#format = options.format ?? 'generic';
    this.#timeoutMs = options.timeoutMs;
    this.#headers = { 'content-type': 'application/json', ...(options.headers ?? {}) };
    this.#secrets = new Set([...urlSecrets(parsed), ...Object.values(options.headers ?? {}).filter((v) => v.length >= 4)]);
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** Where logs say alerts go: scheme, host and port only. */
  get origin(): string {
    return this.#origin;
  }

  async deliver(alert: Alert): Promise<DeliveryResult> {
    const body = serialise(this.#format === 'slack' ? slackPayload(alert) : genericPayload(alert));
    if (!body.ok) return body.failure;
    return postJson({ url: this.#url, headers: this.#headers, body: redactSecrets(body.text, this.#secrets), timeoutMs: this.#timeoutMs, nowMs: this.#now() });
  }

  async send(alert: Alert): Promise<void> {
    const result = await this.deliver(alert);
    if (result.ok) return;
    try {
      const fields = { webhook_url: this.#origin, timeout_ms: this.#timeoutMs, alert_code: alert.code, flow_id: alert.flow_id ?? null };
      if (result.status !== null) this.#logger.error({ ...fields, status: result.status }, 'alert webhook answered with an error status');
      else this.#logger.error({ ...fields, error: result.error }, 'alert webhook delivery failed');
    } catch {
      // A sink must not throw (IAlertSink); a logger that fails has nowhere to report to.
    }
  }
}
