import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';
import { VenueErrorMetrics } from '../../src/metrics/venue-error-metrics.js';

const DASHBOARD = resolve(import.meta.dirname, '../../docs/grafana/planexec.json');

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource?: { readonly uid: string };
  readonly targets?: readonly { readonly expr: string; readonly refId: string; readonly datasource?: { readonly uid: string } }[];
}

interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly definition?: string }[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

/** Every PromQL text the dashboard runs: panel queries and template variable queries. */
function queries(): string[] {
  const panels = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const variables = dashboard.templating.list.flatMap((v) => (v.definition === undefined ? [] : [v.definition]));
  return [...panels, ...variables];
}

/** The series names planexec exposes: each metric, and for a histogram its _bucket, _sum and _count. */
async function exposedSeries(): Promise<Set<string>> {
  const metrics = new PrometheusMetrics();
  new VenueErrorMetrics().exposeIn(metrics.registry);
  const names = new Set<string>();
  for (const line of (await metrics.metricsText()).split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type === null) continue;
    const [, name, kind] = type as unknown as [string, string, string];
    if (kind === 'histogram' || kind === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (kind !== 'histogram') names.add(name);
  }
  return names;
}

describe('docs/grafana/planexec.json', () => {
  it('queries only series that planexec exposes at /metrics', async () => {
    const exposed = await exposedSeries();
    const used = new Set(queries().flatMap((q) => q.match(/\bplanexec_[a-z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(exposed, `${name} is queried but not exposed`).toContain(name);
  });

  it('shows flows by outcome, latency quantiles, execution attempts, slow executions, anomalies and venue errors', () => {
    const all = queries().join('\n');
    for (const needed of [
      /sum by \(outcome\) \(rate\(planexec_flow_duration_seconds_count/,
      /histogram_quantile\(0\.95, sum by \(le\) \(rate\(planexec_flow_duration_seconds_bucket/,
      /planexec_execution_attempts_total/,
      /planexec_slow_executions_total/,
      /planexec_anomalies_total/,
      /planexec_venue_unmapped_errors_total/,
    ]) {
      expect(all).toMatch(needed);
    }
  });

  it('is an importable dashboard: unique panel ids, every query on the datasource variable, balanced PromQL', () => {
    expect(dashboard.uid).toBe('planexec-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe('${datasource}');
        let depth = 0;
        for (const char of target.expr) {
          depth += char === '(' ? 1 : char === ')' ? -1 : 0;
          expect(depth, `${panel.title}: ${target.expr}`).toBeGreaterThanOrEqual(0);
        }
        expect(depth, `${panel.title}: ${target.expr}`).toBe(0);
        // every series is narrowed to the chosen instances
        for (const selector of target.expr.match(/planexec_[a-z0-9_]+(\{[^}]*\})?/g) ?? []) expect(selector, panel.title).toContain('instance=~"$instance"');
      }
    }
  });
});
