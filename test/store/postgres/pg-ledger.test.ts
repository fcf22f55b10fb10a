import { describe } from 'vitest';
import { PgLedger } from '../../../src/store/postgres/pg-ledger.js';
import { describeLedgerContract } from '../contract/ledger-contract.js';
import { postgresReachable, scratchSchema } from '../../support/postgres.js';

const reachable = await postgresReachable();

describe.runIf(reachable)('the PostgreSQL ledger', () => {
  describeLedgerContract('PostgreSQL', async () => {
    const scratch = await scratchSchema();
    await PgLedger.migrate(scratch.pool);
    const ledger = new PgLedger(scratch.pool);
    return { ledger, close: async () => (await ledger.close(), await scratch.drop()) };
  });
});
