import type { AddressInfo } from 'node:net';
import { type Command, InvalidArgumentError } from 'commander';
import { type DirectiveStream, openDirectiveStream } from '../../app/create-bus.js';
import { createPlatform } from '../../app/create-platform.js';
import type { PlatformConfig } from '../../config/schema.js';
import { resolveAuthToken } from '../../server/auth.js';
import { buildServer } from '../../server/build-server.js';
import type { CliIo } from '../cli-io.js';
import { createCliLogger, type GlobalOptions, loadCliConfig, WAIT_OPTION_HELP, type WorldOptions, type WriterOptions, writerLockRequest } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';

interface ServeOptions extends WorldOptions, GlobalOptions, WriterOptions {
  readonly host?: string;
  readonly port?: number;
}

function portOption(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535) throw new InvalidArgumentError('must be an integer from 0 to 65535 (0 picks a free port)');
  return port;
}

function withListen(config: PlatformConfig, opts: ServeOptions): PlatformConfig {
  return { ...config, server: { ...config.server, ...(opts.host === undefined ? {} : { host: opts.host }), ...(opts.port === undefined ? {} : { port: opts.port }) } };
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Resolves with the first SIGTERM or SIGINT; a second one leaves at once (recovery finishes what was in flight). */
function untilSignalled(io: CliIo): { readonly signalled: Promise<NodeJS.Signals>; dispose(): void } {
  let first: NodeJS.Signals | null = null;
  let resolve!: (signal: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first !== null) {
      io.stderr(`planexec: ${signal} again: leaving now; recovery finishes the flows in flight at the next start\n`);
      process.exit(ExitCode.INTERRUPTED);
    }
    first = signal;
    resolve(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signalled,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/** `planexec serve [--config FILE] [--env NAME] [--db PATH] [--host H] [--port P] [--wait]`. */
export function registerServeCommand(program: Command, io: CliIo, version: string): Command {
  return program
    .command('serve')
    .description('run as a service: HTTP API (directive intake, flows, positions, orders, journal, verify), live event stream, dashboard, /metrics; SIGTERM drains and exits')
    .option('--config <file>', 'platform.yaml (default: none, every key at its default)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db); the paper venue file goes beside it')
    .option('--host <host>', 'interface to listen on (default: server.host, 127.0.0.1)')
    .option('--port <port>', 'TCP port (default: server.port, 8080; 0 picks a free one)', portOption)
    .option('--wait', WAIT_OPTION_HELP)
    .action(async (_opts: ServeOptions, command: Command) => {
      const opts = command.optsWithGlobals<ServeOptions>();
      const loaded = loadCliConfig(opts);
      const config = withListen(loaded.config, opts);
      // before the lock and the venue: a server that would be open to the network does not start
      const token = resolveAuthToken(config.server, process.env, loaded.file);
      const log = createCliLogger({ ...loaded, config, secrets: token === null ? loaded.secrets : new Set([...loaded.secrets, token]) }, opts);
      const signals = untilSignalled(io);
      try {
        const platform = await createPlatform({
          config,
          dbPath: opts.db,
          logger: log.logger,
          configFile: loaded.file,
          writerLock: writerLockRequest(io, opts),
          // other workers now finish this worker's flows: it must not touch them again, so it stops at once, as a crash would
          onWorkerLeaseLost: (reason) => {
            io.stderr(`planexec: this worker lost its flow leases (${reason}); stopping now, the other workers finish its flows\n`);
            process.exit(ExitCode.FAILURE);
          },
        });
        let server;
        let stream: DirectiveStream | null = null;
        try {
          if (config.bus.type === 'nats') stream = await openDirectiveStream(platform, log.logger.child({ component: 'jetstream' }));
          server = await buildServer({ platform, token, logger: log.logger.child({ component: 'http' }), version, directiveStream: stream });
          await server.app.listen({ host: config.server.host, port: config.server.port });
        } catch (error) {
          await server?.close().catch(() => undefined);
          await stream?.close().catch(() => undefined);
          await platform.close().catch(() => undefined);
          throw error;
        }
        io.stdout(`listening on ${urlOf(server.app.server.address() as AddressInfo)}\n`);
        if (stream !== null) io.stdout(`consuming ${stream.stream} at ${stream.url}: partitions ${stream.partitions().join(', ') || '(none yet)'}\n`);
        const signal = await signals.signalled;
        io.stderr(`planexec: ${signal}: no new directives; finishing the flows in flight\n`);
        server.beginDrain();
        let failure: unknown;
        try {
          // no new directives from the stream; the message in hand is accepted and acknowledged first
          await stream?.close();
          // the live stream stays up while flows drain, so watchers see their stops
          await platform.close();
        } catch (error) {
          failure = error;
        }
        await server.close();
        if (failure !== undefined) throw failure;
        io.setExitCode(ExitCode.OK);
      } finally {
        signals.dispose();
        log.close();
      }
    });
}
