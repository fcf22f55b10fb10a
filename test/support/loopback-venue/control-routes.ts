import { Decimal } from '../../../src/domain/decimal.js';
import { fillView, orderView } from './binance-views.js';
import type { OrderRef } from './matching-engine.js';
import type { VenueOrder } from './venue-order.js';
import { binanceDecimal } from './format.js';
import { parseFaultPlan } from './options.js';
import type { VenueState } from './venue-state.js';

export const CONTROL_PREFIX = '/__loopback/';

/** A bad control request: answered 400 `{"error": message}`. */
export class ControlError extends Error {}

function decimalField(body: Record<string, unknown>, field: string): Decimal {
  const value = body[field];
  if ((typeof value !== 'string' && typeof value !== 'number') || !/^\d+(\.\d+)?$/.test(String(value))) {
    throw new ControlError(`${field} must be a positive decimal string, got ${JSON.stringify(value)}`);
  }
  return new Decimal(String(value));
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ControlError('body must be a JSON object');
  return body as Record<string, unknown>;
}

/** `{symbol, orderId}` or `{symbol, clientOrderId}` of a control request. */
function orderTarget(venue: VenueState, fields: Record<string, unknown>): { symbol: string; ref: OrderRef } {
  const symbol = fields['symbol'];
  if (typeof symbol !== 'string' || !venue.engine.instruments.has(symbol)) {
    throw new ControlError(`symbol must be a configured symbol, got ${JSON.stringify(symbol)}`);
  }
  const orderId = fields['orderId'];
  const clientOrderId = fields['clientOrderId'];
  if (typeof orderId === 'number' && Number.isInteger(orderId)) return { symbol, ref: { orderId } };
  if (typeof clientOrderId === 'string') return { symbol, ref: { clientOrderId } };
  throw new ControlError('give orderId (integer) or clientOrderId (string)');
}

/** The test-only control API (not Binance): move prices, replace faults, read or reset the state. */
export function handleControl(venue: VenueState, method: string, url: URL, body: unknown): unknown {
  const path = url.pathname;
  const action = `${method} ${path.slice(CONTROL_PREFIX.length)}`;
  switch (action) {
    case 'POST price': {
      const fields = objectBody(body);
      const symbol = fields['symbol'];
      if (typeof symbol !== 'string') throw new ControlError('symbol must be a string, e.g. "BTCUSDT"');
      const price = decimalField(fields, 'price');
      if (!venue.engine.instruments.has(symbol)) throw new ControlError(`unknown symbol ${symbol}`);
      const fills = venue.engine.setPrice(symbol, price);
      return { symbol, price: binanceDecimal(price), fills: fills.map((t) => ({ orderId: t.orderId, ...fillView(t) })) };
    }
    case 'POST faults':
      try {
        venue.faults.replace(parseFaultPlan(body));
      } catch (error) {
        throw new ControlError((error as Error).message);
      }
      return { faults: venue.faults.plan };
    case 'POST balances': {
      const fields = objectBody(body);
      for (const asset of Object.keys(fields)) venue.engine.balances.set(asset, decimalField(fields, asset));
      return { balances: venue.engine.balances.views() };
    }
    case 'POST fill': {
      const fields = objectBody(body);
      const { symbol, ref } = orderTarget(venue, fields);
      const price = fields['price'] === undefined ? undefined : decimalField(fields, 'price');
      const trade = venue.engine.fillWorking(symbol, ref, decimalField(fields, 'quantity'), price);
      return { order: orderView(venue.engine.orders.get(trade.orderId) as VenueOrder), fill: fillView(trade) };
    }
    case 'POST end': {
      const fields = objectBody(body);
      const { symbol, ref } = orderTarget(venue, fields);
      const status = fields['status'] ?? 'CANCELED';
      if (status !== 'CANCELED' && status !== 'EXPIRED') throw new ControlError('status must be "CANCELED" or "EXPIRED"');
      return { order: orderView(venue.engine.end(symbol, ref, status)) };
    }
    case 'GET state':
      return venue.snapshot();
    case 'GET balances':
      return { balances: venue.engine.balances.views() };
    case 'GET requests': {
      const endpoint = url.searchParams.get('endpoint');
      const log = venue.log.entries().filter((r) => endpoint === null || `${r.method} ${r.path}` === endpoint);
      return { counts: venue.log.counts(), log };
    }
    case 'POST reset':
      venue.reset();
      return {};
    default:
      throw new ControlError(`unknown control request ${method} ${path}`);
  }
}
