/**
 * Symmetry is sound or off: a run reduces by node permutations only when every check it
 * evaluates is declared symmetric (`symmetric: true` on the invariant, property or witness).
 * A check that names a node ("n3 never leads") is not, and it would be checked on one
 * representative of each class of renamed states only: found late (not on a shortest trace) or
 * not at all. So the default is "not known symmetric", and one such check switches symmetry off
 * for the run, with a one-line notice ({@link symmetryPlan}).
 *
 * {@link sampleSymmetry} tests the declarations: on sampled reachable states and renamings
 * (within the machine's classes of interchangeable nodes), a symmetric check must give the same
 * verdict on a state and on its renaming. The test suite runs it on every registered model.
 */
import { WordBuffer } from '../impl/core/encode.ts';
import type { Invariant, Machine, TransitionProperty, Witness } from '../impl/core/machine.ts';
import { selectChecks } from '../impl/core/result.ts';

/** Whether a run may use the machine's symmetry reduction, and why not. */
export interface SymmetryPlan {
  /** Reduce by symmetry in this run. */
  readonly on: boolean;
  /** The selected checks (and witnesses) that are not declared symmetric, when symmetry was asked for. */
  readonly asymmetric: readonly string[];
  /** One line for the user when symmetry was asked for but is switched off; absent otherwise. */
  readonly notice?: string;
}

/** A check that may carry the `symmetric` declaration. */
type AnyCheck = { readonly name: string; readonly symmetric?: boolean };

/**
 * Decide whether a run uses symmetry: `requested` (the default, unless `--no-symmetry`), the
 * machine has a canonicalizer, and every selected invariant and property, and every witness,
 * is declared `symmetric: true`.
 */
export function symmetryPlan<S, A>(m: Machine<S, A>, checks: readonly string[] | undefined, requested = true): SymmetryPlan {
  if (!requested || m.symmetry === undefined) return { on: false, asymmetric: [] };
  const { invariants, properties } = selectChecks(m, checks);
  const all: AnyCheck[] = [...invariants, ...properties, ...(m.sometimes ?? [])];
  const asymmetric = all.filter((c) => c.symmetric !== true).map((c) => c.name);
  if (asymmetric.length === 0) return { on: true, asymmetric };
  const shown = asymmetric.length <= 4 ? asymmetric.join(', ') : `${asymmetric.slice(0, 4).join(', ')} and ${asymmetric.length - 4} more`;
  return {
    on: false,
    asymmetric,
    notice: `symmetry off for this run: ${shown} ${asymmetric.length === 1 ? 'is' : 'are'} not declared symmetric under node renaming (symmetric: true), so every state is explored and traces stay shortest`,
  };
}

// ---------------------------------------------------------------------------------------------
// Testing the declarations

/** A machine that can rename node ids in a state (the shared environment's machines can). */
export interface RenamingMachine<S, A> extends Machine<S, A> {
  /** The state with ids renamed, `perm[old] = new` (`perm[0] = 0`). */
  rename(s: S, perm: readonly number[]): S;
  /** The classes of interchangeable ids the symmetry reduction permutes. */
  symmetryClasses?(): readonly (readonly number[])[];
}

/** A declared-symmetric check that gave different verdicts on a state and on its renaming. */
export interface SymmetryBreak {
  readonly check: string;
  readonly kind: 'invariant' | 'property' | 'witness';
  /** `perm[old] = new`. */
  readonly perm: readonly number[];
  readonly before: boolean;
  readonly after: boolean;
}

/** Options of {@link sampleSymmetry}. */
export interface SampleSymmetryOptions {
  /** States to sample (breadth-first first, then random walks). Default 1,500. */
  readonly states?: number;
  /** Renamings tried per state. Default 2. */
  readonly perms?: number;
  /** Seed of the walks and renamings. Default 1. */
  readonly seed?: number;
  /** Also test checks not declared symmetric (to show that a test can catch one). Default false. */
  readonly all?: boolean;
}

/**
 * Sample reachable states and renamings, and return every declared-symmetric check (all checks,
 * with `all`) whose verdict changes under a renaming. Transition properties are tested on the
 * renamed transition: the action from the renamed state that reaches the renamed successor.
 */
export function sampleSymmetry<S, A>(m: RenamingMachine<S, A>, opts: SampleSymmetryOptions = {}): SymmetryBreak[] {
  const want = opts.states ?? 1500;
  const permsPer = opts.perms ?? 2;
  let x = (opts.seed ?? 1) | 0;
  const rnd = (n: number): number => {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const words = new WordBuffer();
  const key = (s: S): string => {
    words.reset();
    words.value(s);
    return words.key();
  };
  const pick = (c: AnyCheck): boolean => opts.all === true || c.symmetric === true;
  const invariants: Invariant<S>[] = (m.invariants ?? []).filter(pick);
  const properties: TransitionProperty<S, A>[] = (m.properties ?? []).filter(pick);
  const witnesses: Witness<S>[] = (m.sometimes ?? []).filter(pick);
  const n = m.nodes?.().length ?? 0;
  const classes = m.symmetryClasses?.() ?? [Array.from({ length: n }, (_, i) => i + 1)];
  const randomPerm = (): number[] => {
    const perm = Array.from({ length: n + 1 }, (_, i) => i);
    for (const c of classes) {
      const shuffled = [...c];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rnd(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      c.forEach((id, k) => (perm[id] = shuffled[k]!));
    }
    return perm;
  };

  // Sample: a breadth-first prefix, then random walks (deep states: leaders, commits, crashes).
  const samples: S[] = [];
  const seen = new Set<string>();
  const add = (s: S): void => {
    const k = key(s);
    if (!seen.has(k)) {
      seen.add(k);
      samples.push(s);
    }
  };
  let frontier = [...m.init()];
  for (const s of frontier) add(s);
  while (frontier.length > 0 && samples.length < want / 3) {
    const next: S[] = [];
    for (const s of frontier) for (const a of m.actions(s)) next.push(m.step(s, a));
    for (const t of next) add(t);
    frontier = next.slice(0, 2000);
  }
  for (let walk = 0; samples.length < want && walk < want; walk++) {
    let s: S = m.init()[0]!;
    for (let i = 0; i < 60 && samples.length < want; i++) {
      const acts = m.actions(s);
      if (acts.length === 0) break;
      s = m.step(s, acts[rnd(acts.length)]!);
      add(s);
    }
  }

  const breaks: SymmetryBreak[] = [];
  const reported = new Set<string>();
  const report = (b: SymmetryBreak): void => {
    if (reported.has(b.check)) return;
    reported.add(b.check);
    breaks.push(b);
  };
  samples.forEach((s, si) => {
    for (let k = 0; k < permsPer; k++) {
      const perm = randomPerm();
      const r = m.rename(s, perm);
      for (const inv of invariants) {
        const before = inv.check(s) === true;
        const after = inv.check(r) === true;
        if (before !== after) report({ check: inv.name, kind: 'invariant', perm, before, after });
      }
      for (const w of witnesses) {
        const before = w.check(s);
        const after = w.check(r);
        if (before !== after) report({ check: w.name, kind: 'witness', perm, before, after });
      }
      // Transitions cost |actions|² steps per state: every fifth sample.
      if (properties.length === 0 || si % 5 !== 0) continue;
      const ra = m.actions(r);
      for (const a of m.actions(s)) {
        const t = m.step(s, a);
        const rt = key(m.rename(t, perm));
        const a2 = ra.find((b) => key(m.step(r, b)) === rt);
        if (a2 === undefined) continue;
        const rtState = m.step(r, a2);
        for (const p of properties) {
          const before = p.check(s, a, t) === true;
          const after = p.check(r, a2, rtState) === true;
          if (before !== after) report({ check: p.name, kind: 'property', perm, before, after });
        }
      }
    }
  });
  return breaks;
}
