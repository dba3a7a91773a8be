/**
 * The purity guard: a `step`, `actions`, invariant, property or witness that writes into a state
 * it was given is an error of the model, never a counterexample.
 *
 * While the guard is on, each guarded call snapshots the states it is given (a shallow copy of
 * every object they reach, taken once per object), and the states are compared with their
 * snapshots at the start of the next step, when a call throws, and when the runner asks: a
 * difference is a {@link PurityError} naming the call that wrote (the action, or the check; found
 * by running the pending calls again on copies) and the fields written (`nodes[1].durable.log`).
 * A call that throws is also run again on deep copies of its inputs ({@link diagnoseMutation}),
 * guard on or off, so that a write made before the throw is reported as that write.
 *
 * States are not frozen: V8 keeps the code that has read frozen objects slower for the rest of
 * the process (see {@link guardPurity}). What the guard does not see: writes of the value a field
 * already held (they change nothing), non-enumerable and symbol-keyed properties, and objects the
 * model froze itself (trusted to be frozen all the way down). Immutable.js collections are
 * persistent already. {@link deepFreeze} stays for tests that want a write to throw where it
 * happens.
 */
import { canonicalKey, WordBuffer } from '../../impl/core/encode.ts';
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

/**
 * A state held encoded in a breadth-first frontier must decode to the state encoded (see
 * `Machine.frontier`). The error when it does not (null when it does): which fields differ, and
 * the two causes, a field the encoding leaves out (a field the model's declared data lacks,
 * such as one a spread copied in) or a decoder that does not invert its encoder.
 */
export function decodeMismatch<S>(model: string, encoded: S, decoded: S, depth?: number, check?: (encoded: S, decoded: S) => string | null): InputError | null {
  let diff: string | null;
  if (check) diff = check(encoded, decoded);
  else diff = canonicalKey(decoded) === canonicalKey(encoded) ? null : `${differingPaths(encoded, decoded, 3).join(', ') || 'the state'} differ(s)`;
  if (diff === null) return null;
  const where = depth === undefined ? '' : ` (depth ${depth})`;
  return new InputError(
    `model ${model}: a state queued encoded does not decode to the state that was encoded${where}: ${diff}; ` +
      `its encoding leaves out a field (one its declared data does not list?) or its decoder does not invert its encoder. Fix the model, or run with --frontier objects`,
  );
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
// Snapshots: how a guarded call is checked for writes

/** Kinds of snapshot. */
const ARRAY = 0;
const OBJECT = 1;
const MAP = 2;
const SET = 3;
const BYTES = 4;

/**
 * What an object held when a guarded call first met it: its elements (arrays), its own
 * enumerable keys and their values (other objects), its entries flattened (Map: key, value, …;
 * Set: values), or a copy of its bytes (typed arrays and DataViews).
 */
interface Snapshot {
  readonly kind: number;
  readonly items: unknown[];
  readonly keys: readonly string[] | null;
  readonly bytes: Uint8Array | null;
  /** The walk that last compared it (one comparison per object per walk, however shared). */
  seen: number;
}

/**
 * Snapshots kept before the map is emptied (see {@link Snapshots}): enough for a state and its
 * successors, few enough that the states they hold die young.
 */
const SNAPSHOTS_KEPT = 1 << 12;

const bytesOf = (v: ArrayBufferView): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/**
 * The snapshots of one guarded stretch of a search, and the walks that take and compare them.
 * An object is snapshotted once, the first time a guarded call is given a state that reaches it,
 * with everything it reaches (states share most of their parts, so each new state costs only its
 * new objects); a snapshotted object's children are snapshotted too, so a state whose root is
 * known is known all the way down. Immutable collections and objects the model froze itself are
 * not walked (they cannot be written into).
 */
class Snapshots {
  /**
   * By object. A strong map, emptied when it grows past {@link SNAPSHOTS_KEPT} entries (kept, the
   * snapshots would keep every state alive and cost more in the collector than all the rest):
   * snapshots are taken before each call, so a state whose snapshots were dropped simply gets
   * new ones at its next call.
   */
  private snaps = new Map<object, Snapshot>();
  private walk = 0;

  /** Snapshot `v` and everything it reaches that has none yet. */
  record(v: unknown): void {
    if (typeof v !== 'object' || v === null || this.snaps.has(v)) return;
    if (isImmutable(v) || Object.isFrozen(v)) return;
    let snap: Snapshot;
    if (Array.isArray(v)) snap = { kind: ARRAY, items: v.slice(), keys: null, bytes: null, seen: 0 };
    else if (ArrayBuffer.isView(v)) snap = { kind: BYTES, items: [], keys: null, bytes: bytesOf(v).slice(), seen: 0 };
    else if (v instanceof Map) {
      const items: unknown[] = [];
      for (const [k, x] of v) items.push(k, x);
      snap = { kind: MAP, items, keys: null, bytes: null, seen: 0 };
    } else if (v instanceof Set) snap = { kind: SET, items: [...(v as Set<unknown>)], keys: null, bytes: null, seen: 0 };
    else {
      const keys = Object.keys(v);
      const o = v as Record<string, unknown>;
      snap = { kind: OBJECT, items: keys.map((k) => o[k]), keys, bytes: null, seen: 0 };
    }
    this.snaps.set(v, snap);
    for (const x of snap.items) this.record(x);
  }

  /** Whether there are so many snapshots that they should be dropped (after a comparison). */
  full(): boolean {
    return this.snaps.size >= SNAPSHOTS_KEPT;
  }

  /** Whether every snapshotted object the calls' inputs reach still holds what its snapshot says (one walk). */
  unchanged(calls: readonly { readonly inputs: readonly GuardedInput[] }[]): boolean {
    this.walk++;
    for (const c of calls) for (const i of c.inputs) if (!this.same(i.value)) return false;
    return true;
  }

  private same(v: unknown): boolean {
    if (typeof v !== 'object' || v === null) return true;
    const snap = this.snaps.get(v);
    // No snapshot: immutable, frozen by the model, or not met by a guarded call.
    if (snap === undefined || snap.seen === this.walk) return true;
    snap.seen = this.walk;
    const items = snap.items;
    switch (snap.kind) {
      case ARRAY: {
        const a = v as unknown[];
        if (a.length !== items.length) return false;
        for (let i = 0; i < items.length; i++) if (a[i] !== items[i]) return false;
        break;
      }
      case BYTES: {
        const now = bytesOf(v as ArrayBufferView);
        const was = snap.bytes!;
        if (now.length !== was.length) return false;
        for (let i = 0; i < was.length; i++) if (now[i] !== was[i]) return false;
        return true;
      }
      case MAP: {
        const m = v as Map<unknown, unknown>;
        if (m.size * 2 !== items.length) return false;
        let i = 0;
        for (const [k, x] of m) {
          if (k !== items[i] || x !== items[i + 1]) return false;
          i += 2;
        }
        break;
      }
      case SET: {
        const st = v as Set<unknown>;
        if (st.size !== items.length) return false;
        let i = 0;
        for (const x of st) if (x !== items[i++]) return false;
        break;
      }
      default: {
        const keys = snap.keys!;
        const o = v as Record<string, unknown>;
        // `for…in` allocates nothing; it also lists inherited enumerable keys, so a mismatch is
        // confirmed on the own keys.
        let i = 0;
        let same = true;
        for (const k in o) {
          if (k !== keys[i] || o[k] !== items[i]) {
            same = false;
            break;
          }
          i++;
        }
        if (!same || i !== keys.length) {
          const now = Object.keys(o);
          if (now.length !== keys.length) return false;
          for (let j = 0; j < keys.length; j++) if (now[j] !== keys[j] || o[keys[j]!] !== items[j]) return false;
        }
      }
    }
    for (const x of items) if (typeof x === 'object' && x !== null && !this.same(x)) return false;
    return true;
  }

  /** A deep copy of `v` as its snapshots say it was (parts without one are shared). */
  before(v: unknown, memo = new Map<object, unknown>()): unknown {
    if (typeof v !== 'object' || v === null) return v;
    const snap = this.snaps.get(v);
    if (snap === undefined) return v;
    const done = memo.get(v);
    if (done !== undefined) return done;
    const items = snap.items;
    switch (snap.kind) {
      case ARRAY: {
        const out: unknown[] = [];
        memo.set(v, out);
        for (const x of items) out.push(this.before(x, memo));
        return out;
      }
      case BYTES: {
        const was = snap.bytes!;
        const out = v instanceof DataView ? new DataView(was.slice().buffer) : new (v.constructor as new (b: ArrayBuffer) => unknown)(was.slice().buffer);
        memo.set(v, out);
        return out;
      }
      case MAP: {
        const out = new Map<unknown, unknown>();
        memo.set(v, out);
        for (let i = 0; i < items.length; i += 2) out.set(this.before(items[i], memo), this.before(items[i + 1], memo));
        return out;
      }
      case SET: {
        const out = new Set<unknown>();
        memo.set(v, out);
        for (const x of items) out.add(this.before(x, memo));
        return out;
      }
      default: {
        const out = Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>;
        memo.set(v, out);
        snap.keys!.forEach((k, i) => (out[k] = this.before(items[i], memo)));
        return out;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The guarded machine

/**
 * The switch of a purity guard, which several guarded machines may share (random mode builds one
 * per drawn configuration). Turning it on starts a new guarded stretch with no snapshots: what a
 * state held while unguarded is not known, so it is taken afresh.
 */
export class GuardSwitch {
  private on: boolean;
  /** The snapshots of the current guarded stretch. */
  private snapshots = new Snapshots();
  /** The guarded calls since the last comparison. */
  private pending: GuardedCall[] = [];
  constructor(guarding = true) {
    this.on = guarding;
  }
  get guarding(): boolean {
    return this.on;
  }
  set guarding(v: boolean) {
    if (v === this.on) return;
    // Either way the snapshots go: stale once unguarded, and they hold states alive.
    if (this.on) this.flush();
    this.snapshots = new Snapshots();
    this.on = v;
  }

  /** Before a guarded call: snapshot its inputs (comparing the pending calls first if the snapshots must be dropped). */
  enter(call: GuardedCall): void {
    if (this.snapshots.full()) {
      this.flush();
      this.snapshots = new Snapshots();
    }
    for (const i of call.inputs) this.snapshots.record(i.value);
    this.pending.push(call);
  }

  /**
   * Compare every state given to the guarded calls since the last comparison with its
   * snapshots, in one walk; on a difference, throw a {@link PurityError} naming the first of
   * those calls that writes when it is run again on copies of its inputs as they were.
   * The guarded machines compare at every `actions` call (the start of every step), and the
   * runners at the end of every run and before they report a counterexample.
   */
  flush(): void {
    const calls = this.pending;
    if (calls.length === 0) return;
    this.pending = [];
    const snaps = this.snapshots;
    if (snaps.unchanged(calls)) return;
    for (const c of calls) {
      const before = c.inputs.map((i) => ({ name: i.name, value: snaps.before(i.value) }));
      const fields = diagnoseMutation(before, c.again);
      if (fields.length > 0) throw new PurityError(purityMessage(c.model, whoOf(c.where, c.culprit()), fields, undefined), c.where, c.culprit(), fields);
    }
    // No call writes again on copies (its writes depend on more than its inputs): name the first
    // call given a state that changed, and what changed.
    for (const c of calls) {
      const fields: string[] = [];
      for (const i of c.inputs) for (const p of differingPaths(snaps.before(i.value), i.value)) fields.push(i.name ? `${i.name}.${p}` : p);
      if (fields.length > 0) throw new PurityError(purityMessage(c.model, whoOf(c.where, c.culprit()), fields, undefined), c.where, c.culprit(), fields);
    }
  }
}

/** A guarded call, as the switch keeps it until its inputs are compared with their snapshots. */
interface GuardedCall {
  readonly model: string;
  readonly where: string;
  readonly culprit: () => string;
  readonly inputs: readonly GuardedInput[];
  /** The call again, on copies of its inputs. */
  readonly again: (...copies: unknown[]) => unknown;
}

/** A guarded machine and the switch that turns its guard on and off. */
export interface PurityGuard<S, A> {
  /** The guarded machine: use it in place of the original. */
  readonly machine: Machine<S, A>;
  /**
   * Whether calls are checked for writes into their states (on at first). A runner that guards
   * only its first states turns this off; writes made after that are not caught.
   */
  guarding: boolean;
  /** The switch itself, to share with other guarded machines. */
  readonly switch: GuardSwitch;
  /** Compare the states given to the guarded calls not yet compared (see {@link GuardSwitch.flush}). */
  flush(): void;
}

/** The message's name for a guarded call. */
function whoOf(where: string, culprit: string): string {
  return where === 'step' ? `step ${culprit}` : where === 'actions' ? 'actions()' : `${where} ${culprit}`;
}

/** Rethrow `e` as a {@link PurityError} when the call wrote into its inputs; otherwise return. */
function checkWrite(model: string, where: string, culprit: string, inputs: readonly GuardedInput[], call: (...copies: unknown[]) => unknown): void {
  const fields = diagnoseMutation(inputs, call);
  if (fields.length === 0) return;
  throw new PurityError(purityMessage(model, whoOf(where, culprit), fields, undefined), where, culprit, fields);
}

/**
 * Guard a machine's purity. While the guard is on, every call of `step`, `actions` and every
 * invariant, property and witness snapshots the states it is given, and they are compared at the
 * next `actions` (see {@link GuardSwitch.flush}): a write into one is a {@link PurityError}
 * naming the action or check and the fields written.
 * A call that throws (guarded or not) is run again on copies of its inputs, and a write found
 * there is reported the same way. Everything else (encode, symmetry, view, labels) is the
 * original machine's.
 *
 * States are never frozen: code that has seen frozen objects stays slower for the rest of the
 * process (V8's inline caches and its fast paths for arrays keep the frozen shapes), which cost a
 * search guarded on its first 2,000 states 1.45× on TwoPhase 8 RMs, all of it after the guard
 * was off.
 */
export function guardPurity<S, A>(m: Machine<S, A>, shared?: GuardSwitch): PurityGuard<S, A> {
  const label = (a: A): string => labelOf(m, a);
  const sw = shared ?? new GuardSwitch();
  /**
   * Run `call` on `inputs`: directly while the guard is off, else after snapshotting them (they
   * are compared at the next `actions`, or when the runner asks); a throw is diagnosed (see
   * {@link checkWrite}) unless it is an input error.
   */
  const run = <R>(where: string, culprit: () => string, inputs: readonly GuardedInput[], call: () => R, again: (...copies: unknown[]) => unknown): R => {
    const on = sw.guarding;
    if (on) sw.enter({ model: m.name, where, culprit, inputs, again });
    try {
      return call();
    } catch (e) {
      if (on) sw.flush();
      if (!(e instanceof InputError)) checkWrite(m.name, where, culprit(), inputs, again);
      throw e;
    }
  };
  const g = Object.create(m) as { -readonly [K in keyof Machine<S, A>]: Machine<S, A>[K] };
  g.actions = (s: S): readonly A[] => {
    if (!sw.guarding) {
      try {
        return m.actions(s);
      } catch (e) {
        if (!(e instanceof InputError)) checkWrite(m.name, 'actions', '', [{ name: '', value: s }], (c) => m.actions(c as S));
        throw e;
      }
    }
    // A new step: compare what the calls since the last one were given.
    sw.flush();
    return run('actions', () => '', [{ name: '', value: s }], () => m.actions(s), (c) => m.actions(c as S));
  };
  g.step = (s: S, a: A): S => {
    if (!sw.guarding) {
      try {
        return m.step(s, a);
      } catch (e) {
        if (!(e instanceof InputError)) checkWrite(m.name, 'step', label(a), [{ name: '', value: s }], (c) => m.step(c as S, a));
        throw e;
      }
    }
    return run('step', () => label(a), [{ name: '', value: s }], () => m.step(s, a), (c) => m.step(c as S, a));
  };
  if (m.invariants) {
    g.invariants = m.invariants.map((inv) =>
      Object.create(inv, {
        check: {
          value: (s: S): Verdict => {
            if (sw.guarding) return run('invariant', () => inv.name, [{ name: '', value: s }], () => inv.check(s), (c) => inv.check(c as S));
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
            if (sw.guarding) return run('property', () => p.name, [{ name: 'prev', value: s }, { name: 'next', value: t }], () => p.check(s, a, t), (c, d) => p.check(c as S, a, d as S));
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
                  if (sw.guarding) return run('property', () => p.name, [{ name: '', value: s }], () => p.checkInit!(s), (c) => p.checkInit!(c as S));
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
            if (sw.guarding) return run('witness', () => w.name, [{ name: '', value: s }], () => w.check(s), (c) => w.check(c as S));
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
  return {
    machine: g,
    switch: sw,
    flush: () => sw.flush(),
    get guarding() {
      return sw.guarding;
    },
    set guarding(v: boolean) {
      sw.guarding = v;
    },
  };
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
