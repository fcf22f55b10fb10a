import type { CliIo } from '../../src/cli/cli-io.js';

/** What a command run in process wrote and the exit code it set. */
export interface CapturedCliIo {
  readonly io: CliIo;
  stdout: string;
  stderr: string;
  code: number | undefined;
}

/** A CliIo that keeps what is written, for running commands in process (runCli). */
export function captureCliIo(): CapturedCliIo {
  const c: CapturedCliIo = {
    stdout: '',
    stderr: '',
    code: undefined,
    io: {
      stdout: (s) => {
        c.stdout += s;
      },
      stderr: (s) => {
        c.stderr += s;
      },
      setExitCode: (code) => {
        c.code = code;
      },
    },
  };
  return c;
}
