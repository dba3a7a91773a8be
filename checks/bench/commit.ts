/**
 * Atomic-commit benchmark (issue 9): exhaustive runs of the commit models in fresh processes,
 * medians of several repetitions, plus the bounded-liveness analysis timed in this process.
 *
 * - Two-Phase Commit, 3 participants, one coordinator crash (the issue's headline figure), and
 *   one crash of any node;
 * - Paxos Commit as in PaxosCommit.tla with 2 RMs, 3 acceptors and ballots {0, 1}, the
 *   configuration TLC checks in about 117 s on one core of this machine (1,321,761 distinct
 *   states, 16,959,159 states generated);
 * - Paxos Commit over the environment (2 RMs, 3 acceptors, the coordinator and any one acceptor
 *   crashing), 3PC with crash-stop failures, and 3PC's partition counterexample search.
 */
import { repeatExhaustive, type ExhaustiveSample } from './harness.ts';
import { checkBoundedLiveness } from '../../specs/liveness.ts';
import { makeThreePC, threePCAllDecided, threePCIsFault } from '../../specs/models/threepc.ts';
import { makePaxosCommit, pcAllDecided, pcIsFault } from '../../specs/models/paxoscommit.ts';

/** TLC on PaxosCommit.tla (2 RMs, 3 acceptors, ballots {0,1}), one worker, this machine. */
export const TLC_PAXOS_COMMIT = { states: 1_321_761, generated: 16_959_159, diameter: 27, seconds: 117 };

interface Job {
  readonly label: string;
  readonly model: string;
  readonly module: string;
  readonly params: Readonly<Record<string, number | boolean | string>>;
  readonly checks?: readonly string[];
  readonly reps: number;
}

const JOBS: readonly Job[] = [
  { label: '2PC, 3 participants, 1 coordinator crash', model: 'twoPCModel', module: 'specs/models/twopc.ts', params: { participants: 3, crashes: 1, crashTargets: 'coordinator' }, reps: 3 },
  { label: '2PC, 3 participants, 1 crash (any node)', model: 'twoPCModel', module: 'specs/models/twopc.ts', params: { participants: 3, crashes: 1 }, reps: 1 },
  { label: 'PaxosCommit.tla, 2 RMs, 3 acceptors, ballots 0..1', model: 'paxosCommitTlaModel', module: 'specs/models/paxoscommit-tla.ts', params: { rms: 2, acceptors: 3, maxBallot: 1 }, reps: 3 },
  { label: 'Paxos Commit (env), 2 RMs, 3 acceptors, coordinator + 1 acceptor crash', model: 'paxosCommitModel', module: 'specs/models/paxoscommit.ts', params: { rms: 2, acceptors: 3, crashes: 2, maxDown: 2, restarts: false, symmetry: true, initiallyDown: 0 }, reps: 1 },
  { label: '3PC, 3 participants, 1 crash (crash-stop)', model: 'threePCModel', module: 'specs/models/threepc.ts', params: { participants: 3, crashes: 1, restarts: false }, reps: 1 },
  { label: '3PC, 3 participants, 1 partition (finds the violation)', model: 'threePCModel', module: 'specs/models/threepc.ts', params: { participants: 3, crashes: 0, partitions: 1 }, checks: ['atomicity'], reps: 1 },
];

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** Run the commit benchmark. */
export async function benchCommit(opts: { readonly reps?: number } = {}): Promise<Record<string, unknown>> {
  const rows: (ExhaustiveSample & { readonly label: string; readonly reps: number; readonly elapsedMsAll: readonly number[] })[] = [];
  for (const job of JOBS) {
    const r = repeatExhaustive({ model: job.model, module: job.module, params: job.params, ...(job.checks ? { checks: job.checks } : {}) }, opts.reps ?? job.reps);
    rows.push({ label: job.label, ...r });
  }
  const summary = rows.map(
    (r) =>
      `${r.label.padEnd(72)} ${r.status.padEnd(9)}${r.violation ? ` (${r.violation.name}, ${r.violation.steps} steps)` : ''} ${fmt(r.states).padStart(10)} states ${fmt(r.transitions).padStart(11)} transitions  median ${(r.elapsedMs / 1000).toFixed(2)} s (of ${r.reps}: ${r.elapsedMsAll.join(', ')} ms)  ${fmt(r.statesPerSecond)} states/s  peak RSS ${Math.round(r.peakRssMiB)} MiB`,
  );
  const tla = rows.find((r) => r.label.startsWith('PaxosCommit.tla'))!;
  const matches = tla.states === TLC_PAXOS_COMMIT.states && tla.transitions + 1 === TLC_PAXOS_COMMIT.generated && tla.diameter === TLC_PAXOS_COMMIT.diameter;
  summary.push(
    `PaxosCommit.tla vs TLC (${fmt(TLC_PAXOS_COMMIT.states)} states, ${fmt(TLC_PAXOS_COMMIT.generated)} generated, ~${TLC_PAXOS_COMMIT.seconds} s): counts ${matches ? 'match' : 'DIFFER'}; ${(tla.elapsedMs / 1000).toFixed(1)} s here, ${(TLC_PAXOS_COMMIT.seconds / (tla.elapsedMs / 1000)).toFixed(1)}× faster`,
  );

  // Bounded liveness (in this process): the explicit-graph analysis of specs/liveness.ts.
  const liveness = [
    {
      label: 'liveness: 3PC, 3 participants, 1 crash (crash-stop), every schedule',
      run: () => checkBoundedLiveness(makeThreePC(3, { crashes: 1, restarts: false }), { isFault: threePCIsFault, goal: threePCAllDecided, within: 16 }),
    },
    {
      label: 'liveness: Paxos Commit, 2 RMs, coordinator + any 1 of 3 acceptors crash, every schedule',
      run: () =>
        checkBoundedLiveness(makePaxosCommit(2, 3, { crashes: 2, maxDown: 2, restarts: false, symmetry: true }), { isFault: pcIsFault, goal: (s) => pcAllDecided(s, 2), within: 22 }),
    },
  ].map(({ label, run }) => {
    const r = run();
    return { label, status: r.status, states: r.states, faultFreeTransitions: r.faultFreeTransitions, tightest: r.tightest, elapsedMs: r.elapsedMs };
  });
  for (const l of liveness) {
    summary.push(`${l.label.padEnd(72)} ${l.status.padEnd(9)} ${fmt(l.states).padStart(10)} states, tightest k = ${l.tightest ?? '∞'}, ${(l.elapsedMs / 1000).toFixed(2)} s`);
  }
  return { summary, rows, liveness, reference: { tlcPaxosCommit: TLC_PAXOS_COMMIT }, paxosCommitMatchesTlc: matches };
}
