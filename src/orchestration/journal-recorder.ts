import type { Logger } from 'pino';
import type { ErrorHandlingConfig } from '../config/schema.js';
import { isoTime, type Clock } from '../domain/clock.js';
import { errorMessage } from '../domain/errors.js';
import { generateId, IdPrefix } from '../domain/ids.js';
import { sendAlert } from './alerting.js';
import { ExecutionError } from './execution-errors.js';
import type { JournalFallback } from './journal-fallback.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { IJournalWriter, JournalEntryInput } from '../ports/journal.js';
import type { IMetricsCollector } from '../ports/metrics.js';

export interface RecordOptions {
  /** The entry must be durable before a connector call (ORDER_INTENT): losing it is not an option. */
  readonly writeAhead: boolean;
  /** Write through journal.logError (EXECUTION_FAILED entries). */
  readonly asError: boolean;
  /** A state-changing request has (or may have) left the process in this flow. */
  readonly sent: boolean;
}

/**
 * Journal writes with the on_journal_failure policy applied:
 * - continue: the entry goes to the fsync'd fallback file, a warning alert, and the flow goes on;
 * - alert_admin: the same with a critical alert;
 * - fail_execution: before anything was sent the flow aborts (JOURNAL_UNAVAILABLE); once
 *   something was sent it cannot be unsent, so fallback + critical alert + go on.
 * The decision itself is recorded as a POLICY_APPLIED line in the fallback file. If the fallback
 * cannot be written either, a write-ahead entry aborts the flow (the intent cannot be made durable).
 */
export class JournalRecorder {
  readonly #journal: IJournalWriter;
  readonly #fallback: JournalFallback;
  readonly #policy: ErrorHandlingConfig['on_journal_failure'];
  readonly #alerts: IAlertSink;
  readonly #metrics: IMetricsCollector;
  readonly #clock: Clock;

  constructor(deps: {
    journal: IJournalWriter;
    fallback: JournalFallback;
    policy: ErrorHandlingConfig['on_journal_failure'];
    alerts: IAlertSink;
    metrics: IMetricsCollector;
    clock: Clock;
  }) {
    this.#journal = deps.journal;
    this.#fallback = deps.fallback;
    this.#policy = deps.policy;
    this.#alerts = deps.alerts;
    this.#metrics = deps.metrics;
    this.#clock = deps.clock;
  }

  /** Returns the entry id (a journal entry_id, or a fallback id), or null if nothing could be written. */
  async record(input: JournalEntryInput, options: RecordOptions, logger: Logger): Promise<string | null> {
    try {
      const entry = options.asError ? await this.#journal.logError(input) : await this.#journal.logEntry(input);
      return entry.entry_id;
    } catch (error) {
      return this.#onFailure(input, options, error, logger);
    }
  }

  async #onFailure(input: JournalEntryInput, options: RecordOptions, error: unknown, logger: Logger): Promise<string | null> {
    const abort = this.#policy === 'fail_execution' && !options.sent && !options.asError;
    const message = errorMessage(error);
    const now = isoTime(this.#clock.now());
    const decision = abort ? 'abort_flow' : 'fallback_and_continue';
    // the decision is an entry of its own: it does not take the failed entry's id
    const { entry_id: failedEntryId, ...context } = input;
    const policyEntry = {
      ...context,
      failed_entry_id: failedEntryId ?? null,
      event_type: 'POLICY_APPLIED',
      timestamp: now,
      body: { policy: 'on_journal_failure', value: this.#policy, decision, failed_event_type: input.event_type, error_message: message },
    };
    logger.error({ err: error, event_type: input.event_type, decision }, 'journal write failed');
    const alertBase = { flow_id: input.flow_id, directive_id: input.directive_id, timestamp: now };

    // every line carries an id, so replaying the file into the journal is idempotent
    if (abort) {
      await this.#fallback
        .append({ fallback: true, fallback_entry_id: generateId(IdPrefix.JOURNAL, this.#clock.now()), ...policyEntry })
        .catch((e: unknown) => logger.error({ err: e }, 'journal fallback failed'));
      await sendAlert(this.#alerts, logger, {
        ...alertBase,
        severity: 'critical',
        code: 'JOURNAL_UNAVAILABLE',
        message: `journal unavailable before anything was sent; flow aborted (on_journal_failure=fail_execution): ${message}`,
      });
      throw new ExecutionError(`journal unavailable, nothing sent: ${message}`, 'JOURNAL_UNAVAILABLE', { event_type: input.event_type }, error);
    }

    // an entry the flow already named (a deferred write) keeps its id, so the entries after it still point at it
    const fallbackId = input.entry_id ?? generateId(IdPrefix.JOURNAL, this.#clock.now());
    try {
      await this.#fallback.append({ fallback: true, fallback_entry_id: fallbackId, ...input });
      await this.#fallback.append({ fallback: true, fallback_entry_id: generateId(IdPrefix.JOURNAL, this.#clock.now()), ...policyEntry });
    } catch (fallbackError) {
      logger.fatal({ err: fallbackError }, 'journal and journal fallback both failed');
      await sendAlert(this.#alerts, logger, {
        ...alertBase,
        severity: 'critical',
        code: 'JOURNAL_LOST',
        message: `journal and fallback file both failed for ${input.event_type}: ${message} / ${errorMessage(fallbackError)}`,
      });
      if (options.writeAhead) {
        throw new ExecutionError(`cannot make ${input.event_type} durable: ${message}`, 'JOURNAL_UNAVAILABLE', { event_type: input.event_type }, error);
      }
      return null;
    }
    this.#metrics.anomaly('JOURNAL_FALLBACK');
    await sendAlert(this.#alerts, logger, {
      ...alertBase,
      severity: this.#policy === 'continue' ? 'warning' : 'critical',
      code: 'JOURNAL_FALLBACK',
      message: `journal write failed (${input.event_type}); entry written to ${this.#fallback.path} (on_journal_failure=${this.#policy}): ${message}`,
    });
    return fallbackId;
  }
}
