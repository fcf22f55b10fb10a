import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Alert, IAlertMetrics, IManagedAlertSink } from '../ports/alerts.js';
import { AlertDeduper } from './alert-dedupe.js';
import { describeError, type AlertTransport, type DeliveryResult } from './alert-transport.js';
import { MinuteWindow } from './minute-window.js';
import { SuppressionTally, type SuppressionReason } from './suppression-tally.js';

/** The `alerts:` policy keys, compiled to milliseconds. */
export interface DeliveryPolicy {
  /** 0 = no deduplication. */
  readonly dedupeWindowMs: number;
  /** Alerts delivered per minute; 0 = no limit. */
  readonly maxPerMinute: number;
  readonly retry: {
    /** Attempts of one alert, the first included. */
    readonly maxAttempts: number;
    /** Wait before the 2nd attempt; doubled each time after. */
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
  };
}

export interface DeliveryPolicySinkOptions {
  readonly transport: AlertTransport & { readonly origin?: string };
  readonly policy: DeliveryPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: IAlertMetrics;
}

/**
 * The delivery policy around one sink, so an outage sends a handful of alerts, not thousands:
 * - a repeat (same code and subject within `dedupeWindowMs`) is suppressed and counted;
 * - beyond `maxPerMinute` in a minute, alerts are held back, and when the minute is over ONE
 *   summary (`ALERTS_SUPPRESSED`: how many, which codes) goes out and opens the next minute;
 * - a failed delivery is tried again after `initialDelayMs × 2ⁿ` (capped at `maxDelayMs`), or when
 *   the receiver's Retry-After says, when the failure is retryable (network, timeout, 408, 429, 5xx),
 *   up to `maxAttempts`; then it is logged and counted as failed.
 *
 * `send` only decides and starts the delivery: it never waits for the network and never throws,
 * so no flow is slowed or failed by alerting. The sink owns every delivery promise; `close`
 * wakes the waiting retries for a last attempt, sends the pending summary, and waits for them.
 */
export class DeliveryPolicySink implements IManagedAlertSink {
  readonly #transport: AlertTransport & { readonly origin?: string };
  readonly #policy: DeliveryPolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: IAlertMetrics | null;
  readonly #deduper: AlertDeduper;
  readonly #tally = new SuppressionTally();
  readonly #deliveries = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  readonly #window: MinuteWindow;
  #summaryTimer: Promise<void> | null = null;
  #attempting = 0;
  #closing: Promise<void> | null = null;
  readonly #counts = { sent: 0, duplicate: 0, rate_limited: 0, failed: 0 };

  constructor(options: DeliveryPolicySinkOptions) {
    const { retry } = options.policy;
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) throw new RangeError('alert delivery policy: retry.maxAttempts must be an integer ≥ 1');
    if (retry.maxDelayMs < retry.initialDelayMs) throw new RangeError('alert delivery policy: retry.maxDelayMs cannot be less than retry.initialDelayMs');
    if (options.policy.maxPerMinute < 0 || options.policy.dedupeWindowMs < 0) throw new RangeError('alert delivery policy: maxPerMinute and dedupeWindowMs must be ≥ 0');
    this.#transport = options.transport;
    this.#policy = options.policy;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#metrics = options.metrics ?? null;
    this.#deduper = new AlertDeduper(options.policy.dedupeWindowMs);
    this.#window = new MinuteWindow(options.policy.maxPerMinute);
    // every waiting retry and the summary timer listen to it; their number is bounded by max_per_minute, not by 10
    setMaxListeners(0, this.#stop.signal);
  }

  /** The wrapped sink's name: `log`, `webhook`, `telegram`. */
  get name(): string {
    return this.#transport.name;
  }

  /** Alerts delivered, suppressed (by reason) and given up, since construction. */
  get counts(): Readonly<{ sent: number; duplicate: number; rate_limited: number; failed: number }> {
    return { ...this.#counts };
  }

  /** Delivery attempts under way right now (not waiting for a retry). */
  get attempting(): number {
    return this.#attempting;
  }

  send(alert: Alert): Promise<void> {
    try {
      this.#accept(alert);
    } catch (error) {
      this.#safeLog('error', { sink: this.name, alert_code: safeCode(alert), error: describeError(error) }, 'alert not handled');
    }
    return Promise.resolve();
  }

  async drain(): Promise<void> {
    while (this.#deliveries.size > 0) await Promise.all(this.#deliveries);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#stop.abort(new Error('alert sink closing'));
    if (this.#summaryTimer !== null) await this.#summaryTimer;
    this.#sendSummary();
    await this.drain();
  }

  #accept(alert: Alert): void {
    const now = this.#clock.now();
    if (this.#deduper.isRepeat(alert, now)) {
      this.#suppress(alert, 'duplicate', now);
      return;
    }
    if (!this.#window.admit(now)) {
      this.#suppress(alert, 'rate_limited', now);
      return;
    }
    this.#deliver(alert);
  }

  #suppress(alert: Alert, reason: SuppressionReason, now: number): void {
    this.#counts[reason]++;
    this.#metric((m) => m.alertSuppressed(this.name, reason));
    if (this.#stop.signal.aborted) {
      // closed: no summary will follow, so this one line is all that is left of it
      this.#safeLog('warn', { sink: this.name, alert_code: alert.code, reason }, 'alert suppressed after the alert sink closed');
      return;
    }
    if (reason === 'rate_limited' && this.#tally.count === 0) {
      this.#safeLog('warn', { sink: this.name, max_per_minute: this.#policy.maxPerMinute }, 'alerts over max_per_minute are held back; one summary follows when the minute is over');
    }
    this.#tally.add(alert, reason, now);
    if (this.#summaryTimer === null) this.#scheduleSummary(now);
  }

  /** At the end of the current minute (or a minute from now when none is open), send the summary. */
  #scheduleSummary(now: number): void {
    const timer: Promise<void> = this.#clock
      .sleep(this.#window.endMs(now) - now, this.#stop.signal)
      .catch(() => undefined)
      .then(() => {
        this.#summaryTimer = null;
        try {
          this.#sendSummary();
        } catch (error) {
          this.#safeLog('error', { sink: this.name, error: describeError(error) }, 'alert summary not sent');
        }
      });
    this.#summaryTimer = timer;
  }

  #sendSummary(): void {
    if (this.#tally.count === 0) return;
    const now = this.#clock.now();
    const summary = this.#tally.takeSummary(now);
    // the summary opens the new minute and counts in it; it is never itself held back
    this.#window.force(now);
    this.#deliver(summary);
  }

  #deliver(alert: Alert): void {
    const delivery: Promise<void> = this.#attempts(alert)
      .catch((error: unknown) => this.#safeLog('error', { sink: this.name, alert_code: alert.code, error: describeError(error) }, 'alert delivery broke'))
      .finally(() => this.#deliveries.delete(delivery));
    this.#deliveries.add(delivery);
  }

  async #attempts(alert: Alert): Promise<void> {
    const { maxAttempts } = this.#policy.retry;
    let lastChance = false;
    for (let attempt = 1; ; attempt++) {
      const result = await this.#attempt(alert);
      if (result.ok) {
        this.#counts.sent++;
        this.#metric((m) => m.alertSent(this.name));
        return;
      }
      if (!result.retryable || attempt >= maxAttempts || lastChance) {
        this.#gaveUp(alert, result, attempt);
        return;
      }
      const delayMs = result.retryAfterMs ?? this.#backoff(attempt);
      this.#safeLog('debug', { sink: this.name, alert_code: alert.code, attempt, status: result.status, retry_in_ms: delayMs }, 'alert delivery failed; trying again');
      if (this.#stop.signal.aborted) {
        lastChance = true;
        continue;
      }
      try {
        await this.#clock.sleep(delayMs, this.#stop.signal);
      } catch {
        lastChance = true; // closing: one more attempt now instead of waiting
      }
    }
  }

  async #attempt(alert: Alert): Promise<DeliveryResult> {
    this.#attempting++;
    try {
      return await this.#transport.deliver(alert);
    } catch (error) {
      // a transport breaking its no-throw contract: treat like a network error
      return { ok: false, retryable: true, retryAfterMs: null, status: null, error: describeError(error) };
    } finally {
      this.#attempting--;
    }
  }

  /** initial × 2^(attempt-1), capped. */
  #backoff(attempt: number): number {
    const { initialDelayMs, maxDelayMs } = this.#policy.retry;
    return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  }

  #gaveUp(alert: Alert, result: Extract<DeliveryResult, { ok: false }>, attempts: number): void {
    this.#counts.failed++;
    this.#metric((m) => m.alertFailed(this.name));
    const fields = {
      sink: this.name,
      destination: this.#transport.origin ?? null,
      alert_code: alert.code,
      flow_id: alert.flow_id ?? null,
      attempts,
      status: result.status,
      error: result.error,
      retryable: result.retryable,
    };
    // the log sink itself failing: nothing to log to
    if (this.name !== 'log') this.#safeLog('error', fields, 'alert delivery failed');
  }

  #metric(record: (metrics: IAlertMetrics) => void): void {
    if (this.#metrics === null) return;
    try {
      record(this.#metrics);
    } catch {
      // metrics must not break alerting
    }
  }

  #safeLog(level: 'debug' | 'warn' | 'error', fields: Record<string, unknown>, msg: string): void {
    try {
      this.#logger[level](fields, msg);
    } catch {
      // a sink must not throw; a logger that fails has nowhere to report to
    }
  }
}

function safeCode(alert: unknown): string | null {
  const code = (alert as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}
