import type { ApiRouter } from '../api-router.js';
import { HealthAnswer, ReadyAnswer } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';

/** /healthz, /readyz and /metrics: for process supervisors, load balancers and Prometheus (no token). */
export function operationRoutes(api: ApiRouter, ctx: ServerContext): void {
  api.route(
    { method: 'GET', path: '/healthz', tag: 'operations', summary: 'The process is up', responses: { 200: { description: 'up', schema: HealthAnswer } } },
    async () => ({ status: 'ok' }),
  );

  api.route(
    {
      method: 'GET',
      path: '/readyz',
      tag: 'operations',
      summary: 'Ready to execute: store writable, venue reachable, recovery done',
      responses: { 200: { description: 'ready', schema: ReadyAnswer }, 503: { description: 'a check failed (named)', schema: ReadyAnswer } },
    },
    async (_request, reply) => {
      const report = await ctx.readiness.check();
      const draining = ctx.draining();
      const answer = draining ? { ...report, ready: false } : report;
      return reply.code(answer.ready ? 200 : 503).send(answer);
    },
  );

  api.route(
    {
      method: 'GET',
      path: '/metrics',
      tag: 'operations',
      summary: 'Prometheus metrics (text format); empty when orchestration.plan_execution.monitoring.metrics_enabled is false',
      responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
    },
    async (_request, reply) => {
      const exposition = ctx.platform.metrics.exposition();
      if (exposition === null) return reply.type('text/plain; version=0.0.4').send('');
      return reply.type(exposition.contentType).send(await exposition.render());
    },
  );
}
