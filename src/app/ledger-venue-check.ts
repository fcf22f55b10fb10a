import { HELD_PREFIX } from '../connectors/held-exits/held-order.js';
import type { IAPIConnector, VenueOrder } from '../ports/connector.js';
import { Decimal, floorToStep, ZERO } from '../domain/decimal.js';
import { directionSign, heldChange, isIncreasingPurpose } from '../domain/position-math.js';
import type { OrderRecord, Position } from '../domain/trading.js';
import { LIVE_ORDER_STATUSES } from '../orchestration/order-sync.js';
import { isProtective } from '../orchestration/protective-orders.js';
import { sameValue, valueText, type VerifyDifference } from './verify-differences.js';

export interface LedgerVenueInput {
  readonly positions: readonly Position[];
  readonly orders: readonly OrderRecord[];
  /** Orders the journal knows (its replay): a row deleted from the ledger still gets looked up. */
  readonly journalOrders: ReadonlyMap<string, OrderRecord>;
  readonly connector: IAPIConnector;
  /** The venue's own net position per symbol, when it can tell (the paper venue can). */
  readonly venueNetPositions?: () => ReadonlyMap<string, Decimal>;
}

export interface LedgerVenueResult {
  readonly differences: readonly VerifyDifference[];
  /** Orders looked up at the venue by client order id. */
  readonly venue_orders: number;
  /** Orders open at the venue. */
  readonly venue_open_orders: number;
}

const RESTING = new Set(['OPEN', 'PARTIALLY_FILLED']);

/**
 * The ledger against the venue, through the connector's look-ups only (fetchOrder by client order
 * id, fetchOpenOrders), so it works for any connector:
 * - every order of an open trade, and every order the ledger or the journal shows as live, is
 *   looked up: status, filled quantity, quantity and prices must agree;
 * - the size each trade holds at the venue (its increasing legs' fills minus its reducing legs',
 *   net of base-asset fees) must be the ledger's filled_size, and per symbol the sum over trades the ledger's net;
 * - a stop loss or take profit the ledger shows on an open trade must rest at the venue at that
 *   price for the size held (a trade whose ledger row says its protection is MISSING is honest);
 * - an order open at the venue that the ledger does not have, or has as final, is a difference.
 * Closed trades whose orders are all final are not looked up (their history is the journal's).
 */
/** An exit planexec held (venue_order_id `held:…`) that ended without firing: it never reached the venue. */
function heldAndNeverSent(order: OrderRecord): boolean {
  return order.venue_order_id?.startsWith(HELD_PREFIX) === true && !LIVE_ORDER_STATUSES.includes(order.status) && order.filled_quantity.isZero();
}

export async function compareLedgerWithVenue(input: LedgerVenueInput): Promise<LedgerVenueResult> {
  const { connector } = input;
  const out: VerifyDifference[] = [];
  const push = (subject: VerifyDifference['subject'], id: string, tradeId: string | null, field: string, ledger: unknown, venue: unknown, message: string): void => {
    out.push({ check: 'ledger_venue', subject, id, trade_id: tradeId, field, ledger: valueText(ledger), expected: valueText(venue), message });
  };

  const ledgerOrders = new Map(input.orders.map((o) => [o.client_order_id, o]));
  const positions = new Map(input.positions.map((p) => [p.trade_id, p]));
  // every order of a trade, from the ledger and from the journal
  const byTrade = new Map<string, Map<string, OrderRecord>>();
  for (const order of [...input.journalOrders.values(), ...input.orders]) {
    let orders = byTrade.get(order.trade_id);
    if (!orders) byTrade.set(order.trade_id, (orders = new Map()));
    orders.set(order.client_order_id, order);
  }
  const lookUp = new Map<string, OrderRecord>();
  for (const [tradeId, orders] of byTrade) {
    const open = positions.get(tradeId)?.status === 'OPEN';
    for (const order of orders.values()) if (open || LIVE_ORDER_STATUSES.includes(order.status)) lookUp.set(order.client_order_id, order);
  }

  const venue = new Map<string, VenueOrder | undefined>();
  for (const [coid, order] of lookUp) venue.set(coid, await connector.fetchOrder(coid, order.symbol));

  for (const [coid, known] of lookUp) {
    const row = ledgerOrders.get(coid);
    const at = venue.get(coid);
    const tradeId = known.trade_id;
    const what = `order ${coid} (trade ${tradeId})`;
    if (!row) {
      if (at) push('order', coid, tradeId, 'exists', null, at.status, `${what}: at the venue (${at.status}, filled ${at.filled_quantity.toFixed()}) but not in the ledger`);
      continue;
    }
    if (!at) {
      // never placed (refused before it rested), or an exit planexec held and ended before it fired:
      // the final states the venue need not know
      if (row.status !== 'REJECTED' && !heldAndNeverSent(row)) push('order', coid, tradeId, 'exists', row.status, null, `${what}: ${row.status} in the ledger but unknown to the venue`);
      continue;
    }
    for (const field of ['status', 'filled_quantity'] as const) {
      if (!sameValue(row[field], at[field])) push('order', coid, tradeId, field, row[field], at[field], `${what}: ${field}: ledger ${valueText(row[field])}, venue ${valueText(at[field])}`);
    }
    if (RESTING.has(row.status) || RESTING.has(at.status)) {
      for (const field of ['quantity', 'limit_price', 'stop_price'] as const) {
        if (!sameValue(row[field], at[field])) push('order', coid, tradeId, field, row[field], at[field], `${what}: ${field}: ledger ${valueText(row[field])}, venue ${valueText(at[field])}`);
      }
    }
  }

  // the size each trade holds at the venue
  const netBySymbol = new Map<string, { ledger: Decimal; venue: Decimal }>();
  for (const [tradeId, orders] of byTrade) {
    const position = positions.get(tradeId);
    if (!position || position.status !== 'OPEN') continue;
    let held = ZERO;
    for (const order of orders.values()) {
      const at = venue.get(order.client_order_id);
      if (!at) continue;
      const purpose = ledgerOrders.get(order.client_order_id)?.purpose ?? order.purpose;
      const increasing = isIncreasingPurpose(purpose);
      // net of fees the venue took in the base asset, as the ledger books them (position-math.ts)
      const moved = at.fills.reduce((sum, f) => sum.plus(heldChange(position.direction, increasing, f, position.symbol)).minus(f.quantity), at.filled_quantity);
      held = increasing ? held.plus(moved) : held.minus(moved);
    }
    if (!held.eq(position.filled_size)) {
      push('trade', tradeId, tradeId, 'filled_size', position.filled_size, held, `trade ${tradeId}: size held: ledger ${position.filled_size.toFixed()}, venue ${held.toFixed()} (${position.symbol})`);
    }
    const net = netBySymbol.get(position.symbol) ?? { ledger: ZERO, venue: ZERO };
    const sign = directionSign(position.direction);
    netBySymbol.set(position.symbol, { ledger: net.ledger.plus(position.filled_size.mul(sign)), venue: net.venue.plus(held.mul(sign)) });
    // without native stops the venue holds none: stop and target live on the trade only (ProtectiveOrders)
    if (connector.capabilities.nativeStops) {
      // protective orders are in whole lots: what they must cover is the held size floored to the lot
      const rules = await connector.getInstrument(position.symbol);
      checkProtection(position, floorToStep(position.filled_size, rules.lot_size), orders, ledgerOrders, venue, push);
    }
  }

  // per symbol: the venue's own book, when it keeps one, must hold what the ledger's open trades hold
  if (input.venueNetPositions) {
    const venueNet = input.venueNetPositions();
    for (const symbol of new Set([...netBySymbol.keys(), ...venueNet.keys()])) {
      const ledgerNet = netBySymbol.get(symbol)?.ledger ?? ZERO;
      const atVenue = venueNet.get(symbol) ?? ZERO;
      if (!ledgerNet.eq(atVenue)) {
        push('symbol', symbol, null, 'net_position', ledgerNet, atVenue, `${symbol}: net position: ledger ${ledgerNet.toFixed()} (open trades), venue ${atVenue.toFixed()}`);
      }
    }
  }

  // orders resting at the venue that the ledger does not have as live
  const open = await connector.fetchOpenOrders();
  for (const at of open) {
    const row = ledgerOrders.get(at.client_order_id);
    if (row && LIVE_ORDER_STATUSES.includes(row.status)) continue;
    if (row && lookUp.has(at.client_order_id)) continue; // already reported above
    const tradeId = row?.trade_id ?? input.journalOrders.get(at.client_order_id)?.trade_id ?? null;
    push(
      'order',
      at.client_order_id,
      tradeId,
      row ? 'status' : 'exists',
      row?.status ?? null,
      at.status,
      row
        ? `order ${at.client_order_id}: ${row.status} in the ledger but ${at.status} at the venue`
        : `order ${at.client_order_id}: open at the venue (${at.side} ${at.quantity.toFixed()} ${at.symbol}) but not in the ledger`,
    );
  }
  return { differences: out, venue_orders: lookUp.size, venue_open_orders: open.length };
}

/** A stop or target the ledger shows on a trade that holds something must rest at the venue, at that price, for the size held. */
function checkProtection(
  position: Position,
  /** The held size in whole lots: what a protective order can sell. */
  coverable: Decimal,
  orders: ReadonlyMap<string, OrderRecord>,
  ledgerOrders: ReadonlyMap<string, OrderRecord>,
  venue: ReadonlyMap<string, VenueOrder | undefined>,
  push: (subject: VerifyDifference['subject'], id: string, tradeId: string | null, field: string, ledger: unknown, venue: unknown, message: string) => void,
): void {
  if (!coverable.gt(0)) return;
  // a trade that says its protection is missing does not claim a live stop (set by the protection policy)
  if ((position as unknown as Record<string, unknown>)['protection'] === 'MISSING') return;
  for (const [field, purpose] of [
    ['stop_loss', 'STOP_LOSS'],
    ['take_profit', 'TAKE_PROFIT'],
  ] as const) {
    const price = position[field];
    if (price === null) continue;
    const resting = [...orders.values()]
      .filter((o) => o.purpose === purpose && isProtective(o.purpose))
      .map((o) => venue.get(o.client_order_id))
      .filter((at): at is VenueOrder => at !== undefined && RESTING.has(at.status) && ledgerOrders.has(at.client_order_id));
    const atPrice = resting.filter((at) => (purpose === 'STOP_LOSS' ? at.stop_price : at.limit_price)?.eq(price) === true);
    const quantity = atPrice.reduce((sum, at) => sum.plus(at.quantity.minus(at.filled_quantity)), new Decimal(0));
    if (atPrice.length === 0 || !quantity.eq(coverable)) {
      const found = resting.map((at) => `${at.client_order_id} ${at.quantity.minus(at.filled_quantity).toFixed()} @ ${valueText(purpose === 'STOP_LOSS' ? at.stop_price : at.limit_price)}`).join(', ');
      push(
        'trade',
        position.trade_id,
        position.trade_id,
        field,
        `${price.toFixed()} for ${position.filled_size.toFixed()}`,
        found === '' ? null : found,
        `trade ${position.trade_id}: ${field} ${price.toFixed()} for ${position.filled_size.toFixed()} held, but the venue has ${found === '' ? `no live ${purpose} order` : found}`,
      );
    }
  }
}
