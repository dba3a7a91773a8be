/**
 * Fast symmetry (issue 16, item 5), old and new side by side in one process: breadth-first
 * search keyed by the old path, `encode(symmetry(s))` (rename the whole state for every
 * candidate permutation, encode it, compare strings), against the direct symmetry key
 * (`Machine.symmetryKey`: candidates written by the permuted encoders into a word buffer,
 * compared as words, no renamed copies). The old side is the same machine with its
 * `symmetryKey` removed. Both must reach the same state count and the same verdict (checked,
 * else the section throws); the ratio is new states/s over old states/s, medians of `reps`,
 * old and new alternating.
 *
 * `npm run bench -- symmetry` runs every row (the Raft figure8 row is a long BFS to the bug);
 * `benchSymmetry({ only: 'TwoPhase' })` runs the rows whose label contains a string.
 */
import { explore } from '../exhaustive.ts';
import type { AnyMachine } from '../../impl/core/machine.ts';
import { median } from './harness.ts';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import { makeRaft, RAFT_BUGS } from '../../specs/models/raft.ts';
import { makePaxos } from '../../specs/models/paxos.ts';
import { makeAbd } from '../../specs/models/abd.ts';
import { symmetryKeyOf } from '../engine/checking.ts';

interface Job {
  readonly label: string;
  readonly make: () => AnyMachine;
  readonly checks?: readonly string[];
}

const JOBS: readonly Job[] = [
  { label: 'TwoPhase 7 RMs, symmetry', make: () => makeTwoPhase(7, 'none', { symmetry: true }) as unknown as AnyMachine },
  { label: 'ABD 3 replicas, 2 ops, symmetry', make: () => makeAbd({ requests: 2, symmetry: true }) as unknown as AnyMachine },
  { label: 'Paxos A3 P2 B2, 1 crash, symmetry', make: () => makePaxos({ acceptors: 3, proposers: 2, ballots: 2, crashes: 1, symmetry: true }) as unknown as AnyMachine },
  {
    label: 'Raft 3 nodes, term 2, 1 drop, 1 duplicate, symmetry',
    make: () => makeRaft({ maxTerm: 2, requests: 1, heartbeats: 1, drops: 1, duplicates: 1, symmetry: true }) as unknown as AnyMachine,
  },
  {
    label: 'Raft figure8 by BFS, symmetry (state-machine-safety)',
    make: () => makeRaft({ ...RAFT_BUGS.figure8.config, symmetry: true }, 'figure8') as unknown as AnyMachine,
    checks: ['state-machine-safety'],
  },
];

/** The `symmetry` bench section. */
export async function benchSymmetry(opts: { readonly reps?: number; readonly only?: string } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const rows = [];
  const summary: string[] = [];
  for (const job of JOBS) {
    if (opts.only !== undefined && !job.label.includes(opts.only)) continue;
    const ms = { old: [] as number[], now: [] as number[] };
    const seen = { old: '', now: '' };
    let states = 0;
    for (let r = 0; r < reps; r++) {
      for (const side of ['old', 'now'] as const) {
        const fast = job.make();
        const m: AnyMachine = side === 'now' ? fast : { ...fast, symmetryKey: undefined };
        if (side === 'now' && symmetryKeyOf(m) === undefined) throw new Error(`${job.label}: the machine has no direct symmetry key`);
        const t0 = performance.now();
        const res = explore(m, { symmetry: true, ...(job.checks ? { checks: [...job.checks] } : {}) });
        ms[side].push(performance.now() - t0);
        if (!res.stats.symmetry) throw new Error(`${job.label} (${side}): symmetry was switched off`);
        if (res.status !== 'exhausted' && res.status !== 'violation') throw new Error(`${job.label} (${side}): ${res.status}`);
        seen[side] = `${res.status} ${res.stats.states} ${res.violation ? `${res.violation.name}@${res.violation.trace.steps.length}` : ''}`;
        states = res.stats.states;
      }
      if (seen.old !== seen.now) throw new Error(`${job.label}: old path ${seen.old}, direct key ${seen.now}`);
    }
    const rate = { old: states / (median(ms.old) / 1000), now: states / (median(ms.now) / 1000) };
    const ratio = rate.now / rate.old;
    rows.push({ label: job.label, result: seen.now, states, msOld: ms.old.map(Math.round), msNew: ms.now.map(Math.round), statesPerSecondOld: rate.old, statesPerSecondNew: rate.now, ratio });
    summary.push(
      `${job.label.padEnd(56)} ${states.toLocaleString('en-US').padStart(9)} states (${seen.now.split(' ')[0]})  old ${Math.round(rate.old).toLocaleString('en-US').padStart(8)} states/s, direct key ${Math.round(rate.now).toLocaleString('en-US').padStart(8)} states/s: ratio ${ratio.toFixed(2)}`,
    );
  }
  return { summary, rows, reps };
}
