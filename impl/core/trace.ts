/**
 * Traces: rebuilt from action indices, shown as numbered steps with only what changed, and
 * written as versioned JSON.
 */
import { isImmutable, isIndexed, isKeyed, isOrdered, isRecord } from 'immutable';
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
  if (isImmutable(v)) return immutableToPlain(v);
  if (v instanceof Map) return entriesToPlain([...v.entries()], false);
  if (v instanceof Set) return sortedPlain([...v]);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) o[k] = toPlain((v as Record<string, unknown>)[k]);
  return o;
}

/** The part of immutable's collection API {@link toPlain} reads. */
interface ImmutableCollection {
  entries(): IterableIterator<[unknown, unknown]>;
  values(): IterableIterator<unknown>;
  toObject(): Record<string, unknown>;
}

/** Elements as plain JSON, sorted by their JSON text (the canonical order of a set). */
function sortedPlain(items: readonly unknown[]): unknown[] {
  return items
    .map((x) => [toPlain(x), undefined] as const)
    .map(([x]) => [x, JSON.stringify(x) ?? ''] as const)
    .sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([x]) => x);
}

/**
 * Map entries as plain JSON: an object when every key is a string or a number, else
 * `[key, value]` pairs; sorted by key unless the map is ordered (insertion order is its value).
 */
function entriesToPlain(entries: readonly (readonly [unknown, unknown])[], ordered: boolean): unknown {
  if (entries.every(([k]) => typeof k === 'string' || typeof k === 'number')) {
    const list = ordered ? entries : entries.slice().sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
    const o: Record<string, unknown> = {};
    for (const [k, x] of list) o[String(k)] = toPlain(x);
    return o;
  }
  const pairs = entries.map(([k, x]) => [toPlain(k), toPlain(x)] as const);
  if (ordered) return pairs.map(([k, x]) => [k, x]);
  return pairs
    .map(([k, x]) => [k, x, JSON.stringify(k) ?? ''] as const)
    .sort(([, , a], [, , b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, x]) => [k, x]);
}

/**
 * An immutable collection as plain JSON, structurally (not through `toJS`, which turns
 * non-string keys into strings and keeps a hash set's incidental order): a `Record` → an object,
 * `Map` → as a JS `Map`, `List`/`Stack`/`OrderedSet` → an array in order, `Set` → a sorted array.
 * Equal immutable values give equal JSON.
 */
function immutableToPlain(v: object): unknown {
  const c = v as unknown as ImmutableCollection;
  if (isRecord(v)) return toPlain(c.toObject());
  if (isKeyed(v)) return entriesToPlain([...c.entries()], isOrdered(v));
  if (isIndexed(v) || isOrdered(v)) return [...c.values()].map(toPlain);
  return sortedPlain([...c.values()]);
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

/** What was added to and removed from a list, as multisets (each element counted with its copies). */
function listDelta(before: readonly unknown[], after: readonly unknown[]): { added: unknown[]; removed: unknown[] } {
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
  return { added, removed };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whether two lists are compared by identity (as multisets: what was added, what was removed)
 * rather than position by position: lists of strings always (messages in flight, armed timers,
 * sets of names: an element is what it says, not where it sits), and any lists whose length
 * changed. Lists of the same length of numbers or records are tables indexed by position
 * (a vector clock, per-slot records) and are compared element by element.
 */
export function diffsByIdentity(before: readonly unknown[], after: readonly unknown[]): boolean {
  return before.length !== after.length || (before.every((x) => typeof x === 'string') && after.every((x) => typeof x === 'string'));
}

/**
 * The fields that differ between two JSON views, as paths (`nodes.n1.term`, `clock[2]`), in one
 * style: objects key by key (nodes by name), lists by identity ({@link diffsByIdentity}: the
 * network as a multiset, `+` sent and `−` delivered or dropped; timers and other sets of names
 * as sets), tables of the same length element by element, anything else as `before → after`.
 */
export function diffViews(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (compact(before) === compact(after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffViews(before[k], after[k], path === '' ? k : `${path}.${k}`));
  }
  const p = path === '' ? '(state)' : path;
  if (Array.isArray(before) && Array.isArray(after)) {
    if (diffsByIdentity(before, after)) {
      const delta = listDelta(before, after);
      // The same elements in another order (a FIFO link reordered): show both lists.
      if (delta.added.length + delta.removed.length > 0) return [{ path: p, before, after, ...delta }];
      return [{ path: p, before, after }];
    }
    return before.flatMap((x, i) => diffViews(x, after[i], `${path}[${i}]`));
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
  /** For `error`: what threw (`invariant NAME`, `step, taking LABEL`, …), see `impl/core/culprit.ts`. */
  readonly culprit?: string;
  /** For `error`: where, in the user's code (`file:line:column (in fn)`). */
  readonly at?: string;
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
export function describeViolation(v: Pick<Violation<unknown, unknown>, 'kind' | 'name' | 'message' | 'culprit' | 'at'>): string {
  switch (v.kind) {
    case 'invariant':
      return `invariant ${v.name} violated${v.message ? `: ${v.message}` : ''}`;
    case 'property':
      return `transition property ${v.name} violated${v.message ? `: ${v.message}` : ''}`;
    case 'deadlock':
      return `deadlock: no action is enabled${v.message ? ` (${v.message})` : ''}`;
    case 'error':
      return `exception in ${v.culprit ?? v.name}${v.at ? ` at ${v.at}` : ''}: ${v.message}`;
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
  /** The user's module the model was loaded from, when it is not a registered model. */
  readonly module?: TraceModule;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly origin: TraceOrigin;
  readonly violation: { readonly kind: ViolationKind; readonly name: string; readonly message: string; readonly failedAction?: unknown; readonly culprit?: string; readonly at?: string } | null;
  readonly initIndex: number;
  readonly init: unknown;
  readonly steps: readonly {
    readonly action: unknown;
    readonly label: string;
    readonly state: unknown;
    readonly changes: readonly FieldChange[];
  }[];
}

/**
 * Where a model loaded by path lives: `path` relative to the trace file's folder (tried first,
 * so a project moved with its traces still replays), and `absolute`.
 */
export interface TraceModule {
  readonly path: string;
  readonly absolute: string;
}

/** Serialize a trace (and the violation it shows, if any) as a {@link TraceFile}. */
export function toTraceFile(
  m: AnyMachine,
  model: string,
  params: Readonly<Record<string, ParamValue>>,
  origin: TraceOrigin,
  trace: Trace<unknown, unknown>,
  violation: Pick<Violation<unknown, unknown>, 'kind' | 'name' | 'message' | 'failedAction' | 'culprit' | 'at'> | null,
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
          ...(violation.culprit !== undefined ? { culprit: violation.culprit } : {}),
          ...(violation.at !== undefined ? { at: violation.at } : {}),
        }
      : null,
    initIndex: trace.initIndex,
    init: viewOf(m, trace.init),
    steps,
  };
}
