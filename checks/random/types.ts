/**
 * The random runner's data: the schedule fast-check generates and shrinks, the configuration
 * draw, the options, the statistics and the result (see `checks/random.ts`).
 */
import type { Machine, ParamValue } from '../../impl/core/machine.ts';
import type { CheckResult, RunStats } from '../../impl/core/result.ts';

/** How many steps of a random search the default purity guard covers (then only failing runs). */
export const PURITY_FIRST_STEPS = 10_000;

/** The defaults of the mandatory bounds (and of the shrink budget). */
export const RANDOM_DEFAULTS = {
  runs: 1000,
  maxSteps: 200,
  timeLimitMs: 120_000,
  shrinkTimeLimitMs: 60_000,
  /**
   * Runs fast-check's shrinking may try before delta debugging takes over (with `shrink: true`).
   * fast-check shrinks the schedule's numbers, a run of hundreds of steps one choice at a time:
   * on Raft's figure8 it tried 142,206 runs in 35 s to go from 227 steps to 85, where delta
   * debugging then took 1,634 runs to reach 20; from the unshrunk run it reaches 20 or 21 in
   * about 5,000 runs (3–4 s). Its first tries still shrink the drawn configuration and the swarm
   * mix, which delta debugging cannot. A count, not a time, so the result does not depend on the
   * machine's speed.
   */
  fastCheckShrinkRuns: 1000,
  /** Distinct states the kind-discovery breadth-first walk visits. */
  discoverStates: 2000,
  /** Steps of the kind-discovery random walks, in all. */
  discoverWalkSteps: 20_000,
} as const;

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
  /**
   * With `shrink: true`, the runs fast-check's shrinking may try before delta debugging takes
   * over (default {@link RANDOM_DEFAULTS}.fastCheckShrinkRuns). `shrink: 'fast-check'` is bounded
   * by `shrinkTimeLimitMs` only.
   */
  readonly fastCheckShrinkRuns?: number;
  /** Called about every `progressEveryMs` (default 1000) with live counters. */
  readonly onProgress?: (p: RandomProgress) => void;
  readonly progressEveryMs?: number;
  /** Abort the run (Ctrl-C); honoured by {@link checkRandomAsync}. */
  readonly signal?: AbortSignal;
  /**
   * The purity guard (`checks/engine/purity.ts`): a write into a state by a step or check is a
   * `PurityError` (naming the action or check and the field), never a counterexample. `first`
   * (default): the first {@link PURITY_FIRST_STEPS} steps of the search, and every step from the
   * first failure on (so a counterexample is re-executed and shrunk fully guarded). `full`:
   * every step. `off`: none.
   */
  readonly purity?: 'full' | 'first' | 'off';
  /**
   * With `purity: 'first'`, how many steps are guarded from the start. Default
   * {@link PURITY_FIRST_STEPS}; a blocked (parallel or sharded) run guards its first block only.
   */
  readonly purityFirstSteps?: number;
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
