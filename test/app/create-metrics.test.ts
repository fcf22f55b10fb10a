import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/app/create-metrics.js';
import { VenueErrorMetrics } from '../../src/metrics/venue-error-metrics.js';

describe('createMetrics', () => {
  it('serves the platform metrics, the kill-switch gauge and the venue counter when metrics are on', async () => {
    const venue = new VenueErrorMetrics();
    venue.unmappedError('binance', 'ExchangeNotAvailable');
    const metrics = createMetrics({ metrics_enabled: true, log_all_executions: false, alert_on_slow_execution_ms: 0 }, venue);
    metrics.tradingState('HALTED');
    const text = await metrics.exposition()!.render();
    expect(text).toContain('planexec_trading_state{state="HALTED"} 1');
    expect(text).toContain('planexec_trading_state{state="ACTIVE"} 0');
    expect(text).toMatch(/unmapped.*venue="binance".*1/);
  });

  it('records nothing and serves nothing when metrics are off', () => {
    const metrics = createMetrics({ metrics_enabled: false, log_all_executions: false, alert_on_slow_execution_ms: 0 }, new VenueErrorMetrics());
    metrics.tradingState('HALTED');
    expect(metrics.exposition()).toBeNull();
  });
});
