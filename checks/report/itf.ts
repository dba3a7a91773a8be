/**
 * Export a trace in the Informal Trace Format (ITF), which Quint and Apalache tooling read, and
 * validate ITF documents.
 *
 * The format is Apalache's ADR-015, "Informal Trace Format in JSON"
 * (https://apalache-mc.org/docs/adr/015adr-trace.html):
 *
 * ```json
 * { "#meta": {…}, "vars": ["x", "y"], "states": [{ "#meta": { "index": 0 }, "x": …, "y": … }, …] }
 * ```
 *
 * Values: strings and booleans as JSON; integers as JSON numbers when they are safe
 * (|n| ≤ 2^53 − 1), else `{"#bigint": "-123"}`; lists as arrays; records as objects (no field
 * starts with `#`); tuples `{"#tup": […]}`; sets `{"#set": […]}`; maps `{"#map": [[k, v], …]}`.
 *
 * What dscheck writes:
 * - one ITF state per trace state: the initial state (index 0), then the state after each step;
 * - the variables are the top-level fields of the machine's state view (the same view traces
 *   and reports show); a view that is not an object is one variable, `state`;
 * - JS `Map` → `#map`, `Set` → `#set` (both sorted canonically), `bigint` and unsafe integers →
 *   `#bigint`, immutable.js collections likewise; a value ITF cannot express (null, a
 *   non-integer number, undefined) → `{"#unserializable": "<text>"}`, the escape Quint and
 *   Apalache use; an object with a field starting with `#` → a `#map` with string keys;
 * - each state's `#meta` holds its `index` and, from state 1 on, the `action` that led to it
 *   (its label) and the action itself (`actionValue`: its plain JSON form, as a trace file
 *   stores it, so a trace and its saved file export the same bytes);
 * - the trace's `#meta` holds the format, the ADR link, the model, its parameters, how the trace
 *   was found and the violation, if any. There is no timestamp: the same trace gives the same
 *   file, byte for byte.
 *
 * JS has no tuples, so dscheck never writes `#tup` itself; {@link validateItf} checks them in
 * any document.
 */
import { isImmutable, isIndexed, isKeyed, isRecord as isImmutableRecord } from 'immutable';
import type { Machine, ParamValue } from '../../impl/core/machine.ts';
import { canonicalKey } from '../../impl/core/encode.ts';
import { labelOf, toPlain, viewOf, type Trace, type TraceFile, type TraceOrigin, type Violation } from '../../impl/core/trace.ts';

/** An ITF value. */
export type ItfValue =
  | string
  | boolean
  | number
  | readonly ItfValue[]
  | { readonly '#bigint': string }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly '#unserializable': string }
  | { readonly [field: string]: ItfValue };

/** One ITF state: `#meta` and a value per variable. */
export interface ItfState {
  readonly '#meta': { readonly index: number; readonly [k: string]: unknown };
  readonly [variable: string]: unknown;
}

/** An ITF trace. */
export interface ItfTrace {
  readonly '#meta': Readonly<Record<string, unknown>>;
  readonly params?: readonly string[];
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
  readonly loop?: number;
}

/** The ADR that defines the format. */
export const ITF_SPEC_URL = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

const SAFE = Number.MAX_SAFE_INTEGER;

function sortByKey<T>(xs: readonly T[], key: (x: T) => unknown): T[] {
  return xs
    .map((x) => ({ x, k: canonicalKey(key(x)) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((e) => e.x);
}

/** A JS value as an ITF value (see the module comment for the mapping). */
export function toItfValue(v: unknown): ItfValue {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (Number.isInteger(v)) return Math.abs(v) <= SAFE ? (Object.is(v, -0) ? 0 : v) : { '#bigint': BigInt(v).toString() };
      return { '#unserializable': String(v) };
    case 'bigint':
      return { '#bigint': v.toString() };
    case 'undefined':
      return { '#unserializable': 'undefined' };
    case 'function':
    case 'symbol':
      return { '#unserializable': String(v) };
    case 'object':
      break;
  }
  if (v === null) return { '#unserializable': 'null' };
  if (Array.isArray(v)) return v.map(toItfValue);
  if (isImmutable(v)) {
    // By the collection's kind, not its constructor's name: a Record is a record, a keyed
    // collection a map, an indexed one a list, and the rest (Set, OrderedSet) a set.
    const c = v as unknown as { toObject(): Record<string, unknown>; entries(): Iterable<[unknown, unknown]>; values(): Iterable<unknown> };
    if (isImmutableRecord(v)) return toItfValue(c.toObject());
    if (isKeyed(v)) return toItfValue(new Map(c.entries()));
    if (isIndexed(v)) return [...c.values()].map(toItfValue);
    return toItfValue(new Set(c.values()));
  }
  if (v instanceof Map) {
    return { '#map': sortByKey([...v.entries()], ([k]) => k).map(([k, x]): readonly [ItfValue, ItfValue] => [toItfValue(k), toItfValue(x)]) };
  }
  if (v instanceof Set) return { '#set': sortByKey([...v], (x) => x).map(toItfValue) };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => toItfValue(x));
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.some((k) => k.startsWith('#'))) return { '#map': keys.sort().map((k): readonly [ItfValue, ItfValue] => [k, toItfValue(o[k])]) };
  const out: Record<string, ItfValue> = {};
  for (const k of keys) out[k] = toItfValue(o[k]);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set) && !isImmutable(v);
}

/** The variables of a view: its fields, or `state` for a view that is not a record. */
function varsOf(view: unknown): string[] {
  return isRecord(view) && !Object.keys(view).some((k) => k.startsWith('#')) ? Object.keys(view) : ['state'];
}

/** One ITF state: every variable of a record view, or the whole view as the variable `state`. */
function stateOf(vars: readonly string[], view: unknown, meta: ItfState['#meta']): ItfState {
  const out: Record<string, unknown> = { '#meta': meta };
  if (vars.length === 1 && vars[0] === 'state' && !(isRecord(view) && Object.keys(view).length === 1 && 'state' in view)) {
    out['state'] = toItfValue(view);
  } else {
    const r = view as Record<string, unknown>;
    for (const k of vars) out[k] = toItfValue(r[k]);
  }
  return out as ItfState;
}

/** What the trace's `#meta` says besides the format. */
export interface ItfMeta {
  readonly model: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly origin?: TraceOrigin;
  readonly violation?: Pick<Violation<unknown, unknown>, 'kind' | 'name' | 'message'> | null;
  /** The label of an action that threw after the last state, if the violation is one. */
  readonly failedAction?: string;
}

function traceMeta(meta: ItfMeta): Record<string, unknown> {
  return {
    format: 'ITF',
    'format-description': ITF_SPEC_URL,
    source: `dscheck model ${meta.model}`,
    description: `dscheck trace of ${meta.model} (${Object.entries(meta.params).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`,
    model: meta.model,
    params: meta.params,
    ...(meta.origin ? { origin: meta.origin } : {}),
    violation: meta.violation ? { kind: meta.violation.kind, name: meta.violation.name, message: meta.violation.message } : null,
    ...(meta.failedAction !== undefined ? { failedAction: meta.failedAction } : {}),
  };
}

/** Check that every view has the same variables, so each state defines every variable. */
function sameVars(vars: readonly string[], views: readonly unknown[]): string[] {
  const all = new Set(vars);
  for (const v of views) for (const k of varsOf(v)) all.add(k);
  if (all.size === vars.length) return [...vars];
  // Views whose fields vary: one variable holding the whole view is the honest encoding.
  return ['state'];
}

/**
 * A trace of a machine as ITF: the initial state and the state after each step, over the
 * variables of the machine's state view.
 */
export function traceToItf<S, A>(m: Machine<S, A>, trace: Trace<S, A>, meta: ItfMeta): ItfTrace {
  const views = [viewOf(m, trace.init), ...trace.steps.map((s) => viewOf(m, s.state))];
  const vars = sameVars(varsOf(views[0]), views);
  const states = views.map((view, i) => {
    const st = i === 0 ? undefined : trace.steps[i - 1]!;
    return stateOf(vars, view, { index: i, ...(st ? { action: labelOf(m, st.action), actionValue: toItfValue(toPlain(st.action)) } : {}) });
  });
  return { '#meta': traceMeta(meta), vars, states };
}

/** A saved trace file as ITF (its recorded state views; no machine needed). */
export function traceFileToItf(f: TraceFile): ItfTrace {
  const views = [f.init, ...f.steps.map((s) => s.state)];
  const vars = sameVars(varsOf(views[0]), views);
  const states = views.map((view, i) => {
    const st = i === 0 ? undefined : f.steps[i - 1]!;
    return stateOf(vars, view, { index: i, ...(st ? { action: st.label, actionValue: toItfValue(st.action) } : {}) });
  });
  const fa = f.violation?.failedAction;
  return {
    '#meta': traceMeta({ model: f.model, params: f.params, origin: f.origin, violation: f.violation, ...(fa !== undefined ? { failedAction: JSON.stringify(fa) } : {}) }),
    vars,
    states,
  };
}

/** An ITF document as text: two-space indented JSON and a final newline. */
export function formatItf(t: ItfTrace): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Validation

const BIGINT_RE = /^-?[0-9]+$/;

function validateValue(v: unknown, path: string, errors: string[]): void {
  if (errors.length >= 20) return;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isInteger(v)) errors.push(`${path}: ${v} is not an integer (ITF has integers only)`);
      else if (Math.abs(v) > SAFE) errors.push(`${path}: ${v} is outside the safe JSON integer range; write it as {"#bigint": "…"}`);
      return;
    case 'object':
      break;
    default:
      errors.push(`${path}: a ${typeof v} is not an ITF value`);
      return;
  }
  if (v === null) {
    errors.push(`${path}: null is not an ITF value`);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => validateValue(x, `${path}[${i}]`, errors));
    return;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const tagged = keys.filter((k) => k.startsWith('#'));
  if (tagged.length > 0) {
    if (keys.length !== 1) {
      errors.push(`${path}: an object with a "#" field must have exactly one field, got ${keys.join(', ')}`);
      return;
    }
    const tag = tagged[0]!;
    const x = o[tag];
    switch (tag) {
      case '#bigint':
        if (typeof x !== 'string' || !BIGINT_RE.test(x)) errors.push(`${path}: #bigint must be a string of the form [-][0-9]+, got ${JSON.stringify(x)}`);
        return;
      case '#tup':
      case '#set':
        if (!Array.isArray(x)) errors.push(`${path}: ${tag} must hold an array`);
        else x.forEach((e, i) => validateValue(e, `${path}.${tag}[${i}]`, errors));
        return;
      case '#map':
        if (!Array.isArray(x)) {
          errors.push(`${path}: #map must hold an array of [key, value] pairs`);
          return;
        }
        x.forEach((p, i) => {
          if (!Array.isArray(p) || p.length !== 2) errors.push(`${path}.#map[${i}]: a map entry must be a two-element array [key, value]`);
          else {
            validateValue(p[0], `${path}.#map[${i}][0]`, errors);
            validateValue(p[1], `${path}.#map[${i}][1]`, errors);
          }
        });
        return;
      case '#unserializable':
        if (typeof x !== 'string') errors.push(`${path}: #unserializable must hold a string`);
        return;
      default:
        errors.push(`${path}: unknown ITF tag ${tag} (valid: #bigint, #tup, #set, #map, #unserializable)`);
        return;
    }
  }
  // A record; Quint's variants ({tag, value}) are records too.
  for (const k of keys) validateValue(o[k], `${path}.${k}`, errors);
}

/**
 * Validate an ITF document against ADR-015: the trace object (`vars`, `states`, optional
 * `#meta`, `params`, `loop`), every state (`#meta` with its index when present, a value for
 * every variable and parameter, nothing else but `#meta`), and every value (JSON integers in
 * the safe range, well-formed `#bigint`, `#tup`, `#set`, `#map` and `#unserializable`, records
 * without `#` fields). Returns the problems found (empty: valid), at most 20.
 */
export function validateItf(doc: unknown): string[] {
  const errors: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['the trace must be a JSON object'];
  const t = doc as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    if (!['#meta', 'params', 'vars', 'states', 'loop'].includes(k)) errors.push(`unknown trace field "${k}" (valid: #meta, params, vars, states, loop)`);
  }
  const meta = t['#meta'];
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) errors.push('"#meta" must be an object');
  const names = (field: 'vars' | 'params'): string[] => {
    const x = t[field];
    if (x === undefined && field === 'params') return [];
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) {
      errors.push(`"${field}" must be an array of strings`);
      return [];
    }
    if (new Set(x).size !== x.length) errors.push(`"${field}" has a duplicate name`);
    for (const s of x as string[]) if (s.startsWith('#')) errors.push(`"${field}": name "${s}" must not start with #`);
    return x as string[];
  };
  const vars = names('vars');
  const params = names('params');
  const states = t['states'];
  if (!Array.isArray(states)) {
    errors.push('"states" must be an array');
    return errors;
  }
  const loop = t['loop'];
  if (loop !== undefined && (typeof loop !== 'number' || !Number.isInteger(loop) || loop < 0 || loop >= states.length)) {
    errors.push(`"loop" must be the index of a state (0..${states.length - 1})`);
  }
  states.forEach((s: unknown, i) => {
    if (errors.length >= 20) return;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) {
      errors.push(`states[${i}] must be an object`);
      return;
    }
    const st = s as Record<string, unknown>;
    const m = st['#meta'];
    if (m !== undefined) {
      if (typeof m !== 'object' || m === null || Array.isArray(m)) errors.push(`states[${i}]: "#meta" must be an object`);
      else if ('index' in m && (m as Record<string, unknown>)['index'] !== i) errors.push(`states[${i}]: #meta.index is ${JSON.stringify((m as Record<string, unknown>)['index'])}, expected ${i}`);
    }
    const required = i === 0 ? [...params, ...vars] : vars;
    for (const v of required) if (!(v in st)) errors.push(`states[${i}]: variable "${v}" has no value`);
    for (const k of Object.keys(st)) {
      if (k === '#meta') continue;
      if (!vars.includes(k) && !(i === 0 && params.includes(k))) errors.push(`states[${i}]: "${k}" is not a declared variable`);
      else validateValue(st[k], `states[${i}].${k}`, errors);
    }
  });
  return errors.slice(0, 20);
}
