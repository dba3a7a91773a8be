/**
 * Two replicated registers, as demonstrations of what clocks are for: "two phones racing for the
 * last ticket".
 *
 * Each replica takes writes from its clients (`put w1`, `put w2`, ...: the env's request
 * budget is the number of writes) and broadcasts each write to the other replicas, which merge
 * it into their copy. They differ only in how they order versions:
 *
 * - `lww-store`, last writer wins: a version is stamped with the physical clock of the replica
 *   that took it, ties broken by replica id, and a replica keeps the version with the largest
 *   stamp (Cassandra's cell reconciliation). Physical clocks are skewed (`maxSkew`) and coarse,
 *   so a write made after seeing another one can carry a smaller stamp, and lose to it: the
 *   checker breaks `no-lost-causal-write`. Concurrent writes are settled silently, by clock:
 *   `conflicts-detected` breaks too.
 * - `vc-store`, siblings under version vectors (Dynamo, DeCandia et al., SOSP 2007, section 4.4):
 *   a write supersedes exactly the versions its replica had (its vector is their merge, with
 *   the replica's own entry incremented); a received version replaces the versions it follows,
 *   is dropped if it follows none and one follows it (or equals it), and otherwise joins them as
 *   a sibling. The checker keeps both properties.
 *
 * The ghost record (`impl/clocks/history.ts`, read by `specs/clocks/store.ts`) holds the true happens-before relation between
 * writes, independent of either store's timestamps.
 */
import { int } from '../core/machine.ts';
import { MAX_NODES } from '../env/config.ts';
import { envParam } from '../env/params.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type EnvState, type NodeId, type Protocol, type Reaction } from '../env/types.ts';
import { formatVector, vcCompare, vcIncrement, vcMerge, vcZero, type VectorClock } from './algebra.ts';
import type { NoVolatile } from './process.ts';
import { emptyStoreHistory, MAX_WRITES, recordReceive, recordWrite, type StoreHistory } from './history.ts';

/** A client write: the write's number (w1, w2, ... in the order they are made). */
export interface PutRequest {
  readonly w: number;
}

const requests = (seq: number): readonly PutRequest[] => [{ w: seq + 1 }];
/** The largest stamp or clock value the stores hold (a bound for the schema only). */
const MAX = 0x7fffffff;
const NONE: NoVolatile = {};
/** The writes in a bitmask (bit w − 1 for write w), as `w1,w3`. */
const writesIn = (set: number): string => {
  const out: string[] = [];
  for (let w = 1; w <= MAX_WRITES; w++) if ((set >>> (w - 1)) & 1) out.push(`w${w}`);
  return out.join(',');
};
/** A client write, labelled `put w1`. */
const putRequest = S.labelled(S.record({ w: S.int(1, MAX_WRITES) }), (r) => `put w${r.w}`);
/**
 * The write record's data (`history.ts`): writes in order, labelled `w2 at n1 pt=0 after w1`, and
 * per replica the set of writes it has seen, labelled `{w1,w2}`.
 */
const storeHistorySchema = S.record({
  writes: S.list(
    S.labelled(S.record({ node: S.node(), pt: S.int(0, MAX), past: S.int(0, MAX) }), (x, at) => {
      const past = writesIn(x.past);
      return `w${at.index! + 1} at ${at.name(x.node)} pt=${x.pt}${past === '' ? '' : ` after ${past}`}`;
    }),
    MAX_WRITES,
  ),
  seen: S.perNode(S.labelled(S.int(0, MAX), (set) => `{${writesIn(set)}}`)),
});

// ---------------------------------------------------------------------------------------------
// Last writer wins

/** An LWW version: the write and its stamp (timestamp, replica id). */
export interface LwwVersion {
  /** The write's number; 0 for "no value yet". */
  readonly w: number;
  /**
   * The timestamp: the physical clock of the replica that took the write (raised past that
   * replica's previous own timestamp when its clock has not moved).
   */
  readonly ts: number;
  readonly node: NodeId;
}

/** An LWW replica: the version it holds, and the last stamp it gave a write of its own. */
export interface LwwReplica {
  readonly value: LwwVersion;
  /** −1 before its first write. */
  readonly lastStamp: number;
}

/** The LWW store's types. */
export interface LwwTypes {
  readonly durable: LwwReplica;
  readonly volatile: NoVolatile;
  readonly msg: { readonly type: 'Put' } & LwwVersion;
  readonly request: PutRequest;
  readonly ghost: StoreHistory;
}

/** Last writer wins: the larger (timestamp, replica id) stamp. */
export function lwwNewer(a: LwwVersion, b: LwwVersion): boolean {
  if (b.w === 0) return a.w !== 0;
  return a.ts !== b.ts ? a.ts > b.ts : a.node > b.node;
}

const EMPTY: LwwReplica = { value: { w: 0, ts: 0, node: 0 }, lastStamp: -1 };

/** The LWW register on `n` replicas. */
export function lwwProtocol(n: number): Protocol<LwwTypes> {
  return defineProtocol<LwwTypes>({
    name: 'lww-store',
    schema: {
      // `node` is 0 in the empty version, so a plain integer; the labels name it (`at.name`).
      durable: S.labelled(S.record({ value: S.record({ w: S.int(0, MAX_WRITES), ts: S.int(0, MAX), node: S.int(0, MAX_NODES) }), lastStamp: S.int(-1, MAX) }), (d, at) =>
        d.value.w === 0 ? 'empty' : `w${d.value.w} (ts=${d.value.ts}, ${at.name(d.value.node)})`,
      ),
      volatile: S.record({}),
      msg: S.labelled(S.union('type', { Put: { w: S.int(1, MAX_WRITES), ts: S.int(0, MAX), node: S.int(0, MAX_NODES) } }), (m, at) => `Put(w${m.w}, ts=${m.ts}, ${at.name(m.node)})`),
      ghost: storeHistorySchema,
      request: putRequest,
    },
    // Stamps read the physical clock (`ctx.clock`): the model offers maxClock and maxSkew.
    clocks: true,
    initGhost: emptyStoreHistory(n),
    init: () => ({ durable: EMPTY, volatile: NONE }),
    onRestart: (_ctx, durable) => ({ durable, volatile: NONE }),
    requests,
    onClientRequest(ctx, node, req): Reaction<LwwTypes> {
      const d = node.durable;
      // The stamp is the physical clock, kept increasing across this replica's own writes (as a
      // driver's monotonic timestamp generator does), so a replica never loses to itself.
      const ts = Math.max(ctx.clock, d.lastStamp + 1);
      const mine: LwwVersion = { w: req.w, ts, node: ctx.self };
      // The local write too is reconciled by stamp: a replica that holds a version stamped
      // later by a faster (or tied) clock keeps it, although the client wrote after reading it.
      const value = lwwNewer(mine, d.value) ? mine : d.value;
      return {
        durable: { value, lastStamp: ts },
        volatile: NONE,
        effects: [ctx.broadcast({ type: 'Put', ...mine }), ctx.ghost((g) => recordWrite(g, ctx.self, req.w, ctx.clock))],
      };
    },
    onMessage(ctx, node, msg): Reaction<LwwTypes> {
      const v: LwwVersion = { w: msg.w, ts: msg.ts, node: msg.node };
      const d = node.durable;
      return { durable: lwwNewer(v, d.value) ? { value: v, lastStamp: d.lastStamp } : d, volatile: NONE, effects: [ctx.ghost((g) => recordReceive(g, ctx.self, msg.w))] };
    },
  });
}

/** The LWW store's state. */
export type LwwState = EnvState<LwwTypes>;

// ---------------------------------------------------------------------------------------------
// Siblings under version vectors

/** A sibling: a write and its version vector. */
export interface Sibling {
  readonly w: number;
  readonly vv: VectorClock;
}

/** The vector-clock store's types. */
export interface VcStoreTypes {
  readonly durable: { readonly siblings: readonly Sibling[] };
  readonly volatile: NoVolatile;
  readonly msg: { readonly type: 'Put'; readonly w: number; readonly vv: VectorClock };
  readonly request: PutRequest;
  readonly ghost: StoreHistory;
}

/** A sibling's data, labelled `w1 [1,0]`. */
const sibling = S.labelled(S.record({ w: S.int(1, MAX_WRITES), vv: S.perNode(S.int(0, MAX)) }), (x) => `w${x.w} ${formatVector(x.vv)}`);

/** The register that keeps siblings, on `n` replicas. */
export function vcStoreProtocol(n: number): Protocol<VcStoreTypes> {
  return defineProtocol<VcStoreTypes>({
    name: 'vc-store',
    schema: {
      durable: S.labelled(S.record({ siblings: S.list(sibling, MAX_WRITES) }), (d, at) => (d.siblings.length === 0 ? 'empty' : d.siblings.map((x) => at.show(sibling, x)).join(' | '))),
      volatile: S.record({}),
      msg: S.labelled(S.union('type', { Put: { w: S.int(1, MAX_WRITES), vv: S.perNode(S.int(0, MAX)) } }), (m) => `Put(w${m.w}, ${formatVector(m.vv)})`),
      ghost: storeHistorySchema,
      request: putRequest,
    },
    initGhost: emptyStoreHistory(n),
    init: () => ({ durable: { siblings: [] }, volatile: NONE }),
    onRestart: (_ctx, durable) => ({ durable, volatile: NONE }),
    requests,
    onClientRequest(ctx, node, req): Reaction<VcStoreTypes> {
      // The client read every sibling, so its write supersedes all of them.
      const context = node.durable.siblings.reduce((acc, s) => vcMerge(acc, s.vv), vcZero(n));
      const vv = vcIncrement(context, ctx.self);
      return {
        durable: { siblings: [{ w: req.w, vv }] },
        volatile: NONE,
        effects: [ctx.broadcast({ type: 'Put', w: req.w, vv }), ctx.ghost((g) => recordWrite(g, ctx.self, req.w, ctx.clock))],
      };
    },
    onMessage(ctx, node, msg): Reaction<VcStoreTypes> {
      const effects = [ctx.ghost((g) => recordReceive(g, ctx.self, msg.w))];
      const sibs = node.durable.siblings;
      // Already reflected: some sibling follows the version or is it.
      if (sibs.some((s) => { const o = vcCompare(msg.vv, s.vv); return o === 'before' || o === 'equal'; })) return { ...node, effects };
      // Otherwise it replaces exactly the siblings it follows, and stands beside the concurrent
      // ones: the conflict is kept, not settled. This is where `vc-strong-clock` earns its keep:
      // "follows" must be exactly happens-before, or a later write is lost or a stale one kept.
      const kept = sibs.filter((s) => vcCompare(s.vv, msg.vv) !== 'before');
      const siblings = [...kept, { w: msg.w, vv: msg.vv }].sort((a, b) => a.w - b.w);
      return { durable: { siblings }, volatile: NONE, effects };
    },
  });
}

/** The vector-clock store's state. */
export type VcStoreState = EnvState<VcStoreTypes>;

// ---------------------------------------------------------------------------------------------
// Parameters

/** The parameters both stores have: replicas, writes and the network's faults. */
export function storeParams() {
  return {
    nodes: int(2, 2, MAX_NODES, 'number of replicas (n1..nN)'),
    writes: int(2, 1, MAX_WRITES, 'client writes, in total'),
    delivery: envParam('delivery'),
    drops: envParam('drops'),
    duplicates: envParam('duplicates'),
  } as const;
}
