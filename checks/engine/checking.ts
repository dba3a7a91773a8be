/**
 * What every runner does to a state or a step, shared by the exhaustive runner
 * (`checks/exhaustive.ts`) and the random runner (`checks/random/`): encode a state for
 * deduplication, check the invariants of a state, the transition properties of a step and the
 * initial-state properties, record the `sometimes` witnesses reached, and word an exception
 * thrown by the model. Hot paths: nothing here allocates unless a check fails.
 */
import type { Invariant, Machine, TransitionProperty } from '../../impl/core/machine.ts';
import type { Encoder } from '../../impl/core/encode.ts';
import type { WitnessResult } from '../../impl/core/result.ts';

/** A broken check: its name and its message ('' when the check returned `false`). */
export interface Broken {
  readonly name: string;
  readonly message: string;
}

/** The message of a check's verdict: its text, or '' for a plain `false`. */
export function verdictMessage(v: boolean | string): string {
  return typeof v === 'string' ? v : '';
}

/** The first invariant that `s` breaks, or undefined. */
export function brokenInvariant<S>(invariants: readonly Invariant<S>[], s: S): Broken | undefined {
  for (let j = 0; j < invariants.length; j++) {
    const v = invariants[j]!.check(s);
    if (v !== true) return { name: invariants[j]!.name, message: verdictMessage(v) };
  }
  return undefined;
}

/** The first transition property that the step `s --a--> t` breaks, or undefined. */
export function brokenProperty<S, A>(properties: readonly TransitionProperty<S, A>[], s: S, a: A, t: S): Broken | undefined {
  for (let j = 0; j < properties.length; j++) {
    const v = properties[j]!.check(s, a, t);
    if (v !== true) return { name: properties[j]!.name, message: verdictMessage(v) };
  }
  return undefined;
}

/** The first property whose `checkInit` the initial state `s` breaks, or undefined. */
export function brokenInitProperty<S, A>(properties: readonly TransitionProperty<S, A>[], s: S): Broken | undefined {
  for (const p of properties) {
    if (p.checkInit) {
      const v = p.checkInit(s);
      if (v !== true) return { name: p.name, message: verdictMessage(v) };
    }
  }
  return undefined;
}

/** The one-line message of an exception thrown by the model: `TypeError: …`, or the bare message of a plain `Error`. */
export function errorMessage(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
}

/**
 * The machine's direct symmetry key writer ({@link Machine.symmetryKey}), when it still agrees
 * with the machine's `symmetry` and `encode` (a machine spread from another that replaced either
 * gets undefined, and keys states by `encode(symmetry(s))`).
 */
export function symmetryKeyOf<S, A>(m: Machine<S, A>): ((s: S, out: Encoder) => void) | undefined {
  const k = m.symmetryKey;
  if (k === undefined || m.symmetry === undefined || k.symmetry !== m.symmetry || k.encode !== m.encode) return undefined;
  return k.write.bind(k);
}

/**
 * Encode a state into `out` (reset first) with the machine's own encoder, or the generic one;
 * through `canon` (a symmetry canonicalizer) when given: then with the machine's direct key
 * writer when it has one ({@link symmetryKeyOf}), which writes the same words without building
 * the representative. The branch is taken once, here.
 */
export function stateEncoder<S, A>(m: Machine<S, A>, out: Encoder & { reset(): void }, canon?: (s: S) => S): (s: S) => void {
  const key = canon ? symmetryKeyOf(m) : undefined;
  if (key) return (s) => (out.reset(), key(s, out));
  if (m.encode) {
    const enc = m.encode.bind(m);
    return canon ? (s) => (out.reset(), enc(canon(s), out)) : (s) => (out.reset(), enc(s, out));
  }
  return canon ? (s) => (out.reset(), out.value(canon(s))) : (s) => (out.reset(), out.value(s));
}

/** The `sometimes` witnesses of a machine, and the smallest depth at which each was reached. */
export class WitnessTracker<S> {
  private readonly ws: { readonly name: string; readonly check: (s: S) => boolean; depth: number }[];
  /** Witnesses not reached yet: {@link observe} is only worth calling while this is above 0. */
  pending: number;

  constructor(m: Pick<Machine<S, unknown>, 'sometimes'>) {
    this.ws = (m.sometimes ?? []).map((w) => ({ name: w.name, check: (s: S) => w.check(s), depth: -1 }));
    this.pending = this.ws.length;
  }

  /** Record every pending witness that holds in `s`, reached at `depth`. */
  observe(s: S, depth: number): void {
    for (const w of this.ws) {
      if (w.depth < 0 && w.check(s)) {
        w.depth = depth;
        this.pending--;
      }
    }
  }

  /** The witness results so far. */
  results(): WitnessResult[] {
    return this.ws.map((w) => ({ name: w.name, reached: w.depth >= 0, ...(w.depth >= 0 ? { depth: w.depth } : {}) }));
  }
}

/**
 * Whether a run may skip `m`'s stutter steps (see `Machine.stutters`): it has them, and every
 * selected transition property is declared to hold on them.
 */
export function skipsStutters<S, A>(m: Machine<S, A>, properties: readonly TransitionProperty<S, A>[]): boolean {
  return m.stutters !== undefined && properties.every((p) => p.stutterInvariant === true);
}
