import { Decimal } from '../../domain/decimal.js';
import type { ExecutionReport, VenueOrder } from '../../ports/connector.js';

/** Runs `task` every `ms` until the returned function is called. Injectable for tests. */
export type PollScheduler = (ms: number, task: () => void) => () => void;

export const intervalScheduler: PollScheduler = (ms, task) => {
  const timer = setInterval(task, ms);
  // the poller must not keep a finished process alive
  timer.unref();
  return () => clearInterval(timer);
};

export interface RestingOrderPollerOptions {
  readonly intervalMs: number;
  readonly scheduler?: PollScheduler;
  /** The venue's current view of one order; undefined while it is "not found". */
  readonly fetch: (clientOrderId: string, symbol: string) => Promise<VenueOrder | undefined>;
  readonly report: (report: ExecutionReport) => void;
  /** Whether anyone listens: without listeners a pass is skipped, so no fill is consumed unheard. */
  readonly listening: () => boolean;
  readonly onError: (error: unknown, clientOrderId: string) => void;
}

interface Watched {
  readonly symbol: string;
  readonly seen: Set<string>;
  status: VenueOrder['status'];
}

const FINAL: ReadonlySet<VenueOrder['status']> = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);

function fillsComplete(order: VenueOrder): boolean {
  return order.fills.reduce((sum, f) => sum.plus(f.quantity), new Decimal(0)).gte(order.filled_quantity);
}

/**
 * Polls the orders this connector knows to be resting (a venue without a push channel) and
 * reports what the venue did on its own: new fills (deduplicated by venue trade id), and an
 * ending it was not asked for. An order leaves the watch list once it is final with all its
 * fills seen.
 */
export class RestingOrderPoller {
  readonly #options: RestingOrderPollerOptions;
  readonly #watched = new Map<string, Watched>();
  #stop: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: RestingOrderPollerOptions) {
    this.#options = options;
  }

  /** Follow `order` from the state the caller already has (its fills are not reported again). */
  watch(order: VenueOrder): void {
    if (this.#closed) return;
    if (FINAL.has(order.status) && fillsComplete(order)) {
      this.#watched.delete(order.client_order_id);
      return;
    }
    const known = this.#watched.get(order.client_order_id);
    const seen = known?.seen ?? new Set<string>();
    for (const fill of order.fills) seen.add(fill.venue_trade_id);
    this.#watched.set(order.client_order_id, { symbol: order.symbol, seen, status: order.status });
    this.#stop ??= (this.#options.scheduler ?? intervalScheduler)(this.#options.intervalMs, () => void this.pollNow());
  }

  /** Follow `order` unless it is already followed (an order found by a look-up, e.g. after a restart or an unknown outcome). */
  adopt(order: VenueOrder): void {
    if (!this.#watched.has(order.client_order_id) && !FINAL.has(order.status)) this.watch(order);
  }

  /** What we ended ourselves (a cancel we sent) is not reported. */
  forget(clientOrderId: string): void {
    this.#watched.delete(clientOrderId);
  }

  get watching(): readonly string[] {
    return [...this.#watched.keys()];
  }

  /** One pass over the watched orders; a pass already running is joined, not doubled. */
  pollNow(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  close(): void {
    this.#closed = true;
    this.#stop?.();
    this.#stop = undefined;
    this.#watched.clear();
  }

  async #pass(): Promise<void> {
    if (this.#closed || !this.#options.listening()) return;
    for (const [clientOrderId, watched] of [...this.#watched]) {
      let order: VenueOrder | undefined;
      try {
        order = await this.#options.fetch(clientOrderId, watched.symbol);
      } catch (error) {
        this.#options.onError(error, clientOrderId);
        continue;
      }
      if (this.#closed) return;
      // not found (a fresh order's window) or forgotten meanwhile: ask again next pass
      if (order === undefined || this.#watched.get(clientOrderId) !== watched) continue;
      // an ending is reported with every fill of it: until the venue shows them all, ask again
      if (FINAL.has(order.status) && !fillsComplete(order)) continue;
      const newFills = order.fills.filter((f) => !watched.seen.has(f.venue_trade_id));
      const changed = order.status !== watched.status;
      for (const fill of newFills) watched.seen.add(fill.venue_trade_id);
      watched.status = order.status;
      if (FINAL.has(order.status)) this.#watched.delete(clientOrderId);
      if (newFills.length > 0 || changed) this.#options.report({ order, new_fills: newFills });
    }
  }
}
