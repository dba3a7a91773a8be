/**
 * BENCH-ONLY BASELINE: a frozen copy of Raft as it was before the port onto the schema (issue 13),
 * with its hand-written encoders, views, renamers, symmetry view and cross-node ignored-message
 * pruning. Only checks/bench and the count-justification test import it; do not edit.
 */
/**
 * Raft: leader election and log replication, as in Figure 2 of the extended Raft paper (Diego
 * Ongaro and John Ousterhout, "In Search of an Understandable Consensus Algorithm (Extended
 * Version)", 2014; §5.1–§5.4), written as a pure reducer on the shared environment.
 *
 * - Roles follower, candidate, leader (§5.1). Durable state (currentTerm, votedFor, log) is kept
 *   apart from volatile state (role, commitIndex, nextIndex, matchIndex, votes): a crash loses
 *   the latter and a restart starts a follower with commitIndex 0.
 * - RequestVote and AppendEntries with their replies are messages through the environment, so
 *   the scheduler delays, reorders, drops, duplicates and partitions them.
 * - The election timeout and the leader's heartbeat are timer actions: a follower or candidate
 *   may time out at any moment (there is no real time), a leader may send a heartbeat round.
 * - Client requests append an entry at the leader (the environment's `requests` budget).
 * - commitIndex advances only by the current-term rule (§5.4.2).
 *
 * The code is shaped like etcd-io/raft's `raft.go`: one `step` entry point applies the rules
 * for all servers (a later term turns a node into a follower of that term; a message from an
 * earlier term is dropped, as etcd does), then hands the message to `stepFollower`,
 * `stepCandidate` or `stepLeader`. Heartbeats are empty AppendEntries (Figure 2).
 *
 * Model bounds (like a TLC state constraint, they cut the state space and nothing else):
 * `maxTerm` (an election timer is armed only below it) and `heartbeats` (heartbeat rounds per
 * leadership). Every node starts as a follower in term 0 with an empty log.
 *
 * The known-bug variants flip one flag of the protocol or override one handler; see
 * {@link RAFT_BUGS}. The safety properties are in `specs/raft.ts`; the checker's view of a state
 * (messages that will be ignored left out, fast symmetry reduction) in `canonical.ts`.
 */
import { bool, defineModel, int } from '../../../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../../../impl/env/machine.ts';
import { type EnvConfig } from '../../../../impl/env/config.ts';
import { allEnvParams as envParams } from '../../../../impl/env/params.ts';
import {
  defineProtocol,
  type Ctx,
  type Effect,
  type NodeId,
  type NodeView,
  type Protocol,
  type Reaction,
  type Renamer,
} from '../../../../impl/env/types.ts';
import { raftChecks } from './spec.ts';
import { ignoredMessage, RaftView } from './canonical.ts';
import {
  encodeDurable,
  encodeGhost,
  encodeMessage,
  encodeVolatile,
  formatEntry,
  formatMessage,
  lastIndex,
  lastTerm,
  popcount,
  termAt,
  viewDurable,
  viewGhost,
  viewVolatile,
  type Entry,
  type RaftDurable,
  type RaftGhost,
  type RaftMsg,
  type RaftState,
  type RaftTypes,
  type RaftVolatile,
} from './types.ts';

/**
 * The known-bug variants: what each does wrong, the checks it must break (the tests pin the
 * shortest trace breaking each one), and the configuration that shows it: the smallest one
 * under which a breadth-first search with every check (3 nodes, symmetry on, as the model's
 * defaults are) finds one of those checks broken. `dscheck check raft -p bug=NAME` runs with it.
 * figure8 needs four elections (`timeouts: 4`) and two client requests; the crash bugs one crash.
 */
export const RAFT_BUGS = {
  figure8: {
    doc: 'a leader commits an entry of an earlier term by counting its replicas (no current-term check, §5.4.2 and Figure 8)',
    breaks: ['state-machine-safety', 'leader-completeness'],
    config: { maxTerm: 4, requests: 2, heartbeats: 0, timeouts: 4 },
  },
  'volatile-vote': {
    doc: 'votedFor is not durable: a restarted node forgets its vote and votes again in the same term',
    breaks: ['election-safety', 'durable-survives-crash', 'log-matching'],
    config: { maxTerm: 1, requests: 0, heartbeats: 0, crashes: 1 },
  },
  'no-up-to-date-check': {
    doc: 'a vote is granted without comparing logs (§5.4.1), so a leader may lack committed entries',
    breaks: ['leader-completeness', 'state-machine-safety'],
    config: { maxTerm: 2, requests: 2, heartbeats: 0 },
  },
  'stale-append': {
    doc: 'AppendEntries from an older term is not refused: the receiver applies it to its log whatever its role',
    breaks: ['leader-append-only', 'state-machine-safety'],
    config: { maxTerm: 2, requests: 2, heartbeats: 0 },
  },
  'commit-beyond-append': {
    doc: 'a follower advances commitIndex to min(leaderCommit, its last index) instead of the last new entry (atomix/copycat#265, scylladb#9965)',
    breaks: ['state-machine-safety'],
    config: { maxTerm: 2, requests: 2, heartbeats: 1 },
  },
  'volatile-term': {
    doc: 'currentTerm is not persisted: a restarted node takes the term of its last log entry, forgetting later terms and its vote (cockroachdb/cockroach#1131)',
    breaks: ['term-monotonic', 'durable-survives-crash', 'election-safety'],
    config: { maxTerm: 1, requests: 0, heartbeats: 0, crashes: 1 },
  },
  'commit-regress': {
    doc: 'a follower sets commitIndex from every AppendEntries, even a delayed one with a lower leaderCommit (ongardie/raft.tla#19)',
    breaks: ['commit-monotonic'],
    config: { maxTerm: 1, requests: 1, heartbeats: 1 },
  },
} as const;

/** A known-bug variant's name, or none. */
export type RaftBug = keyof typeof RAFT_BUGS | 'none';

/**
 * The configuration of random runs for each bug: many terms, so that long runs go through many
 * elections. figure8 has no heartbeats and no crashes: its divergent logs need stale leaders
 * whose appends die on the way, which extra messages make rarer.
 */
export const RAFT_RANDOM_CONFIGS: Readonly<Record<keyof typeof RAFT_BUGS, RaftConfig>> = {
  figure8: { maxTerm: 30, requests: 6, heartbeats: 0 },
  'volatile-vote': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2 },
  'no-up-to-date-check': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2 },
  'stale-append': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2 },
  'commit-beyond-append': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2 },
  'volatile-term': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2 },
  'commit-regress': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2 },
};

/** Steps per random run in the bug tests and the benchmark. */
export const RAFT_RANDOM_STEPS = 400;

/** The protocol's own parameters (the environment's are separate). */
export interface RaftOptions {
  /** Largest term a node may reach: an election timer is armed only below it. */
  readonly maxTerm: number;
  /** Heartbeat rounds a leader may send per term (0: none; it still sends on requests and replies). */
  readonly heartbeats: number;
  /** The known-bug variant (default none). */
  readonly bug?: RaftBug;
}

/** The parameter defaults of the `raft` model. */
export const RAFT_DEFAULTS = { nodes: 3, maxTerm: 2, heartbeats: 1, requests: 1 } as const;

type Node = NodeView<RaftTypes>;
type R = Reaction<RaftTypes>;
type C = Ctx<RaftTypes>;
type Msg<T extends RaftMsg['type']> = Extract<RaftMsg, { readonly type: T }>;

const NONE: readonly number[] = [];

/** A follower's volatile state. */
function follower(commitIndex: number): RaftVolatile {
  return { role: 'follower', commitIndex, votes: 0, nextIndex: NONE, matchIndex: NONE, beats: 0 };
}

/** `r`, then `next` on the node `r` leaves, with both effect lists in order. */
function then(r: R, next: (n: Node) => R): R {
  const s = next({ durable: r.durable, volatile: r.volatile });
  const a = r.effects ?? [];
  const b = s.effects ?? [];
  return { durable: s.durable, volatile: s.volatile, effects: a.length === 0 ? b : b.length === 0 ? a : [...a, ...b] };
}

/**
 * The Raft protocol with the given bounds and, optionally, one known bug.
 */
export function raftProtocol(opts: RaftOptions): Protocol<RaftTypes> {
  const { maxTerm, heartbeats } = opts;
  const bug: RaftBug = opts.bug ?? 'none';
  // The flags a bug flips (each is off in the correct protocol).
  const commitOldTerms = bug === 'figure8';
  const skipLogCheck = bug === 'no-up-to-date-check';
  const acceptStaleAppend = bug === 'stale-append';
  const commitToLastIndex = bug === 'commit-beyond-append';
  const unguardedCommit = bug === 'commit-regress';

  /** Arm the election timer below maxTerm; disarm it at maxTerm (no more elections). */
  const electionTimer = (ctx: C, term: number): Effect<RaftTypes> => (term < maxTerm ? ctx.setTimer('election') : ctx.cancelTimer('election'));

  // ---- role changes (§5.2)

  /** Figure 2, rules for all servers: a term T > currentTerm makes the node a follower of T. */
  const becomeFollower = (ctx: C, n: Node, term: number): R => {
    const d = n.durable;
    const wasLeader = n.volatile.role === 'leader';
    return {
      durable: term === d.term ? d : { term, votedFor: 0, log: d.log },
      volatile: n.volatile.role === 'follower' ? n.volatile : follower(n.volatile.commitIndex),
      effects: wasLeader ? [ctx.cancelTimer('heartbeat'), electionTimer(ctx, term)] : [electionTimer(ctx, term)],
    };
  };

  /** An election timeout: a new term, a vote for itself, RequestVote to every peer. */
  const campaign = (ctx: C, n: Node): R => {
    const d = n.durable;
    const term = d.term + 1;
    const r: R = {
      durable: { term, votedFor: ctx.self, log: d.log },
      volatile: { role: 'candidate', commitIndex: n.volatile.commitIndex, votes: 1 << (ctx.self - 1), nextIndex: NONE, matchIndex: NONE, beats: 0 },
      effects: [
        electionTimer(ctx, term),
        ctx.broadcast({ type: 'RequestVote', term, lastLogIndex: lastIndex(d.log), lastLogTerm: lastTerm(d.log) }),
      ],
    };
    return ctx.majority === 1 ? then(r, (c) => becomeLeader(ctx, c)) : r;
  };

  /** A candidate with a majority of votes: Figure 2, "upon election: send initial empty AppendEntries". */
  const becomeLeader = (ctx: C, n: Node): R => {
    const d = n.durable;
    const next = lastIndex(d.log) + 1;
    return {
      durable: d,
      volatile: {
        role: 'leader',
        commitIndex: n.volatile.commitIndex,
        votes: 0,
        nextIndex: ctx.nodes.map((id) => (id === ctx.self ? 0 : next)),
        matchIndex: ctx.nodes.map(() => 0),
        beats: 0,
      },
      effects: [
        ctx.cancelTimer('election'),
        ...(heartbeats > 0 ? [ctx.setTimer('heartbeat')] : []),
        ctx.note(`leader of t${d.term}`),
        ctx.broadcast({ type: 'AppendEntries', term: d.term, prevIndex: next - 1, prevTerm: lastTerm(d.log), entries: [], commit: n.volatile.commitIndex }),
      ],
    };
  };

  // ---- the entry point

  /** Every delivered message: the rules for all servers, then the role's handler. */
  const step = (ctx: C, n: Node, m: RaftMsg, from: NodeId): R => {
    const term = n.durable.term;
    if (m.term < term) return stepStale(ctx, n, m, from);
    const r: R = m.term > term ? becomeFollower(ctx, n, m.term) : n;
    return then(r, (x) => {
      switch (x.volatile.role) {
        case 'follower':
          return stepFollower(ctx, x, m, from);
        case 'candidate':
          return stepCandidate(ctx, x, m, from);
        case 'leader':
          return stepLeader(ctx, x, m, from);
      }
    });
  };

  /**
   * A message from an earlier term is dropped, as etcd-io/raft does (Figure 2 would answer a
   * request with "false" and the current term; that only tells the sender about the newer
   * term, which the next message of this term's leader or candidates tells it anyway).
   */
  const stepStale = (ctx: C, n: Node, m: RaftMsg, from: NodeId): R => {
    // Bug stale-append: the "reply false if term < currentTerm" check of AppendEntries is
    // missing, and the node applies the old leader's entries to its log, whatever its role.
    if (acceptStaleAppend && m.type === 'AppendEntries') return appendEntries(ctx, n, m, from);
    return n;
  };

  const stepFollower = (ctx: C, n: Node, m: RaftMsg, from: NodeId): R => {
    switch (m.type) {
      case 'RequestVote':
        return requestVote(ctx, n, m, from);
      case 'AppendEntries':
        return appendEntries(ctx, n, m, from);
      case 'RequestVoteResp':
      case 'AppendEntriesResp':
        return n; // a late reply to a candidacy this node has given up
    }
  };

  const stepCandidate = (ctx: C, n: Node, m: RaftMsg, from: NodeId): R => {
    switch (m.type) {
      case 'RequestVote':
        return requestVote(ctx, n, m, from); // refused: it voted for itself
      case 'RequestVoteResp': {
        if (!m.granted) return n;
        const votes = n.volatile.votes | (1 << (from - 1));
        const x: Node = { durable: n.durable, volatile: { ...n.volatile, votes } };
        // Election safety rests here: each node grants one vote per term (votedFor is durable),
        // and two majorities intersect, so at most one candidate of a term gets a majority.
        return popcount(votes) >= ctx.majority ? becomeLeader(ctx, x) : x;
      }
      case 'AppendEntries':
        // §5.2: a leader of this term exists; the candidate returns to follower and accepts it.
        return then(becomeFollower(ctx, n, m.term), (x) => appendEntries(ctx, x, m, from));
      case 'AppendEntriesResp':
        return n;
    }
  };

  const stepLeader = (ctx: C, n: Node, m: RaftMsg, from: NodeId): R => {
    switch (m.type) {
      case 'RequestVote':
        return requestVote(ctx, n, m, from); // refused: it voted for itself
      case 'AppendEntriesResp':
        return appendEntriesResp(ctx, n, m, from);
      case 'RequestVoteResp':
        return n; // a vote that arrives after winning
      case 'AppendEntries':
        return n; // another leader of this term: impossible while election safety holds
    }
  };

  // ---- RequestVote (§5.2, §5.4.1)

  const requestVote = (ctx: C, n: Node, m: Msg<'RequestVote'>, from: NodeId): R => {
    const d = n.durable;
    // §5.4.1: grant only to a candidate whose log is at least as up-to-date as ours (a later
    // last term, or the same last term and at least as long). With election safety this gives
    // leader completeness: a committed entry is on a majority, and a winner needs a vote from
    // that majority, so the winner's log holds the entry.
    const upToDate = m.lastLogTerm > lastTerm(d.log) || (m.lastLogTerm === lastTerm(d.log) && m.lastLogIndex >= lastIndex(d.log));
    const granted = (d.votedFor === 0 || d.votedFor === from) && (upToDate || skipLogCheck);
    return {
      durable: granted && d.votedFor !== from ? { term: d.term, votedFor: from, log: d.log } : d,
      volatile: n.volatile,
      effects: [ctx.send(from, { type: 'RequestVoteResp', term: d.term, granted })],
    };
  };

  // ---- AppendEntries (§5.3): the receiver implementation of Figure 2

  const appendEntries = (ctx: C, n: Node, m: Msg<'AppendEntries'>, from: NodeId): R => {
    const d = n.durable;
    const term = d.term;
    // 2. Reply false if the log has no entry at prevIndex whose term matches prevTerm.
    if (termAt(d.log, m.prevIndex) !== m.prevTerm) {
      return { ...n, effects: [ctx.send(from, { type: 'AppendEntriesResp', term, success: false, index: m.prevIndex })] };
    }
    // 3. Delete an existing entry that conflicts with a new one, and all that follow it;
    // 4. append the new entries not already in the log.
    let log = d.log;
    let k = 0;
    for (; k < m.entries.length; k++) {
      const i = m.prevIndex + k + 1;
      if (i > log.length) break;
      if (log[i - 1]!.term !== m.entries[k]!.term) {
        log = log.slice(0, i - 1);
        break;
      }
    }
    if (k < m.entries.length) log = [...log, ...m.entries.slice(k)];
    // 5. If leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of the last new
    // entry). Only the entries this request checked are known to match the leader's log: the
    // follower's entries after them may come from an older leader.
    const lastNew = m.prevIndex + m.entries.length;
    const target = Math.min(m.commit, commitToLastIndex ? log.length : lastNew);
    const v = n.volatile;
    const commitIndex = unguardedCommit ? target : Math.max(v.commitIndex, target);
    return {
      durable: log === d.log ? d : { term, votedFor: d.votedFor, log },
      volatile: commitIndex === v.commitIndex ? v : { ...v, commitIndex },
      effects: [ctx.send(from, { type: 'AppendEntriesResp', term, success: true, index: lastNew })],
    };
  };

  // ---- the leader's side of replication

  /** AppendEntries to `to` with every entry from `next` on. */
  const appendTo = (ctx: C, d: RaftDurable, commit: number, to: NodeId, next: number): Effect<RaftTypes> =>
    ctx.send(to, { type: 'AppendEntries', term: d.term, prevIndex: next - 1, prevTerm: termAt(d.log, next - 1), entries: d.log.slice(next - 1), commit });

  /**
   * A heartbeat: an AppendEntries with no entries (Figure 2), checking the log at nextIndex - 1
   * and carrying leaderCommit, which may be beyond what the follower is known to hold (hence
   * Figure 2's "min(leaderCommit, index of last new entry)").
   */
  const heartbeatTo = (ctx: C, d: RaftDurable, commit: number, to: NodeId, next: number): Effect<RaftTypes> =>
    ctx.send(to, { type: 'AppendEntries', term: d.term, prevIndex: next - 1, prevTerm: termAt(d.log, next - 1), entries: [], commit });

  /**
   * Figure 2, rules for leaders: commit the largest N > commitIndex such that a majority has
   * matchIndex ≥ N and log[N].term = currentTerm.
   */
  const advanceCommit = (ctx: C, d: RaftDurable, v: RaftVolatile): RaftVolatile => {
    const log = d.log;
    for (let N = log.length; N > v.commitIndex; N--) {
      // §5.4.2: only an entry of the leader's own term is committed by counting replicas; the
      // earlier entries then commit with it (Log Matching). An earlier-term entry stored on a
      // majority can still be overwritten by a later leader that lacks it (Figure 8): counting
      // it is bug figure8. Terms never decrease along a log, so no lower N qualifies either.
      if (log[N - 1]!.term !== d.term && !commitOldTerms) break;
      let count = 1; // the leader itself
      for (let j = 0; j < v.matchIndex.length; j++) if (j !== ctx.self - 1 && v.matchIndex[j]! >= N) count++;
      if (count >= ctx.majority) return { ...v, commitIndex: N };
    }
    return v;
  };

  const appendEntriesResp = (ctx: C, n: Node, m: Msg<'AppendEntriesResp'>, from: NodeId): R => {
    const d = n.durable;
    const v = n.volatile;
    const j = from - 1;
    if (m.success) {
      const match = Math.max(v.matchIndex[j]!, m.index);
      const next = Math.max(v.nextIndex[j]!, m.index + 1);
      if (match === v.matchIndex[j] && next === v.nextIndex[j]) return n; // nothing new (a late or repeated reply)
      const vol = advanceCommit(ctx, d, { ...v, nextIndex: replace(v.nextIndex, j, next), matchIndex: replace(v.matchIndex, j, match) });
      // Figure 2: "if last log index ≥ nextIndex for a follower, send AppendEntries with the
      // entries starting at nextIndex".
      return { durable: d, volatile: vol, effects: next <= lastIndex(d.log) ? [appendTo(ctx, d, vol.commitIndex, from, next)] : [] };
    }
    // Rejected: decrement nextIndex and retry (§5.3), unless this answers an older probe.
    if (m.index !== v.nextIndex[j]! - 1) return n;
    const next = Math.max(1, m.index);
    return { durable: d, volatile: { ...v, nextIndex: replace(v.nextIndex, j, next) }, effects: [appendTo(ctx, d, v.commitIndex, from, next)] };
  };

  // ---- the ghost record

  /**
   * Record what the history properties need, from the node's state before and after a step:
   * who became leader of which term, which entries were first committed, and whether an entry
   * nobody had committed was overwritten. Observes states only; handlers never see the ghost.
   */
  const observe = (ctx: C, before: Node, r: R): R => {
    const bd = before.durable;
    const bv = before.volatile;
    const ad = r.durable;
    const av = r.volatile;
    const extra: Effect<RaftTypes>[] = [];
    if (av.role === 'leader' && (bv.role !== 'leader' || bd.term !== ad.term)) {
      const term = ad.term;
      const bit = 1 << (ctx.self - 1);
      extra.push(ctx.ghost((g) => recordLeader(g, term, bit)));
    }
    if (ad.log !== bd.log) {
      const i = firstDifference(bd.log, ad.log);
      if (i <= bd.log.length) {
        extra.push(ctx.note(`deletes ${bd.log.slice(i - 1).map(formatEntry).join(' ')} from index ${i}`));
        extra.push(ctx.ghost((g) => (g.overwritten || i <= g.committed.length ? g : { ...g, overwritten: true })));
      }
    }
    if (av.commitIndex > bv.commitIndex) {
      const log = ad.log;
      const upTo = av.commitIndex;
      const term = ad.term;
      extra.push(ctx.note(`commits ${log.slice(bv.commitIndex, upTo).map(formatEntry).join(' ')} (commitIndex ${upTo})`));
      extra.push(ctx.ghost((g) => recordCommits(g, log, upTo, term)));
    }
    if (extra.length === 0) return r;
    return { durable: ad, volatile: av, effects: [...(r.effects ?? []), ...extra] };
  };

  // ---- the protocol

  return defineProtocol<RaftTypes>({
    name: 'raft',
    timers: ['election', 'heartbeat'],
    initGhost: { leaders: [], committed: [], overwritten: false },
    init: (ctx) => ({ durable: { term: 0, votedFor: 0, log: [] }, volatile: follower(0), effects: [electionTimer(ctx, 0)] }),
    // A restart keeps currentTerm, votedFor and the log; it is a follower with commitIndex 0.
    onRestart(ctx, durable) {
      switch (bug) {
        case 'volatile-vote': {
          // Bug volatile-vote: votedFor was only in memory, so the restarted node may vote again.
          const d: RaftDurable = { term: durable.term, votedFor: 0, log: durable.log };
          return { durable: d, volatile: follower(0), effects: [electionTimer(ctx, d.term)] };
        }
        case 'volatile-term': {
          // Bug volatile-term: currentTerm was not persisted; the node recovers it from its log.
          const d: RaftDurable = { term: lastTerm(durable.log), votedFor: 0, log: durable.log };
          return { durable: d, volatile: follower(0), effects: [electionTimer(ctx, d.term)] };
        }
        default:
          return { durable, volatile: follower(0), effects: [electionTimer(ctx, durable.term)] };
      }
    },
    onMessage: (ctx, node, msg, from) => observe(ctx, node, step(ctx, node, msg, from)),
    onTimer(ctx, node, timer) {
      const role = node.volatile.role;
      switch (timer) {
        case 'election':
          return role === 'leader' || node.durable.term >= maxTerm ? node : observe(ctx, node, campaign(ctx, node));
        case 'heartbeat': {
          if (role !== 'leader') return node;
          const v = node.volatile;
          const beats = v.beats + 1;
          return {
            durable: node.durable,
            volatile: { ...v, beats },
            effects: [
              ...(beats < heartbeats ? [ctx.setTimer('heartbeat')] : []),
              ...ctx.peers.flatMap((to) => {
                const next = v.nextIndex[to - 1]!;
                const hb = heartbeatTo(ctx, node.durable, v.commitIndex, to, next);
                // With entries pending, the heartbeat round also retries them (§5.3: "the
                // leader retries AppendEntries RPCs indefinitely"), which repairs lost appends.
                return next <= lastIndex(node.durable.log) ? [hb, appendTo(ctx, node.durable, v.commitIndex, to, next)] : [hb];
              }),
            ],
          };
        }
      }
    },
    requests: (seq) => [{ value: seq + 1 }],
    // Clients talk to the leader (a follower would redirect them).
    acceptsRequest: (_ctx, node) => node.volatile.role === 'leader',
    onClientRequest(ctx, node, req) {
      const d = node.durable;
      const durable: RaftDurable = { term: d.term, votedFor: d.votedFor, log: [...d.log, { term: d.term, value: req.value }] };
      const v = advanceCommit(ctx, durable, node.volatile); // a one-node cluster commits at once
      const r: R = {
        durable,
        volatile: v,
        effects: ctx.peers.map((to) => appendTo(ctx, durable, v.commitIndex, to, v.nextIndex[to - 1]!)),
      };
      return observe(ctx, node, r);
    },
    encodeDurable,
    encodeVolatile,
    encodeMessage,
    encodeGhost,
    formatMessage,
    formatRequest: (r) => `put v${r.value}`,
    viewDurable,
    viewVolatile,
    viewGhost,
    symmetry: {
      renameDurable: (d, f) => (d.votedFor === 0 ? d : { term: d.term, votedFor: f(d.votedFor), log: d.log }),
      renameVolatile: (v, f) =>
        v.role === 'follower'
          ? v
          : {
              role: v.role,
              commitIndex: v.commitIndex,
              votes: renameMask(v.votes, f),
              nextIndex: renameSlots(v.nextIndex, f),
              matchIndex: renameSlots(v.matchIndex, f),
              beats: v.beats,
            },
      renameGhost: (g, f) => ({ leaders: g.leaders.map((m) => renameMask(m, f)), committed: g.committed, overwritten: g.overwritten }),
      signature: nodeSignature,
    },
  });
}

/**
 * A digest of a node's own data that renaming ids does not change (symmetry reduction only
 * permutes nodes with equal digests): term, role, whether it voted, commitIndex, the log's
 * entries, the candidate's vote count and the leader's match indices as a multiset.
 */
function nodeSignature(node: { readonly up: boolean; readonly durable: RaftDurable; readonly volatile: RaftVolatile | null }): number {
  const d = node.durable;
  const v = node.volatile;
  let h = 0x811c9dc5;
  const mix = (x: number): void => {
    h = Math.imul(h ^ x, 0x01000193);
  };
  mix(d.term);
  mix(d.votedFor === 0 ? 0 : 1);
  mix(d.log.length);
  for (const e of d.log) mix((e.term << 16) | e.value);
  if (v !== null) {
    mix(v.role === 'follower' ? 1 : v.role === 'candidate' ? 2 : 3);
    mix(v.commitIndex);
    mix(popcount(v.votes));
    let sum = 0;
    let sq = 0;
    for (const m of v.matchIndex) {
      sum += m;
      sq += m * m;
    }
    mix(sum);
    mix(sq);
  }
  return h | 0;
}

/** The first 1-based index where two logs differ (length + 1 of the shorter when one is a prefix). */
function firstDifference(a: readonly Entry[], b: readonly Entry[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i] && (a[i]!.term !== b[i]!.term || a[i]!.value !== b[i]!.value)) return i + 1;
  return n + 1;
}

function recordLeader(g: RaftGhost, term: number, bit: number): RaftGhost {
  const leaders = g.leaders.slice();
  while (leaders.length <= term) leaders.push(0);
  leaders[term] = leaders[term]! | bit;
  return { leaders, committed: g.committed, overwritten: g.overwritten };
}

function recordCommits(g: RaftGhost, log: readonly Entry[], upTo: number, term: number): RaftGhost {
  if (upTo <= g.committed.length) return g;
  const committed = g.committed.slice();
  for (let i = committed.length + 1; i <= upTo; i++) committed.push({ term: log[i - 1]!.term, value: log[i - 1]!.value, in: term });
  return { leaders: g.leaders, committed, overwritten: g.overwritten };
}

function replace(a: readonly number[], i: number, x: number): readonly number[] {
  if (a[i] === x) return a;
  const out = a.slice();
  out[i] = x;
  return out;
}

function renameMask(mask: number, f: Renamer): number {
  let out = 0;
  for (let i = 0; 1 << i <= mask; i++) if ((mask >>> i) & 1) out |= 1 << (f(i + 1) - 1);
  return out;
}

function renameSlots(a: readonly number[], f: Renamer): readonly number[] {
  if (a.length === 0) return a;
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[f(i + 1) - 1] = a[i]!;
  return out;
}

/** The environment and protocol parameters of a Raft machine. */
export type RaftConfig = Partial<EnvConfig> & {
  readonly maxTerm?: number;
  readonly heartbeats?: number;
  /** Merge states that differ only in messages their receiver will ignore (default true; see `ignoredMessage` in `canonical.ts`). */
  readonly pruneIgnored?: boolean;
};

/**
 * A Raft cluster in the environment, with the safety properties of `specs/raft.ts`. Defaults:
 * {@link RAFT_DEFAULTS}, no faults.
 *
 * With `pruneIgnored` (the default), the checker's view of a state leaves out the messages in
 * flight that their receiver will ignore (`ignoredMessage`), as a TLC `VIEW` would: two
 * states that differ only in such messages are explored once. This is sound for the safety
 * checks because delivering one changes nothing but the network, dropping or duplicating one
 * only spends budget, and the node states and ghost record are compared in full. Traces and
 * random runs use the real states. On a FIFO network nothing is pruned: there an ignored message
 * at the head of a link holds back the messages behind it.
 */
export function makeRaft(config: RaftConfig = {}, bug: RaftBug = 'none'): EnvMachine<RaftTypes> {
  const nodes = config.nodes ?? RAFT_DEFAULTS.nodes;
  const protocol = raftProtocol({ maxTerm: config.maxTerm ?? RAFT_DEFAULTS.maxTerm, heartbeats: config.heartbeats ?? RAFT_DEFAULTS.heartbeats, bug });
  const m = envMachine(protocol, { requests: RAFT_DEFAULTS.requests, ...config, nodes }, { name: 'raft', ...raftChecks(nodes) });
  // FIFO links: an ignored message at the head of a link still delays the ones behind it.
  const prune = config.pruneIgnored !== false && m.config.delivery !== 'fifo';
  const restarts = m.config.crashes > 0 && m.config.restarts;
  if (!prune && !m.config.symmetry) return m;
  const view = new RaftView(nodes, {
    fifo: m.config.delivery === 'fifo',
    clocks: m.config.maxClock > 0,
    ignored: prune ? (s, p) => ignoredMessage(s, p, bug, restarts) : null,
  });
  return {
    ...m,
    encode: (s, out) => view.encode(s, out),
    ...(m.config.symmetry ? { symmetry: (s: RaftState) => view.canonical(s) } : {}),
  };
}

/** The `raft` registry entry. */
export const raftModel = defineModel({
  name: 'raft',
  doc: 'Raft election and log replication (Ongaro & Ousterhout 2014, Figure 2) on the shared environment',
  params: {
    // Every Raft check is symmetric in the node ids, so symmetry reduction is on by default.
    ...envParams({ nodes: RAFT_DEFAULTS.nodes, requests: RAFT_DEFAULTS.requests, symmetry: true }),
    nodes: int(RAFT_DEFAULTS.nodes, 1, 5, 'number of servers (n1..nN)'),
    maxTerm: int(RAFT_DEFAULTS.maxTerm, 1, 64, 'largest term a server may reach (bounds elections)'),
    heartbeats: int(RAFT_DEFAULTS.heartbeats, 0, 4, 'heartbeat rounds a leader may send per term'),
    pruneIgnored: bool(true, 'explore once the states that differ only in messages their receivers will ignore (multiset network)'),
  },
  bugs: RAFT_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 5], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], restarts: [true, false], drops: [0, 2], duplicates: [0, 2], partitions: [0, 1], requests: [1, 6], maxTerm: [2, 30], heartbeats: [0, 2] },
  build: (p) => makeRaft(p, p.bug),
});
