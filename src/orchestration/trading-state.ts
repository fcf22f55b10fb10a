import type { Logger } from 'pino';
import type { IEventBus } from '../ports/bus.js';
import type { PlanexecEvents } from '../ports/events.js';
import { isoTime, type Clock } from '../domain/clock.js';
import { ValidationError, type ValidationIssue } from '../domain/errors.js';
import { type IJournalReader, type IJournalWriter, type JournalEntry } from '../ports/journal.js';
import { TRADING_STATES, type ITradingStateControl, type TradingState, type TradingStateChange, type TradingStateRecord } from '../ports/trading-state.js';

/**
 * Every TRADING_STATE_CHANGED entry belongs to this one journal flow (its correlation id too), and
 * each change's causation is the change before it: the switch's history is one causal chain, and
 * the current state is read back through the journal's flow index without a table of its own.
 */
export const TRADING_STATE_FLOW_ID = 'TRADING_STATE';

export const REASON_MAX_LENGTH = 500;
export const CHANGED_BY_MAX_LENGTH = 128;

/** The state of a database whose switch was never moved. */
export const INITIAL_TRADING_STATE: TradingStateRecord = { state: 'ACTIVE', reason: null, changed_by: null, changed_at: null };

export interface JournaledTradingStateDeps {
  readonly journal: IJournalWriter;
  readonly clock: Clock;
  /** Where TRADING_STATE_CHANGED is published after each durable change; none for a command that only writes the database. */
  readonly bus?: IEventBus<PlanexecEvents>;
  readonly logger?: Logger;
}

/**
 * The kill switch kept in the journal: `set` appends a TRADING_STATE_CHANGED entry (`{state,
 * previous, reason, changed_by}`), and only once it is durable moves the in-memory state and
 * publishes TRADING_STATE_CHANGED; a change the journal refused changes nothing. `open` reads the
 * latest entry back, so the state survives restarts. Changes are applied one at a time, so each
 * names the state it replaced.
 */
export class JournaledTradingState implements ITradingStateControl {
  readonly #deps: JournaledTradingStateDeps;
  #current: TradingStateRecord;
  #lastEntryId: string | null;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(deps: JournaledTradingStateDeps, current: TradingStateRecord, lastEntryId: string | null) {
    this.#deps = deps;
    this.#current = current;
    this.#lastEntryId = lastEntryId;
  }

  /** The state the journal's latest TRADING_STATE_CHANGED entry set; ACTIVE when there is none. */
  static async open(deps: JournaledTradingStateDeps): Promise<JournaledTradingState> {
    const last = await latestChange(deps.journal);
    const record = last ? recordOf(last) : INITIAL_TRADING_STATE;
    if (record.state !== 'ACTIVE') {
      deps.logger?.warn({ trading_state: record.state, reason: record.reason, changed_by: record.changed_by, changed_at: record.changed_at }, `trading state is ${record.state}: new directives that it does not let through stop DENIED`);
    }
    return new JournaledTradingState(deps, record, last?.entry_id ?? null);
  }

  current(): TradingStateRecord {
    return this.#current;
  }

  set(change: TradingStateChange): Promise<TradingStateRecord> {
    let checked: TradingStateChange;
    try {
      checked = checkTradingStateChange(change);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const run = this.#queue.then(() => this.#apply(checked));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Adopt a change another worker journaled (a store several workers share): read the journal's
   * latest change and, when it is not the one in force here, apply and announce it. Resolves true
   * when the state here changed.
   */
  refresh(): Promise<boolean> {
    const run = this.#queue.then(async () => {
      const last = await latestChange(this.#deps.journal);
      if (last === undefined || last.entry_id === this.#lastEntryId) return false;
      const previous = this.#current.state;
      const record = recordOf(last);
      this.#current = record;
      this.#lastEntryId = last.entry_id;
      this.#deps.logger?.warn({ trading_state: record.state, previous, reason: record.reason, changed_by: record.changed_by }, `trading state ${previous} → ${record.state} (set by another worker)`);
      try {
        this.#deps.bus?.publish('TRADING_STATE_CHANGED', { ...record, previous }, { level: 'platform' });
      } catch (error) {
        this.#deps.logger?.error({ err: error }, 'a TRADING_STATE_CHANGED subscriber failed');
      }
      return true;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(change: TradingStateChange): Promise<TradingStateRecord> {
    const previous = this.#current.state;
    const changedAt = isoTime(this.#deps.clock.now());
    const entry = await this.#deps.journal.logEntry({
      event_type: 'TRADING_STATE_CHANGED',
      flow_id: TRADING_STATE_FLOW_ID,
      directive_id: null,
      strategy_id: null,
      timestamp: changedAt,
      correlation_id: TRADING_STATE_FLOW_ID,
      causation_id: this.#lastEntryId,
      body: { state: change.state, previous, reason: change.reason, changed_by: change.changed_by },
    });
    const record: TradingStateRecord = { state: change.state, reason: change.reason, changed_by: change.changed_by, changed_at: changedAt };
    this.#current = record;
    this.#lastEntryId = entry.entry_id;
    this.#deps.logger?.warn({ trading_state: record.state, previous, reason: record.reason, changed_by: record.changed_by }, `trading state ${previous} → ${record.state}`);
    try {
      this.#deps.bus?.publish('TRADING_STATE_CHANGED', { ...record, previous }, { level: 'platform' });
    } catch (error) {
      // the change is durable and in force: a failing subscriber does not undo it
      this.#deps.logger?.error({ err: error }, 'a TRADING_STATE_CHANGED subscriber failed');
    }
    return record;
  }
}

export function isTradingState(value: unknown): value is TradingState {
  return typeof value === 'string' && (TRADING_STATES as readonly string[]).includes(value);
}

/** The change with reason and changed_by trimmed; ValidationError naming every bad field and its rule. */
export function checkTradingStateChange(change: TradingStateChange): TradingStateChange {
  const issues: ValidationIssue[] = [];
  if (!isTradingState(change.state)) {
    issues.push({ path: 'state', rule: 'enum', message: `must be one of ${TRADING_STATES.join(', ')}, got ${JSON.stringify(change.state)}` });
  }
  const reason = typeof change.reason === 'string' ? change.reason.trim() : '';
  if (reason.length === 0) issues.push({ path: 'reason', rule: 'required', message: 'a reason is required (why the trading state changes)' });
  else if (reason.length > REASON_MAX_LENGTH) issues.push({ path: 'reason', rule: 'max_length', message: `must be at most ${REASON_MAX_LENGTH} characters, got ${reason.length}` });
  const changedBy = typeof change.changed_by === 'string' ? change.changed_by.trim() : '';
  if (changedBy.length === 0) issues.push({ path: 'changed_by', rule: 'required', message: 'who changes the trading state is required' });
  else if (changedBy.length > CHANGED_BY_MAX_LENGTH) issues.push({ path: 'changed_by', rule: 'max_length', message: `must be at most ${CHANGED_BY_MAX_LENGTH} characters, got ${changedBy.length}` });
  if (issues.length > 0) throw new ValidationError(issues, 'trading state change refused');
  return { state: change.state, reason, changed_by: changedBy };
}

/** The state a database's journal holds, for a reader that does not run the switch (`planexec trading-state`). */
export async function readTradingState(journal: IJournalReader): Promise<TradingStateRecord> {
  const last = await latestChange(journal);
  return last ? recordOf(last) : INITIAL_TRADING_STATE;
}

async function latestChange(journal: IJournalReader): Promise<JournalEntry | undefined> {
  const entries = await journal.read({ flow_id: TRADING_STATE_FLOW_ID });
  return [...entries].reverse().find((e) => e.event_type === 'TRADING_STATE_CHANGED');
}

function recordOf(entry: JournalEntry): TradingStateRecord {
  const { state, reason, changed_by: changedBy } = entry.body;
  return {
    // an entry this build cannot read halts rather than trades
    state: isTradingState(state) ? state : 'HALTED',
    reason: typeof reason === 'string' ? reason : null,
    changed_by: typeof changedBy === 'string' ? changedBy : null,
    changed_at: entry.timestamp,
  };
}
