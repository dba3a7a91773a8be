/**
 * Two-Phase Commit with crashes, timeouts, recovery and cooperative termination
 * (`impl/commit/twopc.ts`): pinned state spaces, the four known bugs found by BFS (shortest
 * traces pinned) and by random mode, long clean random runs, and the blocking claim: after the
 * coordinator crashes once every participant voted yes, no participant can decide until the
 * coordinator recovers.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { instantiate } from '../../impl/core/machine.ts';
import { lastState, traceFromIndices } from '../../impl/core/trace.ts';
import { formatDiagram } from '../diagram.ts';
import {
  isFault,
  makeTwoPC,
  twoPCAllDecided,
  twoPCBlocked,
  twoPCModel,
  type TwoPCBug,
  type TwoPCState,
} from '../../specs/models/twopc.ts';
import { checkBoundedLiveness, startingFrom } from '../../specs/liveness.ts';

// Distinct states, transitions and diameters from this checker; exact keys and 64-bit
// fingerprints agree on every row. "unreached" lists the witnesses a configuration cannot reach
// (no crash: nothing blocks, and nobody needs to ask a peer).
const PINS = [
  { what: '2 participants, no crash', n: 2, config: { crashes: 0 }, opts: {}, states: 136, transitions: 311, diameter: 7, unreached: ['coordinator-blocks', 'peer-answers'] },
  { what: '2 participants, 1 crash, recovery', n: 2, config: { crashes: 1 }, opts: {}, states: 2419, transitions: 8287, diameter: 16, unreached: [] },
  // Crash-stop: 514 states, 1401 transitions, diameter 11 (925, 2099 and 12 before issue 13).
  // Messages to a node that is down for good are dead letters, now removed from the network by
  // the environment (they can never be delivered), so states that differed only in such mail are
  // one state. The old machine with dead letters stripped after every step gives exactly 514
  // states and 1401 transitions.
  { what: '2 participants, 1 crash, crash-stop', n: 2, config: { crashes: 1, restarts: false }, opts: {}, states: 514, transitions: 1401, diameter: 11, unreached: [] },
  { what: '2 participants, 2 crashes, 2 down at once', n: 2, config: { crashes: 2, maxDown: 2 }, opts: {}, states: 18229, transitions: 75743, diameter: 22, unreached: [] },
  { what: '3 participants, no crash', n: 3, config: { crashes: 0 }, opts: {}, states: 1394, transitions: 4611, diameter: 10, unreached: ['coordinator-blocks', 'peer-answers'] },
  { what: '2 participants, 1 crash, spurious timeouts', n: 2, config: { crashes: 1 }, opts: { spuriousTimeouts: true }, states: 31196, transitions: 136024, diameter: 18, unreached: [] },
] as const;

describe('2PC: pinned state spaces (every check holds)', () => {
  for (const p of PINS) {
    it(`${p.what}: ${p.states.toLocaleString('en-US')} states, exact = fingerprints`, () => {
      const fp = explore(makeTwoPC(p.n, p.config, p.opts));
      const exact = explore(makeTwoPC(p.n, p.config, p.opts), { exact: true });
      expect(fp.status).toBe('exhausted');
      expect(fp.stats.states).toBe(p.states);
      expect(fp.stats.transitions).toBe(p.transitions);
      expect(fp.stats.diameter).toBe(p.diameter);
      expect(exact.status).toBe('exhausted');
      expect(exact.stats.states).toBe(p.states);
      expect(exact.stats.transitions).toBe(p.transitions);
      expect(fp.witnesses.filter((w) => !w.reached).map((w) => w.name)).toEqual(p.unreached);
    });
  }

  it('the checks are atomicity, validity and the refinement to TCommit', () => {
    const m = makeTwoPC(2);
    expect(m.invariants?.map((i) => i.name)).toEqual(['atomicity', 'validity']);
    expect(m.properties?.map((p) => p.name)).toEqual(['refines-tcommit']);
  });

  it('symmetry over participants is sound: same verdict, fewer states (3 participants, no crash)', () => {
    const plain = explore(makeTwoPC(3, { crashes: 0 }));
    const sym = explore(makeTwoPC(3, { crashes: 0, symmetry: true }));
    expect(sym.status).toBe('exhausted');
    expect(sym.stats.states).toBe(305);
    expect(sym.stats.states).toBeLessThan(plain.stats.states);
    expect(sym.witnesses.map((w) => w.reached)).toEqual(plain.witnesses.map((w) => w.reached));
  });
});

// The shortest violation of each check a bug breaks, with 3 participants and 1 crash (BFS).
const BUG_PINS: readonly { bug: TwoPCBug; check: string; steps: number; message: RegExp }[] = [
  { bug: 'abort-after-yes', check: 'atomicity', steps: 8, message: /committed while p\d aborted/ },
  { bug: 'abort-after-yes', check: 'refines-tcommit', steps: 8, message: /no tcommit step leads from/ },
  { bug: 'commit-on-timeout', check: 'atomicity', steps: 4, message: /committed while p\d aborted/ },
  { bug: 'commit-on-timeout', check: 'validity', steps: 3, message: /p1 committed but p2, p3 never voted yes/ },
  { bug: 'commit-on-timeout', check: 'refines-tcommit', steps: 3, message: /no tcommit step leads from/ },
  { bug: 'announce-before-log', check: 'atomicity', steps: 10, message: /committed while p\d aborted/ },
  { bug: 'announce-before-log', check: 'refines-tcommit', steps: 10, message: /no tcommit step leads from/ },
  { bug: 'forget-vote', check: 'atomicity', steps: 10, message: /committed while p\d aborted/ },
  { bug: 'forget-vote', check: 'refines-tcommit', steps: 3, message: /"prepared".*to.*"working"/ },
];

describe('2PC: the known bugs, found by breadth-first search', () => {
  for (const p of BUG_PINS) {
    it(`${p.bug} breaks ${p.check} in ${p.steps} steps`, () => {
      const m = makeTwoPC(3, { crashes: 1 }, { bug: p.bug });
      const r = explore(m, { checks: [p.check] });
      expect(r.status).toBe('violation');
      expect(r.violation?.name).toBe(p.check);
      expect(r.violation?.trace.steps).toHaveLength(p.steps);
      expect(r.violation?.message).toMatch(p.message);
    });
  }

  it('announce-before-log: the trace is commit announced, coordinator crash, recovery, abort', () => {
    const m = makeTwoPC(3, { crashes: 1 }, { bug: 'announce-before-log' });
    const r = explore(m, { checks: ['atomicity'] });
    const labels = r.violation!.trace.steps.map((s) => m.formatAction(s.action));
    expect(labels.slice(6)).toEqual(['deliver c1→p1 Commit', 'crash c1', 'restart c1', 'deliver c1→p2 Abort']);
    // The diagram shows the same story, lane by lane.
    const diagram = formatDiagram(m, r.violation!.trace);
    expect(diagram).toContain('crash');
    expect(diagram).toContain('Abort');
  });

  it('forget-vote: the participant that forgot its yes vote aborts on its own after the others committed', () => {
    const m = makeTwoPC(3, { crashes: 1 }, { bug: 'forget-vote' });
    const r = explore(m, { checks: ['atomicity'] });
    const labels = r.violation!.trace.steps.map((s) => m.formatAction(s.action));
    expect(labels.slice(-3)).toEqual(['crash p2', 'restart p2', 'local p2 abort']);
  });

  it('every registered bug breaks each check it claims to break (model defaults)', () => {
    for (const [bug, spec] of Object.entries(twoPCModel.bugs)) {
      for (const check of spec.breaks) {
        const { machine } = instantiate(twoPCModel, { bug });
        const r = explore(machine, { checks: [check] });
        expect(r.status, `${bug} must break ${check}`).toBe('violation');
        expect(r.violation?.name).toBe(check);
      }
    }
  });
});

describe('2PC: random mode', () => {
  // Fixed seeds; 2 participants, 1 crash. Each finds the bug and shrinks it to the BFS length.
  const RANDOM: readonly { bug: TwoPCBug; seed: number; steps: number }[] = [
    { bug: 'abort-after-yes', seed: 1, steps: 6 },
    { bug: 'commit-on-timeout', seed: 1, steps: 4 },
    { bug: 'announce-before-log', seed: 4, steps: 8 },
    { bug: 'forget-vote', seed: 1, steps: 8 },
  ];
  for (const p of RANDOM) {
    it(`finds ${p.bug} (seed ${p.seed}) and shrinks it to ${p.steps} steps`, () => {
      const m = makeTwoPC(2, { crashes: 1 }, { bug: p.bug });
      const r = checkRandom(m, { seed: p.seed, runs: 20_000, maxSteps: 40, checks: ['atomicity'] });
      expect(r.status).toBe('violation');
      expect(r.violation?.name).toBe('atomicity');
      expect(r.violation?.trace.steps).toHaveLength(p.steps);
      const bfs = explore(makeTwoPC(2, { crashes: 1 }, { bug: p.bug }), { checks: ['atomicity'] });
      expect(bfs.violation?.trace.steps).toHaveLength(p.steps);
    });
  }

  it('long random runs with crashes, recovery, drops, duplicates, a partition and spurious timeouts find nothing', () => {
    const m = makeTwoPC(3, { crashes: 2, maxDown: 2, drops: 2, duplicates: 1, partitions: 1 }, { spuriousTimeouts: true });
    // Runs end when nothing is enabled (every participant decided, the network empty), so a run
    // is a whole execution: about 19 steps on average here, up to 120.
    const r = checkRandom(m, { seed: 7, runs: 5000, maxSteps: 120 });
    expect(r.status).toBe('bounded');
    expect(r.stats.runs).toBe(5000);
    expect(r.witnesses.filter((w) => w.reached).map((w) => w.name)).toEqual(expect.arrayContaining(['all-committed', 'some-aborted', 'coordinator-blocks']));
  });
});

describe('2PC blocks', () => {
  it('the coordinator-blocks witness: both participants voted yes and the coordinator crashed (3 steps)', () => {
    const m = makeTwoPC(2, { crashes: 1 });
    const r = explore(m);
    expect(r.witnesses.find((w) => w.name === 'coordinator-blocks')).toEqual({ name: 'coordinator-blocks', reached: true, depth: 3 });
  });

  it('bounded liveness fails with a coordinator crash: from "vote, vote, crash" no fault-free schedule decides', () => {
    const m = makeTwoPC(2, { crashes: 1, restarts: false });
    const r = checkBoundedLiveness(m, { name: 'every participant decides', isFault: isFault(false), goal: twoPCAllDecided, within: 20, schedules: 'some' });
    expect(r.status).toBe('violation');
    expect(r.tightest).toBeNull();
    const prefix = r.violation!.prefix.steps.map((s) => m.formatAction(s.action));
    expect(prefix).toEqual(['local p1 vote-yes', 'local p2 vote-yes', 'crash c1 (for good)']);
    expect(r.violation?.steps).toBeNull();
    expect(r.violation?.message).toMatch(/no fault-free schedule from there ever reaches every participant decides/);
    expect(twoPCBlocked(lastState(r.violation!.prefix))).toBe(true);
    // On every schedule: already a coordinator crash at the start leaves participants that vote
    // yes stuck; the continuation ends with nothing enabled.
    const every = checkBoundedLiveness(m, { isFault: isFault(false), goal: twoPCAllDecided, within: 20 });
    expect(every.status).toBe('violation');
    expect(every.violation?.message).toMatch(/gets stuck/);
  });

  it('the deadlock check sees it too: the termination protocol runs, and then nothing is enabled (7 steps)', () => {
    const m = makeTwoPC(2, { crashes: 1, restarts: false });
    const r = explore(m, { deadlock: true });
    expect(r.violation?.kind).toBe('deadlock');
    expect(r.violation?.trace.steps.map((s) => m.formatAction(s.action))).toEqual([
      'local p1 vote-yes',
      'local p2 vote-yes',
      'crash c1 (for good)',
      'suspect c1 → p1 (c1 down)',
      'deliver p1→p2 DecisionReq',
      'suspect c1 → p2 (c1 down)',
      'deliver p2→p1 DecisionReq',
    ]);
    // With recovery there is no deadlock: a down coordinator can always restart.
    expect(explore(makeTwoPC(2, { crashes: 1 }), { deadlock: true }).status).toBe('exhausted');
  });

  it('a prepared participant can neither commit nor abort until the coordinator recovers', () => {
    // The blocked state: both voted yes (their Yes messages wait for the coordinator), it crashed.
    const recovering = makeTwoPC(2, { crashes: 1 });
    const blocked: TwoPCState = lastState(traceFromIndices(recovering, 0, indicesOf(recovering, ['local p1 vote-yes', 'local p2 vote-yes', 'crash c1'])));
    expect(twoPCBlocked(blocked)).toBe(true);
    // Without the restart, nothing a participant can do decides, even after asking its peer.
    const stuck = checkBoundedLiveness(startingFrom(recovering, blocked), { isFault: isFault(false), goal: (s) => s.nodes.slice(1).some((x) => x.durable.role === 'participant' && (x.durable.state === 'committed' || x.durable.state === 'aborted')), within: 50, schedules: 'some' });
    expect(stuck.status).toBe('violation');
    expect(stuck.violation?.steps).toBeNull();
    // With it, every schedule decides, within 12 steps.
    const recovers = checkBoundedLiveness(startingFrom(recovering, blocked), { isFault: isFault(true), goal: twoPCAllDecided, within: 12 });
    expect(recovers.status).toBe('holds');
    expect(recovers.tightest).toBe(12);
  });

  it('with recovery, every participant decides within 14 steps of the last failure, on every schedule', () => {
    const r = checkBoundedLiveness(makeTwoPC(2, { crashes: 1 }), { isFault: isFault(true), goal: twoPCAllDecided, within: 14 });
    expect(r.status).toBe('holds');
    expect(r.tightest).toBe(14);
    expect(r.states).toBe(2419);
    const tight = checkBoundedLiveness(makeTwoPC(2, { crashes: 1 }), { isFault: isFault(true), goal: twoPCAllDecided, within: 13 });
    expect(tight.status).toBe('violation');
  });
});

/** The action indices of a trace given by labels. */
function indicesOf(m: ReturnType<typeof makeTwoPC>, labels: readonly string[]): number[] {
  let s = m.init()[0]!;
  return labels.map((label) => {
    const acts = m.actions(s);
    const i = acts.findIndex((a) => m.formatAction(a) === label);
    if (i < 0) throw new Error(`${label} is not enabled`);
    s = m.step(s, acts[i]!);
    return i;
  });
}
