/**
 * TwoPhase and TCommit (Lamport & Gray): pinned state spaces, the refinement TwoPhase ⇒ TCommit,
 * and the known-bug variants found with their shortest traces.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { lastState } from '../../impl/core/trace.ts';
import { instantiate } from '../../impl/core/machine.ts';
import { makeTwoPhase, twoPhaseModel, type TwoPhaseAction } from '../../specs/models/twophase.ts';
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

describe('TwoPhase symmetry (RMs interchangeable), derived from the schema', () => {
  type St = ReturnType<typeof makeTwoPhase>['init'] extends () => readonly (infer T)[] ? T : never;
  /** All permutations of 1..n, as arrays p with p[i - 1] the new id of RM i. */
  const perms = (n: number): number[][] => {
    if (n === 0) return [[]];
    return perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, k) => [...p.slice(0, k), n, ...p.slice(k)]));
  };
  /** The test's own renamer, written from TwoPhase.tla's variables (independent of the schema's). */
  const renameBits = (x: number, p: readonly number[]): number => p.reduce((acc, to, i) => ((x >> i) & 1 ? acc | (1 << (to - 1)) : acc), 0);
  const renamed = (s: St, p: readonly number[]): string => {
    const rm: string[] = new Array<string>(p.length);
    s.rmState.forEach((x, i) => (rm[p[i]! - 1] = x));
    return JSON.stringify([rm, s.tmState, renameBits(s.tmPrepared, p), renameBits(s.msgs.prepared, p), s.msgs.commit, s.msgs.abort]);
  };
  /** Reachable states without symmetry (own BFS), then distinct orbits by brute force over all renamings. */
  const orbits = (n: number, bug: Parameters<typeof makeTwoPhase>[1] = 'none'): { states: number; orbits: number } => {
    const m = makeTwoPhase(n, bug);
    const id = Array.from({ length: n }, (_, i) => i + 1);
    const seen = new Map<string, St>();
    let frontier = [...m.init()];
    for (const s of frontier) seen.set(renamed(s, id), s);
    while (frontier.length > 0) {
      const next: St[] = [];
      for (const s of frontier) {
        for (const a of m.actions(s)) {
          const t = m.step(s, a);
          const k = renamed(t, id);
          if (!seen.has(k)) {
            seen.set(k, t);
            next.push(t);
          }
        }
      }
      frontier = next;
    }
    const all = perms(n);
    const canon = new Set<string>();
    for (const s of seen.values()) canon.add(all.map((p) => renamed(s, p)).sort()[0]!);
    return { states: seen.size, orbits: canon.size };
  };

  for (const rms of [2, 3, 4]) {
    it(`${rms} RMs: symmetric exploration gives exactly the brute-force orbit count; off by default`, () => {
      const brute = orbits(rms);
      const plain = explore(makeTwoPhase(rms));
      const sym = explore(makeTwoPhase(rms, 'none', { symmetry: true }));
      expect(plain.stats.symmetry).toBe(false);
      expect(plain.stats.states).toBe(brute.states);
      expect(sym.status).toBe('exhausted');
      expect(sym.stats.symmetry).toBe(true);
      expect(sym.stats.states).toBe(brute.orbits);
      expect(sym.stats.states).toBeLessThan(plain.stats.states);
      expect(sym.witnesses.every((w) => w.reached)).toBe(true);
    });
  }

  it('the model keeps symmetry off unless asked (TLC comparison), and on when asked', () => {
    expect(instantiate(twoPhaseModel).machine.symmetry).toBeUndefined();
    expect(instantiate(twoPhaseModel, { symmetry: true }).machine.symmetry).toBeDefined();
  });

  it('the known bugs are still found with symmetry on, at the same shortest length', () => {
    for (const bug of ['commit-unprepared', 'abort-after-prepare'] as const) {
      const plain = explore(makeTwoPhase(3, bug), { checks: ['tc-consistent'] });
      const sym = explore(makeTwoPhase(3, bug, { symmetry: true }), { checks: ['tc-consistent'] });
      expect(sym.status).toBe('violation');
      expect(sym.violation!.trace.steps.length).toBe(plain.violation!.trace.steps.length);
    }
  });
});
