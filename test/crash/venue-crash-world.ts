import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Decimal } from '../../src/domain/decimal.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ROOT } from '../e2e/run-cli.js';
import { LoopbackVenueClient } from '../support/loopback-venue/control-client.js';
import type { FaultPlan, VenueConfig } from '../support/loopback-venue/options.js';
import { flowOutcomes, referenceOf, STRATEGIES, symbolOf, type CrashInput } from './crash-world.js';

/** The crash test's instruments at the loopback exchange: CRASH<s>USDT, as the paper crash world lists them. */
export function venueInstruments(): NonNullable<VenueConfig['instruments']> {
  return Array.from({ length: STRATEGIES }, (_, s) => ({
    symbol: symbolOf(s).replace('_', ''),
    base: `CRASH${s}`,
    quote: 'USDT',
    tickSize: '0.01',
    stepSize: '0.001',
    minQty: '0.001',
    maxQty: '100000',
    minNotional: '1',
    price: referenceOf(s).toFixed(2),
  }));
}

/** Seeded faults of every kind the issue names: latency, 5xx, 429 with Retry-After, answers lost after acceptance, "not found" after creation. */
export function venueFaults(seed: number): FaultPlan {
  return {
    seed,
    all: { latencyMs: [0, 4], serverErrorRate: 0.03, rateLimitRate: 0.01, retryAfterSeconds: 1 },
    endpoints: {
      placeOrder: { latencyMs: [0, 4], serverErrorRate: 0.03, rateLimitRate: 0.01, retryAfterSeconds: 1, timeoutAfterAcceptRate: 0.03, timeoutHoldMs: 300 },
      cancelOrder: { latencyMs: [0, 4], serverErrorRate: 0.03, timeoutAfterAcceptRate: 0.02, timeoutHoldMs: 300 },
      getOrder: { latencyMs: [0, 4], serverErrorRate: 0.03, notFoundAfterCreateMs: 100 },
      myTrades: { latencyMs: [0, 4], serverErrorRate: 0.03, notFoundAfterCreateMs: 100 },
    },
  };
}

export interface VenueProcess {
  readonly url: string;
  readonly client: LoopbackVenueClient;
  stop(): Promise<void>;
}

/** The loopback exchange as its own process: it lives on while planexec is killed and restarted. */
export async function startVenueProcess(dir: string, config: VenueConfig): Promise<VenueProcess> {
  const file = join(dir, 'venue.json');
  writeFileSync(file, JSON.stringify(config));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/loopback-venue/main.ts'), '--port', '0', '--config', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline >= 0) resolve((JSON.parse(text.slice(0, newline)) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`loopback venue exited with ${String(code)} before listening: ${stderr}`)));
  });
  return {
    url,
    client: new LoopbackVenueClient(url),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** platform.yaml for runs against the loopback exchange through the ccxt connector. */
export function venueCrashConfig(url: string): string {
  return `orchestration:
  plan_execution:
    timeout_seconds: 60
    attempt_timeout_ms: 10000
    retry_policy: { max_retries: 6, backoff_strategy: exponential, initial_delay_ms: 5, max_delay_ms: 80, jitter: 0.2 }
    error_handling: { on_api_failure: alert_only, on_ledger_failure: alert_admin, on_journal_failure: continue }
    monitoring: { log_all_executions: false, alert_on_slow_execution_ms: 600000 }
    concurrency: { max_concurrent_strategies: ${STRATEGIES}, max_pending_directives: 200 }
    in_doubt: { max_checks: 20, check_interval_ms: 50, not_found_grace_ms: 400 }
  flow_termination:
    alert_on_error: false
connector:
  type: ccxt
  ccxt:
    exchange: binance
    sandbox: false
    api_key: \${CRASH_VENUE_KEY}
    api_secret: \${CRASH_VENUE_SECRET}
    api_base_url: ${url}
    poll_interval_ms: 200
    rate_limit: false
recovery:
  resend_within_seconds: 300
alerts:
  log: { enabled: false }
logging:
  level: error
`;
}

export interface VenueWorldCheck {
  readonly directives: number;
  readonly missing: readonly string[];
  readonly running: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Directives with more than one final journal entry. */
  readonly doubleFinal: readonly string[];
  /** Client order ids that name more than one order at the venue. */
  readonly doubleSent: readonly string[];
  /** Orders the venue holds. */
  readonly venueOrders: number;
  /** Per base asset: the venue's total (free + locked) vs what the ledger's trades hold (open trades, and closed trades' dust), where they differ. */
  readonly balanceMismatches: readonly { readonly asset: string; readonly ledger: string; readonly venue: string }[];
  readonly journal: { readonly ok: boolean; readonly entries: number };
  readonly failuresByCode: Readonly<Record<string, number>>;
}

/** What the runs left, read from the database and the venue. */
export async function checkVenueWorld(db: string, venue: LoopbackVenueClient, input: Pick<CrashInput, 'directiveIds'>): Promise<VenueWorldCheck> {
  const raw = new Database(db, { readonly: true });
  const flows = new Map((raw.prepare('SELECT flow_id, status FROM flows').all() as { flow_id: string; status: string }[]).map((r) => [r.flow_id, r.status]));
  const doubleFinal = (
    raw
      .prepare(
        `SELECT flow_id FROM journal WHERE event_type IN ('TRADE_OPENED','POSITION_MODIFIED','TRADE_CLOSED','EXECUTION_FAILED') AND directive_id = flow_id
         GROUP BY flow_id HAVING COUNT(*) > 1`,
      )
      .all() as { flow_id: string }[]
  ).map((r) => r.flow_id);
  const codes = raw
    .prepare(`SELECT json_extract(body, '$.error_code') AS code FROM journal WHERE event_type = 'EXECUTION_FAILED' AND directive_id = flow_id`)
    .all() as { code: string | null }[];
  raw.close();
  const failuresByCode: Record<string, number> = {};
  for (const { code } of codes) failuresByCode[code ?? 'null'] = (failuresByCode[code ?? 'null'] ?? 0) + 1;

  const { outcomes, missing, running } = flowOutcomes(flows, input.directiveIds);

  const store = openSqliteStore(db);
  const journal = await store.journal.verify();
  // a closed trade's filled_size is the dust its base-asset fees left: it stays in the account too
  const trades = await store.ledger.listPositions();
  await store.close();
  const held = new Map<string, Decimal>();
  for (const p of trades) {
    const asset = p.symbol.split('_')[0]!;
    held.set(asset, (held.get(asset) ?? new Decimal(0)).plus(p.filled_size));
  }

  const state = await venue.state();
  const perId = new Map<string, number>();
  for (const order of state.orders) {
    const id = String(order['clientOrderId']);
    perId.set(id, (perId.get(id) ?? 0) + 1);
  }
  const balances = new Map(state.balances.map((b) => [b.asset, new Decimal(b.free).plus(b.locked)]));
  const assets = new Set([...held.keys(), ...Array.from({ length: STRATEGIES }, (_, s) => `CRASH${s}`)]);
  const balanceMismatches = [...assets]
    .map((asset) => ({ asset, ledger: (held.get(asset) ?? new Decimal(0)).toFixed(), venue: (balances.get(asset) ?? new Decimal(0)).toFixed() }))
    .filter((m) => !new Decimal(m.ledger).eq(m.venue));
  return {
    directives: input.directiveIds.length,
    missing,
    running,
    outcomes,
    doubleFinal,
    doubleSent: [...perId].filter(([, n]) => n > 1).map(([id]) => id),
    venueOrders: state.orders.length,
    balanceMismatches,
    journal: { ok: journal.ok, entries: journal.entries },
    failuresByCode,
  };
}
