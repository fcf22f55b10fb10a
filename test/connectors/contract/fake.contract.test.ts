import { FakeClock } from '../../support/fake-clock.js';
import { FakeConnector } from '../../support/fakes.js';
import type { ConnectorCapabilities } from '../../../src/ports/connector.js';
import { describeConnectorContract, type ConnectorFixture } from './connector-contract.js';

/** The recording fake the orchestration tests use: it must keep the promises the orchestrator relies on. */
function fakeVenue(capabilities: Partial<ConnectorCapabilities>): () => Promise<ConnectorFixture> {
  return async () => {
    const connector = new FakeConnector({ clock: new FakeClock(), capabilities });
    return {
      connector,
      setPrice: async (symbol, price) => {
        connector.movePrice(symbol, price.toFixed());
      },
      close: () => connector.close(),
    };
  };
}

describeConnectorContract('recording fake, defaults (hedge, duplicate ids refused)', fakeVenue({}));
describeConnectorContract('recording fake, netting, idempotent submit', fakeVenue({ positionMode: 'netting', idempotentSubmit: true }));
describeConnectorContract('recording fake, cancel/replace only', fakeVenue({ amendOrders: false }));
