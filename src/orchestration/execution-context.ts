import type { Logger } from 'pino';
import { isoTime, type Clock } from '../domain/clock.js';
import type { JournalEventType } from '../domain/enums.js';
import type { FillRecord, OrderRecord, Position } from '../domain/trading.js';
import type { JournalRecorder } from './journal-recorder.js';
import type { LedgerWriter } from './ledger-writer.js';
import type { LedgerChange } from '../ports/ledger.js';
import { nextJournalEntryId } from '../domain/journal-entry-ids.js';
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
  /** Deferred writes (settle awaits them) and the first failure among them. */
  readonly #pending = new Set<Promise<unknown>>();
  #failure: unknown = NO_FAILURE;
  /** Ledger writes not yet settled: a read of the ledger waits for them (whoever else is waiting too). */
  readonly #ledgerWrites = new Set<Promise<unknown>>();

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

  /**
   * Journal one entry (body in wire form), chained to the previous one of this context; resolves
   * with its id. A write-ahead entry (an intent) resolves once it is durable together with every
   * write this context enqueued before it, so it shares their commit (DESIGN §3b); any other entry
   * is enqueued and resolves at once: `settle` (or the next write-ahead) makes it durable.
   */
  async write(
    eventType: JournalEventType,
    body: Readonly<Record<string, unknown>>,
    options: {
      writeAhead?: boolean;
      asError?: boolean;
      /** Write-ahead only: told once the entry itself is durable, before the earlier writes are checked (which may throw). */
      onDurable?: () => void;
    } = {},
  ): Promise<string | null> {
    const entryId = nextJournalEntryId(this.#clock.now());
    const recorded = this.#recorder.record(
      {
        entry_id: entryId,
        event_type: eventType,
        flow_id: this.flowId,
        directive_id: this.directiveId,
        strategy_id: this.strategyId,
        timestamp: this.now(),
        correlation_id: this.correlationId,
        causation_id: this.#causation,
        // Decimals and lossless numbers become their wire text as the body is serialised (bodyJson)
        body,
      },
      { writeAhead: options.writeAhead ?? false, asError: options.asError ?? false, sent: this.#sent },
      this.logger,
    );
    this.#causation = entryId;
    if (!options.writeAhead) {
      void this.#defer(recorded);
      return entryId;
    }
    const id = await recorded;
    // the journal failed and the policy sent the entry to the fallback file under another id
    if (id !== null) this.#causation = id;
    options.onDurable?.();
    // earlier writes are in the same commit or an earlier one: settled by now, only their failures are left to see
    await this.settle();
    return id;
  }

  /**
   * Apply a ledger change under this context's directive (on_ledger_failure applies). Enqueued, like
   * a journal entry that is not an intent: durable at the next `settle` or write-ahead, where a
   * failure the policy does not absorb is thrown.
   */
  applyLedger(change: Omit<LedgerChange, 'directive_id'>): Promise<void> {
    for (const position of change.positions ?? []) this.#positions.set(position.trade_id, position);
    const write = this.#defer(this.#ledger.write(this, change));
    this.#ledgerWrites.add(write);
    void write.finally(() => this.#ledgerWrites.delete(write));
    return Promise.resolve();
  }

  /**
   * Wait until every write this context enqueued is durable (or its failure handled by the
   * policies); throws the first failure the policies left to the flow. Call it before anything
   * that must follow its writes: a venue call (write-ahead does), an event, the stop.
   */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = [...this.#pending];
      await Promise.allSettled(batch);
      for (const write of batch) this.#pending.delete(write);
    }
    const failure = this.#failure;
    if (failure !== NO_FAILURE) {
      this.#failure = NO_FAILURE;
      throw failure;
    }
  }

  /** Writes enqueued and not yet known durable. */
  get unsettled(): number {
    return this.#pending.size;
  }

  /** Track a durable write made outside this context (the flow's begin): `settle` waits for it and throws its failure. */
  deferWrite(write: Promise<unknown>): void {
    void this.#defer(write);
  }

  #defer(write: Promise<unknown>): Promise<unknown> {
    const tracked = write.catch((error: unknown) => {
      if (this.#failure === NO_FAILURE) this.#failure = error;
    });
    this.#pending.add(tracked);
    return tracked;
  }

  /** The trades as this context last wrote them to the ledger (a failed flow's EXECUTION_FAILED carries them, so the journal can rebuild them). */
  get positions(): readonly Position[] {
    return [...this.#positions.values()];
  }

  /** Read the ledger as this context left it: its enqueued ledger writes are made durable first. */
  async readLedger<T>(what: string, read: () => Promise<T>): Promise<T> {
    if (this.#ledgerWrites.size > 0) await this.settle();
    return this.#ledger.read(what, read);
  }

  /**
   * Read the ledger's committed state without waiting for this context's enqueued writes: for a
   * caller that lays what this context wrote (`orders`, `positions`, `fillsOf`) over the result,
   * so the read costs no commit.
   */
  readCommitted<T>(what: string, read: () => Promise<T>): Promise<T> {
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

const NO_FAILURE: unique symbol = Symbol('no failure');

function tookEffect(order: OrderRecord): boolean {
  return order.filled_quantity.gt(0) || order.status === 'OPEN' || order.status === 'PARTIALLY_FILLED' || order.status === 'FILLED';
}
