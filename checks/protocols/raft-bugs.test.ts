/**
 * Raft's known-bug variants (impl/raft/raft.ts, RAFT_BUGS): breadth-first search finds each
 * violation with its shortest trace (length and check pinned), the same configuration without
 * the bug holds to that depth, random mode finds each bug too (fixed seeds), and the figure8
 * counterexamples render as message-sequence diagrams (golden files).
 *
 * Rewrite the golden files after an intended change with `RAFT_GOLDEN=update npx vitest run
 * checks/protocols/raft-bugs.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom, replayOptions, type RandomOptions } from '../random.ts';
import { formatDiagram } from '../diagram.ts';
import { runActions } from '../engine/replay.ts';
import { formatTrace } from '../../impl/core/trace.ts';
import { makeRaft, RAFT_BUGS, RAFT_RANDOM_CONFIGS, RAFT_RANDOM_STEPS, type RaftBug, type RaftConfig } from '../../specs/models/raft.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'raft-scenarios');
const UPDATE = process.env['RAFT_GOLDEN'] === 'update';

/** Compare `actual` with a golden file (or rewrite it in update mode). */
function golden(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (UPDATE) writeFileSync(path, `${actual}\n`);
  expect(actual).toBe(readFileSync(path, 'utf8').replace(/\n$/, ''));
}

/**
 * Each check a bug breaks: its configuration (default: the bug's), shortest length, states explored, message.
 *
 * volatile-vote's counts fell with the port onto `ignores` (490 → 296, 5,898 → 2,352; lengths
 * unchanged): the pre-port pruning switched off its AppendEntries and acknowledgement rules for
 * every variant but none, figure8 and no-up-to-date-check, although volatile-vote changes
 * neither logs nor commits. The variant now narrows only the RequestVote rule (a restart forgets
 * the vote); the rest of the declaration is checked on every explored step of these runs, and
 * raft.test.ts shows reduced and unreduced searches give the same verdict and shortest length.
 */
const BFS: readonly { bug: Exclude<RaftBug, 'none'>; check: string; cfg?: RaftConfig; length: number; states: number; message: RegExp }[] = [
  { bug: 'volatile-vote', check: 'election-safety', length: 8, states: 296, message: /^two leaders in term 1: n1 and n3$/ },
  { bug: 'volatile-vote', check: 'durable-survives-crash', length: 3, states: 18, message: /^restart of n1 changed its durable state from \(term 1, votedFor n1, log \[\]\) to \(term 1, votedFor none, log \[\]\)$/ },
  { bug: 'volatile-vote', check: 'log-matching', cfg: { maxTerm: 1, requests: 2, heartbeats: 0, crashes: 1 }, length: 10, states: 2_352, message: /both hold a term-1 entry at index 1 but differ at index 1: t1:v\d vs t1:v\d$/ },
  { bug: 'no-up-to-date-check', check: 'leader-completeness', length: 9, states: 514, message: /leads term 2 without t1:v1 at index 1, committed in term 1/ },
  { bug: 'no-up-to-date-check', check: 'state-machine-safety', length: 11, states: 1_596, message: /has t2:v2 committed at index 1, where t1:v1 was committed in term 1/ },
  { bug: 'stale-append', check: 'leader-append-only', length: 9, states: 2_031, message: /^leader n\d of term 2 changed its log from \[t2:v2\] to \[t1:v1\]$/ },
  { bug: 'stale-append', check: 'state-machine-safety', length: 11, states: 11_329, message: /has t1:v1 committed at index 1, where t2:v2 was committed in term 2/ },
  { bug: 'commit-beyond-append', check: 'state-machine-safety', length: 12, states: 46_236, message: /has t1:v1 committed at index 1, where t2:v2 was committed in term 2/ },
  { bug: 'volatile-term', check: 'term-monotonic', length: 3, states: 18, message: /^n1's term went from 1 down to 0$/ },
  { bug: 'volatile-term', check: 'durable-survives-crash', length: 3, states: 18, message: /^restart of n1 changed its durable state from \(term 1, votedFor n1, log \[\]\) to \(term 0, votedFor none, log \[\]\)$/ },
  { bug: 'volatile-term', check: 'election-safety', length: 8, states: 948, message: /^two leaders in term 1: n\d and n\d$/ },
  { bug: 'commit-regress', check: 'commit-monotonic', length: 9, states: 709, message: /commitIndex went from 1 down to 0$/ },
];

describe('breadth-first search finds every known bug with its shortest trace', () => {
  for (const { bug, check, cfg, length, states, message } of BFS) {
    it(`${bug} breaks ${check} in ${length} steps`, () => {
      const config = { ...(cfg ?? RAFT_BUGS[bug].config), symmetry: true };
      const r = explore(makeRaft(config, bug), { checks: [check] });
      expect(r.status).toBe('violation');
      expect(r.violation?.name).toBe(check);
      expect(r.violation?.trace.steps).toHaveLength(length);
      expect(r.violation?.message).toMatch(message);
      expect(r.stats.states).toBe(states);
      // The same configuration without the bug holds to that depth.
      const ok = explore(makeRaft(config), { checks: [check], maxDepth: length });
      expect(ok.status).not.toBe('violation');
    });
  }

  it('every check a bug declares is pinned above (figure8 below)', () => {
    const pinned = new Set(BFS.map((c) => `${c.bug}/${c.check}`));
    for (const [bug, spec] of Object.entries(RAFT_BUGS)) {
      if (bug === 'figure8') continue;
      for (const check of spec.breaks) expect(pinned, `${bug}/${check}`).toContain(`${bug}/${check}`);
    }
  });
});

describe('figure8: counting replicas of an earlier-term entry (Figure 8 of the Raft paper, 3 nodes)', () => {
  it('BFS: leader completeness breaks in 20 steps; the trace and its diagram are pinned', { timeout: 300_000 }, () => {
    const m = makeRaft({ ...RAFT_BUGS.figure8.config, symmetry: true }, 'figure8');
    const r = explore(m, { checks: ['leader-completeness'] });
    expect(r.status).toBe('violation');
    expect(r.violation?.name).toBe('leader-completeness');
    expect(r.violation?.trace.steps).toHaveLength(20);
    expect(r.stats.states).toBe(F8_STATES);
    expect(r.violation?.message).toBe('n2 leads term 4 without t1:v1 at index 1, committed in term 3 (it holds t2:v2)');
    golden('figure8-bfs.trace.txt', formatTrace(m, r.violation!.trace, r.violation));
    golden('figure8-bfs.diagram.txt', formatDiagram(m, r.violation!.trace));
  });
});

/**
 * Distinct states BFS explores before it meets figure8's shortest counterexample (20–35 s on
 * the 2-core machine). figure8 also breaks state-machine-safety, 3 steps later (756,225 states,
 * too slow for this suite): the benchmark pins it, and the script raft-scenarios/figure8-bug.txt
 * replays such a schedule step by step and shows both checks broken.
 */
const F8_STATES = 480_693;

/** Seeds with which random mode finds each bug quickly (swarm mixes, RAFT_RANDOM_STEPS steps a run). */
const SEEDS: Readonly<Record<Exclude<RaftBug, 'none'>, number>> = {
  figure8: 1,
  'volatile-vote': 1,
  'no-up-to-date-check': 6,
  'stale-append': 12,
  'commit-beyond-append': 15,
  'volatile-term': 1,
  'commit-regress': 3,
};
/** Steps of each shrunk counterexample (fast-check's shrinking, then delta debugging). */
// Re-recorded after the port to the schema (its message order changed, so the same seeds draw
// other schedules; figure8's seed moved from 8 to 1), then after the shrinker learned to carry
// later steps over a removed one (checks/engine/shrink.ts, `nearestAction`): plain delta
// debugging stopped at figure8 55, commit-beyond-append 59, no-up-to-date-check 16 and
// stale-append 12, because removing one election timeout lowers the term every later message
// names, so every later delivery no longer matched and was skipped.
const SHRUNK: Readonly<Record<Exclude<RaftBug, 'none'>, number>> = {
  figure8: 23,
  'volatile-vote': 3,
  'no-up-to-date-check': 12,
  'stale-append': 9,
  'commit-beyond-append': 12,
  'volatile-term': 3,
  'commit-regress': 9,
};

/**
 * Upper bounds on the shrunk lengths, met before the port (figure8 26, commit-beyond-append 15,
 * with the seeds of then) and missed by plain delta debugging on the ported model (55 and 59 with
 * these seeds). BFS's shortest: figure8 breaks leader-completeness in 20 steps.
 */
const SHRUNK_AT_MOST = { figure8: 30, 'commit-beyond-append': 20 } as const;

const REPLAYS = join(GOLDEN, 'random-replays.json');

describe('random mode finds every known bug; its shrunk trace replays and renders as a diagram', () => {
  const replays = JSON.parse(readFileSync(REPLAYS, 'utf8')) as Record<string, RandomOptions>;
  for (const [bug, seed] of Object.entries(SEEDS) as [Exclude<RaftBug, 'none'>, number][]) {
    it(`${bug} (seed ${seed})`, () => {
      const m = makeRaft(RAFT_RANDOM_CONFIGS[bug], bug);
      // figure8 breaks leader completeness first; the others are run with every check.
      const checks = bug === 'figure8' ? { checks: ['leader-completeness'] } : {};
      const found = checkRandom(m, { seed, runs: 100_000, maxSteps: RAFT_RANDOM_STEPS, shrink: false, ...checks });
      expect(found.status).toBe('violation');
      expect(RAFT_BUGS[bug].breaks as readonly string[]).toContain(found.violation!.name);
      // The shrunk counterexample of the same seed, recorded as seed + fast-check path:
      // replaying it gives the same trace without searching again.
      if (UPDATE) {
        replays[bug] = replayOptions(checkRandom(m, { seed, runs: 100_000, maxSteps: RAFT_RANDOM_STEPS, ...checks }));
        writeFileSync(REPLAYS, `${JSON.stringify(replays, null, 2)}\n`);
      }
      const r = checkRandom(m, replays[bug]!);
      expect(r.status).toBe('violation');
      expect(r.violation!.name).toBe(found.violation!.name);
      expect(r.violation!.trace.steps).toHaveLength(SHRUNK[bug]);
      const diagram = formatDiagram(m, r.violation!.trace);
      for (let step = 1; step <= SHRUNK[bug]; step++) expect(diagram).toMatch(new RegExp(`^ *${step}  `, 'm'));
      if (bug === 'figure8') golden('figure8-random.diagram.txt', diagram);
    });
  }

  for (const [bug, most] of Object.entries(SHRUNK_AT_MOST) as [keyof typeof SHRUNK_AT_MOST, number][]) {
    it(`${bug}: the shrunk counterexample has at most ${most} steps, replays exactly, and is 1-minimal`, () => {
      const m = makeRaft(RAFT_RANDOM_CONFIGS[bug], bug);
      const r = checkRandom(m, replays[bug]!);
      expect(r.status).toBe('violation');
      expect(r.stats.shrink!.complete).toBe(true);
      const steps = r.violation!.trace.steps;
      expect(steps.length).toBeLessThanOrEqual(most);
      // Replayed strictly, the same actions break the same check at the last step.
      const checks = bug === 'figure8' ? { checks: ['leader-completeness'] } : {};
      const again = runActions(m, r.violation!.trace.initIndex, steps.map((st) => st.action), checks);
      expect(again.notEnabled).toBeUndefined();
      expect(again.violation?.name).toBe(r.violation!.name);
      expect(again.trace.steps).toHaveLength(steps.length);
      // Removing any one step (exactly matched, later steps skipped when no longer enabled) loses it.
      for (let i = 0; i < steps.length; i++) {
        const without = steps.filter((_, j) => j !== i).map((st) => st.action);
        expect(runActions(m, 0, without, { mode: 'skip', ...checks }).violation?.name, `without step ${i + 1}`).not.toBe(r.violation!.name);
      }
    });
  }
});
