/**
 * Tiny machines with state spaces known by construction, for testing the runners.
 */
import type { Machine } from '../../impl/core/machine.ts';

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
