import { z } from 'zod';
import { zodIssues } from '../../domain/directive.js';
import { ValidationError } from '../../domain/errors.js';
import { TRADING_STATES } from '../../ports/trading-state.js';
import { checkTradingStateChange, REASON_MAX_LENGTH } from '../../orchestration/trading-state.js';
import type { ApiRouter } from '../api-router.js';
import { validationError } from '../api-errors.js';
import { ErrorSchema, ValidationErrorSchema } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';

export const TradingStateSchema = z.object({
  state: z.enum(TRADING_STATES as readonly ['ACTIVE', 'REDUCING', 'HALTED']),
  reason: z.string().nullable(),
  changed_by: z.string().nullable(),
  changed_at: z.string().nullable(),
});

export const TradingStateBody = z.strictObject({
  state: z.enum(TRADING_STATES as readonly ['ACTIVE', 'REDUCING', 'HALTED']).describe('ACTIVE trades; REDUCING lets only exposure-reducing directives run; HALTED lets only CLOSE_EXISTING run'),
  reason: z.string().min(1).max(REASON_MAX_LENGTH).describe('why: journaled with the change'),
});

/** The kill switch (docs/kill-switch.md): read it, or change it; a change is recorded as made by the token's label. */
export function tradingStateRoutes(api: ApiRouter, ctx: ServerContext): void {
  api.route(
    {
      method: 'GET',
      path: '/api/trading-state',
      tag: 'operations',
      summary: 'The kill switch: ACTIVE, REDUCING or HALTED, with who set it, when and why',
      responses: { 200: { description: 'the current trading state', schema: TradingStateSchema } },
    },
    async () => ctx.platform.tradingState.current(),
  );
  api.route(
    {
      method: 'PUT',
      path: '/api/trading-state',
      tag: 'operations',
      summary: 'Set the kill switch; the change is journaled (TRADING_STATE_CHANGED) with the token label and the reason, and survives restarts',
      body: TradingStateBody,
      responses: {
        200: { description: 'the new trading state, durable', schema: TradingStateSchema },
        400: { description: 'state or reason refused: each field with its rule', schema: ValidationErrorSchema },
        401: { description: 'no or wrong token', schema: ErrorSchema },
      },
    },
    async ({ raw }) => {
      const parsed = TradingStateBody.safeParse(raw.body ?? {});
      if (!parsed.success) {
        throw validationError(
          zodIssues(parsed.error, raw.body).map((i) => ({ ...i, index: null })),
          'trading state change',
        );
      }
      try {
        return await ctx.platform.tradingState.set(checkTradingStateChange({ ...parsed.data, changed_by: ctx.tokenLabel }));
      } catch (error) {
        if (error instanceof ValidationError) throw validationError(error.issues.map((i) => ({ ...i, index: null })), 'trading state change');
        throw error;
      }
    },
  );
}
