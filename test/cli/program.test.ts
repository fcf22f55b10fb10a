import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { newTradeWire } from '../support/directives.js';
import { captureCliIo } from '../support/capture-cli-io.js';


const dir = mkdtempSync(join(tmpdir(), 'planexec-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runCli (in process)', () => {
  it('runs directives from the given stdin and prints the JSON summary', async () => {
    const c = captureCliIo();
    const stdin = Readable.from([`${JSON.stringify(newTradeWire())}\n{bad\n`]);
    await runCli(['run', '--log-level', 'silent', '--db', join(dir, 'a.db'), '--json', '-'], c.io, { stdin });
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout.trim())).toMatchObject({ processed: 2, succeeded: 1, failed: 1, in_doubt: 0, duplicates: 0 });
  });

  it('sets exit 2 and explains bad usage without running anything', async () => {
    const c = captureCliIo();
    await runCli(['run', '--db', join(dir, 'b.db')], c.io);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('no input: give --directives FILE');
    expect(c.stdout).toBe('');
  });

  it('sets exit 2 for an unknown option, with commander’s message on stderr', async () => {
    const c = captureCliIo();
    await runCli(['positions', '--colour'], c.io);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("unknown option '--colour'");
  });

  it('sets exit 0 for help, printed on stdout', async () => {
    const c = captureCliIo();
    await runCli(['run', '--help'], c.io);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('--directives <file>');
  });

  it('sets exit 0 for `help COMMAND` and 2 for a bare `planexec`', async () => {
    const help = captureCliIo();
    await runCli(['help', 'journal'], help.io);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--verify');
    const bare = captureCliIo();
    await runCli([], bare.io);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: planexec');
  });

  it('rejects a bad --log-level value with exit 2', async () => {
    const c = captureCliIo();
    await runCli(['--log-level', 'loud', 'journal'], c.io);
    expect(c.code).toBe(2);
  });
});
