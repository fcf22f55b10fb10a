import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { acquireWriterLease, assertStoreExists, openStore } from '../../app/open-store.js';
import { platformPaths, storeLocation } from '../../app/platform-paths.js';
import { systemClock } from '../../domain/clock.js';
import { DatabaseInUseError, ValidationError } from '../../domain/errors.js';
import { printable } from '../../domain/printable.js';
import { TRADING_STATES, type TradingState, type TradingStateChange, type TradingStateRecord } from '../../ports/trading-state.js';
import { checkTradingStateChange, isTradingState, JournaledTradingState, readTradingState } from '../../orchestration/trading-state.js';
import type { CliIo } from '../cli-io.js';
import { loadCliConfig, loadReaderConfig, WAIT_OPTION_HELP, type WorldOptions, type WriterOptions, writerLockRequest } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { withExistingStore } from '../open-store.js';
import { DEFAULT_TOKEN_ENV, fetchTradingState, putTradingState, ServerRequestError, serverUrl, type TradingStateServer } from '../trading-state-client.js';

interface TradingStateOptions extends WorldOptions, WriterOptions {
  readonly json?: boolean;
  readonly url?: string;
  readonly tokenEnv?: string;
}

interface SetOptions extends TradingStateOptions {
  readonly reason: string;
  readonly by?: string;
}

export interface TradingStateCommandOptions {
  /** Where the token variable is read; default process.env. */
  readonly environ?: NodeJS.ProcessEnv;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * `planexec trading-state [--db PATH] [--json]` shows the kill switch; `planexec trading-state set
 * ACTIVE|REDUCING|HALTED --reason TEXT [--by NAME]` moves it in the database (taking the writer
 * lease: exit 3 while `planexec serve` holds it); with `--url` both go through a running
 * `planexec serve` (GET / PUT /api/trading-state) instead. docs/kill-switch.md.
 */
export function registerTradingStateCommand(program: Command, io: CliIo, options: TradingStateCommandOptions = {}): Command {
  const command = program
    .command('trading-state')
    .description('show or set the kill switch: ACTIVE, REDUCING (only exposure-reducing directives run) or HALTED (only CLOSE_EXISTING runs)')
    .option('--config <file>', 'platform.yaml (for storage.path)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db)')
    .option('--json', 'print the record as one JSON object')
    .option('--url <url>', 'ask a running planexec serve at this address (http://HOST:PORT) instead of the database')
    .option('--token-env <name>', `with --url: the environment variable holding the API token (default: server.auth_token_env of --config, else ${DEFAULT_TOKEN_ENV})`)
    .action(async (_opts: TradingStateOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TradingStateOptions>();
      await reporting(io, async () => {
        const record = opts.url !== undefined ? await fetchTradingState(server(opts, options)) : await readFromDatabase(opts);
        io.stdout(opts.json ? `${JSON.stringify(record)}\n` : recordText(record));
      });
    });

  command
    .command('set')
    .description('change the trading state (journaled with who and why; survives restarts)')
    .argument('<state>', `the new state: ${TRADING_STATES.join(', ')}`)
    .requiredOption('--reason <text>', 'why (1..500 characters): journaled and shown in every denial')
    .option('--by <name>', 'who changes it (default: cli:<user name>); with --url the server records its token label instead')
    .option('--wait', WAIT_OPTION_HELP)
    .configureHelp({ showGlobalOptions: true })
    .action(async (stateText: string, _opts: SetOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<SetOptions>();
      const state = parseState(stateText);
      if (opts.url !== undefined && opts.by !== undefined) throw new UsageError('--by cannot be used with --url: planexec serve records the label of the token that made the change');
      const change = checkedChange({ state, reason: opts.reason, changed_by: opts.by ?? defaultChanger() });
      await reporting(io, async () => {
        const record = opts.url !== undefined ? await putTradingState(server(opts, options), { state: change.state, reason: change.reason }) : await setInDatabase(io, opts, change);
        io.stdout(opts.json ? `${JSON.stringify(record)}\n` : `trading state set\n${recordText(record)}`);
      });
    });
  return command;
}

function parseState(text: string): TradingState {
  const state = text.toUpperCase();
  if (isTradingState(state)) return state;
  throw new UsageError(`the trading state must be one of ${TRADING_STATES.join(', ')}, got "${text}"`);
}

function checkedChange(change: TradingStateChange): TradingStateChange {
  try {
    return checkTradingStateChange(change);
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(error.issues.map((i) => `--${i.path === 'changed_by' ? 'by' : i.path}: ${i.message} [${i.rule}]`).join('; '));
    throw error;
  }
}

function defaultChanger(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function server(opts: TradingStateOptions, options: TradingStateCommandOptions): TradingStateServer {
  const url = serverUrl(opts.url ?? '');
  // the variable serve reads its token from (server.auth_token_env of --config), unless named here
  const configured = opts.tokenEnv === undefined && opts.config !== undefined ? loadReaderConfig(opts).config.server.auth_token_env : undefined;
  const variable = opts.tokenEnv ?? configured ?? DEFAULT_TOKEN_ENV;
  const token = (options.environ ?? process.env)[variable];
  if ((opts.tokenEnv ?? configured) !== undefined && (token === undefined || token === '')) {
    throw new UsageError(`${opts.tokenEnv !== undefined ? '--token-env' : 'server.auth_token_env'} ${variable}: that environment variable is not set`);
  }
  return { url, token: token === undefined || token === '' ? null : token, tokenVariable: variable, ...(options.fetch ? { fetch: options.fetch } : {}) };
}

async function readFromDatabase(opts: TradingStateOptions): Promise<TradingStateRecord> {
  const { config } = loadReaderConfig(opts);
  return withExistingStore(storeLocation(config, opts.db), (store) => readTradingState(store.journal));
}

async function setInDatabase(io: CliIo, opts: SetOptions, change: TradingStateChange): Promise<TradingStateRecord> {
  const { config } = loadCliConfig(opts);
  const { store: db } = platformPaths(config, opts.db);
  // a typo in --db must not create a database: the switch belongs to one that exists
  await assertStoreExists(db);
  let lease;
  try {
    lease = await acquireWriterLease(db, writerLockRequest(io, opts));
  } catch (error) {
    if (error instanceof DatabaseInUseError) throw new TradingStateDatabaseInUse(error);
    throw error;
  }
  try {
    const store = await openStore(db, config.storage, { clock: systemClock });
    try {
      const control = await JournaledTradingState.open({ journal: store.journal, clock: systemClock });
      return await control.set(change);
    } finally {
      await store.close();
    }
  } finally {
    lease?.release();
  }
}

/** The database's writer (most likely `planexec serve`) owns the switch: change it through that process. */
class TradingStateDatabaseInUse extends Error {
  constructor(cause: DatabaseInUseError) {
    super(cause.message, { cause });
    this.name = 'TradingStateDatabaseInUse';
  }
}

/** Exit codes of the failures only this command has; everything else goes to reportError. */
async function reporting(io: CliIo, work: () => Promise<void>): Promise<void> {
  try {
    await work();
    io.setExitCode(ExitCode.OK);
  } catch (error) {
    if (error instanceof TradingStateDatabaseInUse) {
      io.stderr(
        `planexec: ${printable(error.message)}\n` +
          'planexec: nothing was changed; while planexec serve runs on this database, set the trading state through it: ' +
          'planexec trading-state set STATE --reason TEXT --url http://HOST:PORT [--config FILE] (token from server.auth_token_env of --config, PLANEXEC_TOKEN, or --token-env)\n',
      );
      io.setExitCode(ExitCode.DATABASE_IN_USE);
      return;
    }
    if (error instanceof ServerRequestError) {
      io.stderr(`planexec: ${printable(error.message)}\n`);
      io.setExitCode(ExitCode.FAILURE);
      return;
    }
    throw error;
  }
}

export function recordText(record: TradingStateRecord): string {
  if (record.changed_at === null) return `trading state: ${record.state} (never changed)\n`;
  return [
    `trading state: ${record.state}`,
    `reason:        ${printable(record.reason ?? '')}`,
    `changed by:    ${printable(record.changed_by ?? '')}`,
    `changed at:    ${record.changed_at}`,
    '',
  ].join('\n');
}
