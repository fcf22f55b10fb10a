import { Decimal } from '../../../src/domain/decimal.js';
import { fillView } from './binance-views.js';
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

/** The test-only control API (not Binance): move prices, replace faults, read or reset the state. */
export function handleControl(venue: VenueState, method: string, path: string, body: unknown): unknown {
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
    case 'GET state':
      return venue.snapshot();
    case 'POST reset':
      venue.reset();
      return {};
    default:
      throw new ControlError(`unknown control request ${method} ${path}`);
  }
}
