import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EntryOrderTimer, FlowDriver, openBenchPlatform, type BenchPlatform } from '../../bench/bench-platform.js';
import { figureRows, formatTable } from '../../bench/run.js';
import { summariseProfile } from '../../bench/profile-summary.js';
import { firstBrokenLink, journalCeiling, ReferenceJournal } from '../../bench/scenarios/journal-ceiling.js';
import { throughput, wholeCycles } from '../../bench/scenarios/throughput.js';
import { generateWorkload, SYMBOLS } from '../../bench/workload.js';
import { parseDirectiveLine } from '../../src/domain/directive.js';

// Correctness of the bench only: no figure here is compared with a time.

describe('bench workload', () => {
  it('is a pure function of its options', () => {
    const a = generateWorkload({ count: 90, strategies: 7, seed: 5 });
    const b = generateWorkload({ count: 90, strategies: 7, seed: 5 });
    const c = generateWorkload({ count: 90, strategies: 7, seed: 6 });
    expect(b.map((l) => l.text)).toEqual(a.map((l) => l.text));
    expect(c.map((l) => l.text)).not.toEqual(a.map((l) => l.text));
  });

  it('gives every directive a unique id, and every line is a valid directive', () => {
    const lines = generateWorkload({ count: 600, strategies: 11 });
    expect(lines).toHaveLength(600);
    expect(new Set(lines.map((l) => l.directiveId)).size).toBe(600);
    for (const line of lines) {
      const directive = parseDirectiveLine(line.text);
      expect(directive.directive_id).toBe(line.directiveId);
      expect(directive.strategy_id).toBe(line.strategyId);
      expect(directive.scope).toBe(line.scope);
    }
  });

  it('cycles NEW → MODIFY → CLOSE per strategy on that strategy’s own trade, round-robin over strategies', () => {
    const lines = generateWorkload({ count: 60, strategies: 4 });
    expect(lines.slice(0, 4).map((l) => l.strategyId)).toEqual(['bench_s0000', 'bench_s0001', 'bench_s0002', 'bench_s0003']);
    for (const strategy of new Set(lines.map((l) => l.strategyId))) {
      const own = lines.filter((l) => l.strategyId === strategy).map((l) => JSON.parse(l.text) as Record<string, unknown>);
      own.forEach((wire, i) => {
        expect(wire['scope']).toBe(['NEW_TRADE', 'MODIFY_EXISTING', 'CLOSE_EXISTING'][i % 3]);
        if (i % 3 !== 0) expect(wire['target_trade_ids']).toEqual([own[i - (i % 3)]!['directive_id']]);
      });
    }
  });

  it('puts stop loss and take profit on the right sides of the reference price, and resizes by at least 100 lots', () => {
    const lines = generateWorkload({ count: 3000, strategies: 3 });
    const held = new Map<string, number>();
    for (const line of lines) {
      const wire = JSON.parse(line.text) as { exit_plan?: { stop_loss_price?: string; take_profit_price?: string }; size_plan?: { position_size: string } };
      const plan = SYMBOLS[Number(line.strategyId.slice(-4)) % SYMBOLS.length]!;
      const long = plan.direction === 'BUY';
      const sl = wire.exit_plan?.stop_loss_price;
      const tp = wire.exit_plan?.take_profit_price;
      if (sl !== undefined) expect(long ? Number(sl) < plan.reference : Number(sl) > plan.reference).toBe(true);
      if (tp !== undefined) expect(long ? Number(tp) > plan.reference : Number(tp) < plan.reference).toBe(true);
      if (wire.size_plan) {
        const lots = Math.round(Number(wire.size_plan.position_size) * 10 ** plan.lotDecimals);
        expect(lots).toBeGreaterThanOrEqual(plan.minLots);
        expect(lots).toBeLessThan(plan.maxLots);
        const before = held.get(line.strategyId);
        if (line.scope === 'MODIFY_EXISTING' && before !== undefined) expect(Math.abs(lots - before)).toBeGreaterThanOrEqual(100);
        held.set(line.strategyId, lots);
      }
    }
  });
});

describe('bench scenarios, tiny', () => {
  it('throughput: every directive reaches a stop and none fails in the no-fault workload', async () => {
    const result = await throughput({ strategies: 2, count: 200, warmup: wholeCycles(2, 6), walDirectives: 6 });
    expect(result.details['directives']).toBe(200);
    expect(result.details['succeeded']).toBe(200);
    expect(result.details['failed']).toBe(0);
    expect(result.details['failures']).toEqual({});
    expect((result.details['latency_under_saturation'] as { count: number }).count).toBe(200);
    expect(result.figures['directives_per_second']!.value).toBeGreaterThan(0);
  });

});

describe('reference journal ceiling', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const openJournal = (): ReferenceJournal => {
    const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-test-'));
    dirs.push(dir);
    return new ReferenceJournal(join(dir, 'journal.db'), { bodyBytes: 1024, openFlows: 3 });
  };

  it('writes 1 KiB JSON entries in WAL with synchronous=FULL and one index, on the flow key', () => {
    const journal = openJournal();
    journal.commit(10);
    const bodies = journal.db.prepare('SELECT body FROM journal ORDER BY seq').pluck().all() as string[];
    expect(bodies).toHaveLength(10);
    for (const body of bodies) {
      expect(body).toHaveLength(1024);
      expect(JSON.parse(body)).toMatchObject({ kind: 'ORDER_RESULT' });
    }
    expect(journal.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(journal.db.pragma('synchronous', { simple: true })).toBe(2);
    const indexes = journal.db.pragma('index_list(journal)') as { name: string }[];
    expect(indexes.map((i) => i.name)).toEqual(['journal_by_flow_key']);
    expect((journal.db.pragma('index_info(journal_by_flow_key)') as { name: string }[]).map((c) => c.name)).toEqual(['flow_key']);
    journal.close();
  });

  it('chains every entry to the one before (sha256 over the previous hash and the stored text); a changed body breaks the chain there', () => {
    const journal = openJournal();
    journal.commit(5);
    journal.commit(5);
    expect(firstBrokenLink(journal.db)).toBe(-1);
    const head = journal.db.prepare('SELECT hash FROM journal ORDER BY seq DESC LIMIT 1').pluck().get();
    expect(head).toBe(journal.head);
    journal.db.prepare("UPDATE journal SET body = replace(body, 'ORDER_RESULT', 'ORDER_RESULX') WHERE seq = 7").run();
    expect(firstBrokenLink(journal.db)).toBe(6);
    journal.close();
  });

  it('gives flow keys that never fall below an earlier flow’s once it is replaced: the index grows at its right edge', () => {
    const journal = openJournal();
    const keys = Array.from({ length: 3 * 8 * 4 }, (_, i) => journal.flowKey(i + 1));
    // three open flows in turn, each for 8 entries, then three newer ones
    expect(keys.slice(0, 4)).toEqual(['F000000000000', 'F000000000001', 'F000000000002', 'F000000000000']);
    expect(new Set(keys.slice(0, 24))).toEqual(new Set(['F000000000000', 'F000000000001', 'F000000000002']));
    for (let generation = 1; generation < 4; generation += 1) {
      const earlier = keys.slice(0, generation * 24).sort().at(-1)!;
      for (const key of keys.slice(generation * 24, (generation + 1) * 24)) expect(key > earlier).toBe(true);
    }
    journal.close();
  });

  it('reports whole group commits and the WAL pages they wrote', async () => {
    const result = await journalCeiling({ seconds: 0.05, batch: 10, openFlows: 4, walCommits: 2 });
    const entries = result.details['entries'] as number;
    expect(entries).toBeGreaterThan(0);
    expect(entries % 10).toBe(0);
    expect(result.details['commits']).toBe(entries / 10);
    expect(result.details['body_bytes']).toBe(1024);
    // 10 entries of 1 KiB are at least 3 pages of 4 KiB
    expect(result.details['wal_pages_per_commit']).toBeGreaterThanOrEqual(3);
    // whole frames in all (one commit may split a page more than another, so the mean need not be whole)
    expect(Number.isInteger((result.details['wal_pages_per_commit'] as number) * (result.details['wal_commits_counted'] as number))).toBe(true);
    for (const figure of Object.values(result.figures)) expect(Number.isFinite(figure.value)).toBe(true);
  });
});

describe('bench platform', () => {
  let bench: BenchPlatform | undefined;
  afterEach(async () => {
    await bench?.dispose();
    bench = undefined;
  });

  it('keeps the paper venue in memory: only planexec’s own database is on disk', async () => {
    bench = await openBenchPlatform();
    expect(bench.platform.config.connector.paper.path).toBe(':memory:');
    expect(readdirSync(bench.dir).filter((f) => f.includes('venue'))).toEqual([]);
    expect(readdirSync(bench.dir)).toContain('planexec.db');
  });

  it('times accepted → entry order for each NEW_TRADE and for no other directive', async () => {
    const entryOrders = new EntryOrderTimer();
    bench = await openBenchPlatform(undefined, { entryOrders });
    const driver = new FlowDriver(bench.platform, { entryOrders });
    const lines = generateWorkload({ count: 12, strategies: 2, seed: 4 });
    for (const line of lines) {
      await driver.submit(line.text, line.directiveId);
      await driver.waitForStops();
    }
    driver.dispose();
    expect(driver.timing().failed).toBe(0);
    expect(entryOrders.latencies).toHaveLength(lines.filter((l) => l.scope === 'NEW_TRADE').length);
    for (const ms of entryOrders.latencies) expect(ms).toBeGreaterThanOrEqual(0);
  });
});

describe('bench report', () => {
  const scenario = (name: string, figures: Record<string, number>) => ({
    scenario: name,
    figures: Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, { value, unit: '' }])),
    details: {},
  });
  const row = (rows: ReturnType<typeof figureRows>, start: string) => rows.find((r) => r.figure.startsWith(start))!;

  it('judges throughput at 100 strategies against the journal ceiling of the same run (>= 0.08), and shows that baseline', () => {
    const rows = figureRows({
      'throughput-100': scenario('throughput-100', { directives_per_second: 1_500 }),
      'journal-ceiling': scenario('journal-ceiling', { entries_per_second: 37_500 }),
    });
    const ratio = row(rows, 'throughput at 100 strategies ÷ reference journal ceiling');
    expect(ratio.value).toBeCloseTo(0.04);
    expect(ratio.verdict).toBe('MISSED');
    expect(ratio.ratio_to_target).toBeCloseTo(0.5);
    expect(ratio.baseline).toBe('journal ceiling 37,500 entries/s');
    const table = formatTable(rows);
    expect(table).toContain('MISSED (50.0% of target)');
    expect(table).toContain('journal ceiling 37,500 entries/s');
    const met = row(figureRows({ 'throughput-100': scenario('throughput-100', { directives_per_second: 3_100 }), 'journal-ceiling': scenario('journal-ceiling', { entries_per_second: 37_500 }) }), 'throughput at 100');
    expect(met.verdict).toBe('met');
  });

  it('states the unloaded latency targets in the fsync p99 of the same run', () => {
    const rows = figureRows({
      fsync: scenario('fsync', { fdatasync_p99_ms: 0.5 }),
      latency: scenario('latency', { unloaded_p99_ms: 5.2, unloaded_entry_p99_ms: 1.6, p99_ms: 25 }),
    });
    const stop = row(rows, 'latency p99, one flow at a time (accepted → stop)');
    expect(stop.target).toBe('<= 4 × fsync p99 + 3 ms (5.000 ms)');
    expect(stop.verdict).toBe('MISSED');
    expect(stop.baseline).toBe('fsync p99 0.500 ms');
    const entry = row(rows, 'latency p99, one flow at a time (accepted → entry order');
    expect(entry.target).toBe('<= fsync p99 + 1 ms (1.500 ms)');
    expect(entry.verdict).toBe('MISSED');
    const loaded = row(rows, 'latency p99 at 1,000/s');
    expect(loaded.verdict).toBe('MISSED');
    const fast = figureRows({ fsync: scenario('fsync', { fdatasync_p99_ms: 0.5 }), latency: scenario('latency', { unloaded_p99_ms: 4.9, unloaded_entry_p99_ms: 1.4, p99_ms: 19 }) });
    expect([row(fast, 'latency p99, one flow at a time (accepted → stop)'), row(fast, 'latency p99, one flow at a time (accepted → entry'), row(fast, 'latency p99 at 1,000/s')].map((r) => r.verdict)).toEqual(['met', 'met', 'met']);
  });

  it('does not judge a figure whose baseline was not measured in the same run', () => {
    const rows = figureRows({
      'throughput-100': scenario('throughput-100', { directives_per_second: 100 }),
      latency: scenario('latency', { unloaded_p99_ms: 4, unloaded_entry_p99_ms: 1 }),
    });
    for (const start of ['throughput at 100', 'latency p99, one flow at a time (accepted → stop)', 'latency p99, one flow at a time (accepted → entry']) {
      expect(row(rows, start).verdict).toBeNull();
      expect(row(rows, start).baseline).toBeNull();
    }
    expect(row(rows, 'throughput at 100').value).toBeNull();
    expect(row(rows, 'latency p99, one flow at a time (accepted → stop)').note).toBe('its baseline was not measured in this run');
  });

  it('puts commits, rows and WAL pages per directive in the table', () => {
    const rows = figureRows({ 'throughput-100': scenario('throughput-100', { commits_per_directive: 0.25, rows_per_directive: 9.5, wal_pages_per_directive: 3.25 }) });
    const table = formatTable(rows);
    expect(table).toMatch(/durable commits per directive \(throughput-100.*0\.25 commits/);
    expect(table).toMatch(/rows written per directive.*9\.50 rows/);
    expect(table).toMatch(/WAL pages per directive.*3\.25 pages/);
  });

  it('sums a profile’s self time per function', () => {
    const frame = (functionName: string, lineNumber: number) => ({ functionName, url: 'node:internal/x', lineNumber, columnNumber: 0 });
    const summary = summariseProfile({
      nodes: [
        { id: 1, callFrame: frame('(root)', 0), children: [2, 3] },
        { id: 2, callFrame: frame('hot', 10) },
        { id: 3, callFrame: frame('cold', 20) },
      ],
      startTime: 0,
      endTime: 400,
      samples: [2, 2, 3, 2],
      timeDeltas: [0, 100, 100, 100],
    });
    expect(summary.top[0]).toMatchObject({ function: 'hot', location: 'node:internal/x:11:1', self_ms: 0.2 });
    expect(summary.top[1]).toMatchObject({ function: 'cold', self_ms: 0.1 });
  });
});
