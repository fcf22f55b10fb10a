import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { explain, planexec } from './run-cli.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-readers-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// a live-like config whose webhook URL is a secret taken from the environment
const CONFIG = `
storage:
  path: world.db
alerts:
  webhook:
    url: \${PLANEXEC_TEST_WEBHOOK}
`;

describe('commands that only read need no secrets', () => {
  it('positions, journal, orders and verify run without the variables a writer needs; run still refuses, located', async () => {
    const config = join(dir, 'platform.yaml');
    writeFileSync(config, CONFIG);
    const secretEnv = { PLANEXEC_TEST_WEBHOOK: 'http://127.0.0.1:9/hook' };
    const directive = JSON.stringify(newTradeWire({ directive_id: 'DIR_SECRETLESS_1' }));
    const written = await planexec(['run', '--config', config, '--json', '-'], { input: `${directive}\n`, env: secretEnv });
    expect(written.code, explain(written)).toBe(0);

    for (const args of [['positions'], ['journal'], ['orders'], ['verify'], ['journal', '--verify']]) {
      const read = await planexec([...args, '--config', config], { env: { PLANEXEC_TEST_WEBHOOK: undefined } });
      expect(read.code, `${args.join(' ')}: ${explain(read)}`).toBe(0);
      expect(read.stderr).not.toContain('PLANEXEC_TEST_WEBHOOK');
    }
    const positions = await planexec(['positions', '--config', config, '--json'], { env: { PLANEXEC_TEST_WEBHOOK: undefined } });
    expect((JSON.parse(positions.stdout) as { trade_id: string }[]).map((p) => p.trade_id)).toEqual(['DIR_SECRETLESS_1']);

    const refused = await planexec(['run', '--config', config, '--json', '-'], { input: `${directive}\n`, env: { PLANEXEC_TEST_WEBHOOK: undefined } });
    expect(refused.code, explain(refused)).toBe(2);
    expect(refused.stderr).toMatch(/platform\.yaml:6:\d+: alerts\.webhook\.url: environment variable PLANEXEC_TEST_WEBHOOK is not set/);
  });
});
