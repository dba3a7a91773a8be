/**
 * Processes that do local events, sends and receives over the shared environment, each event
 * stamped by a clock under test, with the ghost record of every event ({@link ClockHistory}).
 *
 * This is the event model of Lamport (1978), section 2: a process is a sequence of events, each
 * a local event, the sending of a message or the receipt of one. The environment supplies the
 * rest: which process acts next, which message arrives (the `multiset` network reorders), and
 * the drop and duplicate faults. Local events and sends are client requests (`local`, or `send`
 * to a peer), and the `events` budget is the environment's request budget; receives come from
 * the network, one per delivery (a duplicated message is received twice).
 *
 * A {@link ClockAlgorithm} says how the clock moves at each kind of event; the process records
 * the event and the timestamp in the ghost record, together with the physical clock `pt` (the
 * environment's, for the hybrid clock). The message carries the timestamp and, as ghost data the
 * algorithm never reads, the index of the send event, so that the record can link the receipt
 * to its send. Clocks are durable: a crash only pauses a process.
 */
import { assertNever, int } from '../core/machine.ts';
import { envMachine, type EnvChecks, type EnvMachine } from '../env/machine.ts';
import { envParam } from '../env/params.ts';
import { envConfig, MAX_NODES, type Delivery, type EnvConfig } from '../env/config.ts';
import { S, type Schema } from '../env/schema.ts';
import { defineProtocol, type EnvState, type NodeId, type Protocol, type Reaction } from '../env/types.ts';
import { appendEvent, emptyHistory, type ClockEvent, type ClockHistory } from './history.ts';

/** Where an event happens: the process, the number of processes and its physical clock. */
export interface EventContext {
  readonly self: NodeId;
  readonly n: number;
  /** The process's physical clock (the environment's; 0 when the configuration has none). */
  readonly clock: number;
}

/**
 * A logical clock: the timestamp of each kind of event, from the process's current clock. The
 * clock's state is the timestamp of the process's last event (its initial value before any).
 */
export interface ClockAlgorithm<T> {
  /** Model name: `lamport`, `vector-clock`, `hlc`. */
  readonly name: string;
  /** Does the clock read the physical clock (`EventContext.clock`)? Then the model offers `maxClock` and `maxSkew`. */
  readonly physical?: boolean;
  /** The clock before any event. */
  init(self: NodeId, n: number): T;
  /** A local event. */
  local(t: T, at: EventContext): T;
  /** A send: the new clock, which the message carries. */
  send(t: T, at: EventContext): T;
  /** The receipt of a message stamped `m`. */
  receive(t: T, m: T, at: EventContext): T;
  /**
   * The timestamp's data, with its trace label (`L=3`, `V=[1,0,2]`, `hlc=(4,1)`: see
   * `algebra.ts`): the encoding, decoding, validation and every trace view of stamps are derived
   * from it.
   */
  readonly schema: Schema<T>;
}

/** A process's durable state: its clock and how many events it has had. */
export interface ClockNode<T> {
  readonly clock: T;
  /** Events so far: the index of the next one. */
  readonly events: number;
}

/** The only message: a timestamp, and (ghost) the index of its send event at the sender. */
export interface StampMsg<T> {
  readonly type: 'Stamp';
  readonly ev: number;
  readonly stamp: T;
}

/** What a client asks a process to do: a local event, or a send to a peer. */
export type ClockRequest = { readonly kind: 'local' } | { readonly kind: 'send'; readonly to: NodeId };

/** A clock process has no volatile state: its clock is durable (a crash only pauses it). */
export type NoVolatile = Readonly<Record<string, never>>;

/** The protocol types of a clock process. */
export interface ClockTypes<T> {
  readonly durable: ClockNode<T>;
  readonly volatile: NoVolatile;
  readonly msg: StampMsg<T>;
  readonly request: ClockRequest;
  readonly ghost: ClockHistory<T>;
}

/** A clock machine's state. */
export type ClockState<T> = EnvState<ClockTypes<T>>;

/** The largest clock value, event index or physical clock a record holds (a bound for the schema only). */
const MAX = 0x7fffffff;
const NONE: NoVolatile = {};

/**
 * A clock process's data, for a timestamp schema: encodings, validation and trace views are
 * derived from it. The labels show the stamp by its own label: a node as `L=3`, a message as
 * `Stamp(L=3)` (the send's index is ghost data, left out), the record as one line per event,
 * `n2.1 recv n1.1 L=1 pt=2`, under the process's name; requests as `local event`, `send to n2`.
 */
export function clockSchema<T>(stamp: Schema<T>) {
  const pt = S.int(0, MAX);
  const event = S.labelled(
    S.union('kind', { local: { pt, stamp }, send: { to: S.node(), pt, stamp }, recv: { from: S.node(), send: S.int(0, MAX), pt, stamp } }),
    (e, at) => `${at.node !== undefined && at.index !== undefined ? `${at.name(at.node)}.${at.index + 1} ` : ''}${describeEvent(e, at.name)} ${at.show(stamp, e.stamp)}${e.pt > 0 ? ` pt=${e.pt}` : ''}`,
  );
  return {
    durable: S.labelled(S.record({ clock: stamp, events: S.int(0, MAX) }), (d, at) => at.show(stamp, d.clock)),
    volatile: S.record({}),
    msg: S.labelled(S.union('type', { Stamp: { ev: S.int(0, MAX), stamp } }), (m, at) => `Stamp(${at.show(stamp, m.stamp)})`),
    ghost: S.record({ procs: S.inline(S.perNode(S.list(event))) }),
    request: S.labelled(S.union('kind', { local: {}, send: { to: S.node() } }), (r, at) => (r.kind === 'local' ? 'local event' : `send to ${at.name(r.to)}`)),
  };
}

/** The clock processes, `n` of them, with the clock `alg`. */
export function clockProtocol<T>(alg: ClockAlgorithm<T>, n: number): Protocol<ClockTypes<T>> {
  const menu: ClockRequest[] = [{ kind: 'local' }, ...Array.from({ length: n }, (_, i): ClockRequest => ({ kind: 'send', to: i + 1 }))];
  /** The node after `event`: its clock is the event's timestamp. */
  const record = (node: ClockNode<T>, event: ClockEvent<T>): ClockNode<T> => ({ clock: event.stamp, events: node.events + 1 });
  return defineProtocol<ClockTypes<T>>({
    name: alg.name,
    schema: clockSchema(alg.schema),
    clocks: alg.physical === true,
    initGhost: emptyHistory<T>(n),
    init: (ctx) => ({ durable: { clock: alg.init(ctx.self, ctx.n), events: 0 }, volatile: NONE }),
    onRestart: (_ctx, durable) => ({ durable, volatile: NONE }),
    requests: menu,
    acceptsRequest: (ctx, _node, req) => req.kind === 'local' || req.to !== ctx.self,
    onClientRequest(ctx, node, req): Reaction<ClockTypes<T>> {
      const d = node.durable;
      switch (req.kind) {
        case 'local': {
          const e: ClockEvent<T> = { kind: 'local', pt: ctx.clock, stamp: alg.local(d.clock, ctx) };
          return { durable: record(d, e), volatile: NONE, effects: [ctx.ghost((g) => appendEvent(g, ctx.self, e))] };
        }
        case 'send': {
          const e: ClockEvent<T> = { kind: 'send', to: req.to, pt: ctx.clock, stamp: alg.send(d.clock, ctx) };
          return {
            durable: record(d, e),
            volatile: NONE,
            effects: [ctx.send(req.to, { type: 'Stamp', ev: d.events, stamp: e.stamp }), ctx.ghost((g) => appendEvent(g, ctx.self, e))],
          };
        }
        default:
          return assertNever(req);
      }
    },
    onMessage(ctx, node, msg, from): Reaction<ClockTypes<T>> {
      const d = node.durable;
      const e: ClockEvent<T> = { kind: 'recv', from, send: msg.ev, pt: ctx.clock, stamp: alg.receive(d.clock, msg.stamp, ctx) };
      return { durable: record(d, e), volatile: NONE, effects: [ctx.ghost((g) => appendEvent(g, ctx.self, e))] };
    },
  });
}

/** `local`, `send→n2`, `recv n1.2`, with nodes named by `name`. */
export function describeEvent(e: ClockEvent<unknown>, name: (id: NodeId) => string): string {
  switch (e.kind) {
    case 'local':
      return 'local';
    case 'send':
      return `send→${name(e.to)}`;
    case 'recv':
      return `recv ${name(e.from)}.${e.send + 1}`;
    default:
      return assertNever(e);
  }
}

/** A clock machine: the processes with clock `alg` in the environment `config`, with `checks`. */
export function clockMachine<T>(alg: ClockAlgorithm<T>, config: Partial<EnvConfig>, checks: EnvChecks<ClockTypes<T>>): EnvMachine<ClockTypes<T>> {
  return envMachine(clockProtocol(alg, envConfig(config).nodes), config, checks);
}

/** The history of a clock machine's state (the accessor the specs take). */
export function historyOf<T>(s: ClockState<T>): ClockHistory<T> {
  return s.ghost;
}

/**
 * The parameters every clock model has: the process count, the event budget and the network's
 * faults (reordering is the `multiset` delivery; `fifo` turns it off).
 */
export function clockParams(defaults: { readonly nodes: number; readonly events: number }) {
  return {
    nodes: int(defaults.nodes, 1, MAX_NODES, 'number of processes (n1..nN)'),
    events: int(defaults.events, 0, 100, 'event budget: local events and sends, in total (receives come from the network)'),
    delivery: envParam('delivery'),
    drops: envParam('drops'),
    duplicates: envParam('duplicates'),
  } as const;
}

/** The environment configuration of a clock model's parameters: the event budget is the request budget. */
export function clockConfig(p: {
  readonly nodes: number;
  readonly events: number;
  readonly delivery: Delivery;
  readonly drops: number;
  readonly duplicates: number;
  readonly maxClock?: number;
  readonly maxSkew?: number;
}): Partial<EnvConfig> {
  return {
    nodes: p.nodes,
    requests: p.events,
    delivery: p.delivery,
    drops: p.drops,
    duplicates: p.duplicates,
    ...(p.maxClock !== undefined ? { maxClock: p.maxClock } : {}),
    ...(p.maxSkew !== undefined ? { maxSkew: p.maxSkew } : {}),
  };
}
