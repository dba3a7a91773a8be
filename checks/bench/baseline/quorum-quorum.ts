// Bench-only baseline: the code before issue 13 (commit 3429dc0), kept to measure the port side by side (`npm run bench -- port`). Not used by any model.
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
 * and restart; clients do not crash (see `makeQuorumMachine`). The ghost record is the client
 * history, in the real-time order of environment steps (`specs/quorum.ts`).
 */
import { assertNever } from '../../../impl/core/machine.ts';
import type { Encoder } from '../../../impl/core/encode.ts';
import { defineProtocol, type Ctx, type Effect, type NodeId, type NodeView, type Protocol, type Reaction } from '../../../impl/env/types.ts';
import { INITIAL_VALUE, showEvent, type RegisterEvent } from '../../../specs/quorum.ts';

// ---------------------------------------------------------------------------------------------
// Configuration and node roles

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

/** Which role a node id plays. */
export type Role = 'replica' | 'spare' | 'client';

/** The node layout of a configuration: ids 1..N replicas, then spares, then clients. */
export interface Layout {
  readonly replicas: number;
  readonly spares: number;
  readonly clients: number;
  /** Total nodes. */
  readonly nodes: number;
  role(id: NodeId): Role;
  /** `r2`, `s1`, `c1`. */
  name(id: NodeId): string;
  /** The client number of a client id (1 for `c1`). */
  clientNumber(id: NodeId): number;
  /** Node ids of the replicas, spares, clients. */
  readonly replicaIds: readonly NodeId[];
  readonly spareIds: readonly NodeId[];
  readonly clientIds: readonly NodeId[];
}

/** The layout of `replicas + spares + clients` nodes. */
export function layout(replicas: number, spares: number, clients: number): Layout {
  const nodes = replicas + spares + clients;
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  const role = (id: NodeId): Role => (id <= replicas ? 'replica' : id <= replicas + spares ? 'spare' : 'client');
  return {
    replicas,
    spares,
    clients,
    nodes,
    role,
    name: (id) => {
      switch (role(id)) {
        case 'replica':
          return `r${id}`;
        case 'spare':
          return `s${id - replicas}`;
        case 'client':
          return `c${id - replicas - spares}`;
      }
    },
    clientNumber: (id) => id - replicas - spares,
    replicaIds: range(1, replicas),
    spareIds: range(replicas + 1, spares),
    clientIds: range(replicas + spares + 1, clients),
  };
}

// ---------------------------------------------------------------------------------------------
// Versions: (counter, writer) packed in one integer, compared as integers

/** Bits for the writer id in a packed version (node ids are at most 16). */
const WRITER_BITS = 5;
/** A version: `counter << 5 | writer`. 0 is the initial value's version. */
export type Version = number;
/** Pack (counter, writer). */
export const version = (counter: number, writer: NodeId): Version => (counter << WRITER_BITS) | writer;
/** The counter of a version. */
export const counterOf = (v: Version): number => v >>> WRITER_BITS;
/** The writer of a version (0 for the initial value). */
export const writerOf = (v: Version): NodeId => v & ((1 << WRITER_BITS) - 1);

// ---------------------------------------------------------------------------------------------
// Types

/** A hint a spare keeps for a replica it stood in for: the newest (version, value) it was given. */
export interface Hint {
  readonly home: NodeId;
  readonly ver: Version;
  readonly value: number;
  /** Handed off (a Handoff message is in flight or was answered); waiting for the ack. */
  readonly sent: boolean;
}

/** Durable state of a replica or spare: its copy of the register, and hints (spares). */
export interface StoreDurable {
  readonly role: 'store';
  readonly ver: Version;
  readonly value: number;
  /** Sorted by home. */
  readonly hints: readonly Hint[];
}
/** Durable state of a client: how many operations it has started (operation ids). */
export interface ClientDurable {
  readonly role: 'client';
  readonly ops: number;
}
/** What survives a crash. */
export type QuorumDurable = StoreDurable | ClientDurable;

/** A client's operation in progress. */
export interface Pending {
  readonly f: 'read' | 'write';
  /** The client's operation number (message replies carry it; older replies are ignored). */
  readonly op: number;
  readonly phase: 'query' | 'store';
  /** A write's value. */
  readonly arg: number;
  /** Query: the newest (version, value) answered so far. Store: what is being stored. */
  readonly ver: Version;
  readonly value: number;
  /** Bit `id - 1`: the nodes that answered this phase. */
  readonly answered: number;
  /** Query: the answerers whose version equals `ver` (the others are stale: read repair). */
  readonly fresh: number;
  /** Sloppy quorum: replicas a spare stands in for in this phase, and the spares asked. */
  readonly covered: number;
  readonly sparesUsed: number;
}
/** Volatile state of a replica or spare: none. */
export interface StoreVolatile {
  readonly role: 'store';
}
/** Volatile state of a client: its operation in progress, if any. */
export interface ClientVolatile {
  readonly role: 'client';
  readonly pending: Pending | null;
}
/** What a crash loses. */
export type QuorumVolatile = StoreVolatile | ClientVolatile;

/**
 * The messages. `op` is the client's operation number; `hint` is the replica a spare stands in
 * for (0: none, the message goes to the replica itself).
 */
export type QuorumMsg =
  | { readonly type: 'Query'; readonly op: number; readonly hint: NodeId }
  | { readonly type: 'QueryReply'; readonly op: number; readonly ver: Version; readonly value: number }
  | { readonly type: 'Store'; readonly op: number; readonly ver: Version; readonly value: number; readonly hint: NodeId }
  | { readonly type: 'StoreAck'; readonly op: number }
  | { readonly type: 'Repair'; readonly ver: Version; readonly value: number }
  | { readonly type: 'Handoff'; readonly ver: Version; readonly value: number }
  | { readonly type: 'HandoffAck'; readonly ver: Version };

/** A client request. */
export type QuorumRequest = { readonly f: 'read' } | { readonly f: 'write'; readonly value: number };

/**
 * Spontaneous steps: a client suspects a replica and sends the current phase's request to a
 * spare instead (sloppy quorum); a spare hands a hint off to its home replica.
 */
export type QuorumLocal = { readonly type: 'suspect'; readonly replica: NodeId } | { readonly type: 'handoff'; readonly home: NodeId };

/** The ghost record: the client history. */
export interface QuorumGhost {
  readonly events: readonly RegisterEvent[];
}

/** The protocol's types, for the environment. */
export interface QuorumTypes {
  readonly durable: QuorumDurable;
  readonly volatile: QuorumVolatile;
  readonly msg: QuorumMsg;
  readonly request: QuorumRequest;
  readonly local: QuorumLocal;
  readonly ghost: QuorumGhost;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const bit = (id: NodeId): number => 1 << (id - 1);
function popcount(x: number): number {
  let c = 0;
  for (; x !== 0; x &= x - 1) c++;
  return c;
}
const STORE_VOLATILE: StoreVolatile = { role: 'store' };
const EMPTY_STORE: StoreDurable = { role: 'store', ver: 0, value: INITIAL_VALUE, hints: [] };
const record = (ctx: Ctx<QuorumTypes>, e: RegisterEvent): Effect<QuorumTypes> => ctx.ghost((g) => ({ events: [...g.events, e] }));

/** A version as text: `2.c1` (counter 2, written by c1), `0` for the initial version. */
export function showVersion(l: Layout, v: Version): string {
  return v === 0 ? '0' : `${counterOf(v)}.${l.name(writerOf(v))}`;
}

// ---------------------------------------------------------------------------------------------
// The protocol

/**
 * The quorum register protocol with `opts`. One entry point per input (`onMessage`,
 * `onClientRequest`, `onLocal`) dispatches on the node's role to the client or store handlers.
 */
export function quorumProtocol(opts: QuorumOptions): Protocol<QuorumTypes> {
  const l = layout(opts.replicas, opts.spares, opts.clients);
  const { r: R, w: W } = opts;

  /** Send a phase's request to every replica of the preference list. */
  const toReplicas = (ctx: Ctx<QuorumTypes>, msg: QuorumMsg): Effect<QuorumTypes>[] => l.replicaIds.map((id) => ctx.send(id, msg));
  const phaseRequest = (p: Pending, hint: NodeId): QuorumMsg =>
    p.phase === 'query' ? { type: 'Query', op: p.op, hint } : { type: 'Store', op: p.op, ver: p.ver, value: p.value, hint };
  const client = (d: ClientDurable, pending: Pending | null): { durable: ClientDurable; volatile: ClientVolatile } => ({
    durable: d,
    volatile: { role: 'client', pending },
  });

  /** Start the store phase of `p` with (ver, value). */
  const startStore = (ctx: Ctx<QuorumTypes>, d: ClientDurable, p: Pending, ver: Version, value: number): Reaction<QuorumTypes> => {
    const next: Pending = { ...p, phase: 'store', ver, value, answered: 0, fresh: 0, covered: 0, sparesUsed: 0 };
    return { ...client(d, next), effects: toReplicas(ctx, phaseRequest(next, 0)) };
  };

  /** The operation returns: record the response, and (reads with read repair) repair stale replicas. */
  const complete = (ctx: Ctx<QuorumTypes>, d: ClientDurable, p: Pending, repair: number): Reaction<QuorumTypes> => {
    const c = l.clientNumber(ctx.self);
    const effects: Effect<QuorumTypes>[] = [record(ctx, p.f === 'read' ? { type: 'return-read', client: c, value: p.value } : { type: 'return-write', client: c })];
    for (const id of l.replicaIds) if (repair & bit(id)) effects.push(ctx.send(id, { type: 'Repair', ver: p.ver, value: p.value }));
    return { ...client(d, null), effects };
  };

  // ---- client handlers

  const onRequest = (ctx: Ctx<QuorumTypes>, d: ClientDurable, req: QuorumRequest): Reaction<QuorumTypes> => {
    const op = d.ops + 1;
    const durable: ClientDurable = { role: 'client', ops: op };
    const c = l.clientNumber(ctx.self);
    const invoke = record(ctx, req.f === 'read' ? { type: 'invoke-read', client: c } : { type: 'invoke-write', client: c, value: req.value });
    const arg = req.f === 'write' ? req.value : 0;
    const p: Pending = { f: req.f, op, phase: 'query', arg, ver: 0, value: INITIAL_VALUE, answered: 0, fresh: 0, covered: 0, sparesUsed: 0 };
    if (req.f === 'write' && !opts.queryBeforeWrite) {
      // Without the query, the version comes from the client's own operation counter.
      const r = startStore(ctx, durable, p, version(op, ctx.self), arg);
      return { ...r, effects: [invoke, ...(r.effects ?? [])] };
    }
    return { ...client(durable, p), effects: [invoke, ...toReplicas(ctx, phaseRequest(p, 0))] };
  };

  const onQueryReply = (ctx: Ctx<QuorumTypes>, d: ClientDurable, p: Pending, from: NodeId, ver: Version, value: number): Reaction<QuorumTypes> => {
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

  const onStoreAck = (ctx: Ctx<QuorumTypes>, d: ClientDurable, p: Pending, from: NodeId): Reaction<QuorumTypes> => {
    const q: Pending = { ...p, answered: p.answered | bit(from) };
    if (popcount(q.answered) < W) return client(d, q);
    // W acknowledgements: the version is stored on a write quorum, so every later query phase
    // (R + W > N) sees it. Only now may the operation return. (Under a sloppy quorum some of the
    // W may be spares holding hints, which a later query of the real replicas does not meet.)
    return complete(ctx, d, q, 0);
  };

  const stepClient = (ctx: Ctx<QuorumTypes>, node: NodeView<QuorumTypes>, msg: QuorumMsg, from: NodeId): Reaction<QuorumTypes> => {
    const d = node.durable as ClientDurable;
    const p = (node.volatile as ClientVolatile).pending;
    switch (msg.type) {
      case 'QueryReply':
        // Common rule: an answer to another operation, another phase, or from a node already
        // counted changes nothing.
        if (p === null || p.phase !== 'query' || msg.op !== p.op || p.answered & bit(from)) return node;
        return onQueryReply(ctx, d, p, from, msg.ver, msg.value);
      case 'StoreAck':
        if (p === null || p.phase !== 'store' || msg.op !== p.op || p.answered & bit(from)) return node;
        return onStoreAck(ctx, d, p, from);
      case 'Query':
      case 'Store':
      case 'Repair':
      case 'Handoff':
      case 'HandoffAck':
        throw new Error(`${l.name(ctx.self)} is a client and got ${msg.type}`);
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

  const stepStore = (ctx: Ctx<QuorumTypes>, node: NodeView<QuorumTypes>, msg: QuorumMsg, from: NodeId): Reaction<QuorumTypes> => {
    const d = node.durable as StoreDurable;
    const v = node.volatile;
    switch (msg.type) {
      case 'Query': {
        // A spare answers for the replica it stands in for, from its hint (or the initial value).
        const h = msg.hint === 0 ? undefined : d.hints.find((x) => x.home === msg.hint);
        const [ver, value] = msg.hint === 0 ? [d.ver, d.value] : h ? [h.ver, h.value] : [0, INITIAL_VALUE];
        return { durable: d, volatile: v, effects: [ctx.send(from, { type: 'QueryReply', op: msg.op, ver, value })] };
      }
      case 'Store': {
        const durable = msg.hint === 0 ? storeNewer(d, msg.ver, msg.value) : addHint(d, msg.hint, msg.ver, msg.value);
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
        throw new Error(`${l.name(ctx.self)} is a ${l.role(ctx.self)} and got ${msg.type}`);
      default:
        return assertNever(msg);
    }
  };

  // ---- local steps (sloppy quorum)

  const localActions = (ctx: Ctx<QuorumTypes>, node: NodeView<QuorumTypes>): readonly QuorumLocal[] => {
    const d = node.durable;
    if (d.role === 'store') return d.hints.filter((h) => !h.sent).map((h) => ({ type: 'handoff', home: h.home }));
    if (!opts.sloppy) return [];
    const p = (node.volatile as ClientVolatile).pending;
    if (p === null || popcount(p.sparesUsed) >= l.spares) return [];
    return l.replicaIds.filter((id) => !(p.answered & bit(id)) && !(p.covered & bit(id))).map((replica) => ({ type: 'suspect', replica }));
  };

  const onLocal = (ctx: Ctx<QuorumTypes>, node: NodeView<QuorumTypes>, a: QuorumLocal): Reaction<QuorumTypes> => {
    const d = node.durable;
    switch (a.type) {
      case 'suspect': {
        // Sloppy quorum: the phase's request for a suspected replica goes to the first spare not
        // yet asked, with a hint naming the replica. Its answer counts towards R or W like any
        // other: this is what lets a write "succeed" on the wrong side of a partition.
        const p = (node.volatile as ClientVolatile).pending;
        if (d.role !== 'client' || p === null) throw new Error(`${l.name(ctx.self)} cannot suspect: no operation in progress`);
        const spare = l.spareIds.find((id) => !(p.sparesUsed & bit(id)));
        if (spare === undefined) throw new Error(`${l.name(ctx.self)}: no spare left`);
        const q: Pending = { ...p, covered: p.covered | bit(a.replica), sparesUsed: p.sparesUsed | bit(spare) };
        return { ...client(d, q), effects: [ctx.send(spare, phaseRequest(q, a.replica))] };
      }
      case 'handoff': {
        // Hinted handoff: send the hinted version to its home replica; delete the hint on its ack.
        if (d.role !== 'store') throw new Error(`${l.name(ctx.self)} holds no hints`);
        const h = d.hints.find((x) => x.home === a.home && !x.sent);
        if (h === undefined) throw new Error(`${l.name(ctx.self)} has no hint for ${l.name(a.home)} to hand off`);
        const hints = d.hints.map((x) => (x === h ? { ...x, sent: true } : x));
        return { durable: { ...d, hints }, volatile: node.volatile, effects: [ctx.send(a.home, { type: 'Handoff', ver: h.ver, value: h.value })] };
      }
      default:
        return assertNever(a);
    }
  };

  // ---- encodings (the hot path) and labels

  const encodeDurable = (d: QuorumDurable, out: Encoder): void => {
    if (d.role === 'client') {
      out.int(-1);
      out.int(d.ops);
      return;
    }
    out.int(d.ver);
    out.int(d.value);
    out.int(d.hints.length);
    for (const h of d.hints) {
      out.int(h.home);
      out.int(h.ver);
      out.int(h.value);
      out.int(h.sent ? 1 : 0);
    }
  };
  const encodeVolatile = (v: QuorumVolatile, out: Encoder): void => {
    if (v.role === 'store') return out.int(0);
    const p = v.pending;
    if (p === null) return out.int(1);
    out.int(p.f === 'read' ? (p.phase === 'query' ? 2 : 3) : p.phase === 'query' ? 4 : 5);
    out.int(p.op);
    out.int(p.arg);
    out.int(p.ver);
    out.int(p.value);
    out.int(p.answered);
    out.int(p.fresh);
    out.int(p.covered);
    out.int(p.sparesUsed);
  };
  const MSG_CODE: Readonly<Record<QuorumMsg['type'], number>> = { Query: 0, QueryReply: 1, Store: 2, StoreAck: 3, Repair: 4, Handoff: 5, HandoffAck: 6 };
  const encodeMessage = (m: QuorumMsg, out: Encoder): void => {
    out.int(MSG_CODE[m.type]);
    switch (m.type) {
      case 'Query':
        out.int(m.op);
        out.int(m.hint);
        return;
      case 'QueryReply':
        out.int(m.op);
        out.int(m.ver);
        out.int(m.value);
        return;
      case 'Store':
        out.int(m.op);
        out.int(m.ver);
        out.int(m.value);
        out.int(m.hint);
        return;
      case 'StoreAck':
        out.int(m.op);
        return;
      case 'Repair':
      case 'Handoff':
        out.int(m.ver);
        out.int(m.value);
        return;
      case 'HandoffAck':
        out.int(m.ver);
        return;
      default:
        return assertNever(m);
    }
  };
  const EVENT_CODE: Readonly<Record<RegisterEvent['type'], number>> = { 'invoke-read': 0, 'invoke-write': 1, 'return-read': 2, 'return-write': 3 };
  const encodeGhost = (g: QuorumGhost, out: Encoder): void => {
    out.int(g.events.length);
    for (const e of g.events) {
      out.int(EVENT_CODE[e.type] | (e.client << 2));
      if (e.type === 'invoke-write' || e.type === 'return-read') out.int(e.value);
    }
  };

  const v = (ver: Version) => showVersion(l, ver);
  const hintText = (hint: NodeId) => (hint === 0 ? '' : `, for ${l.name(hint)}`);
  const formatMessage = (m: QuorumMsg): string => {
    switch (m.type) {
      case 'Query':
        return `Query(#${m.op}${hintText(m.hint)})`;
      case 'QueryReply':
        return `QueryReply(#${m.op}, ${m.value}@${v(m.ver)})`;
      case 'Store':
        return `Store(#${m.op}, ${m.value}@${v(m.ver)}${hintText(m.hint)})`;
      case 'StoreAck':
        return `StoreAck(#${m.op})`;
      case 'Repair':
        return `Repair(${m.value}@${v(m.ver)})`;
      case 'Handoff':
        return `Handoff(${m.value}@${v(m.ver)})`;
      case 'HandoffAck':
        return `HandoffAck(${v(m.ver)})`;
      default:
        return assertNever(m);
    }
  };
  const names = (mask: number): string[] => {
    const out: string[] = [];
    for (let id = 1; id <= l.nodes; id++) if (mask & bit(id)) out.push(l.name(id));
    return out;
  };

  return defineProtocol<QuorumTypes>({
    name: 'quorum',
    initGhost: { events: [] },
    init: (ctx) =>
      l.role(ctx.self) === 'client' ? { durable: { role: 'client', ops: 0 }, volatile: { role: 'client', pending: null } } : { durable: EMPTY_STORE, volatile: STORE_VOLATILE },
    // The store is durable: a restarted replica keeps its (version, value) and hints. A restarted
    // client (not offered by the machine) would have lost its operation in progress.
    onRestart: (_ctx, durable) => ({ durable, volatile: durable.role === 'client' ? { role: 'client', pending: null } : STORE_VOLATILE }),
    onMessage: (ctx, node, msg, from) => (node.durable.role === 'client' ? stepClient(ctx, node, msg, from) : stepStore(ctx, node, msg, from)),
    requests: (seq) => [{ f: 'write', value: seq + 1 }, { f: 'read' }],
    acceptsRequest: (_ctx, node) => node.volatile.role === 'client' && node.volatile.pending === null,
    onClientRequest: (ctx, node, req) => {
      if (node.durable.role !== 'client') throw new Error(`${l.name(ctx.self)} is not a client`);
      return onRequest(ctx, node.durable, req);
    },
    localActions,
    onLocal,
    encodeDurable,
    encodeVolatile,
    encodeMessage,
    encodeGhost,
    formatMessage,
    formatRequest: (r) => (r.f === 'read' ? 'read' : `write ${r.value}`),
    formatLocal: (a) => (a.type === 'suspect' ? `suspect ${l.name(a.replica)}` : `hand off to ${l.name(a.home)}`),
    viewDurable: (d) =>
      d.role === 'client'
        ? { ops: d.ops }
        : d.hints.length === 0
          ? `${d.value}@${v(d.ver)}`
          : { stored: `${d.value}@${v(d.ver)}`, hints: d.hints.map((h) => `${l.name(h.home)}: ${h.value}@${v(h.ver)}${h.sent ? ' (handed off)' : ''}`) },
    viewVolatile: (x) => {
      if (x.role === 'store') return null;
      const p = x.pending;
      if (p === null) return 'idle';
      return {
        op: `#${p.op} ${p.f === 'write' ? `write ${p.arg}` : 'read'}, ${p.phase} phase`,
        [p.phase === 'query' ? 'newest' : 'storing']: `${p.value}@${v(p.ver)}`,
        answered: names(p.answered),
        ...(p.covered !== 0 ? { spareFor: names(p.covered) } : {}),
      };
    },
    viewGhost: (g) => g.events.map(showEvent),
    // Replicas are interchangeable (quorums are counted, requests go to all of them); spares
    // and clients are not (a client picks the first unused spare; versions carry writer ids).
    // The history names clients only, so every check is symmetric under replica permutations.
    symmetry: {
      classes: () => [l.replicaIds, ...l.spareIds.map((id) => [id]), ...l.clientIds.map((id) => [id])],
      renameDurable: (d, f) => (d.role === 'client' || d.hints.length === 0 ? d : { ...d, hints: d.hints.map((h) => ({ ...h, home: f(h.home) })).sort((a, b) => a.home - b.home) }),
      renameVolatile: (x, f) => {
        if (x.role === 'store' || x.pending === null) return x;
        const p = x.pending;
        const m = (mask: number) => renameMask(mask, f, l.nodes);
        return { role: 'client', pending: { ...p, answered: m(p.answered), fresh: m(p.fresh), covered: m(p.covered), sparesUsed: m(p.sparesUsed) } };
      },
      renameMessage: (msg, f) => (msg.type === 'Query' || msg.type === 'Store') && msg.hint !== 0 ? { ...msg, hint: f(msg.hint) } : msg,
      signature: (node) => (node.durable.role === 'store' ? (node.durable.ver * 31 + node.durable.value) * 8 + node.durable.hints.length : 0),
    },
  });
}

/** A bitmask over node ids (bit `id - 1`) with every id renamed by `f`. */
function renameMask(mask: number, f: (id: NodeId) => NodeId, n: number): number {
  let out = 0;
  for (let id = 1; id <= n; id++) if (mask & bit(id)) out |= bit(f(id));
  return out;
}
