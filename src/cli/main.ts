#!/usr/bin/env node
import { processCliIo } from './cli-io.js';
import { runCli } from './program.js';

// `planexec journal --json | head`: the reader left on purpose; stop quietly instead of crashing.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`planexec: cannot write to stdout: ${error.message}\n`);
  process.exit(1);
});

await runCli(process.argv.slice(2), processCliIo());
