import type { Logger } from 'pino';
import { isoTime, type Clock } from '../domain/clock.js';
import { errorMessage } from '../domain/errors.js';
import { sendAlert } from '../orchestration/alerting.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { IWorkerRegistry } from '../ports/store.js';

export interface WorkerPresenceDeps {
  readonly workers: IWorkerRegistry;
  /** Take over and finish flows whose worker's lease expired; resolves how many were taken. */
  readonly takeOver: () => Promise<number>;
  /** What the other workers changed that this one must follow (the kill switch); after each heartbeat. */
  readonly follow?: () => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerts: IAlertSink;
  /**
   * Called once when no heartbeat succeeded for a whole lease: other workers may now take this
   * worker's flows, so it must stop executing them (`planexec serve` exits).
   */
  readonly onLeaseLost?: (reason: string) => void;
}

/**
 * A worker's life in a shared store: a heartbeat every third of the lease renews the leases on
 * its flows, and after each heartbeat it follows the kill switch the others set and takes over the flows of workers whose leases expired
 * (each flow to one taker). If the store cannot be reached for a whole lease, the worker has lost
 * its flows to the others and says so (alert WORKER_LEASE_LOST, onLeaseLost).
 */
export class WorkerPresence {
  readonly #deps: WorkerPresenceDeps;
  #cancel: (() => void) | null = null;
  #lastBeat: number;
  #lost = false;
  #stopped = false;
  #beating: Promise<void> = Promise.resolve();

  constructor(deps: WorkerPresenceDeps) {
    this.#deps = deps;
    this.#lastBeat = deps.clock.now();
  }

  start(): void {
    this.#schedule();
  }

  /** One heartbeat and takeover now (the tests' and the timer's step). */
  beat(): Promise<void> {
    this.#beating = this.#beating.then(() => this.#beat());
    return this.#beating;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    await this.#beating;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#cancel = this.#deps.clock.after(Math.max(100, Math.floor(this.#deps.workers.leaseMs / 3)), () => {
      void this.beat().finally(() => this.#schedule());
    });
  }

  async #beat(): Promise<void> {
    const { workers, clock, logger } = this.#deps;
    if (this.#stopped || this.#lost) return;
    try {
      await workers.heartbeat();
      this.#lastBeat = clock.now();
    } catch (error) {
      const silentMs = clock.now() - this.#lastBeat;
      logger.error({ err: error, silent_ms: silentMs }, `worker heartbeat failed: ${errorMessage(error)}`);
      if (silentMs >= workers.leaseMs) await this.#leaseLost(`no heartbeat for ${silentMs} ms (lease ${workers.leaseMs} ms): ${errorMessage(error)}`);
      return;
    }
    try {
      await this.#deps.follow?.();
    } catch (error) {
      logger.error({ err: error }, `reading the other workers' changes failed: ${errorMessage(error)}`);
    }
    try {
      const taken = await this.#deps.takeOver();
      if (taken > 0) logger.warn({ taken }, `took over ${taken} flow(s) of a worker whose lease expired`);
    } catch (error) {
      logger.error({ err: error }, `taking over expired flows failed: ${errorMessage(error)}`);
    }
  }

  async #leaseLost(reason: string): Promise<void> {
    this.#lost = true;
    const { workers, clock, logger, alerts } = this.#deps;
    await sendAlert(alerts, logger, { severity: 'critical', code: 'WORKER_LEASE_LOST', message: `worker ${workers.workerId} lost its flow leases: ${reason}`, timestamp: isoTime(clock.now()) });
    this.#deps.onLeaseLost?.(reason);
  }
}
