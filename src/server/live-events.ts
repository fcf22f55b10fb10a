import type { Logger } from 'pino';
import type { Platform } from '../app/create-platform.js';
import { toWire } from '../domain/directive.js';
import { executionFailedToWire, flowCompletionToWire, orderRecordToWire, tradeExecutedToWire } from '../domain/wire.js';
import type { EventHub } from './event-hub.js';

/** The live stream's event names (API contract: GET /api/events). */
export const LiveEvent = {
  FLOW_STOP: 'flow_stop',
  TRADE_EXECUTED: 'TRADE_EXECUTED',
  EXECUTION_FAILED: 'EXECUTION_FAILED',
  ORDER_UPDATE: 'order_update',
  TRADING_STATE: 'trading_state',
  RESET: 'reset',
} as const;

/** Published by the trading-state (kill switch) module; subscribed by name, its payload is the state record. */
export const TRADING_STATE_CHANGED = 'TRADING_STATE_CHANGED';

/**
 * Feed the hub: flow stops from the FlowTerminationHandler's UI stream (FlowCompletionStream),
 * and TRADE_EXECUTED, EXECUTION_FAILED, ORDER_UPDATED and TRADING_STATE_CHANGED from the bus.
 * Bus handlers only serialise and hand over (the hub never waits on a client). Returns the
 * function that stops feeding; the stream loop ends when the stream closes.
 */
export function feedLiveEvents(platform: Pick<Platform, 'bus' | 'stream'>, hub: EventHub, logger: Logger): { stop(): void; readonly done: Promise<void> } {
  const { bus } = platform;
  const subscriptions = [
    bus.subscribe('TRADE_EXECUTED', (dto) => hub.publish(LiveEvent.TRADE_EXECUTED, tradeExecutedToWire(dto))),
    bus.subscribe('EXECUTION_FAILED', (dto) => hub.publish(LiveEvent.EXECUTION_FAILED, executionFailedToWire(dto))),
    // an order's states within one flush go out as its latest only (PENDING → FILLED: FILLED)
    bus.subscribe('ORDER_UPDATED', (order) => hub.publish(LiveEvent.ORDER_UPDATE, orderRecordToWire(order), `order:${order.client_order_id}`)),
    bus.subscribe(TRADING_STATE_CHANGED, (record) => hub.publish(LiveEvent.TRADING_STATE, toWire(record))),
  ];
  const abort = new AbortController();
  const completions = platform.stream.subscribe({ signal: abort.signal });
  const done = (async () => {
    try {
      for await (const completion of completions) hub.publish(LiveEvent.FLOW_STOP, flowCompletionToWire(completion));
    } catch (error) {
      logger.error({ err: error }, 'the live stream stopped reading flow completions');
    }
  })();
  let stopped = false;
  return {
    done,
    stop: () => {
      if (stopped) return;
      stopped = true;
      for (const id of subscriptions) bus.unsubscribe(id);
      abort.abort();
    },
  };
}
