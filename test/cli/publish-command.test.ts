import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planexec } from '../e2e/run-cli.js';
import { closeWire, newTradeWire } from '../support/directives.js';
import { natsReachable, scratchStream } from '../support/nats.js';

const reachable = await natsReachable();

describe.runIf(reachable)('planexec publish', () => {
  let dir: string;
  let stream: Awaited<ReturnType<typeof scratchStream>>;
  let config: string;
  const open = newTradeWire({ strategy_id: 'pub_a' });
  const lines = [open, newTradeWire({ strategy_id: 'pub_b' }), closeWire([open.directive_id], { strategy_id: 'pub_a' })].map((d) => JSON.stringify(d));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'planexec-publish-'));
    stream = await scratchStream();
    config = join(dir, 'platform.yaml');
    // the workers' own file: the store it names is not opened by publish
    writeFileSync(config, `storage:\n  type: postgres\n  url: postgres://127.0.0.1/planexec\nbus:\n  type: nats\n  url: ${stream.url}\n  stream: ${stream.name}\n  partitions: 4\n`);
  });

  afterAll(async () => {
    await stream.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every valid line, in order per strategy, and exits 0 once JetStream acknowledged them', async () => {
    const file = join(dir, 'plan.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const published = await planexec(['publish', '--config', config, '--directives', file, '--json']);
    expect(published.code, published.stderr).toBe(0);
    expect(JSON.parse(published.stdout)).toEqual({ published: 3, duplicates: 0, invalid: 0, failed: 0, stream: stream.name, first_seq: 1, last_seq: 3 });
    const stored = await stream.messages();
    expect(stored.filter((m) => m.subject.endsWith('.pub_a')).map((m) => JSON.parse(m.text).directive_id)).toEqual([open.directive_id, JSON.parse(lines[2]!).directive_id]);
  });

  it('stores a line published again once (JetStream dedupe by directive_id)', async () => {
    const again = await planexec(['publish', '--config', config, '--json', '-'], { input: `${lines[0]}\n` });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ published: 0, duplicates: 1 });
  });

  it('reports an invalid line with its field and rule, does not publish it, and exits 1', async () => {
    const bad = JSON.stringify({ ...newTradeWire({ strategy_id: 'pub_c' }), scope: 'OPEN_TRADE' });
    const good = JSON.stringify(newTradeWire({ strategy_id: 'pub_c' }));
    const result = await planexec(['publish', '--config', config, '-'], { input: `${bad}\n${good}\n` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^line 1: not published: scope: .*\[enum\]/m);
    expect(result.stdout).toMatch(/published 1 directive\(s\) to .*1 invalid line\(s\) not published/);
  });

  it('refuses a config without bus.type nats, naming the key (exit 2)', async () => {
    const memory = join(dir, 'memory.yaml');
    writeFileSync(memory, 'bus:\n  type: memory\n');
    const result = await planexec(['publish', '--config', memory, '-'], { input: `${lines[0]}\n` });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bus\.type is memory: publish needs bus\.type nats/);
  });
});
