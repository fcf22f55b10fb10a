import * as ccxt from 'ccxt';
import { describe, expect, it, vi } from 'vitest';
import { CCXT_ERROR_TABLE, isDuplicateClientOrderId, retryAfterMs, translateCcxtError, type VenueOperation } from '../../../src/connectors/ccxt/ccxt-errors.js';
import { TransientError, UnknownOutcomeError, VenueRejected } from '../../../src/domain/errors.js';

const WRITES: readonly VenueOperation[] = ['submit', 'cancel', 'amend'];

function translate(error: unknown, operation: VenueOperation, retryAfter?: number) {
  const onUnmapped = vi.fn();
  const translated = translateCcxtError(error, { venue: 'binance', operation, onUnmapped, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) });
  return { translated, onUnmapped };
}

const REJECTED = [
  'InsufficientFunds',
  'InvalidOrder',
  'OrderNotFound',
  'DuplicateOrderId',
  'OrderImmediatelyFillable',
  'OrderNotFillable',
  'ContractUnavailable',
  'BadSymbol',
  'BadRequest',
  'ArgumentsRequired',
  'AuthenticationError',
  'PermissionDenied',
  'AccountNotEnabled',
  'AccountSuspended',
  'NotSupported',
  'MarketClosed',
  'RestrictedLocation',
  'OperationRejected',
  'InvalidAddress',
  'ExchangeClosedByUser',
  'InvalidProxySettings',
] as const;
const TRANSIENT = ['DDoSProtection', 'RateLimitExceeded', 'OnMaintenance', 'InvalidNonce', 'ChecksumError'] as const;
// ExchangeNotAvailable is a 5xx, which a venue also answers after it took the order
const UNKNOWN_ON_WRITE = ['ExchangeNotAvailable', 'RequestTimeout', 'NetworkError', 'BadResponse', 'NullResponse', 'CancelPending'] as const;

const make = (name: string): Error => new (ccxt as unknown as Record<string, new (message: string) => Error>)[name]!(`binance ${name} happened`);

describe('the ccxt error table', () => {
  it.each(REJECTED)('%s is VenueRejected (never retried) on every operation', (name) => {
    for (const operation of [...WRITES, 'read'] as const) {
      const { translated, onUnmapped } = translate(make(name), operation);
      expect(translated).toBeInstanceOf(VenueRejected);
      expect(translated.retryable).toBe(false);
      expect(translated.details).toMatchObject({ venue: 'binance', error_class: name, operation });
      expect(translated.message).toContain(`${name} happened`);
      expect(onUnmapped).not.toHaveBeenCalled();
    }
  });

  it.each(TRANSIENT)('%s is a TransientError (retried) on every operation', (name) => {
    for (const operation of [...WRITES, 'read'] as const) {
      const { translated, onUnmapped } = translate(make(name), operation);
      expect(translated).toBeInstanceOf(TransientError);
      expect(translated.retryable).toBe(true);
      expect(onUnmapped).not.toHaveBeenCalled();
    }
  });

  it.each(UNKNOWN_ON_WRITE)('%s is an unknown outcome on a submit, cancel or amend, and transient on a read', (name) => {
    for (const operation of WRITES) expect(translate(make(name), operation).translated).toBeInstanceOf(UnknownOutcomeError);
    expect(translate(make(name), 'read').translated).toBeInstanceOf(TransientError);
  });

  it('checks the most specific class first: OrderNotFound is not a plain invalid order, OnMaintenance not a plain outage', () => {
    expect(translate(make('OrderNotFound'), 'cancel').translated.code).toBe('ORDER_NOT_FOUND');
    expect(translate(make('InvalidOrder'), 'submit').translated.code).toBe('INVALID_ORDER');
    expect(translate(make('OnMaintenance'), 'read').translated.code).toBe('VENUE_MAINTENANCE');
    expect(translate(make('ExchangeNotAvailable'), 'read').translated.code).toBe('VENUE_UNAVAILABLE');
    expect(translate(make('RequestTimeout'), 'submit').translated.code).toBe('VENUE_TIMEOUT');
    // every subclass appears before its parent
    CCXT_ERROR_TABLE.forEach(([cls], i) => {
      for (const [later] of CCXT_ERROR_TABLE.slice(i + 1)) expect(later.prototype instanceof cls, `${later.name} after ${cls.name}`).toBe(false);
    });
  });

  it('a rate limit carries retry_after_ms when the venue sent Retry-After; other transient errors do not', () => {
    expect(translate(make('RateLimitExceeded'), 'submit', 2000).translated.details.retry_after_ms).toBe(2000);
    expect(translate(make('DDoSProtection'), 'read', 1000).translated.details.retry_after_ms).toBe(1000);
    expect(translate(make('ExchangeNotAvailable'), 'read', 1000).translated.details.retry_after_ms).toBeUndefined();
  });

  it('an error the table does not know is reported to the listener: an unknown outcome on writes, transient on reads', () => {
    for (const error of [new ccxt.ExchangeError('binance -9999'), new ccxt.BaseError('odd'), new TypeError('x is undefined'), 'a string']) {
      for (const operation of WRITES) {
        const { translated, onUnmapped } = translate(error, operation);
        expect(translated).toBeInstanceOf(UnknownOutcomeError);
        expect(translated.code).toBe('VENUE_UNMAPPED_ERROR');
        expect(onUnmapped).toHaveBeenCalledTimes(1);
      }
      const { translated, onUnmapped } = translate(error, 'read');
      expect(translated).toBeInstanceOf(TransientError);
      expect(onUnmapped).toHaveBeenCalledWith(expect.any(String), error, 'read');
    }
    expect(translate(new ccxt.ExchangeError('x'), 'submit').onUnmapped).toHaveBeenCalledWith('ExchangeError', expect.anything(), 'submit');
  });

  it('recognises a refusal of a used client order id (Binance -2010 "Duplicate order sent.") and nothing else', () => {
    expect(isDuplicateClientOrderId(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'))).toBe(true);
    expect(isDuplicateClientOrderId(new ccxt.DuplicateOrderId('okx clOrdId already exists'))).toBe(true);
    expect(isDuplicateClientOrderId(new ccxt.InsufficientFunds('binance {"code":-2010,"msg":"Account has insufficient balance for requested action."}'))).toBe(false);
    expect(isDuplicateClientOrderId(new ccxt.InvalidOrder('binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}'))).toBe(false);
    expect(isDuplicateClientOrderId(new ccxt.OrderNotFound('Duplicate order sent.'))).toBe(false);
  });
});

describe('Retry-After', () => {
  it('reads seconds or an HTTP date, whatever the header name case', () => {
    expect(retryAfterMs({ 'retry-after': '3' }, 0)).toBe(3000);
    expect(retryAfterMs({ 'Retry-After': '1.5' }, 0)).toBe(1500);
    expect(retryAfterMs({ 'Retry-After': 'Wed, 02 Dec 2026 08:00:10 GMT' }, Date.parse('2026-12-02T08:00:00Z'))).toBe(10_000);
  });

  it('is undefined when absent or unreadable', () => {
    expect(retryAfterMs({}, 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' }, 0)).toBeUndefined();
  });
});
