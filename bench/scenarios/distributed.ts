/**
 * Distributed mode (DESIGN §6, docs/deployment.md): `planexec serve` workers (1, 2, 3) on one
 * PostgreSQL schema and one JetStream stream, trading through ccxt on the loopback exchange,
 * directives fed by `planexec publish`. Measured in the same run:
 * - directives/s from the first publish to the last flow stopped, per worker count;
 * - PostgreSQL's own durable-commit ceiling for the same entries: the journal rows one directive
 *   writes (count and size as measured in the 1-worker run), hash-chained, in group commits of 100
 *   on one connection; the judged ratio is one worker ÷ that ceiling (target ≥ 0.5);
 * - CPU per directive: each worker process, the PostgreSQL server processes, the NATS server
 *   (from /proc, so the figures are the processes' own, whatever else the machine does).
 *
 *   node --import tsx bench/scenarios/distributed.ts [--pairs 300] [--strategies 100] [--workers 1,2,3] [--partitions 16] [--ceiling-seconds 3]
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { distributedInput, workersWorld } from '../../test/distributed/workers-world.js';
import { POSTGRES_TEST_URL, scratchSchema } from '../../test/support/postgres.js';
import { log, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';

const TICK_MS = 10; // /proc reports CPU in clock ticks of 1/100 s (USER_HZ on Linux)

function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function pidsOf(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const cpuOf = (pids: readonly number[]): number => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);

interface WorkersRun {
  readonly workers: number;
  readonly directives: number;
  readonly seconds: number;
  readonly directivesPerSecond: number;
  readonly workerCpuMsPerDirective: number;
  readonly postgresCpuMsPerDirective: number;
  readonly natsCpuMsPerDirective: number;
  readonly entriesPerDirective: number;
  readonly entryBytes: number;
  readonly succeeded: number;
}

async function runWorkers(workers: number, strategies: number, pairs: number, partitions: number): Promise<WorkersRun> {
  const world = await workersWorld({ leaseSeconds: 15, partitions });
  try {
    const input = distributedInput(strategies, Math.max(1, Math.round(pairs / strategies)), `w${workers}`);
    const started = await Promise.all(Array.from({ length: workers }, (_, i) => world.start(`w${i + 1}`)));
    const workerPids = started.map((w) => w.child.pid!);
    const before = { workers: cpuOf(workerPids), postgres: cpuOf(pidsOf('postgres')), nats: cpuOf(pidsOf('nats-server')) };
    const t0 = performance.now();
    const published = await world.publish(input.lines);
    if (published.code !== 0) throw new Error(`publish failed: ${published.stderr}`);
    await world.settled(input.directiveIds, 600_000);
    const seconds = (performance.now() - t0) / 1000;
    const after = { workers: cpuOf(workerPids), postgres: cpuOf(pidsOf('postgres')), nats: cpuOf(pidsOf('nats-server')) };
    const n = input.directiveIds.length;
    const journal = await world.pool.query<{ n: string; bytes: string }>('SELECT COUNT(*) AS n, COALESCE(AVG(length(body)), 0) AS bytes FROM journal');
    const succeeded = Number((await world.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM flows WHERE status = 'SUCCEEDED'")).rows[0]!.n);
    return {
      workers,
      directives: n,
      seconds,
      directivesPerSecond: n / seconds,
      workerCpuMsPerDirective: (after.workers - before.workers) / n,
      postgresCpuMsPerDirective: (after.postgres - before.postgres) / n,
      natsCpuMsPerDirective: (after.nats - before.nats) / n,
      entriesPerDirective: Number(journal.rows[0]!.n) / n,
      entryBytes: Number(journal.rows[0]!.bytes),
      succeeded,
    };
  } finally {
    await world.close();
  }
}

/** Hash-chained journal rows of `bodyBytes`, `batch` per durable commit, on one connection, for `seconds`: rows/s. */
async function postgresCeiling(seconds: number, batch: number, bodyBytes: number): Promise<{ entriesPerSecond: number; commits: number }> {
  const scratch = await scratchSchema();
  try {
    await scratch.pool.query('CREATE TABLE journal (seq BIGSERIAL PRIMARY KEY, chain TEXT NOT NULL, flow_id TEXT NOT NULL, body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)');
    await scratch.pool.query('CREATE INDEX journal_flow ON journal (flow_id, seq)');
    const client = await scratch.pool.connect();
    try {
      const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, bodyBytes - 10)) });
      let hash = '0'.repeat(64);
      let entries = 0;
      let commits = 0;
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        const chains: string[] = [];
        const flows: string[] = [];
        const bodies: string[] = [];
        const prevs: string[] = [];
        const hashes: string[] = [];
        for (let i = 0; i < batch; i += 1) {
          const next = createHash('sha256').update(hash).update(body).digest('hex');
          chains.push(`s${(entries + i) % 100}`);
          flows.push(`F${Math.floor((entries + i) / 8)}`);
          bodies.push(body);
          prevs.push(hash);
          hashes.push(next);
          hash = next;
        }
        await client.query('BEGIN');
        await client.query('INSERT INTO journal (chain, flow_id, body, prev_hash, hash) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])', [chains, flows, bodies, prevs, hashes]);
        await client.query('COMMIT');
        entries += batch;
        commits += 1;
      }
      return { entriesPerSecond: entries / seconds, commits };
    } finally {
      client.release();
    }
  } finally {
    await scratch.drop();
  }
}

export async function distributedScenario(args: ScenarioArgs): Promise<ScenarioResult> {
  const pairs = numberArg(args, 'pairs', 300);
  const strategies = numberArg(args, 'strategies', 100);
  const counts = (args.get('workers') ?? '1,2,3').split(',').map(Number);
  // fail at once, with the reason, when a service is missing
  const probe = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 2_000 });
  await probe.connect();
  await probe.end();
  const runs: WorkersRun[] = [];
  for (const n of counts) {
    log(`distributed: ${n} worker(s), ${pairs * 2} directives over ${strategies} strategies`);
    runs.push(await runWorkers(n, strategies, pairs, numberArg(args, 'partitions', 16)));
  }
  const one = runs.find((r) => r.workers === 1) ?? runs[0]!;
  log(`distributed: PostgreSQL ceiling for ${one.entriesPerDirective.toFixed(1)} entries of ${Math.round(one.entryBytes)} B per directive`);
  const ceiling = await postgresCeiling(numberArg(args, 'ceiling-seconds', 3), 100, Math.round(one.entryBytes));
  const ceilingDirectives = ceiling.entriesPerSecond / one.entriesPerDirective;
  const figures: Record<string, { value: number; unit: string }> = {
    postgres_ceiling_entries_per_second: { value: ceiling.entriesPerSecond, unit: 'entries/s' },
    postgres_ceiling_directives_per_second: { value: ceilingDirectives, unit: 'directives/s' },
    one_worker_over_ceiling: { value: one.directivesPerSecond / ceilingDirectives, unit: 'ratio' },
  };
  for (const r of runs) {
    figures[`directives_per_second_${r.workers}_workers`] = { value: r.directivesPerSecond, unit: 'directives/s' };
    figures[`worker_cpu_ms_per_directive_${r.workers}_workers`] = { value: r.workerCpuMsPerDirective, unit: 'ms' };
    figures[`postgres_cpu_ms_per_directive_${r.workers}_workers`] = { value: r.postgresCpuMsPerDirective, unit: 'ms' };
    figures[`nats_cpu_ms_per_directive_${r.workers}_workers`] = { value: r.natsCpuMsPerDirective, unit: 'ms' };
  }
  return { scenario: 'distributed', figures, details: { runs, ceiling, pairs, strategies } };
}

runIfMain(import.meta.url, distributedScenario);
