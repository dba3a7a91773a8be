/**
 * Push-pull gossip of state-based CRDTs and a membership list, over the shared environment
 * (joins, crashes and recoveries, a lossy network).
 *
 * - A. Demers et al., "Epidemic Algorithms for Replicated Database Maintenance" (PODC 1987),
 *   section 1.3 (anti-entropy: push-pull exchanges between random pairs spread an update to all
 *   n sites in O(log n) rounds).
 * - A. Das, I. Gupta, A. Motivala, "SWIM" (DSN 2002), section 4.2 (suspicion and refutation by
 *   incarnation number); Cassandra's gossiper (heartbeat versions, a seed to join through).
 * - Shapiro et al., INRIA RR-7506 (2011): the G-counter, OR-set and LWW register of `crdt.ts`.
 *
 * Each node keeps, durably, a {@link GossipData} (counter, OR-set of one element e0, an LWW
 * register keyed by its HLC, a membership list) and an op counter that makes its add tags unique.
 * Clients update any running node (`inc`, `add`, `remove`, `write`). A node gossips (a local
 * step) with a peer it believes alive: it pushes its data, the peer merges and answers with the
 * merge (pull), and the node merges that. One exchange at a time per node; a `retry` timer gives
 * up on an exchange whose messages were lost. A node bumps its heartbeat (`beat`), may declare a
 * peer dead (`suspect`: the failure detector's verdict, right or wrong), and refutes its own
 * death with a higher heartbeat when it hears of it. Joining nodes know only themselves and the
 * seed n1; the others learn of them by gossip.
 *
 * Peers are chosen by the scheduler (`random`: every believed-alive peer is a choice) or in turn
 * (`round-robin`: the next believed-alive peer after the last one), the fair policy under which
 * convergence is bounded for every schedule (checked by `specs/gossip.ts`' bounded liveness).
 *
 * Known-bug variants replace the merge (one function, `crdt.ts`).
 */
import { assertNever } from '../core/machine.ts';
import { S, type Infer } from '../env/schema.ts';
import { defineProtocol, type Ctx, type NodeView, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
import type { Hlc } from '../clocks/algebra.ts';
import {
  gcIncrement,
  hlcSee,
  lwwWrite,
  LWW_EMPTY,
  mergeData,
  OR_EMPTY,
  orAdd,
  orContains,
  orRemove,
  overwriteMerge,
  removeAllMerge,
  resurrectMerge,
  sumCounterMerge,
  type DataMerge,
  type GossipData,
  type Member,
} from './crdt.ts';

/** Which CRDT operations clients issue. */
export type GossipOps = 'all' | 'counter' | 'orset' | 'lww' | 'none';
/** How a node picks the peer it gossips with. */
export type PeerPolicy = 'random' | 'round-robin';

/** The shape of a gossip cluster (the environment's faults come on top). */
export interface GossipShape {
  readonly nodes: number;
  /** Client requests in total (bounds counters, tags, register values and HLC counters). */
  readonly requests: number;
  readonly ops: GossipOps;
  /** Heartbeats each node may bump on its own. */
  readonly beats: number;
  /** Failure-detector verdicts (declare a peer dead) each node may give. */
  readonly suspects: number;
  /** The last `joiners` nodes start outside the cluster, knowing only the seed n1. */
  readonly joiners: number;
  readonly peers: PeerPolicy;
  /** Largest physical clock value (the environment's `maxClock`). */
  readonly maxClock: number;
}

/** The schema of gossip's data, for a shape. */
export const gossipSchema = (g: GossipShape) => {
  const ops = Math.max(1, g.requests);
  const Tag = S.record({ seq: S.int(1, ops), node: S.node(), elem: S.int(0, 0) });
  const Member = S.record({ hb: S.int(0, g.beats + g.suspects), status: S.enum('unknown', 'alive', 'dead') });
  const Reg = S.record({ value: S.int(0, ops), l: S.int(0, g.maxClock), c: S.int(0, ops), writer: S.optional(S.node()) });
  const data = {
    /** G-counter entries; room above the requests so a double count is caught by the invariant, not the bound. */
    counter: S.perNode(S.int(0, 8 * ops)),
    set: S.record({ adds: S.set(Tag), removes: S.set(Tag) }),
    reg: Reg,
    members: S.perNode(Member),
  };
  // The same data in messages, whose labels are short (node views show the plain data): a tag
  // `e0@n1#1`, the register `3@(0,1)n2` (`-`: never written), a member `1a` (heartbeat 1, alive;
  // `d` dead, `?` unknown).
  const SentTag = S.labelled(Tag, (t, at) => `e${t.elem}@${at.name(t.node)}#${t.seq}`);
  const SentReg = S.labelled(Reg, (r, at) => (r.writer === null ? '-' : `${r.value}@(${r.l},${r.c})${at.name(r.writer)}`));
  const SentMember = S.labelled(Member, (m) => `${m.hb}${m.status === 'alive' ? 'a' : m.status === 'dead' ? 'd' : '?'}`);
  const sent = { ...data, set: S.record({ adds: S.set(SentTag), removes: S.set(SentTag) }), reg: SentReg, members: S.perNode(SentMember) };
  return {
    durable: S.record({
      ...data,
      hlc: S.record({ l: S.int(0, g.maxClock), c: S.int(0, ops) }),
      /** Operations this node issued (its add tags' sequence numbers). */
      seq: S.int(0, ops),
      /** Failure-detector verdicts this node has given. */
      verdicts: S.int(0, g.suspects),
    }),
    volatile: S.record({
      /** The peer of the exchange under way. */
      outstanding: S.optional(S.node()),
      /** The last peer gossiped with (round-robin cursor; 0: none yet). */
      cursor: S.int(0, g.nodes),
    }),
    /** Labelled `Push(ctr=[1,0,0] adds={e0@n1#1} rm={} reg=3@(0,1)n2 mem=[1a,0a,0?])`. */
    msg: S.labelled(S.union('type', { Push: sent, Pull: sent }), (m, at) => {
      const tags = (ts: readonly Infer<typeof Tag>[]) => ts.map((t) => at.show(SentTag, t)).join(',');
      return `${m.type}(ctr=[${m.counter.join(',')}] adds={${tags(m.set.adds)}} rm={${tags(m.set.removes)}} reg=${at.show(SentReg, m.reg)} mem=[${m.members.map((x) => at.show(SentMember, x)).join(',')}])`;
    }),
    ghost: S.record({
      /** Increments each node performed. */
      incs: S.perNode(S.int(0, ops)),
      /** Every tag some remove observed and tombstoned. */
      observed: S.set(Tag),
    }),
    /** Client operations, labelled `inc`, `add(e0)`, `remove(e0)`, `write(3)`. */
    request: S.labelled(S.union('op', { inc: {}, add: {}, remove: {}, write: { value: S.int(1, ops) } }), (r) =>
      r.op === 'write' ? `write(${r.value})` : r.op === 'inc' ? 'inc' : `${r.op}(e0)`,
    ),
    /** A node's spontaneous steps, labelled `gossip n2`, `beat`, `suspect n3`. */
    local: S.labelled(S.union('type', { gossip: { peer: S.node() }, beat: {}, suspect: { peer: S.node() } }), (a, at) =>
      a.type === 'beat' ? 'beat' : `${a.type} ${at.name(a.peer)}`,
    ),
  };
};

/** A client operation. */
export type GossipRequest = { readonly op: 'inc' } | { readonly op: 'add' } | { readonly op: 'remove' } | { readonly op: 'write'; readonly value: number };
/** A node's spontaneous step. */
export type GossipLocal = { readonly type: 'gossip'; readonly peer: number } | { readonly type: 'beat' } | { readonly type: 'suspect'; readonly peer: number };

/** Gossip's types. */
export interface GossipTypes extends SchemaTypes<ReturnType<typeof gossipSchema>> {
  readonly timer: 'retry';
  readonly request: GossipRequest;
  readonly local: GossipLocal;
}
type P = GossipTypes;
/** A node's durable state. */
export type GossipDurable = P['durable'];

/** The replicated part of a node's durable state. */
export function dataOf(d: GossipDurable | P['msg']): GossipData {
  return { counter: d.counter, set: d.set, reg: d.reg, members: d.members };
}

const IDLE = { outstanding: null, cursor: 0 } as const;

/** The known-bug variants' merges. */
export const GOSSIP_MERGES = {
  none: mergeData,
  'double-count': sumCounterMerge,
  'remove-deletes-concurrent-adds': removeAllMerge,
  'resurrect-dead': resurrectMerge,
  'overwrite-merge': overwriteMerge,
} as const satisfies Readonly<Record<string, DataMerge>>;
/** A variant's name, or none. */
export type GossipBug = keyof typeof GOSSIP_MERGES;

/** The gossip protocol for a shape, with a merge. */
export function gossipProtocol(g: GossipShape, merge: DataMerge = mergeData): Protocol<P> {
  const hbMax = g.beats + g.suspects;
  const firstJoiner = g.nodes - g.joiners + 1;

  /** Merge remote data in; refute our own death; keep the HLC ahead of every write seen. */
  const absorb = (ctx: Ctx<P>, d: GossipDurable, remote: GossipData): GossipDurable => {
    const m = merge(dataOf(d), remote);
    const me = m.members[ctx.self - 1]!;
    const members = me.status === 'dead' && me.hb < hbMax ? m.members.map((x, k) => (k === ctx.self - 1 ? { hb: me.hb + 1, status: 'alive' as const } : x)) : m.members;
    const hlc: Hlc = hlcSee(d.hlc, m.reg);
    return { ...d, ...m, members, hlc };
  };

  /** The peers this node believes alive. */
  const alivePeers = (ctx: Ctx<P>, d: GossipDurable): number[] => ctx.peers.filter((j) => d.members[j - 1]!.status === 'alive');

  const onRequest = (ctx: Ctx<P>, node: NodeView<P>, req: GossipRequest): Reaction<P> => {
    const d = node.durable;
    switch (req.op) {
      case 'inc':
        return { durable: { ...d, counter: gcIncrement(d.counter, ctx.self) }, volatile: node.volatile, effects: [ctx.ghost((x) => ({ ...x, incs: gcIncrement(x.incs, ctx.self) }))] };
      case 'add': {
        const seq = d.seq + 1;
        return { durable: { ...d, seq, set: orAdd(d.set, { elem: 0, node: ctx.self, seq }) }, volatile: node.volatile };
      }
      case 'remove': {
        const set = orRemove(d.set, 0);
        const tomb = set.removes;
        return { durable: { ...d, set }, volatile: node.volatile, effects: [ctx.ghost((x) => ({ ...x, observed: unionTags(x.observed, tomb) }))] };
      }
      case 'write': {
        const w = lwwWrite(d.hlc, ctx.clock, ctx.self, req.value);
        return { durable: { ...d, hlc: w.hlc, reg: w.reg }, volatile: node.volatile };
      }
      default:
        return assertNever(req);
    }
  };

  return defineProtocol<P>({
    name: 'gossip',
    schema: gossipSchema(g),
    // LWW writes read the physical clock (`ctx.clock`): the model offers maxClock and maxSkew.
    clocks: true,
    timers: ['retry'],
    initGhost: { incs: Array.from({ length: g.nodes }, () => 0), observed: [] },
    init: (ctx) => {
      const joiner = ctx.self >= firstJoiner;
      const members: Member[] = ctx.nodes.map((j) => ({
        hb: 0,
        status: j === ctx.self || (joiner ? j === 1 : j < firstJoiner) ? 'alive' : 'unknown',
      }));
      return {
        durable: { counter: ctx.nodes.map(() => 0), set: OR_EMPTY, reg: LWW_EMPTY, members, hlc: { l: 0, c: 0 }, seq: 0, verdicts: 0 },
        volatile: IDLE,
      };
    },
    onRestart: (_ctx, durable) => ({ durable, volatile: IDLE }),
    onMessage(ctx, node, msg, from) {
      const durable = absorb(ctx, node.durable, dataOf(msg));
      switch (msg.type) {
        case 'Push': // answer with the merge: the pull half of the exchange
          return { durable, volatile: node.volatile, effects: [ctx.send(from, { type: 'Pull', ...dataOf(durable) })] };
        case 'Pull': {
          const done = node.volatile.outstanding === from;
          return { durable, volatile: done ? { ...node.volatile, outstanding: null } : node.volatile, effects: done ? [ctx.cancelTimer('retry')] : [] };
        }
        default:
          return assertNever(msg);
      }
    },
    onTimer: (_ctx, node) => ({ durable: node.durable, volatile: { ...node.volatile, outstanding: null } }),
    requests: (seq) => {
      const all: GossipRequest[] = [{ op: 'inc' }, { op: 'add' }, { op: 'remove' }, { op: 'write', value: seq + 1 }];
      return all.filter((r) => g.ops === 'all' || (g.ops === 'counter' && r.op === 'inc') || (g.ops === 'orset' && (r.op === 'add' || r.op === 'remove')) || (g.ops === 'lww' && r.op === 'write'));
    },
    acceptsRequest: (_ctx, node, req) => req.op !== 'remove' || orContains(node.durable.set, 0),
    onClientRequest: onRequest,
    localActions(ctx, node) {
      const d = node.durable;
      const out: GossipLocal[] = [];
      if (node.volatile.outstanding === null) {
        const peers = alivePeers(ctx, d);
        if (g.peers === 'random') for (const p of peers) out.push({ type: 'gossip', peer: p });
        else if (peers.length > 0) out.push({ type: 'gossip', peer: peers.find((p) => p > node.volatile.cursor) ?? peers[0]! });
      }
      if (d.members[ctx.self - 1]!.hb < g.beats) out.push({ type: 'beat' });
      if (d.verdicts < g.suspects) for (const p of alivePeers(ctx, d)) out.push({ type: 'suspect', peer: p });
      return out;
    },
    onLocal(ctx, node, a) {
      const d = node.durable;
      switch (a.type) {
        case 'gossip':
          return {
            durable: d,
            volatile: { outstanding: a.peer, cursor: g.peers === 'round-robin' ? a.peer : 0 },
            effects: [ctx.send(a.peer, { type: 'Push', ...dataOf(d) }), ctx.setTimer('retry')],
          };
        case 'beat': {
          const me = d.members[ctx.self - 1]!;
          return { durable: { ...d, members: d.members.map((x, k) => (k === ctx.self - 1 ? { hb: me.hb + 1, status: 'alive' as const } : x)) }, volatile: node.volatile };
        }
        case 'suspect':
          return {
            durable: { ...d, verdicts: d.verdicts + 1, members: d.members.map((x, k) => (k === a.peer - 1 ? { hb: x.hb, status: 'dead' as const } : x)) },
            volatile: node.volatile,
            effects: [ctx.note(`declares ${ctx.name(a.peer)} dead`)],
          };
        default:
          return assertNever(a);
      }
    },
  });
}

/** The known-bug variant's protocol. */
export function buggyGossip(g: GossipShape, bug: GossipBug): Protocol<P> {
  return gossipProtocol(g, GOSSIP_MERGES[bug]);
}

function unionTags<T extends { readonly elem: number; readonly node: number; readonly seq: number }>(a: readonly T[], b: readonly T[]): readonly T[] {
  const key = (t: T) => (t.elem * 64 + t.node) * 256 + t.seq;
  const seen = new Set(a.map(key));
  const extra = b.filter((t) => !seen.has(key(t)));
  return extra.length === 0 ? a : [...a, ...extra].sort((x, y) => key(x) - key(y));
}
