/**
 * The environment's parameters: node count, delivery semantics and the fault, client, timer and
 * clock budgets, with defaults, validation, and a parameter schema fragment for `defineModel`.
 */
import { InputError, type BoolParam, type EnumParam, type IntParam } from '../core/machine.ts';

/** How the network orders messages. */
export type Delivery = 'multiset' | 'fifo';
/** Which partitions the scheduler may impose. */
export type PartitionGroups = 'two' | 'any';
/** Which failure detector serves the protocol's suspect timeouts (see `DetectorDeclaration`). */
export type DetectorKind = 'perfect' | 'eventually-perfect' | 'unreliable';

/**
 * The environment's configuration. Every fault is bounded, so an exhaustive search is finite
 * whenever the protocol itself is.
 */
export interface EnvConfig {
  /** Number of nodes, n1..nN (1..16). Default 3. */
  readonly nodes: number;
  /**
   * `multiset` (default): any message in flight may be delivered next. `fifo`: per directed
   * link (from, to), only the oldest message in flight may be delivered (or dropped, or
   * duplicated).
   */
  readonly delivery: Delivery;
  /** K: crashes in total. Default 0. */
  readonly crashes: number;
  /** f: nodes down at once. Default 1. */
  readonly maxDown: number;
  /**
   * Crashed nodes may restart (crash-recovery); false is crash-stop, where a down node is down
   * forever and messages to it are dead letters: removed from the network when it crashes, and
   * discarded when sent. Default true.
   */
  readonly restarts: boolean;
  /**
   * Nodes down in the initial state (default 0): the last ones that may crash, unless the
   * protocol's roles say which (`RoleSpec.initiallyDown`). Each counts as a crash already spent.
   */
  readonly initiallyDown: number;
  /**
   * The failure detector behind the protocol's suspect timeouts: `perfect` (default),
   * `eventually-perfect` or `unreliable` (see `DetectorDeclaration`).
   */
  readonly detector: DetectorKind;
  /** False suspicions the detector may make, in total (not `perfect`). Default 0. */
  readonly falseSuspicions: number;
  /** Messages the network may lose, in total. Default 0. */
  readonly drops: number;
  /**
   * Messages the network may duplicate, in total (a copy goes back in flight, so the message
   * can be delivered twice). 0 (default) is a non-duplicating network.
   */
  readonly duplicates: number;
  /** Partitions the scheduler may impose, in total (each lasts until a heal). Default 0. */
  readonly partitions: number;
  /** `two` (default): splits into two groups. `any`: every split into two or more groups. */
  readonly partitionGroups: PartitionGroups;
  /** Also offer one-way cuts (A's messages to B blocked, B to A flowing). Default false. */
  readonly oneWay: boolean;
  /** Client requests in total. Default 0. */
  readonly requests: number;
  /** Timer fires in total; -1 (default) is unbounded (the protocol bounds itself). */
  readonly timeouts: number;
  /** Largest clock value; 0 (default) means no clocks and no tick actions. */
  readonly maxClock: number;
  /** Largest difference between any two clocks (a tick is enabled only if it keeps it). Default 1. */
  readonly maxSkew: number;
  /** Reduce by node symmetry (the protocol must declare `symmetry`). Default false. */
  readonly symmetry: boolean;
  /**
   * Leave the messages the protocol declares ignored (`protocol.ignores`) out of a state's
   * identity (multiset network only). Default true.
   */
  readonly reduceIgnored: boolean;
  /**
   * Check every `ignores` declaration on every explored step (a declaration that a changed
   * handler no longer keeps is an error, never a silent merge). Default true; turning it off
   * trusts the declaration. It guards `reduceIgnored`, so it runs only where that reduction does
   * (on a multiset network with `reduceIgnored` on): elsewhere no state is merged on the
   * declaration's word, and a stale one cannot hide anything.
   */
  readonly checkIgnored: boolean;
}

/** The defaults of {@link EnvConfig}. */
export const ENV_DEFAULTS: EnvConfig = {
  nodes: 3,
  delivery: 'multiset',
  crashes: 0,
  maxDown: 1,
  restarts: true,
  initiallyDown: 0,
  detector: 'perfect',
  falseSuspicions: 0,
  drops: 0,
  duplicates: 0,
  partitions: 0,
  partitionGroups: 'two',
  oneWay: false,
  requests: 0,
  timeouts: -1,
  maxClock: 0,
  maxSkew: 1,
  symmetry: false,
  reduceIgnored: true,
  checkIgnored: true,
};

/** The largest node count a model's `nodes` parameter offers (exhaustive search stops far below). */
export const MAX_NODES = 16;
/**
 * The largest node count the environment runs (for random mode and benchmarks at scale, such as
 * gossip at 64 nodes). Partitions and `S.nodeSet()` are 32-bit masks: they need at most 31 nodes.
 */
export const MAX_ENV_NODES = 64;

/**
 * A complete, validated configuration: `ENV_DEFAULTS` overridden by the env keys of `p` (other
 * keys, such as a model's own parameters, are ignored). Throws {@link InputError} on a bad value.
 */
export function envConfig(p: Partial<EnvConfig> = {}): EnvConfig {
  const c: EnvConfig = {
    nodes: p.nodes ?? ENV_DEFAULTS.nodes,
    delivery: p.delivery ?? ENV_DEFAULTS.delivery,
    crashes: p.crashes ?? ENV_DEFAULTS.crashes,
    maxDown: p.maxDown ?? ENV_DEFAULTS.maxDown,
    restarts: p.restarts ?? ENV_DEFAULTS.restarts,
    initiallyDown: p.initiallyDown ?? ENV_DEFAULTS.initiallyDown,
    detector: p.detector ?? ENV_DEFAULTS.detector,
    falseSuspicions: p.falseSuspicions ?? ENV_DEFAULTS.falseSuspicions,
    drops: p.drops ?? ENV_DEFAULTS.drops,
    duplicates: p.duplicates ?? ENV_DEFAULTS.duplicates,
    partitions: p.partitions ?? ENV_DEFAULTS.partitions,
    partitionGroups: p.partitionGroups ?? ENV_DEFAULTS.partitionGroups,
    oneWay: p.oneWay ?? ENV_DEFAULTS.oneWay,
    requests: p.requests ?? ENV_DEFAULTS.requests,
    timeouts: p.timeouts ?? ENV_DEFAULTS.timeouts,
    maxClock: p.maxClock ?? ENV_DEFAULTS.maxClock,
    maxSkew: p.maxSkew ?? ENV_DEFAULTS.maxSkew,
    symmetry: p.symmetry ?? ENV_DEFAULTS.symmetry,
    reduceIgnored: p.reduceIgnored ?? ENV_DEFAULTS.reduceIgnored,
    checkIgnored: p.checkIgnored ?? ENV_DEFAULTS.checkIgnored,
  };
  const nat = (k: keyof EnvConfig, v: number, min = 0, max = 1_000_000) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new InputError(`env parameter ${k} must be an integer in ${min}..${max}, got ${v}`);
  };
  nat('nodes', c.nodes, 1, MAX_ENV_NODES);
  nat('crashes', c.crashes);
  nat('maxDown', c.maxDown, 0, c.nodes);
  nat('drops', c.drops);
  nat('initiallyDown', c.initiallyDown, 0, c.nodes);
  nat('falseSuspicions', c.falseSuspicions);
  if (c.detector !== 'perfect' && c.detector !== 'eventually-perfect' && c.detector !== 'unreliable') {
    throw new InputError(`env parameter detector must be perfect, eventually-perfect or unreliable, got ${String(c.detector)}`);
  }
  if (c.detector === 'perfect' && c.falseSuspicions > 0) throw new InputError(`env parameter falseSuspicions needs detector=eventually-perfect or unreliable (a perfect detector never suspects falsely)`);
  nat('duplicates', c.duplicates);
  nat('partitions', c.partitions);
  if (c.partitions > 0 && c.nodes > 31) throw new InputError(`env parameter partitions needs nodes <= 31 (partitions are 32-bit masks), got nodes=${c.nodes}`);
  nat('requests', c.requests);
  nat('timeouts', c.timeouts, -1);
  nat('maxClock', c.maxClock);
  nat('maxSkew', c.maxSkew);
  if (c.delivery !== 'multiset' && c.delivery !== 'fifo') throw new InputError(`env parameter delivery must be multiset or fifo, got ${String(c.delivery)}`);
  if (c.partitionGroups !== 'two' && c.partitionGroups !== 'any') throw new InputError(`env parameter partitionGroups must be two or any, got ${String(c.partitionGroups)}`);
  return c;
}

/** The parameter schema fragment of the environment (every parameter; see `params.ts` for the ones a protocol uses). */
export interface EnvParamSchema {
  readonly nodes: IntParam;
  readonly delivery: EnumParam<Delivery>;
  readonly crashes: IntParam;
  readonly maxDown: IntParam;
  readonly restarts: BoolParam;
  readonly initiallyDown: IntParam;
  readonly drops: IntParam;
  readonly duplicates: IntParam;
  readonly partitions: IntParam;
  readonly partitionGroups: EnumParam<PartitionGroups>;
  readonly oneWay: BoolParam;
  readonly requests: IntParam;
  readonly timeouts: IntParam;
  readonly maxClock: IntParam;
  readonly maxSkew: IntParam;
  readonly detector: EnumParam<DetectorKind>;
  readonly falseSuspicions: IntParam;
  readonly symmetry: BoolParam;
}
