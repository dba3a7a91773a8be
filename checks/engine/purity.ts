/**
 * The purity guard: a `step`, `actions`, invariant, property or witness that writes into a state
 * it was given is an error of the model, never a counterexample.
 *
 * The runners deep-freeze the states they hand out ({@link deepFreeze}), so such a write throws a
 * `TypeError` where it happens (ES modules run in strict mode). When a guarded call throws, the
 * runner calls {@link diagnoseMutation}: it runs the same call again on unfrozen deep copies of
 * its inputs and compares them with the (untouched, frozen) originals; a difference names the
 * field that was written (`nodes[1].durable.log`), and the runner throws a {@link PurityError}.
 *
 * What the guard cannot freeze: typed arrays (a write into one is not caught), and objects the
 * model froze itself (trusted to be frozen all the way down). `Map` and `Set` are guarded by
 * replacing their mutators on the instance. Immutable.js collections are persistent already.
 */
import { WordBuffer } from '../../impl/core/encode.ts';
import { isImmutable } from 'immutable';
import { InputError, type Invariant, type Machine, type TransitionProperty, type Verdict, type Witness } from '../../impl/core/machine.ts';
import { selectChecks } from '../../impl/core/result.ts';
import { labelOf, toPlain, type ViolationKind } from '../../impl/core/trace.ts';

/**
 * A model broke the purity contract: a function wrote into a state it was given. An
 * {@link InputError} (the CLI prints it on one line and exits 2): the model is wrong, not the
 * protocol it describes.
 */
export class PurityError extends InputError {
  constructor(
    message: string,
    /** What wrote: `step`, `actions`, `invariant`, `property` or `witness`. */
    readonly where: string,
    /** The action (label) or check name involved. */
    readonly culprit: string,
    /** The fields that were written, as paths into the state (`nodes[1].durable.log`). */
    readonly fields: readonly string[],
    /** Steps from the initial state to the state that was written into, when known. */
    readonly depth?: number,
  ) {
    super(message);
  }
}

const MAP_MUTATORS = ['set', 'delete', 'clear'] as const;
const SET_MUTATORS = ['add', 'delete', 'clear'] as const;
function frozenCollection(this: unknown): never {
  throw new TypeError('Cannot modify a frozen collection (a state handed out by the checker)');
}

/**
 * Freeze `v` and everything reachable from it, in place, and return it. Objects already frozen
 * are not walked again (states share most of their parts, so each new state costs only its new
 * objects). Typed arrays and immutable collections are left as they are.
 */
export function deepFreeze<T>(v: T): T {
  freezeRec(v);
  return v;
}

function freezeRec(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  if (Array.isArray(v)) {
    Object.freeze(v);
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' && x !== null) freezeRec(x);
    }
    return;
  }
  if (ArrayBuffer.isView(v) || isImmutable(v)) return;
  if (v instanceof Map) {
    for (const k of MAP_MUTATORS) Object.defineProperty(v, k, { value: frozenCollection });
    Object.freeze(v);
    for (const [k, x] of v) {
      freezeRec(k);
      freezeRec(x);
    }
    return;
  }
  if (v instanceof Set) {
    for (const k of SET_MUTATORS) Object.defineProperty(v, k, { value: frozenCollection });
    Object.freeze(v);
    for (const x of v) freezeRec(x);
    return;
  }
  Object.freeze(v);
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' && x !== null) freezeRec(x);
  }
}

/** A deep copy that nothing else references: plain objects, arrays, Map, Set, class instances (same prototype), typed arrays. */
export function deepClone<T>(v: T): T {
  return cloneRec(v, new Map()) as T;
}

function cloneRec(v: unknown, seen: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null || isImmutable(v)) return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(cloneRec(x, seen));
    return out;
  }
  if (ArrayBuffer.isView(v)) {
    const c = v instanceof DataView ? new DataView(v.buffer.slice(0)) : (v as unknown as { slice(): unknown }).slice();
    seen.set(v, c);
    return c;
  }
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(v, out);
    for (const [k, x] of v) out.set(cloneRec(k, seen), cloneRec(x, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set<unknown>();
    seen.set(v, out);
    for (const x of v) out.add(cloneRec(x, seen));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>;
  seen.set(v, out);
  for (const k of Object.keys(v)) out[k] = cloneRec((v as Record<string, unknown>)[k], seen);
  return out;
}

/**
 * The paths where two values differ, deepest first reached (`nodes[1].durable.log`); an array
 * whose length changed is reported as a whole. At most `limit` paths.
 */
export function differingPaths(before: unknown, after: unknown, limit = 5): string[] {
  const out: string[] = [];
  const rec = (a: unknown, b: unknown, path: string): void => {
    if (out.length >= limit || Object.is(a, b)) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        out.push(path || '(state)');
        return;
      }
      for (let i = 0; i < a.length; i++) rec(a[i], b[i], `${path}[${i}]`);
      return;
    }
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
      const ra = a as Record<string, unknown>;
      const rb = b as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
      for (const k of keys) rec(ra[k], rb[k], /^[A-Za-z_$][\w$]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`);
      return;
    }
    out.push(path || '(state)');
  };
  rec(toPlain(before), toPlain(after), '');
  return out;
}

/** One input of a guarded call: its name in the message ('' for the one state) and its value. */
export interface GuardedInput {
  readonly name: string;
  readonly value: unknown;
}

/**
 * After a guarded call threw: run it again on deep copies of its state inputs and return the
 * fields it wrote into (prefixed with the input's name when there are several), or an empty list
 * when it wrote nothing (the throw was the model's own).
 */
export function diagnoseMutation(inputs: readonly GuardedInput[], call: (...copies: unknown[]) => unknown): string[] {
  const copies = inputs.map((i) => deepClone(i.value));
  try {
    call(...copies);
  } catch {
    // Expected: the same error, or another one. The copies say what was written before it.
  }
  const fields: string[] = [];
  inputs.forEach((input, k) => {
    for (const p of differingPaths(input.value, copies[k])) fields.push(input.name ? `${input.name}.${p}` : p);
  });
  return fields;
}

/**
 * The one-line message of a purity error: who wrote, which field, and where.
 *
 * `who` reads like "step deliver n1→n2 Ping(seq=1)" or "invariant one-leader".
 */
export function purityMessage(model: string, who: string, fields: readonly string[], depth: number | undefined): string {
  const where = depth === undefined ? '' : depth === 0 ? ' in an initial state' : ` in a state ${depth} step${depth === 1 ? '' : 's'} from the initial state`;
  return (
    `model error in ${model}: ${who} wrote into the state it was given (field ${fields.join(', ')})${where}; ` +
    `a step must return a new state and checks must only read it (this is a bug in the model, not a counterexample)`
  );
}

// ---------------------------------------------------------------------------------------------
// The guarded machine

/** A machine whose states are frozen as they are handed out, and the switch that turns freezing off. */
export interface PurityGuard<S, A> {
  /** The guarded machine: use it in place of the original. */
  readonly machine: Machine<S, A>;
  /**
   * Whether new states are frozen (initial states always are). A runner that guards only its
   * first states turns this off; writes into states created after that are not caught.
   */
  freezing: boolean;
}

/** Rethrow `e` as a {@link PurityError} when the call wrote into its inputs; otherwise return. */
function checkWrite(model: string, where: string, culprit: string, inputs: readonly GuardedInput[], call: (...copies: unknown[]) => unknown): void {
  const fields = diagnoseMutation(inputs, call);
  if (fields.length === 0) return;
  const who = where === 'step' || where === 'actions' ? (where === 'step' ? `step ${culprit}` : `actions()`) : `${where} ${culprit}`;
  throw new PurityError(purityMessage(model, who, fields, undefined), where, culprit, fields);
}

/**
 * Guard a machine's purity: its initial states and (while `freezing`) every state `step`
 * returns are deep-frozen, so a write into one throws where it happens; `step`, `actions` and
 * every invariant, property and witness that throws is then run again on copies of its inputs,
 * and a write is reported as a {@link PurityError} naming the action or check and the field.
 * Everything else (encode, symmetry, view, labels) is the original machine's.
 */
export function guardPurity<S, A>(m: Machine<S, A>, shared?: { freezing: boolean }): PurityGuard<S, A> {
  const label = (a: A): string => labelOf(m, a);
  // `shared`: one switch for several guarded machines (random mode builds one per drawn configuration).
  const state = shared ?? { freezing: true };
  const guard: { machine: Machine<S, A>; freezing: boolean } = {
    machine: m,
    get freezing() {
      return state.freezing;
    },
    set freezing(v: boolean) {
      state.freezing = v;
    },
  };
  const g = Object.create(m) as { -readonly [K in keyof Machine<S, A>]: Machine<S, A>[K] };
  g.init = (): readonly S[] => {
    const inits = m.init();
    for (const s of inits) deepFreeze(s);
    return inits;
  };
  g.actions = (s: S): readonly A[] => {
    try {
      return m.actions(s);
    } catch (e) {
      if (!(e instanceof InputError)) checkWrite(m.name, 'actions', '', [{ name: '', value: s }], (c) => m.actions(c as S));
      throw e;
    }
  };
  g.step = (s: S, a: A): S => {
    let t: S;
    try {
      t = m.step(s, a);
    } catch (e) {
      if (!(e instanceof InputError)) checkWrite(m.name, 'step', label(a), [{ name: '', value: s }], (c) => m.step(c as S, a));
      throw e;
    }
    if (guard.freezing) deepFreeze(t);
    return t;
  };
  if (m.invariants) {
    g.invariants = m.invariants.map((inv) =>
      Object.create(inv, {
        check: {
          value: (s: S): Verdict => {
            try {
              return inv.check(s);
            } catch (e) {
              checkWrite(m.name, 'invariant', inv.name, [{ name: '', value: s }], (c) => inv.check(c as S));
              throw e;
            }
          },
        },
      }) as Invariant<S>,
    );
  }
  if (m.properties) {
    g.properties = m.properties.map((p) =>
      Object.create(p, {
        check: {
          value: (s: S, a: A, t: S): Verdict => {
            try {
              return p.check(s, a, t);
            } catch (e) {
              checkWrite(m.name, 'property', p.name, [{ name: 'prev', value: s }, { name: 'next', value: t }], (c, d) => p.check(c as S, a, d as S));
              throw e;
            }
          },
        },
        ...(p.checkInit
          ? {
              checkInit: {
                value: (s: S): Verdict => {
                  try {
                    return p.checkInit!(s);
                  } catch (e) {
                    checkWrite(m.name, 'property', p.name, [{ name: '', value: s }], (c) => p.checkInit!(c as S));
                    throw e;
                  }
                },
              },
            }
          : {}),
      }) as TransitionProperty<S, A>,
    );
  }
  if (m.sometimes) {
    g.sometimes = m.sometimes.map((w) =>
      Object.create(w, {
        check: {
          value: (s: S): boolean => {
            try {
              return w.check(s);
            } catch (e) {
              checkWrite(m.name, 'witness', w.name, [{ name: '', value: s }], (c) => w.check(c as S));
              throw e;
            }
          },
        },
      }) as Witness<S>,
    );
  }
  guard.machine = g;
  return guard;
}

/**
 * Re-execute a run given by action indices and return its first violation (kind and name), or
 * undefined when every step is enabled and every check holds (witnesses are evaluated too, when
 * `witnesses`, so that one that throws is met). A {@link PurityError} from a
 * guarded machine propagates; any other exception is a violation of kind `error` named after
 * the phase, as in the runners.
 */
export function firstViolation<S, A>(
  m: Machine<S, A>,
  initIndex: number,
  indices: readonly number[],
  checks: readonly string[] | undefined,
  deadlock: boolean,
  witnesses = false,
): { readonly kind: ViolationKind; readonly name: string } | undefined {
  const { invariants, properties } = selectChecks(m, checks);
  const ws = witnesses ? (m.sometimes ?? []) : [];
  const words = new WordBuffer();
  let phase = 'init';
  try {
    let s = m.init()[initIndex];
    if (s === undefined) return undefined;
    phase = 'invariant';
    for (const inv of invariants) if (inv.check(s) !== true) return { kind: 'invariant', name: inv.name };
    for (const w of ws) w.check(s);
    phase = 'property';
    for (const p of properties) if (p.checkInit && p.checkInit(s) !== true) return { kind: 'property', name: p.name };
    for (let k = 0; k <= indices.length; k++) {
      phase = 'actions';
      const acts = m.actions(s);
      if (deadlock && acts.length === 0 && !(m.isTerminal?.(s) ?? false)) return { kind: 'deadlock', name: 'deadlock' };
      if (k === indices.length) break;
      const a = acts[indices[k]!];
      if (a === undefined) return undefined;
      phase = 'step';
      const t: S = m.step(s, a);
      // The runners encode every state they reach; an encoder that refuses a state (one outside
      // its declared schema) is an error of the step, there and here.
      if (m.encode) {
        words.reset();
        m.encode(t, words);
      }
      phase = 'property';
      for (const p of properties) if (p.check(s, a, t) !== true) return { kind: 'property', name: p.name };
      phase = 'invariant';
      for (const inv of invariants) if (inv.check(t) !== true) return { kind: 'invariant', name: inv.name };
      for (const w of ws) w.check(t);
      s = t;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    return { kind: 'error', name: phase };
  }
  return undefined;
}
