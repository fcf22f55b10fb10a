import { VenueRejected } from '../../domain/errors.js';

const PLANEXEC_SYMBOL = /^([A-Z0-9]{1,20})_([A-Z0-9]{1,20})$/;

/** planexec `BTC_USDT` -> ccxt `BTC/USDT` (spot). */
export function toCcxtSymbol(symbol: string): string {
  const match = PLANEXEC_SYMBOL.exec(symbol);
  if (match === null) throw new VenueRejected(`symbol ${symbol} is not of the form BASE_QUOTE (e.g. BTC_USDT)`, 'UNKNOWN_SYMBOL', { symbol });
  return `${match[1]}/${match[2]}`;
}

/** ccxt `BTC/USDT` (or `BTC/USDT:USDT` for a contract, which spot never lists) -> `BTC_USDT`. */
export function fromCcxtSymbol(symbol: string): string {
  const [pair = symbol] = symbol.split(':');
  return pair.replace('/', '_');
}
