/**
 * The error taxonomy. Retryability is a property of the error, not of the call site; anything
 * thrown by a collaborator is normalised once with `toPlanexecError`.
 */

export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface PlanexecErrorOptions {
  readonly code: string;
  readonly retryable?: boolean;
  readonly details?: ErrorDetails;
  readonly cause?: unknown;
}

export class PlanexecError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: ErrorDetails;

  constructor(message: string, options: PlanexecErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** One violated rule at one field path, e.g. `{ path: 'entry_plan.limit_price', rule: 'required_for_limit' }`. */
export interface ValidationIssue {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

/** Input that planexec refuses: every violated field path with its rule, reported at once. */
export class ValidationError extends PlanexecError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], context?: string) {
    const list = issues.map((i) => `${i.path || '(root)'}: ${i.message} [${i.rule}]`).join('; ');
    super(`${context ? `${context}: ` : ''}${list}`, { code: 'VALIDATION_FAILED', details: { issues } });
    this.issues = issues;
  }
}

/** We refused before sending (risk, instrument rules, kill switch): nothing reached the venue. */
export class RiskDenied extends PlanexecError {
  constructor(message: string, code = 'RISK_DENIED', details?: ErrorDetails) {
    super(message, { code, details });
  }
}

/** The venue understood the request and refused it: never retried. */
export class VenueRejected extends PlanexecError {
  constructor(message: string, code = 'VENUE_REJECTED', details?: ErrorDetails, cause?: unknown) {
    super(message, { code, details, cause });
  }
}

/**
 * The VenueRejected codes the orchestration acts on; every connector raises these for these
 * cases (any other venue code is only reported).
 */
export const VenueRejectCode = {
  /** A stop order whose trigger price is already crossed. */
  WOULD_TRIGGER_IMMEDIATELY: 'WOULD_TRIGGER_IMMEDIATELY',
  /** An amend of an order that is no longer open. */
  ORDER_NOT_OPEN: 'ORDER_NOT_OPEN',
  /** An amend to less than the order has already filled. */
  QUANTITY_BELOW_FILLED: 'QUANTITY_BELOW_FILLED',
  /** The paper and dry-run venues: no such order. */
  UNKNOWN_ORDER: 'UNKNOWN_ORDER',
  /** A live exchange: no such order. */
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
} as const;
export type VenueRejectCode = (typeof VenueRejectCode)[keyof typeof VenueRejectCode];

/** `error` is the venue's refusal with one of `codes`. */
export function isVenueRejection(error: unknown, codes: readonly VenueRejectCode[]): boolean {
  return error instanceof VenueRejected && (codes as readonly string[]).includes(error.code);
}

/**
 * A transient failure where the request definitively did not take effect (rate limited, venue
 * busy, connection refused before send): safe to retry with the same client order id.
 */
export class TransientError extends PlanexecError {
  constructor(message: string, code = 'TRANSIENT', details?: ErrorDetails, cause?: unknown) {
    super(message, { code, retryable: true, details, cause });
  }
}

/**
 * The request may or may not have taken effect (timeout after send, connection lost mid-call).
 * Never retried blind: the order becomes IN_DOUBT and is resolved by querying the venue.
 */
export class UnknownOutcomeError extends PlanexecError {
  constructor(message: string, code = 'UNKNOWN_OUTCOME', details?: ErrorDetails, cause?: unknown) {
    super(message, { code, details, cause });
  }
}

/** A state machine refused a transition (order status, position lifecycle). */
export class InvalidTransition extends PlanexecError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, { code: 'INVALID_TRANSITION', details });
  }
}

/** The ledger or the journal could not do what was asked. */
export class StorageError extends PlanexecError {
  constructor(message: string, code = 'STORAGE_FAILED', details?: ErrorDetails, cause?: unknown) {
    super(message, { code, retryable: false, details, cause });
  }
}

/** Who holds a database's writer lease: enough for a refused process to name it. */
export interface WriterIdentity {
  readonly pid: number;
  readonly hostname: string;
  /** The holder's command line. */
  readonly command: string;
  /** When it took the lease (ISO-8601 UTC). */
  readonly started_at: string;
}

/** Another process holds the writer lease of the database (CLI exit 3); `holder` is null when it has not said who it is yet. */
export class DatabaseInUseError extends StorageError {
  readonly database: string;
  readonly holder: WriterIdentity | null;

  constructor(database: string, holder: WriterIdentity | null) {
    const who = holder === null ? 'a process that has not identified itself yet' : `pid ${holder.pid} on ${holder.hostname}, since ${holder.started_at} (${holder.command})`;
    super(`database ${database} is in use by another writer: ${who}`, 'DATABASE_IN_USE', { database, holder });
    this.database = database;
    this.holder = holder;
  }
}

export class LedgerError extends StorageError {
  constructor(message: string, details?: ErrorDetails, cause?: unknown) {
    super(message, 'LEDGER_FAILED', details, cause);
  }
}

export class JournalError extends StorageError {
  constructor(message: string, details?: ErrorDetails, cause?: unknown) {
    super(message, 'JOURNAL_FAILED', details, cause);
  }
}

export const UnknownTradeCode = {
  TRADE_NOT_FOUND: 'TRADE_NOT_FOUND',
  TRADE_ALREADY_CLOSED: 'TRADE_ALREADY_CLOSED',
} as const;
export type UnknownTradeCode = (typeof UnknownTradeCode)[keyof typeof UnknownTradeCode];

/** A code read back as text (the journal) that names an unknown or closed target trade. */
export function isUnknownTradeCode(code: string): code is UnknownTradeCode {
  return code === UnknownTradeCode.TRADE_NOT_FOUND || code === UnknownTradeCode.TRADE_ALREADY_CLOSED;
}

/** A target trade id that the ledger does not know, or that is already closed. */
export class UnknownTradeError extends PlanexecError {
  declare readonly code: UnknownTradeCode;

  constructor(message: string, code: UnknownTradeCode, details?: ErrorDetails) {
    super(message, { code, details });
  }
}

export class BusError extends PlanexecError {
  constructor(message: string, code = 'BUS_FAILED', details?: ErrorDetails, cause?: unknown) {
    super(message, { code, details, cause });
  }
}

/** A critical subscriber failed: publish raises this and later handlers of that publish do not run. */
export class CriticalEventHandlerError extends BusError {
  readonly subscriptionId: string;
  readonly originalError: unknown;

  constructor(subscriptionId: string, eventName: string, originalError: unknown) {
    super(
      `critical handler ${subscriptionId} for ${eventName} failed: ${errorMessage(originalError)}`,
      'CRITICAL_HANDLER_FAILED',
      { subscription_id: subscriptionId, event_name: eventName },
      originalError,
    );
    this.subscriptionId = subscriptionId;
    this.originalError = originalError;
  }
}

/** A config file that cannot be used: where it is wrong and which rule it breaks. */
export interface ConfigIssue {
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly keyPath: string;
  readonly rule: string;
  readonly message: string;
}

export class ConfigError extends PlanexecError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const text = issues
      .map((i) => `${i.file}${i.line === null ? '' : `:${i.line}:${i.column ?? 1}`}: ${i.keyPath || '(root)'}: ${i.message} [${i.rule}]`)
      .join('\n');
    super(text, { code: 'CONFIG_INVALID', details: { issues } });
    this.issues = issues;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

/** Normalise anything thrown into a PlanexecError; unknown errors are not retryable. */
export function toPlanexecError(error: unknown, fallbackCode = 'INTERNAL'): PlanexecError {
  if (error instanceof PlanexecError) return error;
  return new PlanexecError(errorMessage(error), { code: fallbackCode, cause: error });
}
