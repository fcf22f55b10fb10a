import type { IAPIConnector } from '../ports/connector.js';
import type { Decimal } from '../domain/decimal.js';
import { JournalReplayer } from '../orchestration/journal-replay.js';
import type { IReadOnlyStore } from '../ports/store.js';
import { compareFlowsWithJournal } from './journal-flow-check.js';
import { compareLedgerWithJournal } from './journal-ledger-check.js';
import { compareLedgerWithVenue } from './ledger-venue-check.js';
import { compareLedgerWithAccount } from './venue-account-check.js';
import type { VerifyDifference } from './verify-differences.js';

export interface VerifyReport {
  /** Journal, ledger and venue all agree. */
  readonly ok: boolean;
  readonly differences: readonly VerifyDifference[];
  readonly checked: {
    readonly journal_entries: number;
    readonly journal_intact: boolean;
    readonly positions: number;
    readonly orders: number;
    readonly fills: number;
    /** Rows of the flows table compared with the flows rebuilt from the journal. */
    readonly flows: number;
    /** Orders looked up at the venue by client order id; null when the venue was not compared. */
    readonly venue_orders: number | null;
    readonly venue_open_orders: number | null;
    /** Assets whose venue balance was compared with baseline + fills; null when the venue keeps no account (paper) or was not compared. */
    readonly venue_balances: number | null;
    /** Flows begun and not stopped when the journal was read: their trades may differ until they end. */
    readonly unfinished_flows: number;
  };
}

export interface VerifyInput {
  readonly store: IReadOnlyStore;
  /** The venue to compare with; null when there is none to ask (then `venueMissing` says why, if it matters). */
  readonly connector: IAPIConnector | null;
  readonly venueNetPositions?: () => ReadonlyMap<string, Decimal>;
  /** Why the venue could not be opened; a difference when the ledger has orders it should know. */
  readonly venueMissing?: string | null;
}

const PAGE = 2000;

/**
 * `planexec verify`: the journal's hash chain; the ledger and the flows table rebuilt from the
 * journal (orchestration/journal-replay.ts, flow-replay.ts) against the stored ones; the ledger against the venue's orders, and,
 * for a venue that keeps an account, its open orders and balances (venue-account-check.ts). Reads only:
 * journal and ledger from one read snapshot of the database, then the venue.
 */
export async function verifyWorld(input: VerifyInput): Promise<VerifyReport> {
  const { store } = input;
  const differences: VerifyDifference[] = [];
  const read = await store.snapshot(async () => {
    const chain = await store.journal.verify();
    const replayer = new JournalReplayer();
    for (let after = 0; ; ) {
      const page = await store.journal.read({ after_seq: after, limit: PAGE });
      for (const entry of page) replayer.apply(entry);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.seq;
    }
    const positions = await store.ledger.listPositions();
    const orders = await store.ledger.listOrders();
    const fills = await store.ledger.listFills();
    const flows = await store.flows.list({ limit: Number.MAX_SAFE_INTEGER });
    const baseline = input.connector ? store.baseline.list(input.connector.venue) : [];
    // begun and not stopped: in flight in a running writer, or interrupted by a crash
    const unfinished = (await store.flows.counts()).RUNNING;
    return { chain, replay: replayer.result(), positions, orders, fills, flows, baseline, unfinished };
  });

  if (!read.chain.ok) {
    differences.push({
      check: 'journal_chain',
      subject: 'journal',
      id: String(read.chain.first_bad_seq),
      trade_id: null,
      field: 'hash',
      ledger: null,
      expected: null,
      message: `journal broken at seq ${read.chain.first_bad_seq}: ${read.chain.reason}`,
    });
  }
  for (const problem of read.replay.problems) {
    differences.push({
      check: 'journal_replay',
      subject: 'journal',
      id: String(problem.seq),
      trade_id: null,
      field: problem.event_type,
      ledger: null,
      expected: null,
      message: `journal seq ${problem.seq} (${problem.event_type}): ${problem.message}`,
    });
  }
  differences.push(...compareLedgerWithJournal(read, read.replay));
  differences.push(...compareFlowsWithJournal(read.flows, read.replay));

  let venueOrders: number | null = null;
  let venueOpen: number | null = null;
  let venueBalances: number | null = null;
  if (input.connector) {
    const venue = await compareLedgerWithVenue({
      positions: read.positions,
      orders: read.orders,
      journalOrders: read.replay.orders,
      connector: input.connector,
      ...(input.venueNetPositions ? { venueNetPositions: input.venueNetPositions } : {}),
    });
    differences.push(...venue.differences);
    venueOrders = venue.venue_orders;
    venueOpen = venue.venue_open_orders;
    const reported = new Set(venue.differences.filter((d) => d.subject === 'order').map((d) => d.id));
    const account = await compareLedgerWithAccount({ orders: read.orders, fills: read.fills, baseline: read.baseline, connector: input.connector, reported });
    if (account) {
      differences.push(...account.differences);
      venueBalances = account.assets;
    }
  } else if (input.venueMissing && read.orders.length > 0) {
    differences.push({ check: 'ledger_venue', subject: 'venue', id: 'venue', trade_id: null, field: 'exists', ledger: String(read.orders.length), expected: null, message: input.venueMissing });
  }

  return {
    ok: differences.length === 0,
    differences,
    checked: {
      journal_entries: read.replay.entries,
      journal_intact: read.chain.ok,
      positions: read.positions.length,
      orders: read.orders.length,
      fills: read.fills.length,
      flows: read.flows.length,
      venue_orders: venueOrders,
      venue_open_orders: venueOpen,
      venue_balances: venueBalances,
      unfinished_flows: read.unfinished,
    },
  };
}
