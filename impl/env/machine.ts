/**
 * The environment as a checker {@link Machine}: a protocol's handlers plus the network, crashes,
 * partitions, timers, clients and clocks, with a fast canonical encoding, readable labels and
 * views, diagram events and optional symmetry reduction.
 */
import { WordBuffer, type Encoder } from '../core/encode.ts';
import {
  assertNever,
  InputError,
  type FrontierCodec,
  type Invariant,
  type Machine,
  type SymmetryKey,
  type TraceEvent,
  type TransitionProperty,
  type Witness,
} from '../core/machine.ts';
import { toPlain } from '../core/trace.ts';
import { userLocation } from '../core/culprit.ts';
import { envConfig, type EnvConfig } from './config.ts';
import { broadcast, cancelTimer, ghost, note, send, setTimer } from './effects.ts';
import { formatMessageDefault, formatMessageView, formatValue } from './format.ts';
import { duplicateOne, findPacket, insertPacket, isHead, keyWords, PacketCodec, packetId, removeOne, sortNetwork, WordsInterner } from './network.ts';
import { blocks, formatPartition, makePartition, partitionShapes, renamePartition } from './partition.ts';
import { symmetryCanonicalizer, symmetryKeyWriter } from './symmetry.ts';
import { encodeUsage, envRenamedEncoder } from './symkey.ts';
import { compile, mix, SchemaError, type Codec } from './schema.ts';
import { popcount } from './nodeset.ts';
import { roleLayout, roleNodeCount } from './roles.ts';
import type {
  Ctx,
  EnvAction,
  EnvState,
  GhostOf,
  LocalOf,
  MsgOf,
  NodeId,
  NodeSlot,
  NodeView,
  Packet,
  Partition,
  Protocol,
  ProtocolCore,
  ProtocolTypes,
  Reaction,
  RequestOf,
  SuspectReason,
  TimerOf,
  Usage,
} from './types.ts';

/** The checks a protocol adds to its machine. */
export interface EnvChecks<P extends ProtocolTypes> {
  /** Machine name (default: the protocol's name). */
  readonly name?: string;
  readonly invariants?: readonly Invariant<EnvState<P>>[];
  readonly properties?: readonly TransitionProperty<EnvState<P>, EnvAction<P>>[];
  readonly sometimes?: readonly Witness<EnvState<P>>[];
  /**
   * States with no enabled action that are proper ends, not deadlocks. (The machine adds the
   * states that only the spent timeouts budget stops: a node waits on an armed timer.)
   */
  isTerminal?(s: EnvState<P>): boolean;
}

/** One node in the JSON view of a state. */
export interface EnvNodeView {
  readonly up: boolean;
  readonly durable: unknown;
  /** `null` while down. */
  readonly volatile: unknown;
  /** Armed timers (when the protocol has timers). */
  readonly timers?: readonly string[];
  /** The clock (when the configuration has clocks). */
  readonly clock?: number;
}

/** The JSON view of a state, for traces and diffs. */
export interface EnvView {
  /** By node name. */
  readonly nodes: Readonly<Record<string, EnvNodeView>>;
  /** Messages in flight, `n1→n2 Ping(seq=1)`, one entry per copy, in network order. */
  readonly network: readonly string[];
  /** The partition in force, `{n1} | {n2,n3}`, or null. */
  readonly partition: string | null;
  /** Spent/allowed, for every budget the configuration allows. */
  readonly budgets: Readonly<Record<string, string>>;
  /** The ghost record (when the protocol has one). */
  readonly ghost?: unknown;
}

/** A protocol instantiated in the environment: a {@link Machine} with everything filled in. */
export interface EnvMachine<P extends ProtocolTypes> extends Machine<EnvState<P>, EnvAction<P>> {
  /** The validated configuration. */
  readonly config: EnvConfig;
  /** The protocol the machine runs. */
  readonly protocol: Protocol<P>;
  encode(s: EnvState<P>, out: Encoder): void;
  formatAction(a: EnvAction<P>): string;
  view(s: EnvState<P>): EnvView;
  nodes(): readonly string[];
  events(prev: EnvState<P>, a: EnvAction<P>, next: EnvState<P>): readonly TraceEvent[];
  /** A message's label. */
  formatMessage(m: MsgOf<P>): string;
  /**
   * The state with node ids renamed, `perm[old] = new` (`perm[0] = 0`): node slots, message
   * senders and receivers, timers, the partition, and (through the protocol's `symmetry`
   * renamers, when it has them) ids inside durable, volatile, message and ghost data.
   */
  rename(s: EnvState<P>, perm: readonly NodeId[]): EnvState<P>;
  /** The classes of interchangeable node ids the protocol declares (default: all nodes). */
  symmetryClasses(): readonly (readonly NodeId[])[];
}

/** A protocol with every optional part visible, for the implementation. */
interface LooseProtocol<P extends ProtocolTypes> extends ProtocolCore<P> {
  readonly timers?: readonly TimerOf<P>[];
  onTimer?(ctx: Ctx<P>, node: NodeView<P>, timer: TimerOf<P>): Reaction<P>;
  readonly requests?: readonly RequestOf<P>[] | ((seq: number, n: number) => readonly RequestOf<P>[]);
  acceptsRequest?(ctx: Ctx<P>, node: NodeView<P>, req: RequestOf<P>): boolean;
  onClientRequest?(ctx: Ctx<P>, node: NodeView<P>, req: RequestOf<P>): Reaction<P>;
  formatRequest?(req: RequestOf<P>): string;
  localActions?(ctx: Ctx<P>, node: NodeView<P>): readonly LocalOf<P>[];
  onLocal?(ctx: Ctx<P>, node: NodeView<P>, action: LocalOf<P>): Reaction<P>;
  formatLocal?(action: LocalOf<P>): string;
  readonly initGhost?: GhostOf<P>;
}

/** The actions on one packet, built once per distinct packet. */
interface PacketActions<P extends ProtocolTypes> {
  readonly deliver: EnvAction<P>;
  readonly drop: EnvAction<P>;
  readonly duplicate: EnvAction<P>;
}

/**
 * The answers for the last two slot objects asked (the most recently used first), for a pure
 * function of a node slot (and a fixed second argument). A state's successors share most of its
 * slots, so the parent's slot is asked again and again, between a successor's changed slot and
 * the next one's.
 */
class SlotMemo<T, X> {
  private slotA: object | null = null;
  private valueA: T;
  private slotB: object | null = null;
  private valueB: T;
  constructor(none: T) {
    this.valueA = none;
    this.valueB = none;
  }
  /** `compute(slot, x)`, remembered for `slot`. */
  get(slot: object, x: X, compute: (slot: object, x: X) => T): T {
    if (this.slotA === slot) return this.valueA;
    const v = this.slotB === slot ? this.valueB : compute(slot, x);
    this.slotB = this.slotA;
    this.valueB = this.valueA;
    this.slotA = slot;
    this.valueA = v;
    return v;
  }
}

/**
 * A machine's answers for one packet key (see `memoOf`): the receiver-only declaration, and the
 * delivery's residual (check mode). Exact: both are pure functions of the receiver's slot and
 * the packet's key.
 */
interface PacketMemo {
  readonly ignored: SlotMemo<boolean, Packet<unknown>>;
  readonly residual: SlotMemo<unknown, Packet<unknown>>;
}

const NO_USAGE: Usage = { crashes: 0, drops: 0, duplicates: 0, partitions: 0, requests: 0, timeouts: 0, falseSuspicions: 0 };

/**
 * Run `protocol` in the environment configured by `config` (defaults: {@link envConfig}), with
 * the protocol's invariants, properties and witnesses from `checks`. Throws {@link InputError}
 * on a bad configuration.
 */
export function envMachine<P extends ProtocolTypes>(
  protocol: Protocol<P>,
  config: Partial<EnvConfig> = {},
  checks: EnvChecks<P> = {},
): EnvMachine<P> {
  type S = EnvState<P>;
  type A = EnvAction<P>;
  type M = MsgOf<P>;
  const proto = protocol as unknown as LooseProtocol<P>;
  // With roles, the node count is the roles' sum.
  const cfg = envConfig(proto.roles ? { ...config, nodes: roleNodeCount(proto.roles, 0) } : config);
  const n = cfg.nodes;
  const layout = roleLayout(protocol.name, proto.roles, n);
  const nameOf = (id: NodeId): string => layout.names[id - 1] ?? `n${id}`;
  const membersOf = (role: string): readonly NodeId[] => layout.members.get(role) ?? [];
  const fifo = cfg.delivery === 'fifo';
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const names = layout.names;
  // The action kinds this configuration allows, in action order (for swarm testing and coverage).
  const kinds: string[] = ['deliver'];
  const detectorDecl = proto.detector as Readonly<Record<string, ((ctx: Ctx<P>, node: NodeView<P>) => readonly NodeId[]) | undefined>> | undefined;
  const watchOf: (((ctx: Ctx<P>, node: NodeView<P>) => readonly NodeId[]) | undefined)[] = (proto.timers ?? []).map((t) => detectorDecl?.[t]);
  const hasDetector = watchOf.some((w) => w !== undefined);
  for (const t of Object.keys(detectorDecl ?? {})) {
    if (!(proto.timers ?? []).includes(t as TimerOf<P>)) throw new InputError(`protocol ${protocol.name}: detector names timer ${t}, which is not in timers`);
  }
  if ((proto.timers?.length ?? 0) > 0 && cfg.timeouts !== 0) {
    if (watchOf.some((w) => w === undefined)) kinds.push('timer');
    if (hasDetector) kinds.push('suspect');
  }
  if (proto.onClientRequest !== undefined && cfg.requests > 0) kinds.push('request');
  if (proto.localActions !== undefined) kinds.push('local');
  if (cfg.maxClock > 0) kinds.push('tick');
  if (cfg.drops > 0) kinds.push('drop');
  if (cfg.duplicates > 0) kinds.push('duplicate');
  if (cfg.crashes > 0) kinds.push('crash');
  if (cfg.crashes > 0 && cfg.restarts) kinds.push('restart');
  if (cfg.partitions > 0) kinds.push('partition', 'heal');
  const stabilizes = hasDetector && cfg.detector === 'eventually-perfect' && cfg.falseSuspicions > 0;
  if (stabilizes) kinds.push('stabilize');
  const peersOf: NodeId[][] = [[], ...ids.map((i) => ids.filter((j) => j !== i))];
  const timerNames: readonly TimerOf<P>[] = proto.timers ?? [];
  if (timerNames.length > 31) throw new InputError(`protocol ${protocol.name}: at most 31 timers`);
  const timerBit = new Map<string, number>(timerNames.map((t, k) => [t, k]));
  if (timerBit.size !== timerNames.length) throw new InputError(`protocol ${protocol.name}: timer names must be distinct`);
  if (timerNames.length > 0 && !proto.onTimer) throw new InputError(`protocol ${protocol.name}: timers need onTimer`);
  // The handlers this configuration calls, checked now, before any search (not a TypeError mid-run).
  const need = (handler: string, why: string): void => {
    if (typeof (proto as unknown as Readonly<Record<string, unknown>>)[handler] === 'function') return;
    const at = userLocation(new Error());
    throw new InputError(`protocol ${protocol.name} has no ${handler} handler, needed for ${why}${at ? ` (machine built at ${at})` : ''}`);
  };
  need('init', 'the initial states');
  need('onMessage', 'message deliveries');
  if (cfg.crashes > 0 && cfg.restarts) need('onRestart', 'restart actions (crashes > 0 and restarts=true)');
  if (proto.requests !== undefined && cfg.requests > 0) need('onClientRequest', 'client requests (requests > 0)');
  if (proto.localActions !== undefined) need('onLocal', 'local actions');
  const hasRequests = proto.requests !== undefined && proto.onClientRequest !== undefined && cfg.requests > 0;
  const hasLocal = proto.localActions !== undefined && proto.onLocal !== undefined;
  const clocks = cfg.maxClock > 0;
  const timeoutsBounded = cfg.timeouts >= 0;
  // Initially-down nodes: the last ones that may crash; each is a crash already spent.
  const initiallyDown: NodeId[] = [];
  for (let id = n; id >= 1 && initiallyDown.length < cfg.initiallyDown; id--) if (layout.crashable[id - 1]) initiallyDown.unshift(id);
  if (initiallyDown.length < cfg.initiallyDown) throw new InputError(`initiallyDown=${cfg.initiallyDown}, but only ${initiallyDown.length} node(s) of ${protocol.name} may crash`);
  if (cfg.initiallyDown > cfg.crashes) throw new InputError(`initiallyDown=${cfg.initiallyDown} needs crashes >= ${cfg.initiallyDown} (each initially-down node is a crash already spent)`);
  if (cfg.initiallyDown > cfg.maxDown) throw new InputError(`initiallyDown=${cfg.initiallyDown} needs maxDown >= ${cfg.initiallyDown}`);
  for (const lim of layout.downLimits) {
    const k = initiallyDown.filter((id) => lim.ids.includes(id)).length;
    if (k > lim.maxDown) throw new InputError(`initiallyDown=${cfg.initiallyDown} puts ${k} ${layout.roleOf[lim.ids[0]! - 1]} node(s) down, more than the ${lim.maxDown} its role allows`);
  }
  if (cfg.detector !== 'perfect' && !hasDetector && cfg.falseSuspicions > 0) throw new InputError(`protocol ${protocol.name} declares no failure detector; falseSuspicions does not apply`);
  if (cfg.symmetry && !proto.symmetry) throw new InputError(`protocol ${protocol.name} does not declare symmetry; run it with symmetry=false`);

  // The protocol's declared data, compiled for this cluster: derived encoders, views, renamers.
  const schema = typeof proto.schema === 'function' ? proto.schema(cfg) : proto.schema;
  const derived = schema
    ? {
        durable: compile(schema.durable, { n, name: nameOf, members: membersOf }),
        volatile: compile(schema.volatile, { n, name: nameOf, members: membersOf }),
        msg: compile(schema.msg, { n, name: nameOf, members: membersOf }),
        ghost: schema.ghost ? compile(schema.ghost, { n, name: nameOf, members: membersOf }) : undefined,
        request: schema.request ? compile(schema.request, { n, name: nameOf, members: membersOf }) : undefined,
        local: schema.local ? compile(schema.local, { n, name: nameOf, members: membersOf }) : undefined,
      }
    : undefined;
  if (schema && proto.initGhost !== undefined && !schema.ghost) throw new InputError(`protocol ${protocol.name}: its schema must declare the ghost record`);
  /** An encoder that names where an invalid value sits ("n2 durable: log[].term: 9, expected …"). */
  const located = <T>(codec: Codec<T>, where: string, complete = false) => (v: T, out: Encoder): void => {
    try {
      codec.encode(v, out);
    } catch (e) {
      if (e instanceof SchemaError) throw new InvalidStateError(`${where}${e.message}`, complete);
      throw e;
    }
  };
  const encodeMessage = proto.encodeMessage
    ? proto.encodeMessage.bind(proto)
    : derived
      ? located(derived.msg, 'a message: ', true)
      : (m: M, out: Encoder) => out.value(m);
  const fastDurable = proto.encodeDurable ? proto.encodeDurable.bind(proto) : derived ? located(derived.durable, 'durable ') : undefined;
  const fastVolatile = proto.encodeVolatile ? proto.encodeVolatile.bind(proto) : derived ? located(derived.volatile, 'volatile ') : undefined;
  const fastGhost = proto.encodeGhost ? proto.encodeGhost.bind(proto) : derived?.ghost ? located(derived.ghost, 'the ghost record: ', true) : undefined;
  const encodeDurable = fastDurable ?? ((d: unknown, out: Encoder) => out.value(d));
  const encodeVolatile = fastVolatile ?? ((v: unknown, out: Encoder) => out.value(v));
  const encodeGhost = fastGhost ?? ((g: unknown, out: Encoder) => out.value(g));
  const viewDurable = proto.viewDurable ?? derived?.durable.view ?? toPlain;
  const viewVolatile = proto.viewVolatile ?? derived?.volatile.view ?? toPlain;
  const viewGhost = proto.viewGhost ?? derived?.ghost?.view ?? toPlain;
  const formatMessage = (m: M): string =>
    proto.formatMessage ? proto.formatMessage(m) : derived ? formatMessageView(derived.msg.view(m)) : formatMessageDefault(m);
  const formatRequest = (r: RequestOf<P>): string => (proto.formatRequest ? proto.formatRequest(r) : formatValue(derived?.request ? derived.request.view(r) : r));
  const formatLocal = (l: LocalOf<P>): string => (proto.formatLocal ? proto.formatLocal(l) : formatValue(derived?.local ? derived.local.view(l) : l));
  const codec = new PacketCodec<M>(encodeMessage, buildActs);
  // Messages the protocol declares ignored: left out of a state's identity (multiset only).
  // The receiver-only form is asked once per (receiver's words, packet); the whole-state form in every state.
  const ignores = proto.ignores ? proto.ignores.bind(proto) : undefined;
  const ignoresAtReceiver = proto.ignoresAtReceiver ? proto.ignoresAtReceiver.bind(proto) : undefined;
  const declaresIgnored = ignores !== undefined || ignoresAtReceiver !== undefined;
  const reduceIgnored = declaresIgnored && cfg.reduceIgnored && !fifo;
  // The check guards the reduction: without it (reduceIgnored off, or a FIFO network) the
  // declaration changes nothing the search does, so there is nothing a stale one could hide.
  const checkIgnored = reduceIgnored && cfg.checkIgnored;

  // ---- contexts: one per (node, clock value), built on first use
  const ctxs: Ctx<P>[][] = ids.map(() => []);
  const majority = Math.floor(n / 2) + 1;
  const ctxOf = (id: NodeId, clock: number): Ctx<P> => {
    const row = ctxs[id - 1]!;
    let c = row[clock];
    if (c === undefined) {
      c = {
        self: id,
        n,
        nodes: ids,
        peers: peersOf[id]!,
        majority,
        clock,
        role: layout.roleOf[id - 1]!,
        name: nameOf,
        members: membersOf,
        send,
        broadcast,
        setTimer,
        cancelTimer,
        ghost,
        note,
      };
      row[clock] = c;
    }
    return c;
  };

  // ---- action objects built once
  // Forgotten past 2¹⁶ packets (a long random run meets millions): a large table costs more in
  // cache misses than rebuilding an entry does.
  let packetActs = new Map<string, PacketActions<P>>();
  // Where this machine's packet actions carry their packet's key: a symbol of its own, so that an
  // action another machine built (whose codec may key its message otherwise) is keyed afresh.
  const ACTION_KEY = Symbol('packet key');
  function buildActs(from: NodeId, to: NodeId, msg: M, key: string): PacketActions<P> {
    const a: PacketActions<P> = {
      deliver: { type: 'deliver', from, to, msg },
      drop: { type: 'drop', from, to, msg },
      duplicate: { type: 'duplicate', from, to, msg },
    };
    // The packet's key rides on its actions, hidden (not enumerable: views, JSON, equality and
    // copies across threads do not see it; an action without it is keyed from its message).
    // (A WeakMap by action cost random runs, which meet millions of packets, in the collector.)
    for (const x of [a.deliver, a.drop, a.duplicate]) Object.defineProperty(x, ACTION_KEY, { value: key });
    return a;
  }
  /** The actions on `p`: carried by the packet (see `PacketCodec`), else looked up by key. */
  const actsOf = (p: Packet<M>): PacketActions<P> => {
    const carried = p.acts as PacketActions<P> | undefined;
    if (carried !== undefined) return carried;
    let a = packetActs.get(p.key);
    if (a === undefined) {
      a = buildActs(p.from, p.to, p.msg, p.key);
      if (packetActs.size >= 1 << 16) packetActs = new Map();
      packetActs.set(p.key, a);
    }
    return a;
  };
  // Where this machine keeps its memo on a packet's actions (a symbol of its own: another
  // machine's answers, on actions it built, are not this one's; hidden from views, copies and
  // the purity check). Made when first asked: random runs, which never ask, pay nothing.
  const MEMO = Symbol('packet memo');
  const memoOf = (p: Packet<M>): PacketMemo | undefined => {
    const acts = p.acts as Record<symbol, PacketMemo | undefined> | undefined;
    if (acts === undefined) return undefined;
    let m = acts[MEMO];
    if (m === undefined) {
      if (!Object.isExtensible(acts)) return undefined;
      m = { ignored: new SlotMemo<boolean, Packet<unknown>>(false), residual: new SlotMemo<unknown, Packet<unknown>>(null) };
      Object.defineProperty(acts, MEMO, { value: m, enumerable: false });
    }
    return m;
  };
  const keyOfAction = (a: { readonly from: NodeId; readonly to: NodeId; readonly msg: M }): string =>
    (a as unknown as Record<symbol, string | undefined>)[ACTION_KEY] ?? codec.key(a.from, a.to, a.msg);
  const timerActs: A[][] = ids.map((node) => timerNames.map((timer): A => ({ type: 'timer', node, timer })));
  const tickActs = ids.map((node): A => ({ type: 'tick', node }));
  const crashActs = ids.map((node): A => ({ type: 'crash', node }));
  const restartActs = ids.map((node): A => ({ type: 'restart', node }));
  const HEAL: A = { type: 'heal' };
  const shapeOf = new WeakMap<object, Partition>();
  const partitionActs: A[] = (cfg.partitions > 0 ? partitionShapes(n, cfg.partitionGroups, cfg.oneWay) : []).map((p): A => {
    const a: A = { type: 'partition', groups: p.groups, oneWay: p.oneWay };
    shapeOf.set(a, p);
    return a;
  });
  const requestMenus = new Map<number, { readonly req: RequestOf<P>; readonly acts: readonly A[] }[]>();
  const requestMenu = (seq: number) => {
    let menu = requestMenus.get(seq);
    if (menu === undefined) {
      const reqs = typeof proto.requests === 'function' ? proto.requests(seq, n) : (proto.requests ?? []);
      menu = reqs.map((req) => ({ req, acts: ids.map((node): A => ({ type: 'request', node, request: req })) }));
      requestMenus.set(seq, menu);
    }
    return menu;
  };

  // ---- applying a handler's reaction
  const checkId = (to: NodeId, what: string): void => {
    if (!Number.isInteger(to) || to < 1 || to > n) throw new Error(`${what}: no node ${String(to)} (nodes are 1..${n})`);
  };
  const bitOf = (t: TimerOf<P>, self: NodeId): number => {
    const k = timerBit.get(t);
    if (k === undefined) throw new Error(`${nameOf(self)}: unknown timer ${JSON.stringify(t)}; declare it in timers`);
    return 1 << k;
  };
  const packetEvent = (p: Packet<M>) => ({ from: nameOf(p.from), to: nameOf(p.to), label: formatMessage(p.msg), msgId: packetId(p.key) });
  const sendEvent = (p: Packet<M>): TraceEvent => ({ kind: 'send', ...packetEvent(p) });
  /**
   * Put one message in flight in a network array being built; under crash-stop, a message to a
   * down node (down for good) is a dead letter, discarded at once.
   */
  const put = (net: Packet<M>[], from: NodeId, to: NodeId, msg: M, log: TraceEvent[] | null, nodes: readonly NodeSlot<P>[]): void => {
    checkId(to, `${nameOf(from)} send`);
    putPacket(net, codec.packet(from, to, msg), log, nodes);
  };
  /** A send to a node down for good (crash-stop) is a dead letter: it never enters the network. */
  const isDeadLetter = (p: Packet<M>, nodes: readonly NodeSlot<P>[]): boolean => !cfg.restarts && p.to !== p.from && !nodes[p.to - 1]!.up;
  /** Put packet `p` into `net` (a dead letter is logged, not put). */
  const putPacket = (net: Packet<M>[], p: Packet<M>, log: TraceEvent[] | null, nodes: readonly NodeSlot<P>[]): void => {
    if (isDeadLetter(p, nodes)) {
      if (log) log.push(sendEvent(p), deadLetterEvent(p));
      return;
    }
    insertPacket(net, p, fifo);
    if (log) log.push(sendEvent(p));
  };
  const deadLetterEvent = (p: Packet<M>): TraceEvent => ({ kind: 'drop', ...packetEvent(p), label: `${formatMessage(p.msg)} (dead letter: ${nameOf(p.to)} is down for good)` });

  /**
   * The state after node `id` reacted with `r`, starting from timers `timers0`. `owned`: `net0`
   * is a fresh array no state holds yet (a delivery's), so sends go into it without a copy.
   */
  const apply = (
    s: S,
    id: NodeId,
    r: Reaction<P>,
    timers0: number,
    clock: number,
    net0: readonly Packet<M>[],
    partition: S['partition'],
    used: Usage,
    log: TraceEvent[] | null,
    owned = false,
  ): S => {
    if (typeof r !== 'object' || r === null) throw new Error(`${nameOf(id)}: a handler returned ${String(r)} instead of { durable, volatile, effects }`);
    let timers = timers0;
    let net = net0;
    let copied: Packet<M>[] | null = owned ? (net0 as Packet<M>[]) : null;
    let g = s.ghost;
    const effects = r.effects;
    if (effects !== undefined) {
      for (const e of effects) {
        switch (e.kind) {
          case 'send':
            copied ??= net.slice();
            put(copied, id, e.to, e.msg, log, s.nodes);
            break;
          case 'broadcast':
            copied ??= net.slice();
            for (const to of peersOf[id]!) put(copied, id, to, e.msg, log, s.nodes);
            break;
          case 'set-timer':
            timers |= bitOf(e.timer, id);
            break;
          case 'cancel-timer':
            timers &= ~bitOf(e.timer, id);
            break;
          case 'ghost':
            g = e.update(g);
            break;
          case 'note':
            if (log) log.push({ kind: 'local', node: nameOf(id), label: e.label });
            break;
          default:
            assertNever(e);
        }
      }
    }
    if (copied !== null) net = copied;
    const nodes = s.nodes.slice();
    nodes[id - 1] = { up: true, durable: r.durable, volatile: r.volatile, timers, clock };
    return { nodes, net, partition, used, ghost: g };
  };

  const viewOfSlot = (slot: NodeSlot<P>): NodeView<P> => slot as NodeView<P>;
  /** `u` with one more of `k` spent. */
  const usageWith = (u: Usage, k: keyof Usage, by = 1): Usage => {
    const { crashes, drops, duplicates, partitions, requests, timeouts, falseSuspicions } = u;
    switch (k) {
      case 'crashes':
        return { crashes: crashes + by, drops, duplicates, partitions, requests, timeouts, falseSuspicions };
      case 'drops':
        return { crashes, drops: drops + by, duplicates, partitions, requests, timeouts, falseSuspicions };
      case 'duplicates':
        return { crashes, drops, duplicates: duplicates + by, partitions, requests, timeouts, falseSuspicions };
      case 'partitions':
        return { crashes, drops, duplicates, partitions: partitions + by, requests, timeouts, falseSuspicions };
      case 'requests':
        return { crashes, drops, duplicates, partitions, requests: requests + by, timeouts, falseSuspicions };
      case 'timeouts':
        return { crashes, drops, duplicates, partitions, requests, timeouts: timeouts + by, falseSuspicions };
      case 'falseSuspicions':
        return { crashes, drops, duplicates, partitions, requests, timeouts, falseSuspicions: falseSuspicions + by };
    }
  };

  // ---- the failure detector
  /** Why `observer` suspects `peer` now: down, cut off, or (when not) a false suspicion. */
  const reasonOf = (s: S, observer: NodeId, peer: NodeId): SuspectReason =>
    !s.nodes[peer - 1]!.up ? 'down' : blocks(s.partition, peer, observer) ? 'cut off' : 'false';
  const suspectActs = new Map<string, A>();
  /** The suspect action of detector timer `k` of running node `id` in `s`, or null when the detector cannot fire it. */
  const suspectAction = (s: S, id: NodeId, k: number): A | null => {
    const slot = s.nodes[id - 1]!;
    const peers = watchOf[k]!(ctxOf(id, slot.clock), viewOfSlot(slot));
    if (peers.length === 0) return null;
    let key = `${id}:${k}`;
    let falsely = false;
    for (const p of peers) {
      checkId(p, `${nameOf(id)} detector ${String(timerNames[k])}`);
      if (p === id) return null; // a node never suspects itself
      const why = reasonOf(s, id, p);
      if (why === 'false') falsely = true;
      key += `:${p}${why[0]}`;
    }
    if (falsely && (cfg.detector === 'perfect' || s.used.falseSuspicions >= cfg.falseSuspicions)) return null;
    let a = suspectActs.get(key);
    if (a === undefined) {
      a = { type: 'suspect', node: id, timer: timerNames[k]!, peers: peers.map((p) => ({ id: p, why: reasonOf(s, id, p) })) };
      suspectActs.set(key, a);
    }
    return a;
  };
  const STABILIZE: A = { type: 'stabilize' };

  const notEnabled = (a: A, why: string): Error => new Error(`action ${formatAction(a)} is not enabled: ${why}`);

  /** Whether node `id` may tick: its clock stays within maxClock and all clocks within maxSkew. */
  const tickEnabled = (s: S, id: NodeId): boolean => {
    const c = s.nodes[id - 1]!.clock + 1;
    if (c > cfg.maxClock) return false;
    let max = c;
    let min = c;
    for (let j = 0; j < n; j++) {
      if (j === id - 1) continue;
      const x = s.nodes[j]!.clock;
      if (x > max) max = x;
      if (x < min) min = x;
    }
    return max - min <= cfg.maxSkew;
  };

  // ---- the transition function, optionally recording diagram events
  const transition = (s: S, a: A, log: TraceEvent[] | null): S => {
    switch (a.type) {
      case 'deliver':
      case 'drop':
      case 'duplicate': {
        const key = keyOfAction(a);
        const i = findPacket(s.net, a.from, a.to, key, fifo);
        if (i < 0) throw notEnabled(a, fifo ? 'no such message at the head of its link' : 'no such message in flight');
        const p = s.net[i]!;
        if (a.type === 'drop') {
          if (s.used.drops >= cfg.drops) throw notEnabled(a, 'drop budget spent');
          if (log) log.push({ kind: 'drop', ...packetEvent(p) });
          return { nodes: s.nodes, net: removeOne(s.net, i), partition: s.partition, used: usageWith(s.used, 'drops'), ghost: s.ghost };
        }
        if (a.type === 'duplicate') {
          if (s.used.duplicates >= cfg.duplicates) throw notEnabled(a, 'duplicate budget spent');
          if (log) log.push({ kind: 'duplicate', ...packetEvent(p) });
          return { nodes: s.nodes, net: duplicateOne(s.net, i, fifo), partition: s.partition, used: usageWith(s.used, 'duplicates'), ghost: s.ghost };
        }
        const slot = s.nodes[p.to - 1]!;
        if (!slot.up) throw notEnabled(a, `${nameOf(p.to)} is down`);
        if (blocks(s.partition, p.from, p.to)) throw notEnabled(a, 'the partition blocks it');
        if (log) log.push({ kind: 'deliver', ...packetEvent(p) });
        const r = proto.onMessage(ctxOf(p.to, slot.clock), viewOfSlot(slot), p.msg, p.from);
        return apply(s, p.to, r, slot.timers, slot.clock, removeOne(s.net, i), s.partition, s.used, log, true);
      }
      case 'timer': {
        const slot = s.nodes[a.node - 1];
        if (slot === undefined || !slot.up) throw notEnabled(a, 'the node is not running');
        const bit = bitOf(a.timer, a.node);
        if ((slot.timers & bit) === 0) throw notEnabled(a, 'the timer is not armed');
        if (watchOf[timerBit.get(a.timer)!] !== undefined) throw notEnabled(a, 'it is a failure-detector timeout: it fires as a suspect action');
        if (timeoutsBounded && s.used.timeouts >= cfg.timeouts) throw notEnabled(a, 'timeout budget spent');
        if (log) log.push({ kind: 'timer', node: nameOf(a.node), timer: String(a.timer) });
        const r = proto.onTimer!(ctxOf(a.node, slot.clock), viewOfSlot(slot), a.timer);
        return apply(s, a.node, r, slot.timers & ~bit, slot.clock, s.net, s.partition, timeoutsBounded ? usageWith(s.used, 'timeouts') : s.used, log);
      }
      case 'suspect': {
        const slot = s.nodes[a.node - 1];
        if (slot === undefined || !slot.up) throw notEnabled(a, 'the node is not running');
        const bit = bitOf(a.timer, a.node);
        const k = timerBit.get(a.timer)!;
        if ((slot.timers & bit) === 0 || watchOf[k] === undefined) throw notEnabled(a, 'the suspect timer is not armed');
        if (timeoutsBounded && s.used.timeouts >= cfg.timeouts) throw notEnabled(a, 'timeout budget spent');
        if (suspectAction(s, a.node, k) !== suspectActs.get(`${a.node}:${k}${a.peers.map((p) => `:${p.id}${p.why[0]}`).join('')}`)) {
          throw notEnabled(a, 'the failure detector does not suspect so now');
        }
        const falsely = a.peers.some((p) => p.why === 'false');
        if (log) log.push({ kind: 'timer', node: nameOf(a.node), timer: `${String(a.timer)}: ${suspectLabel(a.peers)}` });
        const r = proto.onTimer!(ctxOf(a.node, slot.clock), viewOfSlot(slot), a.timer);
        let used = timeoutsBounded ? usageWith(s.used, 'timeouts') : s.used;
        if (falsely) used = usageWith(used, 'falseSuspicions');
        return apply(s, a.node, r, slot.timers & ~bit, slot.clock, s.net, s.partition, used, log);
      }
      case 'stabilize': {
        if (!stabilizes || s.used.falseSuspicions >= cfg.falseSuspicions) throw notEnabled(a, 'the failure detector is already accurate');
        if (log) log.push({ kind: 'local', node: names[0]!, label: 'the failure detector stabilizes (accurate from now on)' });
        return { nodes: s.nodes, net: s.net, partition: s.partition, used: usageWith(s.used, 'falseSuspicions', cfg.falseSuspicions - s.used.falseSuspicions), ghost: s.ghost };
      }
      case 'request': {
        const slot = s.nodes[a.node - 1];
        if (slot === undefined || !slot.up) throw notEnabled(a, 'the node is not running');
        if (!hasRequests || s.used.requests >= cfg.requests) throw notEnabled(a, 'request budget spent');
        if (log) log.push({ kind: 'local', node: nameOf(a.node), label: `request ${formatRequest(a.request)}` });
        const r = proto.onClientRequest!(ctxOf(a.node, slot.clock), viewOfSlot(slot), a.request);
        return apply(s, a.node, r, slot.timers, slot.clock, s.net, s.partition, usageWith(s.used, 'requests'), log);
      }
      case 'local': {
        const slot = s.nodes[a.node - 1];
        if (slot === undefined || !slot.up || !hasLocal) throw notEnabled(a, 'the node is not running');
        if (log) log.push({ kind: 'local', node: nameOf(a.node), label: formatLocal(a.action) });
        const r = proto.onLocal!(ctxOf(a.node, slot.clock), viewOfSlot(slot), a.action);
        return apply(s, a.node, r, slot.timers, slot.clock, s.net, s.partition, s.used, log);
      }
      case 'tick': {
        const slot = s.nodes[a.node - 1];
        if (slot === undefined || !tickEnabled(s, a.node)) throw notEnabled(a, 'the clock bound or skew forbids it');
        const clock = slot.clock + 1;
        if (log) log.push({ kind: 'tick', node: nameOf(a.node), clock });
        if (slot.up && proto.onTick) {
          const r = proto.onTick(ctxOf(a.node, clock), viewOfSlot(slot));
          return apply(s, a.node, r, slot.timers, clock, s.net, s.partition, s.used, log);
        }
        const nodes = s.nodes.slice();
        nodes[a.node - 1] = { up: slot.up, durable: slot.durable, volatile: slot.volatile, timers: slot.timers, clock };
        return { nodes, net: s.net, partition: s.partition, used: s.used, ghost: s.ghost };
      }
      case 'crash': {
        const slot = s.nodes[a.node - 1];
        if (slot === undefined || !slot.up) throw notEnabled(a, 'the node is not running');
        if (s.used.crashes >= cfg.crashes) throw notEnabled(a, 'crash budget spent');
        if (downCount(s) >= cfg.maxDown) throw notEnabled(a, `${cfg.maxDown} node(s) already down`);
        if (!crashAllowed(s, a.node - 1)) throw notEnabled(a, `${layout.roleOf[a.node - 1]} nodes do not crash, or enough of them are down`);
        if (log) log.push({ kind: 'crash', node: nameOf(a.node) });
        const nodes = s.nodes.slice();
        nodes[a.node - 1] = { up: false, durable: slot.durable, volatile: null, timers: 0, clock: slot.clock };
        return { nodes, net: cfg.restarts ? s.net : deadLetters(s.net, a.node, log), partition: s.partition, used: usageWith(s.used, 'crashes'), ghost: s.ghost };
      }
      case 'restart': {
        const slot = s.nodes[a.node - 1];
        if (slot === undefined || slot.up || !cfg.restarts) throw notEnabled(a, 'the node is not down, or restarts are off');
        if (log) log.push({ kind: 'restart', node: nameOf(a.node) });
        const r = proto.onRestart(ctxOf(a.node, slot.clock), slot.durable);
        return apply(s, a.node, r, 0, slot.clock, s.net, s.partition, s.used, log);
      }
      case 'partition': {
        if (s.partition !== null) throw notEnabled(a, 'a partition is already in force');
        if (s.used.partitions >= cfg.partitions) throw notEnabled(a, 'partition budget spent');
        const partition = shapeOf.get(a) ?? makePartition(a.groups, a.oneWay, n);
        if (log) log.push({ kind: 'partition', groups: partition.groups.map((g) => g.map(nameOf)), ...(a.oneWay ? { oneWay: true } : {}) });
        return { nodes: s.nodes, net: s.net, partition, used: usageWith(s.used, 'partitions'), ghost: s.ghost };
      }
      case 'heal': {
        if (s.partition === null) throw notEnabled(a, 'no partition is in force');
        if (log) log.push({ kind: 'heal' });
        return { nodes: s.nodes, net: s.net, partition: null, used: s.used, ghost: s.ghost };
      }
      default:
        return assertNever(a);
    }
  };

  /** Crash-stop: the network without the messages to `id`, which is down for good. */
  const deadLetters = (net: readonly Packet<M>[], id: NodeId, log: TraceEvent[] | null): readonly Packet<M>[] => {
    if (!net.some((p) => p.to === id && p.from !== id)) return net;
    const kept: Packet<M>[] = [];
    for (const p of net) {
      if (p.to !== id || p.from === id) kept.push(p);
      else if (log) for (let c = 0; c < p.count; c++) log.push(deadLetterEvent(p));
    }
    return kept;
  };
  /** Whether node `i + 1` (running) may crash now: its role crashes and its role's limit allows it. */
  const crashAllowed = (s: S, i: number): boolean => {
    if (!layout.crashable[i]) return false;
    for (const lim of layout.downLimits) {
      if (!lim.ids.includes(i + 1)) continue;
      let down = 0;
      for (const id of lim.ids) if (!s.nodes[id - 1]!.up) down++;
      if (down >= lim.maxDown) return false;
    }
    return true;
  };

  const downCount = (s: S): number => {
    let c = 0;
    for (const slot of s.nodes) if (!slot.up) c++;
    return c;
  };

  // ---- labels
  const suspectLabel = (peers: readonly { readonly id: NodeId; readonly why: SuspectReason }[]): string =>
    `suspects ${peers.map((p) => `${nameOf(p.id)} (${p.why})`).join(', ')}`;
  const formatAction = (a: A): string => {
    switch (a.type) {
      case 'deliver':
      case 'drop':
      case 'duplicate':
        return `${a.type} ${nameOf(a.from)}→${nameOf(a.to)} ${formatMessage(a.msg)}`;
      case 'timer':
        return `timer ${nameOf(a.node)} ${String(a.timer)}`;
      case 'suspect':
        return `suspect ${a.peers.map((p) => nameOf(p.id)).join(',')} → ${nameOf(a.node)} (${a.peers.map((p) => `${nameOf(p.id)} ${p.why}`).join(', ')})`;
      case 'stabilize':
        return 'stabilize (the failure detector is accurate from now on)';
      case 'request':
        return `request ${nameOf(a.node)} ${formatRequest(a.request)}`;
      case 'local':
        return `local ${nameOf(a.node)} ${formatLocal(a.action)}`;
      case 'crash':
        return cfg.restarts ? `crash ${nameOf(a.node)}` : `crash ${nameOf(a.node)} (for good)`;
      case 'tick':
      case 'restart':
        return `${a.type} ${nameOf(a.node)}`;
      case 'partition':
        return `partition ${formatPartition(a.groups, a.oneWay, nameOf)}`;
      case 'heal':
        return 'heal';
      default:
        return assertNever(a);
    }
  };

  // ---- encoding. With the protocol's own (fast) encoders, node slots are written directly.
  // With the generic `value` walk (slow: it sorts object keys), each slot's and the ghost
  // record's encoding is computed once and cached by object identity: states share unchanged
  // slots, so most of them are found in the cache.
  const writeSlot = (slot: NodeSlot<P>, w: Encoder): void => {
    w.int(slot.up ? 1 : 0);
    w.int(slot.timers);
    if (clocks) w.int(slot.clock);
    encodeDurable(slot.durable, w);
    if (slot.up) encodeVolatile(slot.volatile as P['volatile'], w);
  };
  const cacheSlots = !fastDurable || !fastVolatile;
  const slotWords = new WordBuffer();
  const slotKeys = new WeakMap<NodeSlot<P>, string>();
  const encodeSlot = (slot: NodeSlot<P>, out: Encoder): void => {
    if (!cacheSlots) {
      writeSlot(slot, out);
      return;
    }
    let k = slotKeys.get(slot);
    if (k === undefined) {
      slotWords.reset();
      writeSlot(slot, slotWords);
      k = slotWords.key();
      slotKeys.set(slot, k);
    }
    out.str(k);
  };
  const ghostWords = new WordBuffer();
  const ghostKeys = new WeakMap<object, string>();
  const encodeGhostCached = (g: GhostOf<P>, out: Encoder): void => {
    if (fastGhost || typeof g !== 'object' || g === null) {
      encodeGhost(g, out);
      return;
    }
    let k = ghostKeys.get(g);
    if (k === undefined) {
      ghostWords.reset();
      encodeGhost(g, ghostWords);
      k = ghostWords.key();
      ghostKeys.set(g, k);
    }
    out.str(k);
  };
  /**
   * What `ignores` is given as the state: `s` itself, seen through a probe that counts reads of
   * the network. A declaration that did not read the network gives the same answer in every
   * state with the same nodes, partition, budgets and ghost (it is pure), whatever is in flight:
   * stutter steps use that (see `stutters`).
   */
  let probeTarget: S | null = null;
  let probeNetReads = 0;
  // Exactly a state's own enumerable keys (`net` an accessor), so that a declaration may spread
  // or destructure it like the state itself.
  const probe = {
    nodes: [] as S['nodes'],
    partition: null as S['partition'],
    used: NO_USAGE as S['used'],
    ghost: undefined as S['ghost'],
    get net(): S['net'] {
      probeNetReads++;
      return probeTarget!.net;
    },
  };
  const probeOf = (s: S): S => {
    if (probeTarget !== s) {
      probe.nodes = s.nodes;
      probe.partition = s.partition;
      probe.used = s.used;
      probe.ghost = s.ghost;
      probeTarget = s;
    }
    return probe as S;
  };
  /** How many times `ignores` has read a state's network so far. */
  const netReads = (): number => probeNetReads;
  const isIgnored = (s: S, p: Packet<M>): boolean => {
    const slot = s.nodes[p.to - 1]!;
    if (ignoresAtReceiver !== undefined && ignoredAtReceiver(slot, p)) return true;
    return ignores !== undefined && ignores(ctxOf(p.to, slot.clock), slot, p.msg, p.from, probeOf(s));
  };
  /** The ignored-message flags of `s` (1: declared ignored) into `out[0 .. net.length)`. */
  const ignoredFlagsInto = (s: S, out: Uint8Array): void => {
    for (let i = 0; i < s.net.length; i++) out[i] = isIgnored(s, s.net[i]!) ? 1 : 0;
  };
  let keepScratch = new Uint8Array(16);
  /** The ignored-message flags of a state, when the check mode computed them (else undefined). */
  let cachedFlags = (_s: S): Uint8Array | undefined => undefined;
  const encode = (s: S, out: Encoder): void => {
    for (let i = 0; i < s.nodes.length; i++) {
      const slot = s.nodes[i]!;
      if (!derived) {
        encodeSlot(slot, out);
        continue;
      }
      try {
        encodeSlot(slot, out);
      } catch (e) {
        if (e instanceof InvalidStateError && !e.located) throw new InvalidStateError(`${nameOf(i + 1)} ${e.message}`, true);
        throw e;
      }
    }
    const net = s.net;
    if (reduceIgnored) {
      // Each declaration is asked once per message: the count goes first, so remember the answers.
      // (The check mode has them already for the states it checked.)
      if (keepScratch.length < net.length) keepScratch = new Uint8Array(2 * net.length);
      let flags = cachedFlags(s);
      if (flags === undefined) {
        ignoredFlagsInto(s, keepScratch);
        flags = keepScratch;
      }
      let kept = net.length;
      for (let i = 0; i < net.length; i++) kept -= flags[i]!;
      out.int(kept);
      for (let i = 0; i < net.length; i++) {
        if (flags[i] === 1) continue;
        out.str(net[i]!.key);
        out.int(net[i]!.count);
      }
    } else {
      out.int(net.length);
      for (const p of net) {
        out.str(p.key);
        if (!fifo) out.int(p.count);
      }
    }
    const part = s.partition;
    if (part === null) out.int(0);
    else {
      out.int(1);
      for (const c of part.cut) out.int(c);
    }
    encodeUsage(s.used, hasDetector, out);
    encodeGhostCached(s.ghost, out);
  };

  // ---- the whole state, for frontiers held encoded (`Machine.frontier`): every slot, every
  // packet (those left out of the state's identity too, with their counts, in network order),
  // the partition, the budgets and the ghost. Only with the schema's codecs, which decode: a
  // hand-written encoder has no inverse, and the frontier then holds objects.
  const wholeCodecs =
    derived && !proto.encodeDurable && !proto.encodeVolatile && !proto.encodeMessage && !proto.encodeGhost && (derived.ghost !== undefined || proto.initGhost === undefined)
      ? derived
      : undefined;
  const frontier: FrontierCodec<S> | undefined = wholeCodecs && {
    encode(s: S, out: Encoder): void {
      // Each slot after its length, so that decoding finds a slot met before by its words.
      const direct = out instanceof WordBuffer ? out : null;
      for (const slot of s.nodes) {
        const w = direct ?? slotScratch;
        if (direct === null) slotScratch.reset();
        const at = w.len;
        w.int(0);
        w.int(slot.up ? 1 : 0);
        w.int(slot.timers);
        w.int(slot.clock);
        wholeCodecs.durable.encode(slot.durable, w);
        if (slot.up) wholeCodecs.volatile.encode(slot.volatile as P['volatile'], w);
        w.raw[at] = w.len - at - 1;
        if (direct === null) for (let k = 0; k < w.len; k++) out.int(w.raw[k]!);
      }
      // Each packet as its count and its key's words (from, to, the message's encoding).
      out.int(s.net.length);
      for (const p of s.net) {
        out.int(p.count);
        out.int(p.key.length >>> 1);
        keyWords(p.key, out);
      }
      const part = s.partition;
      if (part === null) out.int(0);
      else {
        out.int(part.oneWay ? 2 : 1);
        out.int(part.groups.length);
        for (const g of part.groups) {
          out.int(g.length);
          for (const id of g) out.int(id);
        }
      }
      // Every budget, the detector's too (decode reads all seven).
      encodeUsage(s.used, true, out);
      if (wholeCodecs.ghost) wholeCodecs.ghost.encode(s.ghost, out);
    },
    decode(w: Int32Array): S {
      const at = { pos: 0 };
      const nodes = new Array<NodeSlot<P>>(n);
      for (let i = 0; i < n; i++) {
        const len = w[at.pos++]!;
        const start = at.pos;
        // A slot met before is that slot again (the memos keyed by slot find it).
        let slot = slotsMet[i]!.find(w, start, len);
        if (slot === undefined) {
          const up = w[at.pos++] === 1;
          const timers = w[at.pos++]!;
          const clock = w[at.pos++]!;
          const durable = wholeCodecs.durable.decode(w, at);
          const volatile = up ? wholeCodecs.volatile.decode(w, at) : null;
          if (at.pos !== start + len) throw new Error(`${nameOf(i + 1)}: its slot decodes from ${at.pos - start} words of ${len}`);
          slot = { up, durable, volatile, timers, clock };
          slotsMet[i]!.add(w, start, len, slot);
        }
        nodes[i] = slot;
        at.pos = start + len;
      }
      const net = new Array<Packet<M>>(w[at.pos++]!);
      for (let k = 0; k < net.length; k++) {
        const count = w[at.pos++]!;
        const len = w[at.pos++]!;
        // Interned again: the same key, and the same actions, as the packet encoded.
        const p = codec.packetFromWords(w, at.pos, len, decodeMsg);
        at.pos += len;
        net[k] = count === 1 ? p : { from: p.from, to: p.to, msg: p.msg, count, key: p.key, acts: p.acts };
      }
      let partition: Partition | null = null;
      const kind = w[at.pos++]!;
      if (kind !== 0) {
        const groups: NodeId[][] = [];
        for (let g = w[at.pos++]!; g > 0; g--) {
          const group: NodeId[] = [];
          for (let k = w[at.pos++]!; k > 0; k--) group.push(w[at.pos++]!);
          groups.push(group);
        }
        partition = makePartition(groups, kind === 2, n);
      }
      const used: Usage = {
        crashes: w[at.pos++]!,
        drops: w[at.pos++]!,
        duplicates: w[at.pos++]!,
        partitions: w[at.pos++]!,
        requests: w[at.pos++]!,
        timeouts: w[at.pos++]!,
        falseSuspicions: w[at.pos++]!,
      };
      const ghost = (wholeCodecs.ghost ? wholeCodecs.ghost.decode(w, at) : proto.initGhost) as GhostOf<P>;
      return { nodes, net, partition, used, ghost };
    },
    // The same state as the schema sees it (a declared set's order is not part of its value), and
    // nothing in the state that the schema does not declare: a field a spread copied in would be
    // left out of every encoding, and two states differing only there would be one.
    check(s: S, back: S): string | null {
      checkA.reset();
      checkB.reset();
      frontier!.encode(s, checkA);
      frontier!.encode(back, checkB);
      if (checkA.key() !== checkB.key()) return 'the decoded state encodes to other words';
      // States share most of their parts: each object is validated once.
      const bad = (codec: Codec<unknown>, v: unknown, where: string): string | null => {
        const shared = typeof v === 'object' && v !== null;
        if (shared && validated.has(v)) return null;
        const e = codec.validate(v);
        if (e !== null) return `${where}${e.message}`;
        if (shared) validated.add(v);
        return null;
      };
      for (let i = 0; i < n; i++) {
        const slot = s.nodes[i]!;
        const e = bad(wholeCodecs.durable, slot.durable, `${nameOf(i + 1)} durable `) ?? (slot.up ? bad(wholeCodecs.volatile, slot.volatile, `${nameOf(i + 1)} volatile `) : null);
        if (e !== null) return e;
      }
      for (const p of s.net) {
        const e = bad(wholeCodecs.msg, p.msg, `a message from ${nameOf(p.from)} to ${nameOf(p.to)}: `);
        if (e !== null) return e;
      }
      if (!wholeCodecs.ghost) return s.ghost === undefined ? null : 'the ghost record: the schema declares none';
      return bad(wholeCodecs.ghost, s.ghost, 'the ghost record: ');
    },
  };
  const slotScratch = new WordBuffer();
  // One table per node: a slot object is never at two nodes of a state (a handler that wrote
  // into one would seem to write into both).
  const slotsMet = Array.from({ length: n }, () => new WordsInterner<NodeSlot<P>>());
  const decodeMsg = (w: Int32Array, at: { pos: number }): M => wholeCodecs!.msg.decode(w, at);
  const checkA = new WordBuffer();
  const checkB = new WordBuffer();
  const validated = new WeakSet<object>();

  // ---- symmetry (no closures are created per call: this runs n! times per state at worst)
  const sym = proto.symmetry;
  const idsIn = <T>(c: Codec<T> | undefined) => (c && c.hasNodeIds ? c.rename : undefined);
  const renameDurable = sym?.renameDurable ?? idsIn(derived?.durable);
  const renameVolatile = sym?.renameVolatile ?? idsIn(derived?.volatile);
  const renameMessage = sym?.renameMessage ?? idsIn(derived?.msg);
  const renameGhost = sym?.renameGhost ?? idsIn(derived?.ghost);
  const nodeSignature =
    sym?.signature ??
    (derived
      ? (node: { readonly durable: P['durable']; readonly volatile: P['volatile'] | null }) =>
          mix(derived.durable.signature(node.durable), node.volatile === null ? 0 : derived.volatile.signature(node.volatile))
      : undefined);
  let perm: readonly NodeId[] = [];
  const f = (id: NodeId): NodeId => (id >= 1 && id <= n ? perm[id]! : id);
  const rename = (s: S, p: readonly NodeId[]): S => {
    perm = p;
    const nodes = new Array<NodeSlot<P>>(n);
    for (let i = 0; i < n; i++) {
      const slot = s.nodes[i]!;
      let timers = slot.timers;
      if (sym?.renameTimer && timers !== 0) {
        timers = 0;
        for (let k = 0; k < timerNames.length; k++) if ((slot.timers >>> k) & 1) timers |= bitOf(sym.renameTimer(timerNames[k]!, f), i + 1);
      }
      nodes[f(i + 1) - 1] = {
        up: slot.up,
        durable: renameDurable ? renameDurable(slot.durable, f) : slot.durable,
        volatile: slot.up && renameVolatile ? renameVolatile(slot.volatile as P['volatile'], f) : slot.volatile,
        timers,
        clock: slot.clock,
      };
    }
    const net: Packet<M>[] = new Array<Packet<M>>(s.net.length);
    for (let i = 0; i < s.net.length; i++) {
      const q = s.net[i]!;
      const from = f(q.from);
      const to = f(q.to);
      if (renameMessage) {
        const msg = renameMessage(q.msg, f);
        net[i] = { from, to, msg, count: q.count, key: codec.key(from, to, msg), acts: undefined };
      } else {
        // The key is the words of (from, to, msg): only the first two words change.
        net[i] = { from, to, msg: q.msg, count: q.count, key: codec.intern(String.fromCharCode(from, 0, to, 0) + q.key.slice(4)), acts: undefined };
      }
    }
    sortNetwork(net, fifo);
    return {
      nodes,
      net,
      partition: s.partition === null ? null : renamePartition(s.partition, f, n),
      used: s.used,
      ghost: renameGhost ? renameGhost(s.ghost, f) : s.ghost,
    };
  };
  // The ignored-message flags of the last state asked (signature and direct key share them).
  let flagsState: S | null = null;
  let flagsScratch = new Uint8Array(16);
  const ignoredFlagsOf = (s: S): Uint8Array => {
    const cached = cachedFlags(s);
    if (cached !== undefined) return cached;
    if (s === flagsState) return flagsScratch;
    if (flagsScratch.length < s.net.length) flagsScratch = new Uint8Array(2 * s.net.length);
    ignoredFlagsInto(s, flagsScratch);
    flagsState = s;
    return flagsScratch;
  };
  // The node signatures of the last two slots met at each node.
  const sigMemos = Array.from({ length: n }, () => new SlotMemo<number, null>(0));
  const signatureOfSlot = (slot: object): number => nodeSignature!(slot as NodeSlot<P>);
  const slotSignature = (slot: NodeSlot<P>, i: number): number => sigMemos[i]!.get(slot, null, signatureOfSlot);
  // Scratch (a signature is read only during the call that asked for it).
  const sig = new Array<number>(n).fill(0);
  const outDeg = new Array<number>(n).fill(0);
  const inDeg = new Array<number>(n).fill(0);
  const signature = (s: S): number[] => {
    outDeg.fill(0);
    inDeg.fill(0);
    const flags = reduceIgnored ? ignoredFlagsOf(s) : undefined;
    for (let i = 0; i < s.net.length; i++) {
      const q = s.net[i]!;
      // Messages left out of the encoding are left out here too, so that states the encoding
      // merges get the same signatures (and so the same canonical form).
      if (flags !== undefined && flags[i] === 1) continue;
      outDeg[q.from - 1]! += q.count;
      inDeg[q.to - 1]! += q.count;
    }
    for (let i = 0; i < n; i++) {
      const slot = s.nodes[i]!;
      let h = mix(slot.up ? 1 : 2, sym?.renameTimer ? popcount(slot.timers) : slot.timers);
      h = mix(h, slot.clock);
      h = mix(h, outDeg[i]!);
      h = mix(h, inDeg[i]!);
      if (nodeSignature) h = mix(h, slotSignature(slot, i) | 0);
      sig[i] = h >>> 0;
    }
    return sig;
  };
  const canonical =
    cfg.symmetry && sym
      ? symmetryCanonicalizer<S>({ n, classes: sym.classes?.(n) ?? layout.classes, rename, encode, signature })
      : undefined;
  const symmetryKey = canonical ? envSymmetryKey(canonical) : undefined;
  /**
   * The direct symmetry key (impl/env/symkey.ts): `encode(canonical(s))` written without renamed
   * copies, when every part of the state is declared by schema (no hand-written encoder or
   * renamer, no `renameTimer`); otherwise undefined, and the runners use `encode(canonical(s))`.
   */
  function envSymmetryKey(canon: (s: S) => S): SymmetryKey<S> | undefined {
    if (!derived || !sym) return undefined;
    if (proto.encodeDurable || proto.encodeVolatile || proto.encodeMessage || proto.encodeGhost) return undefined;
    if (sym.renameDurable || sym.renameVolatile || sym.renameMessage || sym.renameGhost || sym.renameTimer) return undefined;
    const parts = envRenamedEncoder<P>(
      {
        n,
        clocks,
        fifo,
        hasDetector,
        durable: derived.durable,
        volatile: derived.volatile,
        msg: derived.msg,
        ghost: derived.ghost,
        encodeGhost: encodeGhostCached,
        ...(reduceIgnored
          ? {
              ignoredFlags: (s: S, into: Uint8Array): void => {
                const flags = ignoredFlagsOf(s);
                for (let i = 0; i < s.net.length; i++) into[i] = flags[i]!;
              },
            }
          : {}),
      },
      () => new WordBuffer(),
    );
    const write = symmetryKeyWriter<S>({ n, classes: sym.classes?.(n) ?? layout.classes, signature, prepare: parts.prepare, encodeRenamed: parts.encodeRenamed });
    return {
      symmetry: canon,
      encode,
      write(s: S, out: Encoder): void {
        const mark = out instanceof WordBuffer ? out.len : -1;
        try {
          write(s, out);
        } catch (e) {
          // A value outside the schema: the encoder of the representative names where it is
          // (over whatever the writer wrote in place).
          if (!(e instanceof SchemaError)) throw e;
          if (mark >= 0) (out as WordBuffer).len = mark;
          encode(canon(s), out);
        }
      },
    };
  }

  // ---- view
  const budgetKeys = (['crashes', 'drops', 'duplicates', 'partitions', 'requests', 'timeouts', 'falseSuspicions'] as const).filter((k) =>
    k === 'timeouts' ? timeoutsBounded && timerNames.length > 0 : k === 'falseSuspicions' ? hasDetector && cfg.falseSuspicions > 0 : cfg[k] > 0,
  );
  const view = (s: S): EnvView => {
    const nodes: Record<string, EnvNodeView> = {};
    s.nodes.forEach((slot, i) => {
      const timers = timerNames.filter((_, k) => (slot.timers >>> k) & 1).map(String);
      nodes[nameOf(i + 1)] = {
        up: slot.up,
        durable: viewDurable(slot.durable),
        volatile: !slot.up ? null : viewVolatile(slot.volatile as P['volatile']),
        ...(timerNames.length > 0 ? { timers } : {}),
        ...(clocks ? { clock: slot.clock } : {}),
      };
    });
    const budgets: Record<string, string> = {};
    for (const k of budgetKeys) budgets[k] = `${s.used[k]}/${cfg[k]}`;
    const v: EnvView = {
      nodes,
      // One entry per copy: the network is a multiset, and traces diff it as one.
      network: s.net.flatMap((p) => {
        const label = `${nameOf(p.from)}→${nameOf(p.to)} ${formatMessage(p.msg)}`;
        return p.count === 1 ? [label] : Array.from({ length: p.count }, () => label);
      }),
      partition: s.partition === null ? null : formatPartition(s.partition.groups, s.partition.oneWay, nameOf),
      budgets,
    };
    return s.ghost === undefined ? v : { ...v, ghost: viewGhost(s.ghost) };
  };

  // ---- checking the `ignores` declaration (checkIgnored): on every explored step, every message
  // declared ignored in the new state must have been ignored before (if it was in flight), and
  // delivering it must change nothing but the network.
  //
  // Both are memoised, soundly:
  // - Which messages a state's `ignores` declares ignored is computed once per parent (its flags
  //   serve all its successors) and once per new state (shared with `encode`).
  // - A delivery is a pure function of (receiver, clock, durable, volatile, timers, sender,
  //   message): the handler gets only `ctx` (the receiver's, at its clock), the receiver's slot,
  //   the message and its sender. When such a delivery returns the same durable and volatile
  //   state and no effect but notes and no-op timer changes, that verdict holds in every state
  //   where the receiver's slot has the same encoding and the same message arrives, whatever the
  //   rest of the state: it is remembered (exactly, by the encodings' words, not by a hash) and
  //   not re-run. A delivery with a ghost update or a send depends on the rest of the state
  //   (the ghost, the receivers' `ignores`) and is checked every time. The memo is bounded.
  const checkWords = new WordBuffer();
  const wordsOf = (write: (w: Encoder) => void): string => {
    checkWords.reset();
    write(checkWords);
    return checkWords.key();
  };
  // Two one-state caches, no allocation: the parent being expanded (the same for all its
  // successors) and the last state checked (which `encode` is asked for next).
  let parent: S | null = null;
  let parentFlags: Uint8Array = new Uint8Array(16);
  let child: S | null = null;
  let childFlags: Uint8Array = new Uint8Array(16);
  /** Room for `n` entries in `into` (a fresh array when it is too short). */
  const room = (into: Uint8Array, n: number): Uint8Array => (into.length >= n ? into : new Uint8Array(2 * n));
  /**
   * The flag of `s.net[k]` into `flags[k]` (as `isIgnored`), and into `reads[k]` how it was
   * decided: 1, `ignores` read the network; 2, the receiver-only declaration said ignored; 0,
   * otherwise. Only a flag read 2, or any flag when the protocol declares no `ignores`, is a pure
   * function of the receiver's slot and the packet's key.
   */
  const trackFlag = (s: S, k: number, flags: Uint8Array, reads: Uint8Array): void => {
    const p = s.net[k]!;
    const slot = s.nodes[p.to - 1]!;
    if (ignoresAtReceiver !== undefined && ignoredAtReceiver(slot, p)) {
      flags[k] = 1;
      reads[k] = 2;
    } else if (ignores === undefined) {
      flags[k] = 0;
      reads[k] = 0;
    } else {
      const r0 = netReads();
      flags[k] = ignores(ctxOf(p.to, slot.clock), slot, p.msg, p.from, probeOf(s)) ? 1 : 0;
      reads[k] = netReads() !== r0 ? 1 : 0;
    }
  };
  /** The flags of `s` into `flags`, and into `reads` how each was decided (see `trackFlag`). Both arrays must have room (see `room`). */
  const fillTracked = (s: S, flags: Uint8Array, reads: Uint8Array): void => {
    for (let k = 0; k < s.net.length; k++) trackFlag(s, k, flags, reads);
  };
  cachedFlags = (s) => (s === child ? childFlags : s === parent ? parentFlags : undefined);
  /** The words of a receiver's slot as its handler sees it (clock and timers always included). */
  const writeReceiver = (timers: number, clock: number, durable: P['durable'], volatile: P['volatile'], w: Encoder): void => {
    w.int(timers);
    w.int(clock);
    encodeDurable(durable, w);
    encodeVolatile(volatile, w);
  };
  /**
   * What remains to check of a delivery once its handler ran: the effects whose verdict depends
   * on the rest of the state (ghost updates, against the state's ghost; sends, against their
   * receivers' `ignores`). `null`: nothing, the delivery is harmless in any state.
   */
  type Residual = { readonly ghosts: readonly ((g: GhostOf<P>) => GhostOf<P>)[]; readonly sends: readonly { readonly kind: string; readonly packets: readonly Packet<M>[] }[] } | null;
  interface Memo {
    readonly words: string;
    /** Deliveries to this receiver state already run, by packet key. */
    readonly known: Map<string, Residual>;
    /** The receiver-only declaration's answers for this receiver state, by packet key. */
    readonly ignored: Map<string, boolean>;
  }
  const MEMO_LIMIT = 1 << 18;
  let memoCount = 0;
  let memoByWords = new Map<string, Memo>();
  // By slot object, per node: the last few slots asked (a state's successors share all but one
  // or two of its slots, so the parent's slots are asked again and again); a miss is looked up
  // by the slot's words. (A WeakMap by slot cost more, in its insertions and in the collector's
  // ephemeron work, than it saved.)
  const WAYS = 4;
  const recentSlots: (NodeSlot<P> | null)[] = new Array<NodeSlot<P> | null>((n + 1) * WAYS).fill(null);
  const recentMemos: (Memo | null)[] = new Array<Memo | null>((n + 1) * WAYS).fill(null);
  const recentNext = new Uint8Array(n + 1);
  /** The memo of a receiver's slot: its words, and the deliveries to it already run (by packet key). */
  const memoFor = (slot: NodeSlot<P>, to: NodeId): Memo => {
    const base = to * WAYS;
    for (let k = base; k < base + WAYS; k++) if (recentSlots[k] === slot) return recentMemos[k]!;
    let words: string;
    try {
      words = wordsOf((w) => writeReceiver(slot.timers, slot.clock, slot.durable, slot.volatile as P['volatile'], w));
    } catch (e) {
      if (e instanceof InvalidStateError && !e.located) throw new InvalidStateError(`${nameOf(to)} ${e.message}`, true);
      throw e;
    }
    let entry = memoByWords.get(words);
    if (entry === undefined) {
      if (memoCount >= MEMO_LIMIT) {
        // Forget the shared index (entries still held by live slots stay true facts).
        memoByWords = new Map();
        memoCount = 0;
      }
      entry = { words, known: new Map(), ignored: new Map() };
      memoByWords.set(words, entry);
      memoCount++;
    }
    const at = base + recentNext[to]!;
    recentNext[to] = (recentNext[to]! + 1) % WAYS;
    recentSlots[at] = slot;
    recentMemos[at] = entry;
    return entry;
  };
  /**
   * The receiver-only declaration for `p` delivered to `slot`, remembered by the receiver's words
   * and the packet (exact: a pure function of the receiver's context, durable and volatile state
   * and the packet). A down receiver is asked directly.
   */
  function ignoredAtReceiver(slot: NodeSlot<P>, p: Packet<M>): boolean {
    const memo = memoOf(p);
    if (memo !== undefined) return memo.ignored.get(slot, p, askReceiver as (slot: object, p: Packet<unknown>) => boolean);
    if (!slot.up) return ignoresAtReceiver!(ctxOf(p.to, slot.clock), slot, p.msg, p.from);
    return ignoredByWords(slot, p);
  }
  function askReceiver(slot: NodeSlot<P>, p: Packet<M>): boolean {
    return ignoresAtReceiver!(ctxOf(p.to, slot.clock), slot, p.msg, p.from);
  }
  function ignoredByWords(slot: NodeSlot<P>, p: Packet<M>): boolean {
    const memo = memoFor(slot, p.to);
    let v = memo.ignored.get(p.key);
    if (v === undefined) {
      v = ignoresAtReceiver!(ctxOf(p.to, slot.clock), slot, p.msg, p.from);
      memo.ignored.set(p.key, v);
      memoCount++;
    }
    return v;
  }
  const culpritOf = (q: Packet<M>, slot: NodeSlot<P>): string =>
    `${nameOf(q.to)}'s onMessage handler, given ${formatMessage(q.msg)} from ${nameOf(q.from)} to ${nameOf(q.to)} (declared ignored by the protocol's ${ignoresAtReceiver !== undefined && ignoredAtReceiver(slot, q) ? 'ignoresAtReceiver()' : 'ignores()'})`;
  /** Deliver `q` to its receiver's `slot`: throws if that changes the slot or has an effect other than a no-op; returns what depends on the rest of the state. */
  const residualOf = (slot: NodeSlot<P>, q: Packet<M>, memo: Memo): Residual => {
    const r = proto.onMessage(ctxOf(q.to, slot.clock), viewOfSlot(slot), q.msg, q.from);
    if (wordsOf((w) => writeReceiver(slot.timers, slot.clock, r.durable, r.volatile as P['volatile'], w)) !== memo.words) {
      if (wordsOf((w) => encodeDurable(r.durable, w)) !== wordsOf((w) => encodeDurable(slot.durable, w))) throw new Error(`${culpritOf(q, slot)}, changed its durable state`);
      throw new Error(`${culpritOf(q, slot)}, changed its volatile state`);
    }
    let ghosts: ((g: GhostOf<P>) => GhostOf<P>)[] | null = null;
    let sends: { kind: string; packets: Packet<M>[] }[] | null = null;
    for (const e of r.effects ?? []) {
      if (e.kind === 'note') continue;
      if (e.kind === 'set-timer' && (slot.timers & bitOf(e.timer, q.to)) !== 0) continue;
      if (e.kind === 'cancel-timer' && (slot.timers & bitOf(e.timer, q.to)) === 0) continue;
      if (e.kind === 'ghost') (ghosts ??= []).push(e.update);
      else if (e.kind === 'send') (sends ??= []).push({ kind: e.kind, packets: [codec.packet(q.to, e.to, e.msg)] });
      else if (e.kind === 'broadcast') (sends ??= []).push({ kind: e.kind, packets: peersOf[q.to]!.map((to) => codec.packet(q.to, to, e.msg)) });
      else throw new Error(`${culpritOf(q, slot)}, had an effect: ${e.kind}`);
    }
    return ghosts === null && sends === null ? null : { ghosts: ghosts ?? [], sends: sends ?? [] };
  };
  /** The part of a delivery's check that depends on the state `t` it is delivered in. */
  const checkResidual = (res: NonNullable<Residual>, q: Packet<M>, t: S): void => {
    for (const update of res.ghosts) {
      if (wordsOf((w) => encodeGhost(update(t.ghost), w)) !== wordsOf((w) => encodeGhost(t.ghost, w))) throw new Error(`${culpritOf(q, t.nodes[q.to - 1]!)}, had an effect: ghost`);
    }
    for (const sent of res.sends) {
      // Replies are fine when their receivers ignore them in turn.
      for (const p of sent.packets) if (!isIgnored(t, p)) throw new Error(`${culpritOf(q, t.nodes[q.to - 1]!)}, had an effect: ${sent.kind} of a message its receiver does not ignore`);
    }
  };
  /** Whether any message in flight in `parent` is declared ignored. */
  let parentIgnoredAny = false;
  /** Whether deciding any of `parent`'s flags read the network (and, once known, any of its verdicts). */
  let parentFlagsReadNet = false;
  let parentVerdictsReadNet = false;
  /**
   * Per message of `parent` (and of the last `child` checked): how its flag was decided (1:
   * `ignores` read the network; see `trackFlag`). And, once `parentVerdictsKnown`, whether its
   * delivery's verdict read the network.
   */
  let parentFlagReads: Uint8Array = new Uint8Array(16);
  let childFlagReads: Uint8Array = new Uint8Array(16);
  let parentVerdictReads: Uint8Array = new Uint8Array(16);
  let parentVerdictsKnown = false;
  /**
   * Per message of `parent` declared ignored: its delivery's residual there, once asked
   * (`UNASKED` until then; `null` too when its receiver is down). A child whose receiver has the
   * parent's slot object gets the same residual for the same key: it is a pure function of both.
   */
  const UNASKED: Residual = { ghosts: [], sends: [] };
  let parentResiduals: Residual[] = [];
  const NO_PACKETS: readonly Packet<M>[] = [];
  /** Make `s` the parent whose flags (and, in the check mode, ignored keys) are at hand. */
  const enterParent = (s: S): void => {
    if (s === parent) return;
    // A new parent: it is often the state checked last (a caller's own check steps on from it).
    parent = null;
    if (s === child) {
      const spare = parentFlags;
      parentFlags = childFlags;
      childFlags = spare;
      const spareReads = parentFlagReads;
      parentFlagReads = childFlagReads;
      childFlagReads = spareReads;
    } else {
      parentFlags = room(parentFlags, s.net.length);
      parentFlagReads = room(parentFlagReads, s.net.length);
      fillTracked(s, parentFlags, parentFlagReads);
    }
    parentVerdictsKnown = false;
    if (parentResiduals.length < s.net.length) parentResiduals = new Array<Residual>(2 * s.net.length);
    parentResiduals.fill(UNASKED, 0, s.net.length);
    parent = s;
    parentIgnoredAny = false;
    parentFlagsReadNet = false;
    for (let k = 0; k < s.net.length; k++) {
      if (parentFlags[k] === 1) parentIgnoredAny = true;
      if (parentFlagReads[k] === 1) parentFlagsReadNet = true;
    }
  };
  /** The residual of delivering `q` to its running receiver's `slot` (memoised; throws if the delivery is not harmless). */
  const residualAt = (slot: NodeSlot<P>, q: Packet<M>): Residual => {
    const memo = memoOf(q);
    if (memo !== undefined) return memo.residual.get(slot, q, residualByWords as (slot: object, q: Packet<unknown>) => Residual) as Residual;
    return residualByWords(slot, q);
  };
  const residualByWords = (slot: NodeSlot<P>, q: Packet<M>): Residual => {
    const memo = memoFor(slot, q.to);
    let res = memo.known.get(q.key);
    if (res === undefined) {
      res = residualOf(slot, q, memo);
      memo.known.set(q.key, res);
      memoCount++;
    }
    return res;
  };
  /** Check that delivering `p`, declared ignored, would be harmless in `t` (nothing to check while its receiver is down). */
  const checkDelivery = (p: Packet<M>, t: S): void => {
    const slot = t.nodes[p.to - 1]!;
    if (!slot.up) return;
    const res = residualAt(slot, p);
    if (res !== null) checkResidual(res, p, t);
  };
  /** The residual of delivering the parent's message `k` (declared ignored) in the parent (`null` while its receiver is down). */
  const parentResidual = (k: number): Residual => {
    let res: Residual = parentResiduals[k]!;
    if (res === UNASKED) {
      const q = parent!.net[k]!;
      const slot = parent!.nodes[q.to - 1]!;
      res = slot.up ? residualAt(slot, q) : null;
      parentResiduals[k] = res;
    }
    return res;
  };
  /** Check that delivering the parent's message `k` (declared ignored) is harmless in `t`, where its receiver has the parent's slot. */
  const checkParentDelivery = (k: number, t: S): void => {
    const res = parentResidual(k);
    if (res !== null) checkResidual(res, parent!.net[k]!, t);
  };
  /**
   * Check the messages declared ignored in `t`, reached from the current parent by `a` (or an
   * initial state, `a` null): each must have been ignored before if it was in flight, and its
   * delivery must be harmless in `t`.
   */
  const verifyChild = (a: A | null, t: S): void => {
    child = null;
    const ignoredT = (childFlags = room(childFlags, t.net.length));
    const readsT = (childFlagReads = room(childFlagReads, t.net.length));
    // The parent's network, walked alongside (both are sorted by key, and mostly share packets),
    // when it had messages declared ignored (or all its flags are the receiver's alone).
    const before = a !== null && (parentIgnoredAny || ignores === undefined) ? parent!.net : NO_PACKETS;
    let j = 0;
    for (let i = 0; i < t.net.length; i++) {
      const q = t.net[i]!;
      // q's place in the parent's network, or -1.
      let at = -1;
      if (before.length > 0) {
        // A step removes at most a packet here and there, so the next one or two are looked at
        // first (keys are interned: comparing equal ones is cheap, ordering them is not).
        if (j < before.length && (before[j] === q || before[j]!.key === q.key)) at = j;
        else if (j + 1 < before.length && (before[j + 1] === q || before[j + 1]!.key === q.key)) at = j + 1;
        else {
          at = findPacket(before, q.from, q.to, q.key, false);
          if (at < j) at = -1;
        }
        if (at >= 0) j = at + 1;
      }
      // The same packet to the same receiver slot: a flag the receiver alone decided is the parent's.
      const sameReceiver = at >= 0 && t.nodes[q.to - 1] === parent!.nodes[q.to - 1];
      if (sameReceiver && (parentFlagReads[at] === 2 || ignores === undefined)) {
        ignoredT[i] = parentFlags[at]!;
        readsT[i] = parentFlagReads[at]!;
      } else trackFlag(t, i, ignoredT, readsT);
      if (at >= 0) {
        // Was it in flight, and declared ignored, before the step? (Equal packets get equal answers.)
        if (ignoredT[i] !== 1 && parentFlags[at] === 1) {
          throw new Error(`protocol ${protocol.name}: ${ignoresAtReceiver !== undefined && ignoredAtReceiver(parent!.nodes[q.to - 1]!, q) ? 'ignoresAtReceiver()' : 'ignores()'} declared ${formatMessage(q.msg)} from ${nameOf(q.from)} to ${nameOf(q.to)} ignored, and after '${formatAction(a!)}' it is not: a message declared ignored must stay ignored while it is in flight`);
        }
      }
      if (ignoredT[i] !== 1) continue;
      // The same message to the same receiver slot as in the parent: the parent's residual.
      if (sameReceiver && parentFlags[at] === 1) checkParentDelivery(at, t);
      else checkDelivery(q, t);
    }
    child = t;
  };
  const verifyIgnored = (s: S, a: A, t: S): void => {
    enterParent(s);
    verifyChild(a, t);
  };
  /**
   * A delivery the exhaustive runners may skip (see `Machine.stutters`): the message is declared
   * ignored in `s`, its delivery leaves the receiver as it was with no ghost update (the memoised
   * residual), and the successor's messages not declared ignored are exactly `s`'s (the same
   * keys and counts), so the successor has `s`'s encoding. With receiver-only declarations and
   * no send, no flag can change (no node changed). Otherwise the successor's network is built
   * (the message out, its sends in): the flags that `ignores` decided without reading the
   * network carry over (the successor differs from `s` only there), the others and the sends'
   * are decided in it; in the check mode its deliveries' verdicts are treated the same way, as
   * a step's check would. States expanded here were checked as successors when they were
   * discovered (initial states when they are built), so skipping the step skips no check.
   */
  let stutterCursor = 0;
  const stutters = (s: S, a: A): boolean => {
    if (a.type !== 'deliver') return false;
    enterParent(s);
    if (!parentIgnoredAny) return false;
    // The message, among those declared ignored (interned keys: equal ones compare by identity).
    const key = keyOfAction(a);
    // Deliveries are listed in network order: look just past the last one found first.
    const net0 = s.net;
    let i = -1;
    for (let k = stutterCursor; k < net0.length; k++) {
      if (net0[k]!.key === key) {
        i = k;
        break;
      }
    }
    if (i < 0) {
      for (let k = 0; k < stutterCursor && k < net0.length; k++) {
        if (net0[k]!.key === key) {
          i = k;
          break;
        }
      }
    }
    if (i < 0) return false;
    stutterCursor = i + 1;
    if (parentFlags[i] !== 1) return false;
    const q = s.net[i]!;
    const slot = s.nodes[q.to - 1]!;
    if (!slot.up) return false;
    let res: Residual;
    if (checkIgnored) res = parentResidual(i);
    else {
      // Trusted mode: a delivery that is not harmless is no stutter (the step is taken).
      try {
        res = residualAt(slot, q);
      } catch {
        return false;
      }
    }
    if (res !== null && res.ghosts.length > 0) return false;
    if (res === null && ignores === undefined) return true;
    if (checkIgnored && !parentVerdictsKnown) {
      // Which of the parent's verdicts (deliveries found harmless) read the network: those are
      // decided again in the successor (see below). The parent passed them all when it was
      // checked as a successor itself, so none throws here.
      parentVerdictReads = room(parentVerdictReads, s.net.length);
      parentVerdictsReadNet = false;
      for (let k = 0; k < s.net.length; k++) {
        parentVerdictReads[k] = 0;
        if (parentFlags[k] !== 1) continue;
        const r0 = netReads();
        checkParentDelivery(k, s);
        if (netReads() !== r0) {
          parentVerdictReads[k] = 1;
          parentVerdictsReadNet = true;
        }
      }
      parentVerdictsKnown = true;
    }
    // Nothing to decide again: no send, and no flag or verdict of the parent read the network.
    // The successor differs from s only in one copy of q, so it has s's encoding.
    if (res === null && !parentFlagsReadNet && !(checkIgnored && parentVerdictsReadNet)) return true;
    const net = removeOne(s.net, i);
    if (res !== null) for (const sent of res.sends) for (const p of sent.packets) putPacket(net, p, null, s.nodes);
    const t: S = { nodes: s.nodes, net, partition: s.partition, used: s.used, ghost: s.ghost };
    // t has s's nodes, partition, budgets and ghost: a flag decided without reading the network
    // is the same in t. The others are decided again; each must be as it was (the copy of q
    // left, if any, still ignored), and each send ignored. Then t keeps exactly s's messages.
    const gone = s.net[i]!.count === 1;
    for (let k = 0; k < s.net.length; k++) {
      if (parentFlagReads[k] !== 1 || (k === i && gone)) continue;
      if ((isIgnored(t, s.net[k]!) ? 1 : 0) !== parentFlags[k]) return false;
    }
    if (res !== null) {
      for (const sent of res.sends) for (const p of sent.packets) if (!isDeadLetter(p, s.nodes) && !isIgnored(t, p)) return false;
    }
    if (checkIgnored) {
      // What the step's check would ask of t. A verdict (a delivery found harmless) that did not
      // read the network is the same in t; the others, and the sends', are checked in t.
      for (let k = 0; k < s.net.length; k++) {
        if (parentFlags[k] === 1 && parentVerdictReads[k] === 1 && !(k === i && gone)) checkParentDelivery(k, t);
      }
      if (res !== null) for (const sent of res.sends) for (const p of sent.packets) if (!isDeadLetter(p, s.nodes)) checkDelivery(p, t);
    }
    return true;
  };

  // ---- the initial state
  const initState = (): S => {
    const reactions = ids.map((id) => protocol.init(ctxOf(id, 0)));
    // An initially-down node never ran: its durable state is init's, and init's effects never happened.
    const down = (id: NodeId) => initiallyDown.includes(id);
    const used = initiallyDown.length === 0 ? NO_USAGE : usageWith(NO_USAGE, 'crashes', initiallyDown.length);
    let s: S = {
      nodes: reactions.map((r, i) =>
        down(i + 1) ? { up: false, durable: r.durable, volatile: null, timers: 0, clock: 0 } : { up: true, durable: r.durable, volatile: r.volatile, timers: 0, clock: 0 },
      ),
      net: [],
      partition: null,
      used,
      ghost: proto.initGhost as GhostOf<P>,
    };
    for (const id of ids) if (!down(id)) s = apply(s, id, reactions[id - 1]!, 0, 0, s.net, null, used, null);
    return s;
  };
  let init: S | undefined;

  /**
   * Whether the timeouts budget, and nothing in the protocol, keeps `s` from going on: the budget
   * is spent and a running node has a timer armed that would fire (a failure-detector timeout
   * that would suspect someone). The budget bounds the search; a node waiting on a timer is not
   * deadlocked (it would fire), so `--deadlock` treats such a state as where the bound stopped
   * the run, not as a deadlock.
   */
  const stoppableByTimeouts = timerNames.length > 0 && timeoutsBounded;
  const timeoutsStopped = (s: S): boolean => {
    if (!stoppableByTimeouts || s.used.timeouts < cfg.timeouts) return false;
    for (let i = 0; i < n; i++) {
      const slot = s.nodes[i]!;
      if (!slot.up || slot.timers === 0) continue;
      for (let k = 0; k < timerNames.length; k++) {
        if (!((slot.timers >>> k) & 1)) continue;
        if (watchOf[k] === undefined || suspectAction(s, i + 1, k) !== null) return true;
      }
    }
    return false;
  };

  const plainStep = (s: S, a: A): S => transition(s, a, null);
  const checkedStep = checkIgnored
    ? (s: S, a: A): S => {
        const t = transition(s, a, null);
        verifyIgnored(s, a, t);
        return t;
      }
    : undefined;
  const machine: EnvMachine<P> = {
    name: checks.name ?? protocol.name,
    config: cfg,
    protocol,
    init: () => {
      if (init === undefined) {
        init = initState();
        // Initial states are not any step's successor: check their messages declared ignored here.
        if (checkIgnored) verifyChild(null, init);
      }
      return [init];
    },
    actions(s: S): readonly A[] {
      const out: A[] = [];
      const { nodes, net, partition, used } = s;
      for (let i = 0; i < net.length; i++) {
        const p = net[i]!;
        if (!isHead(net, i, fifo) || !nodes[p.to - 1]!.up || blocks(partition, p.from, p.to)) continue;
        out.push(actsOf(p).deliver);
      }
      if (timerNames.length > 0 && (!timeoutsBounded || used.timeouts < cfg.timeouts)) {
        for (let i = 0; i < n; i++) {
          const slot = nodes[i]!;
          if (!slot.up || slot.timers === 0) continue;
          const acts = timerActs[i]!;
          for (let k = 0; k < acts.length; k++) if ((slot.timers >>> k) & 1 && watchOf[k] === undefined) out.push(acts[k]!);
        }
        if (hasDetector) {
          for (let i = 0; i < n; i++) {
            const slot = nodes[i]!;
            if (!slot.up || slot.timers === 0) continue;
            for (let k = 0; k < timerNames.length; k++) {
              if (!((slot.timers >>> k) & 1) || watchOf[k] === undefined) continue;
              const a = suspectAction(s, i + 1, k);
              if (a !== null) out.push(a);
            }
          }
        }
      }
      if (hasRequests && used.requests < cfg.requests) {
        const menu = requestMenu(used.requests);
        for (let i = 0; i < n; i++) {
          const slot = nodes[i]!;
          if (!slot.up) continue;
          for (const { req, acts } of menu) {
            if (!proto.acceptsRequest || proto.acceptsRequest(ctxOf(i + 1, slot.clock), viewOfSlot(slot), req)) out.push(acts[i]!);
          }
        }
      }
      if (hasLocal) {
        for (let i = 0; i < n; i++) {
          const slot = nodes[i]!;
          if (!slot.up) continue;
          for (const action of proto.localActions!(ctxOf(i + 1, slot.clock), viewOfSlot(slot))) out.push({ type: 'local', node: i + 1, action });
        }
      }
      if (clocks) for (let i = 0; i < n; i++) if (tickEnabled(s, i + 1)) out.push(tickActs[i]!);
      if (used.drops < cfg.drops) for (let i = 0; i < net.length; i++) if (isHead(net, i, fifo)) out.push(actsOf(net[i]!).drop);
      if (used.duplicates < cfg.duplicates) for (let i = 0; i < net.length; i++) if (isHead(net, i, fifo)) out.push(actsOf(net[i]!).duplicate);
      if (used.crashes < cfg.crashes && downCount(s) < cfg.maxDown) for (let i = 0; i < n; i++) if (nodes[i]!.up && crashAllowed(s, i)) out.push(crashActs[i]!);
      if (cfg.restarts) for (let i = 0; i < n; i++) if (!nodes[i]!.up) out.push(restartActs[i]!);
      if (partition === null) {
        if (used.partitions < cfg.partitions) for (const a of partitionActs) out.push(a);
      } else out.push(HEAL);
      if (stabilizes && used.falseSuspicions < cfg.falseSuspicions) out.push(STABILIZE);
      return out;
    },
    step: checkedStep ?? plainStep,
    // Random runs key no states: a stale `ignores` declaration cannot hide anything from them.
    ...(checkedStep ? { randomStep: { checked: checkedStep, unchecked: plainStep } } : {}),
    ...(reduceIgnored ? { stutters } : {}),
    encode,
    ...(frontier ? { frontier } : {}),
    formatAction,
    view,
    actionKinds: () => kinds,
    nodes: () => names,
    events: (prev: S, a: A): readonly TraceEvent[] => {
      const log: TraceEvent[] = [];
      transition(prev, a, log);
      return log;
    },
    formatMessage,
    rename,
    symmetryClasses: () => sym?.classes?.(n) ?? layout.classes,
    ...(canonical ? { symmetry: canonical } : {}),
    ...(symmetryKey ? { symmetryKey } : {}),
    ...(checks.invariants ? { invariants: checks.invariants } : {}),
    ...(checks.properties ? { properties: checks.properties } : {}),
    ...(checks.sometimes ? { sometimes: checks.sometimes } : {}),
    ...(checks.isTerminal || stoppableByTimeouts ? { isTerminal: (s: S) => checks.isTerminal?.(s) === true || timeoutsStopped(s) } : {}),
  };
  return machine;
}

/** A state a handler produced that is outside the protocol's declared schema. */
export class InvalidStateError extends Error {
  constructor(
    detail: string,
    /** Whether `detail` already names the node. */
    readonly located = false,
  ) {
    super(located ? `step produced an invalid state: ${detail}` : detail);
    this.name = 'InvalidStateError';
  }
}


/** The running nodes of a state, with their ids. */
export function upNodes<P extends ProtocolTypes>(s: EnvState<P>): { readonly id: NodeId; readonly durable: P['durable']; readonly volatile: P['volatile'] }[] {
  const out: { id: NodeId; durable: P['durable']; volatile: P['volatile'] }[] = [];
  s.nodes.forEach((slot, i) => {
    if (slot.up) out.push({ id: i + 1, durable: slot.durable, volatile: slot.volatile as P['volatile'] });
  });
  return out;
}
