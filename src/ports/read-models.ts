import type { Decimal } from '../domain/decimal.js';
import type { Direction, OrderType } from '../domain/enums.js';
import type { FillRecord, OrderRecord, Position } from '../domain/trading.js';
import type { JournalEntry } from './journal.js';

/**
 * The read side the exports and the execution-quality view need from a store: paged reads over
 * the whole history, which the ledger's and journal's own ports (built for flows) do not offer.
 */

/** What can be exported. The values are the CLI arguments and the HTTP path values. */
export const EXPORT_KINDS = ['trades', 'orders', 'fills', 'journal'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The stored record each export kind reads. */
export interface ExportRecordOf {
  readonly trades: Position;
  readonly orders: OrderRecord;
  readonly fills: FillRecord;
  readonly journal: JournalEntry;
}

/**
 * A time window, both ends as `Date#toISOString()` text (the form every stored time has, so
 * they compare as text): `from` inclusive, `to` exclusive, null = open.
 */
export interface ExportRange {
  readonly from: string | null;
  readonly to: string | null;
}

/** One page of a keyset read: `cursor` is where the next page starts, null once the table is exhausted. */
export interface ExportPage<T> {
  readonly records: readonly T[];
  readonly cursor: number | null;
}

/**
 * Reads the records of an export page by page, so a table of any size is streamed with flat
 * memory. The window is on each kind's own time: trades by opened_at, orders by created_at,
 * fills by executed_at, journal entries by timestamp. Pages come in storage order (the order
 * records were first written); `after` = 0 starts at the beginning.
 */
export interface IExportSource {
  readExportPage<K extends ExportKind>(kind: K, range: ExportRange, after: number, limit: number): Promise<ExportPage<ExportRecordOf[K]>>;
}

/** An order leg as the execution-quality view needs it. */
export interface QualityLeg {
  readonly client_order_id: string;
  /** The directive's strategy (its flow's), else its trade's; null when neither is known. */
  readonly strategy_id: string | null;
  readonly symbol: string;
  readonly side: Direction;
  readonly order_type: OrderType;
  readonly quantity: Decimal;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
  /** The venue price journaled with the leg's ORDER_INTENT (legs without a price of their own). */
  readonly reference_price: Decimal | null;
  /** When its directive was accepted (its flow's start); null when no flow is known. */
  readonly accepted_at: string | null;
}

export interface QualityFill {
  readonly client_order_id: string;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly executed_at: string;
}

export interface QualityLegFilter {
  readonly strategy_id?: string;
  readonly symbol?: string;
  /** Legs created at or after this time (`Date#toISOString()` form). */
  readonly since?: string;
}

/** One NEW_TRADE entry as its causality entry (TRADE_OPENED `execution`) records how it was executed. */
export interface StyledEntry {
  readonly strategy_id: string | null;
  readonly symbol: string;
  readonly side: Direction;
  readonly style: string;
  readonly decision_price: Decimal | null;
  readonly average_fill_price: Decimal | null;
  readonly planned_quantity: Decimal;
  readonly filled_quantity: Decimal;
  readonly child_orders: number;
}

export interface IExecutionQualitySource {
  /** Legs that open or add to a position (ENTRY, INCREASE) and reached the venue, in storage order after `after`; cursor null at the end. */
  readQualityLegs(filter: QualityLegFilter, after: number, limit: number): Promise<{ readonly legs: readonly QualityLeg[]; readonly cursor: number | null }>;
  /** The fills of these legs, oldest first. */
  readQualityFills(clientOrderIds: readonly string[]): Promise<readonly QualityFill[]>;
  /** NEW_TRADE entries with their execution (style, decision price, fills), oldest first. */
  readStyledEntries(filter: QualityLegFilter): Promise<readonly StyledEntry[]>;
}

/** Every read model a store offers (IPlatformStore.readModels, IReadOnlyStore.readModels). */
export interface IReadModels extends IExportSource, IExecutionQualitySource {}
