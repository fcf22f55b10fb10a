import { Decimal, decimalMax, decimalMin } from '../../domain/decimal.js';
import type { Direction } from '../../domain/enums.js';
import type { ChosenBy, ChunkDistributionName } from './style-choice.js';

/** One TWAP child as planned: its leg name, size and when it is due (ms after the decision). */
export interface PlannedChild {
  readonly leg: string;
  readonly quantity: Decimal;
  readonly offset_ms: number;
}

/**
 * A sliced or resting entry as decided when the directive was accepted, journaled
 * (EXECUTION_PLANNED) ahead of its first child: a resumed flow reads it back instead of deciding
 * again, so the decision price, the schedule and the window stay those of the first run.
 */
export interface ExecutionPlan {
  readonly trade_id: string;
  readonly style: 'PASSIVE' | 'TWAP' | 'ICEBERG';
  readonly chosen_by: ChosenBy;
  readonly symbol: string;
  readonly side: Direction;
  readonly quantity: Decimal;
  /** The venue's reference price at acceptance: what slippage and shortfall are measured against. */
  readonly decision_price: Decimal;
  readonly decided_at_ms: number;
  readonly window_ms: number;
  /** No child may fill beyond this (max_slippage_pct around the decision price, and the entry's limit). */
  readonly price_bound: Decimal | null;
  readonly min_fill_ratio: Decimal;
  /** TWAP only. */
  readonly distribution: ChunkDistributionName | null;
  readonly children: readonly PlannedChild[];
  /** ICEBERG only: the part shown at a time. */
  readonly visible_quantity: Decimal | null;
  /** ICEBERG sent as one native iceberg order (the venue shows visible_quantity). */
  readonly native_iceberg: boolean;
  /** PASSIVE / ICEBERG children are post-only (the venue supports it). */
  readonly post_only: boolean;
  readonly reprice_interval_ms: number;
}

/**
 * The price no child may pass: for a BUY the lower of the entry's limit and decision × (1 + cap),
 * for a SELL the higher of the limit and decision × (1 − cap). The executor rounds it to the tick
 * inwards (down for a BUY, up for a SELL), so the bound holds after rounding too.
 */
export function priceBound(side: Direction, decision: Decimal, maxSlippage: Decimal | undefined, limit: Decimal | undefined): Decimal | null {
  const capped = maxSlippage === undefined ? null : side === 'BUY' ? decision.times(Decimal.add(1, maxSlippage)) : decision.times(Decimal.sub(1, maxSlippage));
  if (!capped) return limit ?? null;
  if (!limit) return capped;
  return side === 'BUY' ? decimalMin(capped, limit) : decimalMax(capped, limit);
}

/** The plan as journaled (decimals as wire text by the journal's writer). */
export function planBody(plan: ExecutionPlan): Record<string, unknown> {
  return { ...plan, decided_at: new Date(plan.decided_at_ms).toISOString() };
}

/** A journaled plan read back; null when the body is not one (a plan from another build is not guessed at). */
export function planFromBody(body: Readonly<Record<string, unknown>>): ExecutionPlan | null {
  const dec = (value: unknown): Decimal | null => (typeof value === 'string' || (typeof value === 'object' && value !== null && Decimal.isDecimal(value)) ? new Decimal(value as string) : null);
  const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const style = body['style'];
  const side = body['side'];
  const quantity = dec(body['quantity']);
  const decision = dec(body['decision_price']);
  const decidedAt = num(body['decided_at_ms']);
  const window = num(body['window_ms']);
  const interval = num(body['reprice_interval_ms']);
  if (style !== 'PASSIVE' && style !== 'TWAP' && style !== 'ICEBERG') return null;
  if (side !== 'BUY' && side !== 'SELL') return null;
  if (!quantity || !decision || decidedAt === null || window === null || interval === null) return null;
  const children = Array.isArray(body['children'])
    ? body['children'].flatMap((c: unknown) => {
        if (typeof c !== 'object' || c === null) return [];
        const child = c as Record<string, unknown>;
        const q = dec(child['quantity']);
        const offset = num(child['offset_ms']);
        return typeof child['leg'] === 'string' && q && offset !== null ? [{ leg: child['leg'], quantity: q, offset_ms: offset }] : [];
      })
    : [];
  return {
    trade_id: String(body['trade_id']),
    style,
    chosen_by: (body['chosen_by'] as ChosenBy | undefined) ?? 'preferred',
    symbol: String(body['symbol']),
    side,
    quantity,
    decision_price: decision,
    decided_at_ms: decidedAt,
    window_ms: window,
    price_bound: dec(body['price_bound']),
    min_fill_ratio: dec(body['min_fill_ratio']) ?? new Decimal(0),
    distribution: (body['distribution'] as ChunkDistributionName | null | undefined) ?? null,
    children,
    visible_quantity: dec(body['visible_quantity']),
    native_iceberg: body['native_iceberg'] === true,
    post_only: body['post_only'] === true,
    reprice_interval_ms: interval,
  };
}

/**
 * Implementation shortfall in basis points: what the average fill cost against the decision
 * price, positive when worse (a BUY that paid more, a SELL that got less). Null when nothing filled.
 */
export function shortfallBps(side: Direction, decision: Decimal, averageFill: Decimal | null): Decimal | null {
  if (!averageFill || decision.isZero()) return null;
  const diff = side === 'BUY' ? averageFill.minus(decision) : decision.minus(averageFill);
  return diff.div(decision).times(10_000).toDecimalPlaces(2);
}
