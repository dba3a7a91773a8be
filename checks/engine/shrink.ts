/**
 * Shrink a failing trace, whoever produced it (the random runner, BFS/DFS, a person): delta
 * debugging over its steps, then simplification of action payloads, repeated until neither
 * makes progress. The result is 1-minimal: removing any single remaining step makes the
 * violation go away.
 *
 * "The violation" is the same check (kind and name) breaking. A candidate trace is executed with
 * {@link runActions} in `skip` mode: a step that is no longer enabled after earlier steps were
 * removed is skipped, and execution stops at the first violation, so every accepted candidate is
 * replaced by the steps that actually ran.
 *
 * Delta debugging with exact matching cannot remove a step that shifts what every later step
 * names (one election timeout fewer, and every later message carries a term one lower): the later
 * steps are no longer enabled and are skipped. So once plain delta debugging and simplification
 * are done, delta debugging runs again with each step that is no longer enabled carried over to
 * its nearest enabled action ({@link nearestAction}); what runs is what is kept, and the loop
 * starts over until neither finds anything. The result is 1-minimal for both.
 *
 * Payload simplification is generic and deterministic: a step is replaced by another action
 * enabled at the same point, of the same kind (the tag field, see {@link actionKind}), whose
 * plain-JSON payload is smaller under {@link comparePayload} (smaller numbers, shorter strings and
 * arrays, false before true, field by field): `RMPrepare(r3)` becomes `RMPrepare(r1)` where that
 * still fails. Each accepted replacement makes the trace strictly smaller in a well-founded order
 * (length, then the actions in payload order), so the loop ends.
 */
import type { Machine } from '../../impl/core/machine.ts';
import { runActions, sameViolation, type RunActionsResult, type ViolationTarget } from './replay.ts';
import { toPlain, type Trace, type Violation } from '../../impl/core/trace.ts';

/** A machine, read for its optional `actionKind` / `actionKinds` members. */
export type KindedMachine<S, A> = Machine<S, A>;

/** An action's kind: the machine's `actionKind`, else its `type` or `kind` string field, else `action`. */
export function actionKind<S, A>(m: KindedMachine<S, A>, a: A): string {
  if (m.actionKind) return m.actionKind(a);
  return defaultActionKind(a);
}

/** The tag field of an action: `type`, else `kind`; a string action is its own kind; else `action`. */
export function defaultActionKind(a: unknown): string {
  if (typeof a === 'string') return a;
  if (typeof a === 'object' && a !== null) {
    const t = (a as { type?: unknown }).type;
    if (typeof t === 'string') return t;
    const k = (a as { kind?: unknown }).kind;
    if (typeof k === 'string') return k;
  }
  return 'action';
}

const TYPE_RANK: Readonly<Record<string, number>> = { undefined: 0, object: 5, boolean: 2, number: 3, bigint: 3, string: 4 };

function rank(v: unknown): number {
  if (v === null) return 1;
  if (Array.isArray(v)) return 5;
  return v !== null && typeof v === 'object' ? 6 : (TYPE_RANK[typeof v] ?? 7);
}

/**
 * A total, deterministic order on plain-JSON values, "smaller" meaning simpler: by type
 * (undefined, null, boolean, number, string, array, object), then numbers by value, strings by
 * length then code units, arrays by length then element by element, objects by key count, then
 * sorted keys, then values in key order.
 */
export function comparePayload(x: unknown, y: unknown): number {
  const rx = rank(x);
  const ry = rank(y);
  if (rx !== ry) return rx < ry ? -1 : 1;
  switch (rx) {
    case 2:
      return x === y ? 0 : x ? 1 : -1;
    case 3: {
      const a = Number(x);
      const b = Number(y);
      return a === b ? 0 : a < b ? -1 : 1;
    }
    case 4: {
      const a = x as string;
      const b = y as string;
      if (a.length !== b.length) return a.length < b.length ? -1 : 1;
      return a === b ? 0 : a < b ? -1 : 1;
    }
    case 5: {
      const a = x as readonly unknown[];
      const b = y as readonly unknown[];
      if (a.length !== b.length) return a.length < b.length ? -1 : 1;
      for (let i = 0; i < a.length; i++) {
        const c = comparePayload(a[i], b[i]);
        if (c !== 0) return c;
      }
      return 0;
    }
    case 6: {
      const a = x as Record<string, unknown>;
      const b = y as Record<string, unknown>;
      const ka = Object.keys(a).sort();
      const kb = Object.keys(b).sort();
      const c = comparePayload(ka, kb);
      if (c !== 0) return c;
      for (const k of ka) {
        const d = comparePayload(a[k], b[k]);
        if (d !== 0) return d;
      }
      return 0;
    }
    default:
      return 0;
  }
}

/** Options of {@link shrinkTrace} / {@link shrinkActions}. */
export interface ShrinkOptions {
  /** Evaluate only these checks (default: all), as the run that found the trace did. */
  readonly checks?: readonly string[];
  /** Detect deadlocks (default: only when the target is a deadlock). */
  readonly deadlock?: boolean;
  /** Simplify action payloads after delta debugging. Default true. */
  readonly simplify?: boolean;
  /**
   * After plain delta debugging, remove steps again while carrying the later steps over to their
   * nearest enabled action (see {@link nearestAction}). Default true.
   */
  readonly carry?: boolean;
  /**
   * Stop shrinking after this many milliseconds (default 60,000): the result is then the
   * smallest failing trace found so far, and `complete` is false.
   */
  readonly timeLimitMs?: number;
}

/** The default time limit of a shrink. */
export const SHRINK_TIME_LIMIT_MS = 60_000;

/** What a shrink did. */
export interface ShrinkResult<S = unknown, A = unknown> {
  /**
   * `shrunk`: `trace` is a minimal trace showing the target violation (it may be as long as the
   * input when the input was already minimal). `no-violation`: the input does not show the
   * target violation (it passes, or another check breaks first: see `found`).
   */
  readonly status: 'shrunk' | 'no-violation';
  /** The violation shrunk for. */
  readonly target?: ViolationTarget;
  /** Steps in the input. */
  readonly lengthBefore: number;
  /** Steps in the result. */
  readonly lengthAfter: number;
  /** The minimal trace (for `no-violation`: the input's execution). */
  readonly trace: Trace<S, A>;
  /** The violation at the end of `trace`. */
  readonly violation?: Violation<S, A>;
  /** For `no-violation`: the violation the input shows instead, if any. */
  readonly found?: Violation<S, A>;
  /** Candidate traces executed. */
  readonly tests: number;
  /** False when the time limit cut the shrink: the result is smaller, but not proved 1-minimal. */
  readonly complete: boolean;
  readonly elapsedMs: number;
}

class OutOfTime {}

/**
 * Shrink a trace ({@link shrinkActions} on its actions). `target` defaults to the first
 * violation the trace shows.
 */
export function shrinkTrace<S, A>(m: Machine<S, A>, trace: Trace<S, A>, target?: ViolationTarget, opts: ShrinkOptions = {}): ShrinkResult<S, A> {
  return shrinkActions(m, trace.initIndex, trace.steps.map((s) => s.action), target, opts);
}

/**
 * Shrink a list of recorded actions (machine actions, or their plain-JSON form) from initial
 * state `initIndex` to a 1-minimal list that still shows `target` (default: the first violation
 * they show). Deterministic: the same input gives the same output.
 */
export function shrinkActions<S, A>(
  m: Machine<S, A>,
  initIndex: number,
  actions: readonly unknown[],
  target?: ViolationTarget,
  opts: ShrinkOptions = {},
): ShrinkResult<S, A> {
  const start = performance.now();
  const deadline = start + (opts.timeLimitMs ?? SHRINK_TIME_LIMIT_MS);
  const km = m as KindedMachine<S, A>;
  const runOpts = {
    mode: 'skip' as const,
    deadlock: opts.deadlock ?? target?.kind === 'deadlock',
    ...(opts.checks ? { checks: opts.checks } : {}),
  };
  let tests = 0;
  const first = runActions(m, initIndex, actions, runOpts);
  tests++;
  const goal: ViolationTarget | undefined = target ?? first.violation;
  if (!goal || !sameViolation(first.violation, goal)) {
    return {
      status: 'no-violation',
      ...(goal ? { target: { kind: goal.kind, name: goal.name } } : {}),
      lengthBefore: actions.length,
      lengthAfter: first.trace.steps.length,
      trace: first.trace,
      ...(first.violation ? { found: first.violation } : {}),
      tests,
      complete: true,
      elapsedMs: performance.now() - start,
    };
  }

  /** Run a candidate: the steps that ran when it still shows the violation, else undefined. */
  const test = (cand: readonly A[]): A[] | undefined => {
    if (performance.now() > deadline) throw new OutOfTime();
    tests++;
    const r: RunActionsResult<S, A> = runActions(m, initIndex, cand, runOpts);
    return sameViolation(r.violation, goal) ? r.executed.slice() : undefined;
  };

  /** Run a candidate, carrying each step that is no longer enabled over to its nearest enabled action. */
  const carryOpts = { ...runOpts, substitute: (enabled: readonly unknown[], recorded: unknown) => nearestAction(km, enabled as readonly A[], recorded as A) };
  const testCarried = (cand: readonly A[]): A[] | undefined => {
    if (performance.now() > deadline) throw new OutOfTime();
    tests++;
    const r: RunActionsResult<S, A> = runActions(m, initIndex, cand, carryOpts);
    return sameViolation(r.violation, goal) ? r.executed.slice() : undefined;
  };

  let cur: A[] = first.executed.slice();
  let complete = true;
  try {
    for (;;) {
      cur = ddmin(cur, test);
      if (opts.simplify !== false) {
        const next = simplifyOnce(km, initIndex, cur, test);
        if (next !== undefined) {
          cur = next;
          continue;
        }
      }
      if (opts.carry === false) break;
      const carried = ddmin(cur, testCarried);
      if (carried.length >= cur.length) break;
      cur = carried;
    }
  } catch (e) {
    if (!(e instanceof OutOfTime)) throw e;
    complete = false;
  }
  const final = runActions(m, initIndex, cur, { ...runOpts, mode: 'strict' });
  tests++;
  return {
    status: 'shrunk',
    target: { kind: goal.kind, name: goal.name },
    lengthBefore: actions.length,
    lengthAfter: final.trace.steps.length,
    trace: final.trace,
    ...(final.violation ? { violation: final.violation } : {}),
    tests,
    complete,
    elapsedMs: performance.now() - start,
  };
}

/**
 * Zeller's ddmin over a failing list: try each chunk alone, then each complement, at growing
 * granularity; on success restart from the (shorter) list that ran. Ends at granularity = length
 * with no single removal failing: 1-minimal.
 */
function ddmin<A>(input: A[], test: (c: readonly A[]) => A[] | undefined): A[] {
  let c = input;
  let n = 2;
  while (c.length >= 2) {
    const size = c.length;
    n = Math.min(n, size);
    const cut = (i: number) => Math.floor((i * size) / n);
    let reduced = false;
    if (n > 2) {
      for (let i = 0; i < n && !reduced; i++) {
        const r = test(c.slice(cut(i), cut(i + 1)));
        if (r) {
          c = r;
          n = 2;
          reduced = true;
        }
      }
    }
    for (let i = 0; i < n && !reduced; i++) {
      const r = test([...c.slice(0, cut(i)), ...c.slice(cut(i + 1))]);
      if (r) {
        c = r;
        n = Math.max(n - 1, 2);
        reduced = true;
      }
    }
    if (!reduced) {
      if (n >= size) break;
      n = Math.min(2 * n, size);
    }
  }
  return c;
}

/**
 * One pass of payload simplification: the first step (in order) that can be replaced by a
 * same-kind enabled action with a smaller payload while the violation remains. Returns the
 * steps that ran, or undefined when no step can be simplified.
 */
function simplifyOnce<S, A>(m: KindedMachine<S, A>, initIndex: number, cur: readonly A[], test: (c: readonly A[]) => A[] | undefined): A[] | undefined {
  let s: S = m.init()[initIndex]!;
  for (let i = 0; i < cur.length; i++) {
    const a = cur[i]!;
    let acts: readonly A[];
    try {
      acts = m.actions(s);
    } catch {
      return undefined;
    }
    const kind = actionKind(m, a);
    const pa = toPlain(a);
    const smaller = acts
      .filter((b) => b !== a && actionKind(m, b) === kind)
      .map((b) => ({ b, p: toPlain(b) }))
      .filter((x) => comparePayload(x.p, pa) < 0)
      .sort((x, y) => comparePayload(x.p, y.p));
    for (const { b } of smaller) {
      const cand = cur.slice();
      cand[i] = b;
      const r = test(cand);
      if (r) return r;
    }
    if (i + 1 < cur.length) {
      try {
        s = m.step(s, a);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

const plainCache = new WeakMap<object, unknown>();

function plainOf(a: unknown): unknown {
  if (typeof a !== 'object' || a === null) return toPlain(a);
  let p = plainCache.get(a);
  if (p === undefined) {
    p = toPlain(a);
    plainCache.set(a, p);
  }
  return p;
}

/** The leaves of a plain-JSON value (a primitive is one leaf). */
function leaves(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + leaves(x), 0);
  if (typeof v === 'object' && v !== null) return Object.values(v).reduce((n: number, x) => n + leaves(x), 0);
  return 1;
}

/** How far apart two plain-JSON values are: differing leaves, then the sum of numeric gaps. */
export interface PayloadDistance {
  /** Leaves that differ (a leaf missing on one side, or of another type, counts as all the leaves of the larger side). */
  leaves: number;
  /** The sum of |x - y| over the differing numeric leaves: the closer number wins a tie. */
  gap: number;
}

/** {@link PayloadDistance} of two plain-JSON values. */
export function payloadDistance(x: unknown, y: unknown, acc: PayloadDistance = { leaves: 0, gap: 0 }): PayloadDistance {
  if (x === y) return acc;
  const ax = Array.isArray(x);
  const ay = Array.isArray(y);
  if (ax && ay) {
    const a = x as readonly unknown[];
    const b = y as readonly unknown[];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i < a.length && i < b.length) payloadDistance(a[i], b[i], acc);
      else acc.leaves += leaves(i < a.length ? a[i] : b[i]);
    }
    return acc;
  }
  const ox = !ax && typeof x === 'object' && x !== null;
  const oy = !ay && typeof y === 'object' && y !== null;
  if (ox && oy) {
    const a = x as Record<string, unknown>;
    const b = y as Record<string, unknown>;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (k in a && k in b) payloadDistance(a[k], b[k], acc);
      else acc.leaves += leaves(k in a ? a[k] : b[k]);
    }
    return acc;
  }
  if (ax || ay || ox || oy) {
    acc.leaves += Math.max(leaves(x), leaves(y));
    return acc;
  }
  acc.leaves++;
  if (typeof x === 'number' && typeof y === 'number') acc.gap += Math.abs(x - y);
  return acc;
}

/**
 * Where a recorded step is no longer enabled (an earlier step was removed), the enabled action
 * that best stands in for it: of the same kind ({@link actionKind}), with the fewest differing
 * payload leaves, then the closest numbers ({@link payloadDistance}), first in enabled order among equals; at most half
 * of the recorded payload may differ. -1 when none qualifies.
 *
 * Removing one step often shifts what every later step names: one election timeout fewer, and
 * every later message carries a term one lower. Matched exactly, all of them are skipped and the
 * violation goes away, so plain delta debugging keeps such a step; carried over, the run goes on
 * with the shifted messages.
 */
export function nearestAction<S, A>(m: KindedMachine<S, A>, enabled: readonly A[], recorded: A): number {
  const kind = actionKind(m, recorded);
  const p = plainOf(recorded);
  const limit = Math.floor(leaves(p) / 2);
  let best = -1;
  let bestD: PayloadDistance = { leaves: limit + 1, gap: 0 };
  for (let j = 0; j < enabled.length; j++) {
    const b = enabled[j]!;
    if (actionKind(m, b) !== kind) continue;
    const d = payloadDistance(plainOf(b), p);
    if (d.leaves < bestD.leaves || (d.leaves === bestD.leaves && d.gap < bestD.gap)) {
      best = j;
      bestD = d;
    }
  }
  return best;
}
