import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { OrderRecord, Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { LegResult } from '../order-executor.js';
import { bookFills } from '../trade-book.js';

/**
 * The children of one sliced entry and the trade they fill: every answer of the venue is booked
 * onto the trade with the child's row in one ledger change, so what the ledger shows is what the
 * children did, child by child.
 */
export class ChildBook {
  readonly #ctx: ExecutionContext;
  readonly #children = new Map<string, LegResult>();
  #position: Position;

  constructor(ctx: ExecutionContext, position: Position) {
    this.#ctx = ctx;
    this.#position = position;
  }

  get position(): Position {
    return this.#position;
  }

  /** Every child's latest answer, in the order they were first sent. */
  get legs(): readonly LegResult[] {
    return [...this.#children.values()];
  }

  get count(): number {
    return this.#children.size;
  }

  /** What the children filled together (gross of fees: what the venue executed). */
  get filled(): Decimal {
    let sum = ZERO;
    for (const leg of this.#children.values()) sum = sum.plus(leg.record.filled_quantity);
    return sum;
  }

  /** The children's fills averaged by quantity; null while nothing filled. */
  get averagePrice(): Decimal | null {
    let quantity = ZERO;
    let notional = ZERO;
    for (const { record } of this.#children.values()) {
      if (!record.average_fill_price || record.filled_quantity.isZero()) continue;
      quantity = quantity.plus(record.filled_quantity);
      notional = notional.plus(record.filled_quantity.times(record.average_fill_price));
    }
    return quantity.isZero() ? null : notional.div(quantity);
  }

  /** A child's answer: its row and its new fills booked onto the trade in one ledger change. */
  async take(result: LegResult): Promise<OrderRecord> {
    const booked = bookFills(this.#position, 'ENTRY', result.fills);
    this.#position = booked.position;
    // a later answer replaces the earlier one but keeps the child's place in the order
    this.#children.set(result.record.client_order_id, result);
    await this.#ctx.applyLedger({ positions: [this.#position], orders: [result.record], fills: result.fills, anomalies: booked.anomalies });
    return result.record;
  }

  /** A child the venue refused: kept (it counts as sent), nothing booked. */
  refused(record: OrderRecord): void {
    this.#children.set(record.client_order_id, { record, venueOrder: null, fills: [] });
  }

  replacePosition(position: Position): void {
    this.#position = position;
  }
}
