import { isoTime } from '../../domain/clock.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import { errorMessage } from '../../domain/errors.js';
import { sendAlert } from '../alerting.js';
import { Deadline } from '../deadline.js';
import { flowContext, type FlowServices } from '../flow-services.js';
import type { FlowState } from '../flow-stopper.js';
import { readFlowHistory, type FlowHistory } from './flow-history.js';
import { rebuildTrade } from './rebuild-trade.js';

/** A finished NEW_TRADE flow whose trade may be rebuilt from the venue. */
export interface Rebuildable {
  readonly flowId: string;
  readonly directive: ExecutionDirective;
  readonly history: FlowHistory;
}

/** The flow, if it finished and was a NEW_TRADE: null otherwise. */
export async function findRebuildable(services: FlowServices, flowId: string): Promise<Rebuildable | null> {
  const flow = await services.flows.get(flowId);
  if (!flow || flow.status === 'RUNNING') return null;
  const history = await readFlowHistory(services.journal, flow);
  const directive = history.directive;
  if (directive?.scope !== 'NEW_TRADE') return null;
  return { flowId, directive, history };
}

/**
 * Rebuild the trade of a finished NEW_TRADE from the venue (its entry looked up by client order id,
 * fills booked once) after the ledger failed where the venue acted. Sends nothing; no stop (the flow
 * has had it). False when there is nothing to rebuild or it failed (alerted).
 */
export async function rebuildFlow(services: FlowServices, { flowId, directive, history }: Rebuildable): Promise<boolean> {
  const logger = services.logger.child({ flow_id: flowId, directive_id: directive.directive_id, strategy_id: directive.strategy_id, recovery: true });
  const deadline = new Deadline(services.clock, services.config.timeout_seconds);
  const state: FlowState = { flowId, directiveId: directive.directive_id, strategyId: directive.strategy_id, line: history.line, startedAtMs: 0, stopped: null };
  const ctx = flowContext(services, state, logger, history.lastEntryId, deadline.signal);
  ctx.resumeFrom(history.legs);
  try {
    const position = await rebuildTrade(ctx, directive, services.scopeDeps);
    if (!position) return false;
    await ctx.write('POLICY_APPLIED', { policy: 'recovery', value: 'reconcile_ledger', decision: 'ledger_rebuilt_from_venue', trade_id: directive.directive_id, position });
    await ctx.settle();
    logger.warn({ trade_id: directive.directive_id }, 'recovery rebuilt a trade the ledger had lost from the venue');
    return true;
  } catch (error) {
    logger.error({ err: error }, 'recovery could not rebuild the trade from the venue');
    await sendAlert(services.alerts, logger, {
      severity: 'critical',
      code: 'RECOVERY_REBUILD_FAILED',
      message: `could not rebuild trade ${directive.directive_id} from the venue: ${errorMessage(error)}`,
      flow_id: flowId,
      directive_id: directive.directive_id,
      timestamp: isoTime(services.clock.now()),
    });
    return false;
  } finally {
    await deadline.cancel();
  }
}
