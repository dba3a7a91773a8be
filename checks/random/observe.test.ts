/**
 * `observeRandom`: the first state of each random run where a predicate holds, checked against an
 * independent executor of the same schedules; nothing when the predicate never holds; a broken
 * check is reported, not hidden.
 */
import { describe, expect, test } from 'vitest';
import type { Machine } from '../../impl/core/machine.ts';
import { fullSchedules, observeRandom } from './observe.ts';

/** A counter that steps by +1 or +2 (two actions) and stops at 30; the invariant breaks at `bad`. */
function counter(bad = Infinity): Machine<number, number> {
  return {
    name: 'counter',
    init: () => [0],
    actions: (s) => (s >= 30 ? [] : [1, 2]),
    step: (s, a) => s + a,
    invariants: [{ name: 'below-bad', check: (s) => s < bad || `reached ${s}` }],
  };
}

/** Independent executor: the step at which the value first reaches `target`, per schedule. */
function firstReach(target: number, choices: readonly number[]): number | undefined {
  let s = 0;
  if (s >= target) return 0;
  for (let i = 0; i < choices.length && s < 30; i++) {
    s += (choices[choices.length - 1 - i]! % 2) + 1;
    if (s >= target) return i + 1;
  }
  return undefined;
}

describe('observeRandom', () => {
  const opts = { runs: 40, seed: 7, maxSteps: 50 };

  test('returns, per run, the first step where the predicate holds (as an independent executor finds it)', () => {
    const runs = observeRandom(counter(), (s) => s >= 11, opts);
    const schedules = fullSchedules(opts);
    expect(runs).toHaveLength(40);
    const steps = runs.map((r) => r.first?.step);
    expect(steps).toEqual(schedules.map((sch) => firstReach(11, sch.choices)));
    for (const r of runs) {
      expect(r.first).toBeDefined();
      expect(r.first!.state === 11 || r.first!.state === 12).toBe(true);
      expect(r.steps).toBe(r.first!.step);
    }
    // Not one constant step: the schedules differ (6 steps of +2 up to 11 steps of +1).
    expect(new Set(steps).size).toBeGreaterThan(1);
  });

  test('returns nothing for a run where the predicate never holds', () => {
    const runs = observeRandom(counter(), (s) => s < 0, opts);
    for (const r of runs) {
      expect(r.first).toBeUndefined();
      expect(r.violation).toBeUndefined();
      expect(r.steps).toBeGreaterThanOrEqual(15); // ran until no action was enabled
    }
  });

  test('a predicate that holds initially matches at step 0', () => {
    const runs = observeRandom(counter(), (s) => s === 0, { runs: 3, seed: 1, maxSteps: 10 });
    expect(runs.map((r) => r.first)).toEqual([0, 0, 0].map(() => ({ step: 0, state: 0 })));
  });

  test('the predicate sees every action in order, from step 0 (a stateful predicate can count)', () => {
    let twos = 0;
    const runs = observeRandom(
      counter(),
      (_s, step, a) => {
        if (step === 0) twos = 0;
        if (a === 2) twos++;
        return twos === 3;
      },
      opts,
    );
    for (const r of runs) {
      expect(r.first).toBeDefined();
      // after exactly three +2 steps and (step - 3) +1 steps
      expect(r.first!.state).toBe(6 + (r.first!.step - 3));
    }
  });

  test('a broken check on a run is reported, not hidden', () => {
    const runs = observeRandom(counter(5), (s) => s >= 20, opts);
    for (const r of runs) {
      expect(r.first).toBeUndefined();
      expect(r.violation).toMatchObject({ kind: 'invariant', name: 'below-bad' });
    }
  });

  test('the same seed gives the same runs', () => {
    const a = observeRandom(counter(), (s) => s >= 17, opts).map((r) => r.first?.step);
    const b = observeRandom(counter(), (s) => s >= 17, opts).map((r) => r.first?.step);
    expect(b).toEqual(a);
  });
});
