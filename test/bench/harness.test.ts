import { describe, expect, it } from 'vitest';
import { figureRows, formatTable } from '../../bench/run.js';
import { summariseProfile } from '../../bench/profile-summary.js';
import { storageCeiling } from '../../bench/scenarios/storage-ceiling.js';
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
    const result = await throughput({ strategies: 2, count: 200, warmup: wholeCycles(2, 6) });
    expect(result.details['directives']).toBe(200);
    expect(result.details['succeeded']).toBe(200);
    expect(result.details['failed']).toBe(0);
    expect(result.details['failures']).toEqual({});
    expect((result.details['latency_under_saturation'] as { count: number }).count).toBe(200);
    expect(result.figures['directives_per_second']!.value).toBeGreaterThan(0);
  });

  it('storage ceiling: the captured writes replay into a fresh database in all three groupings', async () => {
    const result = await storageCeiling({ strategies: 2, count: 30 });
    expect(result.details['directives']).toBe(30);
    expect(result.details['row_writes']).toBeGreaterThan(30);
    expect(result.details['group_commits']).toBeGreaterThan(0);
    const byStatement = result.details['writes_per_directive_by_statement'] as Record<string, number>;
    expect(Object.keys(byStatement)).toEqual(expect.arrayContaining(['INSERT journal', 'INSERT flows', 'INSERT orders', 'INSERT positions']));
    for (const figure of Object.values(result.figures)) expect(Number.isFinite(figure.value)).toBe(true);
  });
});

describe('bench report', () => {
  it('marks a target that is not met MISSED with how far it is, and one that is met as met', () => {
    const rows = figureRows({
      'throughput-100': { scenario: 'throughput-100', figures: { directives_per_second: { value: 15_000, unit: 'directives/s' } }, details: { commits_per_directive: 0.5 } },
      'storage-ceiling': { scenario: 'storage-ceiling', figures: { group_commit_directives_per_second: { value: 40_000, unit: 'directives/s' } }, details: {} },
      latency: { scenario: 'latency', figures: { p99_ms: { value: 1.5, unit: 'ms' } }, details: {} },
    });
    const throughputRow = rows.find((r) => r.figure.startsWith('throughput, 100'))!;
    expect(throughputRow.verdict).toBe('MISSED');
    expect(throughputRow.ratio_to_target).toBeCloseTo(0.5);
    expect(rows.find((r) => r.figure.startsWith('latency p99 at'))!.verdict).toBe('met');
    const ratio = rows.find((r) => r.figure.startsWith('orchestrated'))!;
    expect(ratio.value).toBeCloseTo(0.375);
    expect(ratio.verdict).toBe('met');
    expect(formatTable(rows)).toContain('MISSED (50.0% of target)');
  });

  it('does not compute a ratio whose baseline was not measured in the same run', () => {
    const rows = figureRows({ 'throughput-100': { scenario: 'throughput-100', figures: { directives_per_second: { value: 100, unit: 'directives/s' } }, details: {} } });
    const ratio = rows.find((r) => r.figure.startsWith('orchestrated'))!;
    expect(ratio.value).toBeNull();
    expect(ratio.verdict).toBeNull();
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
