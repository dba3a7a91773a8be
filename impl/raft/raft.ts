/**
 * Raft: leader election and log replication, as in Figure 2 of the extended Raft paper (Diego
 * Ongaro and John Ousterhout, "In Search of an Understandable Consensus Algorithm (Extended
 * Version)", 2014; §5.1–§5.4), written as a pure reducer on the shared environment.
 *
 * - Servers n1..nN, interchangeable (one symmetric role). Durable state (currentTerm, votedFor,
 *   log) is kept apart from volatile state (role, commitIndex, and per role: the candidate's
 *   votes, the leader's nextIndex, matchIndex and heartbeat rounds): a crash loses the latter and
 *   a restart starts a follower with commitIndex 0.
 * - RequestVote and AppendEntries with their replies are messages through the environment, so
 *   the scheduler delays, reorders, drops, duplicates and partitions them.
 * - The election timeout and the leader's heartbeat are timer actions; client requests append
 *   an entry at the leader (the environment's `requests` budget).
 * - commitIndex advances only by the current-term rule (§5.4.2).
 *
 * Shaped like etcd-io/raft's `raft.go`: one `step` applies the rules for all servers (a later term
 * makes the node a follower of that term; a message of an earlier term is dropped, as etcd does),
 * then hands the message to `stepFollower`, `stepCandidate` or `stepLeader`. Heartbeats are empty
 * AppendEntries. Model bounds (like a TLC state constraint): `maxTerm` (an election timer is
 * armed only below it) and `heartbeats` (heartbeat rounds per leadership).
 *
 * The data is declared once ({@link raftSchema}); the environment derives encodings, views,
 * renaming and signatures. Indices are 1-based as in the paper: `log[0]` holds index 1, index 0
 * is "before the log" with term 0. Known-bug variants override one rule ({@link RaftRules}) or
 * one handler, in `bugs.ts`; the safety properties are in `specs/raft.ts`.
 */
import { S } from '../env/schema.ts';
import type { EnvConfig } from '../env/config.ts';
import { addNode, hasNode, nodesIn, popcount } from '../env/nodeset.ts';
import { nodeName } from '../env/partition.ts';
import { defineProtocol, type Ctx, type Effect, type EnvState, type NodeId, type NodeView, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';

/** Raft's data for a configuration: terms up to `maxTerm`, logs of at most `requests` entries (each request is one unique entry). */
export const raftSchema = (cfg: Pick<EnvConfig, 'requests'>, maxTerm: number, heartbeats: number) => {
  const R = Math.max(1, cfg.requests);
  const T = S.int(0, maxTerm);
  const I = S.int(0, R + 1); // indices; nextIndex may be lastIndex + 1
  const Entry = S.record({ term: T, value: S.int(1, R) });
  // Message labels only (node views show plain numbers): a term `t3`, an entry `t3:v2`.
  const Term = S.labelled(T, (t) => `t${t}`);
  const SentEntry = S.labelled(Entry, formatEntry);
  return {
    /** Figure 2, "Persistent state on all servers". */
    durable: S.record({ term: T, votedFor: S.optional(S.node()), log: S.list(Entry, R) }),
    /** Figure 2, volatile state, per role (`lastApplied` is not modelled: entries apply as they commit). */
    volatile: S.union('role', {
      follower: { commitIndex: I },
      candidate: { commitIndex: I, votes: S.nodeSet() },
      leader: { commitIndex: I, nextIndex: S.perNode(I), matchIndex: S.perNode(I), beats: S.int(0, heartbeats) },
    }),
    /** The RPCs of Figure 2; the sender is the envelope's `from`. AppendEntriesResp's `index`: the match on success, the request's prevIndex on failure. */
    msg: S.labelled(
      S.union('type', {
        RequestVote: { term: Term, lastLogIndex: I, lastLogTerm: Term },
        RequestVoteResp: { term: Term, granted: S.bool() },
        AppendEntries: { term: Term, prevIndex: I, prevTerm: Term, commit: I, entries: S.list(SentEntry, R) },
        AppendEntriesResp: { term: Term, success: S.bool(), index: I },
      }),
      // `AppendEntries(t3, prev=1/t1, [t3:v2], commit=1)`, `AppendEntriesResp(t3, ok, match=2)`, …
      (m, at) => {
        const t = at.show(Term, m.term);
        switch (m.type) {
          case 'RequestVote':
            return `RequestVote(${t}, last=${m.lastLogIndex}/${at.show(Term, m.lastLogTerm)})`;
          case 'RequestVoteResp':
            return `RequestVoteResp(${t}, ${m.granted ? 'granted' : 'denied'})`;
          case 'AppendEntries':
            return `AppendEntries(${t}, prev=${m.prevIndex}/${at.show(Term, m.prevTerm)}, [${m.entries.map((e) => at.show(SentEntry, e)).join(' ')}], commit=${m.commit})`;
          case 'AppendEntriesResp':
            return `AppendEntriesResp(${t}, ${m.success ? `ok, match=${m.index}` : `reject, prev=${m.index}`})`;
        }
      },
    ),
    /**
     * The history the properties read; no server sees it. `leaders[t]`: who became leader of
     * term t; `committed[i - 1]`: the entry first committed at index i and the committer's term;
     * `overwritten`: some node deleted an entry nobody had committed (a witness).
     */
    ghost: S.record({ leaders: S.list(S.nodeSet(), maxTerm + 1), committed: S.list(S.record({ term: T, value: S.int(1, R), in: T }), R), overwritten: S.bool() }),
    /** A client command, labelled `put v2`. */
    request: S.labelled(S.record({ value: S.int(1, R) }), (r) => `put v${r.value}`),
  };
};

/** Raft's types. */
export interface RaftTypes extends SchemaTypes<ReturnType<typeof raftSchema>> {
  readonly timer: 'election' | 'heartbeat';
  /** A client command: append `value` to the replicated log. */
  readonly request: { readonly value: number };
}
/** A Raft cluster's state in the environment. */
export type RaftState = EnvState<RaftTypes>;
/** One log entry: its term and its client command (a unique value). */
export type Entry = RaftTypes['durable']['log'][number];
type Durable = RaftTypes['durable'];
type Volatile = RaftTypes['volatile'];
type RaftMsg = RaftTypes['msg'];
type Msg<T extends RaftMsg['type']> = Extract<RaftMsg, { readonly type: T }>;
type Leader = Extract<Volatile, { role: 'leader' }>;
type Node = NodeView<RaftTypes>;
type R = Reaction<RaftTypes>;
type C = Ctx<RaftTypes>;

/** Term of the last entry (0 when empty). */
export const lastTerm = (log: readonly Entry[]): number => (log.length === 0 ? 0 : log[log.length - 1]!.term);
/** Term of the entry at index i (0 for index 0; -1 when there is none). */
export const termAt = (log: readonly Entry[], i: number): number => (i === 0 ? 0 : (log[i - 1]?.term ?? -1));
/** Whether two entries are the same entry. */
export const sameEntry = (a: Entry, b: Entry): boolean => a.term === b.term && a.value === b.value;
/** Whether `a` is a prefix of `b`. */
export const isPrefix = (a: readonly Entry[], b: readonly Entry[]): boolean => a === b || (a.length <= b.length && a.every((e, i) => sameEntry(e, b[i]!)));
/** An entry's label: `t2:v3` (term 2, value 3). */
export const formatEntry = (e: { readonly term: number; readonly value: number }): string => `t${e.term}:v${e.value}`;
/** A node set as names: `n1 and n3`. */
export const namesOf = (set: number): string[] => nodesIn(set).map(nodeName);

/** The rules a known-bug variant may change (`bugs.ts`); {@link RAFT_RULES} are the paper's. */
export interface RaftRules {
  /** §5.4.1: is a candidate whose last entry is (`index`, `term`) at least as up-to-date as `log`? */
  upToDate(log: readonly Entry[], index: number, term: number): boolean;
  /** §5.4.2: may a leader of `term` commit an entry of `entryTerm` by counting its replicas? */
  countsReplicas(entryTerm: number, term: number): boolean;
  /** Figure 2, AppendEntries step 5: a follower's commitIndex after a successful append. */
  followerCommit(commitIndex: number, leaderCommit: number, lastNew: number, lastIndex: number): number;
  /** AppendEntries step 1: is a request of an earlier term refused? */
  refusesStale(m: RaftMsg): boolean;
}

/** The rules as the paper states them. */
export const RAFT_RULES: RaftRules = {
  upToDate: (log, index, term) => term > lastTerm(log) || (term === lastTerm(log) && index >= log.length),
  // §5.4.2: only an entry of the leader's own term is committed by counting replicas (Figure 8).
  countsReplicas: (entryTerm, term) => entryTerm === term,
  // Only the entries this request checked are known to match the leader's log.
  followerCommit: (commitIndex, leaderCommit, lastNew) => Math.max(commitIndex, Math.min(leaderCommit, lastNew)),
  refusesStale: () => true,
};

/** The protocol's own parameters (the environment's are separate). */
export interface RaftOptions {
  /** Servers, n1..nN. */
  readonly nodes: number;
  /** Largest term a node may reach: an election timer is armed only below it. */
  readonly maxTerm: number;
  /** Heartbeat rounds a leader may send per term (0: none; it still sends on requests and replies). */
  readonly heartbeats: number;
  /** Whether nodes may crash and restart (a restart resets commitIndex to 0). */
  readonly restarts: boolean;
}

const follower = (commitIndex: number): Volatile => ({ role: 'follower', commitIndex });

/** `r`, then `next` on the node `r` leaves, with both effect lists in order. */
function then(r: R, next: (n: Node) => R): R {
  const s = next({ durable: r.durable, volatile: r.volatile });
  const a = r.effects ?? [];
  const b = s.effects ?? [];
  return { durable: s.durable, volatile: s.volatile, effects: a.length === 0 ? b : b.length === 0 ? a : [...a, ...b] };
}

/** The Raft protocol with the given bounds and rules. */
export function raftProtocol(opts: RaftOptions, rules: RaftRules = RAFT_RULES): Protocol<RaftTypes> {
  const { maxTerm, heartbeats } = opts;
  /** Arm the election timer below maxTerm; disarm it at maxTerm (no more elections). */
  const electionTimer = (ctx: C, term: number): Effect<RaftTypes> => (term < maxTerm ? ctx.setTimer('election') : ctx.cancelTimer('election'));

  // ---- role changes (§5.2)

  /** Figure 2, rules for all servers: a term T > currentTerm makes the node a follower of T. */
  const becomeFollower = (ctx: C, n: Node, term: number): R => ({
    durable: term === n.durable.term ? n.durable : { term, votedFor: null, log: n.durable.log },
    volatile: n.volatile.role === 'follower' ? n.volatile : follower(n.volatile.commitIndex),
    effects: n.volatile.role === 'leader' ? [ctx.cancelTimer('heartbeat'), electionTimer(ctx, term)] : [electionTimer(ctx, term)],
  });

  /** An election timeout: a new term, a vote for itself, RequestVote to every peer. */
  const campaign = (ctx: C, n: Node): R => {
    const { log } = n.durable;
    const term = n.durable.term + 1;
    const r: R = {
      durable: { term, votedFor: ctx.self, log },
      volatile: { role: 'candidate', commitIndex: n.volatile.commitIndex, votes: addNode(0, ctx.self) },
      effects: [electionTimer(ctx, term), ctx.broadcast({ type: 'RequestVote', term, lastLogIndex: log.length, lastLogTerm: lastTerm(log) })],
    };
    return ctx.majority === 1 ? then(r, (c) => becomeLeader(ctx, c)) : r;
  };

  /** A candidate with a majority of votes: Figure 2, "upon election: send initial empty AppendEntries". */
  const becomeLeader = (ctx: C, n: Node): R => {
    const d = n.durable;
    const next = d.log.length + 1;
    return {
      durable: d,
      volatile: { role: 'leader', commitIndex: n.volatile.commitIndex, nextIndex: ctx.nodes.map((id) => (id === ctx.self ? 0 : next)), matchIndex: ctx.nodes.map(() => 0), beats: 0 },
      effects: [
        ctx.cancelTimer('election'),
        ...(heartbeats > 0 ? [ctx.setTimer('heartbeat')] : []),
        ctx.note(`leader of t${d.term}`),
        ctx.broadcast({ type: 'AppendEntries', term: d.term, prevIndex: next - 1, prevTerm: lastTerm(d.log), entries: [], commit: n.volatile.commitIndex }),
      ],
    };
  };

  // ---- the entry point: the rules for all servers, then the role's handler

  const step = (ctx: C, n: Node, m: RaftMsg, from: NodeId): R => {
    const term = n.durable.term;
    // A message of an earlier term is dropped, as etcd-io/raft does (Figure 2 would answer a
    // request with "false" and the current term, which the next message of this term tells the
    // sender anyway).
    if (m.term < term) return m.type === 'AppendEntries' && !rules.refusesStale(m) ? appendEntries(ctx, n, m, from) : n;
    return then(m.term > term ? becomeFollower(ctx, n, m.term) : n, (x) => {
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

  const stepFollower = (ctx: C, n: Node, m: RaftMsg, from: NodeId): R => {
    if (m.type === 'RequestVote') return requestVote(ctx, n, m, from);
    if (m.type === 'AppendEntries') return appendEntries(ctx, n, m, from);
    return n; // a late reply to a candidacy or leadership this node has given up
  };

  const stepCandidate = (ctx: C, n: Node, m: RaftMsg, from: NodeId): R => {
    const v = n.volatile;
    switch (m.type) {
      case 'RequestVote':
        return requestVote(ctx, n, m, from); // refused: it voted for itself
      case 'RequestVoteResp': {
        if (!m.granted || v.role !== 'candidate') return n;
        const votes = addNode(v.votes, from);
        const x: Node = { durable: n.durable, volatile: { ...v, votes } };
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
    if (m.type === 'RequestVote') return requestVote(ctx, n, m, from); // refused: it voted for itself
    if (m.type === 'AppendEntriesResp') return appendEntriesResp(ctx, n, m, from);
    return n; // a vote after winning; AppendEntries of another leader of this term is impossible
  };

  // ---- RequestVote (§5.2, §5.4.1)

  const requestVote = (ctx: C, n: Node, m: Msg<'RequestVote'>, from: NodeId): R => {
    const d = n.durable;
    // §5.4.1: grant only to a candidate whose log is at least as up-to-date as ours. With election
    // safety this gives leader completeness: a committed entry is on a majority, and a winner
    // needs a vote from that majority, so the winner's log holds the entry.
    const granted = (d.votedFor === null || d.votedFor === from) && rules.upToDate(d.log, m.lastLogIndex, m.lastLogTerm);
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
    if (termAt(d.log, m.prevIndex) !== m.prevTerm) return { ...n, effects: [ctx.send(from, { type: 'AppendEntriesResp', term, success: false, index: m.prevIndex })] };
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
    // 5. If leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of last new entry).
    const lastNew = m.prevIndex + m.entries.length;
    const v = n.volatile;
    const commitIndex = rules.followerCommit(v.commitIndex, m.commit, lastNew, log.length);
    return {
      durable: log === d.log ? d : { term, votedFor: d.votedFor, log },
      volatile: commitIndex === v.commitIndex ? v : { ...v, commitIndex },
      effects: [ctx.send(from, { type: 'AppendEntriesResp', term, success: true, index: lastNew })],
    };
  };

  // ---- the leader's side of replication

  /** AppendEntries to `to` with every entry from `next` on (none for a heartbeat). */
  const appendTo = (ctx: C, d: Durable, commit: number, to: NodeId, next: number, entries = true): Effect<RaftTypes> =>
    ctx.send(to, { type: 'AppendEntries', term: d.term, prevIndex: next - 1, prevTerm: termAt(d.log, next - 1), entries: entries ? d.log.slice(next - 1) : [], commit });

  /** Figure 2, rules for leaders: commit the largest N > commitIndex with a majority matchIndex ≥ N and log[N].term = currentTerm. */
  const advanceCommit = (ctx: C, d: Durable, v: Leader): Leader => {
    for (let N = d.log.length; N > v.commitIndex; N--) {
      // Terms never decrease along a log, so once an entry is of an earlier term no lower N
      // qualifies either; the earlier entries commit with the current-term one (Log Matching).
      if (!rules.countsReplicas(d.log[N - 1]!.term, d.term)) break;
      let count = 1; // the leader itself
      for (let j = 0; j < v.matchIndex.length; j++) if (j !== ctx.self - 1 && v.matchIndex[j]! >= N) count++;
      if (count >= ctx.majority) return { ...v, commitIndex: N };
    }
    return v;
  };

  const appendEntriesResp = (ctx: C, n: Node, m: Msg<'AppendEntriesResp'>, from: NodeId): R => {
    const d = n.durable;
    const v = n.volatile;
    if (v.role !== 'leader') return n;
    const j = from - 1;
    if (m.success) {
      const match = Math.max(v.matchIndex[j]!, m.index);
      const next = Math.max(v.nextIndex[j]!, m.index + 1);
      if (match === v.matchIndex[j] && next === v.nextIndex[j]) return n; // a late or repeated reply
      const vol = advanceCommit(ctx, d, { ...v, nextIndex: replace(v.nextIndex, j, next), matchIndex: replace(v.matchIndex, j, match) });
      // Figure 2: "if last log index ≥ nextIndex for a follower, send AppendEntries from nextIndex".
      return { durable: d, volatile: vol, effects: next <= d.log.length ? [appendTo(ctx, d, vol.commitIndex, from, next)] : [] };
    }
    // Rejected: decrement nextIndex and retry (§5.3), unless this answers an older probe.
    if (m.index !== v.nextIndex[j]! - 1) return n;
    const next = Math.max(1, m.index);
    return { durable: d, volatile: { ...v, nextIndex: replace(v.nextIndex, j, next) }, effects: [appendTo(ctx, d, v.commitIndex, from, next)] };
  };

  /** A heartbeat round: an empty AppendEntries to each peer, plus a retry of pending entries (§5.3). */
  const heartbeat = (ctx: C, d: Durable, v: Leader): R => {
    const beats = v.beats + 1;
    const sends = ctx.peers.flatMap((to) => {
      const next = v.nextIndex[to - 1]!;
      const hb = appendTo(ctx, d, v.commitIndex, to, next, false);
      return next <= d.log.length ? [hb, appendTo(ctx, d, v.commitIndex, to, next)] : [hb];
    });
    return { durable: d, volatile: { ...v, beats }, effects: [...(beats < heartbeats ? [ctx.setTimer('heartbeat')] : []), ...sends] };
  };

  // ---- the ghost record: observes states before and after a step; handlers never see it

  const observe = (ctx: C, before: Node, r: R): R => {
    const { durable: bd, volatile: bv } = before;
    const { durable: ad, volatile: av } = r;
    const extra: Effect<RaftTypes>[] = [];
    if (av.role === 'leader' && (bv.role !== 'leader' || bd.term !== ad.term)) extra.push(ctx.ghost((g) => recordLeader(g, ad.term, ctx.self)));
    if (ad.log !== bd.log) {
      const i = firstDifference(bd.log, ad.log);
      if (i <= bd.log.length) {
        extra.push(ctx.note(`deletes ${bd.log.slice(i - 1).map(formatEntry).join(' ')} from index ${i}`));
        extra.push(ctx.ghost((g) => (g.overwritten || i <= g.committed.length ? g : { ...g, overwritten: true })));
      }
    }
    if (av.commitIndex > bv.commitIndex) {
      extra.push(ctx.note(`commits ${ad.log.slice(bv.commitIndex, av.commitIndex).map(formatEntry).join(' ')} (commitIndex ${av.commitIndex})`));
      extra.push(ctx.ghost((g) => recordCommits(g, ad.log, av.commitIndex, ad.term)));
    }
    return extra.length === 0 ? r : { durable: ad, volatile: av, effects: [...(r.effects ?? []), ...extra] };
  };

  return defineProtocol<RaftTypes>({
    name: 'raft',
    schema: (cfg) => raftSchema(cfg, maxTerm, heartbeats),
    roles: { server: { count: opts.nodes, prefix: 'n' } }, // interchangeable: one symmetry class
    symmetry: {},
    timers: ['election', 'heartbeat'],
    initGhost: { leaders: [], committed: [], overwritten: false },
    init: (ctx) => ({ durable: { term: 0, votedFor: null, log: [] }, volatile: follower(0), effects: [electionTimer(ctx, 0)] }),
    // A restart keeps currentTerm, votedFor and the log; it is a follower with commitIndex 0.
    onRestart: (ctx, durable) => ({ durable, volatile: follower(0), effects: [electionTimer(ctx, durable.term)] }),
    onMessage: (ctx, node, msg, from) => observe(ctx, node, step(ctx, node, msg, from)),
    onTimer(ctx, node, timer) {
      const v = node.volatile;
      if (timer === 'heartbeat') return v.role === 'leader' ? heartbeat(ctx, node.durable, v) : node;
      return v.role === 'leader' || node.durable.term >= maxTerm ? node : observe(ctx, node, campaign(ctx, node));
    },
    requests: (seq) => [{ value: seq + 1 }],
    // Clients talk to the leader (a follower would redirect them).
    acceptsRequest: (_ctx, node) => node.volatile.role === 'leader',
    onClientRequest(ctx, node, req) {
      const d = node.durable;
      if (node.volatile.role !== 'leader') return node;
      const durable: Durable = { term: d.term, votedFor: d.votedFor, log: [...d.log, { term: d.term, value: req.value }] };
      const v = advanceCommit(ctx, durable, node.volatile); // a one-node cluster commits at once
      return observe(ctx, node, { durable, volatile: v, effects: ctx.peers.map((to) => appendTo(ctx, durable, v.commitIndex, to, v.nextIndex[to - 1]!)) });
    },
    /**
     * Messages whose delivery changes nothing but the network and sends only messages ignored in
     * turn, now and while they stay in flight (terms only grow; within a term a vote never
     * changes, a follower never becomes a candidate or leader, a candidate's votes only grow, and
     * a follower keeps the entries it shares with its leader). What the receiver alone decides:
     * - a message of an earlier term (`step` drops it);
     * - a RequestVote of the receiver's term when it voted for another node (its denial is
     *   ignored: a reply is never of a later term than its receiver's);
     * - a reply of the receiver's term its handler drops: a vote that is not a new granted vote
     *   for a running candidate; an AppendEntriesResp to a follower (a follower of T never leads T).
     */
    ignoresAtReceiver(_ctx, node, m, from) {
      const d = node.durable;
      if (m.term !== d.term) return m.term < d.term;
      const v = node.volatile;
      switch (m.type) {
        case 'RequestVote':
          return d.votedFor !== null && d.votedFor !== from;
        case 'AppendEntries':
          return false;
        case 'RequestVoteResp':
          return !(m.granted && v?.role === 'candidate' && !hasNode(v.votes, from));
        case 'AppendEntriesResp':
          return v === null || v.role === 'follower';
      }
    },
    /**
     * What depends on another node or the network (see `ignoresAtReceiver` for the rest):
     * - a RequestVote of the receiver's term from the candidate it voted for, which no longer needs the vote;
     * - an AppendEntries of the receiver's term to a follower (or a down node, which restarts as
     *   one) that holds all its entries and would commit nothing new (nor after a restart), when
     *   its leader would ignore the acknowledgement;
     * - an acknowledgement that tells its leader nothing new, while no rejection in flight can
     *   lower that follower's nextIndex to it.
     */
    ignores(ctx, node, m, from, s) {
      const d = node.durable;
      if (m.term !== d.term) return false;
      const v = node.volatile;
      switch (m.type) {
        case 'RequestVote':
          return d.votedFor === from && replyIgnored(s, from, ctx.self, { type: 'RequestVoteResp', term: m.term, granted: true });
        case 'AppendEntries': {
          if ((v !== null && v.role !== 'follower') || termAt(d.log, m.prevIndex) !== m.prevTerm) return false;
          for (let k = 0; k < m.entries.length; k++) if (termAt(d.log, m.prevIndex + k + 1) !== m.entries[k]!.term) return false;
          const lastNew = m.prevIndex + m.entries.length;
          const c = v === null ? 0 : v.commitIndex;
          if (rules.followerCommit(c, m.commit, lastNew, d.log.length) !== c) return false;
          if (opts.restarts && rules.followerCommit(0, m.commit, lastNew, d.log.length) !== 0) return false;
          return replyIgnored(s, from, ctx.self, { type: 'AppendEntriesResp', term: m.term, success: true, index: lastNew });
        }
        case 'RequestVoteResp':
          return false;
        case 'AppendEntriesResp':
          return v !== null && v.role === 'leader' && replyIgnored(s, ctx.self, from, m);
      }
    },
  });
}

/** Whether node `to` (running or down) would ignore the reply `m` from `from`, and keep ignoring it (see `ignores`). */
function replyIgnored(s: RaftState, to: NodeId, from: NodeId, m: Msg<'RequestVoteResp' | 'AppendEntriesResp'>): boolean {
  const x = s.nodes[to - 1]!;
  if (m.term !== x.durable.term) return m.term < x.durable.term;
  const v = x.up ? x.volatile : null;
  if (m.type === 'RequestVoteResp') return !(m.granted && v?.role === 'candidate' && !hasNode(v.votes, from));
  if (v === null || v.role === 'follower') return true;
  if (v.role === 'candidate' || !m.success || m.index > v.matchIndex[from - 1]! || m.index >= v.nextIndex[from - 1]!) return false;
  // nextIndex falls only by rejections (§5.3); the follower sends none at or below an index it acknowledged in this term.
  return !s.net.some((p) => p.from === from && p.to === to && p.msg.type === 'AppendEntriesResp' && !p.msg.success && p.msg.term === m.term && p.msg.index <= m.index);
}

/** The first 1-based index where two logs differ (length + 1 of the shorter when one is a prefix). */
function firstDifference(a: readonly Entry[], b: readonly Entry[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i] && !sameEntry(a[i]!, b[i]!)) return i + 1;
  return n + 1;
}

function recordLeader(g: RaftTypes['ghost'], term: number, id: NodeId): RaftTypes['ghost'] {
  const leaders = g.leaders.slice();
  while (leaders.length <= term) leaders.push(0);
  leaders[term] = addNode(leaders[term]!, id);
  return { leaders, committed: g.committed, overwritten: g.overwritten };
}

function recordCommits(g: RaftTypes['ghost'], log: readonly Entry[], upTo: number, term: number): RaftTypes['ghost'] {
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
