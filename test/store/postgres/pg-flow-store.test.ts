import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/clock.js';
import { PgFlowStore } from '../../../src/store/postgres/pg-flow-store.js';
import { PgJournal } from '../../../src/store/postgres/pg-journal.js';
import { completion, journalInput } from '../contract/builders.js';
import { describeFlowStoreContract } from '../contract/flow-store-contract.js';
import { postgresReachable, scratchSchema } from '../../support/postgres.js';

const reachable = await postgresReachable();

async function openFlows(workers: readonly { workerId: string; leaseMs: number }[] = [{ workerId: 'w1', leaseMs: 30_000 }]) {
  const scratch = await scratchSchema();
  await PgJournal.migrate(scratch.pool);
  await PgFlowStore.migrate(scratch.pool);
  const journal = new PgJournal(scratch.pool, systemClock);
  const stores = workers.map((w) => new PgFlowStore(scratch.pool, journal, w));
  return { flows: stores[0]!, stores, journal, scratch, close: async () => (await journal.close(), await scratch.drop()) };
}

const T0 = '2026-11-24T10:15:00.000Z';
const flowOf = (id: string, strategy = 'btc_momentum') => ({ flow_id: id, directive_id: id, strategy_id: strategy, started_at: T0 });
const accepted = (id: string, strategy = 'btc_momentum') => journalInput({ event_type: 'DIRECTIVE_ACCEPTED', flow_id: id, directive_id: id, strategy_id: strategy, correlation_id: id });

describe.runIf(reachable)('the PostgreSQL flows table and its leases', () => {
  describeFlowStoreContract('PostgreSQL', () => openFlows());

  it('a directive id begins once across workers: the unique key decides, the loser gets the winner’s flow', async () => {
    const { stores, journal, close } = await openFlows([
      { workerId: 'w1', leaseMs: 30_000 },
      { workerId: 'w2', leaseMs: 30_000 },
      { workerId: 'w3', leaseMs: 30_000 },
    ]);
    try {
      const results = await Promise.all(stores.map((s) => s.begin(flowOf('D1'), accepted('D1'))));
      expect(results.filter((r) => r.status === 'started')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(2);
      expect(await journal.read({ flow_id: 'D1' })).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it('a worker that stops renewing loses its flows when the lease expires; a live worker’s flows are never taken', async () => {
    const { stores, close } = await openFlows([
      { workerId: 'dead', leaseMs: 300 },
      { workerId: 'live', leaseMs: 30_000 },
      { workerId: 'rescuer', leaseMs: 30_000 },
    ]);
    const [dead, live, rescuer] = stores as [PgFlowStore, PgFlowStore, PgFlowStore];
    try {
      await dead.begin(flowOf('OF_DEAD', 's1'), accepted('OF_DEAD', 's1'));
      await live.begin(flowOf('OF_LIVE', 's2'), accepted('OF_LIVE', 's2'));
      // before the dead worker's lease runs out, nothing can be claimed
      expect(await rescuer.claimExpired()).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await live.renewLeases()).toBe(1);
      const claimed = await rescuer.claimExpired();
      expect(claimed.map((f) => f.flow_id)).toEqual(['OF_DEAD']);
      // claimed once: a second rescuer finds nothing, and the rescuer now renews it
      expect(await live.claimExpired()).toEqual([]);
      expect(await rescuer.renewLeases()).toBe(1);
      expect(await dead.renewLeases()).toBe(0);
      // finishing releases the lease
      await rescuer.finish(completion({ flow_id: 'OF_DEAD', directive_id: 'OF_DEAD', strategy_id: 's1' }));
      expect(await rescuer.renewLeases()).toBe(0);
    } finally {
      await close();
    }
  });

  it('many rescuers claiming at once split the expired flows between them, each flow to exactly one', async () => {
    const workers = Array.from({ length: 4 }, (_, i) => ({ workerId: `r${i}`, leaseMs: 30_000 }));
    const { stores, close } = await openFlows([{ workerId: 'dead', leaseMs: 100 }, ...workers]);
    try {
      for (let i = 0; i < 40; i++) await stores[0]!.begin(flowOf(`X${i}`, `s${i % 5}`), accepted(`X${i}`, `s${i % 5}`));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const claims = await Promise.all(stores.slice(1).map((s) => s.claimExpired()));
      const ids = claims.flatMap((c) => c.map((f) => f.flow_id));
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
    } finally {
      await close();
    }
  });
});
