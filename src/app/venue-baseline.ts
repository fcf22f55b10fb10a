import type { Logger } from 'pino';
import type { IAPIConnector } from '../ports/connector.js';
import { balanceDeltas } from '../domain/balance-deltas.js';
import type { Clock } from '../domain/clock.js';
import { type Decimal, ZERO } from '../domain/decimal.js';
import { errorMessage } from '../domain/errors.js';
import type { IPlatformStore } from '../ports/store.js';

export type BaselineOutcome = 'recorded' | 'exists' | 'no_balances' | 'failed';

/**
 * At start: record the account's balances as the venue's baseline when the venue has an account
 * (fetchBalances returns a list) and none is recorded yet. What the ledger's fills on this venue
 * already did is taken off, so the baseline is the account before planexec traded even when it is
 * recorded late (an upgrade). A venue that cannot answer now is logged and asked again next start.
 */
export async function recordVenueBaseline(deps: { readonly connector: IAPIConnector; readonly store: Pick<IPlatformStore, 'baseline' | 'ledger'>; readonly clock: Clock; readonly logger: Logger }): Promise<BaselineOutcome> {
  const { connector, store, clock, logger } = deps;
  if (store.baseline.list(connector.venue).length > 0) return 'exists';
  try {
    const balances = await connector.fetchBalances();
    if (balances === null) return 'no_balances';
    const fills = (await store.ledger.listFills()).filter((f) => f.venue === connector.venue);
    const totals = new Map<string, Decimal>(balances.map((b) => [b.asset, b.free.plus(b.locked)]));
    for (const [asset, delta] of balanceDeltas(fills)) totals.set(asset, (totals.get(asset) ?? ZERO).minus(delta));
    const recorded = await store.baseline.recordOnce(connector.venue, totals, new Date(clock.now()).toISOString());
    if (recorded) logger.info({ venue: connector.venue, assets: totals.size, fills: fills.length }, 'venue balance baseline recorded');
    return recorded ? 'recorded' : 'exists';
  } catch (error) {
    logger.warn({ err: error, venue: connector.venue }, `venue balance baseline not recorded (asked again at the next start): ${errorMessage(error)}`);
    return 'failed';
  }
}
