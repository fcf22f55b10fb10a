import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { connectJetStream, type DeliveryVerdict, type DirectiveMessage, type JetStreamConnection } from '../../../src/bus/nats/jetstream-connection.js';
import { partitionOf } from '../../../src/bus/nats/subjects.js';
import { NATS_TEST_URL, natsReachable, scratchStream } from '../../support/nats.js';

const reachable = await natsReachable();
const PARTITIONS = 4;

/** Two strategy ids that land in different partitions (one with characters that need escaping). */
const STRATEGY_A = 'desk.a:btc';
const STRATEGY_B = ['eth_swing', 'eth_swing_2', 'eth_swing_3', 'sol'].find((id) => partitionOf(id, PARTITIONS) !== partitionOf(STRATEGY_A, PARTITIONS))!;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(options: { ackWaitMs?: number } = {}): Promise<JetStreamConnection> {
  const scratch = await scratchStream();
  const connection = await connectJetStream({ url: NATS_TEST_URL, stream: scratch.stream, partitions: PARTITIONS, ...options });
  cleanups.push(scratch.drop, () => connection.close());
  await connection.ensureStreams();
  return connection;
}

const line = (strategy: string, n: number): string => JSON.stringify({ directive_id: `D_${strategy}_${n}`, strategy_id: strategy, n });
const ids = (strategy: string, n: number) => ({ directive_id: `D_${strategy}_${n}`, strategy_id: strategy });

/** Consumes partition k until `count` messages were handled (then aborts), answering with `verdict`. */
async function consume(
  connection: JetStreamConnection,
  k: number,
  count: number,
  verdict: (message: DirectiveMessage, handled: number) => DeliveryVerdict | Promise<DeliveryVerdict> = () => 'ack',
  options: { batch?: number; retryDelayMs?: number } = {},
): Promise<DirectiveMessage[]> {
  const seen: DirectiveMessage[] = [];
  const stop = new AbortController();
  const timeout = setTimeout(() => stop.abort(), 20_000);
  await connection.consumePartition(
    k,
    async (message) => {
      seen.push(message);
      const answer = await verdict(message, seen.length);
      if (seen.length >= count) stop.abort();
      return answer;
    },
    { signal: stop.signal, ...options },
  );
  clearTimeout(timeout);
  return seen;
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(reachable)('the JetStream directive transport', () => {
  it('creates both streams idempotently and says it is connected', async () => {
    const connection = await open();
    await connection.ensureStreams();
    const info = await connection.streamInfo();
    expect(info).toMatchObject({ stream: connection.stream, messages: 0, events: { stream: `${connection.stream}_EVENTS`, messages: 0 }, consumers: [] });
    expect(connection.status()).toBe('connected');
  });

  it('keeps each partition in stream order: two strategies in two partitions, each consumed by its own worker', async () => {
    const connection = await open();
    const [a, b] = [partitionOf(STRATEGY_A, PARTITIONS), partitionOf(STRATEGY_B, PARTITIONS)];
    const seqs: number[] = [];
    for (let n = 1; n <= 10; n += 1) {
      for (const strategy of [STRATEGY_A, STRATEGY_B]) seqs.push((await connection.publishDirective(line(strategy, n), ids(strategy, n))).seq);
    }
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

    const [fromA, fromB] = await Promise.all([consume(connection, a, 10), consume(connection, b, 10)]);
    for (const [seen, strategy, k] of [[fromA, STRATEGY_A, a], [fromB, STRATEGY_B, b]] as const) {
      expect(seen.map((m) => (JSON.parse(m.text) as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(new Set(seen.map((m) => m.strategyId))).toEqual(new Set([strategy]));
      expect(seen.every((m) => m.partition === k && m.deliveryCount === 1)).toBe(true);
      expect(new TextDecoder().decode(seen[0]!.data)).toBe(seen[0]!.text);
      const streamSeqs = seen.map((m) => m.streamSeq);
      expect(streamSeqs).toEqual([...streamSeqs].sort((x, y) => x - y));
    }
    const info = await connection.streamInfo();
    expect(info.consumers.map((c) => [c.partition, c.num_pending, c.num_ack_pending])).toEqual([[a, 0, 0], [b, 0, 0]].sort((x, y) => x[0]! - y[0]!));
  });

  it('stores a directive_id once within the duplicate window; a line without one is stored every time', async () => {
    const connection = await open();
    const first = await connection.publishDirective(line(STRATEGY_A, 1), ids(STRATEGY_A, 1));
    const again = await connection.publishDirective(line(STRATEGY_A, 1), ids(STRATEGY_A, 1));
    expect(first).toEqual({ seq: 1, duplicate: false });
    expect(again).toEqual({ seq: 1, duplicate: true });
    await connection.publishDirective('{"no":"id"}', { directive_id: null, strategy_id: STRATEGY_A });
    await connection.publishDirective('{"no":"id"}', { directive_id: null, strategy_id: STRATEGY_A });
    expect((await connection.streamInfo()).messages).toBe(3);
  });

  it("redelivers a message its handler answered 'retry', and drops one answered 'term'", async () => {
    const connection = await open();
    const k = partitionOf(STRATEGY_A, PARTITIONS);
    await connection.publishDirective(line(STRATEGY_A, 1), ids(STRATEGY_A, 1));
    await connection.publishDirective(line(STRATEGY_A, 2), ids(STRATEGY_A, 2));
    const seen = await consume(connection, k, 3, (m) => (m.streamSeq === 1 && m.deliveryCount === 1 ? 'retry' : m.streamSeq === 2 ? 'term' : 'ack'), { retryDelayMs: 50 });
    expect(seen.map((m) => [m.streamSeq, m.deliveryCount])).toContainEqual([1, 2]);
    expect(seen.filter((m) => m.streamSeq === 2)).toHaveLength(1);
    await until('nothing pending', async () => (await connection.streamInfo()).consumers[0]?.num_ack_pending === 0);
  });

  it('keeps a handler slower than ack_wait from being redelivered under it (working())', async () => {
    const connection = await open({ ackWaitMs: 1_000 });
    const k = partitionOf(STRATEGY_A, PARTITIONS);
    await connection.publishDirective(line(STRATEGY_A, 1), ids(STRATEGY_A, 1));
    const seen = await consume(connection, k, 1, async (): Promise<DeliveryVerdict> => {
      await sleep(2_600);
      return 'ack';
    });
    expect(seen).toHaveLength(1);
    // past another ack_wait: had the message been redelivered, it would show here
    await sleep(1_200);
    const [consumer] = (await connection.streamInfo()).consumers;
    expect(consumer).toMatchObject({ num_pending: 0, num_ack_pending: 0, num_redelivered: 0 });
  });

  it('stops on abort, and the next consumer of the partition gets what was not acked, in order', async () => {
    const connection = await open({ ackWaitMs: 10_000 });
    const k = partitionOf(STRATEGY_A, PARTITIONS);
    for (let n = 1; n <= 4; n += 1) await connection.publishDirective(line(STRATEGY_A, n), ids(STRATEGY_A, n));
    // the first worker takes a batch of all four, acks the first and is told to stop while handling it
    const first = await consume(connection, k, 1, () => 'ack', { batch: 8 });
    expect(first.map((m) => m.streamSeq)).toEqual([1]);
    // un-acked ones are handed back at once (well before ack_wait), so the next owner starts where the first stopped
    const started = Date.now();
    const second = await consume(connection, k, 3);
    expect(second.map((m) => m.streamSeq)).toEqual([2, 3, 4]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a second connection takes over a partition whose worker stopped mid-handler and left its message un-acked', async () => {
    const first = await open({ ackWaitMs: 1_500 });
    const second = await connectJetStream({ url: NATS_TEST_URL, stream: first.stream, partitions: PARTITIONS, ackWaitMs: 1_500 });
    cleanups.push(() => second.close());
    const k = partitionOf(STRATEGY_B, PARTITIONS);
    await first.publishDirective(line(STRATEGY_B, 1), ids(STRATEGY_B, 1));
    // the first worker's handler never answers (a crashed process): its connection closes under it
    let handling!: () => void;
    const handed = new Promise<void>((resolve) => (handling = resolve));
    const stop = new AbortController();
    const stuck = first.consumePartition(k, () => (handling(), new Promise<DeliveryVerdict>(() => undefined)), { signal: stop.signal });
    await handed;
    await first.close();
    stop.abort();
    void stuck.catch(() => undefined);
    const taken = await consume(second, k, 1);
    expect(taken.map((m) => [m.streamSeq, m.deliveryCount])).toEqual([[1, 2]]);
  });

  it('mirrors events on core NATS, captured by the events stream for replay', async () => {
    const connection = await open();
    connection.publishEvent('TRADE_EXECUTED', { flow_id: 'F1', quantity: '0.015' });
    connection.publishEvent('FLOW_STOPPED', { flow_id: 'F1' });
    connection.publishEvent('NOT.ONE.TOKEN', {});
    expect(connection.eventStats()).toEqual({ published: 2, failed: 1 });
    await until('the events stream to hold both', async () => (await connection.streamInfo()).events.messages === 2);

    const nc = await connect({ servers: NATS_TEST_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const stored = await jsm.streams.getMessage(connection.eventsStream, { seq: 1 });
      expect(stored?.subject).toBe(`${connection.prefix}.events.TRADE_EXECUTED`);
      expect(stored?.json()).toEqual({ flow_id: 'F1', quantity: '0.015' });
    } finally {
      await nc.close();
    }
  });

  it('reports closed after close()', async () => {
    const connection = await open();
    const statuses: string[] = [];
    connection.onStatus((s) => statuses.push(s));
    await connection.close();
    await until('the closed status', () => Promise.resolve(connection.status() === 'closed'));
    expect(statuses).toEqual(['closed']);
  });
});
