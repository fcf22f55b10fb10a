import type { InstrumentRules } from '../../ports/connector.js';
import type { Decimal } from '../../domain/decimal.js';
import type { Direction } from '../../domain/enums.js';
import { RiskDenied } from '../../domain/errors.js';
import { checkVenueRules } from '../venue-rules.js';

/**
 * Local refusals before anything is sent (Denied, not Rejected): amounts already rounded to tick
 * and lot. The same checks the order executor applies to every leg (venue-rules.ts), run here
 * early so a directive is refused before anything else of it happens.
 */
export function checkOrderSize(rules: InstrumentRules, quantity: Decimal, price: Decimal, what: string): void {
  checkVenueRules(rules, quantity, price, what);
}

/** A BUY's stop loss lies below the reference and its take profit above (mirrored for SELL). */
export function checkExitSides(direction: Direction, reference: Decimal, stopLoss: Decimal | null, takeProfit: Decimal | null, what: string): void {
  const buy = direction === 'BUY';
  if (stopLoss && (buy ? !stopLoss.lt(reference) : !stopLoss.gt(reference))) {
    throw new RiskDenied(
      `${what}: exit_plan.stop_loss_price ${stopLoss.toFixed()} must lie ${buy ? 'below' : 'above'} the ${direction} reference price ${reference.toFixed()} [stop_loss_side]`,
      'STOP_LOSS_SIDE',
      { path: 'exit_plan.stop_loss_price', rule: 'stop_loss_side', stop_loss_price: stopLoss.toFixed(), reference_price: reference.toFixed() },
    );
  }
  if (takeProfit && (buy ? !takeProfit.gt(reference) : !takeProfit.lt(reference))) {
    throw new RiskDenied(
      `${what}: exit_plan.take_profit_price ${takeProfit.toFixed()} must lie ${buy ? 'above' : 'below'} the ${direction} reference price ${reference.toFixed()} [take_profit_side]`,
      'TAKE_PROFIT_SIDE',
      { path: 'exit_plan.take_profit_price', rule: 'take_profit_side', take_profit_price: takeProfit.toFixed(), reference_price: reference.toFixed() },
    );
  }
}
