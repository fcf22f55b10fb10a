import { Decimal, ZERO, decimalMax, floorToStep } from './decimal.js';
import type { Direction, OrderPurpose } from './enums.js';
import type { Anomaly, Position } from './trading.js';

/**
 * Pure position arithmetic on Decimal: what one fill does to a trade, how a trade opens and closes,
 * and how far an absolute size target is from what is held. No I/O, no clock: callers pass times.
 */

/** A fill as position math needs it: the fee already converted to the quote asset. */
export interface PositionFill {
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee_quote: Decimal;
  readonly executed_at: string;
  readonly client_order_id?: string | null;
}

export interface ApplyFillResult {
  readonly position: Position;
  /** Set when the fill could not be applied in full (more reduced than held): the excess is ignored. */
  readonly anomaly: Anomaly | null;
}

/** Orders whose fills add exposure; every other purpose reduces it. */
export function isIncreasingPurpose(purpose: OrderPurpose): boolean {
  return purpose === 'ENTRY' || purpose === 'INCREASE';
}

export function directionSign(direction: Direction): 1 | -1 {
  return direction === 'BUY' ? 1 : -1;
}

export function oppositeSide(direction: Direction): Direction {
  return direction === 'BUY' ? 'SELL' : 'BUY';
}

export interface OpenPositionInput {
  readonly trade_id: string;
  readonly strategy_id: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly position_size: Decimal;
  readonly stop_loss: Decimal | null;
  readonly take_profit: Decimal | null;
  readonly opened_at: string;
  readonly opened_by: string;
}

/** A new OPEN trade with nothing filled yet. */
export function openPosition(input: OpenPositionInput): Position {
  return {
    trade_id: input.trade_id,
    strategy_id: input.strategy_id,
    symbol: input.symbol,
    direction: input.direction,
    status: 'OPEN',
    entry_price: null,
    position_size: input.position_size,
    filled_size: ZERO,
    remaining_size: input.position_size,
    average_entry_price: null,
    stop_loss: input.stop_loss,
    take_profit: input.take_profit,
    protection: 'NONE',
    exit_price: null,
    close_reason: null,
    realized_pnl: ZERO,
    fees: ZERO,
    opened_at: input.opened_at,
    closed_at: null,
    updated_at: input.opened_at,
    opened_by: input.opened_by,
    last_directive_id: input.opened_by,
  };
}

function remaining(target: Decimal, filled: Decimal): Decimal {
  return decimalMax(ZERO, target.minus(filled));
}

/**
 * Decimal places kept for computed averages and PnL. A division leaves 40 significant digits
 * ("64995.66778697001034126163391933815925543"), noise that no venue quotes and that makes every
 * later sum unreadable; 10 places is finer than any tick or lot a venue uses.
 */
export const COMPUTED_DECIMAL_PLACES = 10;

/**
 * Apply one fill. Increasing fills (ENTRY, INCREASE) move the weighted average entry price and the
 * held size up; every other purpose reduces the held size and books realised PnL against the
 * average entry price. A reduction larger than what is held is applied up to the held size and
 * reported as an OVERFILL anomaly instead of throwing.
 */
export function applyFillToPosition(position: Position, fill: PositionFill, options: { readonly purpose: OrderPurpose }): ApplyFillResult {
  const fees = position.fees.plus(fill.fee_quote);
  const updated_at = fill.executed_at;
  if (isIncreasingPurpose(options.purpose)) {
    const filled = position.filled_size.plus(fill.quantity);
    const previousCost = (position.average_entry_price ?? ZERO).mul(position.filled_size);
    const average = filled.isZero() ? position.average_entry_price : previousCost.plus(fill.price.mul(fill.quantity)).div(filled).toDecimalPlaces(COMPUTED_DECIMAL_PLACES);
    return {
      position: {
        ...position,
        filled_size: filled,
        remaining_size: remaining(position.position_size, filled),
        average_entry_price: average,
        // entry_price is the average entry of the held size, the price PnL is booked against (docs/cli.md)
        entry_price: average,
        fees,
        updated_at,
      },
      anomaly: null,
    };
  }

  const applied = Decimal.min(fill.quantity, position.filled_size);
  const excess = fill.quantity.minus(applied);
  const average = position.average_entry_price ?? fill.price;
  const pnl = fill.price.minus(average).mul(applied).mul(directionSign(position.direction)).toDecimalPlaces(COMPUTED_DECIMAL_PLACES);
  const filled = position.filled_size.minus(applied);
  const anomaly: Anomaly | null = excess.gt(0)
    ? {
        kind: 'OVERFILL',
        trade_id: position.trade_id,
        client_order_id: fill.client_order_id ?? null,
        message: `fill of ${fill.quantity.toFixed()} reduces trade ${position.trade_id} holding only ${position.filled_size.toFixed()}; excess ${excess.toFixed()} ignored`,
        details: { quantity: fill.quantity.toFixed(), held: position.filled_size.toFixed(), excess: excess.toFixed(), purpose: options.purpose },
        detected_at: fill.executed_at,
      }
    : null;
  return {
    position: {
      ...position,
      filled_size: filled,
      remaining_size: remaining(position.position_size, filled),
      realized_pnl: position.realized_pnl.plus(pnl),
      fees,
      updated_at,
    },
    anomaly,
  };
}

export interface ClosePositionInput {
  /** Average price of the closing execution; null when nothing had to be flattened. */
  readonly exit_price: Decimal | null;
  readonly close_reason: string;
  readonly closed_at: string;
  readonly directive_id: string | null;
}

/** Mark the trade CLOSED; realised PnL and fees are what the fills already booked. */
export function closePosition(position: Position, input: ClosePositionInput): Position {
  return {
    ...position,
    status: 'CLOSED',
    remaining_size: ZERO,
    protection: 'NONE',
    exit_price: input.exit_price,
    close_reason: input.close_reason,
    closed_at: input.closed_at,
    updated_at: input.closed_at,
    last_directive_id: input.directive_id ?? position.last_directive_id,
  };
}

/**
 * How much to trade so that the held size becomes the absolute `target`: positive adds in the
 * trade's direction, negative reduces it, zero means nothing to send. The target is floored to
 * the lot first (never hold more than asked), and the delta is a whole number of lots.
 */
export function targetDelta(position: Position, target: Decimal, lotSize: Decimal = ZERO): Decimal {
  const lotTarget = floorToStep(target, lotSize);
  const delta = lotTarget.minus(position.filled_size);
  const magnitude = floorToStep(delta.abs(), lotSize);
  return delta.isNegative() ? magnitude.negated() : magnitude;
}

/** A fee in the quote asset: base-asset fees are valued at the fill price; other assets are kept as they are. */
export function feeInQuote(symbol: string, fee: Decimal, feeAsset: string, price: Decimal): Decimal {
  const [base, quote] = symbol.split('_');
  if (feeAsset === quote) return fee;
  if (feeAsset === base) return fee.mul(price);
  return fee;
}
