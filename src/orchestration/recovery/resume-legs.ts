import type { OrderRequest } from '../../ports/connector.js';
import type { PlanExecutionConfig } from '../../config/schema.js';
import type { Clock } from '../../domain/clock.js';
import { Decimal } from '../../domain/decimal.js';
import type { Direction, OrderPurpose, OrderType, TimeInForce } from '../../domain/enums.js';
import { ExecutionError } from '../execution-errors.js';
import type { JournalEntry } from '../../ports/journal.js';

/**
 * When a resumed flow may still send a leg (recovery.resend_within_seconds): a leg that adds
 * exposure only within `resendWithinMs` of the flow's acceptance, a reducing one always. The
 * in-doubt rules and the clock tell when the venue's "not found" means "never received".
 */
export interface ResendPolicy {
  readonly resendWithinMs: number;
  readonly inDoubt: PlanExecutionConfig['in_doubt'];
  readonly attemptTimeoutMs: number;
  readonly clock: Clock;
}

/** Legs that add exposure: sent again after a crash only while the directive is fresh. Reduce, close, protective and compensation legs only ever take risk off. */
const ADDING: ReadonlySet<OrderPurpose> = new Set<OrderPurpose>(['ENTRY', 'INCREASE']);

export function addsExposure(purpose: OrderPurpose): boolean {
  return ADDING.has(purpose);
}

/** What the journal says about one order leg of an interrupted flow. */
export interface ResumeLeg {
  readonly clientOrderId: string;
  /** Its short name (E, SL, C0, …) as journaled. */
  readonly leg: string | null;
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
  /** Legs the venue confirmed it never received: forgotten, so the executor sends them as never sent. */
  readonly #unreceived = new Map<string, ResumeLeg>();
  /** When the flow was accepted (its DIRECTIVE_ACCEPTED entry): the resend window counts from here. */
  readonly acceptedAtMs: number | null;
  readonly policy: ResendPolicy | null;
  /** The sliced or resting entry's plan (EXECUTION_PLANNED) as the interrupted run journaled it; null when it had none. */
  executionPlan: Readonly<Record<string, unknown>> | null = null;

  private constructor(legs: Map<string, ResumeLeg>, acceptedAtMs: number | null, policy: ResendPolicy | null, cancels: ReadonlySet<string> = new Set()) {
    this.#legs = legs;
    this.acceptedAtMs = acceptedAtMs;
    this.policy = policy;
    this.#cancels = cancels;
  }

  static empty(): ResumeLegs {
    return new ResumeLegs(new Map(), null, null);
  }

  /** `policy` null: no resend rule (a rebuild, which sends nothing). `acceptedAtMs`: when no DIRECTIVE_ACCEPTED entry says it (the flow row's start). */
  static fromEntries(entries: readonly JournalEntry[], policy: ResendPolicy | null = null, acceptedAtMs: number | null = null): ResumeLegs {
    const legs = new Map<string, ResumeLeg>();
    const cancels = new Set<string>();
    let plan: Readonly<Record<string, unknown>> | null = null;
    let accepted = false;
    for (const entry of entries) {
      if (entry.event_type === 'DIRECTIVE_ACCEPTED' && !accepted) {
        accepted = true;
        const at = Date.parse(entry.timestamp);
        if (Number.isFinite(at)) acceptedAtMs = at;
      }
      if (entry.event_type === 'EXECUTION_PLANNED' && entry.body['phase'] === 'planned' && plan === null) plan = entry.body;
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
          leg: text(entry.body['leg']) ?? prior?.leg ?? null,
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
    const resumed = new ResumeLegs(legs, acceptedAtMs, policy, cancels);
    resumed.executionPlan = plan;
    return resumed;
  }

  get(clientOrderId: string): ResumeLeg | undefined {
    return this.#legs.get(clientOrderId);
  }

  /** The interrupted flow journaled a cancel of this order (it may or may not have reached the venue). */
  cancelled(clientOrderId: string): boolean {
    return this.#cancels.has(clientOrderId);
  }

  /** Intents journaled with nothing after them: the process died before it learnt (or asked) whether the venue got them. */
  unconfirmed(): ResumeLeg[] {
    return [...this.#legs.values()].filter((leg) => !leg.reachedConnector && leg.result === null);
  }

  /** The venue confirmed it never received the leg: from now on it is a leg never sent (its journaled request stays readable). */
  forget(clientOrderId: string): void {
    const leg = this.#legs.get(clientOrderId);
    if (!leg) return;
    this.#legs.delete(clientOrderId);
    this.#unreceived.set(clientOrderId, leg);
  }

  /** The order request as journaled, also for a leg forgotten as never received. */
  journaledOrder(clientOrderId: string): Readonly<Record<string, unknown>> | null {
    return (this.#legs.get(clientOrderId) ?? this.#unreceived.get(clientOrderId))?.order ?? null;
  }

  /** Milliseconds since the flow was accepted; null when unknown. */
  ageMs(nowMs: number): number | null {
    return this.acceptedAtMs === null ? null : Math.max(0, nowMs - this.acceptedAtMs);
  }

  /**
   * How stale sending this leg now would be. A child of a sliced or resting entry was decided
   * when its own intent was journaled (a TWAP's last child is minutes younger than its flow);
   * any other leg when its flow was accepted.
   */
  #ageOf(clientOrderId: string, nowMs: number): number | null {
    const child = this.executionPlan === null ? undefined : (this.#legs.get(clientOrderId) ?? this.#unreceived.get(clientOrderId));
    return child ? Math.max(0, nowMs - child.intentAtMs) : this.ageMs(nowMs);
  }

  /**
   * A resumed flow is about to send a leg that never reached the venue: a leg adding exposure
   * only while the flow is younger than recovery.resend_within_seconds (EXPIRED_DURING_OUTAGE
   * otherwise); a leg that reduces or closes exposure always.
   */
  admit(purpose: OrderPurpose, leg: string, clientOrderId: string, nowMs: number): void {
    const expired = this.expiry(purpose, leg, clientOrderId, nowMs);
    if (expired) throw expired;
  }

  /** The EXPIRED_DURING_OUTAGE error for sending this leg now, or null when it may be sent. */
  expiry(purpose: OrderPurpose, leg: string, clientOrderId: string, nowMs: number): ExecutionError | null {
    const age = this.#ageOf(clientOrderId, nowMs);
    if (this.policy === null || age === null || !addsExposure(purpose) || age <= this.policy.resendWithinMs) return null;
    const windowSeconds = this.policy.resendWithinMs / 1000;
    return new ExecutionError(
      `${legName(purpose)} leg ${clientOrderId} was never received by the venue and its flow was accepted ${age} ms ago, past recovery.resend_within_seconds (${windowSeconds} s): not sent, the directive expired during the outage`,
      'EXPIRED_DURING_OUTAGE',
      { client_order_id: clientOrderId, leg, purpose, age_ms: age, resend_within_seconds: windowSeconds },
    );
  }

  /** Recovery established a leg's outcome (for example: never placed) after these legs were read. */
  note(clientOrderId: string, result: NonNullable<ResumeLeg['result']>): void {
    const prior = this.#legs.get(clientOrderId);
    this.#legs.set(clientOrderId, { clientOrderId, leg: prior?.leg ?? null, intentAtMs: prior?.intentAtMs ?? 0, order: prior?.order ?? null, reachedConnector: true, result });
  }

  get size(): number {
    return this.#legs.size;
  }
}

function legName(purpose: OrderPurpose): string {
  return purpose === 'ENTRY' ? 'entry' : purpose.toLowerCase();
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
