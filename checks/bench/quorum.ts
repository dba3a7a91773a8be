/**
 * Quorum register benchmarks (issue 8): exhaustive states per second for ABD with 3 replicas and
 * 2 clients; the time to find the non-linearizable R + W > N trace (breadth-first, and random
 * with a fixed seed); linearizability checked on every state vs on terminal states only; and the
 * exhaustive proof that R + W > N without write-back is regular (3 operations).
 *
 * Exhaustive jobs run in fresh processes (`repeatExhaustive`), medians of `reps`; the random
 * search and the invariant-cost comparison run in this process. It prints nothing.
 */
import { repeatExhaustive, median } from './harness.ts';
import { checkRandom } from '../random.ts';
import { explore } from '../exhaustive.ts';
import { makeAbd } from '../../specs/models/abd.ts';
import { makeDynamo } from '../../specs/models/dynamo.ts';
import type { QuorumState } from '../../impl/quorum/machine.ts';

const ABD = { model: 'abdModel', module: 'specs/models/abd.ts' } as const;
const DYNAMO = { model: 'dynamoModel', module: 'specs/models/dynamo.ts' } as const;

/** Options: repetitions, and whether to run the long jobs (about a minute each). */
export interface QuorumBenchOptions {
  readonly reps?: number;
  readonly long?: boolean;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Run the quorum benchmark. */
export async function benchQuorum(opts: QuorumBenchOptions = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const long = opts.long ?? true;
  const summary: string[] = [];
  const rows: Record<string, unknown>[] = [];
  const exhaustive = (label: string, job: Parameters<typeof repeatExhaustive>[0], n: number) => {
    const r = repeatExhaustive(job, n);
    rows.push({ label, job, ...r });
    summary.push(
      `${label.padEnd(58)} ${r.status.padEnd(9)}${r.violation ? ` ${r.violation.name} in ${r.violation.steps} steps` : ''} ` +
        `${fmt(r.states).padStart(9)} states  median ${sec(r.elapsedMs).padStart(8)} (of ${r.reps}: ${r.elapsedMsAll.join(', ')} ms)  ${fmt(r.statesPerSecond).padStart(7)} states/s  peak RSS ${Math.round(r.peakRssMiB)} MiB`,
    );
    return r;
  };

  // 1. ABD, 3 replicas, 2 clients: exhaustive throughput.
  exhaustive('ABD 3 replicas, 2 clients, 2 ops', { ...ABD, params: { requests: 2 } }, reps);
  exhaustive('ABD 3 replicas, 2 clients, 2 ops, 1 crash-recovery', { ...ABD, params: { requests: 2, crashes: 1 } }, reps);
  if (long) exhaustive('ABD 3 replicas, 2 clients, 3 ops', { ...ABD, params: { requests: 3 } }, 1);

  // 2. Linearizability on every state vs on terminal states only (same states, same verdicts).
  // Whole-run times differ by less than the noise of a shared machine, so this is measured
  // in-process: the time spent inside the invariant (history search, caches, and for the
  // terminal mode the `actions()` call that tells a terminal state), median of `reps`.
  const linCost = (linCheck: 'every-state' | 'terminal') => {
    const ms: number[] = [];
    let states = 0;
    for (let i = 0; i < reps; i++) {
      const m = makeAbd({ requests: 2, crashes: 1, linCheck });
      const inv = m.invariants!.find((x) => x.name === 'linearizable')!;
      let t = 0;
      const timed = { ...m, invariants: [{ ...inv, check: (st: QuorumState) => { const t0 = performance.now(); const v = inv.check(st); t += performance.now() - t0; return v; } }] };
      const r = explore(timed);
      if (r.status !== 'exhausted') throw new Error(`ABD ${linCheck}: ${r.status}`);
      states = r.stats.states;
      ms.push(t);
    }
    return { linCheck, states, invariantMsAll: ms.map(Math.round), invariantMs: median(ms) };
  };
  const every = linCost('every-state');
  const term = linCost('terminal');
  summary.push(
    `  linearizable invariant, ${fmt(every.states)} states (1 crash-recovery config): on every state ${Math.round(every.invariantMs)} ms ` +
      `(of ${reps}: ${every.invariantMsAll.join(', ')}), on terminal states only ${Math.round(term.invariantMs)} ms (of ${reps}: ${term.invariantMsAll.join(', ')}); ` +
      `${every.invariantMs <= term.invariantMs ? 'every state is faster (verdicts are cached per distinct history; telling a terminal state costs an actions() call per state)' : 'terminal states only is faster'}`,
  );

  // 3. Time to find the non-linearizable R + W > N trace.
  const bfs = exhaustive('Dynamo N=3 R=W=2, 3 ops: BFS to the violation', { ...DYNAMO, params: { requests: 3 }, checks: ['linearizable'] }, reps);
  const randomMs: number[] = [];
  let randomLen = 0;
  let randomRuns = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = checkRandom(makeDynamo({ requests: 4 }), { seed: 1, runs: 5000, maxSteps: 60, checks: ['linearizable'] });
    randomMs.push(performance.now() - t0);
    randomLen = r.violation?.trace.steps.length ?? -1;
    randomRuns = r.stats.runs;
  }
  summary.push(
    `Dynamo N=3 R=W=2, 4 ops: random (seed 1) finds it after ${randomRuns} runs, shrunk to ${randomLen} steps: median ${sec(median(randomMs))} (of ${reps}: ${randomMs.map(Math.round).join(', ')} ms, in-process, shrinking included)`,
  );

  // 4. R + W > N without write-back is regular: every state of 3 operations.
  if (long) exhaustive('Dynamo N=3 R=W=2, 3 ops: regular on every state', { ...DYNAMO, params: { requests: 3 }, checks: ['regular'] }, 1);

  return {
    summary,
    rows,
    linCheck: { every, terminal: term },
    random: { config: 'dynamo requests=4', seed: 1, runs: randomRuns, steps: randomLen, msAll: randomMs, medianMs: median(randomMs) },
    targets: {
      // The largest exhaustive ABD run (3 replicas, 2 clients) measures throughput best.
      abdStatesPerSecond: rows
        .filter((r) => String(r['label']).startsWith('ABD'))
        .reduce((a, b) => (Number(b['states']) > Number(a['states']) ? b : a))['statesPerSecond'],
      bfsToViolationMs: bfs.elapsedMs,
      randomToViolationMs: median(randomMs),
      linCheckFaster: every.invariantMs <= term.invariantMs ? 'every-state' : 'terminal',
    },
  };
}
