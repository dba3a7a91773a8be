/**
 * Paxos Commit: the TLA+ port (`impl/commit/paxoscommit-tla.ts`, model `specs/models/paxoscommit-tla.ts`, pinned against TLC's numbers
 * on small configurations; the 2-RM, 3-acceptor one is in the benchmark), and the machine over
 * the environment (`impl/commit/paxoscommit.ts`): safe, non-blocking when the coordinator and
 * a minority of acceptors crash, blocking when a majority is gone, and the `skip-phase1` bug
 * found by BFS and random mode.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { instantiate, InputError } from '../../impl/core/machine.ts';
import { makePaxosCommitTla, paxosCommitTlaModel } from '../../specs/models/paxoscommit-tla.ts';
import { makePaxosCommit, paxosCommitModel, pcAllDecided, pcIsFault } from '../../specs/models/paxoscommit.ts';
import { checkBoundedLiveness } from '../../specs/liveness.ts';

describe('PaxosCommit.tla, ported', () => {
  // From this checker, exact = fingerprints. (rms 2, acceptors 3, maxBallot 1 is TLC's own
  // configuration: 1,321,761 states and 16,959,158 transitions, TLC's 16,959,159 "states
  // generated" with the initial state; see checks/bench/commit.ts.)
  const PINS = [
    { rms: 1, acceptors: 1, maxBallot: 1, states: 45, transitions: 166, diameter: 8 },
    { rms: 1, acceptors: 3, maxBallot: 1, states: 1461, transitions: 9935, diameter: 14 },
    { rms: 2, acceptors: 1, maxBallot: 1, states: 1425, transitions: 9960, diameter: 15 },
  ];
  for (const p of PINS) {
    it(`${p.rms} RM(s), ${p.acceptors} acceptor(s), ballots 0..${p.maxBallot}: ${p.states} states, every check holds`, () => {
      const fp = explore(makePaxosCommitTla(p));
      const exact = explore(makePaxosCommitTla(p), { exact: true });
      expect(fp.status).toBe('exhausted');
      expect([fp.stats.states, fp.stats.transitions, fp.stats.diameter]).toEqual([p.states, p.transitions, p.diameter]);
      expect([exact.stats.states, exact.stats.transitions]).toEqual([p.states, p.transitions]);
      expect(fp.witnesses.every((w) => w.reached)).toBe(true);
    });
  }

  it('checks PCTypeOK, TCConsistent and the refinement to TCommit', () => {
    const m = makePaxosCommitTla({ rms: 2, acceptors: 1, maxBallot: 1 });
    expect(m.invariants?.map((i) => i.name)).toEqual(['type-ok', 'tc-consistent']);
    expect(m.properties?.map((p) => p.name)).toEqual(['refines-tcommit']);
    const typeOk = m.invariants![0]!;
    const s0 = m.init()[0]!;
    expect(typeOk.check(s0)).toBe(true);
    // PCTypeOK is the schema's check: a ballot above maxBallot, or a message for no RM, fails it.
    expect(typeOk.check({ ...s0, aState: s0.aState.map((row) => row.map((x) => ({ ...x, mbal: 2 }))) })).toMatch(/aState\[\]\[\]\.mbal: 2, expected an integer in 0\.\.1/);
    expect(typeOk.check({ ...s0, msgs: { ...s0.msgs, phase2a: [{ ins: 3, bal: 0, val: 'prepared' }] } })).toMatch(/msgs\.phase2a\[\]\.ins: 3, expected a rm node/);
  });

  it('the registry entry has the TLC configuration as its default', () => {
    const { params } = instantiate(paxosCommitTlaModel);
    expect(params).toMatchObject({ rms: 2, acceptors: 3, maxBallot: 1 });
  });
});

describe('Paxos Commit with crashes: safety (pinned state spaces)', () => {
  const PINS = [
    { what: '2 RMs, 3 acceptors, no crash', rms: 2, config: { crashes: 0 }, opts: {}, states: 11219, transitions: 38520, diameter: 16, unreached: ['decided-without-coordinator', 'higher-ballot-chosen'] },
    { what: '2 RMs, 3 acceptors (one down from the start), coordinator crash', rms: 2, config: { crashes: 2, maxDown: 2, restarts: false, symmetry: true }, opts: { initiallyDown: 1 }, states: 4001, transitions: 11991, diameter: 22, unreached: [] },
    { what: '1 RM, 3 acceptors, coordinator and any one acceptor crash at any time', rms: 1, config: { crashes: 2, maxDown: 2, restarts: false, symmetry: true }, opts: {}, states: 7513, transitions: 33436, diameter: 20, unreached: [] },
    { what: '2 RMs, 3 acceptors, one acceptor crash', rms: 2, config: { crashes: 1, restarts: false, symmetry: true }, opts: { coordinatorCrashes: false }, states: 8494, transitions: 33703, diameter: 17, unreached: ['decided-without-coordinator', 'higher-ballot-chosen'] },
  ] as const;
  for (const p of PINS) {
    it(`${p.what}: ${p.states.toLocaleString('en-US')} states, exact = fingerprints`, () => {
      const fp = explore(makePaxosCommit(p.rms, 3, p.config, p.opts));
      const exact = explore(makePaxosCommit(p.rms, 3, p.config, p.opts), { exact: true });
      expect(fp.status).toBe('exhausted');
      expect([fp.stats.states, fp.stats.transitions, fp.stats.diameter]).toEqual([p.states, p.transitions, p.diameter]);
      expect([exact.stats.states, exact.stats.transitions]).toEqual([p.states, p.transitions]);
      expect(fp.witnesses.filter((w) => !w.reached).map((w) => w.name)).toEqual(p.unreached);
    });
  }

  it('acceptor symmetry only merges states: same verdicts, fewer states', () => {
    const opts = { initiallyDown: 1 } as const;
    const reduced = explore(makePaxosCommit(2, 3, { crashes: 2, maxDown: 2, restarts: false, symmetry: true }, opts));
    const plain = explore(makePaxosCommit(2, 3, { crashes: 2, maxDown: 2, restarts: false, symmetry: false }, opts), { symmetry: false });
    expect(plain.status).toBe('exhausted');
    // 7,382 states (16,220 before issue 13, when dead letters were merged only under symmetry):
    // with crash-stop failures the environment now removes messages to a node that is down for
    // good from the network, with or without symmetry. The old machine with dead letters
    // stripped after every step gives exactly 7,382.
    expect(plain.stats.states).toBe(7382);
    expect(reduced.stats.states).toBeLessThan(plain.stats.states);
    expect(reduced.witnesses.map((w) => [w.name, w.reached, w.depth])).toEqual(plain.witnesses.map((w) => [w.name, w.reached, w.depth]));
  });

  it('the registry default (coordinator crash, one acceptor down from the start) is the 4,001-state row', () => {
    const { machine } = instantiate(paxosCommitModel);
    expect(explore(machine).stats.states).toBe(4001);
  });

  it('bad combinations are input errors', () => {
    expect(() => makePaxosCommit(2, 3, {}, { faultyAcceptors: 4 })).toThrow(InputError);
    expect(() => makePaxosCommit(2, 3, { crashes: 1 }, { initiallyDown: 2, faultyAcceptors: 2 })).toThrow(InputError);
    expect(() => instantiate(paxosCommitModel, { backups: 3 })).toThrow(/backups \(3\) cannot exceed rms \(2\)/);
  });
});

describe('Paxos Commit does not block', () => {
  const spec = { name: 'every running RM decides', isFault: pcIsFault } as const;

  it('coordinator crash with one of three acceptors down: every schedule decides within 16 steps (and not 15)', () => {
    const m = makePaxosCommit(2, 3, { crashes: 2, maxDown: 2, restarts: false, symmetry: true }, { initiallyDown: 1 });
    const r = checkBoundedLiveness(m, { ...spec, goal: (s) => pcAllDecided(s, 2), within: 16 });
    expect(r.status).toBe('holds');
    expect(r.tightest).toBe(16);
    expect(checkBoundedLiveness(m, { ...spec, goal: (s) => pcAllDecided(s, 2), within: 15 }).status).toBe('violation');
  });

  it('no deadlock with the coordinator and one acceptor down', () => {
    const m = makePaxosCommit(2, 3, { crashes: 2, maxDown: 2, restarts: false, symmetry: true }, { initiallyDown: 1 });
    expect(explore(m, { deadlock: true }).status).toBe('exhausted');
  });

  it('1 RM: coordinator and any one acceptor crashing at any time: every schedule decides within 16 steps', () => {
    const m = makePaxosCommit(1, 3, { crashes: 2, maxDown: 2, restarts: false, symmetry: true });
    const r = checkBoundedLiveness(m, { ...spec, goal: (s) => pcAllDecided(s, 1), within: 16 });
    expect(r.status).toBe('holds');
    expect(r.tightest).toBe(16);
  });

  it('with a majority of acceptors down it blocks, as it must', () => {
    const m = makePaxosCommit(2, 3, { crashes: 3, maxDown: 3, restarts: false, symmetry: true }, { initiallyDown: 2, faultyAcceptors: 2 });
    const r = checkBoundedLiveness(m, { ...spec, goal: (s) => pcAllDecided(s, 2), within: 50, schedules: 'some' });
    expect(r.status).toBe('violation');
    expect(r.violation?.steps).toBeNull();
  });
});

describe('Paxos Commit: the skip-phase1 bug', () => {
  const PINS = [
    { check: 'paxos-agreement', steps: 7, message: 'instance r1 chose both prepared and aborted' },
    { check: 'atomicity', steps: 17, message: 'r2 committed while r1 aborted' },
    { check: 'refines-tcommit', steps: 17, message: undefined },
  ];
  for (const p of PINS) {
    it(`breaks ${p.check} in ${p.steps} steps (coordinator crash, BFS)`, () => {
      const m = makePaxosCommit(2, 3, { crashes: 1, restarts: false, symmetry: true }, { bug: 'skip-phase1', faultyAcceptors: 0 });
      const r = explore(m, { checks: [p.check] });
      expect(r.violation?.name).toBe(p.check);
      expect(r.violation?.trace.steps).toHaveLength(p.steps);
      if (p.message) expect(r.violation?.message).toBe(p.message);
      expect(r.violation!.trace.steps.map((s) => m.formatAction(s.action))).toContain('suspect c1 → r1 (c1 down)');
    });
  }

  it('random mode finds the agreement violation (seed 1) and the atomicity violation (seed 3)', () => {
    const m = makePaxosCommit(2, 3, { crashes: 2, maxDown: 2, restarts: false }, { bug: 'skip-phase1' });
    const agreement = checkRandom(m, { seed: 1, runs: 3000, maxSteps: 40, checks: ['paxos-agreement'] });
    expect(agreement.status).toBe('violation');
    expect(agreement.violation?.trace.steps).toHaveLength(7);
    const atomic = checkRandom(m, { seed: 3, runs: 20_000, maxSteps: 40, checks: ['atomicity'] });
    expect(atomic.status).toBe('violation');
    expect(atomic.violation?.name).toBe('atomicity');
  });

  it('the registry entry declares it with the checks it breaks', () => {
    for (const check of paxosCommitModel.bugs['skip-phase1']!.breaks) {
      const { machine } = instantiate(paxosCommitModel, { bug: 'skip-phase1', rms: 2, crashes: 1, faultyAcceptors: 0, initiallyDown: 0 });
      expect(explore(machine, { checks: [check] }).violation?.name).toBe(check);
    }
  });
});

describe('Paxos Commit: random runs', () => {
  it('long random runs with RM and acceptor crashes, recovery, every RM a backup and spurious timeouts find nothing', () => {
    const m = makePaxosCommit(3, 3, { crashes: 3, maxDown: 2, restarts: true, drops: 1, duplicates: 1 }, { rmCrashes: true, backups: 3, spuriousTimeouts: true, faultyAcceptors: 1 });
    const r = checkRandom(m, { seed: 5, runs: 3000, maxSteps: 150 });
    expect(r.status).toBe('bounded');
    expect(r.stats.runs).toBe(3000);
    expect(r.witnesses.filter((w) => w.reached).map((w) => w.name)).toEqual(['all-committed', 'some-aborted', 'decided-without-coordinator', 'higher-ballot-chosen']);
  });
});
