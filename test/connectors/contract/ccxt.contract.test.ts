import { ccxtOverLoopback } from '../ccxt/ccxt-fixture.js';
import { describeConnectorContract, type ConnectorFixture } from './connector-contract.js';

/**
 * The ccxt connector (binance) over the loopback venue. Commission is off here so that a BUY
 * leaves exactly the bought quantity to sell (fees in the base asset are tested on their own).
 */
async function binanceOverLoopback(): Promise<ConnectorFixture> {
  const world = await ccxtOverLoopback({ venue: { commissionRate: '0' } });
  return { connector: world.connector, setPrice: world.setPrice, close: world.close };
}

describeConnectorContract('ccxt binance over the loopback venue', binanceOverLoopback);
