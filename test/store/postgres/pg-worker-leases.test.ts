import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../../src/app/create-platform.js';
import { defaultConfig, type PlatformConfig } from '../../../src/config/schema.js';
import { systemClock } from '../../../src/domain/clock.js';
import type { ExecutionDirectiveWire } from '../../../src/domain/directive.js';
import { openPgStore, type PgStore } from '../../../src/store/postgres/pg-store.js';
import { newTradeWire } from '../../support/directives.js';
import { silentLogger } from '../../support/fakes.js';
import { postgresReachable, scratchSchema } from '../../support/postgres.js';

const reachable = await postgresReachable();
const LEASE_MS = 2_000;

/** A worker that accepted `directive` (its flow row and DIRECTIVE_ACCEPTED, as the orchestrator writes them) and then went silent. */
async function acceptedBy(store: PgStore, directive: ExecutionDirectiveWire): Promise<void> {
  const begun = await store.flows.begin(
    { flow_id: directive.directive_id, directive_id: directive.directive_id, strategy_id: directive.strategy_id, started_at: new Date().toISOString() },
    {
      event_type: 'DIRECTIVE_ACCEPTED',
      flow_id: directive.directive_id,
      directive_id: directive.directive_id,
      strategy_id: directive.strategy_id,
      timestamp: new Date().toISOString(),
      correlation_id: directive.directive_id,
      causation_id: null,
      body: { directive, source: { kind: 'internal' }, line: null },
    },
  );
  expect(begun.status).toBe('started');
}

const until = async (check: () => Promise<boolean>, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
};

describe.runIf(reachable)('flow leases between workers sharing PostgreSQL', () => {
  let dir: string;
  let scratch: Awaited<ReturnType<typeof scratchSchema>>;
  let config: PlatformConfig;
  const opened: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'planexec-pg-leases-'));
    scratch = await scratchSchema();
    const base = defaultConfig();
    config = {
      ...base,
      storage: { ...base.storage, type: 'postgres', url: scratch.url, lease_seconds: LEASE_MS / 1000 },
      connector: { ...base.connector, paper: { ...base.connector.paper, path: join(dir, 'venue.db') } },
    };
  });

  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close().catch(() => undefined);
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function worker(): Promise<Platform> {
    const platform = await createPlatform({ config, logger: silentLogger });
    opened.push(platform);
    return platform;
  }

  it('leaves a live worker\'s flow alone, and finishes a dead worker\'s once its lease expired, exactly once', async () => {
    const live = await openPgStore(scratch.url, { clock: systemClock, workerId: 'live-worker', leaseMs: LEASE_MS });
    opened.push(live);
    const dead = await openPgStore(scratch.url, { clock: systemClock, workerId: 'dead-worker', leaseMs: LEASE_MS });
    const mine = newTradeWire({ strategy_id: 'live_strategy' });
    const orphan = newTradeWire({ strategy_id: 'orphan_strategy' });
    await acceptedBy(live, mine);
    await acceptedBy(dead, orphan);
    // the dead worker stops here: no more heartbeats, its pool closed as by a kill
    await dead.pool.end();

    const taker = await worker();
    const keepAlive = setInterval(() => void live.workers.heartbeat(), LEASE_MS / 4);
    try {
      const finished = await until(async () => (await taker.store.flows.get(orphan.directive_id))?.status === 'SUCCEEDED', 4 * LEASE_MS);
      expect(finished).toBe(true);
      // well past its lease length, the live worker's flow is still its own and still running
      const flow = await live.pool.query<{ owner: string; status: string }>('SELECT owner, status FROM flows WHERE flow_id = $1', [mine.directive_id]);
      expect(flow.rows[0]).toEqual({ owner: 'live-worker', status: 'RUNNING' });
    } finally {
      clearInterval(keepAlive);
    }
    const accepted = (await taker.store.journal.read({ directive_id: orphan.directive_id })).filter((e) => e.event_type === 'DIRECTIVE_ACCEPTED' || e.event_type === 'TRADE_OPENED');
    expect(accepted.map((e) => e.event_type)).toEqual(['DIRECTIVE_ACCEPTED', 'TRADE_OPENED']);
    const workers = await taker.store.workers!.list();
    expect(workers.map((w) => [w.worker_id, w.alive])).toEqual(
      expect.arrayContaining([
        ['live-worker', true],
        ['dead-worker', false],
        [taker.store.workers!.workerId, true],
      ]),
    );
    expect(workers.find((w) => w.worker_id === 'live-worker')?.leases).toBe(1);
  }, 30_000);
});
