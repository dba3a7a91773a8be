/**
 * The bounded-liveness check of `specs/liveness.ts` on toy machines whose answers are
 * known by hand: it must pass where every (or some) fault-free schedule reaches the goal within
 * k steps, and fail, with the right evidence, where one does not.
 */
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../impl/core/machine.ts';
import { lastState } from '../../impl/core/trace.ts';
import { checkBoundedLiveness, startingFrom } from '../../specs/liveness.ts';

type Act = 'inc' | 'fault' | 'spin';
interface Opts {
  readonly max: number;
  /** `fault` jumps to the trap state -1 (from which nothing is enabled). */
  readonly trap?: boolean;
  /** `spin` goes from 1 back to 0 (a fault-free cycle). */
  readonly spin?: boolean;
}

/** A counter 0..max that the goal wants at max; options add a fault-only trap and a cycle. */
function counter(o: Opts): Machine<number, Act> {
  return {
    name: 'counter',
    init: () => [0],
    actions(s) {
      if (s < 0) return [];
      const out: Act[] = [];
      if (s < o.max) out.push('inc');
      if (o.trap && s === 0) out.push('fault');
      if (o.spin && s === 1) out.push('spin');
      return out;
    },
    step(s, a) {
      switch (a) {
        case 'inc':
          return s + 1;
        case 'fault':
          return -1;
        case 'spin':
          return 0;
      }
    },
    encode: (s, out) => out.int(s),
  };
}

const isFault = (a: Act) => a === 'fault';

describe('bounded liveness', () => {
  it('holds when every schedule reaches the goal within k, and reports the tightest k', () => {
    const r = checkBoundedLiveness(counter({ max: 3 }), { isFault, goal: (s) => s === 3, within: 3 });
    expect(r.status).toBe('holds');
    expect(r.tightest).toBe(3);
    expect(r.states).toBe(4);
  });

  it('fails when k is too small: the continuation runs k + 1 steps without the goal', () => {
    const r = checkBoundedLiveness(counter({ max: 3 }), { isFault, goal: (s) => s === 3, within: 2 });
    expect(r.status).toBe('violation');
    expect(r.violation?.prefix.steps).toHaveLength(0);
    expect(r.violation?.continuation).toHaveLength(3);
    expect(r.violation?.steps).toBe(3);
    expect(r.violation?.message).toMatch(/runs 3 steps \(k = 2\)/);
  });

  it('a fault-free cycle defeats "every schedule" but not "some schedule"', () => {
    const m = counter({ max: 2, spin: true });
    const every = checkBoundedLiveness(m, { isFault, goal: (s) => s === 2, within: 10 });
    expect(every.status).toBe('violation');
    expect(every.tightest).toBeNull();
    expect(every.violation?.continuation).toHaveLength(11);
    const some = checkBoundedLiveness(m, { isFault, goal: (s) => s === 2, within: 10, schedules: 'some' });
    expect(some.status).toBe('holds');
    expect(some.tightest).toBe(2);
  });

  it('a state reached by a fault, with nothing enabled after it, blocks: found with its prefix', () => {
    const m = counter({ max: 2, trap: true });
    const r = checkBoundedLiveness(m, { isFault, goal: (s) => s === 2, within: 5, schedules: 'some' });
    expect(r.status).toBe('violation');
    expect(r.violation?.prefix.steps.map((s) => s.action)).toEqual(['fault']);
    expect(lastState(r.violation!.prefix)).toBe(-1);
    expect(r.violation?.steps).toBeNull();
    expect(r.violation?.message).toMatch(/blocks/);
    // Failures stopping only in states that are not the trap: it holds.
    const ok = checkBoundedLiveness(m, { isFault, goal: (s) => s === 2, within: 5, schedules: 'some', stopsAt: (s) => s >= 0 });
    expect(ok.status).toBe('holds');
  });

  it('startingFrom asks the question of one state', () => {
    const r = checkBoundedLiveness(startingFrom(counter({ max: 5 }), 4), { isFault, goal: (s) => s === 5, within: 1 });
    expect(r.status).toBe('holds');
    expect(r.states).toBe(2);
  });

  it('a bound cuts the enumeration: no verdict', () => {
    const r = checkBoundedLiveness(counter({ max: 100 }), { isFault, goal: (s) => s === 100, within: 200 }, { maxStates: 10 });
    expect(r.status).toBe('bounded');
    expect(r.bound?.kind).toBe('states');
  });
});
