import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromVenueClientId, toVenueClientId } from '../../../src/connectors/ccxt/client-order-ids.js';
import { DEFAULT_PROFILE, venueProfile } from '../../../src/connectors/ccxt/venue-profiles.js';
import { VenueRejected } from '../../../src/domain/errors.js';
import { clientOrderId } from '../../../src/domain/ids.js';

const canonicalArb = fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.stringMatching(/^[A-Za-z0-9]{1,12}$/)).map(([directive, leg]) => clientOrderId(directive, leg));

describe('client order ids in each venue format', () => {
  it('binance: at most 36 of [A-Za-z0-9-_], the canonical id goes out unchanged', () => {
    const format = venueProfile('binance').clientId;
    expect(format).toEqual({ maxLength: 36, hyphen: true, underscore: true });
    const id = clientOrderId('directive-1', 'SL');
    expect(toVenueClientId(id, format)).toBe(id);
    expect(fromVenueClientId(id, format)).toBe(id);
  });

  it('a venue without hyphens gets the hyphen dropped, and the id maps back exactly', () => {
    const format = venueProfile('okx').clientId;
    const id = clientOrderId('directive-1', 'TP2');
    const sent = toVenueClientId(id, format);
    expect(sent).toMatch(/^PX[0-9a-f]{16}TP2$/);
    expect(fromVenueClientId(sent, format)).toBe(id);
  });

  it('round-trips every canonical id, deterministically, in every known format and the default', () => {
    const formats = ['binance', 'okx', 'bybit', 'kucoin', 'some-other-exchange'].map((e) => venueProfile(e).clientId);
    expect(formats.at(-1)).toEqual(DEFAULT_PROFILE.clientId);
    fc.assert(
      fc.property(canonicalArb, (id) => {
        for (const format of formats) {
          const sent = toVenueClientId(id, format);
          expect(sent.length).toBeLessThanOrEqual(format.maxLength);
          expect(toVenueClientId(id, format)).toBe(sent);
          expect(fromVenueClientId(sent, format)).toBe(id);
        }
      }),
    );
  });

  it('refuses, before sending, an id the venue cannot carry (too long, or characters it does not allow)', () => {
    const binance = venueProfile('binance').clientId;
    expect(() => toVenueClientId('X'.repeat(37), binance)).toThrow(VenueRejected);
    expect(() => toVenueClientId('PX.bad', binance)).toThrow(/at most 36 characters of \[A-Za-z0-9_-\]/);
    expect(() => toVenueClientId('not-canonical', venueProfile('okx').clientId)).toThrow(VenueRejected);
  });

  it("leaves an id that is not ours (another client's order) as the venue reports it", () => {
    expect(fromVenueClientId('web_8f3a', venueProfile('okx').clientId)).toBe('web_8f3a');
    expect(fromVenueClientId('x-TKT5PX2F123', venueProfile('binance').clientId)).toBe('x-TKT5PX2F123');
  });
});
