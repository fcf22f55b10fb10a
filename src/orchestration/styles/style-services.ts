import type { ExecutionStylesConfig } from '../../config/schema.js';
import type { Clock } from '../../domain/clock.js';
import type { ITradingStateControl } from '../../ports/trading-state.js';

/** What a sliced or resting entry needs beyond the scope's dependencies. */
export interface StyleServices {
  readonly clock: Clock;
  readonly config: ExecutionStylesConfig;
  /** The execution's own time after the window (orchestration.plan_execution.timeout_seconds). */
  readonly timeoutSeconds: number;
  /** The kill switch: anything but ACTIVE stops the children still to come. */
  readonly tradingState?: Pick<ITradingStateControl, 'current'>;
}
