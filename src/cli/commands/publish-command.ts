import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { openDirectivePublisher } from '../../app/create-bus.js';
import { parseDirectiveLine } from '../../domain/directive.js';
import { errorMessage, ValidationError } from '../../domain/errors.js';
import type { CliIo } from '../cli-io.js';
import { type GlobalOptions, loadCliConfig, type WorldOptions } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { LineReader } from '../read-lines.js';
import { inputSource, openInput } from './run-command.js';

interface PublishOptions extends WorldOptions, GlobalOptions {
  readonly directives?: string;
  readonly json?: boolean;
}

/** Lines of different strategies in flight at once (a strategy's own lines go one after another). */
const IN_FLIGHT = 256;

export interface PublishSummary {
  published: number;
  duplicates: number;
  invalid: number;
  failed: number;
  stream: string;
  first_seq: number | null;
  last_seq: number | null;
}

/** `planexec publish --config FILE (--directives FILE | -) [--json]`: JSON Lines into the directive stream. */
export function registerPublishCommand(program: Command, io: CliIo, stdin: Readable = process.stdin): Command {
  return program
    .command('publish')
    .description('publish ExecutionDirectives (JSON Lines, a file or stdin) to the NATS JetStream directive stream (bus.type nats), in order per strategy; exits 0 once JetStream acknowledged every line')
    .argument('[-]', 'read the directives from stdin')
    .option('--directives <file>', 'JSON Lines file, one directive per line ("-" = stdin)')
    .option('--config <file>', 'platform.yaml: bus.url, bus.stream, bus.partitions (bus.type must be nats)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--json', 'one JSON summary object: {"published":…,"duplicates":…,"invalid":…,"failed":…,"stream":…,"first_seq":…,"last_seq":…}')
    .action(async (positional: string | undefined, _opts: PublishOptions, command: Command) => {
      const opts = command.optsWithGlobals<PublishOptions>();
      const source = await inputSource(positional, opts.directives);
      const { config } = loadCliConfig(opts);
      if (config.bus.type !== 'nats') {
        throw new UsageError(`bus.type is ${config.bus.type}: publish needs bus.type nats (bus.url, bus.stream) in --config`);
      }
      let publisher;
      try {
        publisher = await openDirectivePublisher(config.bus);
      } catch (error) {
        throw new UsageError(`cannot reach the directive stream ${config.bus.stream} at ${config.bus.url}: ${errorMessage(error)}`);
      }
      const summary: PublishSummary = { published: 0, duplicates: 0, invalid: 0, failed: 0, stream: publisher.stream, first_seq: null, last_seq: null };
      const progress = createProgress({ enabled: opts.json !== true, ...(source.size === undefined ? {} : { total: source.size }) });
      // each strategy's lines chained, so they are stored in file order; strategies in parallel
      const tails = new Map<string, Promise<void>>();
      const inFlight = new Set<Promise<void>>();
      let position = 0;
      try {
        for await (const input of new LineReader(openInput(source, stdin)).lines()) {
          position += input.bytes + 1;
          let ids: { directive_id: string; strategy_id: string };
          try {
            if (input.oversize) throw new ValidationError([{ path: '', rule: 'max_size', message: `a directive must be at most 65536 bytes; this one has ${input.oversize.bytes}` }]);
            const directive = parseDirectiveLine(input.text);
            ids = { directive_id: directive.directive_id, strategy_id: directive.strategy_id };
          } catch (error) {
            summary.invalid += 1;
            const issues = error instanceof ValidationError ? error.issues.map((i) => `${i.path || '(root)'}: ${i.message} [${i.rule}]`).join('; ') : errorMessage(error);
            io.stderr(`line ${input.line}: not published: ${issues}\n`);
            continue;
          }
          while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
          const previous = tails.get(ids.strategy_id) ?? Promise.resolve();
          const sent: Promise<void> = previous.then(async () => {
            try {
              const ack = await publisher.publish(input.text, ids);
              if (ack.duplicate) summary.duplicates += 1;
              else summary.published += 1;
              summary.first_seq = summary.first_seq === null ? ack.seq : Math.min(summary.first_seq, ack.seq);
              summary.last_seq = Math.max(summary.last_seq ?? 0, ack.seq);
            } catch (error) {
              summary.failed += 1;
              io.stderr(`line ${input.line}: not acknowledged by JetStream: ${errorMessage(error)}\n`);
            }
            progress.update(position, { processed: summary.published + summary.duplicates + summary.failed, succeeded: summary.published, failed: summary.failed, in_doubt: 0, duplicates: summary.duplicates, adjusted: 0, failures_by_reason: {} });
          });
          tails.set(ids.strategy_id, sent);
          inFlight.add(sent);
          void sent.finally(() => inFlight.delete(sent));
        }
        await Promise.all(inFlight);
      } finally {
        progress.stop();
        await publisher.close().catch(() => undefined);
      }
      if (opts.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else {
        const seqs = summary.first_seq === null ? '' : ` (stream seq ${summary.first_seq}..${summary.last_seq})`;
        io.stdout(`published ${summary.published} directive(s) to ${summary.stream}${seqs}; ${summary.duplicates} duplicate(s) already in the stream, ${summary.invalid} invalid line(s) not published, ${summary.failed} not acknowledged\n`);
      }
      io.setExitCode(summary.invalid + summary.failed === 0 ? ExitCode.OK : ExitCode.FAILURE);
    });
}
