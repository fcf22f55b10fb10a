import type { PaperStore, VenueOwner } from './paper-store.js';
import { POSITION_MODE } from './paper-store.js';

/** The counters a venue keeps (order and trade numbers, the fault draws' state). */
const COUNTERS = ['venue_order', 'venue_trade', 'fault_prng_state', 'fault_prng_seed'] as const;

/**
 * Copy a venue's whole state into an empty store (a backtest's venue, kept in memory while it
 * runs, saved beside its database so `verify` and `positions` read it as any paper venue file).
 * `symbols` are the ones whose last price is copied.
 */
export function copyPaperStore(from: PaperStore, to: PaperStore, symbols: readonly string[], owner: VenueOwner, atMs: number): void {
  to.transaction(() => {
    const mode = from.setting(POSITION_MODE);
    if (mode !== undefined) to.setSetting(POSITION_MODE, mode);
    for (const name of COUNTERS) {
      const value = from.counter(name);
      if (value !== undefined) to.setCounter(name, value);
    }
    for (const order of from.allOrders()) to.insertOrder(order);
    for (const fill of from.allFills()) to.insertFill(fill);
    for (const [symbol, net] of from.netPositions()) to.setNetPosition(symbol, net);
    for (const position of from.positionSizes()) to.setPositionSize(position.symbol, position.position_id, position.size);
    for (const symbol of symbols) {
      const price = from.price(symbol);
      if (price !== undefined) to.setPrice(symbol, price, atMs);
    }
    for (const attempt of from.attempts()) {
      to.recordAttempt(attempt.client_order_id, attempt.outcome, attempt.at_ms);
      const refused = from.refused(attempt.client_order_id);
      if (refused !== undefined) to.recordRefused(refused);
    }
    to.claimOwner(owner, atMs);
  });
}
