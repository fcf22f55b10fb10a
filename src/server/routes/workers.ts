import { hostname } from 'node:os';
import { z } from 'zod';
import type { WorkerRecord } from '../../ports/store.js';
import type { ApiRouter } from '../api-router.js';
import type { ServerContext } from '../server-context.js';

const WorkerSchema = z.object({
  worker_id: z.string(),
  host: z.string(),
  pid: z.number(),
  started_at: z.string(),
  heartbeat_at: z.string(),
  leases: z.number().describe('unfinished flows the worker holds'),
  alive: z.boolean(),
  stopped_at: z.string().nullable(),
});

export const WorkersAnswer = z.object({
  mode: z.enum(['single', 'distributed']).describe('single: one process writes an embedded store; distributed: workers share PostgreSQL'),
  this_worker: z.string(),
  workers: z.array(WorkerSchema),
  stream: z
    .object({ name: z.string(), url: z.string(), status: z.string(), partitions: z.array(z.number()).describe("the partitions this worker consumes") })
    .nullable()
    .describe('this worker\'s JetStream intake (bus.type nats); null without one'),
});

const STARTED_AT = new Date().toISOString();

/** Every worker of the store (the dashboard's workers panel): id, lease count, last heartbeat. */
export function workerRoutes(api: ApiRouter, ctx: ServerContext): void {
  api.route(
    {
      method: 'GET',
      path: '/api/workers',
      tag: 'operations',
      summary: 'The workers sharing this store: id, host, lease count, last heartbeat, alive; and this worker\'s stream partitions',
      responses: { 200: { description: 'the workers, live ones first', schema: WorkersAnswer } },
    },
    async () => {
      const { platform, directiveStream } = ctx;
      const registry = platform.store.workers;
      const stream = directiveStream === null ? null : { name: directiveStream.stream, url: directiveStream.url, status: directiveStream.status(), partitions: [...directiveStream.partitions()] };
      if (registry !== undefined) return { mode: 'distributed' as const, this_worker: registry.workerId, workers: await registry.list(), stream };
      // the embedded store has one writer: this process
      const now = new Date().toISOString();
      const self: WorkerRecord = { worker_id: `${hostname()}-${process.pid}`, host: hostname(), pid: process.pid, started_at: STARTED_AT, heartbeat_at: now, leases: (await platform.store.flows.counts()).RUNNING, alive: true, stopped_at: null };
      return { mode: 'single' as const, this_worker: self.worker_id, workers: [self], stream };
    },
  );
}
