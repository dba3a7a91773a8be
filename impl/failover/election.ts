/**
 * Leader election over a heartbeat failure detector, two ways.
 *
 * **The failure detector** (both designs). The leader arms a `beat` timer; each fire sends a
 * Heartbeat to every peer. A follower arms a `check` timer; each fire is one heartbeat period
 * that went by, and counts as missed unless a Heartbeat from its leader arrived since the last
 * fire. After `k` missed periods in a row it suspects the leader. The scheduler may fire timers
 * at any point and may delay any message, so a slow but alive leader (or a partition) is
 * suspected: the detector is complete but not accurate, and false suspicion is reachable.
 *
 * **Bully** (Garcia-Molina, "Elections in a Distributed Computing System", 1982): a node that
 * suspects the leader sends Election to every node with a higher id; one that receives it
 * answers and stands itself; a node that hears no Answer before its `election` timer fires
 * declares itself leader and broadcasts Coordinator. Its safety — one leader — rests on the
 * detector being right, so a partition, or just a late heartbeat, makes two leaders. There are
 * no terms: every leader claims the single implicit term 1.
 *
 * **Majority vote** (the election of Raft, Ongaro & Ousterhout 2014, §5.2, written here on its
 * own: `impl/raft` is being rewritten and is not shared): a node that suspects the leader starts
 * term t + 1, votes for itself and asks the others; a node grants one vote per term (durably);
 * a candidate with votes from a majority leads that term. Two majorities intersect and a voter
 * votes once per term, so at most one leader per term, whatever the detector says: the
 * detector only decides *when* an election starts, never *who* wins it.
 *
 * Roles: n1..nN; nN leads term 1 initially.
 */
import { assertNever } from '../core/machine.ts';
import { addNode, popcount, EMPTY_NODES } from '../env/nodeset.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';

/** The election's bounds. */
export interface ElectionShape {
  /** Nodes n1..nN (2..7). */
  readonly nodes: number;
  /** Largest term (majority design). */
  readonly maxTerm: number;
  /** Missed heartbeat periods before a follower suspects its leader (≥ 1). */
  readonly k: number;
}

/** Which election the nodes run. */
export type ElectionDesign = 'majority' | 'bully';

/** The election's data, for a shape. */
export const electionSchema = (shape: ElectionShape) => {
  const T = S.int(0, shape.maxTerm);
  return {
    durable: S.record({ term: T, votedFor: S.optional(S.node()) }),
    volatile: S.record({
      role: S.enum('follower', 'candidate', 'leader'),
      /** The leader it follows (null: none known). */
      leader: S.optional(S.node()),
      /** Heartbeat periods missed in a row. */
      missed: S.int(0, shape.k),
      /** A Heartbeat from the leader arrived since the last `check`. */
      heard: S.bool(),
      /** Majority: votes received this term. Bully: unused (empty). */
      votes: S.nodeSet(),
      /** The leader it last suspected (null: none). */
      suspect: S.optional(S.node()),
    }),
    /** `Heartbeat(t2)` in traces; bully's messages without a term by their type alone (the derived default). */
    msg: S.labelled(
      S.union('type', {
        Heartbeat: { term: T },
        RequestVote: { term: T },
        Vote: { term: T },
        Election: {},
        Answer: {},
        Coordinator: { term: T },
      }),
      (m) => ('term' in m ? `${m.type}(t${m.term})` : undefined),
    ),
    ghost: S.record({ elections: S.int(0, 15) }),
  };
};

/** The election's types. */
export interface ElectionTypes extends SchemaTypes<ReturnType<typeof electionSchema>> {
  readonly timer: 'beat' | 'check' | 'election';
}
type P = ElectionTypes;
type Node = { readonly durable: P['durable']; readonly volatile: P['volatile'] };

const FOLLOWER: Omit<P['volatile'], 'leader'> = { role: 'follower', missed: 0, heard: false, votes: EMPTY_NODES, suspect: null };

/** The election protocol for `shape`, with `design`. */
export function electionProtocol(shape: ElectionShape, design: ElectionDesign): Protocol<P> {
  if (!Number.isInteger(shape.k) || shape.k < 1) throw new RangeError(`election: k must be ≥ 1, got ${shape.k}`);
  const initialLeader = shape.nodes;

  const follow = (ctx: Ctx<P>, node: Node, leader: NodeId | null, durable = node.durable): Reaction<P> => ({
    durable,
    volatile: { ...FOLLOWER, leader, suspect: node.volatile.suspect },
    effects: [ctx.cancelTimer('beat'), ctx.cancelTimer('election'), ctx.setTimer('check')],
  });

  const lead = (ctx: Ctx<P>, node: Node, votes: number): Reaction<P> => ({
    durable: node.durable,
    volatile: { ...FOLLOWER, role: 'leader', leader: ctx.self, votes, suspect: node.volatile.suspect },
    effects: [
      ctx.cancelTimer('check'),
      ctx.cancelTimer('election'),
      ctx.setTimer('beat'),
      ...(design === 'bully' ? [ctx.broadcast({ type: 'Coordinator', term: node.durable.term })] : [ctx.broadcast({ type: 'Heartbeat', term: node.durable.term })]),
      ctx.note(`leads term ${node.durable.term}`),
    ],
  });

  // --- Majority vote ------------------------------------------------------------------------
  const startVote = (ctx: Ctx<P>, node: Node): Reaction<P> => {
    if (node.durable.term >= shape.maxTerm) return follow(ctx, node, null); // the model's bound: keep waiting
    const term = node.durable.term + 1;
    const n2 = { durable: { term, votedFor: ctx.self }, volatile: node.volatile };
    const votes = addNode(EMPTY_NODES, ctx.self);
    if (popcount(votes) >= ctx.majority) return lead(ctx, n2, votes);
    return {
      durable: n2.durable,
      volatile: { ...FOLLOWER, role: 'candidate', leader: null, votes, suspect: node.volatile.suspect },
      effects: [ctx.cancelTimer('check'), ctx.broadcast({ type: 'RequestVote', term }), ctx.setTimer('election'), ctx.ghost((g) => ({ elections: Math.min(15, g.elections + 1) }))],
    };
  };

  const onMajorityMessage = (ctx: Ctx<P>, node: Node, msg: P['msg'], from: NodeId): Reaction<P> => {
    const d = node.durable;
    // Common rule first: a newer term makes any node a follower of that term, with no vote yet.
    if ((msg.type === 'Heartbeat' || msg.type === 'RequestVote' || msg.type === 'Vote') && msg.term > d.term) {
      const stepped = follow(ctx, node, null, { term: msg.term, votedFor: null });
      const r = onMajorityMessage(ctx, { durable: stepped.durable, volatile: stepped.volatile }, msg, from);
      return { durable: r.durable, volatile: r.volatile, effects: [...(stepped.effects ?? []), ...(r.effects ?? [])] };
    }
    switch (msg.type) {
      case 'Heartbeat':
        if (msg.term < d.term) return node;
        if (node.volatile.role === 'leader') return node; // cannot happen: one leader per term
        return { durable: d, volatile: { ...node.volatile, role: 'follower', leader: from, heard: true }, effects: [ctx.cancelTimer('election'), ctx.setTimer('check')] };
      case 'RequestVote': {
        if (msg.term < d.term || (d.votedFor !== null && d.votedFor !== from)) return node;
        // Safety: one vote per term, durably, before it is sent.
        return { durable: { term: d.term, votedFor: from }, volatile: { ...node.volatile, heard: true }, effects: [ctx.send(from, { type: 'Vote', term: msg.term })] };
      }
      case 'Vote': {
        if (msg.term < d.term || node.volatile.role !== 'candidate') return node;
        const votes = addNode(node.volatile.votes, from);
        // Where safety is won: a majority of votes in this term; two majorities share a voter, who voted once.
        if (popcount(votes) >= ctx.majority) return lead(ctx, node, votes);
        return { durable: d, volatile: { ...node.volatile, votes } };
      }
      default:
        return node; // bully's messages
    }
  };

  // --- Bully ----------------------------------------------------------------------------------
  const higher = (ctx: Ctx<P>) => ctx.nodes.filter((j) => j > ctx.self);
  const startBully = (ctx: Ctx<P>, node: Node): Reaction<P> => {
    const up = higher(ctx);
    if (up.length === 0) return lead(ctx, node, EMPTY_NODES);
    return {
      durable: node.durable,
      volatile: { ...FOLLOWER, role: 'candidate', leader: null, suspect: node.volatile.suspect },
      effects: [ctx.cancelTimer('check'), ...up.map((j) => ctx.send(j, { type: 'Election' })), ctx.setTimer('election'), ctx.ghost((g) => ({ elections: Math.min(15, g.elections + 1) }))],
    };
  };

  const onBullyMessage = (ctx: Ctx<P>, node: Node, msg: P['msg'], from: NodeId): Reaction<P> => {
    const v = node.volatile;
    switch (msg.type) {
      case 'Election': {
        // A lower node stands: answer it, and stand too unless already leading or standing.
        const answer = ctx.send(from, { type: 'Answer' });
        if (v.role === 'leader') return { ...node, effects: [answer, ctx.send(from, { type: 'Coordinator', term: node.durable.term })] };
        if (v.role === 'candidate') return { ...node, effects: [answer] };
        return withEffects(startBully(ctx, node), { ...node, effects: [answer] }, true);
      }
      case 'Answer':
        // Someone higher is alive and will announce itself: wait for its Coordinator (the check timer guards the wait).
        if (v.role !== 'candidate') return node;
        return follow(ctx, node, null);
      case 'Coordinator':
        if (from < ctx.self && v.role === 'leader') return { ...node, effects: [ctx.send(from, { type: 'Coordinator', term: node.durable.term })] };
        return { ...follow(ctx, node, from), volatile: { ...FOLLOWER, leader: from, heard: true, suspect: v.suspect } };
      case 'Heartbeat':
        if (v.role === 'leader') return node;
        return { durable: node.durable, volatile: { ...v, role: 'follower', leader: from, heard: true }, effects: [ctx.setTimer('check')] };
      default:
        return node; // majority's messages
    }
  };

  const suspectLeader = (ctx: Ctx<P>, node: Node): Reaction<P> => {
    const suspected = { ...node, volatile: { ...node.volatile, suspect: node.volatile.leader } };
    return design === 'bully' ? startBully(ctx, suspected) : startVote(ctx, suspected);
  };

  return defineProtocol<P>({
    name: 'election',
    schema: electionSchema(shape),
    roles: { node: { count: shape.nodes, prefix: 'n', symmetric: false } },
    timers: ['beat', 'check', 'election'],
    initGhost: { elections: 0 },
    init: (ctx) => {
      const durable = { term: 1, votedFor: initialLeader };
      if (ctx.self === initialLeader) return { durable, volatile: { ...FOLLOWER, role: 'leader', leader: ctx.self }, effects: [ctx.setTimer('beat')] };
      return { durable, volatile: { ...FOLLOWER, leader: initialLeader }, effects: [ctx.setTimer('check')] };
    },
    // A restarted node knows no leader; its detector starts over and will suspect nobody in particular.
    onRestart: (ctx, durable) => ({ durable, volatile: { ...FOLLOWER, leader: null }, effects: [ctx.setTimer('check')] }),
    onMessage: (ctx, node, msg, from) => (design === 'bully' ? onBullyMessage(ctx, node, msg, from) : onMajorityMessage(ctx, node, msg, from)),
    onTimer(ctx, node, timer) {
      const v = node.volatile;
      switch (timer) {
        case 'beat':
          return { ...node, effects: [ctx.broadcast({ type: 'Heartbeat', term: node.durable.term }), ctx.setTimer('beat')] };
        case 'check': {
          if (v.role === 'leader') return node;
          if (v.heard) return { ...node, volatile: { ...v, heard: false, missed: 0 }, effects: [ctx.setTimer('check')] };
          const missed = Math.min(shape.k, v.missed + 1);
          if (missed < shape.k) return { ...node, volatile: { ...v, missed }, effects: [ctx.setTimer('check')] };
          return suspectLeader(ctx, { ...node, volatile: { ...v, missed } });
        }
        case 'election':
          if (v.role !== 'candidate') return node;
          // Bully: no Answer from any higher node in time, so they are all taken for dead.
          if (design === 'bully') return lead(ctx, node, EMPTY_NODES);
          return startVote(ctx, node); // a split vote: try the next term
        default:
          return assertNever(timer);
      }
    },
  });
}

/** `base` with `extra`'s effects appended (`first`: prepended). */
function withEffects(base: Reaction<P>, extra: Reaction<P>, first = false): Reaction<P> {
  const a = base.effects ?? [];
  const b = extra.effects ?? [];
  return { ...base, effects: first ? [...b, ...a] : [...a, ...b] };
}
