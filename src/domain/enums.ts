/** String unions with const objects (no TS enum). Values are the wire values. */

export const Scope = { NEW_TRADE: 'NEW_TRADE', MODIFY_EXISTING: 'MODIFY_EXISTING', CLOSE_EXISTING: 'CLOSE_EXISTING' } as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

export const Direction = { BUY: 'BUY', SELL: 'SELL' } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export const OrderType = { MARKET: 'MARKET', LIMIT: 'LIMIT', STOP_LIMIT: 'STOP_LIMIT', STOP_MARKET: 'STOP_MARKET' } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/** Entry plans may ask for these; STOP_MARKET is used by planexec itself for protective stops. */
export const ENTRY_ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP_LIMIT'] as const;
export type EntryOrderType = (typeof ENTRY_ORDER_TYPES)[number];

export const TimeInForce = { GTC: 'GTC', IOC: 'IOC', FOK: 'FOK' } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/** IN_DOUBT is local only: we asked and do not know whether the venue has the order. */
export const OrderStatus = {
  PENDING: 'PENDING',
  OPEN: 'OPEN',
  PARTIALLY_FILLED: 'PARTIALLY_FILLED',
  FILLED: 'FILLED',
  CANCELLED: 'CANCELLED',
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED',
  IN_DOUBT: 'IN_DOUBT',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** Why an order exists within its trade. */
export const OrderPurpose = {
  ENTRY: 'ENTRY',
  STOP_LOSS: 'STOP_LOSS',
  TAKE_PROFIT: 'TAKE_PROFIT',
  INCREASE: 'INCREASE',
  REDUCE: 'REDUCE',
  CLOSE: 'CLOSE',
  COMPENSATION: 'COMPENSATION',
} as const;
export type OrderPurpose = (typeof OrderPurpose)[keyof typeof OrderPurpose];

export const PositionStatus = { OPEN: 'OPEN', CLOSED: 'CLOSED' } as const;
export type PositionStatus = (typeof PositionStatus)[keyof typeof PositionStatus];

/**
 * Whether a trade's stop loss / take profit rest at the venue. NONE: nothing to protect (none
 * asked, nothing held yet, or closed). LIVE: every one asked rests at the venue for the size held.
 * MISSING: the trade holds a size and at least one asked for could not be placed.
 */
export const Protection = { NONE: 'NONE', LIVE: 'LIVE', MISSING: 'MISSING' } as const;
export type Protection = (typeof Protection)[keyof typeof Protection];

export const EventName = {
  EXECUTION_DIRECTIVE_READY: 'EXECUTION_DIRECTIVE_READY',
  TRADE_EXECUTED: 'TRADE_EXECUTED',
  EXECUTION_FAILED: 'EXECUTION_FAILED',
  FLOW_STOP_SUCCESS: '_flow_stop_success',
  FLOW_STOP_ERROR: '_flow_stop_error',
} as const;
export type EventName = (typeof EventName)[keyof typeof EventName];

export const FinalState = { SUCCESS: 'SUCCESS', ERROR: 'ERROR' } as const;
export type FinalState = (typeof FinalState)[keyof typeof FinalState];

/** How a flow ended, finer than FinalState: IN_DOUBT ends with ERROR but is counted apart. */
export const FlowOutcome = { SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED', IN_DOUBT: 'IN_DOUBT' } as const;
export type FlowOutcome = (typeof FlowOutcome)[keyof typeof FlowOutcome];

/** Journal entry types. The first four are the spec's; the rest record intent and reality. */
export const JournalEventType = {
  TRADE_OPENED: 'TRADE_OPENED',
  POSITION_MODIFIED: 'POSITION_MODIFIED',
  TRADE_CLOSED: 'TRADE_CLOSED',
  EXECUTION_FAILED: 'EXECUTION_FAILED',
  DIRECTIVE_ACCEPTED: 'DIRECTIVE_ACCEPTED',
  /** A sliced or resting entry's plan (style, decision price, children), written ahead of its first child. */
  EXECUTION_PLANNED: 'EXECUTION_PLANNED',
  ORDER_INTENT: 'ORDER_INTENT',
  ORDER_RESULT: 'ORDER_RESULT',
  ORDER_IN_DOUBT: 'ORDER_IN_DOUBT',
  FILL_RECORDED: 'FILL_RECORDED',
  PROTECTIVE_TRIGGERED: 'PROTECTIVE_TRIGGERED',
  ANOMALY: 'ANOMALY',
  POLICY_APPLIED: 'POLICY_APPLIED',
  FLOW_STOPPED: 'FLOW_STOPPED',
  /** The kill switch moved (ACTIVE / REDUCING / HALTED): who, why, from what. */
  TRADING_STATE_CHANGED: 'TRADING_STATE_CHANGED',
} as const;
export type JournalEventType = (typeof JournalEventType)[keyof typeof JournalEventType];

export const SCOPE_EVENT_TYPE: Readonly<Record<Scope, JournalEventType>> = {
  NEW_TRADE: 'TRADE_OPENED',
  MODIFY_EXISTING: 'POSITION_MODIFIED',
  CLOSE_EXISTING: 'TRADE_CLOSED',
};
