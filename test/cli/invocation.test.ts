import { describe, expect, it } from 'vitest';
import { invocation } from '../../src/cli/invocation.js';

describe('invocation', () => {
  it('is `planexec` when run as the installed bin', () => {
    expect(invocation('/usr/local/bin/planexec', '/home/me')).toBe('planexec');
  });

  it('is `node <relative path>` when run from a checkout', () => {
    expect(invocation('/work/planexec/dist/cli/main.js', '/work/planexec')).toBe('node dist/cli/main.js');
  });

  it('keeps an absolute path when the script lies outside the working directory', () => {
    expect(invocation('/opt/planexec/dist/cli/main.js', '/home/me')).toBe('node /opt/planexec/dist/cli/main.js');
  });
});
