import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { PaperConnector } from '../../src/connectors/paper/paper-connector.js';
import { systemClock } from '../../src/domain/clock.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { closeWire, newTradeWire } from '../support/directives.js';
import { explain, jsonLines, lastJsonLine, planexec } from './run-cli.js';

/**
 * Recovery completes rather than fails (docs/reliability.md, "RESUME mode"): a leg whose intent
 * was journaled and whose process died before the order reached the venue is sent on resume under
 * the same client order id — reducing legs always, adding legs within recovery.resend_within_seconds
 * of the flow's acceptance — and the flow ends as it would have.
 */

let dir: string;
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-resend-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(resendWithinSeconds: number): string {
  const path = join(dir, `resend-${resendWithinSeconds}.yaml`);
  writeFileSync(
    path,
    `orchestration:
  plan_execution:
    in_doubt: { max_checks: 8, check_interval_ms: 50, not_found_grace_ms: 200 }
  flow_termination:
    alert_on_error: false
recovery:
  resend_within_seconds: ${resendWithinSeconds}
alerts:
  log: { enabled: false }
logging:
  level: error
`,
  );
  return path;
}

function directivesFile(wire: unknown): string {
  const path = join(dir, `d${++n}.jsonl`);
  writeFileSync(path, `${JSON.stringify(wire)}\n`);
  return path;
}

interface Row {
  event_type: string;
  body: Record<string, unknown>;
}

function journalOf(db: string, directiveId: string): Row[] {
  const raw = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const rows = raw.prepare('SELECT event_type, body FROM journal WHERE directive_id = ? ORDER BY seq').all(directiveId) as { event_type: string; body: string }[];
    return rows.map((r) => ({ event_type: r.event_type, body: JSON.parse(r.body) as Record<string, unknown> }));
  } finally {
    raw.close();
  }
}

function copyWorld(from: string, to: string): void {
  for (const suffix of ['', '-wal', '-shm', '.venue.db', '.venue.db-wal', '.venue.db-shm']) {
    if (existsSync(`${from}${suffix}`)) copyFileSync(`${from}${suffix}`, `${to}${suffix}`);
  }
}

/**
 * A world where `run` over `directives` was SIGKILLed right after the commit that made the intent
 * of leg `coid` durable, before the order was sent. The commit is found by trying
 * PLANEXEC_CRASH_POINT=commit-after:1, 2, … (each on a fresh copy of `base`) until the flow's
 * journal ends with that intent: robust to how many commits come before it.
 */
const firstCommit = new Map<string, number>();

async function killedAfterIntent(base: string | null, cfg: string, directives: string, directiveId: string, coid: string): Promise<string> {
  // the same kind of world needs the same number of commits: start from what the last search found
  const kind = `${base === null ? 'fresh' : 'open'}:${coid.slice(coid.lastIndexOf('-'))}`;
  for (let commit = firstCommit.get(kind) ?? 1; commit <= 30; commit++) {
    const db = join(dir, `w${++n}.db`);
    if (base) copyWorld(base, db);
    const run = await planexec(['run', '--db', db, '--config', cfg, '--json', '--no-progress', '--directives', directives], { env: { PLANEXEC_CRASH_POINT: `commit-after:${commit}` } });
    // killed by its own crash point: no exit code
    if (run.code !== null) throw new Error(`run was not killed before the intent of ${coid} was committed:\n${explain(run)}`);
    const last = journalOf(db, directiveId).at(-1);
    if (last?.event_type === 'ORDER_INTENT' && last.body['action'] === 'PLACE' && last.body['client_order_id'] === coid) {
      firstCommit.set(kind, commit);
      return db;
    }
  }
  throw new Error(`no crash point found right after the intent of ${coid}`);
}

function venueAttempts(db: string, coid: string): string[] {
  const venue = new PaperConnector({ ...defaultConfig().connector.paper, path: `${db}.venue.db` }, { clock: systemClock });
  try {
    return venue.submitAttemptLog(coid).map((a) => a.outcome);
  } finally {
    void venue.close();
  }
}

async function positions(db: string): Promise<Record<string, unknown>[]> {
  const result = await planexec(['positions', '--db', db, '--json']);
  expect(result.code, explain(result)).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>[];
}

/** An open BTC trade (entry filled, stop loss and take profit resting): the base world for the CLOSE cases. */
async function openTradeWorld(cfg: string): Promise<{ db: string; tradeId: string }> {
  const open = newTradeWire({ directive_id: `DIR_RESEND_OPEN_${++n}` });
  const db = join(dir, `open${n}.db`);
  const run = await planexec(['run', '--db', db, '--config', cfg, '--json', '--no-progress', '--directives', directivesFile(open)]);
  expect(run.code, explain(run)).toBe(0);
  expect(lastJsonLine(run.stdout)).toMatchObject({ succeeded: 1 });
  return { db, tradeId: open.directive_id };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('planexec recover / run after a kill between a leg intent and its send', () => {
  it('a NEW_TRADE whose entry intent was journaled and never sent is sent on `recover` under the same id: TRADE_OPENED, the trade OPEN with its fill and protection', { timeout: 120_000 }, async () => {
    const cfg = config(60);
    const wire = newTradeWire({ directive_id: 'DIR_RESEND_NT_1' });
    const entry = clientOrderId(wire.directive_id, 'E');
    const db = await killedAfterIntent(null, cfg, directivesFile(wire), wire.directive_id, entry);
    expect(venueAttempts(db, entry)).toEqual([]);

    const recover = await planexec(['recover', '--db', db, '--config', cfg, '--json']);
    expect(recover.code, explain(recover)).toBe(0);
    expect(lastJsonLine(recover.stdout)).toMatchObject({ interrupted: 1, succeeded: 1, failed: 0, unfinished: 0 });

    // sent once, under the id journaled before the crash
    expect(venueAttempts(db, entry)).toEqual(['ACCEPTED']);
    const journal = journalOf(db, wire.directive_id);
    expect(journal.filter((e) => e.event_type === 'TRADE_OPENED')).toHaveLength(1);
    expect(journal.filter((e) => e.event_type === 'EXECUTION_FAILED')).toHaveLength(0);
    expect(journal.some((e) => e.event_type === 'POLICY_APPLIED' && e.body['decision'] === 'resend_unreceived_leg' && e.body['client_order_id'] === entry)).toBe(true);
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ trade_id: wire.directive_id, status: 'OPEN', filled_size: '0.015', stop_loss: '64000', take_profit: '67000' });
    expect(trade!['entry_price']).not.toBeNull();
    expect(venueAttempts(db, clientOrderId(wire.directive_id, 'SL'))).toEqual(['ACCEPTED']);
    expect(venueAttempts(db, clientOrderId(wire.directive_id, 'TP'))).toEqual(['ACCEPTED']);
  });

  it('a CLOSE whose close order intent was journaled and never sent is finished by the next `run`: the trade ends CLOSED', { timeout: 120_000 }, async () => {
    const cfg = config(60);
    const base = await openTradeWorld(cfg);
    const close = closeWire([base.tradeId], { directive_id: 'DIR_RESEND_CLOSE_1' });
    const c0 = clientOrderId(close.directive_id, 'C0');
    const file = directivesFile(close);
    const db = await killedAfterIntent(base.db, cfg, file, close.directive_id, c0);
    expect(venueAttempts(db, c0)).toEqual([]);

    // the same file again: start-up recovery finishes the CLOSE, the line itself is a duplicate
    const run = await planexec(['run', '--db', db, '--config', cfg, '--json', '--no-progress', '--directives', file]);
    expect(run.code, explain(run)).toBe(0);
    const summary = lastJsonLine(run.stdout);
    expect(summary).toMatchObject({ duplicates: 1, recovery: { interrupted: 1, succeeded: 1, failed: 0 } });

    expect(venueAttempts(db, c0)).toEqual(['ACCEPTED']);
    expect(journalOf(db, close.directive_id).filter((e) => e.event_type === 'TRADE_CLOSED')).toHaveLength(1);
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ trade_id: base.tradeId, status: 'CLOSED' });
  });

  it('past recovery.resend_within_seconds an entry is not sent (EXPIRED_DURING_OUTAGE, nothing opened), while a close order is still re-sent', { timeout: 120_000 }, async () => {
    const cfg = config(0.5);
    const wire = newTradeWire({ directive_id: 'DIR_RESEND_NT_LATE' });
    const entry = clientOrderId(wire.directive_id, 'E');
    const ntDb = await killedAfterIntent(null, cfg, directivesFile(wire), wire.directive_id, entry);

    const base = await openTradeWorld(config(60));
    const close = closeWire([base.tradeId], { directive_id: 'DIR_RESEND_CLOSE_LATE' });
    const c0 = clientOrderId(close.directive_id, 'C0');
    const closeDb = await killedAfterIntent(base.db, cfg, directivesFile(close), close.directive_id, c0);
    await sleep(800);

    const recoverNt = await planexec(['recover', '--db', ntDb, '--config', cfg, '--json']);
    expect(recoverNt.code, explain(recoverNt)).toBe(0);
    const report = lastJsonLine<{ failed: number; flows: { error_code: string; reason: string }[] }>(recoverNt.stdout);
    expect(report.failed).toBe(1);
    expect(report.flows[0]!.error_code).toBe('EXPIRED_DURING_OUTAGE');
    expect(report.flows[0]!.reason).toMatch(/entry leg .*-E .*accepted \d+ ms ago.*resend_within_seconds \(0\.5 s\)/);
    expect(venueAttempts(ntDb, entry)).toEqual([]);
    expect((await positions(ntDb)).filter((p) => p['status'] === 'OPEN')).toEqual([]);
    const failed = journalOf(ntDb, wire.directive_id).filter((e) => e.event_type === 'EXECUTION_FAILED');
    expect(failed.map((e) => e.body['error_code'])).toEqual(['EXPIRED_DURING_OUTAGE']);

    const recoverClose = await planexec(['recover', '--db', closeDb, '--config', cfg, '--json']);
    expect(recoverClose.code, explain(recoverClose)).toBe(0);
    expect(lastJsonLine(recoverClose.stdout)).toMatchObject({ interrupted: 1, succeeded: 1 });
    expect(venueAttempts(closeDb, c0)).toEqual(['ACCEPTED']);
    const [trade] = await positions(closeDb);
    expect(trade).toMatchObject({ trade_id: base.tradeId, status: 'CLOSED' });
    expect(jsonLines((await planexec(['journal', '--db', closeDb, '--json'])).stdout).some((e) => e['event_type'] === 'TRADE_CLOSED')).toBe(true);
  });
});
