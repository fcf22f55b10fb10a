import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startLoopbackVenue } from './server.js';
import type { VenueConfig } from './options.js';

/**
 * Runs the loopback venue as its own process:
 *   node --import tsx test/support/loopback-venue/main.ts --port 0 [--config file.json]
 * prints `{"url":"http://127.0.0.1:PORT"}` once listening; SIGTERM or SIGINT closes it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, host: { type: 'string' }, config: { type: 'string' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  const config = values.config ? (JSON.parse(readFileSync(values.config, 'utf8')) as VenueConfig) : {};
  const venue = await startLoopbackVenue({ ...config, port, ...(values.host ? { host: values.host } : {}) });
  process.stdout.write(`${JSON.stringify({ url: venue.url })}\n`);
  const stop = () => {
    venue.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`loopback venue did not close cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`loopback venue failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
