/**
 * Logical clocks benchmark (issue 7): exhaustive states per second on 3 processes with a small
 * event budget (each job in a fresh process, median of `reps`), and the time random mode takes
 * to find each known bug (median over seeds, search only, and the shrunk trace length against
 * BFS's shortest). It prints nothing; the bench runner prints or writes it.
 */
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import type { AnyMachine, ParamValue } from '../../impl/core/machine.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import { makeLamport, LAMPORT_BUGS } from '../../specs/models/lamport.ts';
import { makeVectorClock, VECTOR_BUGS } from '../../specs/models/vector-clock.ts';
import { makeHlc, HLC_BUGS } from '../../specs/models/hlc.ts';
import { makeLwwStore } from '../../specs/models/lww-store.ts';
import { median, repeatExhaustive } from './harness.ts';

/** One exhaustive configuration: a model export in a module, with parameters. */
interface ExhaustiveConfig {
  readonly label: string;
  readonly model: string;
  readonly module: string;
  readonly params: Readonly<Record<string, ParamValue>>;
}

const EXHAUSTIVE: readonly ExhaustiveConfig[] = [
  { label: 'Lamport, 3 processes, 4 events', model: 'lamportModel', module: 'impl/clocks/lamport.ts', params: { nodes: 3, events: 4 } },
  { label: 'Lamport, 3 processes, 3 events, 1 drop, 1 duplicate', model: 'lamportModel', module: 'impl/clocks/lamport.ts', params: { nodes: 3, events: 3, drops: 1, duplicates: 1 } },
  { label: 'vector clock, 3 processes, 4 events', model: 'vectorClockModel', module: 'impl/clocks/vector.ts', params: { nodes: 3, events: 4 } },
  { label: 'HLC, 3 processes, 3 events, clocks ≤ 1, ε = 1', model: 'hlcModel', module: 'impl/clocks/hlc.ts', params: { nodes: 3, events: 3, maxClock: 1, maxSkew: 1 } },
  { label: 'HLC, 3 processes, 3 events, clocks ≤ 2, ε = 1', model: 'hlcModel', module: 'impl/clocks/hlc.ts', params: { nodes: 3, events: 3, maxClock: 2, maxSkew: 1 } },
  { label: 'vc-store, 3 replicas, 3 writes', model: 'vcStoreModel', module: 'impl/clocks/store.ts', params: { nodes: 3, writes: 3 } },
];

/** The random-mode configuration: more events and faults than exhaustive search reaches. */
const RANDOM: Partial<EnvConfig> = { nodes: 3, requests: 16, drops: 2, duplicates: 2 };
const RANDOM_HLC: Partial<EnvConfig> = { ...RANDOM, maxClock: 8, maxSkew: 2 };
/** A known bug to detect: the machine (random mode, and BFS for the shortest trace) and the check. */
interface BugJob {
  readonly label: string;
  readonly machine: AnyMachine;
  readonly check: string;
}

function bugJobs(): BugJob[] {
  const jobs: BugJob[] = [];
  for (const [bug, spec] of Object.entries(LAMPORT_BUGS)) {
    for (const check of spec.breaks) jobs.push({ label: `lamport ${bug}`, machine: makeLamport(RANDOM, bug as keyof typeof LAMPORT_BUGS), check });
  }
  for (const [bug, spec] of Object.entries(VECTOR_BUGS)) {
    const b = bug as keyof typeof VECTOR_BUGS;
    for (const check of spec.breaks) jobs.push({ label: `vector-clock ${bug}`, machine: makeVectorClock(RANDOM, b), check });
  }
  for (const [bug, spec] of Object.entries(HLC_BUGS)) {
    const b = bug as keyof typeof HLC_BUGS;
    for (const check of spec.breaks) jobs.push({ label: `hlc ${bug}`, machine: makeHlc(RANDOM_HLC, b), check });
  }
  const lww = { nodes: 3, requests: 8, drops: 2, duplicates: 2, maxClock: 6, maxSkew: 2 };
  for (const check of ['no-lost-causal-write', 'conflicts-detected']) {
    jobs.push({ label: 'lww-store', machine: makeLwwStore(lww), check });
  }
  return jobs;
}

/** Time to the first violation (search only) over `seeds` seeds, and the shrunk lengths. */
function detect(job: BugJob, seeds: number): Record<string, unknown> {
  // BFS on the same configuration: the shortest trace random mode could have found.
  const bfs = explore(job.machine, { checks: [job.check], maxStates: 2_000_000 });
  const searchMs: number[] = [];
  const runs: number[] = [];
  const final: number[] = [];
  let found = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = checkRandom(job.machine, { seed, runs: 100_000, maxSteps: 80, timeLimitMs: 30_000, checks: [job.check] });
    if (r.status !== 'violation') continue;
    found++;
    searchMs.push(r.stats.searchMs);
    runs.push(r.stats.runs);
    final.push(r.stats.shrink?.finalLength ?? r.violation!.trace.steps.length);
  }
  return {
    bug: job.label,
    check: job.check,
    seeds,
    found,
    bfsShortest: bfs.violation?.trace.steps.length ?? null,
    medianMsToFirstViolation: found > 0 ? Number(median(searchMs).toFixed(2)) : null,
    maxMsToFirstViolation: found > 0 ? Number(Math.max(...searchMs).toFixed(2)) : null,
    medianRunsToFirstViolation: found > 0 ? median(runs) : null,
    medianShrunkLength: found > 0 ? median(final) : null,
    maxShrunkLength: found > 0 ? Math.max(...final) : null,
  };
}

/**
 * Exhaustive states per second for each clock on 3 processes (median of `reps` fresh-process
 * runs), and random-mode time to detect each known bug (median over `seeds` seeds).
 */
export async function benchClocks(opts: { readonly reps?: number; readonly seeds?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const seeds = opts.seeds ?? 20;
  const exhaustive = EXHAUSTIVE.map((c) => ({ label: c.label, model: c.model, module: c.module, params: c.params, ...repeatExhaustive({ model: c.model, module: c.module, params: c.params }, reps) }));
  const detection = bugJobs().map((j) => detect(j, seeds));
  const summary = [
    ...exhaustive.map(
      (r) =>
        `${r.label.padEnd(52)} ${r.status.padEnd(9)} ${String(r.states).padStart(8)} states ${String(r.transitions).padStart(9)} transitions  median ${(r.elapsedMs / 1000).toFixed(2).padStart(6)} s (of ${r.reps}: ${r.elapsedMsAll.join(', ')} ms)  ${Math.round(r.statesPerSecond).toLocaleString('en-US').padStart(8)} states/s  ${r.checkerBytesPerState.toFixed(1)} B/state  peak RSS ${Math.round(r.peakRssMiB)} MiB`,
    ),
    ...detection.map(
      (d) =>
        `random: ${String(d['bug'])} breaks ${String(d['check'])}: found ${String(d['found'])}/${String(d['seeds'])} · median ${String(d['medianMsToFirstViolation'])} ms (max ${String(d['maxMsToFirstViolation'])}) to first violation · shrunk median ${String(d['medianShrunkLength'])} steps (max ${String(d['maxShrunkLength'])}) vs BFS ${String(d['bfsShortest'])}`,
    ),
  ];
  return { summary, exhaustive, detection, random: { config: RANDOM, hlcConfig: RANDOM_HLC, maxSteps: 80 } };
}
