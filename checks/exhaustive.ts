/**
 * The exhaustive model checker: breadth-first (shortest counterexamples) or depth-first (less
 * memory) over distinct states, deduplicated by 64-bit fingerprints (or exact keys), with
 * mandatory bounds on depth, distinct states and time.
 *
 * BFS keeps, per distinct state, only its parent's id and the index of the action that reached
 * it (8 bytes, in chunked typed arrays); a counterexample is rebuilt by replaying those indices
 * from the initial state, so no state is kept alive beyond the frontier.
 */
import type { Machine } from '../impl/core/machine.ts';
import { frontierCodecOf, InputError } from '../impl/core/machine.ts';
import { WordBuffer } from '../impl/core/encode.ts';
import { ExactSet, FingerprintSet, type VisitedSet } from './visited.ts';
import { EncodedQueue, LinkStore } from './spill.ts';
import { traceFromIndices, type Trace, type Violation, type ViolationKind } from '../impl/core/trace.ts';
import { explainError } from '../impl/core/culprit.ts';
import { selectChecks, type BoundHit, type CheckResult, type RunStats, type WitnessResult } from '../impl/core/result.ts';
import { decodeMismatch, firstViolation, guardPurity, PurityError, type PurityGuard } from './engine/purity.ts';
import { symmetryPlan } from './symmetric.ts';
import { brokenInitProperty, brokenInvariant, brokenProperty, errorMessage, skipsStutters, stateEncoder, WitnessTracker, type Broken } from './engine/checking.ts';

/** Live progress, reported about once a second. */
export interface ExploreProgress {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly queue: number;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
}

/** Options of an exhaustive run. Every bound has a default; none can be switched off. */
export interface ExploreOptions {
  /** `bfs` (default): shortest counterexample. `dfs`: less memory, any counterexample. */
  readonly mode?: 'bfs' | 'dfs';
  /** Do not expand states at this depth (initial states are depth 0). Default 10,000. */
  readonly maxDepth?: number;
  /** Stop after this many distinct states. Default 20,000,000. */
  readonly maxStates?: number;
  /** Stop after this many milliseconds. Default 600,000 (10 minutes). */
  readonly timeLimitMs?: number;
  /** Deduplicate on full canonical keys instead of fingerprints (small models only). */
  readonly exact?: boolean;
  /**
   * Use the machine's symmetry canonicalizer, if it has one. Default true. Even then it is used
   * only when every selected check and every witness is declared `symmetric: true`
   * (`stats.symmetryNotice` says when it was switched off, and why).
   */
  readonly symmetry?: boolean;
  /** Report a state with no enabled action (and not `isTerminal`) as a violation. Default false. */
  readonly deadlock?: boolean;
  /** Check only these invariants/properties (by name). Default: all. */
  readonly checks?: readonly string[];
  /** Called about every `progressEveryMs` (default 1000) with live counters. */
  readonly onProgress?: (p: ExploreProgress) => void;
  readonly progressEveryMs?: number;
  /** Abort the run (Ctrl-C): the result is `bounded` with bound `interrupted`. */
  readonly signal?: AbortSignal;
  /**
   * The purity guard (see `checks/engine/purity.ts`): a `step`, `actions` or check that writes into
   * a state it was given is a {@link PurityError}, never a counterexample. `full`: every call.
   * `first` (default): the calls until {@link ExploreOptions.purityStates} states have been
   * expanded (breadth-first) or found (depth-first), and every counterexample is confirmed by a
   * fully guarded replay before it is reported. `off`: no guard.
   */
  readonly purity?: 'full' | 'first' | 'off';
  /** With `purity: 'first'`, how many states are guarded. Default {@link PURITY_FIRST_STATES}. */
  readonly purityStates?: number;
  /**
   * How BFS holds the states waiting to be expanded. `encoded`: as their encodings, decoded with
   * the machine's `decode` when expanded (a few words a state instead of an object graph; the
   * first {@link PURITY_FIRST_STATES} are checked to decode to the state that was encoded).
   * `objects`: as the states themselves. `auto` (default): `encoded` when the machine has both
   * `encode` and `decode`.
   */
  readonly frontier?: 'auto' | 'encoded' | 'objects';
  /** Bytes of encoded frontier held in memory before it spills to disk. Default 512 MiB. */
  readonly frontierMemoryBytes?: number;
  /** Bytes of trace links (8 per state) held in memory before the oldest spill to disk. Default 4 MiB. */
  readonly linkMemoryBytes?: number;
  /** Folder for spill files. Default: the OS temp folder. */
  readonly spillDir?: string;
  /** Words per frontier chunk, the unit that spills (default 1 Mi); smaller only in tests. */
  readonly frontierChunkWords?: number;
}

/** Statistics of an exhaustive run. */
export interface ExploreStats extends RunStats {
  readonly mode: 'bfs' | 'dfs';
  readonly dedup: 'fingerprint64' | 'fingerprint63' | 'exact';
  readonly symmetry: boolean;
  /** Why symmetry was switched off although it was asked for and the machine has it (one line). */
  readonly symmetryNotice?: string;
  /** Distinct states. */
  readonly states: number;
  /** Generated transitions (successor states computed, including already-seen ones). */
  readonly transitions: number;
  /** Largest depth of a distinct state (BFS: the diameter of the explored graph). */
  readonly diameter: number;
  /** Distinct states first seen at each depth. */
  readonly statesPerDepth: readonly number[];
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  /** Bytes of the visited set plus the parent/action links (not the frontier). */
  readonly checkerBytes: number;
  readonly bytesPerState: number;
  /** Largest frontier (BFS queue or DFS stack). */
  readonly peakFrontier: number;
  /** How the BFS frontier was held (DFS: `objects`, the stack). */
  readonly frontier: 'encoded' | 'objects';
  /** Bytes written to spill files (frontier levels and trace links); 0 when nothing spilled. */
  readonly spilledBytes: number;
  /**
   * Probability that fingerprinting merged two distinct states, as TLC reports it:
   * optimistic = distinct × (generated − distinct) / 2^64. Null in exact mode.
   */
  readonly collisionProbability: number | null;
}

/**
 * How many states the default purity guard (`purity: 'first'`) covers: the calls on the first
 * 2,000 states expanded (breadth-first) or found (depth-first), and the checks of their
 * successors. Each guarded call costs a walk of its states (`npm run bench -- purity` measures it,
 * each mode in its own process).
 */
export const PURITY_FIRST_STATES = 2_000;

/** Default memory budgets before the frontier and the trace links spill to disk. */
export const DEFAULT_SPILL = { frontierMemoryBytes: 512 * 2 ** 20, linkMemoryBytes: 4 * 2 ** 20 } as const;

/** The defaults of the mandatory bounds. */
export const DEFAULT_BOUNDS = { maxDepth: 10_000, maxStates: 20_000_000, timeLimitMs: 600_000 } as const;

const NO_PARENT = 0xffffffff;

class Stop {
  constructor(readonly result: 'violation' | BoundHit) {}
}

/**
 * Explore every reachable state of `m` within the bounds. Returns `violation` with a shortest
 * trace (BFS), `exhausted` when the whole reachable space was explored and every check held, or
 * `bounded` with the bound that cut the search.
 */
export function explore<S, A>(m0: Machine<S, A>, opts: ExploreOptions = {}): CheckResult<S, A, ExploreStats> {
  const run = exploreSteps(m0, opts);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link explore}, yielding to the event loop about every 100 ms so that timers and signals
 * (Ctrl-C through `opts.signal`) are served during a long run. The CLI uses this.
 */
export async function exploreAsync<S, A>(m: Machine<S, A>, opts: ExploreOptions = {}): Promise<CheckResult<S, A, ExploreStats>> {
  const run = exploreSteps(m, opts);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The search itself, as a generator that yields when the caller may serve the event loop. */
function* exploreSteps<S, A>(m0: Machine<S, A>, opts: ExploreOptions): Generator<void, CheckResult<S, A, ExploreStats>, void> {
  const purity = opts.purity ?? 'first';
  const guard = purity === 'off' ? undefined : guardPurity(m0);
  const m = guard?.machine ?? m0;
  const guardUntil = purity === 'full' ? Infinity : purity === 'first' ? (opts.purityStates ?? PURITY_FIRST_STATES) : 0;
  const mode = opts.mode ?? 'bfs';
  const maxDepth = opts.maxDepth ?? DEFAULT_BOUNDS.maxDepth;
  const maxStates = opts.maxStates ?? DEFAULT_BOUNDS.maxStates;
  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_BOUNDS.timeLimitMs;
  for (const [k, v] of [['maxDepth', maxDepth], ['maxStates', maxStates], ['timeLimitMs', timeLimitMs]] as const) {
    if (!Number.isFinite(v) || v < (k === 'maxDepth' ? 0 : 1)) throw new InputError(`bound ${k} must be a positive number, got ${v}`);
  }
  const { invariants, properties } = selectChecks(m, opts.checks);
  // Stutter steps lead back to a visited state; only transition properties not known to hold on
  // them need to see them.
  const skipStutters = skipsStutters(m, properties);
  const plan = symmetryPlan(m, opts.checks, opts.symmetry ?? true);
  const useSymmetry = plan.on;
  const visited: VisitedSet = opts.exact ? new ExactSet() : new FingerprintSet();
  const words = new WordBuffer();
  const encodeState = stateEncoder(m, words, useSymmetry ? m.symmetry!.bind(m) : undefined);
  const witnesses = new WitnessTracker<S>(m);
  const statesPerDepth: number[] = [];
  let transitions = 0;
  let peakFrontier = 0;
  const start = performance.now();
  let lastProgress = start;
  const progressEvery = opts.progressEveryMs ?? 1000;
  let violation: Violation<S, A> | undefined;

  // BFS links: parent id and action index per distinct state (initial states: NO_PARENT, init index).
  const spillDir = opts.spillDir;
  const links = mode === 'bfs' ? new LinkStore({ dir: spillDir, memoryBytes: opts.linkMemoryBytes ?? DEFAULT_SPILL.linkMemoryBytes }) : undefined;
  const frontierKind = opts.frontier ?? 'auto';
  const fcodec = frontierCodecOf(m);
  if (frontierKind === 'encoded' && fcodec === undefined) {
    throw new InputError(`model ${m.name} cannot hold its frontier encoded: it has no ${m.encode ? 'decode' : 'encode/decode'} (use frontier objects)`);
  }
  const encodedFrontier = mode === 'bfs' && frontierKind !== 'objects' && fcodec !== undefined;
  const frontierMemoryBytes = opts.frontierMemoryBytes ?? DEFAULT_SPILL.frontierMemoryBytes;
  let spilledBytes = 0;
  /** BFS levels alive (the one being expanded and the one being filled), for cleanup. */
  const levels: (S[] | EncodedQueue)[] = [];
  /** Drop a level that has been expanded, removing its spill file (counting what it held). */
  const release = (level: S[] | EncodedQueue): void => {
    if (Array.isArray(level)) return;
    spilledBytes += level.diskBytes();
    level.dispose();
  };
  /** Remove every spill file. */
  const cleanup = (): void => {
    for (const level of levels.splice(0)) release(level);
    if (links) {
      spilledBytes += links.diskBytes();
      links.dispose();
    }
  };

  const seen = (depth: number) => {
    statesPerDepth[depth] = (statesPerDepth[depth] ?? 0) + 1;
  };

  /** The action-index path to a state, for rebuilding its trace. */
  const bfsPath = (id: number): { initIndex: number; indices: number[] } => {
    const indices: number[] = [];
    let cur = id;
    while (links!.parent(cur) !== NO_PARENT) {
      indices.push(links!.via(cur));
      cur = links!.parent(cur);
    }
    return { initIndex: links!.via(cur), indices: indices.reverse() };
  };

  const fail = (kind: ViolationKind, name: string, message: string, trace: Trace<S, A>, failedAction?: { action: A; actionIndex: number }): Stop => {
    violation = { kind, name, message, trace, ...(failedAction ? { failedAction } : {}) };
    return new Stop('violation');
  };

  /** Check invariants and witnesses on a newly discovered state; returns the failing invariant. */
  const checkState = (s: S, depth: number): Broken | undefined => {
    // Witnesses first: a state that breaks an invariant was reached all the same.
    if (witnesses.pending > 0) witnesses.observe(s, depth);
    return brokenInvariant(invariants, s);
  };

  let bound: BoundHit | undefined;
  let overflow = 0; // 1 when the state that hit the states bound was added but never examined
  let frontierDepth = 0;
  let frontierSize = 0;
  let sinceCheck = 0;
  let lastYield = start;
  /** Time, interrupt and progress, every 256 expansions; true when it is time to yield. */
  const tick = (): boolean => {
    if (++sinceCheck < 256) return false;
    sinceCheck = 0;
    const now = performance.now();
    if (opts.signal?.aborted) throw new Stop({ kind: 'interrupted', limit: now - start });
    if (now - start > timeLimitMs) throw new Stop({ kind: 'time', limit: timeLimitMs });
    if (opts.onProgress && now - lastProgress >= progressEvery) {
      lastProgress = now;
      const elapsedMs = now - start;
      opts.onProgress({
        states: visited.size,
        transitions,
        depth: frontierDepth,
        queue: frontierSize,
        elapsedMs,
        statesPerSecond: (visited.size / elapsedMs) * 1000,
      });
    }
    if (now - lastYield < 100) return false;
    lastYield = now;
    return true;
  };

  // Where the run is, so that an exception (or a violation) can be reported with its trace:
  // the path to the state being expanded, and the action being taken from it (-1: none).
  let phase: 'init' | 'actions' | 'step' | 'invariant' | 'property' = 'init';
  let ctxInit = 0;
  let ctxSid = -1;
  let ctxAi = -1;
  let dfsStack: { readonly via: number }[] = [];
  let ctxActs: readonly A[] = [];
  /** The path to the state being expanded, plus the action being taken when `withAction`. */
  const contextTrace = (withAction: boolean): Trace<S, A> => {
    let initIndex = ctxInit;
    let indices: number[] = [];
    if (mode === 'bfs' && ctxSid >= 0) ({ initIndex, indices } = bfsPath(ctxSid));
    if (mode === 'dfs') indices = dfsStack.slice(1).map((f) => f.via);
    if (withAction && ctxAi >= 0) indices.push(ctxAi);
    return traceFromIndices(m, initIndex, indices);
  };
  /** Everything that happens when a state is reached; false if it was seen before. */
  const discover = (t: S, depth: number): boolean => {
    encodeState(t);
    if (!visited.add(words)) return false;
    // The purity guard, depth-first: on while the first `guardUntil` states are found and expanded.
    if (guard !== undefined && mode === 'dfs' && visited.size > guardUntil) guard.guarding = false;
    if (visited.size > maxStates) {
      overflow = 1;
      throw new Stop({ kind: 'states', limit: maxStates });
    }
    seen(depth);
    phase = 'invariant';
    const bad = checkState(t, depth);
    if (bad) throw fail('invariant', bad.name, bad.message, contextTrace(true));
    if (depth === 0) {
      phase = 'property';
      const badInit = brokenInitProperty(properties, t);
      if (badInit) throw fail('property', badInit.name, badInit.message, contextTrace(true));
    }
    return true;
  };
  const checkTransition = (s: S, a: A, t: S, depth: number): void => {
    phase = 'property';
    const bad = brokenProperty(properties, s, a, t);
    if (bad) {
      // The step that breaks a property reached t all the same.
      if (witnesses.pending > 0) witnesses.observe(t, depth);
      throw fail('property', bad.name, bad.message, contextTrace(true));
    }
  };
  const checkDeadlock = (s: S, acts: readonly A[]): void => {
    if (acts.length === 0 && opts.deadlock && !(m.isTerminal?.(s) ?? false)) {
      throw fail('deadlock', 'deadlock', '', contextTrace(false));
    }
  };

  try {
    const inits = m.init();
    if (inits.length === 0) throw new InputError(`model ${m.name} has no initial state with these parameters`);
    if (mode === 'bfs') {
      // One BFS level: the states (or their encodings) in id order. A level's ids are consecutive:
      // states get their ids as they are discovered, and are queued in that order.
      // The visited set's words serve when they are the state's own whole encoding.
      const raw = useSymmetry || !fcodec?.own ? new WordBuffer() : words;
      let checkedDecodes = 0;
      const checkDecodes = opts.purityStates ?? PURITY_FIRST_STATES;
      /** Queue a newly discovered state (its canonical encoding is in `words`). */
      const enqueue = (level: S[] | EncodedQueue, t: S): void => {
        if (Array.isArray(level)) {
          level.push(t);
          return;
        }
        if (raw !== words) {
          raw.reset();
          fcodec!.encode(t, raw);
        }
        level.push(raw.raw, raw.len);
        if (checkedDecodes < checkDecodes) {
          checkedDecodes++;
          const bad = decodeMismatch(m.name, t, fcodec!.decode(raw.raw.slice(0, raw.len)), frontierDepth + 1, fcodec!.check);
          if (bad) throw bad;
        }
      };
      const newLevel = (): S[] | EncodedQueue => (encodedFrontier ? new EncodedQueue({ dir: spillDir, memoryBytes: frontierMemoryBytes, ...(opts.frontierChunkWords ? { chunkWords: opts.frontierChunkWords } : {}) }) : []);
      let current = newLevel();
      let currentFirst = 0;
      levels.push(current);
      for (let i = 0; i < inits.length; i++) {
        const s = inits[i]!;
        ctxInit = i;
        if (!discover(s, 0)) continue;
        enqueue(current, s);
        links!.push(NO_PARENT, i);
      }
      let depth = 0;
      let expanded = 0;
      /** The states of a level, in order (decoded when encoded). */
      function* statesOf(level: S[] | EncodedQueue): Generator<S, void, void> {
        if (Array.isArray(level)) {
          yield* level;
          return;
        }
        for (let w = level.next(); w !== undefined; w = level.next()) {
          yield fcodec!.decode(w);
        }
      }
      while (current.length > 0) {
        if (depth >= maxDepth) {
          for (const s of statesOf(current)) {
            if (m.actions(s).length > 0) {
              bound = { kind: 'depth', limit: maxDepth };
              break;
            }
          }
          break;
        }
        frontierDepth = depth;
        const next = newLevel();
        levels.push(next);
        const nextFirst = links!.length;
        const count = current.length;
        let i = 0;
        for (const s of statesOf(current)) {
          const sid = currentFirst + i;
          frontierSize = count - i + next.length;
          i++;
          // The purity guard, breadth-first: on while the first `guardUntil` states are expanded
          // (every call on them, and the checks of their successors).
          if (++expanded > guardUntil && guard !== undefined) guard.guarding = false;
          if (frontierSize > peakFrontier) peakFrontier = frontierSize;
          if (tick()) yield;
          ctxSid = sid;
          ctxAi = -1;
          phase = 'actions';
          const acts = m.actions(s);
          ctxActs = acts;
          checkDeadlock(s, acts);
          for (let ai = 0; ai < acts.length; ai++) {
            const a = acts[ai]!;
            ctxAi = ai;
            phase = 'step';
            if (skipStutters && m.stutters!(s, a)) {
              transitions++;
              continue;
            }
            const t = m.step(s, a);
            transitions++;
            if (properties.length > 0) checkTransition(s, a, t, depth + 1);
            if (!discover(t, depth + 1)) continue;
            enqueue(next, t);
            links!.push(sid, ai);
          }
        }
        release(levels.shift()!);
        current = next;
        currentFirst = nextFirst;
        depth++;
      }
    } else {
      // DFS: the stack is the trace; no per-state links are kept.
      interface Frame {
        readonly state: S;
        readonly acts: readonly A[];
        next: number;
        readonly via: number;
      }
      for (let i = 0; i < inits.length; i++) {
        const s0 = inits[i]!;
        const stack: Frame[] = [];
        dfsStack = stack;
        ctxInit = i;
        ctxAi = -1;
        if (!discover(s0, 0)) continue;
        phase = 'actions';
        stack.push({ state: s0, acts: m.actions(s0), next: 0, via: i });
        while (stack.length > 0) {
          if (tick()) yield;
          const top = stack[stack.length - 1]!;
          frontierDepth = stack.length - 1;
          frontierSize = stack.length;
          if (stack.length > peakFrontier) peakFrontier = stack.length;
          ctxAi = -1;
          ctxActs = top.acts;
          if (top.next === 0) checkDeadlock(top.state, top.acts);
          if (top.next >= top.acts.length) {
            stack.pop();
            continue;
          }
          if (stack.length - 1 >= maxDepth) {
            bound = { kind: 'depth', limit: maxDepth };
            stack.pop();
            continue;
          }
          const ai = top.next++;
          const a = top.acts[ai]!;
          ctxAi = ai;
          phase = 'step';
          if (skipStutters && m.stutters!(top.state, a)) {
            transitions++;
            continue;
          }
          const t = m.step(top.state, a);
          transitions++;
          if (properties.length > 0) checkTransition(top.state, a, t, stack.length);
          if (!discover(t, stack.length)) continue;
          phase = 'actions';
          stack.push({ state: t, acts: m.actions(t), next: 0, via: ai });
        }
      }
    }
  } catch (e) {
    if (e instanceof Stop) {
      if (e.result !== 'violation') bound = e.result;
    } else if (e instanceof InputError) {
      cleanup();
      throw e;
    } else {
      // A throw in step: the trace ends before the action, which is reported as failedAction.
      // A throw in actions(): the trace ends at the state whose actions threw (the pushed one in
      // DFS, so include the action that reached it). Elsewhere: the trace includes the action.
      const withAction = phase !== 'step' && !(phase === 'actions' && mode === 'bfs');
      const failedAction = phase === 'step' && ctxAi >= 0 ? { action: ctxActs[ctxAi]!, actionIndex: ctxAi } : undefined;
      violation = {
        kind: 'error',
        name: phase,
        message: errorMessage(e),
        trace: contextTrace(withAction),
        ...(failedAction ? { failedAction } : {}),
      };
    }
  }

  // The guarded calls not yet compared (a write there may be what made the violation).
  if (guard?.guarding) {
    try {
      guard.flush();
    } catch (e) {
      cleanup();
      throw e;
    }
  }
  const elapsedMs = performance.now() - start;
  const states = visited.size - overflow;
  const checkerBytes = visited.bytes() + (links?.bytes() ?? 0);
  cleanup();
  const stats: ExploreStats = {
    mode,
    dedup: opts.exact ? 'exact' : 'fingerprint64',
    symmetry: useSymmetry,
    ...(plan.notice ? { symmetryNotice: plan.notice } : {}),
    states,
    transitions,
    diameter: statesPerDepth.length - 1,
    statesPerDepth,
    elapsedMs,
    statesPerSecond: elapsedMs > 0 ? (states / elapsedMs) * 1000 : 0,
    checkerBytes,
    bytesPerState: states > 0 ? checkerBytes / states : 0,
    peakFrontier,
    frontier: encodedFrontier ? 'encoded' : 'objects',
    spilledBytes,
    collisionProbability: opts.exact ? null : (states * Math.max(0, transitions - states)) / 2 ** 64,
  };
  if (violation && guard !== undefined && purity !== 'full') confirmViolation(guard.machine, violation, opts, guard);
  const witnessResults: WitnessResult[] = witnesses.results();
  if (violation) return { status: 'violation', violation: explainError(m, violation, opts.checks), stats, witnesses: witnessResults };
  if (bound) return { status: 'bounded', bound, stats, witnesses: witnessResults };
  return { status: 'exhausted', stats, witnesses: witnessResults };
}

/**
 * Replay a counterexample with every call guarded, and throw a {@link PurityError} when a write
 * into a state shows up, or when the same check does not break again (the run that found it was
 * corrupted by a write the guard did not cover). A counterexample that survives is real.
 */
function confirmViolation<S, A>(m: Machine<S, A>, v: Violation<S, A>, opts: ExploreOptions, guard: PurityGuard<S, A>): void {
  guard.guarding = true;
  const indices = v.trace.steps.map((st) => st.actionIndex);
  if (v.failedAction) indices.push(v.failedAction.actionIndex);
  const again = firstViolation(m, v.trace.initIndex, indices, opts.checks, v.kind === 'deadlock', v.kind === 'error');
  guard.flush();
  const same = again !== undefined && again.kind === v.kind && (again.name === v.name || v.kind === 'error');
  if (!same) {
    const what = v.kind === 'error' ? `an exception in ${v.name}` : `${v.kind} ${v.name}`;
    throw new PurityError(
      `model error in ${m.name}: the counterexample found for ${what} does not replay: the model is not deterministic, or it wrote into a state it was given after the guarded part of the search (rerun with --check-purity to find where)`,
      'replay',
      v.name,
      [],
    );
  }
}
