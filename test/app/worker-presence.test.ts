import { describe, expect, it } from 'vitest';
import { WorkerPresence } from '../../src/app/worker-presence.js';
import type { IWorkerRegistry } from '../../src/ports/store.js';
import { FakeClock } from '../support/fake-clock.js';
import { RecordingAlerts, silentLogger } from '../support/fakes.js';

const LEASE_MS = 3_000;

/** A registry whose store answers while `up` holds. */
function registry(state: { up: boolean; beats: number }): IWorkerRegistry {
  return {
    workerId: 'w1',
    leaseMs: LEASE_MS,
    heartbeat: () => {
      if (!state.up) return Promise.reject(new Error('connection terminated'));
      state.beats += 1;
      return Promise.resolve(0);
    },
    list: () => Promise.resolve([]),
    leave: () => Promise.resolve(),
    claimPartitions: () => Promise.resolve({ owned: [], gained: [], surplus: [] }),
    releasePartition: () => Promise.resolve(),
    strategyBusyElsewhere: () => Promise.resolve(false),
  };
}

describe('WorkerPresence', () => {
  it('beats every third of the lease and takes over expired flows after each beat', async () => {
    const clock = new FakeClock();
    const state = { up: true, beats: 0 };
    let takeovers = 0;
    const presence = new WorkerPresence({ workers: registry(state), takeOver: async () => (takeovers += 1, 0), clock, logger: silentLogger, alerts: new RecordingAlerts() });
    presence.start();
    await clock.advance(LEASE_MS);
    expect(state.beats).toBe(3);
    expect(takeovers).toBe(3);
    await presence.stop();
    await clock.advance(LEASE_MS);
    expect(state.beats).toBe(3);
  });

  it('rides out a store outage shorter than the lease without saying anything', async () => {
    const clock = new FakeClock();
    const state = { up: true, beats: 0 };
    const alerts = new RecordingAlerts();
    const lost: string[] = [];
    const presence = new WorkerPresence({ workers: registry(state), takeOver: async () => 0, clock, logger: silentLogger, alerts, onLeaseLost: (r) => lost.push(r) });
    presence.start();
    await clock.advance(LEASE_MS / 3);
    state.up = false;
    await clock.advance(LEASE_MS / 2);
    state.up = true;
    await clock.advance(LEASE_MS * 2);
    expect(lost).toEqual([]);
    expect(alerts.alerts).toEqual([]);
    await presence.stop();
  });

  it('says once, with a critical alert, that the worker lost its flows when no heartbeat succeeded for a whole lease', async () => {
    const clock = new FakeClock();
    const state = { up: true, beats: 0 };
    const alerts = new RecordingAlerts();
    const lost: string[] = [];
    let takeovers = 0;
    const presence = new WorkerPresence({ workers: registry(state), takeOver: async () => (takeovers += 1, 0), clock, logger: silentLogger, alerts, onLeaseLost: (r) => lost.push(r) });
    presence.start();
    await clock.advance(LEASE_MS / 3);
    state.up = false;
    const before = takeovers;
    await clock.advance(LEASE_MS * 3);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatch(/^no heartbeat for 3000 ms \(lease 3000 ms\): connection terminated$/);
    expect(alerts.alerts.map((a) => [a.severity, a.code])).toEqual([['critical', 'WORKER_LEASE_LOST']]);
    // a worker that lost its leases takes no other worker's flows either
    expect(takeovers).toBe(before);
    await presence.stop();
  });
});
