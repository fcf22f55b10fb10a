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
  /** ccxt's unified `postOnly` reaches the venue as a maker-only order (Binance: LIMIT_MAKER). */
  readonly postOnly: boolean;
  /** The venue rests an iceberg itself (Binance spot: `icebergQty`). */
  readonly nativeIceberg: boolean;
}

const PROFILES: Readonly<Record<string, VenueProfile>> = {
  binance: { clientId: { maxLength: 36, hyphen: true, underscore: true }, editInPlace: false, postOnly: true, nativeIceberg: true },
  binanceus: { clientId: { maxLength: 36, hyphen: true, underscore: true }, editInPlace: false, postOnly: true, nativeIceberg: true },
  bybit: { clientId: { maxLength: 36, hyphen: true, underscore: true }, editInPlace: true, postOnly: true, nativeIceberg: false },
  kucoin: { clientId: { maxLength: 40, hyphen: true, underscore: true }, editInPlace: false, postOnly: true, nativeIceberg: false },
  okx: { clientId: { maxLength: 32, hyphen: false, underscore: false }, editInPlace: true, postOnly: true, nativeIceberg: false },
};

/** Fits `PX` + 16 hex + a leg of up to 12 alphanumerics without the hyphen (30 characters). */
export const DEFAULT_PROFILE: VenueProfile = { clientId: { maxLength: 32, hyphen: false, underscore: false }, editInPlace: false, postOnly: false, nativeIceberg: false };

export function venueProfile(exchangeId: string): VenueProfile {
  return PROFILES[exchangeId] ?? DEFAULT_PROFILE;
}
