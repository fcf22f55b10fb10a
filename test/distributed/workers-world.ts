import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Decimal } from '../../src/domain/decimal.js';
import { MAIN, planexec, type CliResult } from '../e2e/run-cli.js';
import { startLoopbackVenue, type LoopbackVenue } from '../support/loopback-venue/index.js';
import { NATS_TEST_URL, scratchStream } from '../support/nats.js';
import { scratchSchema, schemaUrl } from '../support/postgres.js';

/**
 * Several `planexec serve` workers (their own processes) on one PostgreSQL schema and one
 * JetStream stream, trading on the loopback exchange as binance through ccxt; directives go in
 * with `planexec publish`. Everything it makes is its own: schema, stream, venue, folder.
 */
export interface WorkersWorld {
  readonly dir: string;
  readonly config: string;
  readonly venue: LoopbackVenue;
  readonly pool: pg.Pool;
  /** The workers' PostgreSQL application_name: their connections, to drop them. */
  readonly appName: string;
  readonly env: NodeJS.ProcessEnv;
  start(name: string): Promise<Worker>;
  publish(lines: readonly string[]): Promise<CliResult>;
  /** Resolves once every directive id has a flow that stopped (or after `timeoutMs`: the caller's checks then fail). */
  settled(directiveIds: readonly string[], timeoutMs: number): Promise<void>;
  check(input: DistributedInput): Promise<WorldCheck>;
  verify(): Promise<CliResult>;
  close(): Promise<void>;
}

export interface Worker {
  readonly name: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

export interface DistributedInput {
  readonly lines: readonly string[];
  readonly directiveIds: readonly string[];
  /** Each strategy's directive ids in file order. */
  readonly byStrategy: ReadonlyMap<string, readonly string[]>;
}

/** `rounds` × (open a 0.001 BTC trade, close it) for each of `strategies` strategies, interleaved. */
export function distributedInput(strategies: number, rounds: number, tag: string): DistributedInput {
  const lines: string[] = [];
  const ids: string[] = [];
  const byStrategy = new Map<string, string[]>();
  for (let r = 0; r < rounds; r += 1) {
    for (let s = 0; s < strategies; s += 1) {
      const strategy = `dist_${tag}_${s}`;
      const id = (k: number): string => `DIR_20261203_21${String(s).padStart(4, '0')}_${tag}${String(r * 2 + k).padStart(4, '0')}`;
      const open = { directive_id: id(0), strategy_id: strategy, scope: 'NEW_TRADE', timestamp: '2026-12-03T21:40:00Z', entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '0.001' }, exit_plan: { stop_loss_price: '60000', take_profit_price: '70000' }, routing_plan: { time_in_force: 'IOC' } };
      const close = { directive_id: id(1), strategy_id: strategy, scope: 'CLOSE_EXISTING', timestamp: '2026-12-03T21:41:00Z', target_trade_ids: [id(0)], routing_plan: { time_in_force: 'IOC' } };
      for (const d of [open, close]) {
        lines.push(JSON.stringify(d));
        ids.push(d.directive_id);
        byStrategy.set(strategy, [...(byStrategy.get(strategy) ?? []), d.directive_id]);
      }
    }
  }
  return { lines, directiveIds: ids, byStrategy };
}

export interface WorldCheck {
  /** Directive ids with no flow, or a flow still RUNNING. */
  readonly unfinished: readonly string[];
  /** Accepted more than once, or with more than one final entry. */
  readonly doubled: readonly string[];
  /** Strategies whose directives were accepted out of file order. */
  readonly outOfOrder: readonly string[];
  /** Client order ids the venue holds more than once. */
  readonly doubleSent: readonly string[];
  /** Base-asset holdings: the ledger's against the venue's. */
  readonly ledger: string;
  readonly venue: string;
  readonly outcomes: Readonly<Record<string, number>>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function workersWorld(options: { readonly natsUrl?: string; readonly leaseSeconds?: number; readonly partitions?: number } = {}): Promise<WorkersWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-workers-'));
  const scratch = await scratchSchema();
  const natsUrl = options.natsUrl ?? NATS_TEST_URL;
  const stream = await scratchStream(natsUrl);
  const venue = await startLoopbackVenue({ balances: { USDT: '1000000' }, apiKeys: ['dist-key'] });
  const appName = scratch.schema;
  const url = new URL(schemaUrl(scratch.schema));
  url.searchParams.set('application_name', appName);
  const config = join(dir, 'platform.yaml');
  writeFileSync(
    config,
    [
      'storage:',
      '  type: postgres',
      '  url: ${PLANEXEC_PG_URL}',
      `  lease_seconds: ${options.leaseSeconds ?? 2}`,
      'bus:',
      '  type: nats',
      `  url: ${natsUrl}`,
      `  stream: ${stream.name}`,
      `  partitions: ${options.partitions ?? 6}`,
      `  ack_wait_seconds: ${options.leaseSeconds ?? 2}`,
      'connector:',
      '  type: ccxt',
      '  ccxt:',
      '    exchange: binance',
      '    api_key: dist-key',
      '    api_secret: dist-secret',
      `    api_base_url: ${venue.url}`,
      '    sandbox: false',
      '    rate_limit: false',
      '    poll_interval_ms: 200',
      'logging:',
      '  level: warn',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, PLANEXEC_PG_URL: url.toString() };
  const workers: Worker[] = [];

  const start = async (name: string): Promise<Worker> => {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, 'serve', '--config', config, '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-20_000)));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-20_000)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const worker: Worker = { name, child, output: () => output, exited };
    workers.push(worker);
    const deadline = Date.now() + 30_000;
    while (!/consuming /.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker ${name} did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return worker;
  };

  const check = async (input: DistributedInput): Promise<WorldCheck> => {
    const flows = new Map((await scratch.pool.query<{ flow_id: string; status: string }>('SELECT flow_id, status FROM flows')).rows.map((r) => [r.flow_id, r.status]));
    const unfinished = input.directiveIds.filter((id) => (flows.get(id) ?? 'RUNNING') === 'RUNNING');
    const outcomes: Record<string, number> = {};
    for (const id of input.directiveIds) outcomes[flows.get(id) ?? 'MISSING'] = (outcomes[flows.get(id) ?? 'MISSING'] ?? 0) + 1;
    const doubled = (
      await scratch.pool.query<{ directive_id: string }>(
        `SELECT directive_id FROM journal WHERE directive_id = flow_id GROUP BY directive_id
         HAVING COUNT(*) FILTER (WHERE event_type = 'DIRECTIVE_ACCEPTED') > 1
             OR COUNT(*) FILTER (WHERE event_type IN ('TRADE_OPENED', 'POSITION_MODIFIED', 'TRADE_CLOSED', 'EXECUTION_FAILED')) > 1`,
      )
    ).rows.map((r) => r.directive_id);
    const accepted = (await scratch.pool.query<{ strategy_id: string; directive_id: string }>("SELECT strategy_id, directive_id FROM journal WHERE event_type = 'DIRECTIVE_ACCEPTED' ORDER BY chain_seq")).rows;
    const outOfOrder = [...input.byStrategy].filter(([strategy, ids]) => {
      const seen = accepted.filter((a) => a.strategy_id === strategy).map((a) => a.directive_id);
      return seen.join() !== ids.filter((id) => seen.includes(id)).join();
    }).map(([strategy]) => strategy);
    const state = await venue.client.state();
    const perId = new Map<string, number>();
    for (const order of state.orders) perId.set(String(order['clientOrderId']), (perId.get(String(order['clientOrderId'])) ?? 0) + 1);
    const held = (await scratch.pool.query<{ filled_size: string }>('SELECT filled_size FROM positions')).rows.reduce((sum, r) => sum.plus(r.filled_size), new Decimal(0));
    const btc = state.balances.find((b) => b.asset === 'BTC');
    return {
      unfinished,
      doubled,
      outOfOrder,
      doubleSent: [...perId].filter(([, n]) => n > 1).map(([id]) => id),
      ledger: held.toFixed(),
      venue: btc === undefined ? '0' : new Decimal(btc.free).plus(btc.locked).toFixed(),
      outcomes,
    };
  };

  return {
    dir,
    config,
    venue,
    pool: scratch.pool,
    appName,
    env,
    start,
    publish: (lines) => planexec(['publish', '--config', config, '--json', '-'], { input: `${lines.join('\n')}\n`, env }),
    async settled(directiveIds, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const { rows } = await scratch.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM flows WHERE flow_id = ANY($1) AND status <> 'RUNNING'", [directiveIds]);
        if (Number(rows[0]!.n) === directiveIds.length) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    check,
    verify: () => planexec(['verify', '--config', config, '--json'], { env }),
    async close() {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await Promise.race([Promise.all(workers.map((w) => w.exited)), new Promise((r) => setTimeout(r, 15_000))]);
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await venue.close();
      await stream.drop().catch(() => undefined);
      await scratch.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
