/**
 * The environment parameters a model offers, derived from its protocol's declaration: a
 * protocol without timers has no `timeouts`, without clocks no `maxClock`/`maxSkew`, without a
 * failure detector no `detector`/`falseSuspicions`, with roles no `nodes` (the roles fix the
 * count), and so on. The CLI rejects a parameter a model does not list ("unknown parameter"), so
 * `dscheck check twopc -p maxSkew=1` fails with exit 2 instead of being silently ignored.
 */
import { bool, int, oneOf } from '../core/machine.ts';
import { envConfig, MAX_NODES, type EnvConfig, type EnvParamSchema } from './config.ts';
import type { Protocol, ProtocolCore, ProtocolTypes } from './types.ts';

/** The environment parameters that may apply to a protocol, as `envParams` returns them. */
export type DerivedEnvParams = { readonly [K in keyof EnvParamSchema]?: EnvParamSchema[K] };

/** What `envParams` reads of a protocol: its declaration, never its handlers' behaviour. */
interface Declaration {
  readonly roles?: ProtocolCore<ProtocolTypes>['roles'];
  readonly detector?: Readonly<Record<string, unknown>>;
  readonly symmetry?: unknown;
  readonly onTick?: unknown;
  readonly clocks?: boolean;
  readonly timers?: readonly unknown[];
  readonly requests?: unknown;
}

/** The names of the environment parameters that apply to `protocol`, in schema order. */
export function applicableEnvParams<P extends ProtocolTypes>(decl: Protocol<P>): (keyof EnvParamSchema)[] {
  const protocol = decl as unknown as Declaration;
  const roles = protocol.roles === undefined ? undefined : Object.values(protocol.roles);
  const crashes = roles === undefined || roles.some((r) => (r.crashes ?? true) && r.count > 0);
  const timers = (protocol.timers?.length ?? 0) > 0;
  const detector = protocol.detector !== undefined && Object.values(protocol.detector).some((w) => w !== undefined);
  const clocks = protocol.onTick !== undefined || protocol.clocks === true;
  const keep: Record<keyof EnvParamSchema, boolean> = {
    nodes: roles === undefined,
    delivery: true,
    crashes,
    maxDown: crashes,
    restarts: crashes,
    initiallyDown: crashes,
    drops: true,
    duplicates: true,
    partitions: true,
    partitionGroups: true,
    oneWay: true,
    requests: protocol.requests !== undefined,
    timeouts: timers,
    maxClock: clocks,
    maxSkew: clocks,
    detector,
    falseSuspicions: detector,
    symmetry: protocol.symmetry !== undefined,
  };
  return (Object.keys(keep) as (keyof EnvParamSchema)[]).filter((k) => keep[k]);
}

/** Every environment parameter as a `defineModel` schema fragment, with these defaults. */
export function allEnvParams(defaults: Partial<EnvConfig> = {}): EnvParamSchema {
  const d = envConfig(defaults);
  return {
    nodes: int(d.nodes, 1, MAX_NODES, 'number of nodes (n1..nN)'),
    delivery: oneOf(['multiset', 'fifo'], d.delivery, 'network order: multiset (any message next) or fifo (per directed link)'),
    crashes: int(d.crashes, 0, 100, 'K: crashes in total (initially-down nodes included)'),
    maxDown: int(d.maxDown, 0, MAX_NODES, 'f: nodes down at the same time'),
    restarts: bool(d.restarts, 'crashed nodes may restart from their durable state (false: crash-stop; messages to a down node are dead letters)'),
    initiallyDown: int(d.initiallyDown, 0, MAX_NODES, 'nodes down in the initial state (the last ones that may crash; each counts as a crash)'),
    drops: int(d.drops, 0, 100, 'messages the network may lose, in total'),
    duplicates: int(d.duplicates, 0, 100, 'messages the network may duplicate, in total'),
    partitions: int(d.partitions, 0, 100, 'partitions that may be imposed, in total (each lasts until heal)'),
    partitionGroups: oneOf(['two', 'any'], d.partitionGroups, 'partition shapes: two groups, or any split into two or more'),
    oneWay: bool(d.oneWay, 'also allow one-way partitions (A cannot reach B, B reaches A)'),
    requests: int(d.requests, 0, 100, 'client requests in total'),
    timeouts: int(d.timeouts, -1, 1000, 'timer fires in total (-1: unbounded)'),
    maxClock: int(d.maxClock, 0, 1000, 'largest physical clock value (0: no clocks)'),
    maxSkew: int(d.maxSkew, 0, 1000, 'largest difference between two clocks'),
    detector: oneOf(['perfect', 'eventually-perfect', 'unreliable'], d.detector, 'failure detector: perfect (suspects only down or cut-off nodes), eventually-perfect (false suspicions before it stabilizes), unreliable (false suspicions any time)'),
    falseSuspicions: int(d.falseSuspicions, 0, 100, 'false suspicions the detector may make, in total (not with detector=perfect)'),
    symmetry: bool(d.symmetry, 'reduce by permutations of interchangeable nodes'),
  };
}

/**
 * The environment parameters that apply to `protocol`, as a `defineModel` schema fragment with
 * the model's own defaults: `params: { ...envParams(protocol, { crashes: 1 }), myFlag: bool(...) }`.
 * The model's `build` then passes its parameter object to `envMachine` (extra keys are ignored).
 * For a protocol built by a factory (`makeX(participants)`), pass any instance: only its
 * declaration (roles, timers, requests, detector, clocks, symmetry) is read.
 */
export function envParams<P extends ProtocolTypes>(protocol: Protocol<P>, defaults: Partial<EnvConfig> = {}): DerivedEnvParams {
  const all = allEnvParams(defaults);
  const out: Partial<Record<keyof EnvParamSchema, unknown>> = {};
  for (const k of applicableEnvParams(protocol)) out[k] = all[k];
  return out as DerivedEnvParams;
}

/**
 * One environment parameter as a schema entry with the model's default, for a model whose own
 * code reads that parameter: `envParams` types every entry as optional (which ones apply is
 * known only from the protocol value), so such a model names the entry after the spread:
 * `{ ...envParams(protocol, d), requests: envParam('requests', d) }`. The catalogue test checks
 * that every listed parameter applies to the model's protocol.
 */
export function envParam<K extends keyof EnvParamSchema>(key: K, defaults: Partial<EnvConfig> = {}): EnvParamSchema[K] {
  return allEnvParams(defaults)[key];
}
