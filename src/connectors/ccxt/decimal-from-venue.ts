import { Decimal } from '../../domain/decimal.js';

/**
 * A venue amount as Decimal. A string (the venue's own text, kept in ccxt's `info`) is exact. A
 * number is what ccxt parsed from such a text: JavaScript prints the shortest text that reads
 * back as the same double, and two different decimals of at most 15 significant digits never
 * share a double, so that text is the venue's decimal again.
 */
export function venueDecimal(value: unknown): Decimal | undefined {
  if (typeof value === 'string' && value.trim() !== '') {
    try {
      return new Decimal(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(value);
  return undefined;
}

/** The first of `values` that is a venue amount. */
export function firstDecimal(...values: unknown[]): Decimal | undefined {
  for (const value of values) {
    const decimal = venueDecimal(value);
    if (decimal !== undefined) return decimal;
  }
  return undefined;
}
