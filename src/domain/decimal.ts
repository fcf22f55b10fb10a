import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The one Decimal constructor of planexec: 40 significant digits, banker's rounding, and no
 * exponent notation in toString for any value a venue can quote.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = DecimalJs;

export const ZERO = new Decimal(0);

export function isDecimal(value: unknown): value is Decimal {
  return DecimalJs.isDecimal(value);
}

/** Canonical wire text of a decimal: plain notation, no trailing zeros ("65000.1", "0.015"). */
export function decimalToWire(value: Decimal): string {
  return value.toFixed();
}

/** Round down to a multiple of `step` (lot sizes: never send more than asked). */
export function floorToStep(value: Decimal, step: Decimal): Decimal {
  if (step.isZero()) return value;
  return value.div(step).floor().mul(step);
}

/** Round to the nearest multiple of `step` (tick sizes), ties to even. */
export function roundToStep(value: Decimal, step: Decimal): Decimal {
  if (step.isZero()) return value;
  return value.div(step).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).mul(step);
}

export function decimalMax(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}

export function decimalMin(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}
