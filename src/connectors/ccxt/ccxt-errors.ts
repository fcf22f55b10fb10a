/**
 * ccxt's error classes onto planexec's taxonomy: the one table. Checked with instanceof, most
 * specific first (OrderNotFound before InvalidOrder, OnMaintenance before ExchangeNotAvailable,
 * RequestTimeout before NetworkError), so a subclass ccxt adds later lands with its parent.
 *
 * - rejected -> VenueRejected, never retried: the venue understood and refused.
 * - transient -> TransientError, retried per policy; a 429/418 carries `details.retry_after_ms`
 *   from the Retry-After header, and the retry waits at least that long.
 * - transient_read -> transient on a read, but an unknown outcome on a submit, cancel or amend:
 *   ExchangeNotAvailable is how ccxt reports a 5xx, and a venue answers 5xx also after it took
 *   the order (Binance: "execution status unknown"), so a write is looked up, never resent blind.
 * - unknown_outcome -> UnknownOutcomeError on a submit, cancel or amend (it may have taken
 *   effect: the order is looked up by client order id before anything else happens); on a read
 *   it is a TransientError (nothing changed, ask again).
 *
 * The rule for what the table does not know (a ccxt class outside it, such as a bare
 * ExchangeError, or anything that is not a ccxt error): on a submit, cancel or amend it is an
 * unknown outcome, on a read a transient error, exactly as above. It is never silent: each one is
 * logged at error level with its class name and message and counted
 * (planexec_venue_unmapped_errors_total{venue,error_class}), so the table can grow.
 */
import {
  AccountNotEnabled,
  AccountSuspended,
  ArgumentsRequired,
  AuthenticationError,
  BadRequest,
  BadResponse,
  BadSymbol,
  CancelPending,
  ContractUnavailable,
  DDoSProtection,
  DuplicateOrderId,
  ExchangeClosedByUser,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidAddress,
  InvalidNonce,
  InvalidOrder,
  InvalidProxySettings,
  MarketClosed,
  NetworkError,
  NotSupported,
  OnMaintenance,
  OperationRejected,
  OrderImmediatelyFillable,
  OrderNotFillable,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
  RestrictedLocation,
} from 'ccxt';
import { errorMessage, PlanexecError, TransientError, UnknownOutcomeError, VenueRejectCode, VenueRejected } from '../../domain/errors.js';

export type VenueOperation = 'submit' | 'cancel' | 'amend' | 'read';
export type CcxtErrorKind = 'rejected' | 'transient' | 'transient_read' | 'unknown_outcome';

type ErrorClass = abstract new (...args: never[]) => Error;

/** [ccxt class, kind, our code]: most specific first. */
export const CCXT_ERROR_TABLE: readonly (readonly [ErrorClass, CcxtErrorKind, string])[] = [
  // rejected: the venue refused, never retried
  [OrderNotFound, 'rejected', VenueRejectCode.ORDER_NOT_FOUND],
  [DuplicateOrderId, 'rejected', 'DUPLICATE_CLIENT_ORDER_ID'],
  [OrderImmediatelyFillable, 'rejected', 'INVALID_ORDER'],
  [OrderNotFillable, 'rejected', 'INVALID_ORDER'],
  [ContractUnavailable, 'rejected', 'INVALID_ORDER'],
  [InvalidOrder, 'rejected', 'INVALID_ORDER'],
  [InsufficientFunds, 'rejected', 'INSUFFICIENT_FUNDS'],
  [BadSymbol, 'rejected', 'UNKNOWN_SYMBOL'],
  [ArgumentsRequired, 'rejected', 'BAD_REQUEST'],
  [BadRequest, 'rejected', 'BAD_REQUEST'],
  [AccountSuspended, 'rejected', 'ACCOUNT_SUSPENDED'],
  [AccountNotEnabled, 'rejected', 'PERMISSION_DENIED'],
  [PermissionDenied, 'rejected', 'PERMISSION_DENIED'],
  [AuthenticationError, 'rejected', 'AUTHENTICATION_FAILED'],
  [NotSupported, 'rejected', 'NOT_SUPPORTED'],
  [MarketClosed, 'rejected', 'MARKET_CLOSED'],
  [RestrictedLocation, 'rejected', 'PERMISSION_DENIED'],
  [OperationRejected, 'rejected', 'VENUE_REJECTED'],
  [InvalidAddress, 'rejected', 'BAD_REQUEST'],
  [ExchangeClosedByUser, 'rejected', 'CONNECTOR_CLOSED'],
  [InvalidProxySettings, 'rejected', 'BAD_REQUEST'],
  // transient: definitively not processed, retried per policy
  [RateLimitExceeded, 'transient', 'RATE_LIMITED'],
  [DDoSProtection, 'transient', 'RATE_LIMITED'],
  [OnMaintenance, 'transient', 'VENUE_MAINTENANCE'],
  // a 5xx: may have been processed
  [ExchangeNotAvailable, 'transient_read', 'VENUE_UNAVAILABLE'],
  [InvalidNonce, 'transient', 'INVALID_NONCE'],
  // may have taken effect (a write) or simply failed (a read)
  [CancelPending, 'unknown_outcome', 'CANCEL_PENDING'],
  [RequestTimeout, 'unknown_outcome', 'VENUE_TIMEOUT'],
  [BadResponse, 'unknown_outcome', 'BAD_RESPONSE'],
  [NetworkError, 'unknown_outcome', 'NETWORK_ERROR'],
];

/** Told about an error the table does not know; the translation below still happens. */
export type UnmappedErrorListener = (errorClass: string, error: unknown, operation: VenueOperation) => void;

export interface TranslateContext {
  readonly venue: string;
  readonly operation: VenueOperation;
  /** From the response's Retry-After header, for a rate-limit error. */
  readonly retryAfterMs?: number;
  readonly onUnmapped: UnmappedErrorListener;
}

export function errorClassName(error: unknown): string {
  if (error instanceof Error) return error.constructor.name || error.name;
  return typeof error;
}

/** The table's row for `error`, or undefined when it does not know it. */
export function classifyCcxtError(error: unknown): { readonly kind: CcxtErrorKind; readonly code: string } | undefined {
  for (const [errorClass, kind, code] of CCXT_ERROR_TABLE) if (error instanceof errorClass) return { kind, code };
  return undefined;
}

const isWrite = (operation: VenueOperation): boolean => operation !== 'read';

/** Anything a ccxt call threw, as a PlanexecError of our taxonomy. */
export function translateCcxtError(error: unknown, context: TranslateContext): PlanexecError {
  if (error instanceof PlanexecError) return error;
  const errorClass = errorClassName(error);
  const message = `${context.venue} ${context.operation}: ${errorClass}: ${errorMessage(error)}`;
  const details = { venue: context.venue, error_class: errorClass, operation: context.operation };
  const row = classifyCcxtError(error);
  if (row === undefined) {
    context.onUnmapped(errorClass, error, context.operation);
    return isWrite(context.operation) ? new UnknownOutcomeError(message, 'VENUE_UNMAPPED_ERROR', details, error) : new TransientError(message, 'VENUE_UNMAPPED_ERROR', details, error);
  }
  switch (row.kind) {
    case 'rejected':
      return new VenueRejected(message, row.code, details, error);
    case 'transient': {
      const withRetryAfter = context.retryAfterMs === undefined || row.code !== 'RATE_LIMITED' ? details : { ...details, retry_after_ms: context.retryAfterMs };
      return new TransientError(message, row.code, withRetryAfter, error);
    }
    case 'transient_read':
    case 'unknown_outcome':
      return isWrite(context.operation) ? new UnknownOutcomeError(message, row.code, details, error) : new TransientError(message, row.code, details, error);
  }
}

/** The venue refused a submit because the client order id is in use: our order exists (Binance -2010 "Duplicate order sent."). */
export function isDuplicateClientOrderId(error: unknown): boolean {
  if (error instanceof DuplicateOrderId) return true;
  return error instanceof InvalidOrder && !(error instanceof OrderNotFound) && /duplicate order|client ?order ?id.*(already|exist|used)|-2010.*duplicate/i.test(errorMessage(error));
}

export function isOrderNotFound(error: unknown): boolean {
  return error instanceof OrderNotFound;
}

/**
 * Retry-After (seconds, or an HTTP date) as milliseconds from `nowMs`; undefined when absent or
 * unreadable. Header names are matched without regard to case.
 */
export function retryAfterMs(headers: unknown, nowMs: number): number | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const entry = Object.entries(headers as Record<string, unknown>).find(([name]) => name.toLowerCase() === 'retry-after');
  const value = entry?.[1];
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
