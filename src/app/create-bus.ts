import type { Logger } from 'pino';
import { InMemoryEventBus } from '../bus/in-memory-event-bus.js';
import { mirrorEvents } from '../bus/nats/event-mirror.js';
import { connectJetStream, type JetStreamConnection } from '../bus/nats/jetstream-connection.js';
import { JetStreamIntake } from '../bus/nats/jetstream-intake.js';
import type { PlatformConfig } from '../config/schema.js';
import { ConfigError } from '../domain/errors.js';
import type { IEventBus } from '../ports/bus.js';
import type { PlanexecEvents } from '../ports/events.js';
import type { Clock } from '../domain/clock.js';
import type { DirectiveSubmission } from '../domain/dto.js';
import type { IPlatformStore } from '../ports/store.js';

/**
 * The event bus inside one process. `bus.type: nats` keeps it (flows publish and subscribe in
 * process) and adds the JetStream side: the directive intake of `planexec serve` and the events
 * mirrored for other services (openDirectiveStream).
 */
export function createBus(_bus: PlatformConfig['bus'], logger: Logger): IEventBus<PlanexecEvents> {
  return new InMemoryEventBus<PlanexecEvents>({ logger });
}

/** A worker's JetStream side while it runs: which partitions it consumes, and the stop. */
export interface DirectiveStream {
  readonly stream: string;
  readonly url: string;
  /** The partitions this worker consumes now. */
  partitions(): readonly number[];
  /** 'connected', 'reconnecting' or 'closed'. */
  status(): string;
  /** Stop consuming (the message in hand is finished), stop mirroring, close the connection. */
  close(): Promise<void>;
}

/** What the directive stream needs of the running platform (a Platform is one). */
export interface DirectiveStreamHost {
  readonly config: PlatformConfig;
  readonly store: IPlatformStore;
  readonly bus: IEventBus<PlanexecEvents>;
  readonly clock: Clock;
  readonly orchestrator: {
    submit(submission: DirectiveSubmission): Promise<{ readonly outcome: 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT' | 'DUPLICATE'; readonly error_code: string | null }>;
    readonly pending: number;
  };
}

/**
 * Connect this worker to the directive stream (`bus.type: nats`): claim its share of the
 * partitions, consume them into the orchestrator, and mirror the platform's events. Needs a store
 * several workers share (storage.type postgres): the partitions and the flows are leased there.
 */
export async function openDirectiveStream(platform: DirectiveStreamHost, logger: Logger): Promise<DirectiveStream> {
  const { config, store, orchestrator, bus } = platform;
  const workers = store.workers;
  if (workers === undefined) {
    throw new ConfigError([
      { file: '(config)', line: null, column: null, keyPath: 'bus.type', rule: 'needs_shared_store', message: 'bus.type nats needs storage.type postgres: the workers share their partitions and flows through it' },
    ]);
  }
  const connection: JetStreamConnection = await connectJetStream({
    url: config.bus.url,
    stream: config.bus.stream,
    partitions: config.bus.partitions,
    ackWaitMs: config.bus.ack_wait_seconds * 1000,
    name: `planexec ${workers.workerId}`,
  });
  const stopMirror = mirrorEvents(bus, connection);
  const intake = new JetStreamIntake({
    connection,
    workers,
    submit: (submission) => orchestrator.submit(submission),
    onAccepted: (listener) => {
      const id = bus.subscribe('DIRECTIVE_ACCEPTED', (accepted) => {
        if (accepted.source.kind === 'nats') listener(accepted.directive_id);
      });
      return () => bus.unsubscribe(id);
    },
    pending: () => orchestrator.pending,
    maxPending: config.orchestration.plan_execution.concurrency.max_pending_directives,
    clock: platform.clock,
    logger,
    claimEveryMs: Math.max(500, Math.floor(workers.leaseMs / 3)),
  });
  connection.onStatus((status) => logger.warn({ nats: status }, `NATS connection ${status}`));
  try {
    await intake.start();
  } catch (error) {
    stopMirror();
    await connection.close().catch(() => undefined);
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    stream: config.bus.stream,
    url: config.bus.url,
    partitions: () => intake.partitions,
    status: () => connection.status(),
    close: () =>
      (closing ??= (async () => {
        await intake.stop();
        stopMirror();
        await connection.close();
      })()),
  };
}

/** Feeds directive lines into the stream (`planexec publish`). */
export interface DirectivePublisher {
  readonly stream: string;
  /** Resolves once JetStream acknowledged the line (stored, or a duplicate of a directive_id it holds). */
  publish(line: string, ids: { readonly directive_id: string | null; readonly strategy_id: string }): Promise<{ readonly seq: number; readonly duplicate: boolean }>;
  close(): Promise<void>;
}

/** Connect to the directive stream of `bus` (type nats) to publish into it; the streams are created if missing. */
export async function openDirectivePublisher(bus: PlatformConfig['bus']): Promise<DirectivePublisher> {
  const connection = await connectJetStream({ url: bus.url, stream: bus.stream, partitions: bus.partitions, ackWaitMs: bus.ack_wait_seconds * 1000, name: 'planexec publish' });
  try {
    await connection.ensureStreams();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
  return {
    stream: bus.stream,
    publish: (line, ids) => connection.publishDirective(line, ids),
    close: () => connection.close(),
  };
}
