import { Decimal, roundToStep } from '../domain/decimal.js';

/**
 * One step of geometric Brownian motion without drift, rounded to the tick:
 * S' = S · exp(−σ²/2 + σ·z). The shock is a float (it is noise, not money); the price stays Decimal.
 */
export function nextGbmPrice(price: Decimal, volatility: number, shock: number, tick: Decimal): Decimal {
  const exponent = new Decimal(-(volatility * volatility) / 2 + volatility * shock);
  const next = roundToStep(price.mul(exponent.exp()), tick);
  return next.gt(0) ? next : tick;
}
