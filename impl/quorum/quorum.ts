/**
 * Quorum replication of one read/write register, on the shared environment: the protocol core
 * that both the ABD model (`abd.ts`) and the Dynamo-style model (`dynamo.ts`) instantiate.
 *
 * Sources:
 * - Attiya, Bar-Noy & Dolev, "Sharing memory robustly in message-passing systems", JACM 1995,
 *   section 3 (the emulation of an atomic register): every operation is two round trips to a
 *   majority. A write queries for the highest timestamp, then stores (timestamp + 1, writer id);
 *   a read queries, then writes back the value it is about to return. The multi-writer form
 *   (timestamps are (counter, writer id) pairs, a write queries first) is Lynch & Shvartsman,
 *   "Robust emulation of shared memory using dynamic quorum-acknowledged broadcasts", FTCS 1997.
 * - DeCandia et al., "Dynamo: Amazon's highly available key-value store", SOSP 2007, sections
 *   4.5 (quorums R and W over the N nodes of a key's preference list; read repair) and 4.6
 *   (sloppy quorum and hinted handoff). Versions here are (counter, writer id) pairs rather than
 *   vector clocks, and a write first reads the current version from R nodes, as ABD does; with
 *   no write-back, a read returns after one round trip, as in Dynamo.
 *
 * Nodes: `r1..rN` replicas (the preference list of the register's key), `s1..sS` spare nodes
 * (the next nodes on the ring, used only by a sloppy quorum), `c1..cC` clients. Clients
 * coordinate their own operations (client-driven coordination, Dynamo section 6.4): a client
 * sends each phase's request to the N replicas and completes the phase on the first R (query) or
 * W (store) distinct answers; answers that arrive later are ignored.
 *
 * Durable state: a replica's stored (version, value) and a spare's hints. Replicas may crash
 * and restart; clients do not crash (their role is declared `crashes: false`). The ghost record
 * is the client history, in the real-time order of environment steps (`history.ts`, read by
 * `specs/quorum.ts`). The data is declared once (`quorumSchema`); encodings, views, trace
 * labels, renaming under replica permutations and signatures are derived from it.
 */
import { assertNever } from '../core/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { popcount } from '../env/nodeset.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type Effect, type NodeId, type NodeView, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
import { INITIAL_VALUE, registerEventSchema, type RegisterEvent } from './history.ts';

// ---------------------------------------------------------------------------------------------
// Configuration

/** The protocol's options: quorum sizes and the read/write variants. */
export interface QuorumOptions {
  /** N: replicas in the key's preference list. */
  readonly replicas: number;
  /** Spare nodes a sloppy quorum may use (0 for a strict quorum). */
  readonly spares: number;
  /** Clients. */
  readonly clients: number;
  /** R: answers a query phase waits for. */
  readonly r: number;
  /** W: acknowledgements a store phase waits for. */
  readonly w: number;
  /** ABD: a read writes back the value it read to W nodes before returning. */
  readonly writeBack: boolean;
  /** A write queries R nodes for the highest version first (false: a client-local counter). */
  readonly queryBeforeWrite: boolean;
  /** Dynamo read repair: a completed read sends the newest value to the replicas that answered with an older one. */
  readonly readRepair: boolean;
  /** Dynamo sloppy quorum: a client may send a phase's request for a down or cut-off replica to a spare, with a hint. */
  readonly sloppy: boolean;
}

// ---------------------------------------------------------------------------------------------
// Versions: (counter, writer) packed in one integer, compared as integers

/** Bits for the writer id in a packed version (node ids are at most 16). */
const WRITER_BITS = 5;
/**
 * A version: `counter << 5 | writer`. 0 is the initial value's version. The writer is always a
 * client, and clients are never permuted by symmetry (only replicas are), so a version needs no
 * renaming: it is declared as a plain integer.
 */
export type Version = number;
/** Pack (counter, writer). */
export const version = (counter: number, writer: NodeId): Version => (counter << WRITER_BITS) | writer;
/** The counter of a version. */
export const counterOf = (v: Version): number => v >>> WRITER_BITS;
/** The writer of a version (0 for the initial value). */
export const writerOf = (v: Version): NodeId => v & ((1 << WRITER_BITS) - 1);

// ---------------------------------------------------------------------------------------------
// The data, declared once (encoding, views, renaming and signatures are derived)

/**
 * The quorum register's data for a configuration: operation numbers, values and version
 * counters are bounded by the `requests` budget (every write takes the next value, and raises
 * the highest counter by one).
 */
export const quorumSchema = (cfg: Pick<EnvConfig, 'requests'>, o: Pick<QuorumOptions, 'replicas' | 'clients'>) => {
  const ops = S.int(0, cfg.requests);
  const value = S.int(0, cfg.requests);
  const ver = S.int(0, version(cfg.requests, (1 << WRITER_BITS) - 1));
  const replica = S.node('replica');
  return {
    durable: S.union('role', {
      /** A replica's or spare's copy of the register, and (spares) the hints it keeps, one per home replica. */
      store: { ver, value, hints: S.set(S.record({ home: replica, ver, value, sent: S.bool() }), Math.max(1, o.replicas)) },
      /** How many operations the client has started (operation ids). */
      client: { ops },
    }),
    volatile: S.union('role', {
      store: {},
      /** The operation in progress, if any. */
      client: {
        pending: S.optional(
          S.record({
            f: S.enum('read', 'write'),
            /** The client's operation number (replies carry it; older replies are ignored). */
            op: ops,
            phase: S.enum('query', 'store'),
            /** A write's value. */
            arg: value,
            /** Query: the newest (version, value) answered so far. Store: what is being stored. */
            ver,
            value,
            /** The nodes that answered this phase. */
            answered: S.nodeSet(),
            /** Query: the answerers whose version equals `ver` (the others are stale: read repair). */
            fresh: S.nodeSet(),
            /** Sloppy quorum: replicas a spare stands in for in this phase, and the spares asked. */
            covered: S.nodeSet(),
            sparesUsed: S.nodeSet(),
          }),
        ),
      },
    }),
    /**
     * `op` is the client's operation number; `hint` the replica a spare stands in for (null: the
     * message goes to the replica itself). In traces: `Query(#1, for r2)`, `Store(#2, 1@1.c1)`
     * (value 1 at version 1.c1), `HandoffAck(1.c1)`.
     */
    msg: S.labelled(
      S.union('type', {
        Query: { op: ops, hint: S.optional(replica) },
        QueryReply: { op: ops, ver, value },
        Store: { op: ops, ver, value, hint: S.optional(replica) },
        StoreAck: { op: ops },
        Repair: { ver, value },
        Handoff: { ver, value },
        HandoffAck: { ver },
      }),
      (m, at) => {
        const vs = (v: Version, x: number) => `${x}@${showVersion(at.name, v)}`;
        const hint = (h: NodeId | null) => (h === null ? '' : `, for ${at.name(h)}`);
        switch (m.type) {
          case 'Query':
            return `Query(#${m.op}${hint(m.hint)})`;
          case 'QueryReply':
            return `QueryReply(#${m.op}, ${vs(m.ver, m.value)})`;
          case 'Store':
            return `Store(#${m.op}, ${vs(m.ver, m.value)}${hint(m.hint)})`;
          case 'StoreAck':
            return `StoreAck(#${m.op})`;
          case 'Repair':
            return `Repair(${vs(m.ver, m.value)})`;
          case 'Handoff':
            return `Handoff(${vs(m.ver, m.value)})`;
          case 'HandoffAck':
            return `HandoffAck(${showVersion(at.name, m.ver)})`;
          default:
            return assertNever(m);
        }
      },
    ),
    /** The client history. */
    ghost: S.record({ events: S.list(registerEventSchema(o.clients, cfg.requests), 2 * cfg.requests) }),
    /** A client request: `read`, `write 1`. */
    request: S.labelled(S.union('f', { read: {}, write: { value } }), (r) => (r.f === 'read' ? 'read' : `write ${r.value}`)),
    /** A client suspects a replica (sloppy quorum); a spare hands a hint off to its home replica. */
    local: S.labelled(S.union('type', { suspect: { replica }, handoff: { home: replica } }), (a, at) =>
      a.type === 'suspect' ? `suspect ${at.name(a.replica)}` : `hand off to ${at.name(a.home)}`,
    ),
  };
};

/** The protocol's types, for the environment. */
export interface QuorumTypes extends SchemaTypes<ReturnType<typeof quorumSchema>> {
  /** A client request. */
  readonly request: { readonly f: 'read' } | { readonly f: 'write'; readonly value: number };
  /**
   * Spontaneous steps: a client suspects a replica and sends the current phase's request to a
   * spare instead (sloppy quorum); a spare hands a hint off to its home replica.
   */
  readonly local: { readonly type: 'suspect'; readonly replica: NodeId } | { readonly type: 'handoff'; readonly home: NodeId };
}
type Q = QuorumTypes;
/** Durable state of a replica or spare. */
export type StoreDurable = Extract<Q['durable'], { role: 'store' }>;
/** Durable state of a client. */
export type ClientDurable = Extract<Q['durable'], { role: 'client' }>;
/** Volatile state of a client. */
export type ClientVolatile = Extract<Q['volatile'], { role: 'client' }>;
/** A client's operation in progress. */
export type Pending = NonNullable<ClientVolatile['pending']>;
/** A hint a spare keeps for a replica it stood in for: the newest (version, value) it was given. */
export type Hint = StoreDurable['hints'][number];
/** The messages. */
export type QuorumMsg = Q['msg'];
/** A client request. */
export type QuorumRequest = Q['request'];
/** A spontaneous step. */
export type QuorumLocal = Q['local'];

// ---------------------------------------------------------------------------------------------
// Helpers

const bit = (id: NodeId): number => 1 << (id - 1);
const STORE_VOLATILE = { role: 'store' } as const;
const EMPTY_STORE: StoreDurable = { role: 'store', ver: 0, value: INITIAL_VALUE, hints: [] };
const record = (ctx: Ctx<Q>, e: RegisterEvent): Effect<Q> => ctx.ghost((g) => ({ events: [...g.events, e] }));
const range = (from: number, count: number): NodeId[] => Array.from({ length: count }, (_, i) => from + i);

/** A version as text: `2.c1` (counter 2, written by c1), `0` for the initial version. */
export function showVersion(name: (id: NodeId) => string, v: Version): string {
  return v === 0 ? '0' : `${counterOf(v)}.${name(writerOf(v))}`;
}

// ---------------------------------------------------------------------------------------------
// The protocol

/**
 * The quorum register protocol with `opts`. Roles, in node order: replicas `r1..rN` (the
 * preference list), spares `s1..sS`, clients `c1..cC`. Clients do not crash (a crashed client
 * would leave an operation pending forever, which the history checker handles, but it is not
 * what these models are about). Replicas are interchangeable (quorums are counted, requests go
 * to all of them); spares and clients are not (a client picks the first unused spare; versions
 * carry writer ids). The history names clients only, so every check is symmetric under replica
 * permutations.
 *
 * One entry point per input (`onMessage`, `onClientRequest`, `onLocal`) dispatches on the node's
 * role to the client or store handlers.
 */
/**
 * Is a Query for operation `op` stale, given its sending client's volatile state (null while the
 * client is down)? It is once the client's query phase of `op` is over: operations and phases
 * only move forward, so it stays stale while in flight.
 */
export function staleQuery(sender: QuorumTypes['volatile'] | null, op: number): boolean {
  const q = sender !== null && sender.role === 'client' ? sender.pending : null;
  return q === null || q.op !== op || q.phase !== 'query';
}

export function quorumProtocol(opts: QuorumOptions): Protocol<Q> {
  const { r: R, w: W } = opts;
  const replicaIds = range(1, opts.replicas);
  const spareIds = range(opts.replicas + 1, opts.spares);
  const clientNumber = (id: NodeId): number => id - opts.replicas - opts.spares;

  /** Send a phase's request to every replica of the preference list. */
  const toReplicas = (ctx: Ctx<Q>, msg: QuorumMsg): Effect<Q>[] => replicaIds.map((id) => ctx.send(id, msg));
  const phaseRequest = (p: Pending, hint: NodeId | null): QuorumMsg =>
    p.phase === 'query' ? { type: 'Query', op: p.op, hint } : { type: 'Store', op: p.op, ver: p.ver, value: p.value, hint };
  const client = (d: ClientDurable, pending: Pending | null): Reaction<Q> => ({ durable: d, volatile: { role: 'client', pending } });

  /** Start the store phase of `p` with (ver, value). */
  const startStore = (ctx: Ctx<Q>, d: ClientDurable, p: Pending, ver: Version, value: number): Reaction<Q> => {
    const next: Pending = { ...p, phase: 'store', ver, value, answered: 0, fresh: 0, covered: 0, sparesUsed: 0 };
    return { ...client(d, next), effects: toReplicas(ctx, phaseRequest(next, null)) };
  };

  /** The operation returns: record the response, and (reads with read repair) repair stale replicas. */
  const complete = (ctx: Ctx<Q>, d: ClientDurable, p: Pending, repair: number): Reaction<Q> => {
    const c = clientNumber(ctx.self);
    const effects: Effect<Q>[] = [record(ctx, p.f === 'read' ? { type: 'return-read', client: c, value: p.value } : { type: 'return-write', client: c })];
    for (const id of replicaIds) if (repair & bit(id)) effects.push(ctx.send(id, { type: 'Repair', ver: p.ver, value: p.value }));
    return { ...client(d, null), effects };
  };

  // ---- client handlers

  const onRequest = (ctx: Ctx<Q>, d: ClientDurable, req: QuorumRequest): Reaction<Q> => {
    const op = d.ops + 1;
    const durable: ClientDurable = { role: 'client', ops: op };
    const c = clientNumber(ctx.self);
    const invoke = record(ctx, req.f === 'read' ? { type: 'invoke-read', client: c } : { type: 'invoke-write', client: c, value: req.value });
    const arg = req.f === 'write' ? req.value : 0;
    const p: Pending = { f: req.f, op, phase: 'query', arg, ver: 0, value: INITIAL_VALUE, answered: 0, fresh: 0, covered: 0, sparesUsed: 0 };
    if (req.f === 'write' && !opts.queryBeforeWrite) {
      // Without the query, the version comes from the client's own operation counter.
      const r = startStore(ctx, durable, p, version(op, ctx.self), arg);
      return { ...r, effects: [invoke, ...(r.effects ?? [])] };
    }
    return { ...client(durable, p), effects: [invoke, ...toReplicas(ctx, phaseRequest(p, null))] };
  };

  const onQueryReply = (ctx: Ctx<Q>, d: ClientDurable, p: Pending, from: NodeId, ver: Version, value: number): Reaction<Q> => {
    const b = bit(from);
    const newer = ver > p.ver;
    const q: Pending = {
      ...p,
      answered: p.answered | b,
      ver: newer ? ver : p.ver,
      value: newer ? value : p.value,
      fresh: newer ? b : ver === p.ver ? p.fresh | b : p.fresh,
    };
    if (popcount(q.answered) < R) return client(d, q);
    // Quorum of R answers. SAFETY: with R + W > N this set meets the W nodes that acknowledged
    // every completed store (of a write, or of a read's write-back), so q.ver is at least the
    // version of every operation that completed before this one began. A write then stores a
    // strictly higher version (counter + 1, ties broken by writer id), so versions follow the
    // real-time order of writes. A read that writes its value back before returning makes every
    // later read see at least that version (ABD's atomicity); a read that returns at once
    // (Dynamo) only guarantees regularity: while the newest write is still in progress, a later
    // read may meet R replicas that write has not reached yet, and return the older value.
    // With R + W ≤ N, or when spares answer for replicas (sloppy quorum), the intersection is
    // gone and even a completed write can be missed.
    if (p.f === 'write') return startStore(ctx, d, q, version(counterOf(q.ver) + 1, ctx.self), p.arg);
    if (opts.writeBack) return startStore(ctx, d, q, q.ver, q.value);
    return complete(ctx, d, q, opts.readRepair ? q.answered & ~q.fresh : 0);
  };

  const onStoreAck = (ctx: Ctx<Q>, d: ClientDurable, p: Pending, from: NodeId): Reaction<Q> => {
    const q: Pending = { ...p, answered: p.answered | bit(from) };
    if (popcount(q.answered) < W) return client(d, q);
    // W acknowledgements: the version is stored on a write quorum, so every later query phase
    // (R + W > N) sees it. Only now may the operation return. (Under a sloppy quorum some of the
    // W may be spares holding hints, which a later query of the real replicas does not meet.)
    return complete(ctx, d, q, 0);
  };

  /**
   * The common rule of a client: an answer to another operation, another phase, or from a node
   * already counted changes nothing. Operation numbers and phases only move forward, so such an
   * answer stays stale for as long as it is in flight (the environment's `ignores`).
   */
  const stale = (d: ClientDurable, p: Pending | null, msg: QuorumMsg, from: NodeId): boolean => {
    const phase = msg.type === 'QueryReply' ? 'query' : 'store';
    return !('op' in msg) || msg.op !== d.ops || p === null || p.op !== msg.op || p.phase !== phase || (p.answered & bit(from)) !== 0;
  };

  const stepClient = (ctx: Ctx<Q>, d: ClientDurable, v: ClientVolatile, node: NodeView<Q>, msg: QuorumMsg, from: NodeId): Reaction<Q> => {
    const p = v.pending;
    switch (msg.type) {
      case 'QueryReply':
        if (p === null || stale(d, p, msg, from)) return node;
        return onQueryReply(ctx, d, p, from, msg.ver, msg.value);
      case 'StoreAck':
        if (p === null || stale(d, p, msg, from)) return node;
        return onStoreAck(ctx, d, p, from);
      case 'Query':
      case 'Store':
      case 'Repair':
      case 'Handoff':
      case 'HandoffAck':
        throw new Error(`${ctx.name(ctx.self)} is a client and got ${msg.type}`);
      default:
        return assertNever(msg);
    }
  };

  // ---- replica and spare handlers

  /** Keep the newer of the stored and the given version (last writer wins). */
  const storeNewer = (d: StoreDurable, ver: Version, value: number): StoreDurable => (ver > d.ver ? { ...d, ver, value } : d);

  /** Record a hint for `home` (a spare standing in for it): keep the newest. */
  const addHint = (d: StoreDurable, home: NodeId, ver: Version, value: number): StoreDurable => {
    const old = d.hints.find((h) => h.home === home);
    if (old !== undefined && old.ver >= ver) return d;
    const hints = [...d.hints.filter((h) => h.home !== home), { home, ver, value, sent: false }].sort((a, b) => a.home - b.home);
    return { ...d, hints };
  };

  const stepStore = (ctx: Ctx<Q>, d: StoreDurable, node: NodeView<Q>, msg: QuorumMsg, from: NodeId): Reaction<Q> => {
    const v = node.volatile;
    switch (msg.type) {
      case 'Query': {
        // A spare answers for the replica it stands in for, from its hint (or the initial value).
        const h = msg.hint === null ? undefined : d.hints.find((x) => x.home === msg.hint);
        const [ver, value] = msg.hint === null ? [d.ver, d.value] : h ? [h.ver, h.value] : [0, INITIAL_VALUE];
        return { durable: d, volatile: v, effects: [ctx.send(from, { type: 'QueryReply', op: msg.op, ver, value })] };
      }
      case 'Store': {
        const durable = msg.hint === null ? storeNewer(d, msg.ver, msg.value) : addHint(d, msg.hint, msg.ver, msg.value);
        return { durable, volatile: v, effects: [ctx.send(from, { type: 'StoreAck', op: msg.op })] };
      }
      case 'Repair':
        return { durable: storeNewer(d, msg.ver, msg.value), volatile: v };
      case 'Handoff':
        return { durable: storeNewer(d, msg.ver, msg.value), volatile: v, effects: [ctx.send(from, { type: 'HandoffAck', ver: msg.ver })] };
      case 'HandoffAck': {
        // The home replica has the hinted version: the hint can go (unless a newer one came since).
        const hints = d.hints.filter((h) => !(h.home === from && h.ver === msg.ver));
        return { durable: hints.length === d.hints.length ? d : { ...d, hints }, volatile: v };
      }
      case 'QueryReply':
      case 'StoreAck':
        throw new Error(`${ctx.name(ctx.self)} is a ${ctx.role} and got ${msg.type}`);
      default:
        return assertNever(msg);
    }
  };

  // ---- local steps (sloppy quorum)

  const localActions = (_ctx: Ctx<Q>, node: NodeView<Q>): readonly QuorumLocal[] => {
    const d = node.durable;
    const v = node.volatile;
    if (d.role === 'store') return d.hints.filter((h) => !h.sent).map((h) => ({ type: 'handoff', home: h.home }));
    if (!opts.sloppy || v.role !== 'client') return [];
    const p = v.pending;
    if (p === null || popcount(p.sparesUsed) >= opts.spares) return [];
    return replicaIds.filter((id) => !(p.answered & bit(id)) && !(p.covered & bit(id))).map((replica) => ({ type: 'suspect', replica }));
  };

  const onLocal = (ctx: Ctx<Q>, node: NodeView<Q>, a: QuorumLocal): Reaction<Q> => {
    const d = node.durable;
    const v = node.volatile;
    switch (a.type) {
      case 'suspect': {
        // Sloppy quorum: the phase's request for a suspected replica goes to the first spare not
        // yet asked, with a hint naming the replica. Its answer counts towards R or W like any
        // other: this is what lets a write "succeed" on the wrong side of a partition.
        if (d.role !== 'client' || v.role !== 'client' || v.pending === null) throw new Error(`${ctx.name(ctx.self)} cannot suspect: no operation in progress`);
        const p = v.pending;
        const spare = spareIds.find((id) => !(p.sparesUsed & bit(id)));
        if (spare === undefined) throw new Error(`${ctx.name(ctx.self)}: no spare left`);
        const q: Pending = { ...p, covered: p.covered | bit(a.replica), sparesUsed: p.sparesUsed | bit(spare) };
        return { ...client(d, q), effects: [ctx.send(spare, phaseRequest(q, a.replica))] };
      }
      case 'handoff': {
        // Hinted handoff: send the hinted version to its home replica; delete the hint on its ack.
        if (d.role !== 'store') throw new Error(`${ctx.name(ctx.self)} holds no hints`);
        const h = d.hints.find((x) => x.home === a.home && !x.sent);
        if (h === undefined) throw new Error(`${ctx.name(ctx.self)} has no hint for ${ctx.name(a.home)} to hand off`);
        const hints = d.hints.map((x) => (x === h ? { ...x, sent: true } : x));
        return { durable: { ...d, hints }, volatile: v, effects: [ctx.send(a.home, { type: 'Handoff', ver: h.ver, value: h.value })] };
      }
      default:
        return assertNever(a);
    }
  };

  return defineProtocol<Q>({
    name: 'quorum',
    schema: (cfg) => quorumSchema(cfg, opts),
    roles: {
      replica: { count: opts.replicas, prefix: 'r' },
      spare: { count: opts.spares, prefix: 's', symmetric: false },
      client: { count: opts.clients, prefix: 'c', crashes: false, symmetric: false },
    },
    symmetry: {},
    initGhost: { events: [] },
    init: (ctx) => (ctx.role === 'client' ? { durable: { role: 'client', ops: 0 }, volatile: { role: 'client', pending: null } } : { durable: EMPTY_STORE, volatile: STORE_VOLATILE }),
    // The store is durable: a restarted replica keeps its (version, value) and hints.
    onRestart: (_ctx, durable) => ({ durable, volatile: durable.role === 'client' ? { role: 'client', pending: null } : STORE_VOLATILE }),
    // One entry point, then per-role handlers.
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      const v = node.volatile;
      if (d.role === 'store') return stepStore(ctx, d, node, msg, from);
      if (v.role === 'client') return stepClient(ctx, d, v, node, msg, from);
      throw new Error(`${ctx.name(ctx.self)}: a client without a client's volatile state`);
    },
    // Stale answers (see `stale`): the checker leaves them out of a state's identity, so each
    // phase's leftover answers do not multiply the states; traces keep them. And stale queries:
    // a Query whose client has finished that operation's query phase. The replica answers it,
    // and its answer is stale at the client in turn, so the delivery changes nothing but the
    // network (the replica cannot know the client moved on; the declaration reads the sender's
    // state in `state`).
    ignores: (_ctx, node, msg, from, state) => {
      if (msg.type === 'Query') return node.durable.role === 'store' && staleQuery(state.nodes[from - 1]!.volatile, msg.op);
      return (msg.type === 'QueryReply' || msg.type === 'StoreAck') && node.durable.role === 'client' && node.volatile?.role === 'client' && stale(node.durable, node.volatile.pending, msg, from);
    },
    requests: (seq) => [{ f: 'write', value: seq + 1 }, { f: 'read' }],
    acceptsRequest: (_ctx, node) => node.volatile.role === 'client' && node.volatile.pending === null,
    onClientRequest: (ctx, node, req) => {
      if (node.durable.role !== 'client') throw new Error(`${ctx.name(ctx.self)} is not a client`);
      return onRequest(ctx, node.durable, req);
    },
    localActions,
    onLocal,
  });
}
