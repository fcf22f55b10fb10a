import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../src/app/create-platform.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import { defaultConfig } from '../../src/config/schema.js';
import { newTradeWire } from '../support/directives.js';
import { silentLogger } from '../support/fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-platform-trading-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const solTrade = () =>
  newTradeWire({ entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '1' }, exit_plan: undefined, timestamp: new Date().toISOString() });

describe('Platform.tradingState', () => {
  it('is wired to the orchestrator and the bus, and a restarted platform starts in the state it was left in', async () => {
    const db = join(dir, 'planexec.db');
    const first = await createPlatform({ config: defaultConfig(), dbPath: db, logger: silentLogger });
    const published: PlanexecEvents['TRADING_STATE_CHANGED'][] = [];
    try {
      expect(first.tradingState.current().state).toBe('ACTIVE');
      first.bus.subscribe('TRADING_STATE_CHANGED', (payload) => published.push(payload));
      await first.tradingState.set({ state: 'HALTED', reason: 'venue incident', changed_by: 'ops' });
      expect(published).toMatchObject([{ state: 'HALTED', previous: 'ACTIVE', reason: 'venue incident', changed_by: 'ops' }]);

      const denied = await first.orchestrator.submit({ input: solTrade(), source: { kind: 'internal' }, received_at: Date.now() });
      expect(denied).toMatchObject({ outcome: 'FAILED', error_code: 'TRADING_STATE_HALTED' });
      expect(await first.store.ledger.listOrders()).toEqual([]);
    } finally {
      await first.close();
    }

    const second = await createPlatform({ config: defaultConfig(), dbPath: db, logger: silentLogger });
    try {
      expect(second.tradingState.current()).toMatchObject({ state: 'HALTED', reason: 'venue incident', changed_by: 'ops' });
      await second.tradingState.set({ state: 'ACTIVE', reason: 'incident closed', changed_by: 'ops' });
      const run = await second.orchestrator.submit({ input: solTrade(), source: { kind: 'internal' }, received_at: Date.now() });
      expect(run.outcome).toBe('SUCCEEDED');
    } finally {
      await second.close();
    }
  });
});
