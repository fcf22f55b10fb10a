import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import type { Position } from '../../domain/trading.js';
import type { InstrumentRules } from '../../ports/connector.js';
import type { ExecutionContext } from '../execution-context.js';
import type { ScopeDeps, ScopeOutcome } from '../scopes/scope-types.js';
import { icebergVisible, twapSchedule } from './child-schedule.js';
import { type ExecutionPlan, planBody, planFromBody, priceBound } from './execution-plan.js';
import type { ExecutionChoice } from './style-choice.js';
import { runStyledEntry, type StyleServices } from './styled-entry.js';

export interface StyledEntryInput {
  readonly directive: ExecutionDirective;
  readonly choice: Exclude<ExecutionChoice, { style: 'SINGLE' }>;
  /** The entry's size and limit on the instrument's grid. */
  readonly quantity: Decimal;
  readonly limitPrice: Decimal | undefined;
  readonly rules: InstrumentRules;
  /** The trade before any child filled. */
  readonly position: Position;
}

/**
 * A NEW_TRADE entry sent as PASSIVE, TWAP or ICEBERG: the plan is decided (decision price, bound,
 * schedule), journaled and the empty trade written, then the children run. A resumed flow takes
 * the plan its first run journaled and the trade as the ledger holds it.
 */
export async function startStyledEntry(ctx: ExecutionContext, deps: ScopeDeps, services: StyleServices, input: StyledEntryInput): Promise<ScopeOutcome> {
  const journaled = ctx.resume?.executionPlan ? planFromBody(ctx.resume.executionPlan) : null;
  if (journaled) {
    const position = (await ctx.readLedger(`trade ${journaled.trade_id}`, () => deps.ledger.getPosition(journaled.trade_id))) ?? input.position;
    return runStyledEntry(ctx, deps, services, journaled, position);
  }
  const plan = await decidePlan(ctx, deps, services, input);
  await ctx.write('EXECUTION_PLANNED', { phase: 'planned', ...planBody(plan) });
  await ctx.applyLedger({ positions: [input.position] });
  return runStyledEntry(ctx, deps, services, plan, input.position);
}

async function decidePlan(ctx: ExecutionContext, deps: ScopeDeps, services: StyleServices, input: StyledEntryInput): Promise<ExecutionPlan> {
  const { directive, choice, quantity, rules } = input;
  const entry = directive.entry_plan;
  const routing = directive.routing_plan ?? {};
  if (!entry) throw new TypeError('a styled entry without entry_plan');
  const decision = await deps.executor.referencePrice(ctx, entry.symbol);
  const sizeRules = { lotSize: rules.lot_size, minQuantity: rules.min_quantity, minNotional: rules.min_notional };
  const capabilities = deps.connector.capabilities;
  const children =
    choice.style === 'TWAP'
      ? twapSchedule({ total: quantity, chunks: choice.chunks, windowMs: choice.windowMs, distribution: choice.distribution, rules: sizeRules, price: decision }).map((c, i) => ({
          leg: `T${i + 1}`,
          quantity: c.quantity,
          offset_ms: c.offsetMs,
        }))
      : [];
  const visible = choice.style === 'ICEBERG' ? icebergVisible({ total: quantity, visibility: choice.visibility, rules: sizeRules, price: decision }) : null;
  return {
    trade_id: directive.directive_id,
    style: choice.style,
    chosen_by: choice.chosenBy,
    symbol: entry.symbol,
    side: entry.direction,
    quantity,
    decision_price: decision,
    decided_at_ms: services.clock.now(),
    window_ms: choice.windowMs,
    price_bound: priceBound(entry.direction, decision, routing.max_slippage_pct, input.limitPrice),
    min_fill_ratio: routing.min_fill_ratio ?? ZERO,
    distribution: choice.style === 'TWAP' ? choice.distribution : null,
    children,
    visible_quantity: visible,
    native_iceberg: visible !== null && capabilities.nativeIceberg,
    post_only: choice.style !== 'TWAP' && capabilities.postOnly,
    reprice_interval_ms: services.config.reprice_interval_seconds * 1000,
  };
}
