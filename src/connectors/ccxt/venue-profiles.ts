/**
 * What differs between exchanges and cannot be read from ccxt: the client order id format each
 * accepts, and whether its editOrder changes an order in place. One table, so adding a venue is
 * one row; an exchange without a row gets the conservative default.
 */
export interface ClientIdFormat {
  readonly maxLength: number;
  /** Whether '-' is allowed; the other allowed characters are always [A-Za-z0-9] (and '_' where `underscore`). */
  readonly hyphen: boolean;
  readonly underscore: boolean;
}

export interface VenueProfile {
  readonly clientId: ClientIdFormat;
  /**
   * ccxt's editOrder keeps the order (same venue order id) rather than cancelling and placing a
   * new one. Binance spot's editOrder is cancel-replace (a new order id): planexec then does its
   * own cancel/replace, so the order's identity never changes under it.
   */
  readonly editInPlace: boolean;
}

const PROFILES: Readonly<Record<string, VenueProfile>> = {
  binance: { clientId: { maxLength: 36, hyphen: true, underscore: true }, editInPlace: false },
  binanceus: { clientId: { maxLength: 36, hyphen: true, underscore: true }, editInPlace: false },
  bybit: { clientId: { maxLength: 36, hyphen: true, underscore: true }, editInPlace: true },
  kucoin: { clientId: { maxLength: 40, hyphen: true, underscore: true }, editInPlace: false },
  okx: { clientId: { maxLength: 32, hyphen: false, underscore: false }, editInPlace: true },
};

/** Fits `PX` + 16 hex + a leg of up to 12 alphanumerics without the hyphen (30 characters). */
export const DEFAULT_PROFILE: VenueProfile = { clientId: { maxLength: 32, hyphen: false, underscore: false }, editInPlace: false };

export function venueProfile(exchangeId: string): VenueProfile {
  return PROFILES[exchangeId] ?? DEFAULT_PROFILE;
}
