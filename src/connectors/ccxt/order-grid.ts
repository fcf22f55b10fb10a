import type { Decimal } from '../../domain/decimal.js';
import { VenueRejected } from '../../domain/errors.js';
import type { InstrumentRules } from '../../ports/connector.js';

interface Amounts {
  readonly quantity: Decimal;
  readonly limit_price?: Decimal | undefined;
  readonly stop_price?: Decimal | undefined;
}

function onStep(value: Decimal, step: Decimal): boolean {
  return step.isZero() || value.mod(step).isZero();
}

/**
 * The amounts must already lie on the venue's grid (the orchestrator rounds them with decimal.js
 * before any check): the connector sends them as written and never rounds. An amount off the grid
 * is refused naming the field, before anything is sent.
 */
export function checkOnGrid(amounts: Amounts, rules: InstrumentRules): void {
  const refuse = (field: string, value: Decimal, step: Decimal, what: string): never => {
    throw new VenueRejected(`${field} ${value.toFixed()} is not a multiple of the ${what} ${step.toFixed()} of ${rules.symbol}`, 'OFF_GRID', {
      field,
      value: value.toFixed(),
      step: step.toFixed(),
      symbol: rules.symbol,
    });
  };
  if (!amounts.quantity.gt(0)) throw new VenueRejected(`quantity must be positive, got ${amounts.quantity.toFixed()}`, 'OFF_GRID', { field: 'quantity' });
  if (!onStep(amounts.quantity, rules.lot_size)) refuse('quantity', amounts.quantity, rules.lot_size, 'lot size');
  if (amounts.limit_price !== undefined && !onStep(amounts.limit_price, rules.tick_size)) refuse('limit_price', amounts.limit_price, rules.tick_size, 'tick size');
  if (amounts.stop_price !== undefined && !onStep(amounts.stop_price, rules.tick_size)) refuse('stop_price', amounts.stop_price, rules.tick_size, 'tick size');
}
