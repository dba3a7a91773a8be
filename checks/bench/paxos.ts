/**
 * Paxos benchmark: exhaustive throughput on single-decree Paxos with 3 acceptors and 2
 * proposers (with and without acceptor symmetry, with and without a crash), Multi-Paxos with
 * 2 slots, and the time to detect each known bug, exhaustively (BFS, fresh process, median of
 * `reps`) and in random mode (median time to the first violation over 20 seeds, with the shrunk
 * trace lengths against BFS's shortest). It prints nothing; the bench runner prints or writes it.
 *
 * For reference, TLC checks Lamport's PaxosCommit with 2 RMs and 3 acceptors (1,321,761
 * distinct states) in about 117 s on one core of the development machine.
 */
import { checkRandom } from '../random.ts';
import { explore } from '../exhaustive.ts';
import { makePaxos, PAXOS_BUGS, type PaxosBug } from '../../specs/models/paxos.ts';
import { makeMultiPaxos, MULTIPAXOS_BUGS } from '../../specs/models/multipaxos.ts';
import { median, repeatExhaustive } from './harness.ts';
import type { ParamValue } from '../../impl/core/machine.ts';

/** TLC on PaxosCommit (2 RMs, 3 acceptors), one worker, this machine: the issue's reference. */
export const TLC_PAXOS_COMMIT = { states: 1_321_761, seconds: 117 };

const SINGLE = { module: 'specs/models/paxos.ts', model: 'paxosModel' } as const;
const MULTI = { module: 'specs/models/multipaxos.ts', model: 'multiPaxosModel' } as const;
const BASE = { acceptors: 3, proposers: 2, ballots: 2 } as const;

/** The check each bug's detection time is measured on (its headline property). */
const HEADLINE: Readonly<Record<string, string>> = {
  'forgetful-acceptor': 'agreement',
  'ignore-accepted': 'agreement',
  'minority-quorum': 'agreement',
  'accept-below-promise': 'agreement',
  'null-value': 'validity',
  'skip-recovery': 'agreement',
};

interface ThroughputRow {
  readonly name: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly reps: number;
}

/** Random mode: time to the first violation and shrunk lengths over `seeds` seeds. */
function randomDetection(name: string, build: () => Parameters<typeof checkRandom>[0], check: string, seeds: number): Record<string, unknown> {
  const m = build();
  const bfs = explore(m, { checks: [check] }).violation?.trace.steps.length ?? null;
  const searchMs: number[] = [];
  const runs: number[] = [];
  const final: number[] = [];
  let found = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = checkRandom(m, { seed, runs: 1_000_000, maxSteps: 100, timeLimitMs: 60_000, checks: [check] });
    if (r.status !== 'violation') continue;
    found++;
    searchMs.push(r.stats.searchMs);
    runs.push(r.stats.runs);
    final.push(r.stats.shrink!.finalLength);
  }
  return {
    name,
    check,
    seeds,
    found,
    bfsShortest: bfs,
    medianMsToFirstViolation: found ? Number(median(searchMs).toFixed(2)) : null,
    maxMsToFirstViolation: found ? Number(Math.max(...searchMs).toFixed(2)) : null,
    medianRunsToFirstViolation: found ? median(runs) : null,
    medianShrunkLength: found ? median(final) : null,
    maxShrunkLength: found ? Math.max(...final) : null,
  };
}

/**
 * Run the Paxos benchmark: `reps` repetitions of each exhaustive job (default 3); the
 * 1.58-million-state configuration (1 crash, no symmetry) runs once, unless `full` is false.
 */
export async function benchPaxos(opts: { readonly reps?: number; readonly full?: boolean; readonly seeds?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const seeds = opts.seeds ?? 20;
  const throughputJobs: ThroughputRow[] = [
    { name: 'paxos A3 P2 B2, no faults', params: { ...BASE, crashes: 0, symmetry: false }, reps },
    { name: 'paxos A3 P2 B2, no faults, symmetry', params: { ...BASE, crashes: 0, symmetry: true }, reps },
    { name: 'paxos A3 P2 B2, 1 crash, symmetry (model defaults)', params: { ...BASE, crashes: 1, symmetry: true }, reps },
    ...((opts.full ?? true) ? [{ name: 'paxos A3 P2 B2, 1 crash', params: { ...BASE, crashes: 1, symmetry: false }, reps: 1 }] : []),
  ];
  const throughput = throughputJobs.map((j) => ({ name: j.name, params: j.params, ...repeatExhaustive({ ...SINGLE, params: j.params }, j.reps) }));
  const multi = [
    { name: 'multipaxos A3 P2 B2 S2 W1, no faults', params: { ...BASE, slots: 2, window: 1, crashes: 0, symmetry: false } },
    { name: 'multipaxos A3 P2 B2 S2 W1, 1 crash, symmetry (model defaults)', params: { ...BASE, slots: 2, window: 1, crashes: 1, symmetry: true } },
  ].map((j) => ({ ...j, ...repeatExhaustive({ ...MULTI, params: j.params }, reps) }));

  // Detection, exhaustive: BFS on the registry model (defaults: symmetry, 1 crash).
  const bugs = Object.keys(PAXOS_BUGS) as Exclude<PaxosBug, 'none'>[];
  const exhaustiveDetection = [
    ...bugs.map((bug) => ({ model: 'paxos', bug, check: HEADLINE[bug]!, ...repeatExhaustive({ ...SINGLE, params: { bug }, checks: [HEADLINE[bug]!] }, reps) })),
    ...Object.keys(MULTIPAXOS_BUGS).map((bug) => ({
      model: 'multipaxos',
      bug,
      check: HEADLINE[bug]!,
      ...repeatExhaustive({ ...MULTI, params: { bug }, checks: [HEADLINE[bug]!] }, reps),
    })),
  ];
  // Detection, random: the same configurations, without symmetry (random mode does not use it).
  const randomDetectionRows = [
    ...bugs.map((bug) => randomDetection(`paxos ${bug}`, () => makePaxos({ ...BASE, crashes: 1 }, bug), HEADLINE[bug]!, seeds)),
    ...Object.keys(MULTIPAXOS_BUGS).map((bug) =>
      randomDetection(`multipaxos ${bug}`, () => makeMultiPaxos({ ...BASE, slots: 2, window: 1, crashes: 1 }, 'skip-recovery'), HEADLINE[bug]!, seeds),
    ),
  ];

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const tlcRate = TLC_PAXOS_COMMIT.states / TLC_PAXOS_COMMIT.seconds;
  const summary = [
    ...[...throughput, ...multi].map(
      (r) =>
        `${r.name.padEnd(60)} ${fmt(r.states).padStart(9)} states ${fmt(r.transitions).padStart(10)} transitions  median ${(r.elapsedMs / 1000).toFixed(2).padStart(6)} s (of ${r.reps}: ${r.elapsedMsAll.join(', ')} ms)  ${fmt(r.statesPerSecond).padStart(7)} states/s  ${r.checkerBytesPerState.toFixed(1)} B/state  peak RSS ${Math.round(r.peakRssMiB)} MiB`,
    ),
    `TLC reference: PaxosCommit (2 RMs, 3 acceptors) ${fmt(TLC_PAXOS_COMMIT.states)} states in ~${TLC_PAXOS_COMMIT.seconds} s = ${fmt(tlcRate)} states/s`,
    ...exhaustiveDetection.map(
      (r) =>
        `BFS detects ${r.model} ${r.bug} (${r.check}): ${r.violation ? `${r.violation.steps}-step trace` : 'NOT FOUND'} after ${fmt(r.states)} states, median ${(r.elapsedMs / 1000).toFixed(2)} s (of ${r.reps}: ${r.elapsedMsAll.join(', ')} ms)`,
    ),
    ...randomDetectionRows.map(
      (r) =>
        `random detects ${String(r['name'])} (${String(r['check'])}): found ${String(r['found'])}/${String(r['seeds'])} · median ${String(r['medianMsToFirstViolation'])} ms (max ${String(r['maxMsToFirstViolation'])}) to first violation · shrunk median ${String(r['medianShrunkLength'])}, worst ${String(r['maxShrunkLength'])} vs BFS ${String(r['bfsShortest'])}`,
    ),
  ];
  return {
    summary,
    throughput,
    multi,
    exhaustiveDetection,
    randomDetection: randomDetectionRows,
    reference: { tlcPaxosCommit: TLC_PAXOS_COMMIT, tlcStatesPerSecond: tlcRate },
  };
}
