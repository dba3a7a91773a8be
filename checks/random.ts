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
export { assertRandom, checkRandom, checkRandomAsync, pathStatus } from './random/check.ts';
export { PURITY_FIRST_STEPS, RANDOM_DEFAULTS } from './random/types.ts';
export type { ConfigDraw, DrawAxis, RandomOptions, RandomProgress, RandomResult, RandomShrinkStats, RandomStats, Schedule, SwarmMix } from './random/types.ts';
export { discoverKinds, scheduleArbitrary } from './random/schedule.ts';
export { drawKinds, drawnConfig } from './random/draw.ts';
export { freshSeed, machineProperty, type MachineProperty } from './random/property.ts';
export { describeRandomResult, drawnConfigText, drawRangesText, formatRandomFailure, randomOrigin, replayOptions } from './random/describe.ts';
