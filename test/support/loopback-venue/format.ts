import type { Decimal } from '../../../src/domain/decimal.js';

/**
 * Binance's decimal text: at least 8 places ("65000.00000000"), more only when the value needs
 * them, so a string never loses a digit of what the venue booked.
 */
export function binanceDecimal(value: Decimal): string {
  return value.decimalPlaces() <= 8 ? value.toFixed(8) : value.toFixed();
}
