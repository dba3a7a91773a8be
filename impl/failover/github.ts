/**
 * GitHub, 21 October 2018, as a model ("October 21 post-incident analysis", GitHub blog,
 * 2018-10-30): a 43-second loss of connectivity between the US East Coast network hub and the
 * primary US East data center; Orchestrator, running on a Raft majority, saw the East primaries
 * as unreachable and promoted West Coast replicas; East had accepted writes that never reached
 * West, West then accepted writes of its own, and the two could not be merged without loss.
 *
 * Nodes, by region: East holds the orchestrator node o1 and the databases db1 (the primary,
 * epoch 1) and db2 (a replica); West holds o2, o3 and db3 (a replica). Clients write to
 * whichever database believes it is primary (a client request, in either region).
 *
 * - **Replication** is asynchronous: a primary applies a write to its log, acknowledges it, and
 *   sends Append(epoch, index, write) to the replicas; a replica appends it if it comes from its
 *   epoch or a newer one and is the next entry. A replica may lag; it never diverges.
 * - **The orchestrator** elects its leader by majority (one election, term 1: a vote per node,
 *   a candidate with a majority leads; two majorities intersect, so one leader — the consensus
 *   part is right). The leader probes the primary on a `probe` timer; after `k` probes with no
 *   answer the primary "seems unreachable", and the leader fails over (once: epoch 2).
 * - **The failover, as GitHub's orchestrator did it** (known-bug variant
 *   `cross-region-promotion`): promote the West replica db3 at once. db1 was only unreachable,
 *   not dead: it keeps accepting writes, db3 accepts others, and the logs fork.
 * - **The remediation** (the correct design): fence the old primary first. The leader sends
 *   Demote(2) to db1 and waits; db1 stops accepting writes and answers with its log; only then
 *   is a replica promoted, with that log, so it holds every acknowledged write. While the
 *   partition lasts nothing is promoted (East is unavailable, as GitHub chose to be for 24
 *   hours to keep the data consistent); after the heal the failover completes with no fork.
 *   Refusing cross-region promotion alone is not enough in this model: the leader would then
 *   promote db2, in East, while db1 still serves — the fork needs no second region.
 *
 * `specs/failover/github.ts` checks `no-divergent-writes`: every two databases' logs are
 * prefix-ordered (one can catch up with the other without losing a write).
 */
import { S } from '../env/schema.ts';
import { addNode, popcount, EMPTY_NODES } from '../env/nodeset.ts';
import { defineProtocol, type Ctx, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';

/** The bounds. */
export interface GithubShape {
  /** Client writes in total. */
  readonly requests: number;
  /** Unanswered probes before the primary "seems unreachable" (≥ 1). */
  readonly k: number;
}

/** The ids, by role: o1 o2 o3 (orchestrator), db1 db2 db3. */
export const GITHUB_IDS = { o1: 1, o2: 2, o3: 3, db1: 4, db2: 5, db3: 6 } as const;
/** The regions. */
export const REGION: Readonly<Record<number, 'East' | 'West'>> = { 1: 'East', 2: 'West', 3: 'West', 4: 'East', 5: 'East', 6: 'West' };

/** The data, for a shape. */
export const githubSchema = (shape: GithubShape) => {
  const W = Math.max(1, shape.requests);
  const LOG = S.list(S.int(1, W), W);
  const EPOCH = S.int(1, 2);
  /** A log in a message: `[w1, w2]`. */
  const logLabel = (log: readonly number[]) => `[${log.map((w) => `w${w}`).join(', ')}]`;
  return {
    durable: S.union('role', {
      orchestrator: { votedFor: S.optional(S.node('orchestrator')), failedOver: S.bool() },
      db: { primary: S.bool(), epoch: EPOCH, log: LOG },
    }),
    volatile: S.union('role', {
      orchestrator: {
        state: S.enum('follower', 'candidate', 'leader'),
        votes: S.nodeSet(),
        /** A probe is out with no answer yet. */
        outstanding: S.bool(),
        missed: S.int(0, shape.k),
        /** Waiting for the old primary to confirm its demotion. */
        demoting: S.bool(),
      },
      db: {},
    }),
    /** `Demote(epoch 2)`, `Demoted(log [w1, w2])`, `Append(epoch 1, #2 w2)` in traces; the others by their type (the derived default). */
    msg: S.labelled(
      S.union('type', {
        RequestVote: {},
        Vote: {},
        Ping: {},
        Pong: {},
        Demote: { epoch: EPOCH },
        Demoted: { log: LOG },
        Promote: { epoch: EPOCH, log: S.optional(LOG) },
        Append: { epoch: EPOCH, index: S.int(0, W - 1), write: S.int(1, W) },
      }),
      (m) => {
        switch (m.type) {
          case 'Demote':
            return `Demote(epoch ${m.epoch})`;
          case 'Demoted':
            return `Demoted(log ${logLabel(m.log)})`;
          case 'Promote':
            return `Promote(epoch ${m.epoch}${m.log === null ? '' : `, log ${logLabel(m.log)}`})`;
          case 'Append':
            return `Append(epoch ${m.epoch}, #${m.index + 1} w${m.write})`;
          default:
            return undefined;
        }
      },
    ),
    ghost: S.record({ promoted: S.optional(S.node('db')) }),
    /** A client write: `client write w1`. */
    request: S.labelled(S.record({ write: S.int(1, W) }), (r) => `client write w${r.write}`),
    local: S.enum('campaign'),
  };
};

/** The types. */
export interface GithubTypes extends SchemaTypes<ReturnType<typeof githubSchema>> {
  readonly timer: 'probe';
  readonly local: 'campaign';
  readonly request: { readonly write: number };
}
type P = GithubTypes;
type Orch = { readonly durable: Extract<P['durable'], { role: 'orchestrator' }>; readonly volatile: Extract<P['volatile'], { role: 'orchestrator' }> };
type Db = Extract<P['durable'], { role: 'db' }>;

/** How the orchestrator fails over. */
export type FailoverPolicy = 'fence-first' | 'cross-region';

const FOLLOWER = { state: 'follower', votes: EMPTY_NODES, outstanding: false, missed: 0, demoting: false } as const;
const DB_VOL = { role: 'db' } as const;

/** The protocol. */
export function githubProtocol(shape: GithubShape, policy: FailoverPolicy): Protocol<P> {
  if (!Number.isInteger(shape.k) || shape.k < 1) throw new RangeError(`github: k must be ≥ 1, got ${shape.k}`);
  const { db1, db2, db3 } = GITHUB_IDS;
  const ORCH = 3;

  /** The primary seems unreachable: fail over, as the policy says. */
  const failOver = (ctx: Ctx<P>, o: Orch): Reaction<P> => {
    const durable = { ...o.durable, failedOver: true };
    if (policy === 'cross-region') {
      // GitHub's orchestrator: promote the replica it can reach, now; the old primary is taken for dead.
      return { durable, volatile: { ...o.volatile, outstanding: false }, effects: [ctx.send(db3, { type: 'Promote', epoch: 2, log: null }), ctx.note('promotes db3 (West)')] };
    }
    return { durable, volatile: { ...o.volatile, outstanding: false, demoting: true }, effects: [ctx.send(db1, { type: 'Demote', epoch: 2 }), ctx.note('fences db1 first')] };
  };

  const onOrchestrator = (ctx: Ctx<P>, o: Orch, msg: P['msg'], from: NodeId): Reaction<P> | null => {
    const { durable: d, volatile: v } = o;
    switch (msg.type) {
      case 'RequestVote': // one vote, durably, for the first candidate that asks
        if (d.votedFor !== null && d.votedFor !== from) return null;
        return { durable: { ...d, votedFor: from }, volatile: v, effects: [ctx.send(from, { type: 'Vote' })] };
      case 'Vote': {
        if (v.state !== 'candidate') return null;
        const votes = addNode(v.votes, from);
        if (popcount(votes) < Math.floor(ORCH / 2) + 1) return { durable: d, volatile: { ...v, votes } };
        return { durable: d, volatile: { ...v, state: 'leader', votes }, effects: [ctx.setTimer('probe'), ctx.note('orchestrator leader')] };
      }
      case 'Pong':
        return { durable: d, volatile: { ...v, outstanding: false, missed: 0 } };
      case 'Demoted':
        // The old primary accepts no more writes, and its log holds every write it acknowledged:
        // promote a replica with that log. (Any replica is safe now; db2 is in db1's region.)
        if (!v.demoting) return null;
        return { durable: d, volatile: { ...v, demoting: false }, effects: [ctx.send(db2, { type: 'Promote', epoch: 2, log: msg.log }), ctx.note('promotes db2 with db1’s log')] };
      default:
        return null;
    }
  };

  const onDb = (ctx: Ctx<P>, d: Db, msg: P['msg'], from: NodeId): Reaction<P> | null => {
    switch (msg.type) {
      case 'Ping':
        return d.primary ? { durable: d, volatile: DB_VOL, effects: [ctx.send(from, { type: 'Pong' })] } : null;
      case 'Demote':
        if (msg.epoch < d.epoch) return null;
        return { durable: { ...d, primary: false, epoch: msg.epoch }, volatile: DB_VOL, effects: [ctx.send(from, { type: 'Demoted', log: d.log }), ctx.note('demoted')] };
      case 'Promote': {
        if (msg.epoch <= d.epoch && d.primary) return null;
        const log = msg.log ?? d.log;
        return { durable: { primary: true, role: 'db', epoch: msg.epoch, log }, volatile: DB_VOL, effects: [ctx.ghost(() => ({ promoted: ctx.self })), ctx.note(`primary (epoch ${msg.epoch})`)] };
      }
      case 'Append':
        // A replica takes the next entry from its epoch's primary or a newer one; never from an older one.
        if (d.primary || msg.epoch < d.epoch || msg.index !== d.log.length) return null;
        return { durable: { ...d, epoch: msg.epoch, log: [...d.log, msg.write] }, volatile: DB_VOL };
      default:
        return null;
    }
  };

  return defineProtocol<P>({
    name: 'github',
    schema: githubSchema(shape),
    roles: { orchestrator: { count: ORCH, prefix: 'o', crashes: false, symmetric: false }, db: { count: 3, prefix: 'db', crashes: false, symmetric: false } },
    timers: ['probe'],
    initGhost: { promoted: null },
    init: (ctx) =>
      ctx.role === 'orchestrator'
        ? { durable: { role: 'orchestrator', votedFor: null, failedOver: false }, volatile: { role: 'orchestrator', ...FOLLOWER } }
        : { durable: { role: 'db', primary: ctx.self === db1, epoch: 1, log: [] }, volatile: DB_VOL },
    onRestart: (_ctx, durable) => ({ durable, volatile: durable.role === 'db' ? DB_VOL : { role: 'orchestrator', ...FOLLOWER } }),
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      const v = node.volatile;
      if (d.role === 'db') return onDb(ctx, d, msg, from) ?? node;
      if (v.role !== 'orchestrator') return node;
      return onOrchestrator(ctx, { durable: d, volatile: v }, msg, from) ?? node;
    },
    // The orchestrator's one election: a node that has not voted stands, votes for itself and asks the others.
    localActions: (_ctx, node) => (node.durable.role === 'orchestrator' && node.durable.votedFor === null ? ['campaign'] : []),
    onLocal(ctx, node) {
      const d = node.durable;
      if (d.role !== 'orchestrator') return node;
      return {
        durable: { ...d, votedFor: ctx.self },
        volatile: { role: 'orchestrator', ...FOLLOWER, state: 'candidate', votes: addNode(EMPTY_NODES, ctx.self) },
        effects: ctx.members('orchestrator').filter((j) => j !== ctx.self).map((j) => ctx.send(j, { type: 'RequestVote' })),
      };
    },
    onTimer(ctx, node) {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'orchestrator' || v.role !== 'orchestrator') return node;
      if (d.failedOver) return node; // one failover in this model
      const o = { durable: d, volatile: v };
      if (!v.outstanding) return { durable: d, volatile: { ...v, outstanding: true }, effects: [ctx.send(db1, { type: 'Ping' }), ctx.setTimer('probe')] };
      const missed = Math.min(shape.k, v.missed + 1);
      if (missed < shape.k) return { durable: d, volatile: { ...v, missed }, effects: [ctx.setTimer('probe')] };
      return failOver(ctx, { ...o, volatile: { ...v, missed } });
    },
    // Each client write has a unique id: the number of writes sent before it, plus one.
    requests: (seq) => [{ write: seq + 1 }],
    acceptsRequest: (_ctx, node) => node.durable.role === 'db' && node.durable.primary,
    onClientRequest(ctx, node, req) {
      const d = node.durable;
      if (d.role !== 'db' || d.log.length >= Math.max(1, shape.requests)) return node;
      const write = req.write;
      const index = d.log.length;
      return {
        durable: { ...d, log: [...d.log, write] },
        volatile: DB_VOL,
        effects: [ctx.note(`acknowledges w${write} (epoch ${d.epoch})`), ...ctx.members('db').filter((j) => j !== ctx.self).map((j) => ctx.send(j, { type: 'Append', epoch: d.epoch, index, write }))],
      };
    },
  });
}
