import { describe, expect, it } from 'vitest';
import { explore, exploreAsync } from '../exhaustive.ts';
import { lastState, traceFromIndices } from '../../impl/core/trace.ts';
import { throwIfViolation, PropertyViolationError } from '../../impl/core/result.ts';
import { InputError, type Machine } from '../../impl/core/machine.ts';
import { choose, counters, forever, witnessAtViolation } from './toys.ts';

describe('exhaustive search on machines with known state spaces', () => {
  for (const mode of ['bfs', 'dfs'] as const) {
    it(`${mode}: explores (max+1)^k states of k counters, fingerprints and exact keys agree`, () => {
      for (const [k, max] of [[2, 3], [3, 4], [4, 2]] as const) {
        const fp = explore(counters(k, max), { mode, symmetry: false });
        const exact = explore(counters(k, max), { mode, symmetry: false, exact: true });
        expect(fp.status).toBe('exhausted');
        expect(fp.stats.states).toBe((max + 1) ** k);
        expect(exact.stats.states).toBe(fp.stats.states);
        if (mode === 'bfs') {
          expect(fp.stats.diameter).toBe(k * max);
          // States first seen at depth d: compositions of d into k parts each ≤ max.
          expect(fp.stats.statesPerDepth.reduce((a, b) => a + b, 0)).toBe(fp.stats.states);
        }
      }
    });
  }

  it('symmetry reduction keeps one state per multiset: C(k+max, k) of them', () => {
    for (const [k, max] of [[3, 3], [4, 2], [5, 2]] as const) {
      const full = explore(counters(k, max), { symmetry: false });
      const reduced = explore(counters(k, max));
      expect(reduced.stats.symmetry).toBe(true);
      expect(full.stats.states).toBe((max + 1) ** k);
      expect(reduced.stats.states).toBe(choose(k + max, k));
      expect(reduced.stats.states).toBeLessThan(full.stats.states);
    }
  });

  it('a violation is still found, with a real trace, under symmetry reduction', () => {
    // A symmetric invariant (no counter reaches 2), as symmetry reduction requires.
    const m = { ...counters(3, 3), invariants: [{ name: 'all-below-2', symmetric: true, check: (s: readonly number[]) => s.every((x) => x < 2) }] };
    const r = explore(m);
    expect(r.status).toBe('violation');
    expect(r.stats.symmetry).toBe(true);
    // The trace is made of real (not canonicalised) states, replays, and ends in the bad state.
    const t = r.violation!.trace;
    expect(lastState(t)).toEqual([2, 0, 0]);
    expect(t.steps).toHaveLength(2);
    expect(lastState(traceFromIndices(m, 0, t.steps.map((s) => s.actionIndex)))).toEqual([2, 0, 0]);
  });

  it('BFS returns a shortest counterexample; DFS returns a valid one', () => {
    const bad = (s: readonly number[]) => !(s[0] === 2 && s[1] === 3);
    const m = { ...counters(2, 5), invariants: [{ name: 'not-2-3', check: bad }] };
    const bfs = explore(m, { symmetry: false });
    expect(bfs.violation?.trace.steps).toHaveLength(5);
    const dfs = explore(m, { mode: 'dfs', symmetry: false });
    expect(dfs.status).toBe('violation');
    const t = dfs.violation!.trace;
    const replayed = traceFromIndices(m, t.initIndex, t.steps.map((s) => s.actionIndex));
    expect(lastState(replayed)).toEqual([2, 3]);
  });

  it('a transition property sees every transition, including ones into seen states', () => {
    // A diamond: both paths reach [1,1]; the property forbids the step inc(0) from [0,1].
    const m: Machine<readonly number[], { readonly type: 'inc'; readonly i: number }> = {
      ...counters(2, 1),
      properties: [{ name: 'no-late-inc0', check: (s, a) => !(a.i === 0 && s[1] === 1) }],
    };
    for (const mode of ['bfs', 'dfs'] as const) {
      const r = explore(m, { mode, symmetry: false });
      expect(r.status).toBe('violation');
      expect(r.violation?.kind).toBe('property');
      const t = r.violation!.trace;
      expect(t.steps.map((s) => s.action.i)).toEqual([1, 0]);
    }
  });

  it('checkInit of a property is applied to initial states', () => {
    const m = { ...counters(1, 1), properties: [{ name: 'p', check: () => true, checkInit: () => 'bad start' }] };
    const r = explore(m);
    expect(r.violation).toMatchObject({ kind: 'property', name: 'p', message: 'bad start' });
    expect(r.violation?.trace.steps).toHaveLength(0);
  });

  describe('bounds are mandatory and reported', () => {
    it('depth bound: bounded, never exhausted', () => {
      const r = explore(counters(2, 5), { maxDepth: 3, symmetry: false });
      expect(r.status).toBe('bounded');
      expect(r.bound).toEqual({ kind: 'depth', limit: 3 });
      expect(r.stats.diameter).toBe(3);
      // Depth bound equal to the diameter cuts nothing.
      expect(explore(counters(2, 5), { maxDepth: 10, symmetry: false }).status).toBe('exhausted');
    });
    it('states bound stops at exactly the limit', () => {
      const r = explore(counters(3, 9), { maxStates: 100, symmetry: false });
      expect(r.status).toBe('bounded');
      expect(r.bound).toEqual({ kind: 'states', limit: 100 });
      expect(r.stats.states).toBe(100);
      expect(explore(counters(2, 2), { maxStates: 9, symmetry: false }).status).toBe('exhausted');
    });
    it('time bound stops an unbounded model', () => {
      const r = explore(forever(), { timeLimitMs: 50, maxDepth: 1e9 });
      expect(r.status).toBe('bounded');
      expect(r.bound?.kind).toBe('time');
    });
    it('default bounds apply when none are given (an unbounded model stops)', () => {
      const r = explore(forever(), { mode: 'dfs', maxStates: 10_000 });
      expect(r.status).toBe('bounded');
    });
    it('an impossible bound is an input error', () => {
      expect(() => explore(forever(), { maxStates: 0 })).toThrow(InputError);
      expect(() => explore(forever(), { timeLimitMs: -1 })).toThrow(InputError);
    });
    it('an abort signal interrupts the async runner', async () => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 30);
      const r = await exploreAsync(forever(), { signal: ac.signal, maxDepth: 1e9 });
      expect(r.bound?.kind).toBe('interrupted');
      expect(r.stats.states).toBeGreaterThan(0);
    });
  });

  describe('exceptions are counterexamples', () => {
    it('a throw in step is reported with the trace before it and the action that threw', () => {
      const m: Machine<number, 'inc'> = {
        ...forever(),
        step: (s) => {
          if (s === 3) throw new Error('boom at 3');
          return s + 1;
        },
      };
      for (const mode of ['bfs', 'dfs'] as const) {
        const r = explore(m, { mode });
        expect(r.violation).toMatchObject({ kind: 'error', name: 'step', message: 'boom at 3' });
        expect(lastState(r.violation!.trace)).toBe(3);
        expect(r.violation?.failedAction?.action).toBe('inc');
      }
    });
    it('a throw in an invariant is reported with the trace to the state it was evaluated on', () => {
      const m: Machine<number, 'inc'> = {
        ...forever(),
        invariants: [{ name: 'fragile', check: (s) => { if (s === 2) throw new TypeError('cannot read'); return true; } }],
      };
      const r = explore(m);
      expect(r.violation).toMatchObject({ kind: 'error', name: 'invariant', message: 'TypeError: cannot read' });
      expect(lastState(r.violation!.trace)).toBe(2);
    });
    it('a throw in actions() is reported at the state whose actions threw', () => {
      const m: Machine<number, 'inc'> = {
        ...forever(),
        actions: (s) => {
          if (s === 4) throw new Error('no actions');
          return ['inc'];
        },
      };
      for (const mode of ['bfs', 'dfs'] as const) {
        const r = explore(m, { mode });
        expect(r.violation).toMatchObject({ kind: 'error', name: 'actions' });
        expect(lastState(r.violation!.trace)).toBe(4);
      }
    });
  });

  it('deadlock check: reported when asked, except in terminal states', () => {
    const m = counters(2, 1);
    expect(explore(m, { deadlock: true }).status).toBe('exhausted');
    const noTerminal = { ...m, isTerminal: undefined };
    const r = explore(noTerminal, { deadlock: true, symmetry: false });
    expect(r.violation?.kind).toBe('deadlock');
    expect(lastState(r.violation!.trace)).toEqual([1, 1]);
    expect(explore(noTerminal).status).toBe('exhausted');
  });

  it('sometimes witnesses: reached with their depth, or reported unreached', () => {
    const m = {
      ...counters(2, 2),
      sometimes: [
        { name: 'both-two', check: (s: readonly number[]) => s[0] === 2 && s[1] === 2 },
        { name: 'three', check: (s: readonly number[]) => s.includes(3) },
      ],
    };
    const r = explore(m, { symmetry: false });
    expect(r.witnesses).toEqual([
      { name: 'both-two', reached: true, depth: 4 },
      { name: 'three', reached: false },
    ]);
  });

  for (const mode of ['bfs', 'dfs'] as const) {
    for (const check of ['invariant', 'property'] as const) {
      it(`${mode}: a witness that holds only in the state that breaks ${check === 'invariant' ? 'an invariant' : 'a property'} is reported reached`, () => {
        const r = explore(witnessAtViolation(check), { mode });
        expect(r.status).toBe('violation');
        expect(r.violation?.kind).toBe(check);
        expect(r.witnesses).toEqual([{ name: 'at-3', reached: true, depth: 3 }]);
      });
    }
  }

  it('unknown check names are input errors listing the valid ones', () => {
    const m = { ...counters(1, 1), invariants: [{ name: 'a', check: () => true }] };
    expect(() => explore(m, { checks: ['b'] })).toThrow(/unknown invariant 'b'.*valid: a/);
  });

  it('throwIfViolation puts the readable trace in the message', () => {
    const m = { ...counters(1, 3), invariants: [{ name: 'below-2', check: (s: readonly number[]) => s[0]! < 2 || 'reached 2' }] };
    const r = explore(m);
    expect(() => throwIfViolation(m, r)).toThrow(PropertyViolationError);
    try {
      throwIfViolation(m, r);
    } catch (e) {
      expect(String((e as Error).message)).toContain('invariant below-2 violated: reached 2');
      expect(String((e as Error).message)).toMatch(/ 2\. inc\(i=0\)\n {7}\[0\]: 1 → 2/);
    }
  });
});
