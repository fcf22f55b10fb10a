import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { registerConfigCommand } from '../../src/cli/commands/config-command.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-config-cmd-'));

function writeTemp(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

interface Run {
  readonly out: string;
  readonly err: string;
  readonly codes: number[];
}

async function planexec(args: string[], environ: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const codes: number[] = [];
  const program = new Command('planexec').exitOverride();
  registerConfigCommand(program, { stdout: (s) => (out += s), stderr: (s) => (err += s), setExitCode: (c) => codes.push(c) }, { environ });
  await program.parseAsync(['node', 'planexec', ...args]);
  return { out, err, codes };
}

const VALID = 'orchestration:\n  plan_execution:\n    timeout_seconds: 10\nenvironments:\n  paper:\n    server: { port: 9000 }\n  live:\n    connector: { paper: { latency_ms: 5 } }\n';
const INVALID = 'orchestration:\n  plan_execution:\n    retry_policy:\n      max_retries: -1\n      backoff_strategy: random\nserver:\n  prot: 1\n';

describe('planexec config validate', () => {
  it('exits 0 and says the file is valid, naming what it checked', async () => {
    const file = writeTemp('valid.yaml', VALID);
    const run = await planexec(['config', 'validate', file]);
    expect(run.codes).toEqual([0]);
    expect(run.out).toBe(`${file}: valid (base and environments: paper, live)\n`);
    expect(run.err).toBe('');
  });

  it('with --env checks that environment only', async () => {
    const file = writeTemp('valid.yaml', VALID);
    const run = await planexec(['config', 'validate', file, '--env', 'live']);
    expect(run.codes).toEqual([0]);
    expect(run.out).toBe(`${file}: valid (environment: live)\n`);
  });

  it('a file without environments is just valid', async () => {
    const file = writeTemp('plain.yaml', 'logging: { level: debug }\n');
    expect((await planexec(['config', 'validate', file])).out).toBe(`${file}: valid\n`);
  });

  it('exits 2 and prints every issue as file:line:col: key.path: message [rule]', async () => {
    const file = writeTemp('invalid.yaml', INVALID);
    const run = await planexec(['config', 'validate', file]);
    expect(run.codes).toEqual([2]);
    expect(run.out).toBe('');
    expect(run.err.split('\n')).toEqual([
      `${file}:4:20: orchestration.plan_execution.retry_policy.max_retries: must be at least 0 (got -1) [min]`,
      `${file}:5:25: orchestration.plan_execution.retry_policy.backoff_strategy: must be one of constant, linear, exponential (got random) [enum]`,
      `${file}:7:3: server.prot: unknown key "prot" (did you mean "port"?) [unknown_key]`,
      `${file}: invalid (3 problems)`,
      '',
    ]);
  });

  it('without --env an error in any environment fails the file', async () => {
    const file = writeTemp('env-error.yaml', 'environments:\n  live:\n    server:\n      port: high\n');
    const run = await planexec(['config', 'validate', file]);
    expect(run.codes).toEqual([2]);
    expect(run.err).toContain(`${file}:4:13: environments.live.server.port: must be a number (got high) [type]`);
    expect((await planexec(['config', 'validate', file, '--env', 'paper'])).err).toContain('[unknown_environment]');
  });

  it('without --env an unset variable is a note, not an error; with --env it is an error', async () => {
    const file = writeTemp('vars.yaml', 'environments:\n  live:\n    connector:\n      ccxt:\n        api_key: ${LIVE_KEY}\n');
    const all = await planexec(['config', 'validate', file]);
    expect(all.codes).toEqual([0]);
    expect(all.out).toBe(`${file}: valid (base and environments: live)\n`);
    expect(all.err).toBe(`note: ${file}:5:18: environments.live.connector.ccxt.api_key: environment variable LIVE_KEY is not set (write \${LIVE_KEY:-default} to give a default) [env_var_missing]\n`);
    const live = await planexec(['config', 'validate', file, '--env', 'live']);
    expect(live.codes).toEqual([2]);
    expect(live.err).toContain('[env_var_missing]');
    expect((await planexec(['config', 'validate', file, '--env', 'live'], { LIVE_KEY: 'k' })).codes).toEqual([0]);
  });

  it('the example file validates without its variables set', async () => {
    const example = new URL('../../examples/platform.yaml', import.meta.url).pathname;
    const run = await planexec(['config', 'validate', example]);
    expect(run.codes).toEqual([0]);
    expect(run.err.split('\n').filter(Boolean).every((l) => l.startsWith('note: ') && l.endsWith('[env_var_missing]'))).toBe(true);
  });

  it('exits 2 for a file that does not exist', async () => {
    const run = await planexec(['config', 'validate', join(dir, 'missing.yaml')]);
    expect(run.codes).toEqual([2]);
    expect(run.err).toContain('[file_unreadable]');
  });

  it('exits 2 for YAML that does not parse', async () => {
    const file = writeTemp('broken.yaml', 'server:\n  port: [1\n');
    const run = await planexec(['config', 'validate', file]);
    expect(run.codes).toEqual([2]);
    expect(run.err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: \\(root\\): .+ \\[yaml_syntax\\]`));
  });
});

describe('planexec config schema', () => {
  it('prints the JSON Schema as JSON and exits 0', async () => {
    const run = await planexec(['config', 'schema']);
    expect(run.codes).toEqual([0]);
    const schema = JSON.parse(run.out) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toContain('json-schema.org');
    expect(Object.keys(schema.properties)).toContain('orchestration');
  });
});

describe('planexec config show', () => {
  it('without a file prints the defaults as YAML, decimals as strings', async () => {
    const run = await planexec(['config', 'show']);
    expect(run.codes).toEqual([0]);
    expect(run.out.startsWith('# effective config: file (none: defaults), environment (none)\n')).toBe(true);
    const shown = parse(run.out) as { connector: { paper: { taker_fee_rate: unknown } }; orchestration: { plan_execution: { timeout_seconds: number } } };
    expect(shown.connector.paper.taker_fee_rate).toBe('0.001');
    expect(shown.orchestration.plan_execution.timeout_seconds).toBe(30);
  });

  it('--json prints the file merged with the chosen environment', async () => {
    const file = writeTemp('valid.yaml', VALID);
    const run = await planexec(['config', 'show', '--config', file, '--env', 'paper', '--json']);
    expect(run.codes).toEqual([0]);
    const shown = JSON.parse(run.out) as { server: { port: number }; orchestration: { plan_execution: { timeout_seconds: number } } };
    expect(shown.server.port).toBe(9000);
    expect(shown.orchestration.plan_execution.timeout_seconds).toBe(10);
  });

  it('takes the environment from PLANEXEC_ENV', async () => {
    const file = writeTemp('valid.yaml', VALID);
    const run = await planexec(['config', 'show', '--config', file, '--json'], { PLANEXEC_ENV: 'live' });
    expect((JSON.parse(run.out) as { connector: { paper: { latency_ms: number } } }).connector.paper.latency_ms).toBe(5);
  });

  it('exits 2 with the issues for an invalid file', async () => {
    const file = writeTemp('invalid.yaml', INVALID);
    const run = await planexec(['config', 'show', '--config', file]);
    expect(run.codes).toEqual([2]);
    expect(run.out).toBe('');
    expect(run.err).toContain('[unknown_key]');
  });
});
