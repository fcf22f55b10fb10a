import { type Decimal, ZERO } from './decimal.js';
import { symbolAssets } from './position-math.js';
import type { FillRecord } from './trading.js';

/**
 * What the fills did to the account's balances, per asset. A BUY of q at p brings q of the base
 * asset and costs q × p of the quote; a SELL the other way round; every fee is taken from its own
 * asset. So a BUY with its fee in the base asset nets q − fee, as the ledger's sizes do
 * (position-math.ts), and a BNB fee lowers BNB only.
 */
export function balanceDeltas(fills: readonly FillRecord[]): Map<string, Decimal> {
  const deltas = new Map<string, Decimal>();
  const add = (asset: string, amount: Decimal): void => {
    deltas.set(asset, (deltas.get(asset) ?? ZERO).plus(amount));
  };
  for (const fill of fills) {
    const { base, quote } = symbolAssets(fill.symbol);
    const notional = fill.quantity.mul(fill.price);
    if (fill.side === 'BUY') {
      add(base, fill.quantity);
      add(quote, notional.negated());
    } else {
      add(base, fill.quantity.negated());
      add(quote, notional);
    }
    add(fill.fee_asset, fill.fee.negated());
  }
  return deltas;
}
