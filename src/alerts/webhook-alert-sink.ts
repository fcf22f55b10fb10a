import type { Logger } from 'pino';
import type { Alert, IAlertSink } from '../orchestration/ports.js';

export interface WebhookAlertSinkOptions {
  readonly url: string;
  /** Bounds one delivery (connect, send, response). */
  readonly timeoutMs: number;
  /** Sent with every request (e.g. an Authorization token); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

/**
 * POSTs each alert as JSON to a URL (Slack/Teams/PagerDuty bridges, Alertmanager-style receivers).
 * One attempt, bounded by `timeoutMs`; a failure (timeout, refused, non-2xx) is logged and the
 * promise resolves — alerting must never break a flow. Logs name the URL without its query
 * string or credentials and never the header values: those are where webhook secrets live.
 */
export class WebhookAlertSink implements IAlertSink {
  readonly #url: string;
  readonly #safeUrl: string;
  readonly #timeoutMs: number;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #logger: Logger;

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
    this.#safeUrl = `${parsed.origin}${parsed.pathname}`;
    this.#timeoutMs = options.timeoutMs;
    this.#headers = { 'content-type': 'application/json', ...(options.headers ?? {}) };
    this.#logger = options.logger;
  }

  async send(alert: Alert): Promise<void> {
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body: JSON.stringify(alert),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      // Read the body so the connection is released for reuse.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) this.#fail(alert, { status: response.status }, 'alert webhook answered with an error status');
    } catch (error) {
      this.#fail(alert, { error: describe(error) }, 'alert webhook delivery failed');
    }
  }

  #fail(alert: Alert, fields: Record<string, unknown>, msg: string): void {
    try {
      this.#logger.error(
        { webhook_url: this.#safeUrl, timeout_ms: this.#timeoutMs, alert_code: alert.code, flow_id: alert.flow_id ?? null, ...fields },
        msg,
      );
    } catch {
      // see LogAlertSink
    }
  }
}

/** What went wrong, without anything that could echo the request (URL, headers). */
function describe(error: unknown): { name: string; code: string | null } {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
    return { name: error.name, code: typeof code === 'string' ? code : null };
  }
  return { name: typeof error, code: null };
}
