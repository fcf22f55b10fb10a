import { type Decimal, decimalToWire, ZERO } from '../domain/decimal.js';
import type { ExecutionDirective } from '../domain/directive.js';
import type { Scope } from '../domain/enums.js';
import { RiskDenied } from '../domain/errors.js';
import { grossFilled, isIncreasingPurpose } from '../domain/position-math.js';
import type { OrderRecord, Position } from '../domain/trading.js';
import type { ExecutionContext } from './execution-context.js';
import { LIVE_ORDER_STATUSES } from './order-sync.js';
import type { ILedgerProvider } from '../ports/ledger.js';
import type { TradingState, TradingStateRecord } from '../ports/trading-state.js';

/** A MODIFY_EXISTING target as the ledger has it: the trade and its entry / increase orders still live at the venue. */
export interface TargetBook {
  readonly position: Position;
  readonly resting: readonly OrderRecord[];
}

/** Why a MODIFY_EXISTING adds size to one of its targets; null when it adds none. */
export function modifyAddsSize(directive: Pick<ExecutionDirective, 'size_plan' | 'entry_plan'>, targets: readonly TargetBook[]): string | null {
  const size = directive.size_plan?.position_size ?? null;
  for (const { position, resting } of targets) {
    const filled = grossFilled(position);
    const held = filled.plus(restingQuantity(resting));
    if (directive.entry_plan && (size === null || size.gt(filled))) {
      // an entry_plan re-prices (or sends) an order that adds to the trade, unless the size target leaves nothing to rest
      return `entry_plan would re-price or send an order adding to trade ${position.trade_id} (filled ${wire(filled)}${size === null ? '' : `, size_plan.position_size ${wire(size)}`})`;
    }
    if (size !== null && size.gt(held)) {
      return `size_plan.position_size ${wire(size)} is above what trade ${position.trade_id} holds and has resting (${wire(held)})`;
    }
  }
  return null;
}

/**
 * Whether a directive of `scope` may run in `state`: ACTIVE everything; REDUCING CLOSE_EXISTING
 * and a MODIFY_EXISTING that adds no size (`addsSize` says whether it does); HALTED only
 * CLOSE_EXISTING.
 */
export function tradingStateAllows(state: TradingState, scope: Scope, addsSize: boolean): boolean {
  switch (state) {
    case 'ACTIVE':
      return true;
    case 'REDUCING':
      return scope === 'CLOSE_EXISTING' || (scope === 'MODIFY_EXISTING' && !addsSize);
    case 'HALTED':
      return scope === 'CLOSE_EXISTING';
  }
}

/** The kill switch's refusal: reason `DENIED: trading state <STATE> (<why it was set>): …`, code TRADING_STATE_<STATE>. */
export function tradingStateDenied(record: TradingStateRecord, directive: Pick<ExecutionDirective, 'directive_id' | 'scope'>, detail: string | null): RiskDenied {
  const allowed = record.state === 'HALTED' ? 'only CLOSE_EXISTING runs' : 'only directives that reduce exposure run (CLOSE_EXISTING, a MODIFY_EXISTING that adds no size)';
  const why = record.reason ?? 'no reason recorded';
  return new RiskDenied(
    `DENIED: trading state ${record.state} (${why}): ${allowed}; ${directive.scope} ${directive.directive_id} not executed${detail === null ? '' : `: ${detail}`} [trading_state]`,
    `TRADING_STATE_${record.state}`,
    { rule: 'trading_state', trading_state: record.state, trading_state_reason: record.reason, changed_by: record.changed_by, changed_at: record.changed_at, scope: directive.scope },
  );
}

/** The RiskDenied codes of the kill switch (ACTIVE refuses nothing). */
export type TradingStateDenialCode = `TRADING_STATE_${Exclude<TradingState, 'ACTIVE'>}`;

const DENIAL_CODES: ReadonlySet<string> = new Set<TradingStateDenialCode>(['TRADING_STATE_HALTED', 'TRADING_STATE_REDUCING']);

/** Whether a flow's error is the kill switch's refusal. */
export function isTradingStateDenial(code: string): code is TradingStateDenialCode {
  return DENIAL_CODES.has(code);
}

/**
 * The kill switch at a directive's acceptance, before anything of it is sent: throws the denial
 * when `record` does not let it run. Under REDUCING a MODIFY_EXISTING's targets are read from
 * the ledger to see whether it adds size; targets the ledger does not know as open are left to
 * the scope, which refuses them itself.
 */
export async function checkTradingState(ctx: ExecutionContext, record: TradingStateRecord, directive: ExecutionDirective, ledger: ILedgerProvider): Promise<void> {
  // only REDUCING asks whether a MODIFY adds size: the ledger is read for nothing else
  const weighed = record.state === 'REDUCING' && directive.scope === 'MODIFY_EXISTING';
  const addsSize = weighed ? modifyAddsSize(directive, await targetBooks(ctx, directive, ledger)) : null;
  if (tradingStateAllows(record.state, directive.scope, addsSize !== null)) return;
  throw tradingStateDenied(record, directive, addsSize);
}

async function targetBooks(ctx: ExecutionContext, directive: ExecutionDirective, ledger: ILedgerProvider): Promise<TargetBook[]> {
  const books: TargetBook[] = [];
  for (const tradeId of directive.target_trade_ids ?? []) {
    const position = await ctx.readLedger(`trade ${tradeId} (trading state)`, () => ledger.getPosition(tradeId));
    if (position?.status !== 'OPEN') continue;
    const orders = await ctx.readLedger(`orders of ${tradeId} (trading state)`, () => ledger.listOrders({ trade_id: tradeId }));
    books.push({ position, resting: orders.filter((o) => isIncreasingPurpose(o.purpose) && LIVE_ORDER_STATUSES.includes(o.status)) });
  }
  return books;
}

function restingQuantity(orders: readonly OrderRecord[]): Decimal {
  return orders.reduce((sum, o) => sum.plus(o.quantity.minus(o.filled_quantity)), ZERO);
}

function wire(value: Decimal): string {
  return decimalToWire(value);
}

/** A kill-switch denial's stop reason starts with DENIED; the input line (already in a resumed flow's recorded message) goes last. */
export function denialReason(message: string, line: number | null): string {
  const denial = message.replace(/^line \d+: /, '');
  return line === null ? denial : `${denial} (line ${line})`;
}
