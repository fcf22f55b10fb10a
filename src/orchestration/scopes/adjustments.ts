import type { InstrumentRules } from '../../ports/connector.js';
import { type Decimal, decimalToWire, floorToStep } from '../../domain/decimal.js';
import { type PriceRounding, roundPrice } from '../venue-rules.js';

/**
 * A requested price or size the directive's flow used in another form (floored to the lot,
 * rounded to the tick). Journaled in the flow's causality entry; `trade_id` says which target
 * it applied to when a directive names several.
 */
export interface Adjustment {
  /** The directive's field, as a path: `size_plan.position_size`, `entry_plan.limit_price`, … */
  readonly field: string;
  readonly requested: string;
  readonly used: string;
  /** The instrument rule that changed it: `lot_size 0.001`, `tick_size 0.01`. */
  readonly rule: string;
  readonly trade_id?: string;
}

/** Rounds a directive's amounts to the instrument's grid and remembers every one that changed. */
export class AdjustmentLog {
  readonly #entries: Adjustment[] = [];
  readonly #seen = new Set<string>();

  get entries(): readonly Adjustment[] {
    return [...this.#entries];
  }

  /** A size, floored to the lot (never rounded up: the venue must not get more than asked for). */
  lot(field: string, requested: Decimal, rules: InstrumentRules, tradeId?: string): Decimal {
    const used = floorToStep(requested, rules.lot_size);
    this.#note(field, requested, used, `lot_size ${decimalToWire(rules.lot_size)}`, tradeId);
    return used;
  }

  /** A price, onto the tick in the direction `how` (venue-rules.ts priceRounding says which way and why). */
  tick(field: string, requested: Decimal, rules: InstrumentRules, how: PriceRounding, tradeId?: string): Decimal {
    const used = roundPrice(requested, rules.tick_size, how);
    this.#note(field, requested, used, `tick_size ${decimalToWire(rules.tick_size)}`, tradeId);
    return used;
  }

  /** `tick` for an optional price. */
  tickOrNull(field: string, requested: Decimal | undefined, rules: InstrumentRules, how: PriceRounding, tradeId?: string): Decimal | null {
    return requested === undefined ? null : this.tick(field, requested, rules, how, tradeId);
  }

  #note(field: string, requested: Decimal, used: Decimal, rule: string, tradeId: string | undefined): void {
    if (requested.eq(used)) return;
    // a field rounded once per target is listed once per target, however often it is read
    const key = `${field}\u0000${tradeId ?? ''}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#entries.push({ field, requested: decimalToWire(requested), used: decimalToWire(used), rule, ...(tradeId === undefined ? {} : { trade_id: tradeId }) });
  }
}
