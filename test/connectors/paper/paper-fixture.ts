import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaperConnectorSchema, type PaperConnectorConfig } from '../../../src/config/schema.js';
import type { OrderRequest } from '../../../src/ports/connector.js';
import { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { FakeClock } from '../../support/fake-clock.js';

export const dec = (value: string | number): Decimal => new Decimal(value);

/** A paper config as platform.yaml would give it (wire values), in memory unless a path is given. */
export function paperConfig(overrides: Record<string, unknown> = {}): PaperConnectorConfig {
  return PaperConnectorSchema.parse({ path: ':memory:', ...overrides });
}

export function openVenue(overrides: Record<string, unknown> = {}, clock = new FakeClock()): { venue: PaperConnector; clock: FakeClock } {
  return { venue: new PaperConnector(paperConfig(overrides), { clock }), clock };
}

let counter = 0;

/** An order request; a fresh client order id unless one is given. */
export function orderRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  counter += 1;
  return {
    client_order_id: `PXtest${counter}-E`,
    symbol: 'BTC_USDT',
    side: 'BUY',
    order_type: 'MARKET',
    quantity: dec('0.01'),
    time_in_force: 'GTC',
    reduce_only: false,
    ...overrides,
  };
}

/** A scratch directory for venue files, removed by the returned function. */
export function scratchDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'paper-venue-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
