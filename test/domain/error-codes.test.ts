import { describe, expect, it } from 'vitest';
import { isUnknownTradeCode, isVenueRejection, PlanexecError, UnknownTradeError, VenueRejectCode, VenueRejected } from '../../src/domain/errors.js';

describe('isVenueRejection', () => {
  it('is true for a VenueRejected with one of the codes, false for another code or another class with the code', () => {
    const wouldTrigger = new VenueRejected('stop crossed', 'WOULD_TRIGGER_IMMEDIATELY');
    expect(isVenueRejection(wouldTrigger, [VenueRejectCode.WOULD_TRIGGER_IMMEDIATELY])).toBe(true);
    expect(isVenueRejection(wouldTrigger, [VenueRejectCode.ORDER_NOT_OPEN, VenueRejectCode.UNKNOWN_ORDER])).toBe(false);
    expect(isVenueRejection(new PlanexecError('x', { code: 'WOULD_TRIGGER_IMMEDIATELY' }), [VenueRejectCode.WOULD_TRIGGER_IMMEDIATELY])).toBe(false);
    expect(isVenueRejection(new Error('WOULD_TRIGGER_IMMEDIATELY'), [VenueRejectCode.WOULD_TRIGGER_IMMEDIATELY])).toBe(false);
  });

  it('takes only known codes: a misspelled one does not compile', () => {
    // @ts-expect-error 'ORDER_NOT_OPENED' is not a VenueRejectCode
    expect(isVenueRejection(new VenueRejected('gone', 'ORDER_NOT_OPEN'), ['ORDER_NOT_OPENED'])).toBe(false);
  });

  it('keeps the wire values', () => {
    expect(Object.entries(VenueRejectCode).every(([key, value]) => key === value)).toBe(true);
  });
});

describe('isUnknownTradeCode', () => {
  it('accepts the two codes of UnknownTradeError read back as text and nothing else', () => {
    expect(['TRADE_NOT_FOUND', 'TRADE_ALREADY_CLOSED', 'TRADE_NOT_FOUNDX', 'RISK_DENIED'].filter(isUnknownTradeCode)).toEqual(['TRADE_NOT_FOUND', 'TRADE_ALREADY_CLOSED']);
  });

  it('types the code of an UnknownTradeError: comparing it with a misspelled code does not compile', () => {
    const error = new UnknownTradeError('no such trade', 'TRADE_NOT_FOUND');
    // @ts-expect-error 'TRADE_MISSING' is no UnknownTradeCode
    expect(error.code === 'TRADE_MISSING').toBe(false);
  });
});
