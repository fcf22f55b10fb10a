import type { Logger } from 'pino';
import { isoTime, type Clock } from '../domain/clock.js';
import { toWire } from '../domain/directive.js';
import type { JournalEventType } from '../domain/enums.js';
import type { FillRecord, OrderRecord, Position } from '../domain/trading.js';
import type { JournalRecorder } from './journal-recorder.js';
import type { LedgerWriter } from './ledger-writer.js';
import type { LedgerApplyResult, LedgerChange } from '../ports/ledger.js';
import type { ResumeLegs } from './recovery/resume-legs.js';

export interface ExecutionContextInit {
  readonly flowId: string;
  /** Key of the ledger changes (rollbackDirective) and of the journal entries; null for venue-initiated work. */
  readonly directiveId: string | null;
  readonly strategyId: string | null;
  /** The directive (workflow) the entries belong to. */
  readonly correlationId: string;
  /** entry_id of the entry the first write of this context follows. */
  readonly causationId: string | null;
  readonly logger: Logger;
  /** Aborted when the execution's time (timeout_seconds) is over. */
  readonly signal: AbortSignal;
}

/**
 * What one unit of work (a directive flow, or the handling of one venue report) knows about
 * itself: its ids and causation chain, whether anything left the process or took effect at the
 * venue, and the orders it touched (for compensation). Journal and ledger writes go through
 * here so the failure policies apply to all of them alike.
 */
export class ExecutionContext {
  readonly flowId: string;
  readonly directiveId: string | null;
  readonly strategyId: string | null;
  readonly correlationId: string;
  readonly logger: Logger;
  #signal: AbortSignal;
  #ledgerTolerant = false;
  readonly #recorder: JournalRecorder;
  readonly #ledger: LedgerWriter;
  readonly #clock: Clock;
  #causation: string | null;
  #sent = false;
  #venueActed = false;
  readonly #orders = new Map<string, OrderRecord>();
  readonly #fills = new Map<string, FillRecord[]>();
  readonly #positions = new Map<string, Position>();
  #resume: ResumeLegs | null = null;

  constructor(init: ExecutionContextInit, services: { readonly recorder: JournalRecorder; readonly ledger: LedgerWriter; readonly clock: Clock }) {
    this.flowId = init.flowId;
    this.directiveId = init.directiveId;
    this.strategyId = init.strategyId;
    this.correlationId = init.correlationId;
    this.logger = init.logger;
    this.#signal = init.signal;
    this.#causation = init.causationId;
    this.#recorder = services.recorder;
    this.#ledger = services.ledger;
    this.#clock = services.clock;
  }

  /** Aborted when the execution's time is over. */
  get signal(): AbortSignal {
    return this.#signal;
  }

  /** Give the work a new deadline (compensation runs after the execution's own time may be spent). */
  setSignal(signal: AbortSignal): void {
    this.#signal = signal;
  }

  /**
   * RESUME mode (recovery of a flow a crash interrupted): the legs the flow had journaled. The
   * order executor then looks a leg up (journal and ledger) before sending it, and asks the venue
   * instead of sending when it may already be there. Null for a first execution.
   */
  get resume(): ResumeLegs | null {
    return this.#resume;
  }

  resumeFrom(legs: ResumeLegs): void {
    this.#resume = legs;
  }

  /** Ledger failures are logged and journaled, never thrown (compensation must reach the venue whatever the ledger does). */
  get ledgerTolerant(): boolean {
    return this.#ledgerTolerant;
  }

  tolerateLedgerFailures(): void {
    this.#ledgerTolerant = true;
  }

  get causationId(): string | null {
    return this.#causation;
  }

  /** A state-changing request has (or may have) left the process. */
  get sentAnything(): boolean {
    return this.#sent;
  }

  /**
   * Something this context asked for took (or may have taken) effect at the venue: an order it
   * placed rests, filled or is in doubt, or a cancel/amend went through.
   */
  get venueActed(): boolean {
    if (this.#venueActed) return true;
    for (const order of this.#orders.values()) if (order.status === 'IN_DOUBT') return true;
    return false;
  }

  /**
   * Nothing this context asked for has surely taken effect at the venue, so on_api_failure's
   * rollback_ledger may still undo its ledger changes. It only ever turns false (an order that
   * rested or filled did take effect, whatever became of it later); an IN_DOUBT order keeps it
   * true, because the doubt may end in "never placed". Ledger writes record undo rows only while
   * it holds.
   */
  get rollbackPossible(): boolean {
    return !this.#venueActed;
  }

  markSent(): void {
    this.#sent = true;
  }

  /** A cancel or amend went through (or may have); sticky like an order that rested or filled. */
  markVenueActed(): void {
    this.#venueActed = true;
  }

  nowMs(): number {
    return this.#clock.now();
  }

  now(): string {
    return isoTime(this.#clock.now());
  }

  /** Journal one entry (body in wire form), chained to the previous one of this context. */
  async write(eventType: JournalEventType, body: Readonly<Record<string, unknown>>, options: { writeAhead?: boolean; asError?: boolean } = {}): Promise<string | null> {
    const id = await this.#recorder.record(
      {
        event_type: eventType,
        flow_id: this.flowId,
        directive_id: this.directiveId,
        strategy_id: this.strategyId,
        timestamp: this.now(),
        correlation_id: this.correlationId,
        causation_id: this.#causation,
        body: toWire(body) as Record<string, unknown>,
      },
      { writeAhead: options.writeAhead ?? false, asError: options.asError ?? false, sent: this.#sent },
      this.logger,
    );
    if (id !== null) this.#causation = id;
    return id;
  }

  /** Apply a ledger change under this context's directive (on_ledger_failure applies). Null: failed and recorded. */
  async applyLedger(change: Omit<LedgerChange, 'directive_id'>): Promise<LedgerApplyResult | null> {
    const result = await this.#ledger.write(this, change);
    if (result !== null) for (const position of change.positions ?? []) this.#positions.set(position.trade_id, position);
    return result;
  }

  /** The trades as this context last wrote them to the ledger (a failed flow's EXECUTION_FAILED carries them, so the journal can rebuild them). */
  get positions(): readonly Position[] {
    return [...this.#positions.values()];
  }

  readLedger<T>(what: string, read: () => Promise<T>): Promise<T> {
    return this.#ledger.read(what, read);
  }

  /** Remember the latest state of an order this context touched. */
  track(record: OrderRecord): void {
    this.#orders.set(record.client_order_id, record);
    if (!this.#venueActed && tookEffect(record)) this.#venueActed = true;
  }

  get orders(): readonly OrderRecord[] {
    return [...this.#orders.values()];
  }

  /** Remember the fills a venue answer brought for an order (compensation flattens what they left, net of fees). */
  trackFills(clientOrderId: string, fills: readonly FillRecord[]): void {
    if (fills.length === 0) return;
    this.#fills.set(clientOrderId, [...(this.#fills.get(clientOrderId) ?? []), ...fills]);
  }

  /** The fills this context saw for an order. */
  fillsOf(clientOrderId: string): readonly FillRecord[] {
    return this.#fills.get(clientOrderId) ?? [];
  }
}

function tookEffect(order: OrderRecord): boolean {
  return order.filled_quantity.gt(0) || order.status === 'OPEN' || order.status === 'PARTIALLY_FILLED' || order.status === 'FILLED';
}
