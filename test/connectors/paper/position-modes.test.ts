import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { ConfigError, VenueRejected } from '../../../src/domain/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { dec, openVenue, orderRequest, paperConfig, rejectionOf, scratchDir } from './paper-fixture.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function venueOf(overrides: Record<string, unknown> = {}): PaperConnector {
  const { venue } = openVenue({ slippage_bps: '0', ...overrides });
  cleanups.push(() => venue.close());
  return venue;
}

function venueFile(): string {
  const scratch = scratchDir();
  cleanups.push(scratch.remove);
  return join(scratch.dir, 'venue.db');
}

/** positions() as [position_id, size] for one symbol, flat ones left out. */
function sizes(venue: PaperConnector, symbol = 'BTC_USDT'): [string | null, string][] {
  return venue
    .positions()
    .filter((p) => p.symbol === symbol && !p.size.isZero())
    .map((p): [string | null, string] => [p.position_id, p.size.toFixed()]);
}

const net = (venue: PaperConnector, symbol = 'BTC_USDT'): string => (venue.netPositions().get(symbol) ?? dec(0)).toFixed();

/** A trade: a MARKET entry of 0.01 on its own position, with a reduce-only stop and target. */
async function trade(venue: PaperConnector, id: string, side: 'BUY' | 'SELL'): Promise<void> {
  const exit = side === 'BUY' ? 'SELL' : 'BUY';
  await venue.placeOrder(orderRequest({ client_order_id: `${id}-E`, side, position_id: id }));
  await venue.placeOrder(
    orderRequest({
      client_order_id: `${id}-SL`,
      side: exit,
      order_type: 'STOP_MARKET',
      stop_price: dec(side === 'BUY' ? '64000' : '66000'),
      reduce_only: true,
      position_id: id,
    }),
  );
  await venue.placeOrder(
    orderRequest({
      client_order_id: `${id}-TP`,
      side: exit,
      order_type: 'LIMIT',
      limit_price: dec(side === 'BUY' ? '67000' : '63000'),
      reduce_only: true,
      position_id: id,
    }),
  );
}

describe('paper venue in hedge mode (the default)', () => {
  it('declares the mode in its capabilities', () => {
    expect(venueOf().capabilities.positionMode).toBe('hedge');
    expect(venueOf({ position_mode: 'netting' }).capabilities.positionMode).toBe('netting');
  });

  it('keeps a BUY trade and a SELL trade on one symbol apart, each with its stop and target resting', async () => {
    const venue = venueOf();
    await trade(venue, 'LONG', 'BUY');
    await trade(venue, 'SHORT', 'SELL');
    expect(sizes(venue)).toEqual([
      ['LONG', '0.01'],
      ['SHORT', '-0.01'],
    ]);
    expect(net(venue)).toBe('0');
    expect((await venue.fetchOpenOrders('BTC_USDT')).map((o) => o.client_order_id).sort()).toEqual(['LONG-SL', 'LONG-TP', 'SHORT-SL', 'SHORT-TP']);
  });

  it('refuses a reduce-only order larger than its own position, naming the position', async () => {
    const venue = venueOf();
    await trade(venue, 'LONG', 'BUY');
    await trade(venue, 'SHORT', 'SELL');
    const tooBig = await rejectionOf(venue.placeOrder(orderRequest({ side: 'SELL', quantity: dec('0.02'), reduce_only: true, position_id: 'LONG' })));
    expect(tooBig).toBeInstanceOf(VenueRejected);
    expect(tooBig).toMatchObject({ code: 'REDUCE_ONLY', details: { reducible: '0.01', position_id: 'LONG' } });
    // a BUY cannot reduce a long position, whatever the SHORT position beside it holds
    const wrongSide = await rejectionOf(venue.placeOrder(orderRequest({ side: 'BUY', reduce_only: true, position_id: 'LONG' })));
    expect(wrongSide).toMatchObject({ code: 'REDUCE_ONLY', details: { reducible: '0' } });
    const unknown = await rejectionOf(venue.placeOrder(orderRequest({ side: 'SELL', reduce_only: true, position_id: 'NOBODY' })));
    expect(unknown).toMatchObject({ code: 'REDUCE_ONLY' });
  });

  it('a triggered stop reduces only its own position', async () => {
    const venue = venueOf();
    await trade(venue, 'LONG', 'BUY');
    await trade(venue, 'SHORT', 'SELL');
    await venue.setPrice('BTC_USDT', dec('63900'));
    expect(venue.allOrders().find((o) => o.client_order_id === 'LONG-SL')?.status).toBe('FILLED');
    // the SHORT's target (BUY limit at 63000) has not been reached; its stop rests
    expect(sizes(venue)).toEqual([['SHORT', '-0.01']]);
    expect(net(venue)).toBe('-0.01');
  });

  it('caps a reduce-only fill at its position: the second exit of a flat trade expires', async () => {
    const venue = venueOf();
    await trade(venue, 'LONG', 'BUY');
    await trade(venue, 'SHORT', 'SELL');
    await venue.setPrice('BTC_USDT', dec('67000')); // LONG's target fills, SHORT's stop triggers
    await venue.setPrice('BTC_USDT', dec('63900')); // LONG's stop triggers with nothing left to reduce
    const stop = venue.allOrders().find((o) => o.client_order_id === 'LONG-SL');
    expect(stop).toMatchObject({ status: 'EXPIRED' });
    expect(stop?.filled_quantity.toFixed()).toBe('0');
    expect(stop?.reject_reason).toContain('REDUCE_ONLY');
    expect(sizes(venue)).toEqual([]);
    expect(net(venue)).toBe('0');
  });

  it('refuses to amend a reduce-only order past its own position', async () => {
    const venue = venueOf();
    await trade(venue, 'LONG', 'BUY');
    await trade(venue, 'SHORT', 'SELL');
    const error = await rejectionOf(venue.amendOrder('LONG-SL', 'BTC_USDT', { quantity: dec('0.02') }));
    expect(error).toMatchObject({ code: 'REDUCE_ONLY' });
  });

  it('puts orders sent without a position_id on one default position per symbol', async () => {
    const venue = venueOf();
    await venue.placeOrder(orderRequest({ side: 'BUY' }));
    await venue.placeOrder(orderRequest({ side: 'SELL', quantity: dec('0.004'), reduce_only: true }));
    expect(sizes(venue)).toEqual([[null, '0.006']]);
    expect(net(venue)).toBe('0.006');
  });
});

describe('paper venue in netting mode', () => {
  it('keeps one net position per symbol and checks reduce-only orders against it', async () => {
    const venue = venueOf({ position_mode: 'netting' });
    await venue.placeOrder(orderRequest({ side: 'BUY', position_id: 'LONG' }));
    await venue.placeOrder(orderRequest({ side: 'SELL', position_id: 'SHORT' }));
    expect(sizes(venue)).toEqual([]);
    expect(venue.positions()).toEqual([{ symbol: 'BTC_USDT', position_id: null, size: dec(0) }]);
    expect(net(venue)).toBe('0');
    // the LONG trade's stop: nothing left to reduce at the net
    const error = await rejectionOf(
      venue.placeOrder(orderRequest({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('64000'), reduce_only: true, position_id: 'LONG' })),
    );
    expect(error).toMatchObject({ code: 'REDUCE_ONLY', details: { reducible: '0', position_id: null } });
  });

  it('lets same-direction trades each protect their size (each at most the net)', async () => {
    const venue = venueOf({ position_mode: 'netting' });
    await venue.placeOrder(orderRequest({ side: 'BUY', position_id: 'A' }));
    await venue.placeOrder(orderRequest({ side: 'BUY', quantity: dec('0.02'), position_id: 'B' }));
    await venue.placeOrder(orderRequest({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('64000'), reduce_only: true, position_id: 'A' }));
    await venue.placeOrder(
      orderRequest({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('63000'), quantity: dec('0.02'), reduce_only: true, position_id: 'B' }),
    );
    await venue.setPrice('BTC_USDT', dec('62000'));
    expect(net(venue)).toBe('0');
  });
});

describe('paper venue file and position mode', () => {
  it('refuses a file created in the other mode, with a message naming both, and closes it again', async () => {
    const path = venueFile();
    const hedge = new PaperConnector(paperConfig({ path }), { clock: new FakeClock() });
    await hedge.placeOrder(orderRequest({ position_id: 'LONG' }));
    await hedge.close();
    let error: unknown;
    try {
      new PaperConnector(paperConfig({ path, position_mode: 'netting' }), { clock: new FakeClock() });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]).toMatchObject({ keyPath: 'connector.paper.position_mode', rule: 'venue_position_mode', file: path });
    expect((error as Error).message).toContain('created in hedge mode and connector.paper.position_mode is netting');
    // the refused open left the file usable in its own mode
    const again = new PaperConnector(paperConfig({ path }), { clock: new FakeClock() });
    expect(sizes(again)).toEqual([['LONG', '0.01']]);
    await again.close();
  });

  it('migrates a venue file from before position modes: its nets become the default position, old reduce-only orders still work', async () => {
    const path = venueFile();
    const first = new PaperConnector(paperConfig({ path, slippage_bps: '0' }), { clock: new FakeClock() });
    await first.placeOrder(orderRequest({ client_order_id: 'OLD-E', side: 'BUY' }));
    await first.placeOrder(orderRequest({ client_order_id: 'OLD-SL', side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('64000'), reduce_only: true }));
    await first.close();
    // make it look like a file written by the previous build
    const db = new Database(path);
    db.exec('ALTER TABLE orders DROP COLUMN position_id; DROP TABLE position_sizes; DROP TABLE settings;');
    db.close();

    const reopened = new PaperConnector(paperConfig({ path, slippage_bps: '0' }), { clock: new FakeClock() });
    try {
      expect(reopened.capabilities.positionMode).toBe('hedge');
      expect(sizes(reopened)).toEqual([[null, '0.01']]);
      expect(net(reopened)).toBe('0.01');
      await reopened.placeOrder(orderRequest({ side: 'SELL', position_id: 'NEW' }));
      await reopened.setPrice('BTC_USDT', dec('63900'));
      expect(reopened.allOrders().find((o) => o.client_order_id === 'OLD-SL')?.status).toBe('FILLED');
      expect(sizes(reopened)).toEqual([['NEW', '-0.01']]);
      // a trade opened before the upgrade (its size in the default position) can still be protected and closed by its trade id
      await reopened.placeOrder(orderRequest({ client_order_id: 'OLD2-E', side: 'BUY', quantity: dec('0.02') }));
      await reopened.placeOrder(orderRequest({ client_order_id: 'OLD2-SL', side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('62000'), quantity: dec('0.02'), reduce_only: true, position_id: 'OLD2' }));
      await reopened.placeOrder(orderRequest({ client_order_id: 'OLD2-C', side: 'SELL', quantity: dec('0.02'), reduce_only: true, position_id: 'OLD2' }));
      expect(reopened.allOrders().find((o) => o.client_order_id === 'OLD2-C')).toMatchObject({ status: 'FILLED', position_id: null });
      expect(sizes(reopened)).toEqual([['NEW', '-0.01']]);
      expect(net(reopened)).toBe('-0.01');
    } finally {
      await reopened.close();
    }
  });
});
