import type { IAPIConnector } from '../../ports/connector.js';
import type { Direction } from '../../domain/enums.js';
import { RiskDenied } from '../../domain/errors.js';
import type { ExecutionContext } from '../execution-context.js';
import type { ScopeDeps } from './scope-types.js';

/**
 * Opposite trades at a netting venue. There one net position per symbol carries every trade, and
 * a reduce-only order is checked against that net: a SELL trade opened beside an open BUY trade
 * shrinks the net, so the BUY's stop and target (reduce-only, for the BUY's whole size) become
 * invalid, and the SELL's own protection (reduce-only BUYs against a long net) is refused. So a
 * NEW_TRADE opposite an open (or opening) trade on its symbol is denied with NETTING_CONFLICT
 * before anything is sent. Same-direction trades are safe: each trade's size is at most the net,
 * so each one's protection stays reducible, and MODIFY increases keep a trade's direction.
 *
 * Trades still opening (their entry not yet in the ledger) are held here per connector, so two
 * strategies sending opposite trades on one symbol at once cannot both pass: the reservation is
 * taken synchronously before the ledger is read and released once the trade is in the ledger.
 */

export interface NettingReservation {
  release(): void;
}

const NOTHING: NettingReservation = { release: () => undefined };

/** connector → symbol → trade id → direction, for NEW_TRADEs between check and booking. */
const opening = new WeakMap<IAPIConnector, Map<string, Map<string, Direction>>>();

export interface NettingCheck {
  readonly symbol: string;
  readonly direction: Direction;
  readonly tradeId: string;
  /** Prefix of the denial message, e.g. `NEW_TRADE DIR_…`. */
  readonly what: string;
}

/** At a netting venue: deny a trade opposite to open or opening trades on its symbol, else reserve its direction until `release`. */
export async function reserveNettingDirection(ctx: ExecutionContext, deps: ScopeDeps, check: NettingCheck): Promise<NettingReservation> {
  if (deps.connector.capabilities.positionMode !== 'netting') return NOTHING;
  const bySymbol = opening.get(deps.connector) ?? new Map<string, Map<string, Direction>>();
  opening.set(deps.connector, bySymbol);
  const trades = bySymbol.get(check.symbol) ?? new Map<string, Direction>();
  const inFlight = [...trades].filter(([id, direction]) => id !== check.tradeId && direction !== check.direction).map(([id]) => id);
  if (inFlight.length > 0) throw conflict(check, inFlight, 'opening');
  trades.set(check.tradeId, check.direction);
  bySymbol.set(check.symbol, trades);
  const release = (): void => {
    trades.delete(check.tradeId);
    if (trades.size === 0 && bySymbol.get(check.symbol) === trades) bySymbol.delete(check.symbol);
  };
  try {
    // only the opposite side is read: a symbol with many open trades on one side costs nothing here
    const opposite = check.direction === 'BUY' ? 'SELL' : 'BUY';
    const open = await ctx.readLedger(`open ${opposite} trades on ${check.symbol}`, () => deps.ledger.listPositions({ status: 'OPEN', symbol: check.symbol, direction: opposite }));
    const against = open.filter((p) => p.trade_id !== check.tradeId).map((p) => p.trade_id);
    if (against.length > 0) throw conflict(check, against, 'open');
  } catch (error) {
    release();
    throw error;
  }
  return { release };
}

function conflict(check: NettingCheck, tradeIds: readonly string[], state: 'open' | 'opening'): RiskDenied {
  const opposite = check.direction === 'BUY' ? 'SELL' : 'BUY';
  const shown = tradeIds.slice(0, 5).join(', ') + (tradeIds.length > 5 ? ` and ${tradeIds.length - 5} more` : '');
  return new RiskDenied(
    `${check.what}: ${check.direction} ${check.symbol} would net against the ${state} ${opposite} trade(s) ${shown} at a netting venue, where neither side's stop loss / take profit could rest (reduce-only against one net position); close them first, or use a hedge-mode venue [netting_conflict]`,
    'NETTING_CONFLICT',
    { symbol: check.symbol, direction: check.direction, conflicting_trade_ids: tradeIds, state, position_mode: 'netting' },
  );
}
