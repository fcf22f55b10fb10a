import type { OrderRequest } from '../../connectors/connector.js';
import { Decimal } from '../../domain/decimal.js';
import type { Direction, OrderType, TimeInForce } from '../../domain/enums.js';
import type { JournalEntry } from '../ports.js';

/** What the journal says about one order leg of an interrupted flow. */
export interface ResumeLeg {
  readonly clientOrderId: string;
  /** When its first PLACE intent was journaled: the not-found grace counts from here. */
  readonly intentAtMs: number;
  /** The order request as journaled (wire form). */
  readonly order: Readonly<Record<string, unknown>> | null;
  /** A result or an in-doubt entry followed the intent: the request left the process. */
  readonly reachedConnector: boolean;
  /** The last ORDER_RESULT of the leg's placement. */
  readonly result: { readonly status: string; readonly error_code: string | null; readonly error_message: string | null } | null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * The order legs an interrupted flow had journaled, by client order id (write-ahead ORDER_INTENT
 * entries and what followed them). In RESUME mode the order executor asks here, and the ledger,
 * before sending a leg: a leg that may have reached the venue is looked up there, never re-sent.
 */
export class ResumeLegs {
  readonly #legs: Map<string, ResumeLeg>;
  /** Orders whose cancel the flow journaled (a MODIFY's cancel / replace needs to know what it took away). */
  readonly #cancels: ReadonlySet<string>;

  private constructor(legs: Map<string, ResumeLeg>, cancels: ReadonlySet<string> = new Set()) {
    this.#legs = legs;
    this.#cancels = cancels;
  }

  static empty(): ResumeLegs {
    return new ResumeLegs(new Map());
  }

  static fromEntries(entries: readonly JournalEntry[]): ResumeLegs {
    const legs = new Map<string, ResumeLeg>();
    const cancels = new Set<string>();
    for (const entry of entries) {
      const coid = text(entry.body['client_order_id']);
      const action = text(entry.body['action']);
      if (coid === null) continue;
      if (entry.event_type === 'ORDER_INTENT' && action === 'CANCEL') cancels.add(coid);
      const prior = legs.get(coid);
      if (entry.event_type === 'ORDER_INTENT' && (action === 'PLACE' || action === 'RESUBMIT')) {
        // a later intent is a new attempt (a resubmission, or a leg sent again once the venue was found not to have it): its time counts
        const at = Date.parse(entry.timestamp);
        const order = entry.body['order'];
        legs.set(coid, {
          clientOrderId: coid,
          intentAtMs: Number.isFinite(at) ? at : 0,
          order: order !== null && typeof order === 'object' ? (order as Record<string, unknown>) : (prior?.order ?? null),
          reachedConnector: action === 'RESUBMIT' && prior !== undefined ? prior.reachedConnector : false,
          result: null,
        });
      } else if (prior && (entry.event_type === 'ORDER_IN_DOUBT' || (entry.event_type === 'ORDER_RESULT' && action === 'PLACE'))) {
        legs.set(coid, {
          ...prior,
          reachedConnector: true,
          result: entry.event_type === 'ORDER_RESULT' ? resultOf(entry.body) : prior.result,
        });
      }
    }
    return new ResumeLegs(legs, cancels);
  }

  get(clientOrderId: string): ResumeLeg | undefined {
    return this.#legs.get(clientOrderId);
  }

  /** The interrupted flow journaled a cancel of this order (it may or may not have reached the venue). */
  cancelled(clientOrderId: string): boolean {
    return this.#cancels.has(clientOrderId);
  }

  /** Recovery established a leg's outcome (for example: never placed) after these legs were read. */
  note(clientOrderId: string, result: NonNullable<ResumeLeg['result']>): void {
    const prior = this.#legs.get(clientOrderId);
    this.#legs.set(clientOrderId, { clientOrderId, intentAtMs: prior?.intentAtMs ?? 0, order: prior?.order ?? null, reachedConnector: true, result });
  }

  get size(): number {
    return this.#legs.size;
  }
}

function resultOf(body: Readonly<Record<string, unknown>>): NonNullable<ResumeLeg['result']> {
  return { status: text(body['status']) ?? 'UNKNOWN', error_code: text(body['error_code']), error_message: text(body['error_message']) };
}

/** The journaled (wire) order request back in its typed form, without the client order id. */
export function requestFromWire(order: Readonly<Record<string, unknown>>): Omit<OrderRequest, 'client_order_id'> | null {
  const decimal = (value: unknown): Decimal | undefined => (typeof value === 'string' || typeof value === 'number' ? new Decimal(value) : undefined);
  const quantity = decimal(order['quantity']);
  const symbol = text(order['symbol']);
  const side = text(order['side']);
  const type = text(order['order_type']);
  if (!quantity || !symbol || !side || !type) return null;
  return {
    symbol,
    side: side as Direction,
    order_type: type as OrderType,
    quantity,
    limit_price: decimal(order['limit_price']),
    stop_price: decimal(order['stop_price']),
    time_in_force: (text(order['time_in_force']) ?? 'GTC') as TimeInForce,
    reduce_only: order['reduce_only'] === true,
    max_slippage_pct: decimal(order['max_slippage_pct']),
  };
}
