/**
 * The environment's parameters: node count, delivery semantics and the fault, client, timer and
 * clock budgets, with defaults, validation, and a parameter schema fragment for `defineModel`.
 */
import { bool, InputError, int, oneOf, type BoolParam, type EnumParam, type IntParam } from '../core/machine.ts';

/** How the network orders messages. */
export type Delivery = 'multiset' | 'fifo';
/** Which partitions the scheduler may impose. */
export type PartitionGroups = 'two' | 'any';

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
  /** Crashed nodes may restart (crash-recovery); false is crash-stop. Default true. */
  readonly restarts: boolean;
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
   * trusts the declaration.
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

/** The largest node count. */
export const MAX_NODES = 16;

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
  nat('nodes', c.nodes, 1, MAX_NODES);
  nat('crashes', c.crashes);
  nat('maxDown', c.maxDown, 0, c.nodes);
  nat('drops', c.drops);
  nat('duplicates', c.duplicates);
  nat('partitions', c.partitions);
  nat('requests', c.requests);
  nat('timeouts', c.timeouts, -1);
  nat('maxClock', c.maxClock);
  nat('maxSkew', c.maxSkew);
  if (c.delivery !== 'multiset' && c.delivery !== 'fifo') throw new InputError(`env parameter delivery must be multiset or fifo, got ${String(c.delivery)}`);
  if (c.partitionGroups !== 'two' && c.partitionGroups !== 'any') throw new InputError(`env parameter partitionGroups must be two or any, got ${String(c.partitionGroups)}`);
  return c;
}

/** The parameter schema fragment of the environment, as {@link envParams} returns it. */
export interface EnvParamSchema {
  readonly nodes: IntParam;
  readonly delivery: EnumParam<Delivery>;
  readonly crashes: IntParam;
  readonly maxDown: IntParam;
  readonly restarts: BoolParam;
  readonly drops: IntParam;
  readonly duplicates: IntParam;
  readonly partitions: IntParam;
  readonly partitionGroups: EnumParam<PartitionGroups>;
  readonly oneWay: BoolParam;
  readonly requests: IntParam;
  readonly timeouts: IntParam;
  readonly maxClock: IntParam;
  readonly maxSkew: IntParam;
  readonly symmetry: BoolParam;
}

/**
 * The environment's parameters as a `defineModel` schema fragment, with a model's own defaults:
 * `params: { ...envParams({ nodes: 3, crashes: 1 }), myFlag: bool(...) }`. The model's `build`
 * then passes its parameter object to `envMachine` as the configuration (extra keys are ignored).
 */
export function envParams(defaults: Partial<EnvConfig> = {}): EnvParamSchema {
  const d = envConfig(defaults);
  return {
    nodes: int(d.nodes, 1, MAX_NODES, 'number of nodes (n1..nN)'),
    delivery: oneOf(['multiset', 'fifo'], d.delivery, 'network order: multiset (any message next) or fifo (per directed link)'),
    crashes: int(d.crashes, 0, 100, 'K: crashes in total'),
    maxDown: int(d.maxDown, 0, MAX_NODES, 'f: nodes down at the same time'),
    restarts: bool(d.restarts, 'crashed nodes may restart from their durable state (false: crash-stop)'),
    drops: int(d.drops, 0, 100, 'messages the network may lose, in total'),
    duplicates: int(d.duplicates, 0, 100, 'messages the network may duplicate, in total'),
    partitions: int(d.partitions, 0, 100, 'partitions that may be imposed, in total (each lasts until heal)'),
    partitionGroups: oneOf(['two', 'any'], d.partitionGroups, 'partition shapes: two groups, or any split into two or more'),
    oneWay: bool(d.oneWay, 'also allow one-way partitions (A cannot reach B, B reaches A)'),
    requests: int(d.requests, 0, 100, 'client requests in total'),
    timeouts: int(d.timeouts, -1, 1000, 'timer fires in total (-1: unbounded)'),
    maxClock: int(d.maxClock, 0, 1000, 'largest physical clock value (0: no clocks)'),
    maxSkew: int(d.maxSkew, 0, 1000, 'largest difference between two clocks'),
    symmetry: bool(d.symmetry, 'reduce by permutations of interchangeable nodes'),
  };
}
