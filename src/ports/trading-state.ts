/**
 * The kill switch (docs/kill-switch.md). ACTIVE: every directive runs. REDUCING: only directives
 * that reduce exposure run (CLOSE_EXISTING; a MODIFY_EXISTING that adds no size). HALTED: only
 * CLOSE_EXISTING runs. Any other directive stops DENIED before anything is sent.
 */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/** The current state and its last change; reason, changed_by and changed_at are null while it was never changed. */
export interface TradingStateRecord {
  readonly state: TradingState;
  readonly reason: string | null;
  readonly changed_by: string | null;
  /** ISO-8601 UTC. */
  readonly changed_at: string | null;
}

export interface TradingStateChange {
  readonly state: TradingState;
  /** Why (1..500 characters): journaled and shown in every denial. */
  readonly reason: string;
  /** Who (a token label, a user name). */
  readonly changed_by: string;
}

export interface ITradingStateControl {
  /** In memory, cheap: read on every directive. */
  current(): TradingStateRecord;
  /** Journal the change (TRADING_STATE_CHANGED), then apply and announce it; durable when resolved. Throws ValidationError for a bad change. */
  set(change: TradingStateChange): Promise<TradingStateRecord>;
}
