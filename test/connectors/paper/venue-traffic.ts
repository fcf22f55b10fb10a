import fc from 'fast-check';
import type { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { VenueRejected } from '../../../src/domain/errors.js';
import { dec } from './paper-fixture.js';

/** Random traffic for the paper venue's model tests: the commands every model shares, on BTC_USDT. */

export const LOT = dec('0.001');
export const STEP = dec('100');

/** Move the price, cancel or amend one of the orders placed so far. */
export type SharedCommand =
  | { readonly kind: 'price'; readonly offset: number }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'amend'; readonly pick: number; readonly lots: number };

export function sharedCommands(bounds: { readonly priceSteps: number; readonly maxLots: number }): fc.Arbitrary<SharedCommand>[] {
  return [
    fc.record({ kind: fc.constant('price' as const), offset: fc.integer({ min: -bounds.priceSteps, max: bounds.priceSteps }) }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('amend' as const), pick: fc.nat(), lots: fc.integer({ min: 1, max: bounds.maxLots }) }),
  ];
}

export function isShared(cmd: { readonly kind: string }): cmd is SharedCommand {
  return cmd.kind === 'price' || cmd.kind === 'cancel' || cmd.kind === 'amend';
}

export async function applyShared(venue: PaperConnector, cmd: SharedCommand, reference: Decimal): Promise<void> {
  const ids = venue.allOrders().map((o) => o.client_order_id);
  switch (cmd.kind) {
    case 'price':
      await venue.setPrice('BTC_USDT', Decimal.max(dec(1000), reference.plus(STEP.mul(cmd.offset))));
      return;
    case 'cancel': {
      const id = ids[cmd.pick % Math.max(1, ids.length)];
      if (id !== undefined) await venue.cancelOrder(id, 'BTC_USDT');
      return;
    }
    case 'amend': {
      const id = ids[cmd.pick % Math.max(1, ids.length)];
      if (id !== undefined) await venue.amendOrder(id, 'BTC_USDT', { quantity: LOT.mul(cmd.lots) });
      return;
    }
  }
}

/** The venue refusing a random request is expected; anything else is a bug. */
export async function refusalsExpected(request: () => Promise<void>): Promise<void> {
  try {
    await request();
  } catch (error) {
    if (!(error instanceof VenueRejected)) throw error;
  }
}
