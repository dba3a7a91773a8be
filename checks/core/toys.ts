/**
 * Tiny machines with state spaces known by construction, for testing the runners.
 */
import { defineModel, type AnyMachine, type Machine } from '../../impl/core/machine.ts';

/** k counters, each 0..max, any one may be incremented. (max+1)^k states; diameter k·max. */
export function counters(k: number, max: number): Machine<readonly number[], { readonly type: 'inc'; readonly i: number }> {
  const acts = Array.from({ length: k }, (_, i) => ({ type: 'inc' as const, i }));
  return {
    name: 'counters',
    init: () => [Array.from({ length: k }, () => 0)],
    actions: (s) => acts.filter((a) => s[a.i]! < max),
    step: (s, a) => s.map((x, i) => (i === a.i ? x + 1 : x)),
    symmetry: (s) => [...s].sort((x, y) => x - y),
    isTerminal: (s) => s.every((x) => x === max),
  };
}

/** An unbounded counter: never exhausts. */
export function forever(): Machine<number, 'inc'> {
  return { name: 'forever', init: () => [0], actions: () => ['inc'], step: (s) => s + 1 };
}

/** Binomial coefficient, for multiset counts. */
export function choose(n: number, r: number): number {
  let c = 1;
  for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
  return Math.round(c);
}

/**
 * A counter from 0 up to 3 whose last state is both a violation and the only state where the
 * witness `at-3` holds: `check` is `invariant` (3 breaks it) or `property` (the step to 3 breaks
 * it). A runner that checks before it observes would report the witness unreached.
 */
export function witnessAtViolation(check: 'invariant' | 'property'): Machine<number, 'inc'> {
  return {
    name: 'witness-at-violation',
    init: () => [0],
    actions: (s) => (s < 3 ? ['inc'] : []),
    step: (s) => s + 1,
    isTerminal: (s) => s === 3,
    sometimes: [{ name: 'at-3', check: (s) => s === 3 }],
    ...(check === 'invariant'
      ? { invariants: [{ name: 'below-3', check: (s: number) => s < 3 || 'reached 3' }] }
      : { properties: [{ name: 'no-step-to-3', check: (_s: number, _a: 'inc', t: number) => t < 3 || 'stepped to 3' }] }),
  };
}

/** {@link witnessAtViolation} as a model, for runners that load models by module path (worker threads). */
export const witnessModel = defineModel({
  name: 'witness-at-violation',
  doc: 'a counter to 3 whose violating state is the only one a witness holds in (tests)',
  params: { check: { kind: 'enum', default: 'invariant', values: ['invariant', 'property'], doc: 'what 3 breaks' } },
  build: (p) => witnessAtViolation(p.check as 'invariant' | 'property') as unknown as AnyMachine,
});
