import type { Logger } from 'pino';
import type { IAPIConnector, VenueOrder } from '../../ports/connector.js';
import type { PlanExecutionConfig } from '../../config/schema.js';
import { isoTime, type Clock } from '../../domain/clock.js';
import { errorMessage } from '../../domain/errors.js';
import { transitionOrder } from '../../domain/order-status.js';
import type { OrderRecord } from '../../domain/trading.js';
import { attemptCall } from '../connector-call.js';
import { LIVE_ORDER_STATUSES } from '../order-sync.js';
import type { IJournalWriter } from '../../ports/journal.js';
import type { ILedgerProvider } from '../../ports/ledger.js';

export interface VenueSyncReport {
  /** Ledger orders that may still rest at the venue (or be on their way): PENDING, OPEN, PARTIALLY_FILLED, IN_DOUBT. */
  readonly checked: number;
  /** Orders whose venue state was new to the ledger and was applied (fills booked once). */
  readonly updated: number;
  /** PENDING / IN_DOUBT orders the venue still does not know after the not-found grace: never placed. */
  readonly not_placed: number;
  /** Orders the venue could not tell us about within in_doubt.max_checks: left as they are. */
  readonly unresolved: number;
  /** Trades the ledger had lost (a ledger write failed after the venue acted) rebuilt from the venue. */
  readonly rebuilt_trades: number;
}

export interface VenueSyncDeps {
  readonly ledger: ILedgerProvider;
  readonly journal: IJournalWriter;
  readonly connector: IAPIConnector;
  readonly config: PlanExecutionConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Apply the venue's view of an order through the venue-event path (orchestrator). */
  readonly apply: (order: VenueOrder) => Promise<void>;
  /** Rebuild the trade of a finished NEW_TRADE from the venue (orchestrator); false when there is nothing to rebuild. */
  readonly rebuild: (flowId: string) => Promise<boolean>;
}

/** Venue look-ups at once: enough to hide latency, few enough not to flood a real venue. */
const PARALLEL_LOOKUPS = 8;

/**
 * What happened at the venue while planexec was down: every ledger order that may still rest
 * there is compared with the venue (one open-orders call, then a look-up by client order id for
 * the rest, with the in-doubt rules) and whatever is new is applied through the venue-event path,
 * so fills are booked exactly once (the ledger dedupes by venue trade id) with the same
 * consequences as a live report. A trade the ledger lost entirely is rebuilt first.
 */
export class VenueSync {
  readonly #deps: VenueSyncDeps;

  constructor(deps: VenueSyncDeps) {
    this.#deps = deps;
  }

  /** `skipDirectives`: flows still unfinished (their own legs are theirs to settle). */
  async run(skipDirectives: ReadonlySet<string>): Promise<VenueSyncReport> {
    const { ledger } = this.#deps;
    const live = (await ledger.listOrders({ statuses: LIVE_ORDER_STATUSES })).filter((r) => r.directive_id === null || !skipDirectives.has(r.directive_id));
    const rebuilt = await this.#rebuildLostTrades(live);
    const rows = rebuilt > 0 ? (await ledger.listOrders({ statuses: LIVE_ORDER_STATUSES })).filter((r) => r.directive_id === null || !skipDirectives.has(r.directive_id)) : live;
    const counts = { updated: 0, not_placed: 0, unresolved: 0 };
    if (rows.length > 0) {
      const open = new Map((await this.#openOrders()).map((o) => [o.client_order_id, o]));
      await forEachLimited(rows, PARALLEL_LOOKUPS, async (row) => {
        const outcome = await this.#syncOne(row, open.get(row.client_order_id));
        if (outcome !== 'unchanged') counts[outcome] += 1;
      });
    }
    return { checked: live.length, ...counts, rebuilt_trades: rebuilt };
  }

  /** Orders whose trade row is missing: the ledger failed after the venue acted; rebuild those trades (a trade's id is its NEW_TRADE's directive id). */
  async #rebuildLostTrades(rows: readonly OrderRecord[]): Promise<number> {
    const lost = new Set<string>();
    for (const row of rows) {
      if (lost.has(row.trade_id)) continue;
      if (!(await this.#deps.ledger.getPosition(row.trade_id))) lost.add(row.trade_id);
    }
    let rebuilt = 0;
    for (const tradeId of lost) if (await this.#deps.rebuild(tradeId)) rebuilt += 1;
    return rebuilt;
  }

  async #syncOne(row: OrderRecord, listed: VenueOrder | undefined): Promise<'updated' | 'not_placed' | 'unresolved' | 'unchanged'> {
    if (listed && listed.status === row.status && listed.filled_quantity.eq(row.filled_quantity)) return 'unchanged';
    const venue = listed ?? (await this.#lookUp(row));
    if (venue === 'unknown') return 'unresolved';
    if (venue === 'absent') {
      if (row.status === 'PENDING' || row.status === 'IN_DOUBT') {
        await this.#notPlaced(row);
        return 'not_placed';
      }
      this.#deps.logger.error({ client_order_id: row.client_order_id, status: row.status }, 'recovery: an order the ledger has open is unknown to the venue');
      return 'unresolved';
    }
    if (row.status !== 'PENDING' && row.status !== 'IN_DOUBT' && venue.status === row.status && venue.filled_quantity.eq(row.filled_quantity)) return 'unchanged';
    await this.#deps.apply(venue);
    return 'updated';
  }

  /** The in-doubt rules: look up by client order id; "not found" counts only once the order is older than not_found_grace_ms. */
  async #lookUp(row: OrderRecord): Promise<VenueOrder | 'absent' | 'unknown'> {
    const { connector, clock, config } = this.#deps;
    const { max_checks, check_interval_ms, not_found_grace_ms } = config.in_doubt;
    const createdAt = Date.parse(row.created_at);
    for (let check = 0; check < max_checks; check++) {
      if (check > 0) await clock.sleep(check_interval_ms);
      const outcome = await attemptCall(clock, config.attempt_timeout_ms, undefined, (signal) => connector.fetchOrder(row.client_order_id, row.symbol, { signal }));
      if (outcome.kind !== 'ok') continue;
      if (outcome.value) return outcome.value;
      if (!Number.isFinite(createdAt) || clock.now() - createdAt >= not_found_grace_ms) return 'absent';
    }
    return 'unknown';
  }

  async #openOrders(): Promise<VenueOrder[]> {
    const { connector, clock, config } = this.#deps;
    for (let attempt = 0; attempt < config.in_doubt.max_checks; attempt++) {
      if (attempt > 0) await clock.sleep(config.in_doubt.check_interval_ms);
      const outcome = await attemptCall(clock, config.attempt_timeout_ms, undefined, (signal) => connector.fetchOpenOrders(undefined, { signal }));
      if (outcome.kind === 'ok') return outcome.value;
      this.#deps.logger.warn({ err: outcome.error }, 'recovery: open orders look-up failed');
    }
    // each order is then looked up on its own
    return [];
  }

  /** The venue never got it: the ledger row is final (REJECTED) and the journal says why. */
  async #notPlaced(row: OrderRecord): Promise<void> {
    const { ledger, journal, clock } = this.#deps;
    const now = isoTime(clock.now());
    const reason = `not found at the venue after the not-found grace (${this.#deps.config.in_doubt.not_found_grace_ms} ms): never placed (recovery)`;
    const flowId = row.directive_id ?? row.trade_id;
    try {
      await journal.logEntry({
        event_type: 'ORDER_RESULT',
        flow_id: flowId,
        directive_id: null,
        strategy_id: null,
        timestamp: now,
        correlation_id: flowId,
        causation_id: null,
        body: {
          action: 'PLACE',
          purpose: row.purpose,
          trade_id: row.trade_id,
          client_order_id: row.client_order_id,
          status: 'REJECTED',
          error_code: 'NOT_FOUND_AT_VENUE',
          error_message: reason,
          recovered: true,
        },
      });
      await ledger.apply({ directive_id: null, orders: [transitionOrder(row, 'REJECTED', { reject_reason: reason, updated_at: now })] });
    } catch (error) {
      this.#deps.logger.error({ err: error, client_order_id: row.client_order_id }, `recovery: could not record an order as never placed: ${errorMessage(error)}`);
    }
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
