/**
 * The types of the shared environment: what a protocol declares (its {@link ProtocolTypes}, its
 * handlers in a {@link Protocol}), what handlers return ({@link Reaction} with {@link Effect}s),
 * the state the environment keeps ({@link EnvState}) and the actions it offers the checker
 * ({@link EnvAction}). See `impl/env/index.ts` for the guide.
 */
import type { Encoder } from '../core/encode.ts';
import type { EnvConfig } from './config.ts';
import type { Infer, Schema } from './schema.ts';

/** A node's id: 1..n. `0` is never a node, so protocols may use it for "none". */
export type { NodeId } from './nodeset.ts';
import type { NodeId } from './nodeset.ts';

/**
 * The types a protocol is made of, bundled so that every generic in the environment takes one
 * parameter. `durable`, `volatile` and `msg` are required; the others are optional, and leaving
 * one out removes its handlers from {@link Protocol} and its actions from the machine.
 *
 * Every type is plain, immutable data (objects, arrays, numbers, strings, booleans; `readonly`
 * fields): the checker encodes, compares and prints it.
 */
export interface ProtocolTypes {
  /** The part of a node's state that survives a crash. */
  readonly durable: unknown;
  /** The part of a node's state that a crash loses. */
  readonly volatile: unknown;
  /** The messages: a discriminated union on `type`. */
  readonly msg: { readonly type: string };
  /** The names of the node's timers (a string literal union). */
  readonly timer?: string;
  /** A client request's payload (JSON data: it is part of the action). */
  readonly request?: unknown;
  /** A spontaneous local step's payload (JSON data: it is part of the action). */
  readonly local?: unknown;
  /** The ghost (history) record invariants read; nodes never see it. */
  readonly ghost?: unknown;
}

/** The durable node state of `P`. */
export type DurableOf<P extends ProtocolTypes> = P['durable'];
/** The volatile node state of `P`. */
export type VolatileOf<P extends ProtocolTypes> = P['volatile'];
/** The message union of `P`. */
export type MsgOf<P extends ProtocolTypes> = P['msg'];
/** The timer names of `P` (`never` when it has none). */
export type TimerOf<P extends ProtocolTypes> = P extends { readonly timer: infer T extends string } ? T : never;
/** The client request payload of `P` (`never` when it has no clients). */
export type RequestOf<P extends ProtocolTypes> = P extends { readonly request: infer R } ? R : never;
/** The local action payload of `P` (`never` when it has none). */
export type LocalOf<P extends ProtocolTypes> = P extends { readonly local: infer L } ? L : never;
/** The ghost record of `P` (`undefined` when it has none). */
export type GhostOf<P extends ProtocolTypes> = P extends { readonly ghost: infer G } ? G : undefined;

// ---------------------------------------------------------------------------------------------
// Effects

/** Put `msg` in flight from the handling node to `to` (possibly itself). */
export interface SendEffect<M> {
  readonly kind: 'send';
  readonly to: NodeId;
  readonly msg: M;
}
/** Send `msg` to every other node, in id order. */
export interface BroadcastEffect<M> {
  readonly kind: 'broadcast';
  readonly msg: M;
}
/** Arm a timer of the handling node (arming an armed timer changes nothing). */
export interface SetTimerEffect<T> {
  readonly kind: 'set-timer';
  readonly timer: T;
}
/** Disarm a timer of the handling node (disarming a disarmed timer changes nothing). */
export interface CancelTimerEffect<T> {
  readonly kind: 'cancel-timer';
  readonly timer: T;
}
/** Update the ghost record: a pure function from the old record to the new one. */
export interface GhostEffect<G> {
  readonly kind: 'ghost';
  update(g: G): G;
}
/** A note for the message-sequence diagram ("becomes leader"); it changes no state. */
export interface NoteEffect {
  readonly kind: 'note';
  readonly label: string;
}

/** What a handler asks the environment to do, as data. Effects apply in order. */
export type Effect<P extends ProtocolTypes> =
  | SendEffect<MsgOf<P>>
  | BroadcastEffect<MsgOf<P>>
  | SetTimerEffect<TimerOf<P>>
  | CancelTimerEffect<TimerOf<P>>
  | GhostEffect<GhostOf<P>>
  | NoteEffect;

/** A running node's state, as handlers receive it. */
export interface NodeView<P extends ProtocolTypes> {
  readonly durable: DurableOf<P>;
  readonly volatile: VolatileOf<P>;
}

/**
 * What every handler returns: the node's new state and its effects. `{ ...node }` (or
 * `{ ...node, effects: [...] }`) keeps the state unchanged.
 */
export interface Reaction<P extends ProtocolTypes> {
  readonly durable: DurableOf<P>;
  readonly volatile: VolatileOf<P>;
  readonly effects?: readonly Effect<P>[];
}

/**
 * What a handler knows about where it runs, and typed constructors for its effects. Handlers
 * never see other nodes' state, the network or the ghost record.
 */
export interface Ctx<P extends ProtocolTypes> {
  /** This node's id. */
  readonly self: NodeId;
  /** The number of nodes. */
  readonly n: number;
  /** Every node id, 1..n. */
  readonly nodes: readonly NodeId[];
  /** Every node id but `self`. */
  readonly peers: readonly NodeId[];
  /** A majority quorum size: floor(n / 2) + 1. */
  readonly majority: number;
  /** This node's physical clock (always 0 when the configuration has no clocks). */
  readonly clock: number;
  /** This node's role (`node` when the protocol declares no roles). */
  readonly role: string;
  /** A node's name: `n1`, `n2`, ..., or by role (`a1`, `p2`) when the protocol declares roles. */
  name(id: NodeId): string;
  /** The ids of the nodes playing `role`, ascending (every node for `node` without roles). */
  members(role: string): readonly NodeId[];
  /** Effect: put `msg` in flight to `to`. */
  send(to: NodeId, msg: MsgOf<P>): SendEffect<MsgOf<P>>;
  /** Effect: send `msg` to every peer. */
  broadcast(msg: MsgOf<P>): BroadcastEffect<MsgOf<P>>;
  /** Effect: arm a timer. */
  setTimer(timer: TimerOf<P>): SetTimerEffect<TimerOf<P>>;
  /** Effect: disarm a timer. */
  cancelTimer(timer: TimerOf<P>): CancelTimerEffect<TimerOf<P>>;
  /** Effect: update the ghost record. */
  ghost(update: (g: GhostOf<P>) => GhostOf<P>): GhostEffect<GhostOf<P>>;
  /** Effect: annotate the diagram. */
  note(label: string): NoteEffect;
}

// ---------------------------------------------------------------------------------------------
// The protocol definition

/** Renames node ids inside a value: `f` maps each id 1..n to its new id (and 0 to 0). */
export type Renamer = (id: NodeId) => NodeId;

/**
 * How to rename node ids inside a protocol's data, for symmetry reduction. Every field that
 * holds a node id (or is indexed by one: an array with one entry per node) must be renamed by
 * the matching function; a renamer left out means "this part holds no node ids". Getting this
 * wrong makes the reduction unsound, so each symmetric protocol should test it (see
 * `checks/env/symmetry.test.ts`).
 */
export interface ProtocolSymmetry<P extends ProtocolTypes> {
  /** Groups of interchangeable ids (default: all nodes in one group). */
  classes?(n: number): readonly (readonly NodeId[])[];
  /** The durable part with its node ids renamed (and per-node arrays permuted). */
  renameDurable?(d: DurableOf<P>, f: Renamer): DurableOf<P>;
  /** The volatile part with its node ids renamed. */
  renameVolatile?(v: VolatileOf<P>, f: Renamer): VolatileOf<P>;
  /** A message with the node ids in its payload renamed (from/to are renamed by the environment). */
  renameMessage?(m: MsgOf<P>, f: Renamer): MsgOf<P>;
  /** The ghost record with its node ids renamed. */
  renameGhost?(g: GhostOf<P>, f: Renamer): GhostOf<P>;
  /** A timer name that embeds a node id (`retry-n2`), renamed; it must be a declared timer. */
  renameTimer?(t: TimerOf<P>, f: Renamer): TimerOf<P>;
  /**
   * A cheap digest of a node's own data that does not depend on node ids (e.g. its term and
   * role). Nodes are only mapped to each other in digest order, so a good digest cuts the
   * permutations tried; it must give the same number for a node and its renamed image.
   */
  signature?(node: { readonly up: boolean; readonly durable: DurableOf<P>; readonly volatile: VolatileOf<P> | null }): number;
}

/**
 * A protocol's data, declared once (see `schema.ts`). From it the environment derives the
 * canonical encodings, the trace views and message labels, the renaming under node permutations
 * and the per-node signatures, and it checks every state a handler produces against it ("step
 * produced an invalid state: …"). Ranges may depend on the configuration: give a function of it.
 */
export interface ProtocolSchema<P extends ProtocolTypes> {
  readonly durable: Schema<DurableOf<P>>;
  readonly volatile: Schema<VolatileOf<P>>;
  readonly msg: Schema<MsgOf<P>>;
  /** Required when the protocol has a ghost record. */
  readonly ghost?: Schema<GhostOf<P>>;
  /** Optional: the client requests' data; only their trace labels are derived from it (`request n1 <label>`). */
  readonly request?: Schema<RequestOf<P>>;
  /** Optional: the local steps' data; only their trace labels are derived from it (`local n1 <label>`). */
  readonly local?: Schema<LocalOf<P>>;
}

/** One role of a protocol's nodes (coordinator, participant, acceptor, replica, client, …). */
export interface RoleSpec {
  /** How many nodes play it. */
  readonly count: number;
  /** The prefix of its nodes' names: `a` gives `a1`, `a2`, … */
  readonly prefix: string;
  /** Whether its nodes may crash (default true). */
  readonly crashes?: boolean;
  /** Whether its nodes are interchangeable, so symmetry may permute them (default true). */
  readonly symmetric?: boolean;
  /**
   * How many of its nodes may be down at once (default: no limit beyond the configuration's
   * `maxDown`), e.g. a minority of acceptors.
   */
  readonly maxDown?: number;
}

/**
 * Failure-detector timeouts: for each timer named here, the nodes it waits for. Such a timer is
 * a "suspect" notification: while armed, it fires only when the environment's failure detector
 * suspects every node the function returns (and the list is not empty). Which suspicions the
 * detector makes is the configuration's `detector`:
 *
 * - `perfect`: a node is suspected only when it is down, or the partition in force stops its
 *   messages from reaching the observer ("cut off");
 * - `unreliable`: a running, reachable node may be suspected too (a false suspicion), at any
 *   time, each spending one unit of the `falseSuspicions` budget;
 * - `eventually-perfect`: false suspicions as `unreliable`, but only before the environment's
 *   `stabilize` action (global stabilization time), which the scheduler may take at any point
 *   and which ends them for good (the rest of the budget is forfeited).
 *
 * A fire is labelled `suspect p1 → c1 (p1 down)` / `(p1 cut off)` / `(p1 false)`.
 */
export type DetectorDeclaration<P extends ProtocolTypes> = {
  readonly [K in TimerOf<P>]?: (ctx: Ctx<P>, node: NodeView<P>) => readonly NodeId[];
};

/**
 * The protocol types a schema declares: `interface PingTypes extends SchemaTypes<typeof schema>
 * { readonly timer: 'retry' }`. Timers are added by hand; requests and local steps too, unless
 * the schema declares their `request` and `local` schemas (then their types are inferred).
 */
export type SchemaTypes<
  D extends { readonly durable: Schema<unknown>; readonly volatile: Schema<unknown>; readonly msg: Schema<{ readonly type: string }>; readonly ghost?: Schema<unknown>; readonly request?: Schema<unknown>; readonly local?: Schema<unknown> },
> = {
  readonly durable: Infer<D['durable']>;
  readonly volatile: Infer<D['volatile']>;
  readonly msg: Infer<D['msg']>;
} & (D extends { readonly ghost: Schema<infer G> } ? { readonly ghost: G } : unknown) &
  (D extends { readonly request: Schema<infer R> } ? { readonly request: R } : unknown) &
  (D extends { readonly local: Schema<infer L> } ? { readonly local: L } : unknown);

/** The handlers and hooks every protocol has. */
export interface ProtocolCore<P extends ProtocolTypes> {
  /** Model name: lowercase, kebab-case. */
  readonly name: string;
  /** Node `ctx.self`'s initial state, and the effects of starting it (timers, first messages). */
  init(ctx: Ctx<P>): Reaction<P>;
  /**
   * The roles its nodes play, in node order, with their counts (the node count is their sum).
   * Names, symmetry classes (one per symmetric role) and crash targets follow from it.
   * Without roles every node is a `node`, named `n1`, `n2`, …
   */
  readonly roles?: Readonly<Record<string, RoleSpec>>;
  /** Timers that are failure-detector timeouts, and the nodes each waits for (see {@link DetectorDeclaration}). */
  readonly detector?: DetectorDeclaration<P>;
  /**
   * Messages this protocol's handlers ignore: true when delivering `msg` from `from` to the node
   * (running, or down: `node.volatile` is null) would change nothing but the network, now and
   * for as long as the message stays in flight. On a multiset network the checker then leaves
   * such messages out of a state's identity, so states that differ only in them are explored
   * once; traces keep every message. The declaration is checked, not trusted: wherever the
   * reduction applies, and unless the configuration turns `checkIgnored` off, every explored
   * step delivers each message declared ignored and fails, naming the handler, if anything but the network changed, and fails if a
   * message declared ignored stops being ignored. `state` is the whole cluster, for declarations
   * that depend on other nodes (a delivery whose only effect is a reply that its receiver ignores).
   * It reads like the state (the same keys), and the checker notes which answers read its
   * network: a delivery that leads back to the same state (a stutter step) is then counted
   * without being taken, and only those answers are decided again (`Machine.stutters`).
   */
  ignores?(ctx: Ctx<P>, node: { readonly durable: DurableOf<P>; readonly volatile: VolatileOf<P> | null }, msg: MsgOf<P>, from: NodeId, state: EnvState<P>): boolean;
  /**
   * The receiver-only form of {@link ProtocolCore.ignores}: the same promise, decided from the
   * receiving node alone (its context, durable and volatile state) and the message. Its answers
   * are remembered by the receiver's encoded words and the packet, so a message is classified
   * once per receiver state, not once per explored state; prefer it to `ignores`, which is asked
   * again in every state. A protocol may declare both: a message is ignored when either says so
   * (`ignores` then holds what depends on other nodes or the network). It is checked like
   * `ignores`: it must not read anything but its arguments.
   */
  ignoresAtReceiver?(ctx: Ctx<P>, node: { readonly durable: DurableOf<P>; readonly volatile: VolatileOf<P> | null }, msg: MsgOf<P>, from: NodeId): boolean;
  /** Rebuild a node after a crash from its durable part (volatile state and timers are gone). */
  onRestart(ctx: Ctx<P>, durable: DurableOf<P>): Reaction<P>;
  /** A message `msg` from `from` is delivered to the running node `ctx.self`. */
  onMessage(ctx: Ctx<P>, node: NodeView<P>, msg: MsgOf<P>, from: NodeId): Reaction<P>;
  /** The node's clock advanced to `ctx.clock` (clock models only; optional). */
  onTick?(ctx: Ctx<P>, node: NodeView<P>): Reaction<P>;
  /**
   * The handlers read `ctx.clock` (set it when there is no `onTick`): the model then offers the
   * clock parameters `maxClock` and `maxSkew`.
   */
  readonly clocks?: boolean;
  /**
   * The protocol's data, declared once: encodings, views, labels, renamers and signatures are
   * derived from it (the hand-written hooks below, when present, take precedence: they are an
   * escape hatch for measured hot spots).
   */
  readonly schema?: ProtocolSchema<P> | ((config: EnvConfig) => ProtocolSchema<P>);
  /**
   * A fast canonical encoding of the durable part: self-delimiting (a fixed number of words, or
   * length-prefixed), equal exactly for equal values. Default: `out.value(d)`.
   */
  encodeDurable?(d: DurableOf<P>, out: Encoder): void;
  /** A fast canonical encoding of the volatile part (as `encodeDurable`). */
  encodeVolatile?(v: VolatileOf<P>, out: Encoder): void;
  /** A fast canonical encoding of a message (as `encodeDurable`); it also orders the network. */
  encodeMessage?(m: MsgOf<P>, out: Encoder): void;
  /** A fast canonical encoding of the ghost record (as `encodeDurable`). */
  encodeGhost?(g: GhostOf<P>, out: Encoder): void;
  /** A message's label in traces: default `Type(field=value, ...)`. */
  formatMessage?(m: MsgOf<P>): string;
  /** The durable part as JSON for traces. Default: the value as plain JSON. */
  viewDurable?(d: DurableOf<P>): unknown;
  /** The volatile part as JSON for traces. Default: the value as plain JSON. */
  viewVolatile?(v: VolatileOf<P>): unknown;
  /** The ghost record as JSON for traces. Default: the value as plain JSON. */
  viewGhost?(g: GhostOf<P>): unknown;
  /** Present when node ids are interchangeable: how to rename them (see {@link ProtocolSymmetry}). */
  readonly symmetry?: ProtocolSymmetry<P>;
}

/** The timer part of a protocol: present exactly when `P` declares `timer`. */
export type TimerPart<P extends ProtocolTypes> = [TimerOf<P>] extends [never]
  ? { readonly timers?: readonly never[] }
  : {
      /** Every timer name, once: the order of timer actions. At most 31. */
      readonly timers: readonly TimerOf<P>[];
      /** An armed timer fired (it is disarmed first; re-arm it with `setTimer` to repeat). */
      onTimer(ctx: Ctx<P>, node: NodeView<P>, timer: TimerOf<P>): Reaction<P>;
    };

/** The client part of a protocol: present exactly when `P` declares `request`. */
export type RequestPart<P extends ProtocolTypes> = [RequestOf<P>] extends [never]
  ? { readonly requests?: undefined }
  : {
      /**
       * The payloads a client may send: a fixed list, or a function of how many requests were
       * made before (`seq`, from 0) and the node count. Each payload is offered to every running
       * node that accepts it, while the `requests` budget lasts.
       */
      readonly requests: readonly RequestOf<P>[] | ((seq: number, n: number) => readonly RequestOf<P>[]);
      /** Which running nodes take which requests (default: all). */
      acceptsRequest?(ctx: Ctx<P>, node: NodeView<P>, req: RequestOf<P>): boolean;
      /** A client request arrives at `ctx.self`. */
      onClientRequest(ctx: Ctx<P>, node: NodeView<P>, req: RequestOf<P>): Reaction<P>;
      /** A request's label in traces (default: strings and numbers bare, anything else compact JSON). */
      formatRequest?(req: RequestOf<P>): string;
    };

/** The local-step part of a protocol: present exactly when `P` declares `local`. */
export type LocalPart<P extends ProtocolTypes> = [LocalOf<P>] extends [never]
  ? { readonly localActions?: undefined }
  : {
      /** The spontaneous steps a running node may take now (a choice, a decision). */
      localActions(ctx: Ctx<P>, node: NodeView<P>): readonly LocalOf<P>[];
      /** Take one of them. */
      onLocal(ctx: Ctx<P>, node: NodeView<P>, action: LocalOf<P>): Reaction<P>;
      /** A local step's label in traces (default: strings and numbers bare, anything else compact JSON). */
      formatLocal?(action: LocalOf<P>): string;
    };

/** The ghost part of a protocol: present exactly when `P` declares `ghost`. */
export type GhostPart<P extends ProtocolTypes> = [GhostOf<P>] extends [undefined]
  ? { readonly initGhost?: undefined }
  : {
      /** The ghost record of the initial state. */
      readonly initGhost: GhostOf<P>;
    };

/**
 * A protocol: how a node reacts, and nothing about delivery, faults or timers. The handlers a
 * protocol must write follow from its {@link ProtocolTypes}.
 */
export type Protocol<P extends ProtocolTypes> = ProtocolCore<P> & TimerPart<P> & RequestPart<P> & LocalPart<P> & GhostPart<P>;

/** Identity helper that types a protocol definition: `defineProtocol<EchoTypes>({ ... })`. */
export function defineProtocol<P extends ProtocolTypes>(p: Protocol<P>): Protocol<P> {
  return p;
}

// ---------------------------------------------------------------------------------------------
// The environment's state and actions

/** One node as the environment keeps it. */
export interface NodeSlot<P extends ProtocolTypes> {
  /** Running (true) or crashed. */
  readonly up: boolean;
  readonly durable: DurableOf<P>;
  /** The volatile part; `null` while the node is down. */
  readonly volatile: VolatileOf<P> | null;
  /** Armed timers: bit k is `protocol.timers[k]`. Always 0 while down. */
  readonly timers: number;
  /** The physical clock (0 when the configuration has no clocks). */
  readonly clock: number;
}

/**
 * Messages in flight with the same sender, receiver and payload, `count` copies of them.
 * `key` is the canonical encoding of (from, to, msg) as a string; it orders the network.
 */
export interface Packet<M> {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly msg: M;
  /** Copies in flight (always 1 in FIFO mode, where copies are separate entries). */
  readonly count: number;
  readonly key: string;
  /**
   * The environment's own: what it built once for every packet with this key (its deliver,
   * drop and duplicate actions), or undefined. Not part of the packet's identity (the key is).
   */
  readonly acts?: unknown;
}

/**
 * A partition in force. `groups` are sorted (each group ascending, groups by first member);
 * when `oneWay`, there are two groups and only messages from `groups[0]` to `groups[1]` are
 * blocked. `cut[i - 1]` has bit `j - 1` set when messages from node i to node j are blocked.
 */
export interface Partition {
  readonly groups: readonly (readonly NodeId[])[];
  readonly oneWay: boolean;
  readonly cut: readonly number[];
}

/** How much of each budget has been spent. */
export interface Usage {
  readonly crashes: number;
  readonly drops: number;
  readonly duplicates: number;
  readonly partitions: number;
  readonly requests: number;
  /** Timer fires (counted only when `timeouts` is bounded). */
  readonly timeouts: number;
  /** False suspicions of the failure detector (or all of them, once it stabilized). */
  readonly falseSuspicions: number;
}

/** The whole state of a protocol running in the environment. */
export interface EnvState<P extends ProtocolTypes> {
  /** `nodes[id - 1]`. */
  readonly nodes: readonly NodeSlot<P>[];
  /**
   * Messages in flight. Multiset mode: one {@link Packet} per distinct (from, to, msg), sorted
   * by `key`. FIFO mode: grouped by link (from, then to, ascending), in send order within a link.
   */
  readonly net: readonly Packet<MsgOf<P>>[];
  /** The partition in force, if any. */
  readonly partition: Partition | null;
  readonly used: Usage;
  readonly ghost: GhostOf<P>;
}

/** The environment's actions: message delivery, faults, timers, clients, local steps, clocks. */
export type EnvAction<P extends ProtocolTypes> =
  | { readonly type: 'deliver'; readonly from: NodeId; readonly to: NodeId; readonly msg: MsgOf<P> }
  | { readonly type: 'drop'; readonly from: NodeId; readonly to: NodeId; readonly msg: MsgOf<P> }
  | { readonly type: 'duplicate'; readonly from: NodeId; readonly to: NodeId; readonly msg: MsgOf<P> }
  | { readonly type: 'timer'; readonly node: NodeId; readonly timer: TimerOf<P> }
  | {
      readonly type: 'suspect';
      readonly node: NodeId;
      readonly timer: TimerOf<P>;
      /** The nodes suspected, and why: down, cut off by the partition, or a false suspicion. */
      readonly peers: readonly { readonly id: NodeId; readonly why: SuspectReason }[];
    }
  | { readonly type: 'request'; readonly node: NodeId; readonly request: RequestOf<P> }
  | { readonly type: 'local'; readonly node: NodeId; readonly action: LocalOf<P> }
  | { readonly type: 'tick'; readonly node: NodeId }
  | { readonly type: 'crash'; readonly node: NodeId }
  | { readonly type: 'restart'; readonly node: NodeId }
  | { readonly type: 'partition'; readonly groups: readonly (readonly NodeId[])[]; readonly oneWay: boolean }
  | { readonly type: 'heal' }
  | { readonly type: 'stabilize' };

/** Why the failure detector suspects a node. */
export type SuspectReason = 'down' | 'cut off' | 'false';

/** The action tags, in the order `actions()` lists them. */
export const ACTION_ORDER = [
  'deliver',
  'timer',
  'suspect',
  'request',
  'local',
  'tick',
  'drop',
  'duplicate',
  'crash',
  'restart',
  'partition',
  'heal',
  'stabilize',
] as const satisfies readonly EnvAction<ProtocolTypes>['type'][];
