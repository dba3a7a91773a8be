/**
 * Traces: rebuilt from action indices, shown as numbered steps with only what changed, and
 * written as versioned JSON.
 */
import { isImmutable } from 'immutable';
import type { AnyMachine, Machine, ParamValue } from './machine.ts';

/** One step of a trace: the action taken (and its index among the enabled ones), and the state after it. */
export interface TraceStep<S, A> {
  readonly action: A;
  readonly actionIndex: number;
  readonly state: S;
}

/** A run of the machine: an initial state and the steps from it. */
export interface Trace<S, A> {
  /** Index of the initial state in `init()`. */
  readonly initIndex: number;
  readonly init: S;
  readonly steps: readonly TraceStep<S, A>[];
}

/** The state at the end of a trace. */
export function lastState<S, A>(t: Trace<S, A>): S {
  return t.steps.length === 0 ? t.init : t.steps[t.steps.length - 1]!.state;
}

/**
 * Rebuild a trace by replaying action indices from an initial state. Determinism of `actions`
 * is what makes this exact. Throws if an index is out of range (a stale or foreign path).
 */
export function traceFromIndices<S, A>(m: Machine<S, A>, initIndex: number, indices: readonly number[]): Trace<S, A> {
  const inits = m.init();
  const init = inits[initIndex];
  if (init === undefined) throw new RangeError(`initial state ${initIndex} does not exist (${inits.length} initial states)`);
  const steps: TraceStep<S, A>[] = [];
  let s: S = init;
  for (const [n, i] of indices.entries()) {
    const acts = m.actions(s);
    const a = acts[i];
    if (a === undefined) throw new RangeError(`step ${n + 1}: action index ${i} but only ${acts.length} actions are enabled`);
    s = m.step(s, a);
    steps.push({ action: a, actionIndex: i, state: s });
  }
  return { initIndex, init, steps };
}

/**
 * Convert a value to plain JSON for display: Map → object (string keys) or [key, value] pairs,
 * Set → sorted array, immutable collections → their JS form, bigint → string.
 */
export function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  if (isImmutable(v)) return toPlain((v as unknown as { toJS(): unknown }).toJS());
  if (v instanceof Map) {
    const entries = [...v.entries()];
    if (entries.every(([k]) => typeof k === 'string' || typeof k === 'number')) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of entries.sort(([a], [b]) => (String(a) < String(b) ? -1 : 1))) o[String(k)] = toPlain(x);
      return o;
    }
    return entries.map(([k, x]) => [toPlain(k), toPlain(x)]);
  }
  if (v instanceof Set) {
    const items = [...v].map(toPlain);
    return items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) o[k] = toPlain((v as Record<string, unknown>)[k]);
  return o;
}

/** A machine's JSON view of a state. */
export function viewOf<S, A>(m: Machine<S, A>, s: S): unknown {
  return m.view ? m.view(s) : toPlain(s);
}

/**
 * A machine's label for an action. Default: for a tagged object, `Tag(field=value, …)` (tag field
 * `type` or `kind`); otherwise compact JSON.
 */
export function labelOf<S, A>(m: Machine<S, A>, a: A): string {
  if (m.formatAction) return m.formatAction(a);
  const plain = toPlain(a);
  if (isPlainObject(plain)) {
    const tagKey = typeof plain['type'] === 'string' ? 'type' : typeof plain['kind'] === 'string' ? 'kind' : undefined;
    if (tagKey) {
      const fields = Object.entries(plain).filter(([k]) => k !== tagKey);
      return fields.length === 0 ? String(plain[tagKey]) : `${String(plain[tagKey])}(${fields.map(([k, v]) => `${k}=${compact(v)}`).join(', ')})`;
    }
  }
  return compact(plain);
}

/** Compact one-line JSON. */
export function compact(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** One changed field between two views. */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  /** For a list that only grew or shrank (a set, a log, a network): what was added and removed. */
  readonly added?: readonly unknown[];
  readonly removed?: readonly unknown[];
}

/** If `after` is `before` plus or minus some elements (as multisets), what changed; else undefined. */
function listDelta(before: readonly unknown[], after: readonly unknown[]): { added: unknown[]; removed: unknown[] } | undefined {
  const count = new Map<string, number>();
  for (const x of before) count.set(compact(x), (count.get(compact(x)) ?? 0) + 1);
  const added: unknown[] = [];
  for (const x of after) {
    const k = compact(x);
    const c = count.get(k) ?? 0;
    if (c > 0) count.set(k, c - 1);
    else added.push(x);
  }
  const removed = before.filter((x) => {
    const k = compact(x);
    const c = count.get(k) ?? 0;
    if (c > 0) {
      count.set(k, c - 1);
      return true;
    }
    return false;
  });
  if (added.length + removed.length >= Math.max(before.length, after.length) && before.length > 0 && after.length > 0) return undefined;
  return { added, removed };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The fields that differ between two JSON views, as paths (`rmState[2]`, `nodes.n1.term`).
 * Objects are compared key by key; arrays of equal length element by element; anything else
 * (and arrays whose length changed) as a whole.
 */
export function diffViews(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (compact(before) === compact(after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffViews(before[k], after[k], path === '' ? k : `${path}.${k}`));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && before.length > 0) {
    const elementwise = before.flatMap((x, i) => diffViews(x, after[i], `${path}[${i}]`));
    if (elementwise.length > 1) {
      // A list whose elements shifted (a sorted network, a set) reads better as what was added
      // and removed; a wholesale change of a small array reads better as one line.
      const delta = listDelta(before, after);
      if (delta && delta.added.length + delta.removed.length < elementwise.length) return [{ path, before, after, ...delta }];
      if (compact(after).length <= 60) return [{ path, before, after }];
    }
    return elementwise;
  }
  const p = path === '' ? '(state)' : path;
  if (Array.isArray(before) && Array.isArray(after)) {
    const delta = listDelta(before, after);
    if (delta) return [{ path: p, before, after, ...delta }];
  }
  return [{ path: p, before, after }];
}

/** One change as text: `path: before → after`, or `path: + x, − y` for a list delta. */
export function formatChange(c: FieldChange): string {
  if (c.added || c.removed) {
    const parts = [...(c.added ?? []).map((x) => `+ ${show(x)}`), ...(c.removed ?? []).map((x) => `− ${show(x)}`)];
    return `${c.path}: ${parts.join(', ')}`;
  }
  return `${c.path}: ${show(c.before)} → ${show(c.after)}`;
}

/** How a check failed, where it failed. */
export type ViolationKind = 'invariant' | 'property' | 'deadlock' | 'error';

/**
 * A counterexample: what broke, and the trace that leads to it. For `invariant` and `deadlock`
 * the last state of the trace is the bad one; for `property` the last step is the bad
 * transition; for `error` the trace leads to the state where `failedAction` (or, when it is
 * absent, `actions()` or an invariant) threw.
 */
export interface Violation<S, A> {
  readonly kind: ViolationKind;
  /** The invariant or property name; `deadlock`; or the phase that threw. */
  readonly name: string;
  /** The explanation the predicate returned, or the error message. */
  readonly message: string;
  readonly trace: Trace<S, A>;
  /** For `error` in `step`: the action that threw. */
  readonly failedAction?: { readonly action: A; readonly actionIndex: number };
}

/** Render a value for a one-line change. */
function show(v: unknown): string {
  if (v === undefined) return '(none)';
  return compact(v);
}

/**
 * A trace as numbered steps: the full initial state, then for each step the action and only the
 * fields that changed. The violated check is named at the end.
 */
export function formatTrace<S, A>(m: Machine<S, A>, trace: Trace<S, A>, violation?: Pick<Violation<S, A>, 'kind' | 'name' | 'message' | 'failedAction'>): string {
  const lines: string[] = [];
  let prev = viewOf(m, trace.init);
  lines.push(`  0. initial state${trace.initIndex > 0 ? ` #${trace.initIndex}` : ''}`);
  for (const c of diffViews(undefined, prev)) {
    if (isPlainObject(c.after)) for (const [k, v] of Object.entries(c.after)) lines.push(`       ${k} = ${show(v)}`);
    else lines.push(`       ${show(c.after)}`);
  }
  const width = String(trace.steps.length + 1).length;
  trace.steps.forEach((st, i) => {
    const view = viewOf(m, st.state);
    const changes = diffViews(prev, view);
    lines.push(`${String(i + 1).padStart(width + 1)}. ${labelOf(m, st.action)}`);
    if (changes.length === 0) lines.push(`       (no change)`);
    for (const c of changes) lines.push(`       ${formatChange(c)}`);
    prev = view;
  });
  if (violation?.failedAction) {
    lines.push(`${String(trace.steps.length + 1).padStart(width + 1)}. ${labelOf(m, violation.failedAction.action)}  (threw)`);
  }
  if (violation) lines.push(`  ✗ ${describeViolation(violation)}`);
  return lines.join('\n');
}

/** One line: which check broke and why. */
export function describeViolation(v: Pick<Violation<unknown, unknown>, 'kind' | 'name' | 'message'>): string {
  switch (v.kind) {
    case 'invariant':
      return `invariant ${v.name} violated${v.message ? `: ${v.message}` : ''}`;
    case 'property':
      return `transition property ${v.name} violated${v.message ? `: ${v.message}` : ''}`;
    case 'deadlock':
      return `deadlock: no action is enabled${v.message ? ` (${v.message})` : ''}`;
    case 'error':
      return `exception in ${v.name}: ${v.message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The trace file

/** Format name and version of trace files. Bump the version on any incompatible change. */
export const TRACE_FORMAT = 'dscheck-trace';
/** Current trace file version. */
export const TRACE_VERSION = 1;

/**
 * How the trace was found. Every field beyond `runner` (and a random run's `seed` and `path`) is
 * optional, so files written before a field existed still read.
 *
 * - `checks`: the invariants/properties the run evaluated, when it was a subset (replay and
 *   shrink evaluate the same ones); absent means all.
 * - random: `seed` and `path` are fast-check's; with the same `maxSteps` and swarm `kinds` (the
 *   schedule encoding) they replay the run exactly. `swarm.excluded` is the failing run's mix
 *   (the action kinds it left out). `shrink` records the trace length after fast-check's
 *   shrinking and after the delta-debugging pass.
 * - shrink: `source` is the runner of the input trace (its `seed`/`path` are carried over),
 *   `lengthBefore`/`lengthAfter` the step counts before and after shrinking.
 */
export type TraceOrigin =
  | { readonly runner: 'bfs' | 'dfs'; readonly checks?: readonly string[] }
  | {
      readonly runner: 'random';
      readonly seed: number;
      readonly path: string;
      readonly maxSteps?: number;
      readonly swarm?: { readonly kinds: readonly string[]; readonly excluded: readonly string[] };
      readonly checks?: readonly string[];
      readonly shrink?: { readonly fastCheckLength: number; readonly length: number };
      /** Random mode's configuration draw: each drawn parameter's values (the file's `params` hold the run's). */
      readonly draw?: Readonly<Record<string, readonly ParamValue[]>>;
    }
  | {
      readonly runner: 'shrink' | 'user';
      readonly seed?: number;
      readonly path?: string;
      readonly checks?: readonly string[];
      readonly source?: string;
      readonly lengthBefore?: number;
      readonly lengthAfter?: number;
    };

/**
 * A counterexample as JSON (`reports/*.json`). Replay reads `model`, `params`, `initIndex` and
 * each step's `action`; `label`, `state` and `changes` are for people and viewers.
 */
export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly model: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly origin: TraceOrigin;
  readonly violation: { readonly kind: ViolationKind; readonly name: string; readonly message: string; readonly failedAction?: unknown } | null;
  readonly initIndex: number;
  readonly init: unknown;
  readonly steps: readonly {
    readonly action: unknown;
    readonly label: string;
    readonly state: unknown;
    readonly changes: readonly FieldChange[];
  }[];
}

/** Serialize a trace (and the violation it shows, if any) as a {@link TraceFile}. */
export function toTraceFile(
  m: AnyMachine,
  model: string,
  params: Readonly<Record<string, ParamValue>>,
  origin: TraceOrigin,
  trace: Trace<unknown, unknown>,
  violation: Pick<Violation<unknown, unknown>, 'kind' | 'name' | 'message' | 'failedAction'> | null,
): TraceFile {
  let prev = viewOf(m, trace.init);
  const steps = trace.steps.map((st) => {
    const state = viewOf(m, st.state);
    const changes = diffViews(prev, state);
    prev = state;
    return { action: toPlain(st.action), label: labelOf(m, st.action), state, changes };
  });
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    model,
    params,
    origin,
    violation: violation
      ? {
          kind: violation.kind,
          name: violation.name,
          message: violation.message,
          ...(violation.failedAction ? { failedAction: toPlain(violation.failedAction.action) } : {}),
        }
      : null,
    initIndex: trace.initIndex,
    init: viewOf(m, trace.init),
    steps,
  };
}
