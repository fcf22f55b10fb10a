import type { Logger } from 'pino';
import type { IEventBus } from '../ports/bus.js';
import { isoTime, type Clock } from '../domain/clock.js';
import type { Alert, IAlertSink } from '../ports/alerts.js';

export const TRADING_STATE_EVENT = 'TRADING_STATE_CHANGED';

/** The kill switch's change event (published by the trading-state service). */
export interface TradingStateChange {
  readonly state: string;
  readonly previous: string | null;
  readonly reason: string | null;
  readonly changed_by: string | null;
  readonly changed_at: string;
}

/**
 * The alert for a kill-switch change: critical when trading is HALTED, warning for any other
 * change (REDUCING, back to ACTIVE). Each change is an operator's decision, so its subject is
 * the change itself (state and time) and no change is deduplicated away. null for a payload that
 * is not a change.
 */
export function tradingStateAlert(payload: unknown, nowMs: number): Alert | null {
  if (payload === null || typeof payload !== 'object') return null;
  const p = payload as Partial<Record<keyof TradingStateChange, unknown>>;
  if (typeof p.state !== 'string') return null;
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const previous = text(p.previous);
  const reason = text(p.reason);
  const by = text(p.changed_by);
  const at = text(p.changed_at) ?? isoTime(nowMs);
  return {
    severity: p.state === 'HALTED' ? 'critical' : 'warning',
    code: TRADING_STATE_EVENT,
    message: `trading state ${previous ?? '(none)'} → ${p.state}${by ? ` by ${by}` : ''}${reason ? `: ${reason}` : ''}`,
    details: { subject: `${p.state}@${at}`, state: p.state, previous, reason, changed_by: by, changed_at: at },
    timestamp: isoTime(nowMs),
  };
}

/** Subscribes (platform scope) to TRADING_STATE_CHANGED and alerts each change; returns the subscription id. */
export function alertTradingStateChanges(bus: IEventBus, sink: IAlertSink, clock: Clock, logger: Logger): string {
  return bus.subscribe(TRADING_STATE_EVENT, (payload: unknown) => {
    const alert = tradingStateAlert(payload, clock.now());
    if (alert === null) {
      logger.warn({ event_name: TRADING_STATE_EVENT, payload_type: typeof payload }, 'trading state change without a state: not alerted');
      return;
    }
    // the sink owns the delivery and never rejects; catch anyway so a broken sink is not an unhandled rejection
    sink.send(alert).catch((error: unknown) => logger.error({ err: error, alert_code: alert.code }, 'alert sink failed'));
  });
}
