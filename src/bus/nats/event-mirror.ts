import type { IEventBus } from '../../ports/bus.js';
import type { PlanexecEvents } from '../../ports/events.js';
import type { JetStreamConnection } from './jetstream-connection.js';

/**
 * The platform events other services may need, mirrored on `<prefix>.events.<NAME>` (and kept by
 * the events stream): trades executed, flows failed and stopped, trading-state changes, directives
 * accepted. Fire and forget: the bus delivers synchronously, and a lost mirror never holds a flow.
 */
const MIRRORED: readonly (readonly [keyof PlanexecEvents & string, string])[] = [
  ['DIRECTIVE_ACCEPTED', 'DIRECTIVE_ACCEPTED'],
  ['TRADE_EXECUTED', 'TRADE_EXECUTED'],
  ['EXECUTION_FAILED', 'EXECUTION_FAILED'],
  ['_flow_stop_success', 'FLOW_STOPPED'],
  ['_flow_stop_error', 'FLOW_STOPPED'],
  ['TRADING_STATE_CHANGED', 'TRADING_STATE_CHANGED'],
];

/** Start mirroring; returns the stop. */
export function mirrorEvents(bus: IEventBus<PlanexecEvents>, connection: Pick<JetStreamConnection, 'publishEvent'>): () => void {
  const ids = MIRRORED.map(([event, subject]) => bus.subscribe(event, (payload) => connection.publishEvent(subject, payload)));
  return () => {
    for (const id of ids) bus.unsubscribe(id);
  };
}
