import { z } from 'zod';
import { Decimal, decimalToWire } from '../domain/decimal.js';
import { identifierField, timestampField, zodIssues } from '../domain/directive.js';
import type { Direction } from '../domain/enums.js';
import { ValidationError } from '../domain/errors.js';
import type { IExecutionQualitySource, QualityFill, QualityLeg, QualityLegFilter } from '../ports/read-models.js';

export type { IExecutionQualitySource, QualityFill, QualityLeg };

/**
 * Execution quality per (strategy, symbol), the rows of `GET /api/execution-quality`, over the
 * legs that open or add to a position (purpose ENTRY or INCREASE) and reached the venue:
 *
 * - slippage of each fill against the leg's reference price, in basis points, positive when
 *   worse for the trader (a BUY filled above it, a SELL below), averaged weighted by quantity.
 *   The reference is the decision price of the directive: its limit price for a LIMIT leg, its
 *   trigger for a STOP_LIMIT / STOP_MARKET leg, and for a MARKET leg the venue's price planexec
 *   read when it executed the directive (journaled as `reference_price` in the ORDER_INTENT);
 * - latency from the directive's acceptance (its flow's start) to the leg's first fill, p50/p95;
 * - fill ratio: quantity filled ÷ quantity ordered.
 */

/** The filter of the view: the legs' (`since` in `Date#toISOString()` form). */
export type ExecutionQualityFilter = QualityLegFilter;

export const ExecutionQualityRowSchema = z.strictObject({
  strategy_id: z.string(),
  symbol: z.string(),
  fills: z.number().int().nonnegative(),
  filled_quantity: z.string(),
  avg_slippage_bps: z.string().nullable(),
  p50_latency_ms: z.number().int().nonnegative().nullable(),
  p95_latency_ms: z.number().int().nonnegative().nullable(),
  fill_ratio: z.string().nullable(),
});
export type ExecutionQualityRow = z.infer<typeof ExecutionQualityRowSchema>;

/** Implementation shortfall per execution style (docs/execution-styles.md). */
export const StyleShortfallRowSchema = z.strictObject({
  style: z.string(),
  entries: z.number().int().nonnegative(),
  child_orders: z.number().int().nonnegative(),
  planned_quantity: z.string(),
  filled_quantity: z.string(),
  fill_ratio: z.string().nullable(),
  /** Quantity-weighted, against each entry's decision price; + = paid more than decided. Null when nothing with a decision price filled. */
  avg_shortfall_bps: z.string().nullable(),
});
export type StyleShortfallRow = z.infer<typeof StyleShortfallRowSchema>;

/** The body of `GET /api/execution-quality`. */
export const ExecutionQualityResponseSchema = z.strictObject({ rows: z.array(ExecutionQualityRowSchema), styles: z.array(StyleShortfallRowSchema) });

/** The query of `GET /api/execution-quality`. */
export const ExecutionQualityQuerySchema = z.strictObject({
  strategy_id: identifierField.optional(),
  symbol: z.string().min(1).max(256).optional(),
  since: timestampField.optional(),
});

/** The query as a filter (`since` in UTC); a ValidationError naming each bad field otherwise. */
export function parseExecutionQualityQuery(query: unknown): ExecutionQualityFilter {
  const parsed = ExecutionQualityQuerySchema.safeParse(query ?? {});
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error, query), 'execution-quality query');
  const { strategy_id, symbol, since } = parsed.data;
  return {
    ...(strategy_id === undefined ? {} : { strategy_id }),
    ...(symbol === undefined ? {} : { symbol }),
    ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
  };
}

const BPS = new Decimal(10_000);
const QUALITY_PAGE_SIZE = 500;

/** The price a leg's fills are measured against; null when it is not known (an old journal). */
export function referencePrice(leg: QualityLeg): Decimal | null {
  switch (leg.order_type) {
    case 'LIMIT':
      return leg.limit_price;
    case 'STOP_LIMIT':
    case 'STOP_MARKET':
      return leg.stop_price;
    case 'MARKET':
      return leg.reference_price;
    default:
      return null;
  }
}

/** Slippage of one fill in basis points of the reference: positive = worse for the trader. */
export function slippageBps(side: Direction, reference: Decimal, price: Decimal): Decimal {
  const worse = side === 'BUY' ? price.minus(reference) : reference.minus(price);
  return worse.div(reference).times(BPS);
}

/** Nearest-rank percentile of ascending values (p in (0, 100]). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? null;
}

class GroupTally {
  fills = 0;
  filled = new Decimal(0);
  ordered = new Decimal(0);
  /** Σ quantity × bps over fills with a reference, and their quantity. */
  weightedBps = new Decimal(0);
  referencedQuantity = new Decimal(0);
  readonly latenciesMs: number[] = [];

  constructor(
    readonly strategyId: string,
    readonly symbol: string,
  ) {}

  add(leg: QualityLeg, fills: readonly QualityFill[]): void {
    this.ordered = this.ordered.plus(leg.quantity);
    const reference = referencePrice(leg);
    for (const fill of fills) {
      this.fills += 1;
      this.filled = this.filled.plus(fill.quantity);
      if (reference !== null && reference.gt(0)) {
        this.weightedBps = this.weightedBps.plus(fill.quantity.times(slippageBps(leg.side, reference, fill.price)));
        this.referencedQuantity = this.referencedQuantity.plus(fill.quantity);
      }
    }
    const first = fills[0];
    if (first !== undefined && leg.accepted_at !== null) {
      // a venue clock a little behind ours must not make a negative latency
      this.latenciesMs.push(Math.max(0, Math.round(Date.parse(first.executed_at) - Date.parse(leg.accepted_at))));
    }
  }

  row(): ExecutionQualityRow {
    const latencies = [...this.latenciesMs].sort((a, b) => a - b);
    return {
      strategy_id: this.strategyId,
      symbol: this.symbol,
      fills: this.fills,
      filled_quantity: decimalToWire(this.filled),
      avg_slippage_bps: this.referencedQuantity.isZero() ? null : fixed(this.weightedBps.div(this.referencedQuantity), 2),
      p50_latency_ms: percentile(latencies, 50),
      p95_latency_ms: percentile(latencies, 95),
      fill_ratio: this.ordered.isZero() ? null : fixed(this.filled.div(this.ordered), 4),
    };
  }
}

/** Rounded half-up to `places`, never "-0". */
function fixed(value: Decimal, places: number): string {
  const rounded = value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  return decimalToWire(rounded.isZero() ? new Decimal(0) : rounded);
}

/**
 * The rows, one per (strategy_id, symbol) with at least one leg, sorted by strategy then symbol.
 * Legs are read a page at a time; what stays in memory is one latency per filled leg.
 */
export async function executionQuality(source: IExecutionQualitySource, filter: ExecutionQualityFilter = {}, pageSize = QUALITY_PAGE_SIZE): Promise<ExecutionQualityRow[]> {
  const groups = new Map<string, GroupTally>();
  let after = 0;
  for (;;) {
    const { legs, cursor } = await source.readQualityLegs(filter, after, pageSize);
    const fillsByLeg = new Map<string, QualityFill[]>();
    if (legs.length > 0) {
      for (const fill of await source.readQualityFills(legs.map((l) => l.client_order_id))) {
        const list = fillsByLeg.get(fill.client_order_id);
        if (list === undefined) fillsByLeg.set(fill.client_order_id, [fill]);
        else list.push(fill);
      }
    }
    for (const leg of legs) {
      // a leg no directive and no trade explains cannot be attributed to a strategy
      if (leg.strategy_id === null) continue;
      const key = `${leg.strategy_id}\u0000${leg.symbol}`;
      let tally = groups.get(key);
      if (tally === undefined) groups.set(key, (tally = new GroupTally(leg.strategy_id, leg.symbol)));
      const fills = (fillsByLeg.get(leg.client_order_id) ?? []).sort((a, b) => (a.executed_at < b.executed_at ? -1 : a.executed_at > b.executed_at ? 1 : 0));
      tally.add(leg, fills);
    }
    if (cursor === null) break;
    after = cursor;
  }
  return [...groups.values()]
    .sort((a, b) => compare(a.strategyId, b.strategyId) || compare(a.symbol, b.symbol))
    .map((g) => g.row());
}

/** Per execution style: entries, children, what filled and the shortfall against the decision prices, sorted by style. */
export async function styleShortfall(source: IExecutionQualitySource, filter: ExecutionQualityFilter = {}): Promise<StyleShortfallRow[]> {
  const tallies = new Map<string, { entries: number; children: number; planned: Decimal; filled: Decimal; cost: Decimal; decided: Decimal }>();
  for (const entry of await source.readStyledEntries(filter)) {
    const t = tallies.get(entry.style) ?? { entries: 0, children: 0, planned: new Decimal(0), filled: new Decimal(0), cost: new Decimal(0), decided: new Decimal(0) };
    t.entries += 1;
    t.children += entry.child_orders;
    t.planned = t.planned.plus(entry.planned_quantity);
    t.filled = t.filled.plus(entry.filled_quantity);
    if (entry.decision_price && entry.average_fill_price && entry.filled_quantity.gt(0)) {
      t.cost = t.cost.plus(slippageBps(entry.side, entry.decision_price, entry.average_fill_price).times(entry.decision_price).times(entry.filled_quantity));
      t.decided = t.decided.plus(entry.decision_price.times(entry.filled_quantity));
    }
    tallies.set(entry.style, t);
  }
  return [...tallies.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([style, t]) => ({
      style,
      entries: t.entries,
      child_orders: t.children,
      planned_quantity: decimalToWire(t.planned),
      filled_quantity: decimalToWire(t.filled),
      fill_ratio: t.planned.isZero() ? null : decimalToWire(t.filled.div(t.planned).toDecimalPlaces(4)),
      avg_shortfall_bps: t.decided.isZero() ? null : decimalToWire(t.cost.div(t.decided).toDecimalPlaces(2)),
    }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
