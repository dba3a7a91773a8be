/**
 * Bounded liveness: "once failures stop, every participant decides within k steps".
 *
 * The claim is checked on the whole reachable state graph of a machine, faults included. Every
 * reachable state is a moment at which failures may stop (or only those `stopsAt` accepts). From
 * there on, the fault actions (`isFault`: crashes, drops, partitions, and restarts when crashed
 * nodes are to stay down) are never taken again; every other action (deliveries, timers, local
 * steps, heals) still may be. Two readings of "decides within k steps":
 *
 * - `schedules: 'every'` (AF≤k): **every** fault-free schedule from that state reaches the goal
 *   within k steps: none runs k + 1 steps without reaching it, and none gets stuck (nothing
 *   fault-free enabled) before it. This is what "the protocol terminates" means with no fairness
 *   assumption beyond "something enabled happens".
 * - `schedules: 'some'` (EF≤k): **some** fault-free schedule reaches the goal within k steps:
 *   the protocol does not *block* (Skeen's definition: the operational sites can still terminate
 *   without waiting for failed sites to recover). A failure here is the stronger statement that
 *   no schedule at all decides.
 *
 * How: a breadth-first search enumerates the reachable states (exact keys, so nothing is merged)
 * and records the fault-free edges; then, backwards over those edges, each state gets the
 * length of the longest fault-free path to the goal (`every`; ∞ when a fault-free path avoids
 * it forever or gets stuck) or of the shortest (`some`; ∞ when none reaches it). A violation is
 * the shallowest stop state whose length exceeds k, reported with the trace that leads there and
 * a fault-free continuation that shows it. `tightest` is the least k that holds.
 *
 * This is an analysis of the explicit graph, so it suits small configurations (the whole graph's
 * edges are kept: about 8 bytes per fault-free transition, plus a key per state).
 */
import type { Machine } from '../impl/core/machine.ts';
import { WordBuffer } from '../impl/core/encode.ts';
import type { BoundHit } from '../impl/core/result.ts';
import { lastState, traceFromIndices, type Trace, type TraceStep } from '../impl/core/trace.ts';

/** What to check: which actions are faults, what deciding means, and k. */
export interface BoundedLivenessSpec<S, A> {
  /** A name for messages ("every participant decides"). */
  readonly name?: string;
  /** True for the actions that stop once failures stop. */
  isFault(a: A): boolean;
  /** The goal, e.g. every running participant has decided. */
  goal(s: S): boolean;
  /** k: the number of steps allowed after failures stop. */
  readonly within: number;
  /** `every` (default): every fault-free schedule decides within k steps. `some`: one does. */
  readonly schedules?: 'every' | 'some';
  /** The reachable states at which failures may stop (default: every reachable state). */
  stopsAt?(s: S): boolean;
}

/** Bounds of the enumeration. */
export interface BoundedLivenessOptions {
  /** Stop (status `bounded`) after this many distinct states. Default 2,000,000. */
  readonly maxStates?: number;
  /** Stop (status `bounded`) after this many milliseconds. Default 120,000. */
  readonly timeLimitMs?: number;
  /**
   * Merge states the machine's `symmetry` maps to the same representative (default true, as in
   * the exhaustive checker). Sound when the goal, the faults and `stopsAt` are symmetric too.
   */
  readonly symmetry?: boolean;
}

/** A state from which the claim fails, and the evidence. */
export interface LivenessViolation<S, A> {
  readonly message: string;
  /** The shortest trace from an initial state to the state where failures stop. */
  readonly prefix: Trace<S, A>;
  /**
   * Fault-free steps from there. `every`: a schedule that avoids the goal for k + 1 steps, or
   * gets stuck (nothing fault-free enabled) before reaching it. `some`: the shortest schedule to
   * the goal when one exists (it is longer than k); empty when none does.
   */
  readonly continuation: readonly TraceStep<S, A>[];
  /** `prefix` followed by `continuation`, as one trace (for `formatTrace`). */
  readonly trace: Trace<S, A>;
  /** The longest (`every`) or shortest (`some`) fault-free path to the goal; null for ∞. */
  readonly steps: number | null;
}

/** The outcome of {@link checkBoundedLiveness}. */
export interface BoundedLivenessResult<S, A> {
  /** `holds`: from every stop state; `violation`; `bounded`: a bound cut the enumeration (no verdict). */
  readonly status: 'holds' | 'violation' | 'bounded';
  readonly schedules: 'every' | 'some';
  readonly within: number;
  /** Distinct reachable states (faults included). */
  readonly states: number;
  /** The states at which failures were allowed to stop. */
  readonly stopStates: number;
  /** Fault-free transitions recorded. */
  readonly faultFreeTransitions: number;
  /** The least k for which the claim holds from every stop state; null when none does (∞). */
  readonly tightest: number | null;
  readonly violation?: LivenessViolation<S, A>;
  readonly bound?: BoundHit;
  readonly elapsedMs: number;
}

const INF = 0x7fffffff;

/** A growable Int32 array. */
class IntList {
  a = new Int32Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = x;
  }
}

/**
 * Check that once failures stop, the goal is reached within `spec.within` steps, on every
 * (`every`) or some (`some`) fault-free schedule, from every reachable state where failures may
 * stop. See the module comment for exactly what is checked.
 */
export function checkBoundedLiveness<S, A>(
  m: Machine<S, A>,
  spec: BoundedLivenessSpec<S, A>,
  opts: BoundedLivenessOptions = {},
): BoundedLivenessResult<S, A> {
  const start = performance.now();
  const schedules = spec.schedules ?? 'every';
  const k = spec.within;
  const maxStates = opts.maxStates ?? 2_000_000;
  const timeLimitMs = opts.timeLimitMs ?? 120_000;
  const words = new WordBuffer();
  const sym = opts.symmetry === false ? undefined : m.symmetry?.bind(m);
  const keyOf = (s0: S): string => {
    const s = sym ? sym(s0) : s0;
    words.reset();
    if (m.encode) m.encode(s, words);
    else words.value(s);
    return words.key();
  };

  // ---- 1. enumerate: ids in BFS order, parent links, goal/stop flags, fault-free edges (CSR).
  const ids = new Map<string, number>();
  const parent = new IntList();
  const via = new IntList();
  const flags = new IntList(); // bit 0: goal, bit 1: failures may stop here
  const edgeStart = new IntList();
  const edgeTo = new IntList();
  let frontier: S[] = [];
  let bound: BoundHit | undefined;
  const add = (s: S, from: number, action: number): number => {
    const key = keyOf(s);
    const old = ids.get(key);
    if (old !== undefined) return old;
    const id = ids.size;
    ids.set(key, id);
    parent.push(from);
    via.push(action);
    flags.push((spec.goal(s) ? 1 : 0) | (!spec.stopsAt || spec.stopsAt(s) ? 2 : 0));
    frontier.push(s);
    return id;
  };
  m.init().forEach((s, i) => add(s, -1, i));
  let next = 0;
  outer: while (frontier.length > 0) {
    const level = frontier;
    frontier = [];
    for (const s of level) {
      const id = next++;
      edgeStart.push(edgeTo.length);
      const acts = m.actions(s);
      for (let ai = 0; ai < acts.length; ai++) {
        const a = acts[ai]!;
        const t = add(m.step(s, a), id, ai);
        if (!spec.isFault(a)) edgeTo.push(t);
      }
      if (ids.size > maxStates) {
        bound = { kind: 'states', limit: maxStates };
        break outer;
      }
      if ((id & 255) === 0 && performance.now() - start > timeLimitMs) {
        bound = { kind: 'time', limit: timeLimitMs };
        break outer;
      }
    }
  }
  edgeStart.push(edgeTo.length);
  const n = ids.size;
  const stopStates = (() => {
    let c = 0;
    for (let i = 0; i < n; i++) if (flags.a[i]! & 2) c++;
    return c;
  })();
  const base = { schedules, within: k, states: n, stopStates, faultFreeTransitions: edgeTo.length };
  if (bound) return { status: 'bounded', ...base, tightest: null, bound, elapsedMs: performance.now() - start };

  // ---- 2. reverse edges.
  const E = edgeTo.length;
  const revStart = new Int32Array(n + 1);
  for (let e = 0; e < E; e++) revStart[edgeTo.a[e]! + 1]!++;
  for (let i = 0; i < n; i++) revStart[i + 1]! += revStart[i]!;
  const revFrom = new Int32Array(E);
  const fill = revStart.slice(0, n);
  for (let u = 0; u < n; u++) {
    for (let e = edgeStart.a[u]!; e < edgeStart.a[u + 1]!; e++) revFrom[fill[edgeTo.a[e]!]!++] = u;
  }

  // ---- 3. the length of the longest (every) or shortest (some) fault-free path to the goal.
  const val = new Int32Array(n).fill(INF);
  const queue = new Int32Array(n);
  let qh = 0;
  let qt = 0;
  for (let i = 0; i < n; i++) {
    if (flags.a[i]! & 1) {
      val[i] = 0;
      queue[qt++] = i;
    }
  }
  if (schedules === 'some') {
    while (qh < qt) {
      const u = queue[qh++]!;
      for (let e = revStart[u]!; e < revStart[u + 1]!; e++) {
        const p = revFrom[e]!;
        if (val[p] === INF) {
          val[p] = val[u]! + 1;
          queue[qt++] = p;
        }
      }
    }
  } else {
    // Retrograde analysis: a state is final when all its fault-free successors are. Goal states
    // are final at 0; states in a cycle or with a path to a stuck state never become final (∞).
    const remaining = new Int32Array(n);
    const best = new Int32Array(n);
    for (let i = 0; i < n; i++) remaining[i] = edgeStart.a[i + 1]! - edgeStart.a[i]!;
    while (qh < qt) {
      const u = queue[qh++]!;
      for (let e = revStart[u]!; e < revStart[u + 1]!; e++) {
        const p = revFrom[e]!;
        if (flags.a[p]! & 1) continue;
        if (val[u]! + 1 > best[p]!) best[p] = val[u]! + 1;
        remaining[p] = remaining[p]! - 1;
        if (remaining[p] === 0) {
          val[p] = best[p]!;
          queue[qt++] = p;
        }
      }
    }
  }

  // ---- 4. the verdict: the shallowest stop state whose length exceeds k.
  let worst = 0;
  let bad = -1;
  for (let i = 0; i < n; i++) {
    if (!(flags.a[i]! & 2)) continue;
    if (val[i]! > worst) worst = val[i]!;
    if (bad < 0 && val[i]! > k) bad = i;
  }
  const tightest = worst === INF ? null : worst;
  const elapsed = () => performance.now() - start;
  if (bad < 0) return { status: 'holds', ...base, tightest, elapsedMs: elapsed() };

  // ---- 5. the evidence: the prefix to the bad state, and a fault-free continuation.
  const indices: number[] = [];
  let cur = bad;
  while (parent.a[cur]! >= 0) {
    indices.push(via.a[cur]!);
    cur = parent.a[cur]!;
  }
  indices.reverse();
  const initIndex = via.a[cur]!;
  // Targets are chosen among the recorded edges by id, then taken from the actual state (with
  // symmetry, the recorded representative may be a renaming of it).
  const prefixTrace = traceFromIndices(m, initIndex, indices);
  const targets: number[] = [];
  let u = bad;
  let stuck = false;
  if (schedules === 'every') {
    // Follow the successors with the longest way to go, for k + 1 steps or until stuck.
    while (targets.length <= k) {
      let pick = -1;
      for (let e = edgeStart.a[u]!; e < edgeStart.a[u + 1]!; e++) if (pick < 0 || val[edgeTo.a[e]!]! > val[edgeTo.a[pick]!]!) pick = e;
      if (pick < 0) {
        stuck = true;
        break;
      }
      u = edgeTo.a[pick]!;
      targets.push(u);
    }
  } else if (val[bad] !== INF) {
    while (val[u] !== 0) {
      let pick = -1;
      for (let e = edgeStart.a[u]!; e < edgeStart.a[u + 1]!; e++) if (val[edgeTo.a[e]!] === val[u]! - 1) pick = e;
      u = edgeTo.a[pick]!;
      targets.push(u);
    }
  }
  const continuation: TraceStep<S, A>[] = [];
  let x = lastState(prefixTrace);
  for (const t of targets) {
    const acts = m.actions(x);
    const ai = acts.findIndex((a) => !spec.isFault(a) && ids.get(keyOf(m.step(x, a))) === t);
    if (ai < 0) throw new Error('bounded liveness: a recorded edge has no matching action (is the symmetry reduction sound?)');
    x = m.step(x, acts[ai]!);
    continuation.push({ action: acts[ai]!, actionIndex: ai, state: x });
  }
  const trace: Trace<S, A> = { initIndex, init: prefixTrace.init, steps: [...prefixTrace.steps, ...continuation] };
  const prefix = prefixTrace;
  const cont = continuation;
  const steps = val[bad] === INF ? null : val[bad]!;
  const what = spec.name ?? 'the goal';
  const at = `failures stop after step ${indices.length}`;
  let message: string;
  if (schedules === 'every') {
    message = stuck
      ? `${at}; a fault-free schedule of ${cont.length} steps then gets stuck (nothing enabled) without reaching ${what}`
      : `${at}; a fault-free schedule then runs ${cont.length} steps (k = ${k}) without reaching ${what}`;
  } else {
    message =
      steps === null
        ? `${at}; no fault-free schedule from there ever reaches ${what} (it blocks)`
        : `${at}; the shortest fault-free schedule from there to ${what} takes ${steps} steps (k = ${k})`;
  }
  return {
    status: 'violation',
    ...base,
    tightest,
    violation: { message, prefix, continuation, trace, steps },
    elapsedMs: elapsed(),
  };
}

/**
 * `m` started from one given state instead of its initial states (for asking, of one state
 * found elsewhere, what can still happen from it).
 */
export function startingFrom<S, A>(m: Machine<S, A>, s: S): Machine<S, A> {
  return { ...m, init: () => [s] };
}
