import { Decimal, ZERO, decimalMax, decimalMin, floorToStep } from './decimal.js';
import type { Direction, OrderPurpose } from './enums.js';
import type { Anomaly, Position } from './trading.js';

/**
 * Pure position arithmetic on Decimal: what one fill does to a trade, how a trade opens and closes,
 * and how far an absolute size target is from what is held. No I/O, no clock: callers pass times.
 */

/**
 * Fees and sizes (docs/storage.md, "Fees and sizes"). Every fee is booked in its own asset in
 * `fees_by_asset`, never converted; a fee in the quote asset is also added to `fees` (the figure
 * realised PnL is netted against). A fee in the BASE asset changes what the account holds of the
 * traded asset, so the held size is net of it: a BUY of q with base fee f brings q − f, a SELL of q
 * with base fee f takes q + f. For a BUY trade (the spot case) an entry adds q − f to filled_size
 * and a reduction takes q + f; a SELL trade's held size is what it owes, so there an entry adds
 * q + f and a reduction takes q − f. Protective orders and a CLOSE then ask for what is really
 * held. A fee in a third asset (BNB) leaves the size alone.
 *
 * remaining_size is about orders, not holdings: what the venue must still fill of position_size,
 * in gross order quantity. The base fees paid are quantity the venue did fill, so
 * remaining_size = max(0, position_size − (filled_size + sign × base fees)), sign +1 for BUY
 * trades, −1 for SELL trades (grossFilled). An entry of 0.01 BTC that paid 0.00001 BTC holds
 * 0.00999 and has nothing remaining. A MODIFY's size target is an order size too (targetDelta).
 */

/** A fill as position math needs it: its fee in the asset the venue took it in. */
export interface PositionFill {
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
  readonly fee_asset: string;
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
    fees_by_asset: {},
    opened_at: input.opened_at,
    closed_at: null,
    updated_at: input.opened_at,
    opened_by: input.opened_by,
    last_directive_id: input.opened_by,
  };
}

/** The symbol's base and quote asset (`BTC_USDT` → BTC, USDT). */
export function symbolAssets(symbol: string): { readonly base: string; readonly quote: string } {
  const cut = symbol.indexOf('_');
  return cut < 0 ? { base: symbol, quote: '' } : { base: symbol.slice(0, cut), quote: symbol.slice(cut + 1) };
}

/** Fees paid in the trade's base asset (the ones the held size is net of). */
export function baseFees(position: Pick<Position, 'symbol' | 'fees_by_asset'>): Decimal {
  return position.fees_by_asset[symbolAssets(position.symbol).base] ?? ZERO;
}

/** The order quantity the venue filled for the held size: filled_size before base-asset fees. */
export function grossFilled(position: Pick<Position, 'symbol' | 'direction' | 'filled_size' | 'fees_by_asset'>): Decimal {
  return position.filled_size.plus(baseFees(position).mul(directionSign(position.direction)));
}

/** What the venue must still fill of `position_size` (gross order quantity, never negative). */
export function remainingSize(position: Pick<Position, 'symbol' | 'direction' | 'position_size' | 'filled_size' | 'fees_by_asset'>): Decimal {
  return decimalMax(ZERO, position.position_size.minus(grossFilled(position)));
}

/** The held size a fill adds (increasing) or takes (reducing): its quantity, moved by a base-asset fee. */
export function heldChange(direction: Direction, increasing: boolean, fill: Pick<PositionFill, 'quantity' | 'fee' | 'fee_asset'>, symbol: string): Decimal {
  if (fill.fee_asset !== symbolAssets(symbol).base) return fill.quantity;
  // the fill's side: an increasing fill goes the trade's way; a BUY brings q − f, a SELL takes q + f
  const buys = (direction === 'BUY') === increasing;
  return buys ? fill.quantity.minus(fill.fee) : fill.quantity.plus(fill.fee);
}

function addFee(position: Position, fill: PositionFill): Pick<Position, 'fees' | 'fees_by_asset'> {
  const byAsset = { ...position.fees_by_asset, [fill.fee_asset]: (position.fees_by_asset[fill.fee_asset] ?? ZERO).plus(fill.fee) };
  const inQuote = fill.fee_asset === symbolAssets(position.symbol).quote;
  return { fees: inQuote ? position.fees.plus(fill.fee) : position.fees, fees_by_asset: byAsset };
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
 * average entry price. Sizes are net of base-asset fees (see the top of this file). A reduction
 * larger than what is held is applied up to the held size and reported as an OVERFILL anomaly
 * instead of throwing.
 */
export function applyFillToPosition(position: Position, fill: PositionFill, options: { readonly purpose: OrderPurpose }): ApplyFillResult {
  const fees = addFee(position, fill);
  const updated_at = fill.executed_at;
  const increasing = isIncreasingPurpose(options.purpose);
  const change = heldChange(position.direction, increasing, fill, position.symbol);
  if (increasing) {
    const filled = position.filled_size.plus(change);
    // weighted by the size each fill added: the average stays a price that traded, fees stay apart
    const previousCost = (position.average_entry_price ?? ZERO).mul(position.filled_size);
    const average = !filled.gt(0) ? position.average_entry_price : previousCost.plus(fill.price.mul(change)).div(filled).toDecimalPlaces(COMPUTED_DECIMAL_PLACES);
    const next = { ...position, ...fees, filled_size: filled };
    return {
      position: {
        ...next,
        remaining_size: remainingSize(next),
        average_entry_price: average,
        // entry_price is the average entry of the held size, the price PnL is booked against (docs/cli.md)
        entry_price: average,
        updated_at,
      },
      anomaly: null,
    };
  }

  const applied = Decimal.min(change, position.filled_size);
  const excess = change.minus(applied);
  const average = position.average_entry_price ?? fill.price;
  // PnL on the quantity sold or bought back; a base fee is booked in fees_by_asset, not priced in
  const pnl = fill.price.minus(average).mul(Decimal.min(fill.quantity, position.filled_size)).mul(directionSign(position.direction)).toDecimalPlaces(COMPUTED_DECIMAL_PLACES);
  const filled = position.filled_size.minus(applied);
  const next = { ...position, ...fees, filled_size: filled };
  const anomaly: Anomaly | null = excess.gt(0)
    ? {
        kind: 'OVERFILL',
        trade_id: position.trade_id,
        client_order_id: fill.client_order_id ?? null,
        message: `fill of ${fill.quantity.toFixed()}${change.eq(fill.quantity) ? '' : ` (${change.toFixed()} with its ${fill.fee_asset} fee)`} reduces trade ${position.trade_id} holding only ${position.filled_size.toFixed()}; excess ${excess.toFixed()} ignored`,
        details: { quantity: fill.quantity.toFixed(), held: position.filled_size.toFixed(), excess: excess.toFixed(), purpose: options.purpose },
        detected_at: fill.executed_at,
      }
    : null;
  return {
    position: {
      ...next,
      remaining_size: remainingSize(next),
      realized_pnl: position.realized_pnl.plus(pnl),
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
 * How much to trade so that the trade's size becomes the absolute `target`: positive adds in the
 * trade's direction, negative reduces it, zero means nothing to send. A target is an order size,
 * as position_size is: it is compared with grossFilled (the size held plus the base-asset fees
 * paid), so restating the size sends nothing and an increase asks for target − gross. A reduction
 * never asks for more than is held. The target is floored to the lot first (never hold more than
 * asked), and the delta is a whole number of lots.
 */
export function targetDelta(position: Position, target: Decimal, lotSize: Decimal = ZERO): Decimal {
  const lotTarget = floorToStep(target, lotSize);
  const delta = lotTarget.minus(grossFilled(position));
  const magnitude = floorToStep(delta.abs(), lotSize);
  if (!delta.isNegative()) return magnitude;
  return decimalMin(magnitude, floorToStep(position.filled_size, lotSize)).negated();
}
