/**
 * `refines()`: each concrete step maps to an abstract step or a stutter, whether the runner
 * checks all successors of one state in a row (breadth-first) or each step from the state the
 * previous one reached (random runs, where the previous step's mapping and encoding are reused).
 */
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../impl/core/machine.ts';
import { refines } from '../../impl/core/refinement.ts';

/** Abstract: a counter that only goes up by one, from 0. */
const up: Machine<number, 'inc'> = { name: 'up', init: () => [0], actions: () => ['inc'], step: (n) => n + 1 };
/** Concrete states: `{ n, noise }`, mapped to `n` (noise changes are stutters). */
interface C {
  readonly n: number;
  readonly noise: number;
}
const c = (n: number, noise = 0): C => ({ n, noise });

describe('refines', () => {
  const prop = () => refines<C, string, number, 'inc'>(up, (s) => s.n);

  it('accepts steps and stutters along a run, and rejects a jump named from the right state', () => {
    const p = prop();
    const s0 = c(0);
    const s1 = c(1);
    const s2 = c(1, 7);
    const s3 = c(3, 7);
    expect(p.checkInit!(s0)).toBe(true);
    expect(p.check(s0, 'a', s1)).toBe(true);
    // s1 is the state the last step reached: its mapping is reused as "before".
    expect(p.check(s1, 'a', s2)).toBe(true);
    const bad = p.check(s2, 'a', s3);
    expect(bad).toMatch(/^no up step leads from 1 to 3/);
  });

  it('does not reuse a mapping across states that only look alike', () => {
    const p = prop();
    const s0 = c(0);
    const s1 = c(1);
    expect(p.check(s0, 'a', s1)).toBe(true);
    // A different object in the same place: mapped afresh (2 → 3 is a step; 1 → 3 is not).
    expect(p.check(c(2), 'a', c(3))).toBe(true);
    expect(p.check(s1, 'a', c(3))).toMatch(/from 1 to 3/);
  });

  it('checks all successors of one state in a row, then a successor as the next state', () => {
    const p = prop();
    const s0 = c(0);
    const succ = [c(1), c(0, 1), c(2)];
    expect(succ.map((t) => p.check(s0, 'a', t))).toEqual([true, true, expect.stringMatching(/from 0 to 2/)]);
    // The last successor checked (c(2)) expanded next: its reused mapping is 2.
    expect(p.check(succ[2]!, 'a', c(3))).toBe(true);
    expect(p.check(succ[0]!, 'a', c(3))).toMatch(/from 1 to 3/);
  });

  it('rejects an initial state that maps outside the abstract initial states', () => {
    const p = prop();
    expect(p.checkInit!(c(0, 5))).toBe(true);
    expect(p.checkInit!(c(1))).toMatch(/initial state maps to 1, which is not an initial up state/);
  });
});
