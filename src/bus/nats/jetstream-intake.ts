import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.js';
import { parseDirectiveLine } from '../../domain/directive.js';
import type { DirectiveSubmission } from '../../domain/dto.js';
import { errorMessage } from '../../domain/errors.js';
import type { IWorkerRegistry } from '../../ports/store.js';
import type { DeliveryVerdict, DirectiveMessage, JetStreamConnection } from './jetstream-connection.js';

/** What the intake needs of a flow's end (the orchestrator's FlowResult). */
export interface IntakeFlowResult {
  readonly outcome: 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT' | 'DUPLICATE';
  readonly error_code: string | null;
}

export interface JetStreamIntakeDeps {
  readonly connection: JetStreamConnection;
  readonly workers: IWorkerRegistry;
  /** The orchestrator's submit: resolves when the flow stopped. */
  readonly submit: (submission: DirectiveSubmission) => Promise<IntakeFlowResult>;
  /** Calls `listener` with the directive id of every flow of this intake accepted durably (DIRECTIVE_ACCEPTED, source nats). */
  readonly onAccepted: (listener: (directiveId: string) => void) => () => void;
  /** Flows the orchestrator holds (waiting or running), and the bound beyond which the intake waits. */
  readonly pending: () => number;
  readonly maxPending: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often partitions are claimed and rebalanced (a third of the lease). */
  readonly claimEveryMs: number;
}

/** The error code of a flow that could not begin because the store was down: the message is redelivered, not lost. */
const STORE_DOWN = 'JOURNAL_UNAVAILABLE';
/** How long a directive waits before it is submitted again while the store is down. */
const STORE_DOWN_PAUSE_MS = 1_000;
const BUSY_POLL_MS = 200;
const FULL_POLL_MS = 20;

interface Consumer {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/**
 * Directives from JetStream into this worker's orchestrator (distributed mode, docs/deployment.md).
 * The stream's partitions are shared among the live workers through leases in the store; a worker
 * consumes its partitions in stream order, so a strategy's directives reach one worker in order.
 * Each message is submitted exactly as any intake submits, and acknowledged only once its flow is
 * accepted durably, or found a duplicate, or journaled as refused input; a store outage answers
 * 'retry' (redelivered later). Before the first directive of a strategy it takes over, the worker
 * waits until no other worker holds an unfinished flow of that strategy, so a strategy never runs
 * on two workers at once, even across a rebalance or a dead worker's recovery.
 */
export class JetStreamIntake {
  readonly #deps: JetStreamIntakeDeps;
  readonly #consumers = new Map<number, Consumer>();
  readonly #accepted = new Map<string, () => void>();
  /** Strategies checked free of other workers' flows since this worker last gained a partition. */
  readonly #cleared = new Set<string>();
  readonly #offAccepted: () => void;
  #cancelTimer: (() => void) | null = null;
  #claiming: Promise<void> = Promise.resolve();
  #stopped = false;
  #delivered = 0;

  constructor(deps: JetStreamIntakeDeps) {
    this.#deps = deps;
    this.#offAccepted = deps.onAccepted((id) => this.#accepted.get(id)?.());
  }

  /** Partitions consumed now, ascending. */
  get partitions(): number[] {
    return [...this.#consumers.keys()].sort((a, b) => a - b);
  }

  /** Messages handled since start. */
  get delivered(): number {
    return this.#delivered;
  }

  async start(): Promise<void> {
    await this.#deps.connection.ensureStreams();
    await this.claim();
    this.#schedule();
  }

  /** Claim and rebalance partitions now (the timer's step). */
  claim(): Promise<void> {
    this.#claiming = this.#claiming.then(() => this.#claim());
    return this.#claiming;
  }

  /** Stop consuming: the message in hand finishes and is acknowledged; partitions are given back. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer?.();
    await this.#claiming;
    await Promise.all([...this.#consumers.keys()].map((k) => this.#release(k)));
    this.#offAccepted();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#cancelTimer = this.#deps.clock.after(this.#deps.claimEveryMs, () => {
      void this.claim().finally(() => this.#schedule());
    });
  }

  async #claim(): Promise<void> {
    if (this.#stopped) return;
    const { workers, connection, logger } = this.#deps;
    try {
      const claim = await workers.claimPartitions(connection.partitions);
      // partitions lost to an expired lease (this worker was silent too long) stop at once
      for (const k of [...this.#consumers.keys()]) if (!claim.owned.includes(k)) await this.#release(k, false);
      if (claim.gained.length > 0) {
        this.#cleared.clear();
        logger.info({ partitions: claim.gained }, `consuming partition(s) ${claim.gained.join(', ')}`);
      }
      for (const k of claim.owned) if (!this.#consumers.has(k)) this.#consume(k);
      for (const k of claim.surplus) await this.#release(k);
    } catch (error) {
      logger.error({ err: error }, `partition claim failed: ${errorMessage(error)}`);
    }
  }

  #consume(k: number): void {
    const abort = new AbortController();
    const done = this.#deps.connection.consumePartition(k, (message) => this.#handle(message, abort.signal), { signal: abort.signal }).catch((error: unknown) => {
      this.#deps.logger.error({ err: error, partition: k }, `partition ${k} consumer stopped: ${errorMessage(error)}`);
    });
    this.#consumers.set(k, { abort, done });
  }

  async #release(k: number, giveBack = true): Promise<void> {
    const consumer = this.#consumers.get(k);
    if (consumer === undefined) return;
    consumer.abort.abort();
    await consumer.done;
    this.#consumers.delete(k);
    if (giveBack) await this.#deps.workers.releasePartition(k).catch(() => undefined);
  }

  async #handle(message: DirectiveMessage, signal: AbortSignal): Promise<DeliveryVerdict> {
    this.#delivered += 1;
    const submission: DirectiveSubmission = { input: message.text, source: { kind: 'nats' }, received_at: this.#deps.clock.now() };
    let directiveId: string | null;
    try {
      directiveId = parseDirectiveLine(message.text).directive_id;
    } catch {
      // refused input is journaled as a failed flow by the orchestrator (invariant 6), then acknowledged
      directiveId = null;
    }
    // while the store is down the message is held (kept alive at the server), not handed back:
    // a redelivery could come after newer directives of its strategy
    for (;;) {
      const verdict = await this.#submitOnce(submission, directiveId, message, signal);
      if (verdict !== 'store-down') return verdict;
      if (signal.aborted) return 'retry';
      this.#deps.logger.warn({ directive_id: directiveId, stream_seq: message.streamSeq }, 'the store is down: the directive is held and submitted again');
      await this.#deps.clock.sleep(STORE_DOWN_PAUSE_MS);
    }
  }

  async #submitOnce(submission: DirectiveSubmission, directiveId: string | null, message: DirectiveMessage, signal: AbortSignal): Promise<DeliveryVerdict | 'store-down'> {
    if (directiveId === null) {
      const result = await this.#deps.submit(submission);
      return result.error_code === STORE_DOWN ? 'store-down' : 'ack';
    }
    if (!(await this.#strategyFree(message.strategyId, signal))) return 'retry';
    while (this.#deps.pending() >= this.#deps.maxPending) {
      if (signal.aborted) return 'retry';
      await this.#deps.clock.sleep(FULL_POLL_MS);
    }
    const accepted = new Promise<'accepted'>((resolve) => this.#accepted.set(directiveId, () => resolve('accepted')));
    try {
      const ended = this.#deps.submit(submission);
      const first = await Promise.race([accepted, ended]);
      if (first !== 'accepted' && first.error_code === STORE_DOWN) return 'store-down';
      return 'ack';
    } finally {
      this.#accepted.delete(directiveId);
    }
  }

  /** True once no other worker holds an unfinished flow of the strategy; false if consuming stopped first. */
  async #strategyFree(strategyId: string, signal: AbortSignal): Promise<boolean> {
    if (this.#cleared.has(strategyId)) return true;
    for (;;) {
      try {
        if (!(await this.#deps.workers.strategyBusyElsewhere(strategyId))) break;
      } catch (error) {
        this.#deps.logger.error({ err: error, strategy_id: strategyId }, `cannot check the strategy's flows on other workers: ${errorMessage(error)}`);
      }
      if (signal.aborted) return false;
      await this.#deps.clock.sleep(BUSY_POLL_MS);
    }
    this.#cleared.add(strategyId);
    return true;
  }
}
