import { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { FakeClock } from '../../support/fake-clock.js';
import { paperConfig } from '../paper/paper-fixture.js';
import { describeConnectorContract, type ConnectorFixture } from './connector-contract.js';

/** A fresh in-memory paper venue; its price feed is the contract's price hook. */
function paperVenue(overrides: Record<string, unknown>): () => Promise<ConnectorFixture> {
  return async () => {
    const venue = new PaperConnector(paperConfig(overrides), { clock: new FakeClock() });
    return {
      connector: venue,
      setPrice: async (symbol, price) => {
        await venue.setPrice(symbol, price);
      },
      close: () => venue.close(),
    };
  };
}

describeConnectorContract('paper venue, hedge, duplicate ids refused', paperVenue({ position_mode: 'hedge', idempotent_submit: false }));
describeConnectorContract('paper venue, hedge, idempotent submit', paperVenue({ position_mode: 'hedge', idempotent_submit: true }));
describeConnectorContract('paper venue, netting, duplicate ids refused', paperVenue({ position_mode: 'netting', idempotent_submit: false }));
describeConnectorContract('paper venue, netting, idempotent submit', paperVenue({ position_mode: 'netting', idempotent_submit: true }));
// parts: every fill is split, so sums and reports are checked over several fills
describeConnectorContract('paper venue, partial fills', paperVenue({ partial_fill_threshold: '0.00005' }));
