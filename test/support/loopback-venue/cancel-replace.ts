import { BinanceError, binanceErrors } from './binance-error.js';
import { canceledOrderView, newOrderView } from './binance-views.js';
import type { OrderRef } from './matching-engine.js';
import { parseOrderRequest } from './order-request.js';
import type { VenueState } from './venue-state.js';

type Outcome = { ok: true; response: Record<string, unknown> } | { ok: false; response: { code: number; msg: string } };

function attempt(action: () => Record<string, unknown>): Outcome {
  try {
    return { ok: true, response: action() };
  } catch (error) {
    if (!(error instanceof BinanceError)) throw error;
    return { ok: false, response: { code: error.code, msg: error.msg } };
  }
}

function text(params: Record<string, string>, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

function cancelRef(params: Record<string, string>): OrderRef {
  const orderId = text(params, 'cancelOrderId');
  const clientOrderId = text(params, 'cancelOrigClientOrderId');
  if (orderId === undefined && clientOrderId === undefined) {
    throw binanceErrors.eitherMandatory('cancelOrderId', 'cancelOrigClientOrderId');
  }
  if (orderId !== undefined && !/^[0-9]{1,20}$/.test(orderId)) {
    throw new BinanceError(-1100, "Illegal characters found in parameter 'cancelOrderId'; legal range is '^[0-9]{1,20}$'.");
  }
  return orderId !== undefined ? { orderId: Number(orderId) } : { clientOrderId };
}

/**
 * POST /api/v3/order/cancelReplace, as Binance answers it: both halves succeed (200); the cancel
 * fails and STOP_ON_FAILURE skips the new order (400, -2022); one half fails (409, -2021); both
 * fail (400, -2022). Malformed parameters are refused before either half runs.
 */
export function cancelReplace(venue: VenueState, params: Record<string, string>): Record<string, unknown> {
  const mode = text(params, 'cancelReplaceMode');
  if (mode === undefined) throw binanceErrors.mandatory('cancelReplaceMode');
  if (mode !== 'STOP_ON_FAILURE' && mode !== 'ALLOW_FAILURE') throw binanceErrors.mandatory('cancelReplaceMode');
  const ref = cancelRef(params);
  const request = parseOrderRequest(params);
  const engine = venue.engine;
  engine.instrument(request.symbol);

  const cancel = attempt(() => {
    const order = engine.cancel(request.symbol, ref);
    const cancelId = text(params, 'cancelNewClientOrderId') ?? venue.nextCancelId();
    return canceledOrderView(order, cancelId, venue.now());
  });
  const placed: Outcome | null =
    cancel.ok || mode === 'ALLOW_FAILURE'
      ? attempt(() => {
          const { order, fills } = engine.place(request);
          return newOrderView(order, fills, request.responseType);
        })
      : null;
  const report = {
    cancelResult: cancel.ok ? 'SUCCESS' : 'FAILURE',
    newOrderResult: placed === null ? 'NOT_ATTEMPTED' : placed.ok ? 'SUCCESS' : 'FAILURE',
    cancelResponse: cancel.response,
    newOrderResponse: placed?.response ?? null,
  };
  if (cancel.ok && placed?.ok) return report;
  if (cancel.ok || placed?.ok) throw new BinanceError(-2021, 'Order cancel-replace partially failed.', 409, report);
  throw new BinanceError(-2022, 'Order cancel-replace failed.', 400, report);
}
