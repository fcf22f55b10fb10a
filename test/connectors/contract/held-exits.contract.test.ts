import { HeldExitsConnector } from '../../../src/connectors/held-exits/held-exits-connector.js';
import { StaticPriceSource } from '../../../src/market-data/static-price-source.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeConnector, silentLogger } from '../../support/fakes.js';
import type { ConnectorCapabilities } from '../../../src/ports/connector.js';
import { describeConnectorContract, type ConnectorFixture } from './connector-contract.js';

/** A venue without native stops (a spot market), its exits held by planexec and fired from a price source. */
function heldExits(capabilities: Partial<ConnectorCapabilities>): () => Promise<ConnectorFixture> {
  return async () => {
    const clock = new FakeClock();
    const inner = new FakeConnector({ clock, capabilities: { nativeStops: false, ...capabilities } });
    const prices = new StaticPriceSource({ clock });
    const connector = new HeldExitsConnector(inner, prices, { clock, logger: silentLogger });
    return {
      connector,
      setPrice: async (symbol, price) => {
        inner.movePrice(symbol, price.toFixed());
        await prices.set(symbol, price);
      },
      close: () => connector.close(),
    };
  };
}

describeConnectorContract('exits held by planexec over a venue without native stops (hedge, duplicate ids refused)', heldExits({}));
describeConnectorContract('exits held by planexec over a venue without native stops (netting, idempotent submit)', heldExits({ positionMode: 'netting', idempotentSubmit: true }));
