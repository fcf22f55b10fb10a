#!/usr/bin/env node
import { processCliIo } from './cli-io.js';
import { runCli } from './program.js';

await runCli(process.argv.slice(2), processCliIo());
