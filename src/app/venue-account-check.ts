import type { IAPIConnector, VenueBalance } from '../ports/connector.js';
import { balanceDeltas } from '../domain/balance-deltas.js';
import { type Decimal, decimalToWire, ZERO } from '../domain/decimal.js';
import type { FillRecord, OrderRecord } from '../domain/trading.js';
import type { VenueBaselineEntry } from '../ports/store.js';
import type { VerifyDifference } from './verify-differences.js';

export interface AccountCheckInput {
  readonly orders: readonly OrderRecord[];
  /** Every fill of the ledger; only this venue's count. */
  readonly fills: readonly FillRecord[];
  /** The venue's recorded baseline (empty when none was recorded). */
  readonly baseline: readonly VenueBaselineEntry[];
  readonly connector: IAPIConnector;
  /** Client order ids another check already reported: not reported twice. */
  readonly reported?: ReadonlySet<string>;
}

export interface AccountCheckResult {
  readonly differences: readonly VerifyDifference[];
  /** Assets whose balance was compared. */
  readonly assets: number;
}

/** Orders the ledger shows resting at the venue (PENDING and IN_DOUBT are not known to rest). */
const RESTING = new Set(['OPEN', 'PARTIALLY_FILLED']);

/**
 * The ledger against a venue account (a venue whose fetchBalances returns a list; null for the
 * paper venue, which keeps positions: then nothing is checked and the result is null). Generic over
 * IAPIConnector:
 * - every order the ledger shows resting must be among the venue's open orders (the other
 *   direction, open at the venue but unknown to the ledger, is compareLedgerWithVenue's);
 * - for every asset the ledger's fills on this venue moved, the venue's total (free + locked) must
 *   be the baseline plus what the fills did (balance-deltas.ts). Any other activity on the same
 *   account breaks this check: docs/cli.md, verify.
 */
export async function compareLedgerWithAccount(input: AccountCheckInput): Promise<AccountCheckResult | null> {
  const { connector } = input;
  const balances = await connector.fetchBalances();
  if (balances === null) return null;
  const out: VerifyDifference[] = [];

  const open = new Set((await connector.fetchOpenOrders()).map((o) => o.client_order_id));
  for (const order of input.orders) {
    if (!RESTING.has(order.status) || open.has(order.client_order_id) || input.reported?.has(order.client_order_id)) continue;
    out.push({
      check: 'ledger_venue',
      subject: 'order',
      id: order.client_order_id,
      trade_id: order.trade_id,
      field: 'open',
      ledger: order.status,
      expected: null,
      message: `order ${order.client_order_id} (trade ${order.trade_id}): ${order.status} in the ledger (${order.side} ${decimalToWire(order.quantity)} ${order.symbol}) but not among the venue's open orders`,
    });
  }

  const fills = input.fills.filter((f) => f.venue === connector.venue);
  const deltas = balanceDeltas(fills);
  if (deltas.size === 0) return { differences: out, assets: 0 };
  if (input.baseline.length === 0) {
    out.push({
      check: 'venue_balance',
      subject: 'venue',
      id: connector.venue,
      trade_id: null,
      field: 'baseline',
      ledger: null,
      expected: null,
      message: `venue ${connector.venue}: no balance baseline recorded, but the ledger has ${fills.length} fill${fills.length === 1 ? '' : 's'} there: balances cannot be checked (planexec records the baseline when it starts on the venue)`,
    });
    return { differences: out, assets: 0 };
  }
  const baseline = new Map(input.baseline.map((b) => [b.asset, b.total]));
  const atVenue = new Map<string, VenueBalance>(balances.map((b) => [b.asset, b]));
  for (const asset of [...deltas.keys()].sort()) {
    const start = baseline.get(asset) ?? ZERO;
    const delta = deltas.get(asset) as Decimal;
    const expected = start.plus(delta);
    const balance = atVenue.get(asset);
    const actual = balance ? balance.free.plus(balance.locked) : ZERO;
    if (actual.eq(expected)) continue;
    const held = balance ? `free ${decimalToWire(balance.free)} + locked ${decimalToWire(balance.locked)}` : 'no balance';
    out.push({
      check: 'venue_balance',
      subject: 'asset',
      id: asset,
      trade_id: null,
      field: 'total',
      ledger: decimalToWire(expected),
      expected: decimalToWire(actual),
      message: `${asset}: expected ${decimalToWire(expected)} (baseline ${decimalToWire(start)} ${delta.isNegative() ? '−' : '+'} ${decimalToWire(delta.abs())} from the ledger's fills), venue has ${decimalToWire(actual)} (${held}); differs by ${decimalToWire(actual.minus(expected))}`,
    });
  }
  return { differences: out, assets: deltas.size };
}
