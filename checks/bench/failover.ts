/**
 * Failure detection and split-brain (`impl/failover/`, issue 17): the correct designs explored
 * exhaustively at bounds larger than the unit tests pin (GitHub with a partition of any two
 * groups of its six nodes; the majority election with a crash and a drop; leases with ε = 2),
 * each in fresh processes, medians of `reps` runs; every known-bug variant's shortest trace with
 * its own configuration; and random mode's time to find each variant (seeds 1..5, the model's
 * defaults plus the variant's configuration). Correctness of the counts is pinned in
 * `checks/protocols/failover.test.ts`; here the point is the cost.
 */
import { instantiate, type ParamValue } from '../../impl/core/machine.ts';
import { checkRandom } from '../random.ts';
import { loadModel } from '../../specs/models/catalogue.ts';
import { median, repeatExhaustive } from './harness.ts';

/** The exhaustive jobs: name, model, parameters. */
export const FAILOVER_BENCH_JOBS: readonly { readonly label: string; readonly model: string; readonly params: Readonly<Record<string, ParamValue>> }[] = [
  { label: 'github fence-first, a partition of any two groups', model: 'github', params: { partitions: 1, timeouts: 3 } },
  { label: 'election majority, 1 crash + 1 drop', model: 'election', params: { crashes: 1, drops: 1, timeouts: 5 } },
  { label: 'leader-lease ε=2, D=5', model: 'leader-lease', params: { maxSkew: 2, duration: 5 } },
  { label: 'primary stonith, 1 drop', model: 'primary', params: { guard: 'stonith', drops: 1 } },
  { label: 'election bully', model: 'election', params: { bug: 'bully', partitions: 1 } },
  { label: 'primary no-token-check', model: 'primary', params: { bug: 'no-token-check', guard: 'fencing' } },
  { label: 'primary stonith-unreachable', model: 'primary', params: { bug: 'stonith-unreachable', guard: 'stonith', partitions: 1 } },
  { label: 'leader-lease ignore-skew', model: 'leader-lease', params: { bug: 'ignore-skew' } },
  { label: 'github cross-region-promotion', model: 'github', params: { bug: 'cross-region-promotion' } },
];

/** Run the failover benchmark. */
export async function benchFailover(opts: { readonly reps?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const rows = [];
  const summary: string[] = [];
  for (const job of FAILOVER_BENCH_JOBS) {
    const r = repeatExhaustive({ model: job.model, params: job.params, maxStates: 50_000_000, timeLimitMs: 1_800_000 }, reps);
    rows.push({ ...job, ...r });
    const verdict = r.violation ? `${r.violation.name} after ${r.violation.steps} steps` : r.status;
    summary.push(`${job.label}: ${verdict}, ${r.states.toLocaleString('en-US')} states, ${(r.elapsedMs / 1000).toFixed(2)} s (median of ${reps}), ${Math.round(r.statesPerSecond).toLocaleString('en-US')} states/s`);
  }
  const random = [];
  for (const [model, bug] of [['election', 'bully'], ['primary', 'no-token-check'], ['primary', 'stonith-unreachable'], ['primary', 'inaccurate-switch'], ['leader-lease', 'ignore-skew'], ['github', 'cross-region-promotion']] as const) {
    const m = await loadModel(model);
    const { machine } = instantiate(m, { ...(m.bugs[bug]!.config ?? {}), bug });
    const times: number[] = [];
    let found = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const t0 = performance.now();
      const r = checkRandom(machine, { seed, runs: 100_000, maxSteps: 100, timeLimitMs: 120_000, shrink: false });
      times.push(performance.now() - t0);
      if (r.status === 'violation') found++;
    }
    random.push({ model, bug, found, seeds: 5, medianMs: median(times) });
    summary.push(`random ${model} ${bug}: found on ${found}/5 seeds, median ${median(times).toFixed(0)} ms`);
  }
  return { reps, rows, random, summary };
}
