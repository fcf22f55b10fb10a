import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  jetstream,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  directivesWildcard,
  directiveSubject,
  eventSubject,
  eventsWildcard,
  parseDirectiveSubject,
  partitionConsumerName,
  partitionFilter,
  subjectPrefix,
} from './subjects.js';

export interface JetStreamConnectionOptions {
  /** nats://host:port (config `bus.url`). */
  readonly url: string;
  /** The directive stream (config `bus.stream`); events go to `<stream>_EVENTS`. */
  readonly stream: string;
  /** How many partitions the strategies are spread over; every producer and worker must agree. */
  readonly partitions: number;
  /** How long a delivered message may stay un-acked before it is redelivered. @default 30_000 */
  readonly ackWaitMs?: number;
  /** Delivered but un-acked messages a partition may have at once. @default 1 (see DEFAULT_MAX_ACK_PENDING) */
  readonly maxAckPending?: number;
  /** The connection's name, shown by the server (`nats-server` monitoring). @default 'planexec' */
  readonly name?: string;
}

export type ConnectionStatus = 'connected' | 'reconnecting' | 'closed';

/** The handler's verdict on one directive message. */
export type DeliveryVerdict = 'ack' | 'retry' | 'term';

/** One directive as a partition's consumer hands it to its handler. */
export interface DirectiveMessage {
  readonly data: Uint8Array;
  readonly text: string;
  readonly subject: string;
  readonly strategyId: string;
  readonly partition: number;
  readonly streamSeq: number;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
}

export type DirectiveHandler = (message: DirectiveMessage) => Promise<DeliveryVerdict>;

export interface ConsumePartitionOptions {
  /** Stops consuming: the handler running finishes and its verdict is applied, then the promise resolves. */
  readonly signal: AbortSignal;
  /** Messages asked for per pull. @default 8 */
  readonly batch?: number;
  /** The redelivery delay of a 'retry'. @default 1000 */
  readonly retryDelayMs?: number;
}

export interface PublishedDirective {
  readonly seq: number;
  /** JetStream had this msgID (directive_id) within its duplicate window: nothing new was stored. */
  readonly duplicate: boolean;
}

export interface PartitionConsumerInfo {
  readonly name: string;
  readonly partition: number | null;
  readonly num_pending: number;
  readonly num_ack_pending: number;
  readonly num_redelivered: number;
}

export interface StreamSnapshot {
  readonly stream: string;
  readonly messages: number;
  readonly first_seq: number;
  readonly last_seq: number;
  readonly events: { readonly stream: string; readonly messages: number };
  readonly consumers: readonly PartitionConsumerInfo[];
}

export interface EventPublishStats {
  readonly published: number;
  readonly failed: number;
}

export interface JetStreamConnection {
  readonly stream: string;
  readonly eventsStream: string;
  readonly prefix: string;
  readonly partitions: number;
  /** Creates both streams, or brings their config up to date; idempotent. */
  ensureStreams(): Promise<void>;
  /**
   * Publishes one directive line on its strategy's subject and waits for JetStream's PubAck. With a
   * directive_id (the msgID) a lost PubAck is asked for again by resending, for up to 30 s.
   */
  publishDirective(line: string, ids: { readonly directive_id: string | null; readonly strategy_id: string }): Promise<PublishedDirective>;
  /** Consumes partition k in stream order, one message at a time, until `signal` aborts. */
  consumePartition(k: number, handler: DirectiveHandler, options: ConsumePartitionOptions): Promise<void>;
  /** Mirrors an event on `<prefix>.events.<name>`; never throws, a failure is counted. */
  publishEvent(name: string, body: unknown): void;
  eventStats(): EventPublishStats;
  streamInfo(): Promise<StreamSnapshot>;
  status(): ConnectionStatus;
  /** Calls `listener` on every status change; returns the unsubscribe. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Drains: what was published is flushed, subscriptions end, the connection closes. */
  close(): Promise<void>;
}

const DEFAULT_ACK_WAIT_MS = 30_000;
/**
 * One directive of a partition out at a time: the server then never hands out a directive before
 * the one ahead of it is acknowledged, so order holds across a nak, a redelivery after ack_wait and
 * a handover to another worker (tested: with more out at once, a handed-back batch comes back out
 * of order). Throughput comes from many partitions, each with its own consumer.
 */
const DEFAULT_MAX_ACK_PENDING = 1;
const DEFAULT_BATCH = 8;
const DEFAULT_RETRY_DELAY_MS = 1000;
const RECONNECT_WAIT_MS = 250;
/** How long one pull waits for messages (the client's minimum is 1 s); an abort ends it at once. */
const PULL_EXPIRES_MS = 5_000;
const REQUEST_TIMEOUT_MS = 5_000;
const DUPLICATE_WINDOW_MS = 2 * 60_000;
const EVENTS_MAX_AGE_MS = 7 * 24 * 3_600_000;
const RETRY_PAUSE_MS = { first: 100, max: 2_000 };
/** How long a directive with a directive_id is resent while its PubAck does not come (well within the duplicate window). */
const PUBLISH_RETRY_MS = 30_000;
/** How long an unconfirmed ack is asked again at least (a NATS restart takes seconds). */
const ACK_RETRY_MIN_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Thrown by a handler: not a transport problem, so it ends the consumer instead of being retried. */
class HandlerFailure extends Error {
  constructor(readonly original: unknown) {
    super('the directive handler threw', { cause: original });
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
}

/** Connects to NATS (reconnecting forever, every ~250 ms) and returns the directive/event transport. */
export async function connectJetStream(options: JetStreamConnectionOptions): Promise<JetStreamConnection> {
  const prefix = subjectPrefix(options.stream);
  checkPositiveInteger('partitions', options.partitions);
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxAckPending = options.maxAckPending ?? DEFAULT_MAX_ACK_PENDING;
  checkPositiveInteger('ackWaitMs', ackWaitMs);
  checkPositiveInteger('maxAckPending', maxAckPending);
  const nc = await connect({
    servers: options.url,
    name: options.name ?? 'planexec',
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    reconnectJitter: 50,
  });
  const jsm = await jetstreamManager(nc, { timeout: REQUEST_TIMEOUT_MS });
  const js = jetstream(nc, { timeout: REQUEST_TIMEOUT_MS });
  return new NatsJetStreamConnection(nc, js, jsm, {
    stream: options.stream,
    prefix,
    partitions: options.partitions,
    ackWaitMs,
    maxAckPending,
  });
}

interface CompiledOptions {
  readonly stream: string;
  readonly prefix: string;
  readonly partitions: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
}

class NatsJetStreamConnection implements JetStreamConnection {
  readonly stream: string;
  readonly eventsStream: string;
  readonly prefix: string;
  readonly partitions: number;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #ackWaitMs: number;
  readonly #maxAckPending: number;
  readonly #listeners = new Set<(status: ConnectionStatus) => void>();
  #status: ConnectionStatus = 'connected';
  #closing = false;
  #eventsPublished = 0;
  #eventsFailed = 0;

  constructor(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, options: CompiledOptions) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.stream = options.stream;
    this.eventsStream = `${options.stream}_EVENTS`;
    this.prefix = options.prefix;
    this.partitions = options.partitions;
    this.#ackWaitMs = options.ackWaitMs;
    this.#maxAckPending = options.maxAckPending;
    void this.#watchStatus();
  }

  async #watchStatus(): Promise<void> {
    void this.#nc.closed().then(() => this.#setStatus('closed'));
    for await (const event of this.#nc.status()) {
      if (event.type === 'disconnect' || event.type === 'reconnecting') this.#setStatus('reconnecting');
      else if (event.type === 'reconnect') this.#setStatus('connected');
    }
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status || this.#status === 'closed') return;
    this.#status = status;
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch {
        // a listener's bug must not stop the others from hearing about the connection
      }
    }
  }

  status(): ConnectionStatus {
    return this.#status;
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async ensureStreams(): Promise<void> {
    await this.#ensureStream({
      name: this.stream,
      subjects: [directivesWildcard(this.prefix)],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
    await this.#ensureStream({
      name: this.eventsStream,
      subjects: [eventsWildcard(this.prefix)],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: nanos(EVENTS_MAX_AGE_MS),
    });
  }

  async #ensureStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    try {
      await this.#jsm.streams.info(config.name);
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
      await this.#jsm.streams.add(config);
      return;
    }
    const { name, storage: _fixedAtCreation, ...update } = config;
    await this.#jsm.streams.update(name, update);
  }

  async publishDirective(line: string, ids: { readonly directive_id: string | null; readonly strategy_id: string }): Promise<PublishedDirective> {
    const subject = directiveSubject(this.prefix, ids.strategy_id, this.partitions);
    if (!ids.directive_id) return this.#publishOnce(subject, line, {});
    // with a msgID a resend is deduplicated, so an answer lost to a restart is asked for again
    const giveUpAt = Date.now() + PUBLISH_RETRY_MS;
    let pauseMs = RETRY_PAUSE_MS.first;
    for (;;) {
      try {
        return await this.#publishOnce(subject, line, { msgID: ids.directive_id });
      } catch (error) {
        if (error instanceof JetStreamApiError || this.#nc.isClosed() || Date.now() + pauseMs >= giveUpAt) throw error;
        await sleep(pauseMs);
        pauseMs = Math.min(pauseMs * 2, RETRY_PAUSE_MS.max);
      }
    }
  }

  async #publishOnce(subject: string, line: string, options: { msgID?: string }): Promise<PublishedDirective> {
    const ack = await this.#js.publish(subject, line, options);
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  publishEvent(name: string, body: unknown): void {
    try {
      this.#nc.publish(eventSubject(this.prefix, name), JSON.stringify(body));
      this.#eventsPublished += 1;
    } catch {
      // events are a mirror: a flow never waits or fails on them; the count tells the dashboard
      this.#eventsFailed += 1;
    }
  }

  eventStats(): EventPublishStats {
    return { published: this.#eventsPublished, failed: this.#eventsFailed };
  }

  async streamInfo(): Promise<StreamSnapshot> {
    const [directives, events, consumers] = await Promise.all([
      this.#jsm.streams.info(this.stream),
      this.#jsm.streams.info(this.eventsStream),
      this.#jsm.consumers.list(this.stream).next(),
    ]);
    return {
      stream: this.stream,
      messages: directives.state.messages,
      first_seq: directives.state.first_seq,
      last_seq: directives.state.last_seq,
      events: { stream: this.eventsStream, messages: events.state.messages },
      consumers: consumers.map((c) => this.#consumerSnapshot(c)).sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  #consumerSnapshot(info: ConsumerInfo): PartitionConsumerInfo {
    const match = new RegExp(`^${this.prefix}_p(\\d+)$`).exec(info.name);
    return {
      name: info.name,
      partition: match ? Number(match[1]) : null,
      num_pending: info.num_pending,
      num_ack_pending: info.num_ack_pending,
      num_redelivered: info.num_redelivered,
    };
  }

  async #ensureConsumer(k: number): Promise<string> {
    const name = partitionConsumerName(this.prefix, k);
    const config: Partial<ConsumerConfig> = {
      durable_name: name,
      filter_subject: partitionFilter(this.prefix, k),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.#ackWaitMs),
      max_ack_pending: this.#maxAckPending,
    };
    try {
      const info = await this.#jsm.consumers.info(this.stream, name);
      if (info.config.ack_wait !== config.ack_wait || info.config.max_ack_pending !== config.max_ack_pending) {
        await this.#jsm.consumers.update(this.stream, name, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
      }
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
      await this.#jsm.consumers.add(this.stream, config);
    }
    return name;
  }

  async consumePartition(k: number, handler: DirectiveHandler, options: ConsumePartitionOptions): Promise<void> {
    if (!Number.isInteger(k) || k < 0 || k >= this.partitions) throw new RangeError(`partition ${k} is not in 0..${this.partitions - 1}`);
    const { signal } = options;
    const batch = options.batch ?? DEFAULT_BATCH;
    checkPositiveInteger('batch', batch);
    const retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    let consumerName: string | null = null;
    let pauseMs = RETRY_PAUSE_MS.first;
    while (!signal.aborted) {
      try {
        consumerName ??= await this.#ensureConsumer(k);
        const consumer = await this.#js.consumers.get(this.stream, consumerName);
        const messages = await consumer.fetch({ max_messages: batch, expires: PULL_EXPIRES_MS });
        // stop() still yields what was already received, which is then handed back below
        const stop = (): void => void messages.stop();
        signal.addEventListener('abort', stop, { once: true });
        try {
          for await (const msg of messages) {
            // received but not begun: handed back at once, so the next owner gets it before anything newer
            if (signal.aborted) msg.nak();
            else await this.#deliver(k, msg, handler, retryDelayMs, signal);
          }
        } finally {
          signal.removeEventListener('abort', stop);
        }
        pauseMs = RETRY_PAUSE_MS.first;
      } catch (error) {
        if (error instanceof HandlerFailure) throw error.original;
        if (signal.aborted || this.#closing) return;
        if (this.#nc.isClosed()) throw error;
        if (isApiError(error, JetStreamApiCodes.ConsumerNotFound) || isApiError(error, JetStreamApiCodes.StreamNotFound)) consumerName = null;
        // the server is away (restart, leader change): pull again once it is back
        await pause(pauseMs, signal);
        pauseMs = Math.min(pauseMs * 2, RETRY_PAUSE_MS.max);
      }
    }
  }

  async #deliver(k: number, msg: JsMsg, handler: DirectiveHandler, retryDelayMs: number, signal: AbortSignal): Promise<void> {
    const parsed = parseDirectiveSubject(this.prefix, msg.subject);
    if (parsed === null || parsed.partition !== k) {
      // not a subject we publish: nothing could ever handle it, redelivering it would block nothing but waste
      msg.term(`not a directive subject of partition ${k}`);
      return;
    }
    // long handlers tell the server they are alive, so the message is not redelivered under them
    const keepAlive = setInterval(() => this.#working(msg), Math.max(1, Math.floor(this.#ackWaitMs / 3)));
    try {
      let verdict: DeliveryVerdict;
      try {
        verdict = await handler({
          data: msg.data,
          text: msg.string(),
          subject: msg.subject,
          strategyId: parsed.strategyId,
          partition: k,
          streamSeq: msg.info.streamSequence,
          deliveryCount: msg.info.deliveryCount,
        });
      } catch (error) {
        throw new HandlerFailure(error);
      }
      switch (verdict) {
        case 'ack':
          await this.#ack(msg, signal);
          return;
        case 'retry':
          msg.nak(retryDelayMs);
          return;
        case 'term':
          msg.term();
          return;
        default:
          throw new HandlerFailure(new TypeError(`a directive handler returned ${JSON.stringify(verdict satisfies never)}, not 'ack', 'retry' or 'term'`));
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  #working(msg: JsMsg): void {
    try {
      msg.working();
    } catch {
      // disconnected: the next tick tries again, and a lost message is only redelivered
    }
  }

  /**
   * Acks and waits for the server to confirm it. A confirmation lost to a disconnect is asked for
   * again on the message's reply subject until it comes: a lost ack would redeliver the directive
   * after newer ones and so break its strategy's order. Gives up on abort, close, or after
   * max(ack_wait, 30 s): the directive is then redelivered, and executing it again is a duplicate
   * by its directive_id.
   */
  async #ack(msg: JsMsg, signal: AbortSignal): Promise<void> {
    try {
      await msg.ackAck({ timeout: REQUEST_TIMEOUT_MS });
      return;
    } catch {
      // fall through: ask again once the connection is back
    }
    const reply = (msg as JsMsg & { readonly reply?: string }).reply;
    if (!reply) return;
    const giveUpAt = Date.now() + Math.max(this.#ackWaitMs, ACK_RETRY_MIN_MS);
    let pauseMs = RETRY_PAUSE_MS.first;
    while (!this.#nc.isClosed() && !signal.aborted && Date.now() < giveUpAt) {
      try {
        await this.#nc.request(reply, '+ACK', { timeout: REQUEST_TIMEOUT_MS });
        return;
      } catch {
        await pause(pauseMs, signal);
        pauseMs = Math.min(pauseMs * 2, RETRY_PAUSE_MS.max);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#nc.isClosed()) return;
    this.#closing = true;
    await this.#nc.drain();
  }
}
