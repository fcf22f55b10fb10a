import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/app/create-bus.js';
import { defaultConfig } from '../../src/config/schema.js';
import { silentLogger } from '../support/fakes.js';

describe('createBus', () => {
  it('builds the in-process bus for bus.type memory: delivery is synchronous', () => {
    const bus = createBus(defaultConfig().bus, silentLogger);
    const heard: string[] = [];
    const id = bus.subscribe('TRADING_STATE_CHANGED', (record) => heard.push(record.state));
    bus.publish('TRADING_STATE_CHANGED', { state: 'HALTED', previous: 'ACTIVE', reason: 'drill', changed_by: 'cli', changed_at: '2026-11-24T10:00:00.000Z' });
    expect(heard).toEqual(['HALTED']);
    bus.unsubscribe(id);
  });

  it('keeps the in-process bus for bus.type nats: flows still publish and subscribe in process', () => {
    const bus = createBus({ ...defaultConfig().bus, type: 'nats' }, silentLogger);
    const heard: string[] = [];
    bus.subscribe('TRADING_STATE_CHANGED', (record) => heard.push(record.state));
    bus.publish('TRADING_STATE_CHANGED', { state: 'HALTED', previous: 'ACTIVE', reason: 'drill', changed_by: 'cli', changed_at: '2026-11-24T10:00:00.000Z' });
    expect(heard).toEqual(['HALTED']);
  });
});
