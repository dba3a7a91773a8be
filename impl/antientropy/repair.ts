/**
 * Anti-entropy repair between two replicas of a key-value store, comparing Merkle trees over key
 * ranges top-down (`merkle.ts`; Dynamo, SOSP 2007, section 4.7; Cassandra's repair).
 *
 * The initiator r1 runs a session level by level: it asks r2 for the hashes of a frontier of
 * tree nodes (`Get`), compares them with its own (`Hashes`), and descends only into the nodes
 * that differ. At the leaf level it sends the entries of the differing leaves (`Sync`); r2 takes
 * those that are newer and answers with its own entries that r1 lacks or has older (`Entries`),
 * which r1 takes. Only the keys that differ travel with their values. Messages carry the session
 * number, so that replies to a session abandoned by a crash of r1 are ignored (the checker found
 * that bug in the first version of this model: a stale `Hashes` ended a new session early).
 *
 * Clients write keys at either replica (a write carries a fresh version; a newer version wins);
 * a store keeps its entries in insertion order, so two equal stores can hold them in different
 * orders, which the correct leaf hash ignores (it sorts by key).
 *
 * Known-bug variants: leaves hashed in insertion order (equal replicas look different, and repair
 * never ends), and a session that stops one level above the leaves (misses the differences).
 */
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type Protocol, type SchemaTypes } from '../env/types.ts';
import { depthOf, diffKeys, leafOf, mergeEntries, treeHashes, type Entry, type LeafOrder, type Store, type TreeShape } from './merkle.ts';

/** The shape: the tree, the write budget (versions) and the number of repair sessions. */
export interface RepairShape extends TreeShape {
  readonly requests: number;
  readonly sessions: number;
}

/** The repair model's data. */
export const repairSchema = (r: RepairShape) => {
  // An entry: key and version, `k0v1` in traces (as in the message labels).
  const E = S.labelled(S.record({ key: S.int(0, r.keys - 1), ver: S.int(1, Math.max(1, r.requests)) }), (e) => `k${e.key}v${e.ver}`);
  const store = S.list(E, r.keys);
  const Idx = S.int(1, 2 * r.leaves - 1);
  /** Every message carries the initiator's session number: a reply from an abandoned session (r1 crashed) is ignored. */
  const Sess = S.int(1, r.sessions);
  /** A tree node's hash in a message: `3:1a2b` (index, first four hex digits). */
  const H = S.labelled(S.record({ idx: Idx, hash: S.int(0, 0x7fffffff) }), (x) => `${x.idx}:${(x.hash >>> 0).toString(16).slice(0, 4)}`);
  return {
    durable: S.record({ store, sessions: S.int(0, r.sessions) }),
    volatile: S.record({ phase: S.enum('idle', 'hashes', 'sync'), level: S.int(0, depthOf(r)), frontier: S.list(Idx, r.leaves) }),
    /** `Get(2,3)`, `Hashes(2:1a2b,3:04ff)`, `Sync(leaves 4: k0v1,k1v2)`, `Entries(k0v1)` in traces (no session number). */
    msg: S.labelled(
      S.union('type', {
        Get: { session: Sess, nodes: S.list(Idx, r.leaves) },
        Hashes: { session: Sess, hashes: S.list(H, r.leaves) },
        Sync: { session: Sess, leaves: S.list(Idx, r.leaves), entries: store },
        Entries: { session: Sess, entries: store },
      }),
      (m, at) => {
        const entries = (es: readonly Entry[]) => es.map((e) => at.show(E, e)).join(',');
        switch (m.type) {
          case 'Get':
            return `Get(${m.nodes.join(',')})`;
          case 'Hashes':
            return `Hashes(${m.hashes.map((x) => at.show(H, x)).join(',')})`;
          case 'Sync':
            return `Sync(leaves ${m.leaves.join(',')}: ${entries(m.entries)})`;
          case 'Entries':
            return `Entries(${entries(m.entries)})`;
        }
      },
    ),
    ghost: S.record({
      /** Each replica's store (mirrored by every change, so checks can snapshot it). */
      stores: S.perNode(store),
      /** The keys that differed when the last session started (bit k: key k). */
      diff: S.int(0, 2 ** r.keys - 1),
      /** The keys whose entries travelled in the last session. */
      exchanged: S.int(0, 2 ** r.keys - 1),
      /** Hash pairs compared in the last session. */
      compared: S.int(0, 4 * r.leaves),
      active: S.bool(),
      /** A client wrote since the last session started (its end-of-session checks no longer apply). */
      dirty: S.bool(),
      /** Sessions completed. */
      done: S.int(0, r.sessions),
    }),
    /** A client write: `write(k0, v1)`. */
    request: S.labelled(S.record({ key: S.int(0, r.keys - 1), ver: S.int(1, Math.max(1, r.requests)) }), (w) => `write(k${w.key}, v${w.ver})`),
    local: S.enum('repair'),
  };
};

/** A client write. */
export interface RepairWrite {
  readonly key: number;
  readonly ver: number;
}

/** The repair model's types. */
export interface RepairTypes extends SchemaTypes<ReturnType<typeof repairSchema>> {
  readonly request: RepairWrite;
  readonly local: 'repair';
}
type P = RepairTypes;
type Ghost = P['ghost'];

/** What the variants change. */
export interface RepairRules {
  readonly order: LeafOrder;
  /** Levels above the leaves at which a session stops (correct: 0). */
  readonly stopAbove: number;
}

/** The correct rules. */
export const CORRECT_REPAIR: RepairRules = { order: 'key', stopAbove: 0 };

const mask = (keys: readonly number[]): number => keys.reduce((m, k) => m | (1 << k), 0);
const IDLE = { phase: 'idle', level: 0, frontier: [] } as const;

/** The repair protocol. */
export function repairProtocol(r: RepairShape, rules: RepairRules = CORRECT_REPAIR): Protocol<P> {
  const depth = depthOf(r);
  const hashes = (s: Store) => treeHashes(r, s, rules.order);
  const inLeaves = (s: Store, leaves: readonly number[]) => s.filter((e) => leaves.includes(leafOf(r, e.key)));
  const mirror = (ctx: Ctx<P>, store: Store) => ctx.ghost((g) => ({ ...g, stores: g.stores.map((x, k) => (k === ctx.self - 1 ? store : x)) }));
  const finish = (ctx: Ctx<P>) => ctx.ghost((g): Ghost => ({ ...g, active: false, done: Math.min(r.sessions, g.done + 1) }));

  return defineProtocol<P>({
    name: 'antientropy',
    schema: repairSchema(r),
    roles: { replica: { count: 2, prefix: 'r', symmetric: false } },
    initGhost: { stores: [[], []], diff: 0, exchanged: 0, compared: 0, active: false, dirty: false, done: 0 },
    init: () => ({ durable: { store: [], sessions: 0 }, volatile: IDLE }),
    onRestart: (_ctx, durable) => ({ durable, volatile: IDLE }),
    requests: (seq, _n) => Array.from({ length: r.keys }, (_, key) => ({ key, ver: seq + 1 })),
    onClientRequest(ctx, node, w) {
      const store = mergeEntries(node.durable.store, [w]);
      return { durable: { ...node.durable, store }, volatile: node.volatile, effects: [mirror(ctx, store), ctx.ghost((g) => (g.dirty ? g : { ...g, dirty: true }))] };
    },
    localActions: (ctx, node) => (ctx.self === 1 && node.volatile.phase === 'idle' && node.durable.sessions < r.sessions ? ['repair'] : []),
    onLocal: (ctx, node) => ({
      durable: { ...node.durable, sessions: node.durable.sessions + 1 },
      volatile: { phase: 'hashes', level: 0, frontier: [1] },
      effects: [
        ctx.send(2, { type: 'Get', session: node.durable.sessions + 1, nodes: [1] }),
        ctx.ghost((g): Ghost => ({ ...g, diff: mask(diffKeys(g.stores[0]!, g.stores[1]!)), exchanged: 0, compared: 0, active: true, dirty: false })),
      ],
    }),
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      const v = node.volatile;
      switch (msg.type) {
        case 'Get': {
          const h = hashes(d.store);
          return { ...node, effects: [ctx.send(from, { type: 'Hashes', session: msg.session, hashes: msg.nodes.map((idx) => ({ idx, hash: h[idx]! })) })] };
        }
        case 'Hashes': {
          if (v.phase !== 'hashes' || msg.session !== d.sessions) return node;
          const mine = hashes(d.store);
          const differing = msg.hashes.filter((x) => mine[x.idx] !== x.hash).map((x) => x.idx);
          const counted = ctx.ghost((g): Ghost => ({ ...g, compared: Math.min(4 * r.leaves, g.compared + msg.hashes.length) }));
          // Where the session ends: at the leaves (correct), or `stopAbove` levels above them.
          if (v.level === depth - rules.stopAbove) {
            if (differing.length === 0 || rules.stopAbove > 0) return { durable: d, volatile: IDLE, effects: [counted, finish(ctx)] };
            return { durable: d, volatile: { phase: 'sync', level: v.level, frontier: differing }, effects: [counted, ctx.send(from, { type: 'Sync', session: msg.session, leaves: differing, entries: inLeaves(d.store, differing) })] };
          }
          if (differing.length === 0) return { durable: d, volatile: IDLE, effects: [counted, finish(ctx)] };
          const frontier = differing.flatMap((i) => [2 * i, 2 * i + 1]);
          return { durable: d, volatile: { phase: 'hashes', level: v.level + 1, frontier }, effects: [counted, ctx.send(from, { type: 'Get', session: msg.session, nodes: frontier })] };
        }
        case 'Sync': {
          // Take what is newer; answer with what the initiator lacks or has older.
          const mine = new Map(d.store.map((e) => [e.key, e.ver]));
          const theirs = new Map(msg.entries.map((e) => [e.key, e.ver]));
          const taken = msg.entries.filter((e) => (mine.get(e.key) ?? 0) < e.ver);
          const reply: Entry[] = inLeaves(d.store, msg.leaves).filter((e) => (theirs.get(e.key) ?? 0) < e.ver);
          const store = mergeEntries(d.store, taken);
          const sent = mask([...taken, ...reply].map((e) => e.key));
          return {
            durable: { ...d, store },
            volatile: v,
            effects: [mirror(ctx, store), ctx.ghost((g): Ghost => ({ ...g, exchanged: g.exchanged | sent })), ctx.send(from, { type: 'Entries', session: msg.session, entries: reply })],
          };
        }
        case 'Entries': {
          if (v.phase !== 'sync' || msg.session !== d.sessions) return node;
          const store = mergeEntries(d.store, msg.entries);
          return { durable: { ...d, store }, volatile: IDLE, effects: [mirror(ctx, store), finish(ctx)] };
        }
      }
    },
  });
}

/** The known-bug variants' rules. */
export const REPAIR_BUG_RULES = {
  'insertion-order-hash': { order: 'insertion', stopAbove: 0 },
  'stop-one-level-early': { order: 'key', stopAbove: 1 },
} as const satisfies Readonly<Record<string, RepairRules>>;
/** A variant's name, or none. */
export type RepairBug = keyof typeof REPAIR_BUG_RULES | 'none';

/** The protocol with a known bug. */
export function buggyRepair(r: RepairShape, bug: RepairBug): Protocol<P> {
  return repairProtocol(r, bug === 'none' ? CORRECT_REPAIR : REPAIR_BUG_RULES[bug]);
}

