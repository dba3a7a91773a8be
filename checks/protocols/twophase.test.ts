/**
 * TwoPhase and TCommit (Lamport & Gray): pinned state spaces, the refinement TwoPhase ⇒ TCommit,
 * and the known-bug variants found with their shortest traces.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { lastState } from '../../impl/core/trace.ts';
import { instantiate } from '../../impl/core/machine.ts';
import { makeTwoPhase, twoPhaseModel, type TwoPhaseAction } from '../../impl/twophase/twophase.ts';
import { makeTCommit } from '../../specs/tcommit.ts';

// Distinct states and diameters, from this checker in exact mode; fingerprint mode, DFS and
// BFS must all agree. The 6-RM count (50,816) is also the figure quoted in TwoPhase.tla itself,
// and the benchmark reproduces TLC's 1,745,408 for 8 RMs.
const TWOPHASE = [
  { rms: 3, states: 288, diameter: 10 },
  { rms: 4, states: 1568, diameter: 13 },
  { rms: 5, states: 8832, diameter: 16 },
];
const TCOMMIT = [
  { rms: 3, states: 34, diameter: 6 },
  { rms: 4, states: 96, diameter: 8 },
  { rms: 5, states: 274, diameter: 10 },
];

describe('TwoPhase', () => {
  for (const { rms, states, diameter } of TWOPHASE) {
    it(`${rms} RMs: ${states} states, diameter ${diameter}, every check holds (exact = fingerprints = DFS)`, () => {
      const exact = explore(makeTwoPhase(rms), { exact: true });
      const fp = explore(makeTwoPhase(rms));
      const dfs = explore(makeTwoPhase(rms), { mode: 'dfs' });
      expect(exact.status).toBe('exhausted');
      expect(exact.stats.states).toBe(states);
      expect(exact.stats.diameter).toBe(diameter);
      expect(fp.status).toBe('exhausted');
      expect(fp.stats.states).toBe(exact.stats.states);
      expect(fp.stats.transitions).toBe(exact.stats.transitions);
      expect(fp.stats.diameter).toBe(exact.stats.diameter);
      expect(dfs.stats.states).toBe(exact.stats.states);
      expect(fp.witnesses.every((w) => w.reached)).toBe(true);
    });
  }

  it('6 RMs: 50,816 states, the figure quoted in TwoPhase.tla', () => {
    const r = explore(makeTwoPhase(6), { checks: ['type-ok', 'tc-consistent'] });
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(50_816);
  });

  it('refines TCommit: the refinement property is checked and holds', () => {
    const r = explore(makeTwoPhase(4), { checks: ['refines-tcommit'] });
    expect(r.status).toBe('exhausted');
  });

  it('commit-unprepared: TCConsistent breaks in 2n+1 steps (7 for 3 RMs), shortest by BFS', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const r = explore(m, { checks: ['tc-consistent'] });
    expect(r.status).toBe('violation');
    expect(r.violation?.name).toBe('tc-consistent');
    expect(r.violation?.trace.steps).toHaveLength(7);
    expect(r.violation?.message).toMatch(/committed while r\d aborted/);
    const last = lastState(r.violation!.trace);
    expect(last.rmState).toContain('committed');
    expect(last.rmState).toContain('aborted');
  });

  it('commit-unprepared: the refinement check fails first, at the step that commits an RM too early', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const r = explore(m);
    expect(r.violation?.kind).toBe('property');
    expect(r.violation?.name).toBe('refines-tcommit');
    const steps = r.violation!.trace.steps;
    expect(steps).toHaveLength(6);
    expect(steps[steps.length - 1]!.action).toEqual<TwoPhaseAction>({ type: 'RMRcvCommitMsg', rm: 1 });
    expect(r.violation?.message).toContain('no tcommit step leads from');
  });

  it('abort-after-prepare: TCConsistent and refinement break in 2n+3 steps (9 for 3 RMs)', () => {
    for (const checks of [['tc-consistent'], ['refines-tcommit']]) {
      const r = explore(makeTwoPhase(3, 'abort-after-prepare'), { checks });
      expect(r.violation?.name).toBe(checks[0]);
      expect(r.violation?.trace.steps).toHaveLength(9);
      expect(r.violation!.trace.steps.some((s) => s.action.type === 'RMChooseToAbort')).toBe(true);
    }
  });

  it('every registered bug variant breaks each check it claims to break', () => {
    for (const [bug, spec] of Object.entries(twoPhaseModel.bugs)) {
      for (const check of spec.breaks) {
        const { machine } = instantiate(twoPhaseModel, { rms: 3, bug });
        const r = explore(machine, { checks: [check] });
        expect(r.status, `${bug} must break ${check}`).toBe('violation');
        expect(r.violation?.name).toBe(check);
      }
    }
  });

  it('type-ok catches an ill-typed state', () => {
    const m = makeTwoPhase(3);
    const typeOk = m.invariants!.find((i) => i.name === 'type-ok')!;
    const s0 = m.init()[0]!;
    expect(typeOk.check(s0)).toBe(true);
    expect(typeOk.check({ ...s0, tmPrepared: 0b1000 })).toMatch(/non-RM/);
    expect(typeOk.check({ ...s0, tmState: 'maybe' as 'init' })).toMatch(/tmState/);
  });
});

describe('TCommit', () => {
  for (const { rms, states, diameter } of TCOMMIT) {
    it(`${rms} RMs: ${states} states, diameter ${diameter} (exact = fingerprints)`, () => {
      const exact = explore(makeTCommit(rms), { exact: true });
      const fp = explore(makeTCommit(rms));
      expect(exact.status).toBe('exhausted');
      expect(exact.stats.states).toBe(states);
      expect(exact.stats.diameter).toBe(diameter);
      expect(fp.stats.states).toBe(states);
      expect(fp.witnesses.every((w) => w.reached)).toBe(true);
    });
  }

  it('every TwoPhase state maps onto a reachable TCommit state, and every TCommit state is covered', () => {
    // The refinement mapping is onto: TwoPhase reaches every rmState vector TCommit does.
    const seen = new Set<string>();
    const tp = makeTwoPhase(3);
    const collect = { ...tp, invariants: [{ name: 'collect', check: (s: { rmState: readonly string[] }) => (seen.add(s.rmState.join()), true) }] };
    explore(collect, { checks: ['collect'] });
    expect(seen.size).toBe(34);
  });
});
