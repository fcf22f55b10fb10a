import { afterEach, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../../src/app/create-platform.js';
import { defaultConfig, type PlatformConfig } from '../../../src/config/schema.js';
import type { FlowResult } from '../../../src/orchestration/plan-execution-orchestrator.js';
import { closeWire, newTradeWire } from '../../support/directives.js';
import { silentLogger } from '../../support/fakes.js';
import { startLoopbackVenue, type FaultPlan, type LoopbackVenue } from '../../support/loopback-venue/index.js';

let venue: LoopbackVenue | undefined;
let platform: Platform | undefined;

afterEach(async () => {
  await platform?.close();
  await venue?.close();
  platform = undefined;
  venue = undefined;
});

function ccxtConfig(url: string): PlatformConfig {
  const config = defaultConfig();
  const plan = config.orchestration.plan_execution;
  return {
    ...config,
    orchestration: {
      ...config.orchestration,
      plan_execution: {
        ...plan,
        attempt_timeout_ms: 800,
        retry_policy: { ...plan.retry_policy, max_retries: 6, initial_delay_ms: 10, max_delay_ms: 50, jitter: 0 },
        // the grace outlasts the venue's "not found" window, as it must on a live venue
        in_doubt: { max_checks: 20, check_interval_ms: 100, not_found_grace_ms: 600 },
      },
    },
    connector: {
      ...config.connector,
      type: 'ccxt',
      ccxt: { ...config.connector.ccxt, exchange: 'binance', sandbox: false, api_key: 'k', api_secret: 's', api_base_url: url, rate_limit: false, poll_interval_ms: 100 },
    },
  };
}

/**
 * The orchestrator, unchanged, over the ccxt connector and a venue that times out after taking
 * orders, rate-limits, fails reads and hides fresh orders for a while: every leg is sent once.
 */
describe('the platform over the ccxt connector and a faulty venue', () => {
  it('opens and closes trades through timeouts and 5xx after acceptance, 429s, 503s on reads and "not found" windows: one venue order per leg, every flow succeeded', async () => {
    const faults: FaultPlan = {
      seed: 11,
      endpoints: {
        placeOrder: { timeoutAfterAcceptRate: 0.25, timeoutHoldMs: 1500, rateLimitRate: 0.2, retryAfterSeconds: 0, serverErrorAfterAcceptRate: 0.2 },
        getOrder: { serverErrorRate: 0.2, notFoundAfterCreateMs: 300 },
        myTrades: { notFoundAfterCreateMs: 300 },
      },
    };
    // as on Binance, a used client order id is refused only while its order is open
    venue = await startLoopbackVenue({ balances: { USDT: '100000', BTC: '1' }, duplicateWindowMs: 0, faults });
    platform = await createPlatform({ config: ccxtConfig(venue.url), dbPath: ':memory:', logger: silentLogger, recover: false });
    const submit = (input: unknown): Promise<FlowResult> => platform!.orchestrator.submit({ input, source: { kind: 'internal' }, received_at: Date.now() }) as Promise<FlowResult>;

    const opens = Array.from({ length: 5 }, (_, i) => newTradeWire({ strategy_id: `s${i}`, size_plan: { position_size: '0.01' } }));
    const results: FlowResult[] = [];
    for (const directive of opens) results.push(await submit(directive));
    for (const directive of opens) results.push(await submit(closeWire([directive.directive_id], { strategy_id: directive.strategy_id })));

    expect(results.map((r) => [r.outcome, r.error_code])).toEqual(results.map(() => ['SUCCEEDED', null]));
    const state = await venue.client.state();
    const byClientId = new Map<string, number>();
    for (const order of state.orders) byClientId.set(String(order.clientOrderId), (byClientId.get(String(order.clientOrderId)) ?? 0) + 1);
    expect([...byClientId.values()].every((n) => n === 1)).toBe(true);
    expect(state.orders).toHaveLength(10);
    const faulted = (await venue.client.requests('POST /api/v3/order')).map((r) => r.fault);
    // the faults really happened: the run went through them
    expect(faulted).toContain('timeout_after_accept');
    expect(faulted).toContain('rate_limit');
    expect(faulted).toContain('server_error_after_accept');
  }, 120_000);
});
