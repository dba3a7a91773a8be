/**
 * The random runner's action kinds (for swarm testing) and the fast-check arbitrary of one run,
 * the {@link Schedule} (its encoding is described in `checks/random.ts`).
 */
import * as fc from 'fast-check';
import type { Machine } from '../../impl/core/machine.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import { actionKind, type KindedMachine } from '../engine/shrink.ts';
import { stateEncoder } from '../engine/checking.ts';
import { RANDOM_DEFAULTS, type Schedule } from './types.ts';

/** Length of one kind-discovery random walk. */
const DISCOVER_WALK_LENGTH = 200;

/** The largest choice value: `choice mod k` picks among `k` enabled actions. */
const CHOICE_MAX = 0xffff;

/**
 * The action kinds of a machine, sorted and deterministic: the machine's own `actionKinds()` when
 * it has one, else the kinds of every action enabled in the first `maxStates` distinct states of
 * a breadth-first walk, plus those met by seeded random walks of `walkSteps` steps in all (which
 * reach kinds that are only enabled deep down, such as a commit after every vote). Kinds that
 * only show up later are never left out of a run.
 */
export function discoverKinds<S, A>(
  m: Machine<S, A>,
  maxStates: number = RANDOM_DEFAULTS.discoverStates,
  walkSteps: number = RANDOM_DEFAULTS.discoverWalkSteps,
): string[] {
  const km = m as KindedMachine<S, A>;
  if (km.actionKinds) return [...new Set(km.actionKinds())].sort();
  const kinds = new Set<string>();
  const seen = new Set<string>();
  const words = new WordBuffer();
  const encode = stateEncoder(m, words);
  const key = (s: S): string => {
    encode(s);
    return words.key();
  };
  const inits = m.init();
  let frontier: S[] = [];
  for (const s of inits) {
    const k = key(s);
    if (!seen.has(k)) {
      seen.add(k);
      frontier.push(s);
    }
  }
  try {
    while (frontier.length > 0 && seen.size < maxStates) {
      const next: S[] = [];
      for (const s of frontier) {
        for (const a of m.actions(s)) {
          kinds.add(actionKind(km, a));
          if (seen.size >= maxStates) continue;
          const t = m.step(s, a);
          const k = key(t);
          if (seen.has(k)) continue;
          seen.add(k);
          next.push(t);
        }
      }
      frontier = next;
    }
    // Swarm-like random walks with a fixed seed (mulberry32): each walk leaves out a random half
    // of the kinds seen so far (falling back to every enabled action), so that some walks avoid
    // the aborts and crashes that would keep them shallow.
    let x = 0x2545f491;
    const rnd = (n: number): number => {
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    let budget = walkSteps;
    for (let w = 0; budget > 0 && inits.length > 0; w++) {
      const left = new Set([...kinds].filter(() => rnd(2) === 0));
      let s: S = inits[w % inits.length]!;
      for (let i = 0; i < DISCOVER_WALK_LENGTH && budget > 0; i++, budget--) {
        const acts = m.actions(s);
        if (acts.length === 0) break;
        for (const a of acts) kinds.add(actionKind(km, a));
        const allowed = acts.filter((a) => !left.has(actionKind(km, a)));
        const pool = allowed.length > 0 ? allowed : acts;
        s = m.step(s, pool[rnd(pool.length)]!);
      }
    }
  } catch {
    // A machine that throws is reported by the runs themselves, with a trace.
  }
  return [...kinds].sort();
}

/**
 * The fast-check arbitrary of one run over `kindCount` swarm kinds and at most `maxSteps`
 * steps. The same arguments give the same arbitrary, so a seed and path replay with it.
 */
export function scheduleArbitrary(kindCount: number, maxSteps: number, configSizes: readonly number[] = []): fc.Arbitrary<Schedule> {
  // Left out with probability 1/4; shrinks towards 0, "kept".
  const excludedArb = fc.array(
    fc.integer({ min: 0, max: 3 }).map((x) => x === 3),
    { minLength: kindCount, maxLength: kindCount },
  );
  const base = fc.tuple(excludedArb, fc.nat({ max: CHOICE_MAX }), fc.array(fc.nat({ max: CHOICE_MAX }), { maxLength: maxSteps, size: 'max' }));
  if (configSizes.length === 0) return base.map(([excluded, init, choices]): Schedule => ({ excluded, init, choices }));
  // The configuration comes first, so that fast-check's shrinker tries smaller configurations
  // first. One run in four takes the default lane (the empty list: every parameter's default).
  const configArb = fc.oneof(
    { arbitrary: fc.constant<number[]>([]), weight: 1 },
    { arbitrary: fc.tuple(...configSizes.map((n) => fc.nat({ max: Math.max(0, n - 1) }))), weight: 3 },
  );
  return fc
    .tuple(configArb, base)
    .map(([config, [excluded, init, choices]]): Schedule => ({ excluded, init, choices, config }));
}
