import type { BalanceView } from './balances.js';
import type { FaultPlan } from './options.js';
import type { LoggedRequest } from './request-log.js';
import type { VenueSnapshot } from './venue-state.js';

export type OrderTarget = { orderId: number } | { clientOrderId: string };

export interface FillView {
  readonly price: string;
  readonly qty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly tradeId: number;
}

export interface PriceMoveResult {
  readonly symbol: string;
  readonly price: string;
  /** Trades the move caused (triggered stops, crossed limits), with Binance's fill fields. */
  readonly fills: (FillView & { orderId: number })[];
}

/** Typed client of the loopback venue's control API (`/__loopback/…`), for tests and scripts. */
export class LoopbackVenueClient {
  constructor(readonly url: string) {}

  /** Moves the price of a symbol; stops it reaches trigger and limits it crosses fill. */
  setPrice(symbol: string, price: string): Promise<PriceMoveResult> {
    return this.#call('POST', 'price', { symbol, price });
  }

  /** Replaces the whole fault plan (an empty plan turns every fault off). */
  setFaults(plan: FaultPlan): Promise<{ faults: FaultPlan }> {
    return this.#call('POST', 'faults', plan);
  }

  /** Fills part (or the rest) of a working order at its limit price (or `price`): a partial fill on demand. */
  fill(
    symbol: string,
    order: OrderTarget,
    quantity: string,
    price?: string,
  ): Promise<{ order: Record<string, unknown>; fill: FillView }> {
    return this.#call('POST', 'fill', { symbol, ...order, quantity, ...(price === undefined ? {} : { price }) });
  }

  /** Ends an open order from the venue's side (CANCELED by default, or EXPIRED). */
  end(symbol: string, order: OrderTarget, status: 'CANCELED' | 'EXPIRED' = 'CANCELED'): Promise<{ order: Record<string, unknown> }> {
    return this.#call('POST', 'end', { symbol, ...order, status });
  }

  /** Sets the free amount of each given asset. */
  setBalances(balances: Record<string, string>): Promise<{ balances: BalanceView[] }> {
    return this.#call('POST', 'balances', balances);
  }

  state(): Promise<VenueSnapshot> {
    return this.#call('GET', 'state');
  }

  reset(): Promise<Record<string, never>> {
    return this.#call('POST', 'reset', {});
  }

  /** Binance requests received, optionally only those to one "METHOD /path". */
  async requests(endpoint?: string): Promise<LoggedRequest[]> {
    const query = endpoint === undefined ? '' : `?endpoint=${encodeURIComponent(endpoint)}`;
    const { log } = await this.#call<{ log: LoggedRequest[] }>('GET', `requests${query}`);
    return log;
  }

  /** Requests per "METHOD /path" since start or reset. */
  async requestCounts(): Promise<Record<string, number>> {
    const { counts } = await this.#call<{ counts: Record<string, number> }>('GET', 'requests');
    return counts;
  }

  balances(): Promise<{ balances: BalanceView[] }> {
    return this.#call('GET', 'balances');
  }

  /** Free and locked of one asset ("0.00000000" when the venue never saw it). */
  async balance(asset: string): Promise<{ free: string; locked: string }> {
    const { balances } = await this.balances();
    const found = balances.find((b) => b.asset === asset);
    return { free: found?.free ?? '0.00000000', locked: found?.locked ?? '0.00000000' };
  }

  async #call<T>(method: 'GET' | 'POST', action: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/__loopback/${action}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    });
    const payload = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`loopback venue ${method} ${action} failed: ${payload.error ?? response.status}`);
    return payload;
  }
}
