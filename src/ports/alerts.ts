export interface Alert {
  readonly severity: 'info' | 'warning' | 'critical';
  readonly code: string;
  readonly message: string;
  readonly flow_id?: string | null;
  readonly directive_id?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly timestamp: string;
}

export interface IAlertSink {
  /** Must not throw: a sink that fails logs its own failure. */
  send(alert: Alert): Promise<void>;
}

/**
 * The platform's alert sink (src/alerts/create-alert-sink.ts): `send` only hands the alert over
 * (delivery, retries and summaries run in the background), so shutdown must drain it.
 */
export interface IManagedAlertSink extends IAlertSink {
  /** Resolves once every alert handed over so far was delivered or given up, retries included. */
  drain(): Promise<void>;
  /** Cuts retry waits short (one last attempt each), sends what was held back as a summary, then drains. Idempotent. */
  close(): Promise<void>;
}

/** Alert delivery counters, per sink (`log`, `webhook`, `telegram`). */
export interface IAlertMetrics {
  alertSent(sink: string): void;
  alertSuppressed(sink: string, reason: 'duplicate' | 'rate_limited'): void;
  alertFailed(sink: string): void;
}
