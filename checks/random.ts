/**
 * The random runner, built on fast-check: fast-check generates schedules, runs them as a
 * property (every invariant after every state, every transition property on every step), and on
 * failure shrinks the schedule with its own shrinker; the shrunk trace is then minimised further
 * by delta debugging ({@link shrinkTrace}). Every result carries fast-check's `seed` and `path`;
 * `checkRandom(m, { seed, path })` replays exactly that schedule and yields the same trace, byte
 * for byte.
 *
 * ## The schedule encoding
 *
 * A run is a {@link Schedule}: the swarm mix (which action kinds this run leaves out), the
 * initial state, and an array of choices, small integers. Step `i` takes the choice
 * `choices[len - 1 - i]` (the array is consumed from its end) and picks `choice mod k` among the
 * `k` enabled actions the mix allows (all enabled actions when the mix allows none). So every
 * array is a valid schedule, and fast-check's array shrinker, which first drops elements from
 * the front, first cuts the steps after the failure; then it removes steps in the middle and
 * lowers choices towards 0 (the first enabled action). A run ends after the last choice, or
 * when no action is enabled.
 *
 * ## Swarm testing
 *
 * Each run draws its own mix from the seed (TigerBeetle's simulator and Groce et al.'s "swarm
 * testing"): each action kind is left out with probability 1/4, so one run has no crashes but
 * many drops, another has partitions and restarts but no timeouts. Kinds are the actions' tag
 * field (`type`, else `kind`; a machine may supply `actionKind(a)`), found by a bounded,
 * deterministic breadth-first walk from the initial states before the runs. The mix shrinks
 * towards "nothing left out".
 *
 * ## Configurations from the seed
 *
 * With a {@link ConfigDraw} (`opts.draw`), each run also draws its own configuration (node
 * count, fault budgets, delivery order, … within the ranges the model declares), as
 * TigerBeetle's simulator draws a cluster's shape from its seed. The draw is one more part of the
 * schedule (one index per drawn parameter, shrinking towards each range's first value), so a
 * seed and path replay the configuration with the schedule, and fast-check's shrinker also tries
 * smaller configurations. One run in four keeps the default shape instead (every drawn parameter
 * at its default: the "default lane", an empty index list), so the draw never loses more than a
 * constant factor on bugs the defaults already show. Machines are built once per distinct configuration and cached. The
 * failing run's configuration is in the result (`config`); without a draw the schedule and its
 * encoding are exactly those of a fixed configuration.
 *
 * ```ts
 * const r = checkRandom(makeTwoPhase(3, 'commit-unprepared'), { runs: 1000, maxSteps: 50, seed: 42 });
 * if (r.status === 'violation') console.log(r.seed, r.path, formatTrace(m, r.violation!.trace, r.violation));
 * assertRandom(m, { runs: 1000 }); // throws PropertyViolationError: seed, path and the shrunk trace
 * ```
 */
import * as fc from 'fast-check';
import { InputError, type Machine, type ParamValue } from '../impl/core/machine.ts';
import { WordBuffer } from '../impl/core/encode.ts';
import { PropertyViolationError, selectChecks, type BoundHit, type CheckResult, type RunStats, type WitnessResult } from '../impl/core/result.ts';
import { describeViolation, formatTrace, traceFromIndices, type Trace, type TraceOrigin, type Violation, type ViolationKind } from '../impl/core/trace.ts';
import { explainError } from '../impl/core/culprit.ts';
import { actionKind, defaultActionKind, shrinkTrace, type KindedMachine } from './shrink.ts';
import { guardPurity } from './purity.ts';

/** How many steps of a random search the default purity guard freezes (then only failing runs). */
export const PURITY_FIRST_STEPS = 10_000;

/** The defaults of the mandatory bounds (and of the shrink budget). */
export const RANDOM_DEFAULTS = {
  runs: 1000,
  maxSteps: 200,
  timeLimitMs: 120_000,
  shrinkTimeLimitMs: 60_000,
  /** Distinct states the kind-discovery breadth-first walk visits. */
  discoverStates: 2000,
  /** Steps of the kind-discovery random walks, in all. */
  discoverWalkSteps: 20_000,
} as const;

/** Length of one kind-discovery random walk. */
const DISCOVER_WALK_LENGTH = 200;

/** The largest choice value: `choice mod k` picks among `k` enabled actions. */
const CHOICE_MAX = 0xffff;

/** One run: what fast-check generates and shrinks. */
export interface Schedule {
  /** Per swarm kind (in the order of `kinds`): true when this run leaves that kind out. */
  readonly excluded: readonly boolean[];
  /** Index of the initial state, modulo the number of initial states. */
  readonly init: number;
  /** The choices, consumed from the end: step i uses `choices[choices.length - 1 - i]`. */
  readonly choices: readonly number[];
  /**
   * With a configuration draw: per drawn parameter (in the draw's order), the index of its value;
   * empty for the default lane (every drawn parameter at its default).
   */
  readonly config?: readonly number[];
}

/** One drawn parameter: its name and its values, the first being where shrinking goes. */
export interface DrawAxis {
  readonly name: string;
  readonly values: readonly ParamValue[];
}

/**
 * Random mode's configuration draw: the parameters each run draws (the axes), the value of every
 * other parameter, and how to build the machine of one full configuration. Part of the schedule
 * encoding: replay a seed and path with the same axes.
 */
export interface ConfigDraw<S = unknown, A = unknown> {
  /** The drawn parameters, in a fixed order (the schedule stores one index per axis). */
  readonly axes: readonly DrawAxis[];
  /** Every parameter that is not drawn: pinned or default. */
  readonly base: Readonly<Record<string, ParamValue>>;
  /** The default value of each drawn parameter (the default lane's configuration). */
  readonly defaults: Readonly<Record<string, ParamValue>>;
  /** Build the machine of a full configuration (`base` with the drawn values). */
  build(params: Readonly<Record<string, ParamValue>>): Machine<S, A>;
}

/** A run's swarm mix: every kind the runner knows, and those this run left out. */
export interface SwarmMix {
  readonly kinds: readonly string[];
  readonly excluded: readonly string[];
}

/** Live progress, reported about once a second. */
export interface RandomProgress {
  readonly phase: 'search' | 'shrink';
  readonly runs: number;
  readonly steps: number;
  readonly stepsPerSecond: number;
  readonly elapsedMs: number;
  /** Shrink phase: the length of the smallest failing schedule so far. */
  readonly shrinkLength?: number;
}

/** Options of a random run. Every bound has a default; none can be switched off. */
export interface RandomOptions {
  /** Number of runs (schedules). Default 1,000. */
  readonly runs?: number;
  /** Steps per run, at most. Part of the schedule encoding: replay with the same value. Default 200. */
  readonly maxSteps?: number;
  /** Stop searching after this many milliseconds. Default 120,000. */
  readonly timeLimitMs?: number;
  /** fast-check's seed. Default: a fresh one (always reported in the result). */
  readonly seed?: number;
  /**
   * fast-check's path: with `seed` (and the same `maxSteps` and `kinds`), run exactly that
   * schedule once, without search or fast-check shrinking (`endOnFailure`), and post-process it
   * as the original run did: the same trace, byte for byte.
   */
  readonly path?: string;
  /** Check only these invariants/properties (by name). Default: all. */
  readonly checks?: readonly string[];
  /** Report a state with no enabled action (and not `isTerminal`) as a violation. Default false. */
  readonly deadlock?: boolean;
  /** Swarm testing: draw a mix of action kinds per run. Default true. */
  readonly swarm?: boolean;
  /**
   * The swarm kinds, in order (part of the schedule encoding). Default: discovered by a bounded
   * breadth-first walk. Replays pass the recorded list.
   */
  readonly kinds?: readonly string[];
  /**
   * `true` (default): fast-check's shrinking, then delta debugging of the trace. `'fast-check'`:
   * fast-check's shrinking only. `false`: report the first failing run as found.
   */
  readonly shrink?: boolean | 'fast-check';
  /** Budget of fast-check's shrinking, and separately of the delta-debugging pass. Default 60,000 ms. */
  readonly shrinkTimeLimitMs?: number;
  /** Called about every `progressEveryMs` (default 1000) with live counters. */
  readonly onProgress?: (p: RandomProgress) => void;
  readonly progressEveryMs?: number;
  /** Abort the run (Ctrl-C); honoured by {@link checkRandomAsync}. */
  readonly signal?: AbortSignal;
  /**
   * The purity guard (`checks/purity.ts`): states are deep-frozen, and a write into one is a
   * `PurityError` (naming the action or check and the field), never a counterexample. `first`
   * (default): the first {@link PURITY_FIRST_STEPS} steps of the search, and every step from the
   * first failure on (so a counterexample is re-executed and shrunk fully guarded). `full`:
   * every step. `off`: none.
   */
  readonly purity?: 'full' | 'first' | 'off';
  /**
   * Draw each run's configuration from the seed (see the module comment). The machine passed to
   * the runner is then the base configuration's, used for names and check selection.
   */
  readonly draw?: ConfigDraw;
}

/** How the failing schedule shrank. */
export interface RandomShrinkStats {
  /** Steps of the first failing run, before any shrinking (0 when replaying a path). */
  readonly firstFailureLength: number;
  /** Steps after fast-check's shrinking (or of the replayed path). */
  readonly fastCheckLength: number;
  /** Steps after delta debugging: the reported trace. */
  readonly finalLength: number;
  /** Successful fast-check shrink steps. */
  readonly fastCheckShrinks: number;
  /** Schedules fast-check executed while shrinking. */
  readonly fastCheckTests: number;
  /** Traces executed by delta debugging. */
  readonly traceTests: number;
  /** False when a shrink time limit cut shrinking short (the trace is then not proved 1-minimal). */
  readonly complete: boolean;
  readonly elapsedMs: number;
}

/** Statistics of a random run. */
export interface RandomStats extends RunStats {
  /** Runs executed (the failing one included). */
  readonly runs: number;
  readonly maxSteps: number;
  /** States visited during the search (initial states included). */
  readonly states: number;
  /** Steps taken during the search. */
  readonly transitions: number;
  /** Time until the first failure, or the whole search. */
  readonly searchMs: number;
  /** Search steps per second (with every selected check evaluated). */
  readonly stepsPerSecond: number;
  /** The whole check, shrinking included. */
  readonly elapsedMs: number;
  readonly shrink?: RandomShrinkStats;
  /** With a configuration draw: the distinct configurations the search ran. */
  readonly configs?: number;
}

/** The result of a random run: the shared {@link CheckResult} plus what replays it. */
export interface RandomResult<S = unknown, A = unknown> extends CheckResult<S, A, RandomStats> {
  /** A random run never proves anything: `violation` or `bounded`. */
  readonly status: 'violation' | 'bounded';
  readonly seed: number;
  /** fast-check's counterexample path (violations only). */
  readonly path: string | null;
  readonly maxSteps: number;
  /** The swarm kinds (part of the schedule encoding). */
  readonly kinds: readonly string[];
  /** The failing run's mix (violations only). */
  readonly swarm: SwarmMix | null;
  /** The checks evaluated, when a subset was selected. */
  readonly checks?: readonly string[];
  /** The shrink mode used: part of what a replay must repeat to give the same trace. */
  readonly shrink: boolean | 'fast-check';
  /** With a configuration draw: the drawn parameters and their values (part of the encoding). */
  readonly draw?: readonly DrawAxis[];
  /**
   * With a configuration draw and a violation: the failing run's full configuration (every
   * parameter), which builds the machine its trace belongs to.
   */
  readonly config?: Readonly<Record<string, ParamValue>>;
}

// ---------------------------------------------------------------------------------------------
// Kinds and the schedule arbitrary

/**
 * The action kinds of a machine, sorted and deterministic: the machine's own `actionKinds()` when
 * it has one, else the kinds of every action enabled in the first `maxStates` distinct states of
 * a breadth-first walk, plus those met by seeded random walks of `walkSteps` steps in all (which
 * reach kinds that are only enabled deep down, such as a commit after every vote). Kinds that
 * only show up later are never left out of a run.
 */
export function discoverKinds<S, A>(
  m: Machine<S, A>,
  maxStates: number = RANDOM_DEFAULTS.discoverStates,
  walkSteps: number = RANDOM_DEFAULTS.discoverWalkSteps,
): string[] {
  const km = m as KindedMachine<S, A>;
  if (km.actionKinds) return [...new Set(km.actionKinds())].sort();
  const kinds = new Set<string>();
  const seen = new Set<string>();
  const words = new WordBuffer();
  const key = (s: S): string => {
    words.reset();
    if (m.encode) m.encode(s, words);
    else words.value(s);
    return words.key();
  };
  const inits = m.init();
  let frontier: S[] = [];
  for (const s of inits) {
    const k = key(s);
    if (!seen.has(k)) {
      seen.add(k);
      frontier.push(s);
    }
  }
  try {
    while (frontier.length > 0 && seen.size < maxStates) {
      const next: S[] = [];
      for (const s of frontier) {
        for (const a of m.actions(s)) {
          kinds.add(actionKind(km, a));
          if (seen.size >= maxStates) continue;
          const t = m.step(s, a);
          const k = key(t);
          if (seen.has(k)) continue;
          seen.add(k);
          next.push(t);
        }
      }
      frontier = next;
    }
    // Swarm-like random walks with a fixed seed (mulberry32): each walk leaves out a random half
    // of the kinds seen so far (falling back to every enabled action), so that some walks avoid
    // the aborts and crashes that would keep them shallow.
    let x = 0x2545f491;
    const rnd = (n: number): number => {
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    let budget = walkSteps;
    for (let w = 0; budget > 0 && inits.length > 0; w++) {
      const left = new Set([...kinds].filter(() => rnd(2) === 0));
      let s: S = inits[w % inits.length]!;
      for (let i = 0; i < DISCOVER_WALK_LENGTH && budget > 0; i++, budget--) {
        const acts = m.actions(s);
        if (acts.length === 0) break;
        for (const a of acts) kinds.add(actionKind(km, a));
        const allowed = acts.filter((a) => !left.has(actionKind(km, a)));
        const pool = allowed.length > 0 ? allowed : acts;
        s = m.step(s, pool[rnd(pool.length)]!);
      }
    }
  } catch {
    // A machine that throws is reported by the runs themselves, with a trace.
  }
  return [...kinds].sort();
}

/**
 * The fast-check arbitrary of one run over `kindCount` swarm kinds and at most `maxSteps`
 * steps. The same arguments give the same arbitrary, so a seed and path replay with it.
 */
export function scheduleArbitrary(kindCount: number, maxSteps: number, configSizes: readonly number[] = []): fc.Arbitrary<Schedule> {
  // Left out with probability 1/4; shrinks towards 0, "kept".
  const excludedArb = fc.array(
    fc.integer({ min: 0, max: 3 }).map((x) => x === 3),
    { minLength: kindCount, maxLength: kindCount },
  );
  const base = fc.tuple(excludedArb, fc.nat({ max: CHOICE_MAX }), fc.array(fc.nat({ max: CHOICE_MAX }), { maxLength: maxSteps, size: 'max' }));
  if (configSizes.length === 0) return base.map(([excluded, init, choices]): Schedule => ({ excluded, init, choices }));
  // The configuration comes first, so that fast-check's shrinker tries smaller configurations
  // first. One run in four takes the default lane (the empty list: every parameter's default).
  const configArb = fc.oneof(
    { arbitrary: fc.constant<number[]>([]), weight: 1 },
    { arbitrary: fc.tuple(...configSizes.map((n) => fc.nat({ max: Math.max(0, n - 1) }))), weight: 3 },
  );
  return fc
    .tuple(configArb, base)
    .map(([config, [excluded, init, choices]]): Schedule => ({ excluded, init, choices, config }));
}

// ---------------------------------------------------------------------------------------------
// Executing schedules

/** What the property needs of a schedule executor (one machine, or one per drawn configuration). */
interface Runner<S, A> {
  readonly steps: number;
  readonly states: number;
  readonly len: number;
  /** The machine of the last run. */
  readonly m: Machine<S, A>;
  /** An error of the model (a write into a state) that ends the search. */
  readonly fatal: InputError | undefined;
  run(sch: Schedule): boolean;
  witnesses(): WitnessResult[];
  mix(sch: Schedule): SwarmMix;
  violation(): Violation<S, A>;
}

interface Failure {
  kind: ViolationKind;
  name: string;
  message: string;
  /** For `error` in `step`: the index of the action that threw. */
  failedIndex: number;
}

/**
 * Executes schedules. The loop allocates nothing per step beyond what the machine does: the
 * chosen indices go to a preallocated array, and a failing run's trace is rebuilt from them.
 */
class ScheduleRunner<S, A> implements Runner<S, A> {
  private readonly inits: readonly S[];
  private readonly invariants: NonNullable<Machine<S, A>['invariants']>;
  private readonly properties: NonNullable<Machine<S, A>['properties']>;
  private readonly initProperties: NonNullable<Machine<S, A>['properties']>;
  private readonly indices: Int32Array;
  private readonly ex: string[];
  /** Per enabled action of the current step: 1 when the run's mix allows its kind. */
  private flags = new Uint8Array(64);
  private readonly kindOf: (a: A) => string;
  private readonly pendingW: { readonly name: string; readonly check: (s: S) => boolean; depth: number }[];
  private pendingCount: number;
  /** Steps and states of all runs so far. */
  steps = 0;
  states = 0;
  /** The last run. */
  len = 0;
  initIndex = 0;
  failure: Failure | undefined;
  /** A model error (such as a write into a state) met by a run: it ends the search and is thrown. */
  fatal: InputError | undefined;

  constructor(
    readonly m: Machine<S, A>,
    private readonly kinds: readonly string[],
    checks: readonly string[] | undefined,
    private readonly deadlock: boolean,
    maxSteps: number,
  ) {
    const sel = selectChecks(m, checks);
    this.invariants = sel.invariants;
    this.properties = sel.properties;
    this.initProperties = sel.properties.filter((p) => p.checkInit !== undefined);
    this.inits = m.init();
    if (this.inits.length === 0) throw new InputError(`model ${m.name} has no initial state with these parameters`);
    this.indices = new Int32Array(Math.max(1, maxSteps));
    this.ex = new Array<string>(kinds.length).fill('');
    const km = m as KindedMachine<S, A>;
    this.kindOf = km.actionKind ? (a) => km.actionKind!(a) : defaultActionKind;
    this.pendingW = (m.sometimes ?? []).map((w) => ({ name: w.name, check: (s: S) => w.check(s), depth: -1 }));
    this.pendingCount = this.pendingW.length;
  }

  /** Witness results so far. */
  witnesses(): WitnessResult[] {
    return this.pendingW.map((w) => ({ name: w.name, reached: w.depth >= 0, ...(w.depth >= 0 ? { depth: w.depth } : {}) }));
  }

  private witness(s: S, depth: number): void {
    for (const w of this.pendingW) {
      if (w.depth < 0 && w.check(s)) {
        w.depth = depth;
        this.pendingCount--;
      }
    }
  }

  /** The mix of a schedule, as kind names. */
  mix(sch: Schedule): SwarmMix {
    return { kinds: this.kinds, excluded: this.kinds.filter((_, i) => sch.excluded[i] === true) };
  }

  /** Run one schedule; true when every check held. The last run's details stay on the runner. */
  run(sch: Schedule): boolean {
    const m = this.m;
    const inits = this.inits;
    const invariants = this.invariants;
    const properties = this.properties;
    const nInv = invariants.length;
    const nProp = properties.length;
    const indices = this.indices;
    const ex = this.ex;
    let exCount = 0;
    const exFlags = sch.excluded;
    for (let k = 0; k < this.kinds.length; k++) if (exFlags[k] === true) ex[exCount++] = this.kinds[k]!;
    const initIndex = sch.init % inits.length;
    this.initIndex = initIndex;
    this.len = 0;
    this.failure = undefined;
    let phase: 'invariant' | 'property' | 'actions' | 'step' = 'invariant';
    let failedIndex = -1;
    let s: S = inits[initIndex]!;
    this.states++;
    try {
      for (let j = 0; j < nInv; j++) {
        const v = invariants[j]!.check(s);
        if (v !== true) return this.fail('invariant', invariants[j]!.name, v);
      }
      phase = 'property';
      for (const p of this.initProperties) {
        const v = p.checkInit!(s);
        if (v !== true) return this.fail('property', p.name, v);
      }
      if (this.pendingCount > 0) this.witness(s, 0);
      const choices = sch.choices;
      const L = choices.length;
      for (let i = 0; i < L; i++) {
        phase = 'actions';
        const acts = m.actions(s);
        const n = acts.length;
        if (n === 0) {
          if (this.deadlock && !(m.isTerminal?.(s) ?? false)) return this.fail('deadlock', 'deadlock', '');
          break;
        }
        const c = choices[L - 1 - i]!;
        let idx: number;
        if (exCount === 0) {
          idx = c % n;
        } else {
          let flags = this.flags;
          if (flags.length < n) flags = this.flags = new Uint8Array(Math.max(n, 2 * flags.length));
          let allowed = 0;
          for (let j = 0; j < n; j++) {
            const ok = this.isExcluded(acts[j]!, exCount) ? 0 : 1;
            flags[j] = ok;
            allowed += ok;
          }
          if (allowed === 0 || allowed === n) {
            idx = c % n;
          } else {
            let pick = c % allowed;
            idx = 0;
            for (let j = 0; j < n; j++) {
              if (flags[j] === 0) continue;
              if (pick === 0) {
                idx = j;
                break;
              }
              pick--;
            }
          }
        }
        const a = acts[idx]!;
        phase = 'step';
        failedIndex = idx;
        const t = m.step(s, a);
        indices[i] = idx;
        this.len = i + 1;
        this.steps++;
        this.states++;
        phase = 'property';
        for (let j = 0; j < nProp; j++) {
          const v = properties[j]!.check(s, a, t);
          if (v !== true) return this.fail('property', properties[j]!.name, v);
        }
        phase = 'invariant';
        for (let j = 0; j < nInv; j++) {
          const v = invariants[j]!.check(t);
          if (v !== true) return this.fail('invariant', invariants[j]!.name, v);
        }
        if (this.pendingCount > 0) this.witness(t, i + 1);
        s = t;
      }
    } catch (e) {
      if (e instanceof InputError) {
        this.fatal ??= e;
        return false;
      }
      const err = e instanceof Error ? e : new Error(String(e));
      this.failure = {
        kind: 'error',
        name: phase,
        message: `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`,
        failedIndex: phase === 'step' ? failedIndex : -1,
      };
      return false;
    }
    return true;
  }

  private isExcluded(a: A, exCount: number): boolean {
    const k = this.kindOf(a);
    const ex = this.ex;
    for (let j = 0; j < exCount; j++) if (ex[j] === k) return true;
    return false;
  }

  private fail(kind: ViolationKind, name: string, v: boolean | string): false {
    this.failure = { kind, name, message: typeof v === 'string' ? v : '', failedIndex: -1 };
    return false;
  }

  /** The last run's trace and violation (after a failing `run`). */
  violation(): Violation<S, A> {
    const f = this.failure;
    if (!f) throw new Error('no failing run to report');
    const trace = traceFromIndices(this.m, this.initIndex, Array.from(this.indices.subarray(0, this.len)));
    let failedAction: { action: A; actionIndex: number } | undefined;
    if (f.failedIndex >= 0) {
      const acts = this.m.actions(trace.steps.length === 0 ? trace.init : trace.steps[trace.steps.length - 1]!.state);
      failedAction = { action: acts[f.failedIndex]!, actionIndex: f.failedIndex };
    }
    return { kind: f.kind, name: f.name, message: f.message, trace, ...(failedAction ? { failedAction } : {}) };
  }
}

/**
 * The full configuration a schedule draws: `draw.base` with one value per axis, or with every
 * axis at its default for the default lane (an empty or absent index list).
 */
export function drawnConfig(draw: ConfigDraw, sch: Pick<Schedule, 'config'>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = { ...draw.base };
  const lane = sch.config === undefined || sch.config.length === 0;
  draw.axes.forEach((ax, i) => {
    out[ax.name] = lane ? draw.defaults[ax.name]! : ax.values[Math.min(sch.config![i]!, ax.values.length - 1)]!;
  });
  return out;
}

/** An error in a drawn configuration (the model's ranges admit a configuration it rejects). */
class DrawError extends Error {}

/** How many built configurations a draw keeps (a machine and its runner each; least recently used evicted first). */
const DRAW_CACHE = 64;

/**
 * Runs each schedule on the machine of the configuration it draws: one {@link ScheduleRunner}
 * per configuration, built on first use and kept in a bounded LRU cache (most runs draw a new
 * configuration; an evicted one is built again when drawn again). Counters and witness depths of
 * evicted runners are kept.
 */
class DrawRunner<S, A> implements Runner<S, A> {
  private readonly cache = new Map<string, ScheduleRunner<S, A>>();
  private cur: ScheduleRunner<S, A> | undefined;
  private lastConfig: Record<string, ParamValue> = {};
  private readonly seen = new Set<string>();
  private evictedSteps = 0;
  private evictedStates = 0;
  /** Witness depths of evicted runners, by index (-1: not reached). */
  private evictedWitness: number[] | undefined;

  constructor(
    private readonly draw: ConfigDraw,
    private readonly make: (m: Machine<S, A>) => ScheduleRunner<S, A>,
  ) {}

  get steps(): number {
    let n = this.evictedSteps;
    for (const r of this.cache.values()) n += r.steps;
    return n;
  }
  get states(): number {
    let n = this.evictedStates;
    for (const r of this.cache.values()) n += r.states;
    return n;
  }
  get len(): number {
    return this.cur?.len ?? 0;
  }
  get fatal(): InputError | undefined {
    for (const r of this.cache.values()) if (r.fatal) return r.fatal;
    return this.cur?.fatal;
  }

  get m(): Machine<S, A> {
    if (!this.cur) throw new Error('no run yet');
    return this.cur.m;
  }
  /** Distinct configurations run so far. */
  get configs(): number {
    return this.seen.size;
  }
  /** The configuration of the last run. */
  get config(): Readonly<Record<string, ParamValue>> {
    return this.lastConfig;
  }

  run(sch: Schedule): boolean {
    const key = (sch.config ?? []).join(',');
    let r = this.cache.get(key);
    const config = drawnConfig(this.draw, sch);
    if (r === undefined) {
      try {
        r = this.make(this.draw.build(config) as Machine<S, A>);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new DrawError(`the drawn configuration ${JSON.stringify(config)} is invalid (${why}); narrow the model's draw ranges or pin the parameter with -p`);
      }
      if (this.cache.size >= DRAW_CACHE) this.evict();
      this.cache.set(key, r);
      this.seen.add(key);
    } else if (this.cache.size > 1) {
      // Least recently used goes first: move this one to the end.
      this.cache.delete(key);
      this.cache.set(key, r);
    }
    this.cur = r;
    this.lastConfig = config;
    return r.run(sch);
  }

  /** Drop the oldest runner, keeping its counters and witness depths. */
  private evict(): void {
    const [key, old] = this.cache.entries().next().value as [string, ScheduleRunner<S, A>];
    if (old === this.cur) return;
    this.cache.delete(key);
    this.evictedSteps += old.steps;
    this.evictedStates += old.states;
    const ws = old.witnesses();
    const acc = (this.evictedWitness ??= ws.map(() => -1));
    ws.forEach((w, i) => {
      if (w.depth !== undefined && (acc[i]! < 0 || w.depth < acc[i]!)) acc[i] = w.depth;
    });
  }

  witnesses(): WitnessResult[] {
    const all = [...this.cache.values()].map((r) => r.witnesses());
    if (all.length === 0) return [];
    return all[0]!.map((w, i) => {
      const e = this.evictedWitness?.[i] ?? -1;
      let depth: number | undefined = e >= 0 ? e : undefined;
      for (const ws of all) {
        const d = ws[i]?.depth;
        if (d !== undefined && (depth === undefined || d < depth)) depth = d;
      }
      return { name: w.name, reached: depth !== undefined, ...(depth !== undefined ? { depth } : {}) };
    });
  }

  mix(sch: Schedule): SwarmMix {
    return this.cur!.mix(sch);
  }

  violation(): Violation<S, A> {
    return this.cur!.violation();
  }
}

/**
 * The swarm kinds under a configuration draw: the union of the kinds of the base configuration
 * and of the configuration with every axis at its last value (the largest budgets), sorted.
 */
export function drawKinds<S, A>(m: Machine<S, A>, draw: ConfigDraw): string[] {
  const kinds = new Set(discoverKinds(m));
  if (draw.axes.length > 0) {
    const top = drawnConfig(draw, { config: draw.axes.map((a) => a.values.length - 1) });
    for (const k of discoverKinds(draw.build(top))) kinds.add(k);
  }
  return [...kinds].sort();
}

// ---------------------------------------------------------------------------------------------
// The check

/** Stops fast-check: a precondition failure with `interruptExecution`. */
function interrupt(): never {
  throw new fc.PreconditionFailure(true);
}

function positive(name: string, v: number, min = 1): number {
  if (!Number.isFinite(v) || v < min || (name !== 'timeLimitMs' && name !== 'shrinkTimeLimitMs' && !Number.isInteger(v))) {
    throw new InputError(`bound ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} ${name.endsWith('Ms') ? 'number' : 'integer'}, got ${v}`);
  }
  return v;
}

/** A fresh seed: a non-negative 31-bit integer. */
export function freshSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x80000000)) & 0x7fffffff;
}

/**
 * A machine's random runs as a fast-check property, for {@link checkRandom}, the vitest helper
 * and custom fast-check setups: run `fc.check(fc.property(p.arbitrary, p.predicate), p.parameters)`
 * (or `fc.asyncProperty`, or `test.prop([p.arbitrary], p.parameters)`), then `p.result(details)`
 * turns fast-check's run details into a {@link RandomResult} with the shrunk trace.
 */
export interface MachineProperty<S, A> {
  /** The schedule arbitrary. */
  readonly arbitrary: fc.Arbitrary<Schedule>;
  /** Run one schedule: true when every check holds. Enforces the bounds (stops fast-check when one is hit). */
  readonly predicate: (s: Schedule) => boolean;
  /** fast-check parameters: seed, numRuns, and path/endOnFailure when replaying. */
  readonly parameters: fc.Parameters<[Schedule]>;
  /** The swarm kinds of the encoding. */
  readonly kinds: readonly string[];
  readonly maxSteps: number;
  /** Build the result from fast-check's run details (re-executes and post-shrinks a counterexample). */
  readonly result: (details: fc.RunDetails<[Schedule]>) => RandomResult<S, A>;
}

/** Build the fast-check property of a machine's random runs (see {@link MachineProperty}). */
export function machineProperty<S, A>(m0: Machine<S, A>, opts: RandomOptions = {}): MachineProperty<S, A> {
  const guard = opts.purity === 'off' ? undefined : guardPurity(m0);
  const m = guard?.machine ?? m0;
  const guardUntil = opts.purity === 'full' ? Infinity : PURITY_FIRST_STEPS;
  const runs = positive('runs', opts.runs ?? RANDOM_DEFAULTS.runs);
  const maxSteps = positive('maxSteps', opts.maxSteps ?? RANDOM_DEFAULTS.maxSteps, 0);
  const timeLimitMs = positive('timeLimitMs', opts.timeLimitMs ?? RANDOM_DEFAULTS.timeLimitMs);
  const shrinkTimeLimitMs = positive('shrinkTimeLimitMs', opts.shrinkTimeLimitMs ?? RANDOM_DEFAULTS.shrinkTimeLimitMs);
  const seed = opts.seed ?? freshSeed();
  if (!Number.isSafeInteger(seed)) throw new InputError(`seed must be an integer, got ${seed}`);
  const checks = opts.checks && opts.checks.length > 0 ? opts.checks : undefined;
  selectChecks(m, checks);
  const draw = opts.draw && opts.draw.axes.length > 0 ? opts.draw : undefined;
  const kinds = opts.swarm === false ? [] : (opts.kinds ?? (draw ? drawKinds(m, draw) : discoverKinds(m)));
  // Every machine a drawn configuration builds is guarded too, all by the one switch of `guard`.
  const makeRunner = (mm: Machine<S, A>) =>
    new ScheduleRunner(guard !== undefined && mm !== m ? guardPurity(mm, guard).machine : mm, kinds, checks, opts.deadlock ?? false, maxSteps);
  const drawRunner = draw ? new DrawRunner<S, A>(draw, makeRunner) : undefined;
  const runner: Runner<S, A> = drawRunner ?? makeRunner(m);
  let drawError: DrawError | undefined;
  const arb = scheduleArbitrary(kinds.length, maxSteps, draw ? draw.axes.map((a) => a.values.length) : []);
  const replaying = opts.path !== undefined;
  // The clock starts at the first evaluation (a vitest helper builds the property at collection).
  let start = -1;
  const progressEvery = opts.progressEveryMs ?? 1000;
  let lastProgress = 0;
  let evaluations = 0;
  let searchRuns = 0;
  let stop: BoundHit | undefined;
  // Search counters, frozen at the first failure.
  let first: { runs: number; steps: number; states: number; ms: number; length: number; configs: number } | undefined;
  let shrinkStart = 0;
  let shrinkTests = 0;
  let shrinkBest = 0;
  let shrinkCut = false;

  /** Before each evaluation: bounds, interrupts, progress. Throws to stop fast-check. */
  const gate = (): void => {
    evaluations++;
    if (start < 0) {
      start = performance.now();
      lastProgress = start;
    }
    if (replaying) {
      if (evaluations > 1) interrupt();
      searchRuns++;
      return;
    }
    const now = performance.now();
    if (first === undefined) {
      if (opts.signal?.aborted) {
        stop = { kind: 'interrupted', limit: now - start };
        interrupt();
      }
      if (now - start > timeLimitMs) {
        stop = { kind: 'time', limit: timeLimitMs };
        interrupt();
      }
      searchRuns++;
    } else {
      shrinkTests++;
      if (now - shrinkStart > shrinkTimeLimitMs || opts.signal?.aborted) {
        shrinkCut = true;
        interrupt();
      }
    }
    if (opts.onProgress && now - lastProgress >= progressEvery) {
      lastProgress = now;
      const searchMs = (first?.ms ?? now - start) || 1;
      opts.onProgress({
        phase: first ? 'shrink' : 'search',
        runs: first?.runs ?? searchRuns,
        steps: first?.steps ?? runner.steps,
        stepsPerSecond: ((first?.steps ?? runner.steps) / searchMs) * 1000,
        elapsedMs: now - start,
        ...(first ? { shrinkLength: shrinkBest } : {}),
      });
    }
  };

  const body = (sch: Schedule): boolean => {
    gate();
    let ok: boolean;
    try {
      ok = runner.run(sch);
    } catch (e) {
      if (!(e instanceof DrawError)) throw e;
      drawError = e;
      interrupt();
      ok = true;
    }
    if (runner.fatal) interrupt();
    if (guard !== undefined && guard.freezing && runner.steps >= guardUntil) guard.freezing = false;
    if (!ok) {
      // From the first failure on, everything runs guarded: a counterexample made by a write
      // into a state is then reported as that write.
      if (guard !== undefined) guard.freezing = true;
      if (first === undefined) {
        const now = performance.now();
        first = { runs: searchRuns, steps: runner.steps, states: runner.states, ms: now - start, length: runner.len, configs: drawRunner?.configs ?? 1 };
        shrinkStart = now;
      }
      shrinkBest = runner.len;
    }
    return ok;
  };

  const params: fc.Parameters<[Schedule]> = {
    seed,
    numRuns: replaying ? 1 : runs,
    ...(replaying ? { path: opts.path!, endOnFailure: true } : {}),
    ...(opts.shrink === false ? { endOnFailure: true } : {}),
  };

  const finish = (details: fc.RunDetails<[Schedule]>): RandomResult<S, A> => {
    if (runner.fatal) throw runner.fatal;
    const end = performance.now();
    if (start < 0) start = end;
    if (drawError) throw new InputError(`model ${m.name}: ${drawError.message}`);
    const base = {
      seed: details.seed,
      maxSteps,
      kinds,
      shrink: opts.shrink ?? true,
      ...(checks ? { checks } : {}),
      ...(draw ? { draw: draw.axes } : {}),
    };
    const searchMs = first?.ms ?? end - start;
    const searchSteps = first?.steps ?? runner.steps;
    const statsBase = {
      runs: first?.runs ?? searchRuns,
      maxSteps,
      states: first?.states ?? runner.states,
      transitions: searchSteps,
      searchMs,
      stepsPerSecond: searchMs > 0 ? (searchSteps / searchMs) * 1000 : 0,
      ...(drawRunner ? { configs: first?.configs ?? drawRunner.configs } : {}),
    };
    if (details.failed && details.counterexample) {
      const sch = details.counterexample[0];
      if (runner.run(sch)) throw new Error('internal: the counterexample schedule passed on re-execution (is the machine deterministic?)');
      let violation = runner.violation();
      const fastCheckLength = violation.trace.steps.length;
      let traceTests = 0;
      let complete = !shrinkCut;
      const ddStart = performance.now();
      if ((opts.shrink ?? true) === true) {
        const sh = shrinkTrace(runner.m, withFailed(violation), violation, {
          ...(checks ? { checks } : {}),
          deadlock: opts.deadlock ?? false,
          timeLimitMs: shrinkTimeLimitMs,
        });
        traceTests = sh.tests;
        complete = complete && sh.complete;
        if (sh.status === 'shrunk' && sh.violation) violation = sh.violation;
      }
      const elapsedMs = performance.now() - start;
      return {
        ...base,
        status: 'violation',
        path: details.counterexamplePath,
        swarm: runner.mix(sch),
        ...(drawRunner ? { config: drawRunner.config } : {}),
        violation: explainError(m, violation, checks),
        stats: {
          ...statsBase,
          elapsedMs,
          shrink: {
            firstFailureLength: replaying ? 0 : (first?.length ?? fastCheckLength),
            fastCheckLength,
            finalLength: violation.trace.steps.length,
            fastCheckShrinks: details.numShrinks,
            fastCheckTests: shrinkTests,
            traceTests,
            complete,
            elapsedMs: performance.now() - (first ? start + first.ms : ddStart),
          },
        },
        witnesses: runner.witnesses(),
      };
    }
    let bound: BoundHit = stop ?? { kind: 'runs', limit: replaying ? 1 : runs };
    if (details.failed && !details.counterexample) {
      // fast-check failed without a counterexample (too many skips): report it as an error.
      throw new Error(`fast-check failed without a counterexample: ${String(details.errorInstance ?? 'unknown reason')}`);
    }
    if (!stop && details.interrupted && !replaying) bound = { kind: 'time', limit: timeLimitMs };
    return {
      ...base,
      status: 'bounded',
      path: null,
      swarm: null,
      bound,
      stats: { ...statsBase, elapsedMs: end - start },
      witnesses: runner.witnesses(),
    };
  };

  return { arbitrary: arb, predicate: body, parameters: params, kinds, maxSteps, result: finish };
}

/** The trace with a thrown-in-step action appended as a last step, for the shrinker to keep it. */
function withFailed<S, A>(v: Violation<S, A>): Trace<S, A> {
  if (!v.failedAction) return v.trace;
  const last = v.trace.steps.length === 0 ? v.trace.init : v.trace.steps[v.trace.steps.length - 1]!.state;
  return { ...v.trace, steps: [...v.trace.steps, { action: v.failedAction.action, actionIndex: v.failedAction.actionIndex, state: last }] };
}

/**
 * Run random schedules over `m` (see the module comment). Returns `violation` with the shrunk
 * trace, `seed`, `path` and the failing run's swarm mix, or `bounded` (a random run never
 * proves anything) with the bound that ended the search: `runs`, `time` or `interrupted`.
 */
export function checkRandom<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): RandomResult<S, A> {
  const p = machineProperty(m, opts);
  return p.result(fc.check(fc.property(p.arbitrary, p.predicate), p.parameters));
}

/**
 * {@link checkRandom}, yielding to the event loop about every 100 ms so that timers and signals
 * (Ctrl-C through `opts.signal`) are served during a long run. Same seed, same path, same
 * result. The CLI uses this.
 */
export async function checkRandomAsync<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): Promise<RandomResult<S, A>> {
  const p = machineProperty(m, opts);
  let lastYield = performance.now();
  const prop = fc.asyncProperty(p.arbitrary, async (sch: Schedule) => {
    const now = performance.now();
    if (now - lastYield >= 100) {
      lastYield = now;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return p.predicate(sch);
  });
  return p.result(await fc.check(prop, p.parameters));
}

/**
 * Whether `opts.path` (with `opts.seed`, `maxSteps` and the swarm kinds) names a run at all,
 * found without running the machine: fast-check walks the same generation and shrink tree with
 * a predicate that always fails. `ok`: the path names one run. `out-of-range`: a shrink index
 * past the last candidate (fast-check would run nothing). `malformed`: fast-check cannot walk it
 * (a run index or shrink step that does not exist with these `maxSteps` and kinds).
 */
export function pathStatus<S, A>(m: Machine<S, A>, opts: RandomOptions): 'ok' | 'out-of-range' | 'malformed' {
  if (opts.path === undefined) return 'ok';
  const p = machineProperty(m, { ...opts, shrink: false });
  try {
    const d = fc.check(fc.property(p.arbitrary, (_s: Schedule) => false), { ...p.parameters, endOnFailure: true });
    return d.failed ? 'ok' : 'out-of-range';
  } catch {
    return 'malformed';
  }
}

/** The options that replay a result's failing run: `seed`, `path`, `maxSteps`, `kinds`, `checks`, `shrink`. */
export function replayOptions(r: RandomResult): RandomOptions {
  return {
    shrink: r.shrink,
    seed: r.seed,
    ...(r.path !== null ? { path: r.path } : {}),
    maxSteps: r.maxSteps,
    kinds: r.kinds,
    swarm: r.kinds.length > 0,
    ...(r.checks ? { checks: r.checks } : {}),
  };
}

/** The trace-file origin of a random result: what replays it (seed, path, steps, kinds) and its mix. */
export function randomOrigin(r: RandomResult): TraceOrigin {
  return {
    runner: 'random',
    seed: r.seed,
    path: r.path ?? '',
    maxSteps: r.maxSteps,
    swarm: r.swarm ?? { kinds: r.kinds, excluded: [] },
    ...(r.checks ? { checks: r.checks } : {}),
    ...(r.draw ? { draw: Object.fromEntries(r.draw.map((a) => [a.name, a.values])) } : {}),
    ...(r.stats.shrink ? { shrink: { fastCheckLength: r.stats.shrink.fastCheckLength, length: r.stats.shrink.finalLength } } : {}),
  };
}

/** One line for a clean finish: "no violation in N runs of up to M steps (seed S)". */
export function describeRandomResult(r: RandomResult): string {
  if (r.status === 'violation' && r.violation) {
    return `${describeViolation(r.violation)} after ${r.violation.trace.steps.length} steps (seed ${r.seed}, path ${r.path})`;
  }
  const b = r.bound!;
  const why = b.kind === 'time' ? ' (time limit reached)' : b.kind === 'interrupted' ? ' (interrupted)' : '';
  const cfg = r.draw ? ` over ${(r.stats.configs ?? 0).toLocaleString('en-US')} configurations drawn from the seed` : '';
  return `no violation in ${r.stats.runs.toLocaleString('en-US')} runs of up to ${r.maxSteps.toLocaleString('en-US')} steps${cfg} (seed ${r.seed})${why}`;
}

/** The drawn part of a failing run's configuration, "nodes=4, crashes=1", or '' without a draw. */
export function drawnConfigText(r: Pick<RandomResult, 'draw' | 'config'>): string {
  if (!r.draw || !r.config) return '';
  return r.draw.map((a) => `${a.name}=${String(r.config![a.name])}`).join(', ');
}

/** The ranges of a draw, "crashes 0..2, delivery multiset|fifo". */
export function drawRangesText(axes: readonly DrawAxis[]): string {
  return axes
    .map((a) => {
      const v = a.values;
      const ints = v.every((x) => typeof x === 'number') && v.every((x, i) => i === 0 || x === (v[i - 1] as number) + 1);
      return `${a.name} ${ints && v.length > 1 ? `${String(v[0])}..${String(v[v.length - 1])}` : v.map(String).join('|')}`;
    })
    .join(', ');
}

/**
 * The message of a random-run failure: seed and path first (with the options to replay them),
 * then the violation and the readable shrunk trace.
 */
export function formatRandomFailure<S, A>(m: Machine<S, A>, r: RandomResult<S, A>): string {
  const v = r.violation!;
  const sh = r.stats.shrink;
  const replay = JSON.stringify({ seed: r.seed, path: r.path, maxSteps: r.maxSteps, ...(r.checks ? { checks: r.checks } : {}) });
  const mix = r.swarm && r.swarm.excluded.length > 0 ? `swarm mix: without ${r.swarm.excluded.join(', ')}` : 'swarm mix: every action kind';
  return [
    `seed ${r.seed}, path ${r.path} (replay: checkRandom(machine, ${replay}))`,
    `${describeViolation(v)} after ${v.trace.steps.length} steps` +
      (sh ? ` (found in run ${r.stats.runs}${sh.firstFailureLength > 0 ? ` at ${sh.firstFailureLength} steps` : ''}; shrunk to ${sh.fastCheckLength} by fast-check, ${sh.finalLength} by delta debugging)` : ''),
    mix,
    ...(r.config ? [`configuration drawn from the seed: ${drawnConfigText(r)} (ranges: ${drawRangesText(r.draw ?? [])})`] : []),
    formatTrace(m, v.trace, v),
  ].join('\n');
}

/**
 * {@link checkRandom}, throwing a {@link PropertyViolationError} on a violation, whose message
 * holds the seed, the path and the readable shrunk trace. Returns the (bounded) result otherwise.
 */
export function assertRandom<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): RandomResult<S, A> {
  const r = checkRandom(m, opts);
  if (r.status === 'violation') {
    const fm = opts.draw && r.config ? (opts.draw.build(r.config) as Machine<S, A>) : m;
    throw new PropertyViolationError(formatRandomFailure(fm, r), r as CheckResult);
  }
  return r;
}
