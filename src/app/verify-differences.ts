import { type Decimal, decimalToWire, isDecimal, ZERO } from '../domain/decimal.js';

/** Which comparison found a difference. */
export type VerifyCheck = 'journal_chain' | 'journal_replay' | 'journal_ledger' | 'journal_flows' | 'ledger_venue' | 'venue_balance';

/** One way the journal, the ledger and the venue disagree. Values are wire text (decimals as strings). */
export interface VerifyDifference {
  readonly check: VerifyCheck;
  /** What the difference is about: a trade, an order, a fill, a flow, a symbol's net position, an asset's balance, the venue, or the journal itself. */
  readonly subject: 'trade' | 'order' | 'fill' | 'flow' | 'symbol' | 'asset' | 'journal' | 'venue';
  /** The trade id, client order id, venue trade id, flow id, symbol, asset, venue name, or journal seq. */
  readonly id: string;
  /** The trade this is about, when there is one. */
  readonly trade_id: string | null;
  /** The field that differs (`realized_pnl`, `status`, …), or `exists` when one side has no such row. */
  readonly field: string;
  readonly ledger: string | null;
  /**
   * The journal's value (checks journal_ledger, journal_flows) or the venue's (ledger_venue, venue_balance: the
   * balance the venue has, while `ledger` is the baseline plus the ledger's fills); null elsewhere.
   */
  readonly expected: string | null;
  readonly message: string;
}

/** A field value as text for a difference report; an amount per asset as `{"BTC":"0.00001",…}`, assets sorted. */
export function valueText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (isDecimal(value)) return decimalToWire(value);
  if (isDecimalRecord(value)) return JSON.stringify(Object.fromEntries(Object.keys(value).sort().map((k) => [k, decimalToWire(value[k] as Decimal)])));
  return String(value);
}

function isDecimalRecord(value: unknown): value is Readonly<Record<string, Decimal>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isDecimal);
}

/** Equal as the ledger means it: decimals by value, amounts per asset asset by asset, the rest by identity. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (isDecimal(a) && isDecimal(b)) return a.eq(b);
  if (isDecimalRecord(a) && isDecimalRecord(b)) {
    const assets = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...assets].every((asset) => (a[asset] ?? ZERO).eq(b[asset] ?? ZERO));
  }
  return a === b;
}
