import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { defaultConfig } from '../../src/config/schema.js';
import { PaperConnector } from '../../src/connectors/paper/paper-connector.js';
import { systemClock } from '../../src/domain/clock.js';
import { Decimal } from '../../src/domain/decimal.js';
import { mulberry32 } from '../../src/demo/prng.js';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { MAIN } from '../e2e/run-cli.js';

/** mulberry32 (the demo's): the same seed gives the same directives. */
export function prng(seed: number): () => number {
  const random = mulberry32(seed);
  return () => random.next();
}

export const STRATEGIES = 8;
/** One symbol and one direction per strategy: the venue nets per symbol, so reduce-only legs of one strategy never meet another's position. */
export const symbolOf = (s: number): string => `CRASH${s}_USDT`;
export const referenceOf = (s: number): number => 100 + 10 * s;

export interface CrashInput {
  readonly text: string;
  /** Valid directive ids, each once (repeated lines included once). */
  readonly directiveIds: readonly string[];
  /** The NEW_TRADE directive ids among them. */
  readonly newTrades: readonly string[];
  /** The CLOSE_EXISTING directives among them, with the trade each closes. */
  readonly closes: readonly { readonly directiveId: string; readonly tradeId: string }[];
  readonly lines: number;
  readonly repeated: number;
  readonly invalid: number;
}

function price(value: number): string {
  return value.toFixed(2);
}

/** Shares of the valid directives while a strategy has open trades (the rest are CLOSE_EXISTING). */
export interface CrashMix {
  readonly newTrade: number;
  readonly modify: number;
}

const DEFAULT_MIX: CrashMix = { newTrade: 0.5, modify: 0.25 };

/**
 * A few thousand directive lines over 8 strategies: NEW_TRADE (market, marketable limit, resting
 * limit; stop loss and take profit), MODIFY_EXISTING (absolute size, stop moves), CLOSE_EXISTING,
 * plus invalid lines and repeated directive ids.
 */
export function crashDirectives(count: number, seed: number, mix: CrashMix = DEFAULT_MIX, options: { readonly buyOnly?: boolean } = {}): CrashInput {
  const random = prng(seed);
  const open: string[][] = Array.from({ length: STRATEGIES }, () => []);
  const lines: string[] = [];
  const ids: string[] = [];
  const newTrades: string[] = [];
  const closes: { directiveId: string; tradeId: string }[] = [];
  let repeated = 0;
  let invalid = 0;
  for (let i = 0; lines.length < count; i++) {
    const roll = random();
    if (roll < 0.02 && lines.length > 0) {
      lines.push(lines[Math.floor(random() * lines.length)]!);
      repeated += 1;
      continue;
    }
    if (roll < 0.05) {
      lines.push(random() < 0.5 ? `{"directive_id": "DIR_BROKEN_${i}", ` : JSON.stringify({ directive_id: `DIR_BAD_${seed}_${i}`, strategy_id: 's0', scope: 'NEW_TRADE' }));
      invalid += 1;
      continue;
    }
    const s = Math.floor(random() * STRATEGIES);
    // a spot venue cannot open a short: buyOnly makes every strategy a buyer
    const buy = options.buyOnly === true || s % 2 === 0;
    const ref = referenceOf(s);
    const id = `DIR_CRASH_${seed}_${i}`;
    const base = { directive_id: id, strategy_id: `strategy_${s}`, timestamp: '2026-11-24T10:15:00Z', rationale: 'crash test' };
    const trades = open[s]!;
    const action = random();
    let wire: ExecutionDirectiveWire;
    if (trades.length === 0 || action < mix.newTrade) {
      const kind = random();
      const size = (0.1 + Math.floor(random() * 900) / 1000).toFixed(3);
      const sign = buy ? 1 : -1;
      const entry =
        kind < 0.7
          ? { symbol: symbolOf(s), direction: buy ? 'BUY' : 'SELL', order_type: 'MARKET' }
          : kind < 0.85
            ? { symbol: symbolOf(s), direction: buy ? 'BUY' : 'SELL', order_type: 'LIMIT', limit_price: price(ref * (1 + sign * 0.01)) }
            : { symbol: symbolOf(s), direction: buy ? 'BUY' : 'SELL', order_type: 'LIMIT', limit_price: price(ref * (1 - sign * 0.05)) };
      wire = {
        ...base,
        scope: 'NEW_TRADE',
        entry_plan: entry,
        size_plan: { position_size: size },
        exit_plan: { stop_loss_price: price(ref * (1 - sign * 0.1)), take_profit_price: price(ref * (1 + sign * 0.1)) },
        routing_plan: { time_in_force: 'GTC', max_slippage_pct: '0.01' },
      } as ExecutionDirectiveWire;
      trades.push(id);
      newTrades.push(id);
    } else if (action < mix.newTrade + mix.modify) {
      const target = trades[Math.floor(random() * trades.length)]!;
      const sign = buy ? 1 : -1;
      const plans = random() < 0.5 ? { size_plan: { position_size: (0.1 + Math.floor(random() * 900) / 1000).toFixed(3) } } : {};
      wire = {
        ...base,
        scope: 'MODIFY_EXISTING',
        target_trade_ids: [target],
        exit_plan: { stop_loss_price: price(ref * (1 - sign * (0.08 + random() * 0.04))) },
        ...plans,
      } as ExecutionDirectiveWire;
    } else {
      const at = Math.floor(random() * trades.length);
      const target = trades.splice(at, 1)[0]!;
      wire = { ...base, scope: 'CLOSE_EXISTING', target_trade_ids: [target], routing_plan: { time_in_force: 'IOC' } } as ExecutionDirectiveWire;
      closes.push({ directiveId: id, tradeId: target });
    }
    lines.push(JSON.stringify(wire));
    ids.push(id);
  }
  return { text: `${lines.join('\n')}\n`, directiveIds: ids, newTrades, closes, lines: lines.length, repeated, invalid };
}

const RESEND_WITHIN_SECONDS = 300;

/** platform.yaml for the crash runs: venue faults on, in-doubt resolution quick, logs quiet. */
export function crashConfig(): string {
  const instruments = Array.from({ length: STRATEGIES }, (_, s) =>
    [
      `      ${symbolOf(s)}:`,
      `        tick_size: "0.01"`,
      `        lot_size: "0.001"`,
      `        min_quantity: "0.001"`,
      `        min_notional: "1"`,
      `        reference_price: "${price(referenceOf(s))}"`,
    ].join('\n'),
  ).join('\n');
  return `orchestration:
  plan_execution:
    timeout_seconds: 60
    # generous: on a loaded 2-core machine an event loop can stall for seconds, and an attempt
    # aborted in flight is an unknown outcome (tested on its own), not what this test is about
    attempt_timeout_ms: 10000
    retry_policy: { max_retries: 5, backoff_strategy: exponential, initial_delay_ms: 2, max_delay_ms: 40, jitter: 0.2 }
    error_handling: { on_api_failure: alert_only, on_ledger_failure: alert_admin, on_journal_failure: continue }
    monitoring: { log_all_executions: false, alert_on_slow_execution_ms: 600000 }
    concurrency: { max_concurrent_strategies: ${STRATEGIES}, max_pending_directives: 200 }
    in_doubt: { max_checks: 12, check_interval_ms: 25, not_found_grace_ms: 150 }
  flow_termination:
    alert_on_error: false
connector:
  paper:
    latency_ms: 2
    not_found_window_ms: 40
    faults: { transient_error_rate: 0.05, rejection_rate: 0.01, timeout_rate: 0.03, seed: 11 }
    instruments:
${instruments}
recovery:
  # a flow interrupted by a kill is resumed at the next start, well within this: no adding leg may expire
  resend_within_seconds: ${RESEND_WITHIN_SECONDS}
alerts:
  log: { enabled: false }
logging:
  level: error
`;
}

export interface RunOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Ended by SIGKILL: from the parent's timer or from its own crash point. */
  readonly killed: boolean;
  readonly killedByParent: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One `planexec run` child. `killAfterMs`: SIGKILL it then (if still running); `crashPoint`:
 * PLANEXEC_CRASH_POINT for the child (it kills itself at that commit).
 */
export function runChild(args: readonly string[], options: { readonly killAfterMs?: number; readonly crashPoint?: string } = {}): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PLANEXEC_ENV: '', PLANEXEC_CRASH_POINT: options.crashPoint ?? '' };
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
    const timer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = child.kill('SIGKILL');
          }, options.killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, killed: signal === 'SIGKILL', killedByParent: killed, stdout, stderr });
    });
  });
}

export interface CrashRunReport {
  readonly kills: number;
  readonly timedKills: number;
  readonly crashPointKills: number;
  readonly runs: number;
  /** Flows a kill left begun and not stopped (RUNNING), summed over the kills: what recovery had to finish. */
  readonly interruptedFlows: number;
  readonly final: Record<string, unknown>;
}

/** Directives finished so far and flows left RUNNING, read from the database between runs. */
function progress(db: string, ids: ReadonlySet<string>): { finished: number; running: number } {
  let raw;
  try {
    raw = new Database(db, { readonly: true, fileMustExist: true });
  } catch {
    return { finished: 0, running: 0 };
  }
  try {
    let finished = 0;
    let running = 0;
    for (const row of raw.prepare('SELECT flow_id, status FROM flows').all() as { flow_id: string; status: string }[]) {
      if (row.status === 'RUNNING') running += 1;
      else if (ids.has(row.flow_id)) finished += 1;
    }
    return { finished, running };
  } catch {
    return { finished: 0, running: 0 };
  } finally {
    raw.close();
  }
}

/** The first run's kill: right after its fourth COMMIT, when the first flows have begun and sent legs. */
const FIRST_KILL = 'commit-after:4';

/**
 * Run `planexec run` over the file again and again, killing it with SIGKILL — after a random
 * delay, or at a random COMMIT through PLANEXEC_CRASH_POINT (mid-transaction or right after it) —
 * until `kills` kills happened, then let it run to the end, then `planexec recover`. Kill times
 * are spread over what is left to do, so the kills land while directives are being executed.
 */
export async function crashLoop(options: {
  readonly db: string;
  readonly config: string;
  readonly directives: string;
  readonly directiveIds: readonly string[];
  readonly kills: number;
  readonly seed: number;
  /** Process start-up (node, config, store, venue, recovery) before directives flow. */
  readonly startupMs: number;
  /** Rough time per directive, to spread the kills. */
  readonly msPerDirective: number;
  /** Share of the kills made at a COMMIT through PLANEXEC_CRASH_POINT (default 0.35); the rest are timed. */
  readonly crashPointShare?: number;
  /** Share of those made right after the COMMIT (default 0.5): a leg's intent committed, its order not sent. */
  readonly afterCommitShare?: number;
}): Promise<CrashRunReport> {
  const random = prng(options.seed ^ 0x5eed);
  const ids = new Set(options.directiveIds);
  const args = ['run', '--db', options.db, '--config', options.config, '--json', '--no-progress', '--directives', options.directives];
  let kills = 0;
  let timedKills = 0;
  let crashPointKills = 0;
  let runs = 0;
  let interruptedFlows = 0;
  while (kills < options.kills) {
    runs += 1;
    const remaining = Math.max(20, ids.size - progress(options.db, ids).finished);
    const share = remaining / (options.kills - kills + 1);
    const useCrashPoint = random() < (options.crashPointShare ?? 0.35);
    const crashPoint = `commit-${random() < (options.afterCommitShare ?? 0.5) ? 'after' : 'before'}:${1 + Math.floor(random() * share * 6)}`;
    // the first kill lands right after an early COMMIT, whatever the machine's speed: flows are begun and not stopped then,
    // so every run has interrupted flows for recovery to finish (the other kills are spread by time)
    const outcome = await runChild(
      args,
      runs === 1
        ? { crashPoint: FIRST_KILL, killAfterMs: 60_000 }
        : useCrashPoint
          ? { crashPoint, killAfterMs: options.startupMs + 4 * share * options.msPerDirective }
          : { killAfterMs: Math.round(options.startupMs + (0.2 + 1.6 * random()) * share * options.msPerDirective) },
    );
    if (!outcome.killed) {
      if (outcome.code !== 0) throw new Error(`planexec run exited ${String(outcome.code)}:\n${outcome.stderr}`);
      continue;
    }
    kills += 1;
    if (outcome.killedByParent) timedKills += 1;
    else crashPointKills += 1;
    interruptedFlows += progress(options.db, ids).running;
  }
  let final: Record<string, unknown> = {};
  for (;;) {
    runs += 1;
    const outcome = await runChild(args);
    if (outcome.code !== 0) throw new Error(`final planexec run exited ${String(outcome.code)}:\n${outcome.stderr}`);
    final = JSON.parse(outcome.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    if (final['unfinished'] === 0 && final['interrupted'] === false) break;
  }
  const recover = await runChild(['recover', '--db', options.db, '--config', options.config, '--json']);
  if (recover.code !== 0) throw new Error(`planexec recover exited ${String(recover.code)}:\n${recover.stdout}\n${recover.stderr}`);
  return { kills, timedKills, crashPointKills, runs, interruptedFlows, final };
}

export interface WorldCheck {
  readonly directives: number;
  readonly finished: number;
  readonly running: number;
  readonly missing: readonly string[];
  /** Directives with more than one final journal entry (causality or EXECUTION_FAILED). */
  readonly doubleFinal: readonly string[];
  /** Client order ids the venue processed more than once. */
  readonly doubleSent: readonly string[];
  readonly submits: number;
  /** Per symbol: ledger net (OPEN trades, signed) vs venue net, where they differ. */
  readonly positionMismatches: readonly { readonly symbol: string; readonly ledger: string; readonly venue: string }[];
  readonly symbols: number;
  readonly journal: { readonly ok: boolean; readonly entries: number };
  readonly outcomes: Readonly<Record<string, number>>;
  /** Error codes of the failed directives, counted. */
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** NEW_TRADE directives with exactly one TRADE_OPENED entry. */
  readonly newTradesOpened: number;
  /** NEW_TRADE directives with more than one TRADE_OPENED entry. */
  readonly openedTwice: readonly string[];
  /** NEW_TRADE directives not opened because the venue refused one of their legs (its submit log shows the refusal). */
  readonly newTradesRefused: number;
  /** CLOSE_EXISTING directives that closed their trade (flow SUCCEEDED, trade CLOSED in the ledger). */
  readonly closesDone: number;
  /** CLOSE_EXISTING directives whose target never opened (nothing to close). */
  readonly closesWithoutTrade: number;
  /** CLOSE_EXISTING directives whose close leg the venue refused. */
  readonly closesRefused: number;
  /** Directives lost for a crash: a NEW_TRADE not opened or a CLOSE of an opened trade not done, without a venue refusal to explain it. */
  readonly lost: readonly { readonly directiveId: string; readonly scope: string; readonly status: string; readonly code: string | null; readonly trail?: readonly string[] }[];
  /** Legs the venue never received (a kill between intent and send) sent again on resume, and adding legs expired instead. */
  readonly resentLegs: number;
  readonly expiredLegs: number;
}

/** Each directive's flow status counted, the directives with no flow, and the flows still RUNNING. */
export function flowOutcomes(flows: ReadonlyMap<string, string>, directiveIds: readonly string[]): { outcomes: Record<string, number>; missing: string[]; running: number } {
  const outcomes: Record<string, number> = {};
  const missing: string[] = [];
  let running = 0;
  for (const id of directiveIds) {
    const status = flows.get(id);
    if (status === undefined) missing.push(id);
    else {
      outcomes[status] = (outcomes[status] ?? 0) + 1;
      if (status === 'RUNNING') running += 1;
    }
  }
  return { outcomes, missing, running };
}

/** The venue refused a submit of one of these legs and never accepted it. */
function refusedAtVenue(log: (coid: string) => readonly string[], coids: readonly string[]): boolean {
  return coids.some((coid) => {
    const outcomes = log(coid).filter((o) => o !== 'TRANSIENT');
    return outcomes.length > 0 && !outcomes.includes('ACCEPTED') && !outcomes.includes('EXISTING');
  });
}

/** Everything the crash test asserts, read from the files the runs left. */
export async function checkWorld(db: string, directiveIds: readonly string[], scopes: Pick<CrashInput, 'newTrades' | 'closes'>): Promise<WorldCheck> {
  const raw = new Database(db, { readonly: true });
  const flows = new Map<string, string>();
  for (const row of raw.prepare('SELECT flow_id, status FROM flows').all() as { flow_id: string; status: string }[]) flows.set(row.flow_id, row.status);
  const finals = raw
    .prepare(
      `SELECT flow_id, COUNT(*) AS n FROM journal
       WHERE event_type IN ('TRADE_OPENED','POSITION_MODIFIED','TRADE_CLOSED','EXECUTION_FAILED') AND directive_id = flow_id
       GROUP BY flow_id HAVING n > 1`,
    )
    .all() as { flow_id: string; n: number }[];
  const count = (sql: string): Map<string, number> => new Map((raw.prepare(sql).all() as { id: string; n: number }[]).map((r) => [r.id, r.n]));
  const opened = count(`SELECT flow_id AS id, COUNT(*) AS n FROM journal WHERE event_type = 'TRADE_OPENED' AND directive_id = flow_id GROUP BY flow_id`);
  const codes = new Map(
    (
      raw
        .prepare(`SELECT flow_id AS id, json_extract(body, '$.error_code') AS code FROM journal WHERE event_type = 'EXECUTION_FAILED' AND directive_id = flow_id`)
        .all() as { id: string; code: string | null }[]
    ).map((r) => [r.id, r.code]),
  );
  const decisions = count(`SELECT json_extract(body, '$.decision') AS id, COUNT(*) AS n FROM journal WHERE event_type = 'POLICY_APPLIED' GROUP BY id`);
  const expiredLegs = (raw.prepare(`SELECT COUNT(*) AS n FROM journal WHERE event_type = 'ORDER_RESULT' AND json_extract(body, '$.error_code') = 'EXPIRED_DURING_OUTAGE'`).get() as { n: number }).n;
  raw.close();

  const { outcomes, missing, running } = flowOutcomes(flows, directiveIds);

  const store = openSqliteStore(db);
  const journal = await store.journal.verify();
  const positions = await store.ledger.listPositions({ status: 'OPEN' });
  const tradeStatus = new Map((await store.ledger.listPositions()).map((p) => [p.trade_id, p.status]));
  await store.close();
  const ledgerNet = new Map<string, Decimal>();
  for (const p of positions) ledgerNet.set(p.symbol, (ledgerNet.get(p.symbol) ?? new Decimal(0)).plus(p.direction === 'BUY' ? p.filled_size : p.filled_size.neg()));

  const venue = new PaperConnector({ ...defaultConfig().connector.paper, path: `${db}.venue.db` }, { clock: systemClock });
  const venueNet = venue.netPositions();
  const counts = venue.submitAttemptCounts();
  const log = (coid: string): string[] => venue.submitAttemptLog(coid).map((a) => a.outcome);

  const failuresByCode: Record<string, number> = {};
  for (const code of codes.values()) failuresByCode[code ?? 'null'] = (failuresByCode[code ?? 'null'] ?? 0) + 1;
  const lost: { directiveId: string; scope: string; status: string; code: string | null; trail?: string[] }[] = [];
  const openedTwice: string[] = [];
  let newTradesOpened = 0;
  let newTradesRefused = 0;
  for (const id of scopes.newTrades) {
    const n = opened.get(id) ?? 0;
    if (n === 1) newTradesOpened += 1;
    else if (n > 1) openedTwice.push(id);
    else if (refusedAtVenue(log, ['E', 'SL', 'TP'].map((leg) => clientOrderId(id, leg)))) newTradesRefused += 1;
    else lost.push({ directiveId: id, scope: 'NEW_TRADE', status: flows.get(id) ?? 'MISSING', code: codes.get(id) ?? null });
  }
  let closesDone = 0;
  let closesWithoutTrade = 0;
  let closesRefused = 0;
  for (const close of scopes.closes) {
    if (flows.get(close.directiveId) === 'SUCCEEDED' && tradeStatus.get(close.tradeId) === 'CLOSED') closesDone += 1;
    else if ((opened.get(close.tradeId) ?? 0) === 0) closesWithoutTrade += 1;
    else if (refusedAtVenue(log, [clientOrderId(close.directiveId, 'C0')])) closesRefused += 1;
    else lost.push({ directiveId: close.directiveId, scope: 'CLOSE_EXISTING', status: flows.get(close.directiveId) ?? 'MISSING', code: codes.get(close.directiveId) ?? null });
  }
  await venue.close();
  // what the journal says about each lost directive, to tell a crash from another fault
  if (lost.length > 0) {
    const trailDb = new Database(db, { readonly: true });
    const trailOf = trailDb.prepare(
      `SELECT event_type || ' ' || COALESCE(json_extract(body, '$.action'), '') || ' ' || COALESCE(json_extract(body, '$.leg'), json_extract(body, '$.client_order_id'), '') || ' ' ||
              COALESCE(json_extract(body, '$.status'), json_extract(body, '$.decision'), '') || ' ' || COALESCE(json_extract(body, '$.error_code'), json_extract(body, '$.cause'), '') || ' @' || timestamp AS line
       FROM journal WHERE flow_id = ? ORDER BY seq`,
    );
    for (const [i, item] of lost.entries()) lost[i] = { ...item, trail: (trailOf.all(item.directiveId) as { line: string }[]).map((r) => r.line) };
    trailDb.close();
  }
  const doubleSent = [...counts].filter(([, n]) => n > 1).map(([coid]) => coid);
  let submits = 0;
  for (const n of counts.values()) submits += n;
  const symbols = new Set([...ledgerNet.keys(), ...venueNet.keys()]);
  const positionMismatches = [...symbols]
    .map((symbol) => ({ symbol, ledger: (ledgerNet.get(symbol) ?? new Decimal(0)).toFixed(), venue: (venueNet.get(symbol) ?? new Decimal(0)).toFixed() }))
    .filter((m) => !new Decimal(m.ledger).eq(m.venue));
  return {
    directives: directiveIds.length,
    finished: directiveIds.length - missing.length - running,
    running,
    missing,
    doubleFinal: finals.map((f) => f.flow_id),
    doubleSent,
    submits,
    positionMismatches,
    symbols: symbols.size,
    journal: { ok: journal.ok, entries: journal.entries },
    outcomes,
    failuresByCode,
    newTradesOpened,
    openedTwice,
    newTradesRefused,
    closesDone,
    closesWithoutTrade,
    closesRefused,
    lost,
    resentLegs: decisions.get('resend_unreceived_leg') ?? 0,
    expiredLegs,
  };
}

export function writeWorldFiles(dir: string, input: CrashInput): { config: string; directives: string } {
  const config = `${dir}/crash.yaml`;
  const directives = `${dir}/crash.jsonl`;
  writeFileSync(config, crashConfig());
  writeFileSync(directives, input.text);
  return { config, directives };
}

/** What `planexec verify --json` found: journal → ledger → venue, after the last run. */
export interface VerifyOutcome {
  readonly code: number | null;
  readonly ok: boolean;
  readonly differences: readonly unknown[];
}

export async function verifyWorld(db: string, config: string): Promise<VerifyOutcome> {
  const result = await runChild(['verify', '--db', db, '--config', config, '--json']);
  const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
  const report = JSON.parse(lines[lines.length - 1] ?? '{}') as { ok?: boolean; differences?: unknown[] };
  return { code: result.code, ok: report.ok === true, differences: report.differences ?? [] };
}
