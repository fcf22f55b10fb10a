import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectJetStream, type ConnectionStatus } from '../../../src/bus/nats/jetstream-connection.js';
import { partitionOf } from '../../../src/bus/nats/subjects.js';
import { natsReachable } from '../../support/nats.js';

/**
 * A nats-server of this test's own (same binary, own port and store directory), so that killing
 * it mid-run cannot disturb the test files that use the machine's server at the same time.
 */
const NATS_SERVER = process.env['PLANEXEC_TEST_NATS_SERVER'] ?? '/usr/sbin/nats-server';
const runnable = existsSync(NATS_SERVER) && (await natsReachable());
if (!existsSync(NATS_SERVER) && process.env['PLANEXEC_REQUIRE_SERVICES'] === '1') {
  throw new Error(`the NATS restart test needs ${NATS_SERVER} (PLANEXEC_REQUIRE_SERVICES=1); set PLANEXEC_TEST_NATS_SERVER`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

class PrivateNatsServer {
  #process: ChildProcess | null = null;
  constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.#process = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answers(this.port))) {
      if (Date.now() > deadline) throw new Error(`nats-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM, as `kill PID` sends: the server shuts down and its file store keeps what it acknowledged. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'planexec-nats-restart-'));
const server = new PrivateNatsServer(await freePort(), dir);
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(runnable)('a NATS server restart in the middle of consumption', () => {
  it('is survived: every directive is handled once, acked and in order, including those published after the restart', { timeout: 60_000 }, async () => {
    await server.start();
    const partitions = 4;
    const strategy = 'btc_momentum';
    const k = partitionOf(strategy, partitions);
    const connection = await connectJetStream({ url: server.url, stream: 'RESTART', partitions, ackWaitMs: 3_000 });
    const statuses: ConnectionStatus[] = [];
    connection.onStatus((s) => statuses.push(s));
    try {
      await connection.ensureStreams();
      const before = 200;
      const after = 20;
      for (let n = 1; n <= before; n += 1) await connection.publishDirective(JSON.stringify({ n }), { directive_id: `D${n}`, strategy_id: strategy });

      const handled: { n: number; seq: number; deliveryCount: number }[] = [];
      const stop = new AbortController();
      const giveUp = setTimeout(() => stop.abort(), 45_000);
      let restart: Promise<void> | null = null;
      const consuming = connection.consumePartition(
        k,
        async (message) => {
          handled.push({ n: (JSON.parse(message.text) as { n: number }).n, seq: message.streamSeq, deliveryCount: message.deliveryCount });
          if (handled.length === 50) restart = server.stop().then(() => sleep(300)).then(() => server.start());
          await sleep(5);
          if (handled.length >= before + after) stop.abort();
          return 'ack';
        },
        { signal: stop.signal },
      );

      await new Promise<void>((resolve) => {
        const poll = setInterval(() => restart !== null && (clearInterval(poll), resolve()), 10);
      });
      await restart;
      // published once the server is back: the same connection, reconnected
      for (let n = before + 1; n <= before + after; n += 1) await connection.publishDirective(JSON.stringify({ n }), { directive_id: `D${n}`, strategy_id: strategy });
      await consuming;
      clearTimeout(giveUp);

      expect(statuses).toContain('reconnecting');
      expect(connection.status()).toBe('connected');
      expect(handled.map((h) => h.n)).toEqual(Array.from({ length: before + after }, (_, i) => i + 1));
      expect(handled.map((h) => h.seq)).toEqual(Array.from({ length: before + after }, (_, i) => i + 1));
      const info = await connection.streamInfo();
      expect(info.messages).toBe(before + after);
      expect(info.consumers).toEqual([expect.objectContaining({ partition: k, num_pending: 0, num_ack_pending: 0 })]);
    } finally {
      await connection.close();
    }
  });
});
