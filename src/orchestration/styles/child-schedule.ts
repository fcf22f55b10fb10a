import { Decimal, floorToStep } from '../../domain/decimal.js';

export type ChunkDistribution = 'UNIFORM' | 'FRONT_LOADED' | 'BACK_LOADED';

export interface ChildSlice {
  readonly index: number;
  readonly quantity: Decimal;
  readonly offsetMs: number;
}

export interface SizeRules {
  readonly lotSize: Decimal;
  readonly minQuantity: Decimal;
  readonly minNotional: Decimal;
}

/** The smallest quantity on the lot that meets the minimum quantity and the minimum notional at `price`. */
export function smallestChild(rules: SizeRules, price: Decimal): Decimal {
  const byNotional = price.gt(0) ? rules.minNotional.div(price) : rules.minQuantity;
  const wanted = Decimal.max(rules.minQuantity, byNotional, rules.lotSize);
  return ceilToStep(wanted, rules.lotSize);
}

/**
 * TWAP children. The contract:
 * - `total` is on the lot already; n (chunks) is first lowered so each child can be at least
 *   `smallestChild` (at least one child);
 * - weights: UNIFORM 1 each, FRONT_LOADED n … 1, BACK_LOADED 1 … n;
 * - each child but the last is floor_to_lot(total × w / Σw); one below the venue minimum is
 *   carried into the next, so none is sent below it unless the total itself is (one child);
 * - the last child takes the remainder, so the children sum to `total` exactly; a remainder below
 *   the minimum joins the child before it;
 * - the i-th of n slots is due at floor(windowMs × i / n) ms: the first at 0, all before the end;
 * - no randomness and no clock: the same input gives the same children (a resumed flow relies on it).
 */
export function twapSchedule(input: { total: Decimal; chunks: number; windowMs: number; distribution: ChunkDistribution; rules: SizeRules; price: Decimal }): ChildSlice[] {
  const { total, windowMs, distribution, rules, price } = input;
  if (!total.gt(0)) throw new TypeError(`a TWAP needs a size above 0, got ${total.toString()}`);
  const smallest = smallestChild(rules, price);
  const fit = total.div(smallest).floor().toNumber();
  const n = Math.max(1, Math.min(Math.floor(input.chunks), fit));
  const weights = Array.from({ length: n }, (_, i) => (distribution === 'FRONT_LOADED' ? n - i : distribution === 'BACK_LOADED' ? i + 1 : 1));
  const weightSum = weights.reduce((a, b) => a + b, 0);

  const out: { quantity: Decimal; offsetMs: number }[] = [];
  let sent = new Decimal(0);
  let carried = new Decimal(0);
  for (let i = 0; i < n; i++) {
    const offsetMs = Math.floor((windowMs * i) / n);
    if (i === n - 1) {
      const rest = total.minus(sent);
      const previous = out[out.length - 1];
      if (rest.lt(smallest) && previous) previous.quantity = previous.quantity.plus(rest);
      else out.push({ quantity: rest, offsetMs });
      break;
    }
    const share = floorToStep(total.times(weights[i]!).div(weightSum), rules.lotSize).plus(carried);
    if (share.lt(smallest)) {
      carried = share;
      continue;
    }
    carried = new Decimal(0);
    out.push({ quantity: share, offsetMs });
    sent = sent.plus(share);
  }
  return out.map((child, index) => ({ index, quantity: child.quantity, offsetMs: child.offsetMs }));
}

/** ICEBERG's visible part: floor_to_lot(total × visibility), raised to the venue minimum, never above the total. */
export function icebergVisible(input: { total: Decimal; visibility: Decimal; rules: SizeRules; price: Decimal }): Decimal {
  const { total, visibility, rules, price } = input;
  const wanted = Decimal.max(floorToStep(total.times(visibility), rules.lotSize), smallestChild(rules, price));
  return Decimal.min(wanted, total);
}

function ceilToStep(value: Decimal, step: Decimal): Decimal {
  const floored = floorToStep(value, step);
  return floored.lt(value) ? floored.plus(step) : floored;
}
