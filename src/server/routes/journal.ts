import type { ApiRouter } from '../api-router.js';
import { ErrorSchema, JournalAnswer, JournalQuery } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';

export function journalRoutes(api: ApiRouter, ctx: ServerContext): void {
  api.route(
    {
      method: 'GET',
      path: '/api/journal',
      tag: 'journal',
      summary: 'The causality journal in seq order, a page after after_seq (next_after_seq: null at the end)',
      query: JournalQuery,
      responses: { 200: { description: 'journal entries', schema: JournalAnswer }, 400: { description: 'invalid query', schema: ErrorSchema } },
    },
    async ({ query }) => {
      const entries = await ctx.platform.store.journal.read({ after_seq: query.after_seq, limit: query.limit });
      const last = entries[entries.length - 1];
      return { entries, next_after_seq: entries.length === query.limit && last ? last.seq : null };
    },
  );
}
