import type { Logger } from 'pino';
import type { JournalEventType } from '../domain/enums.js';

/**
 * What a ledger write needs to know of the flow it belongs to. ExecutionContext provides it; the
 * ledger writer depends on this interface, not on the context, because the context holds the writer.
 */
export interface LedgerWriteContext {
  readonly flowId: string;
  readonly directiveId: string | null;
  readonly logger: Logger;
  /** Ledger failures are logged and journaled, never thrown (compensation must reach the venue). */
  readonly ledgerTolerant: boolean;
  /** Something the flow asked for took (or may have taken) effect at the venue. */
  readonly venueActed: boolean;
  /** Nothing the flow asked for has surely taken effect at the venue: writes record undo rows. */
  readonly rollbackPossible: boolean;
  /** Journal an entry of this flow. */
  write(eventType: JournalEventType, body: Readonly<Record<string, unknown>>): Promise<string | null>;
}
