import type { VenueOrder } from '../ports/connector.js';
import { Decimal, ZERO } from '../domain/decimal.js';
import type { Direction, OrderPurpose, OrderStatus, OrderType } from '../domain/enums.js';
import { errorMessage } from '../domain/errors.js';
import { closePosition, openPosition, remainingSize } from '../domain/position-math.js';
import type { FillRecord, OrderRecord, Position } from '../domain/trading.js';
import { fillRecordFromWire, positionFromWire } from '../domain/wire.js';
import { FlowReplayer } from './flow-replay.js';
import { mergeVenueOrder, pendingOrderRecord } from './order-sync.js';
import type { FlowRecord } from '../ports/flow-store.js';
import type { JournalEntry } from '../ports/journal.js';
import { requestFromWire } from './recovery/resume-legs.js';
import { bookFills } from './trade-book.js';

/**
 * The ledger rebuilt from the journal alone (DESIGN §3b: the journal is the record, the ledger a
 * projection of it). Pure: entries in, positions, orders, fills and flows out; no store, no venue.
 *
 * What the journal determines and how it is replayed:
 * - orders: an ORDER_INTENT (PLACE) is the PENDING row; ORDER_IN_DOUBT marks it IN_DOUBT; every
 *   ORDER_RESULT and FILL_RECORDED carrying the venue's view of the order is merged exactly as the
 *   executor merges it (mergeVenueOrder); a result without one (refused, never placed, gone on
 *   cancel) sets its status.
 * - fills: every fill named by an ORDER_RESULT (`new_fills`) or FILL_RECORDED (`fills`) is booked
 *   once (by venue trade id) onto its trade with the position arithmetic of src/domain
 *   (bookFills → applyFillToPosition), in journal order: filled size, entry and average entry
 *   price, realised PnL and fees are recomputed, never copied.
 * - the trade's decisions (target size, stop loss, take profit, status, exit price, close reason,
 *   times): from the trade states the journal carries — the causality entry of a directive
 *   (TRADE_OPENED / POSITION_MODIFIED / TRADE_CLOSED), FILL_RECORDED and TRADE_CLOSED of venue
 *   events, EXECUTION_FAILED of a flow that failed after it changed a trade (`positions`), and a
 *   recovery rebuild (POLICY_APPLIED `ledger_rebuilt_from_venue`, taken whole). A trade is born
 *   when its entry's first result comes back (the ledger writes it then), or with its first state.
 * - closes the code makes without a directive: a stop loss, take profit or compensation leg whose
 *   fills flatten an open trade closes it (reason = the purpose, exit = the order's average price).
 * - `on_api_failure: rollback_ledger` (POLICY_APPLIED `ledger_rolled_back`): the directive's
 *   changes are undone, as the ledger's before-images do.
 */

/** One thing in the journal that could not be read as the code writes it. */
export interface ReplayProblem {
  readonly seq: number;
  readonly event_type: string;
  readonly message: string;
}

export interface JournalReplay {
  /** Every trade the journal shows the ledger holding, by trade id. */
  readonly positions: ReadonlyMap<string, Position>;
  /** Every order row the journal shows the ledger holding, by client order id. */
  readonly orders: ReadonlyMap<string, OrderRecord>;
  /** The fills booked, by venue trade id. */
  readonly fills: ReadonlyMap<string, FillRecord>;
  /** Every flow row the journal shows, by flow id (flow-replay.ts: what it can and cannot rebuild). */
  readonly flows: ReadonlyMap<string, FlowRecord>;
  readonly entries: number;
  readonly problems: readonly ReplayProblem[];
}

/**
 * A recorded trade state with the replay's arithmetic: everything the code decided (target size,
 * stop, target, status, exit, reason, times, and any field added later) is the state's; what
 * fills determine (held size, entry prices, PnL, fees) stays computed.
 */
function withDecisions(current: Position, state: Position): Position {
  return {
    ...state,
    filled_size: current.filled_size,
    entry_price: current.entry_price,
    average_entry_price: current.average_entry_price,
    realized_pnl: current.realized_pnl,
    fees: current.fees,
    fees_by_asset: current.fees_by_asset,
    remaining_size: state.status === 'CLOSED' ? ZERO : remainingSize({ ...current, position_size: state.position_size }),
  };
}

/** Closes made by the code when a leg's fills flatten an open trade (not by a directive). */
const CLOSING_PURPOSES: ReadonlySet<OrderPurpose> = new Set<OrderPurpose>(['STOP_LOSS', 'TAKE_PROFIT', 'COMPENSATION']);

interface Undo {
  readonly positions: Map<string, Position | null>;
  readonly orders: Map<string, OrderRecord | null>;
  readonly fills: Set<string>;
}

/** Feed entries in seq order (`apply`), then read `result()`. Memory: the ledger's size, not the journal's. */
export class JournalReplayer {
  readonly #positions = new Map<string, Position>();
  readonly #orders = new Map<string, OrderRecord>();
  readonly #fills = new Map<string, FillRecord>();
  readonly #problems: ReplayProblem[] = [];
  readonly #flows = new FlowReplayer();
  /** Before-images per directive while a rollback of it may still follow. */
  readonly #undo = new Map<string, Undo>();
  #entries = 0;

  apply(entry: JournalEntry): void {
    this.#entries += 1;
    try {
      this.#flows.apply(entry);
      this.#apply(entry);
    } catch (error) {
      this.#problem(entry, errorMessage(error));
    }
  }

  result(): JournalReplay {
    return { positions: this.#positions, orders: this.#orders, fills: this.#fills, flows: this.#flows.flows, entries: this.#entries, problems: this.#problems };
  }

  #apply(entry: JournalEntry): void {
    const body = entry.body;
    switch (entry.event_type) {
      case 'ORDER_INTENT':
        return this.#intent(entry);
      case 'ORDER_IN_DOUBT': {
        const order = this.#orders.get(text(body['client_order_id']) ?? '');
        // the record, not a transition: the live ledger row may be behind what the journal replayed
        // (a ledger write that failed after the venue acted), and the entry says where the ledger went
        if (order) this.#setOrder(entry, { ...order, status: 'IN_DOUBT', updated_at: entry.timestamp });
        return;
      }
      case 'ORDER_RESULT':
        return this.#result(entry, body['order'], body['new_fills']);
      case 'FILL_RECORDED':
        this.#result(entry, body['order'], body['fills']);
        this.#states(entry, body['position']);
        return;
      case 'TRADE_OPENED':
      case 'POSITION_MODIFIED':
      case 'TRADE_CLOSED':
        this.#states(entry, body['position']);
        // a directive that succeeded is never rolled back
        if (entry.directive_id !== null) this.#undo.delete(entry.directive_id);
        return;
      case 'EXECUTION_FAILED':
        this.#states(entry, body['positions']);
        return;
      case 'POLICY_APPLIED':
        return this.#policy(entry);
      default:
        return;
    }
  }

  #intent(entry: JournalEntry): void {
    const body = entry.body;
    const action = text(body['action']);
    if (action !== 'PLACE') return;
    const coid = text(body['client_order_id']);
    const tradeId = text(body['trade_id']);
    const purpose = text(body['purpose']) as OrderPurpose | null;
    const wire = body['order'];
    const request = wire !== null && typeof wire === 'object' ? requestFromWire(wire as Record<string, unknown>) : null;
    if (coid === null || tradeId === null || purpose === null || request === null) {
      this.#problem(entry, 'ORDER_INTENT without client_order_id, trade_id, purpose or order');
      return;
    }
    // the write-ahead PENDING row, written with the intent (a leg sent again gets a fresh one)
    this.#setOrder(entry, pendingOrderRecord({ ...request, client_order_id: coid }, { trade_id: tradeId, directive_id: entry.directive_id, purpose, now: entry.timestamp }));
  }

  #result(entry: JournalEntry, venueWire: unknown, fillsWire: unknown): void {
    const body = entry.body;
    const coid = text(body['client_order_id']);
    if (coid === null) {
      this.#problem(entry, `${entry.event_type} without client_order_id`);
      return;
    }
    const known = this.#orders.get(coid);
    const venue = venueOrderFromWire(venueWire);
    let order: OrderRecord | undefined;
    if (venue !== null) {
      const base = known ?? orderFromVenue(venue, body, entry);
      order = base === null ? undefined : mergeVenueOrder(base, venue, entry.timestamp);
    } else if (known) {
      const status = text(body['status']) as OrderStatus | null;
      // a result with no venue order: refused, never placed, or gone when cancelled
      if (status !== null) order = { ...known, status, reject_reason: text(body['error_message']) ?? known.reject_reason, updated_at: entry.timestamp };
    }
    if (order === undefined) {
      if (venue === null && known === undefined) this.#problem(entry, `${entry.event_type} for ${coid}, whose ORDER_INTENT is not in the journal`);
      return;
    }
    this.#setOrder(entry, order);
    const tradeId = order.trade_id;
    if (!this.#positions.has(tradeId) && order.purpose === 'ENTRY' && text(body['action']) === 'PLACE' && order.status !== 'REJECTED') {
      // the entry's first answer: the ledger writes the trade with it
      this.#setPosition(entry, tradeId, skeleton(order, entry));
    }
    const fills = this.#newFills(entry, fillsWire);
    const position = this.#positions.get(tradeId);
    if (!position) return;
    const booked = bookFills(position, order.purpose, fills.filter((f) => f.trade_id === tradeId));
    let after = booked.position;
    if (CLOSING_PURPOSES.has(order.purpose) && after.status === 'OPEN' && after.filled_size.isZero() && order.filled_quantity.gt(0) && fills.length > 0) {
      after = closePosition(after, {
        exit_price: order.average_fill_price,
        close_reason: order.purpose,
        closed_at: entry.timestamp,
        directive_id: order.purpose === 'COMPENSATION' ? entry.directive_id : null,
      });
    }
    if (after !== position) this.#setPosition(entry, tradeId, after);
  }

  /** Fills not booked yet, in the order given; repeats (the same venue trade id) are skipped. */
  #newFills(entry: JournalEntry, wire: unknown): FillRecord[] {
    if (!Array.isArray(wire)) return [];
    const out: FillRecord[] = [];
    for (const item of wire) {
      let fill: FillRecord;
      try {
        fill = fillRecordFromWire(item);
      } catch (error) {
        this.#problem(entry, `unreadable fill: ${errorMessage(error)}`);
        continue;
      }
      if (this.#fills.has(fill.venue_trade_id)) continue;
      this.#fills.set(fill.venue_trade_id, fill);
      if (entry.directive_id !== null) this.#undoOf(entry.directive_id)?.fills.add(fill.venue_trade_id);
      out.push(fill);
    }
    return out;
  }

  /** Trade states recorded by the code: their decisions apply; sizes, prices and PnL stay computed from fills. */
  #states(entry: JournalEntry, wire: unknown): void {
    if (wire === undefined || wire === null) return;
    for (const item of Array.isArray(wire) ? wire : [wire]) {
      let state: Position;
      try {
        state = positionFromWire(item);
      } catch (error) {
        this.#problem(entry, `unreadable trade state: ${errorMessage(error)}`);
        continue;
      }
      const current = this.#positions.get(state.trade_id);
      this.#setPosition(entry, state.trade_id, current ? withDecisions(current, state) : state);
    }
  }

  #policy(entry: JournalEntry): void {
    const body = entry.body;
    const decision = text(body['decision']);
    if (decision === 'ledger_rebuilt_from_venue') {
      // recovery recomputed the trade from the venue's fills: the ledger holds exactly that state
      const wire = body['position'];
      if (wire !== undefined && wire !== null) {
        try {
          const state = positionFromWire(wire);
          this.#setPosition(entry, state.trade_id, state);
        } catch (error) {
          this.#problem(entry, `unreadable rebuilt trade: ${errorMessage(error)}`);
        }
      }
      return;
    }
    if (entry.directive_id === null || text(body['policy']) !== 'on_api_failure') return;
    const undo = this.#undo.get(entry.directive_id);
    this.#undo.delete(entry.directive_id);
    if (decision !== 'ledger_rolled_back' || !undo) return;
    for (const [tradeId, before] of undo.positions) {
      if (before === null) this.#positions.delete(tradeId);
      else this.#positions.set(tradeId, before);
    }
    for (const [coid, before] of undo.orders) {
      if (before === null) this.#orders.delete(coid);
      else this.#orders.set(coid, before);
    }
    for (const id of undo.fills) this.#fills.delete(id);
  }

  #undoOf(directiveId: string): Undo {
    let undo = this.#undo.get(directiveId);
    if (!undo) {
      undo = { positions: new Map(), orders: new Map(), fills: new Set() };
      this.#undo.set(directiveId, undo);
    }
    return undo;
  }

  #setPosition(entry: JournalEntry, tradeId: string, position: Position): void {
    if (entry.directive_id !== null) {
      const undo = this.#undoOf(entry.directive_id);
      if (!undo.positions.has(tradeId)) undo.positions.set(tradeId, this.#positions.get(tradeId) ?? null);
    }
    this.#positions.set(tradeId, position);
  }

  #setOrder(entry: JournalEntry, order: OrderRecord): void {
    if (entry.directive_id !== null) {
      const undo = this.#undoOf(entry.directive_id);
      if (!undo.orders.has(order.client_order_id)) undo.orders.set(order.client_order_id, this.#orders.get(order.client_order_id) ?? null);
    }
    this.#orders.set(order.client_order_id, order);
  }

  #problem(entry: JournalEntry, message: string): void {
    this.#problems.push({ seq: entry.seq, event_type: entry.event_type, message });
  }
}

/** Replay entries given in seq order. */
export function replayJournal(entries: Iterable<JournalEntry>): JournalReplay {
  const replayer = new JournalReplayer();
  for (const entry of entries) replayer.apply(entry);
  return replayer.result();
}

/** The trade as the ledger first writes it, from its entry order: nothing filled yet. */
function skeleton(entryOrder: OrderRecord, entry: JournalEntry): Position {
  return openPosition({
    trade_id: entryOrder.trade_id,
    strategy_id: entry.strategy_id ?? '',
    symbol: entryOrder.symbol,
    direction: entryOrder.side,
    position_size: entryOrder.quantity,
    stop_loss: null,
    take_profit: null,
    opened_at: entry.timestamp,
    opened_by: entryOrder.trade_id,
  });
}

/** An order the journal met first through the venue's view of it (its intent predates the journal's reach). */
function orderFromVenue(venue: VenueOrder, body: Readonly<Record<string, unknown>>, entry: JournalEntry): OrderRecord | null {
  const tradeId = text(body['trade_id']);
  const purpose = text(body['purpose']) as OrderPurpose | null;
  if (tradeId === null || purpose === null) return null;
  return {
    client_order_id: venue.client_order_id,
    venue_order_id: venue.venue_order_id,
    trade_id: tradeId,
    directive_id: entry.directive_id,
    purpose,
    symbol: venue.symbol,
    side: venue.side,
    order_type: venue.order_type,
    time_in_force: 'GTC',
    quantity: venue.quantity,
    limit_price: venue.limit_price,
    stop_price: venue.stop_price,
    reduce_only: purpose !== 'ENTRY' && purpose !== 'INCREASE',
    status: venue.status,
    filled_quantity: venue.filled_quantity,
    average_fill_price: venue.average_fill_price,
    reject_reason: venue.reject_reason,
    created_at: venue.created_at,
    updated_at: entry.timestamp,
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function decimal(value: unknown): Decimal | null {
  return typeof value === 'string' || typeof value === 'number' ? new Decimal(value) : null;
}

/** The venue's view of an order as journaled (wire form: decimals as strings); null when absent or unreadable. */
export function venueOrderFromWire(wire: unknown): VenueOrder | null {
  if (wire === null || typeof wire !== 'object' || Array.isArray(wire)) return null;
  const o = wire as Record<string, unknown>;
  const coid = text(o['client_order_id']);
  const quantity = decimal(o['quantity']);
  const filled = decimal(o['filled_quantity']);
  const status = text(o['status']);
  if (coid === null || quantity === null || filled === null || status === null) return null;
  const fills = Array.isArray(o['fills']) ? o['fills'] : [];
  return {
    client_order_id: coid,
    venue_order_id: text(o['venue_order_id']) ?? '',
    symbol: text(o['symbol']) ?? '',
    side: (text(o['side']) ?? 'BUY') as Direction,
    order_type: (text(o['order_type']) ?? 'MARKET') as OrderType,
    quantity,
    limit_price: decimal(o['limit_price']),
    stop_price: decimal(o['stop_price']),
    status: status as VenueOrder['status'],
    filled_quantity: filled,
    average_fill_price: decimal(o['average_fill_price']),
    fills: fills.flatMap((f) => {
      if (f === null || typeof f !== 'object') return [];
      const r = f as Record<string, unknown>;
      const q = decimal(r['quantity']);
      const p = decimal(r['price']);
      const id = text(r['venue_trade_id']);
      if (q === null || p === null || id === null) return [];
      return [{ venue_trade_id: id, client_order_id: text(r['client_order_id']) ?? coid, quantity: q, price: p, fee: decimal(r['fee']) ?? ZERO, fee_asset: text(r['fee_asset']) ?? '', executed_at: text(r['executed_at']) ?? '' }];
    }),
    reject_reason: text(o['reject_reason']),
    created_at: text(o['created_at']) ?? '',
    updated_at: text(o['updated_at']) ?? '',
  };
}
