/**
 * Where a command writes and how it ends: injected so commands are tested without a process.
 * stdout carries command output only; diagnostics and logs go to stderr.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Sets the process exit code; commands never call process.exit. */
  readonly setExitCode: (code: number) => void;
}

/** The real process's streams and exit code. */
export function processCliIo(): CliIo {
  return {
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}
