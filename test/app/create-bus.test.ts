import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/app/create-bus.js';
import { defaultConfig } from '../../src/config/schema.js';
import { configError } from '../support/config-error.js';
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

  it('refuses nats as not in this build, named in the config file', () => {
    const error = configError(() => createBus({ ...defaultConfig().bus, type: 'nats' }, silentLogger, 'platform.yaml'));
    expect(error.issues).toEqual([
      { file: 'platform.yaml', line: null, column: null, keyPath: 'bus.type', rule: 'not_in_this_build', message: 'nats is planned — not in this build; this build runs memory' },
    ]);
  });
});
