import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { natsReachable } from '../support/nats.js';
import { postgresReachable } from '../support/postgres.js';
import { distributedInput, freePort, workersWorld, type WorkersWorld } from './workers-world.js';

const reachable = (await postgresReachable()) && (await natsReachable());

/**
 * Distributed mode end to end (docs/deployment.md): `planexec serve` workers as their own
 * processes on one PostgreSQL schema and one JetStream stream, directives fed by `planexec
 * publish`, orders sent through ccxt to the loopback exchange.
 */
describe.runIf(reachable)('several workers on PostgreSQL and NATS JetStream', () => {
  let world: WorkersWorld | null = null;

  afterEach(async () => {
    await world?.close();
    world = null;
  });

  it('share the strategies among 3 workers: each strategy in file order, each directive once, ledger = venue, verify agrees', { timeout: 120_000 }, async () => {
    world = await workersWorld();
    const input = distributedInput(6, 6, 'a');
    for (const name of ['w1', 'w2', 'w3']) await world.start(name);
    const published = await world.publish(input.lines);
    expect(published.code, published.stderr).toBe(0);
    await world.settled(input.directiveIds, 60_000);
    const check = await world.check(input);
    expect(check.unfinished).toEqual([]);
    expect(check.outcomes).toEqual({ SUCCEEDED: input.directiveIds.length });
    expect(check.doubled).toEqual([]);
    expect(check.outOfOrder).toEqual([]);
    expect(check.doubleSent).toEqual([]);
    expect(check.ledger).toBe(check.venue);
    // the work was shared: every worker held partitions
    const owners = await world.pool.query<{ owner: string }>('SELECT DISTINCT owner FROM partition_leases WHERE owner IS NOT NULL');
    expect(owners.rows).toHaveLength(3);
    const verify = await world.verify();
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('finish a SIGKILLed worker\'s flows on the others, never executing a directive twice', { timeout: 120_000 }, async () => {
    world = await workersWorld();
    const input = distributedInput(6, 10, 'b');
    const [victim] = [await world.start('victim'), await world.start('w2'), await world.start('w3')];
    const publishing = world.publish(input.lines);
    // kill it while it holds flows
    const deadline = Date.now() + 20_000;
    let held = 0;
    while (held === 0 && Date.now() < deadline) {
      const { rows } = await world.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM flows f JOIN workers w ON w.worker_id = f.owner WHERE w.pid = $1 AND f.status = 'RUNNING'", [victim!.child.pid]);
      held = Number(rows[0]!.n);
      if (held === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(held).toBeGreaterThan(0);
    victim!.child.kill('SIGKILL');
    expect(await victim!.exited).toBeNull();
    expect((await publishing).code).toBe(0);
    await world.settled(input.directiveIds, 60_000);
    const check = await world.check(input);
    expect(check.unfinished).toEqual([]);
    expect(check.doubled).toEqual([]);
    expect(check.outOfOrder).toEqual([]);
    expect(check.doubleSent).toEqual([]);
    expect(check.ledger).toBe(check.venue);
    expect(check.outcomes['SUCCEEDED'] ?? 0).toBeGreaterThan(input.directiveIds.length * 0.9);
    const workers = await world.pool.query<{ pid: number; leases: string }>("SELECT w.pid, (SELECT COUNT(*) FROM flows f WHERE f.owner = w.worker_id AND f.status = 'RUNNING') AS leases FROM workers w");
    expect(workers.rows.every((w) => Number(w.leases) === 0)).toBe(true);
    const verify = await world.verify();
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('lose nothing when PostgreSQL drops every worker connection mid-run', { timeout: 120_000 }, async () => {
    world = await workersWorld({ leaseSeconds: 5 });
    const input = distributedInput(6, 8, 'c');
    for (const name of ['w1', 'w2']) await world.start(name);
    const publishing = world.publish(input.lines);
    await new Promise((r) => setTimeout(r, 700));
    const dropped = await world.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [world.appName]);
    expect(dropped.rowCount).toBeGreaterThan(0);
    expect((await publishing).code).toBe(0);
    await world.settled(input.directiveIds, 60_000);
    const check = await world.check(input);
    expect(check.unfinished).toEqual([]);
    expect(check.doubled).toEqual([]);
    expect(check.outOfOrder).toEqual([]);
    expect(check.doubleSent).toEqual([]);
    expect(check.ledger).toBe(check.venue);
    const verify = await world.verify();
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('go on after the NATS server restarts mid-run: every directive once, in order', { timeout: 120_000 }, async () => {
    // a server of this test's own (file store in its folder), so restarting it disturbs no other test
    const store = mkdtempSync(join(tmpdir(), 'planexec-nats-'));
    const port = await freePort();
    const startNats = (): ChildProcess => spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: 'ignore' });
    let nats = startNats();
    try {
      await waitForPort(port);
      world = await workersWorld({ natsUrl: `nats://127.0.0.1:${port}` });
      const input = distributedInput(6, 8, 'd');
      for (const name of ['w1', 'w2']) await world.start(name);
      const first = input.lines.slice(0, input.lines.length / 2);
      expect((await world.publish(first)).code).toBe(0);
      // the server goes away while the workers consume, and comes back on the same store
      nats.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 1_000));
      nats = startNats();
      await waitForPort(port);
      const second = await world.publish(input.lines.slice(input.lines.length / 2));
      expect(second.code, second.stderr).toBe(0);
      await world.settled(input.directiveIds, 60_000);
      const check = await world.check(input);
      expect(check.unfinished).toEqual([]);
      expect(check.outcomes).toEqual({ SUCCEEDED: input.directiveIds.length });
      expect(check.doubled).toEqual([]);
      expect(check.outOfOrder).toEqual([]);
      expect(check.doubleSent).toEqual([]);
      expect(check.ledger).toBe(check.venue);
    } finally {
      await world?.close();
      world = null;
      nats.kill('SIGKILL');
      rmSync(store, { recursive: true, force: true });
    }
  });
});

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nats-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
