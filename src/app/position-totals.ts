import { Decimal } from '../domain/decimal.js';
import { OrderPurpose } from '../domain/enums.js';
import type { Position } from '../domain/trading.js';

/** What a set of trades adds up to. Realised PnL is gross; fees are apart; net = realised − fees. */
export interface PositionTotals {
  readonly total: number;
  readonly open: number;
  readonly closed: number;
  readonly realized_pnl: Decimal;
  readonly fees: Decimal;
  readonly net_pnl: Decimal;
  /** closeKind → closed trades. */
  readonly closed_by_reason: Readonly<Record<string, number>>;
}

const PURPOSES: ReadonlySet<string> = new Set(Object.values(OrderPurpose));

/**
 * How a trade was closed: the order purpose that closed it at the venue (STOP_LOSS, TAKE_PROFIT,
 * COMPENSATION…), or CLOSE_EXISTING when a directive closed it (its close_reason is then the
 * directive's rationale).
 */
export function closeKind(closeReason: string | null): string {
  if (closeReason === null) return 'UNKNOWN';
  return PURPOSES.has(closeReason) ? closeReason : 'CLOSE_EXISTING';
}

export function positionTotals(positions: readonly Position[]): PositionTotals {
  let realized = new Decimal(0);
  let fees = new Decimal(0);
  const byReason: Record<string, number> = {};
  for (const p of positions) {
    realized = realized.plus(p.realized_pnl);
    fees = fees.plus(p.fees);
    if (p.status === 'CLOSED') {
      const kind = closeKind(p.close_reason);
      byReason[kind] = (byReason[kind] ?? 0) + 1;
    }
  }
  const open = positions.filter((p) => p.status === 'OPEN').length;
  return {
    total: positions.length,
    open,
    closed: positions.length - open,
    realized_pnl: realized,
    fees,
    net_pnl: realized.minus(fees),
    closed_by_reason: byReason,
  };
}
