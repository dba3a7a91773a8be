/**
 * Paxos Commit (Gray and Lamport) over the shared environment: each resource manager's vote is
 * decided by its own Paxos instance over a set of acceptors, so that a coordinator crash does
 * not block the transaction.
 *
 * Source: J. Gray and L. Lamport, "Consensus on Transaction Commit", ACM TODS 31(1), 2006,
 * section 4 (Paxos Commit), 4.1 (the algorithm; ballot 0 as the RM's fast path), 4.2 (a new
 * leader runs phase 1 for every instance at once; the messages of all instances are bundled).
 * `impl/commit/paxoscommit-tla.ts` is the failure-free TLA+ module ported action for action.
 *
 * Roles: n1 is the initial leader (the coordinator), RMs are n2..n(R+1) (RM k is node k+1 and
 * owns instance k), acceptors are n(R+2)..n(R+A+1) (acceptor j is node R+1+j).
 *
 * - **Ballot 0** (the fast path): an RM that prepares (or aborts) sends `Phase2a0(k, val)` for
 *   its own instance to every acceptor. An acceptor that has promised nothing higher accepts and
 *   sends `Phase2b0` to the coordinator. The coordinator, on a majority of `Phase2b0` for every
 *   instance, sends `Commit` (all `prepared`) or `Abort` (some `aborted`) to the RMs. Neither the
 *   RMs nor the coordinator need to log anything for ballot 0 beyond the RM's own state: the
 *   acceptors hold the votes.
 * - **Recovery by another leader**: the first `backups` RMs (default 1) watch the coordinator
 *   with a `takeover` timer, a failure-detector timeout (with the default `detector=perfect` it
 *   fires only while the coordinator is down or cut off; `spuriousTimeouts` makes it a plain
 *   timer). A backup that already knows the outcome tells the other RMs; otherwise
 *   RM k leads ballot k for every instance: it logs that it did (it never reuses its ballot),
 *   sends `Phase1a(k)`; each acceptor promises k and reports its vote per instance (`Phase1b`);
 *   with a majority the leader proposes, per instance, the value of the highest ballot
 *   reported, or `aborted` if none (`Phase2a`); with a majority of `Phase2b` it knows every
 *   instance's value and sends `Commit` or `Abort` to the other RMs.
 * - **Acceptors** log their promise (`mbal`) and their vote per instance (`bal`, `val`).
 *
 * Nodes: the coordinator `c1`, RMs `r1`..`rR`, acceptors `a1`..`aA` (roles). Faults (see
 * `makePaxosCommit`): the coordinator may crash, and any acceptor while fewer than
 * `faultyAcceptors` are down (the role's `maxDown`; the environment's `initiallyDown` of them may
 * be down from the start); RMs only with `rmCrashes`. Acceptors are interchangeable
 * (`symmetry=true`), and with crash-stop failures messages to a crashed node are dead letters,
 * removed from the network by the environment.
 *
 * Safety is Paxos's, once per instance: a value chosen in a ballot (accepted by a majority) is
 * the only value any higher ballot can propose, because its phase 1 hears from a majority, which
 * intersects the choosing one (the `paxos-agreement` invariant reads the ghost record of every
 * acceptance). Liveness with the coordinator and a minority of acceptors crashed is checked with
 * `specs/liveness.ts`.
 *
 * The data is declared once (`paxosCommitSchema`): encodings, views, renaming under permutations
 * of the acceptors and signatures are derived. The checks and the model (parameters, known-bug
 * variant) are in `specs/models/paxoscommit.ts`.
 */
import { assertNever } from '../core/machine.ts';
import { addNode, popcount } from '../env/nodeset.ts';
import { S, type Infer } from '../env/schema.ts';
import { defineProtocol, type Ctx, type EnvAction, type EnvState, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
import { COMMIT_HISTORY, NO_HISTORY, recordHistory, RM_STATE, type RMState } from './common.ts';

/** A vote value (schema). */
export const PC_VAL = S.enum('prepared', 'aborted');
/** A vote value. */
export type PCVal = Infer<typeof PC_VAL>;

/**
 * Paxos Commit's data for R RMs (one Paxos instance each, ballots 0..R: ballot k > 0 is RM k's).
 *
 * - Durable: an RM's TCommit state and whether it led its ballot; an acceptor's promise (`mbal`)
 *   and its vote per instance (`bal = -1`, `val = none` when it has none).
 * - Volatile: the coordinator's, per instance, acceptors whose `Phase2b0` it holds for `prepared`
 *   and for `aborted`; an RM leading its ballot: its phase, the acceptors that answered this
 *   phase, and per instance the highest-ballot vote reported so far.
 * - Messages: ballot-0 messages carry one instance; a leader's carry them all.
 * - Ghost: the commit history, and every acceptance ever made:
 *   `accepted[((ins - 1) * (R + 1) + bal) * 2 + (val === 'aborted' ? 1 : 0)]` is the set of
 *   acceptors that accepted `val` in ballot `bal` of instance `ins`.
 */
export function paxosCommitSchema(R: number) {
  // Per-instance arrays are lists of R entries, not `S.perRole('rm', …)`: the RMs (who own the
  // instances) are not interchangeable (`symmetric: false`), so nothing permutes them, and a list
  // is not copied on every renaming (the acceptor symmetry renames every state; in one loaded
  // side-by-side run the perRole version was at 0.72-0.9 of the hand-written one's states/s, the
  // list version at 0.9-1.16). Making RMs symmetric would need perRole.
  const vote = S.record({ bal: S.int(-1, R), val: S.enum('none', 'prepared', 'aborted') });
  const bal = S.int(1, R);
  /** Instance k (RM k's), labelled with its RM's name: `r1`. */
  const instance = S.labelled(S.int(1, R), (k, at) => at.name(PC_COORDINATOR + k));
  /** A vote reported in `Phase1b`, labelled `-` (none) or `ballot:value`. */
  const reported = S.labelled(vote, (v) => (v.bal < 0 ? '-' : `${v.bal}:${v.val}`));
  return {
    durable: S.union('role', {
      coordinator: {},
      rm: { state: RM_STATE, led: S.bool() },
      acceptor: { mbal: S.int(0, R), votes: S.list(vote, R) },
    }),
    volatile: S.union('role', {
      coordinator: { prepared: S.list(S.nodeSet(), R), aborted: S.list(S.nodeSet(), R), done: S.bool() },
      rm: { phase: S.enum('idle', 'p1', 'p2', 'done'), got: S.nodeSet(), best: S.list(vote, R) },
      acceptor: {},
    }),
    /** Labelled `Phase2a0(r1, prepared)`, `Phase1a(bal 1)`, `Phase1b(bal 1, 0:prepared -)`, `Phase2a(bal 1, prepared aborted)`, `Commit`. */
    msg: S.labelled(
      S.union('type', {
        Phase2a0: { ins: instance, val: PC_VAL },
        Phase2b0: { ins: instance, val: PC_VAL },
        Phase1a: { bal },
        Phase1b: { bal, votes: S.list(reported, R) },
        Phase2a: { bal, vals: S.list(PC_VAL, R) },
        Phase2b: { bal },
        Commit: {},
        Abort: {},
      }),
      (m, at) => {
        switch (m.type) {
          case 'Phase2a0':
          case 'Phase2b0':
            return `${m.type}(${at.show(instance, m.ins)}, ${m.val})`;
          case 'Phase1a':
          case 'Phase2b':
            return `${m.type}(bal ${m.bal})`;
          case 'Phase1b':
            return `Phase1b(bal ${m.bal}, ${m.votes.map((v) => at.show(reported, v)).join(' ')})`;
          case 'Phase2a':
            return `Phase2a(bal ${m.bal}, ${m.vals.join(' ')})`;
          default:
            return m.type;
        }
      },
    ),
    ghost: S.record({ history: COMMIT_HISTORY, accepted: S.list(S.nodeSet(), R * (R + 1) * 2) }),
    local: S.enum('prepare', 'abort'),
  };
}

/** Paxos Commit's types, for the environment. */
export interface PCTypes extends SchemaTypes<ReturnType<typeof paxosCommitSchema>> {
  readonly timer: 'takeover';
  readonly local: 'prepare' | 'abort';
}

/** What a node logs. */
export type PCDurable = PCTypes['durable'];
/** What a crash loses. */
export type PCVolatile = PCTypes['volatile'];
/** Paxos Commit's messages. */
export type PCMsg = PCTypes['msg'];
/** The ghost record. */
export type PCGhost = PCTypes['ghost'];
/** An acceptor's vote in one instance: `bal = -1` (and `val = none`) when it has none. */
export type PCVote = Extract<PCDurable, { role: 'acceptor' }>['votes'][number];

/** Paxos Commit's state in the environment. */
export type PCEnvState = EnvState<PCTypes>;
/** Paxos Commit's actions in the environment. */
export type PCEnvAction = EnvAction<PCTypes>;

/** The known-bug variants, with what each does (their checks: `specs/models/paxoscommit.ts`). */
export const PAXOSCOMMIT_VARIANTS = {
  'skip-phase1': 'a recovering leader skips phase 1 and proposes aborted for every instance, ignoring values that may already be chosen',
} as const;
/** A known-bug variant's name, or none. */
export type PCBug = keyof typeof PAXOSCOMMIT_VARIANTS | 'none';

/** The coordinator's node id. */
export const PC_COORDINATOR: NodeId = 1;

/** The node layout of R RMs and A acceptors. */
export interface PCLayout {
  readonly rms: number;
  readonly acceptors: number;
}
/** RM k's node id (k is 1-based). */
export const rmNode = (k: number): NodeId => k + 1;
const rmIndex = (id: NodeId): number => id - 1;
const accNode = (L: PCLayout, j: number): NodeId => L.rms + 1 + j;
const NO_VOTE: PCVote = { bal: -1, val: 'none' };
/** The index in the ghost's `accepted` of (instance, ballot, value). */
export const acceptedIndex = (R: number, ins: number, bal: number, val: PCVal): number => ((ins - 1) * (R + 1) + bal) * 2 + (val === 'aborted' ? 1 : 0);

type R_ = Reaction<PCTypes>;
type C = Ctx<PCTypes>;
type Node = { readonly durable: PCDurable; readonly volatile: PCVolatile };

/** Options of the protocol factory. */
export interface PCOptions {
  /** A recovering leader runs phase 1 first (default true; false is the `skip-phase1` bug). */
  readonly phase1?: boolean;
  /** How many RMs (the first ones) may lead a ballot when the coordinator fails (default 1). */
  readonly backups?: number;
  /** The coordinator may crash (default true). */
  readonly coordinatorCrashes?: boolean;
  /** RMs may crash (default false). */
  readonly rmCrashes?: boolean;
  /** How many acceptors may be down at once (default 1). */
  readonly faultyAcceptors?: number;
  /** The takeover timer is a plain timer, not a failure-detector timeout on the coordinator (default false). */
  readonly spuriousTimeouts?: boolean;
}

const WATCH_COORDINATOR: readonly NodeId[] = [1];

/** The Paxos Commit protocol for a layout. */
export function paxosCommitProtocol(L: PCLayout, opts: PCOptions = {}): Protocol<PCTypes> {
  const R = L.rms;
  const A = L.acceptors;
  const quorum = Math.floor(A / 2) + 1;
  const runPhase1 = opts.phase1 ?? true;
  const backups = opts.backups ?? 1;
  const isBackup = (id: NodeId): boolean => rmIndex(id) <= backups;
  const rms = Array.from({ length: R }, (_, i) => rmNode(i + 1));
  const accs = Array.from({ length: A }, (_, j) => accNode(L, j + 1));
  const noVotes: readonly PCVote[] = Array.from({ length: R }, () => NO_VOTE);
  const zeros: readonly number[] = Array.from({ length: R }, () => 0);
  const COORD_IDLE: PCVolatile = { role: 'coordinator', prepared: zeros, aborted: zeros, done: false };
  const RM_IDLE: PCVolatile = { role: 'rm', phase: 'idle', got: 0, best: noVotes };

  /** Tell every RM but `self` the outcome (and take it, if `self` is an RM). */
  const announce = (ctx: C, node: Node, outcome: 'commit' | 'abort'): R_ => {
    const msg: PCMsg = outcome === 'commit' ? { type: 'Commit' } : { type: 'Abort' };
    const sends = rms.filter((id) => id !== ctx.self).map((id) => ctx.send(id, msg));
    if (node.durable.role === 'coordinator') {
      return { durable: node.durable, volatile: { ...(node.volatile as Extract<PCVolatile, { role: 'coordinator' }>), done: true }, effects: [...sends, ctx.note(`decides ${outcome}`)] };
    }
    const own = learn(ctx, { durable: node.durable, volatile: { role: 'rm', phase: 'done', got: 0, best: noVotes } }, outcome);
    return { ...own, effects: [...(own.effects ?? []), ...sends, ctx.note(`leader decides ${outcome}`)] };
  };

  /** An RM learns the outcome. */
  const learn = (ctx: C, node: Node, outcome: 'commit' | 'abort'): R_ => {
    const d = node.durable;
    if (d.role !== 'rm') return node;
    const target: RMState = outcome === 'commit' ? 'committed' : 'aborted';
    // Commit only reaches a prepared RM; abort may reach a working one.
    if (d.state === target || d.state === 'committed' || d.state === 'aborted' || (outcome === 'commit' && d.state !== 'prepared')) return node;
    return {
      durable: { role: 'rm', state: target, led: d.led },
      volatile: node.volatile,
      effects: [ctx.cancelTimer('takeover'), ctx.ghost((g) => ({ history: recordHistory(g.history, outcome === 'commit' ? 'commits' : 'aborts', ctx.self), accepted: g.accepted }))],
    };
  };

  // ---- the coordinator: learner of ballot 0

  const stepCoordinator = (ctx: C, node: Node, msg: PCMsg, from: NodeId): R_ => {
    const v = node.volatile as Extract<PCVolatile, { role: 'coordinator' }>;
    if (msg.type !== 'Phase2b0' || v.done) return node;
        const i = msg.ins - 1;
    const prepared = msg.val === 'prepared' ? v.prepared.map((x, k) => (k === i ? addNode(x, from) : x)) : v.prepared;
    const aborted = msg.val === 'aborted' ? v.aborted.map((x, k) => (k === i ? addNode(x, from) : x)) : v.aborted;
    const next: Node = { durable: node.durable, volatile: { role: 'coordinator', prepared, aborted, done: false } };
    // An instance's value is chosen once a majority accepted it in ballot 0. Commit needs every
    // instance chosen `prepared`; one instance chosen `aborted` settles abort.
    if (aborted.some((x) => popcount(x) >= quorum)) return announce(ctx, next, 'abort');
    if (prepared.every((x) => popcount(x) >= quorum)) return announce(ctx, next, 'commit');
    return next;
  };

  // ---- an acceptor

  const stepAcceptor = (ctx: C, node: Node, msg: PCMsg, from: NodeId): R_ => {
    const d = node.durable as Extract<PCDurable, { role: 'acceptor' }>;
    const accept = (g: PCGhost, ins: number, bal: number, val: PCVal): PCGhost => {
      const k = acceptedIndex(R, ins, bal, val);
      const accepted = g.accepted.slice();
      accepted[k] = addNode(accepted[k]!, ctx.self);
      return { history: g.history, accepted };
    };
    switch (msg.type) {
      case 'Phase2a0': {
        // Ballot 0 is the RM's own: accept unless a higher ballot was promised.
        if (d.mbal > 0) return node;
        const votes = d.votes.map((x, k) => (k === msg.ins - 1 ? { bal: 0, val: msg.val } : x));
        return {
          durable: { role: 'acceptor', mbal: 0, votes },
          volatile: node.volatile,
          effects: [ctx.send(PC_COORDINATOR, { type: 'Phase2b0', ins: msg.ins, val: msg.val }), ctx.ghost((g) => accept(g, msg.ins, 0, msg.val))],
        };
      }
      case 'Phase1a':
        if (msg.bal <= d.mbal) return node;
        return { durable: { role: 'acceptor', mbal: msg.bal, votes: d.votes }, volatile: node.volatile, effects: [ctx.send(from, { type: 'Phase1b', bal: msg.bal, votes: d.votes })] };
      case 'Phase2a': {
        if (msg.bal < d.mbal) return node;
        const votes = msg.vals.map((val): PCVote => ({ bal: msg.bal, val }));
        return {
          durable: { role: 'acceptor', mbal: msg.bal, votes },
          volatile: node.volatile,
          effects: [ctx.send(from, { type: 'Phase2b', bal: msg.bal }), ctx.ghost((g) => msg.vals.reduce((h, val, k) => accept(h, k + 1, msg.bal, val), g))],
        };
      }
      case 'Phase2b0':
      case 'Phase1b':
      case 'Phase2b':
      case 'Commit':
      case 'Abort':
        return node;
      default:
        return assertNever(msg);
    }
  };

  // ---- an RM: votes, learns the outcome, and may lead its own ballot

  const stepRm = (ctx: C, node: Node, msg: PCMsg, from: NodeId): R_ => {
    const v = node.volatile as Extract<PCVolatile, { role: 'rm' }>;
    const bal = rmIndex(ctx.self);
    switch (msg.type) {
      case 'Commit':
        return learn(ctx, node, 'commit');
      case 'Abort':
        return learn(ctx, node, 'abort');
      case 'Phase1b': {
        if (v.phase !== 'p1' || msg.bal !== bal) return node;
        const got = addNode(v.got, from);
        const best = v.best.map((x, k) => (msg.votes[k]!.bal > x.bal ? msg.votes[k]! : x));
        if (popcount(got) < quorum) return { durable: node.durable, volatile: { role: 'rm', phase: 'p1', got, best } };
        // Phase 2: a majority has promised. Per instance, propose the value of the highest
        // ballot any of them accepted (it may have been chosen), or `aborted` if none did
        // (then no value was chosen: a choosing majority would intersect this one).
        const vals = best.map((x): PCVal => (x.val === 'none' ? 'aborted' : x.val));
        return { durable: node.durable, volatile: { role: 'rm', phase: 'p2', got: 0, best }, effects: accs.map((id) => ctx.send(id, { type: 'Phase2a', bal, vals })) };
      }
      case 'Phase2b': {
        if (v.phase !== 'p2' || msg.bal !== bal) return node;
        const got = addNode(v.got, from);
        if (popcount(got) < quorum) return { durable: node.durable, volatile: { role: 'rm', phase: 'p2', got, best: v.best } };
        // Every instance's proposal is chosen in this ballot.
        const vals = v.best.map((x): PCVal => (x.val === 'none' ? 'aborted' : x.val));
        return announce(ctx, node, vals.every((x) => x === 'prepared') ? 'commit' : 'abort');
      }
      case 'Phase2a0':
      case 'Phase2b0':
      case 'Phase1a':
      case 'Phase2a':
        return node;
      default:
        return assertNever(msg);
    }
  };

  /**
   * A backup RM takes over: if it knows the outcome it tells the other RMs; otherwise it logs
   * that it leads its ballot, then runs phase 1 (or, with the bug, goes straight to phase 2).
   */
  const takeOver = (ctx: C, node: Node): R_ => {
    const d = node.durable;
    if (d.role !== 'rm' || d.led) return node;
    if (d.state === 'committed' || d.state === 'aborted') return announce(ctx, node, d.state === 'committed' ? 'commit' : 'abort');
    const bal = rmIndex(ctx.self);
    const durable: PCDurable = { role: 'rm', state: d.state, led: true };
    if (!runPhase1) {
      const vals: PCVal[] = Array.from({ length: R }, () => 'aborted');
      return { durable, volatile: { role: 'rm', phase: 'p2', got: 0, best: vals.map((val) => ({ bal, val })) }, effects: [...accs.map((id) => ctx.send(id, { type: 'Phase2a', bal, vals })), ctx.note(`leads ballot ${bal}`)] };
    }
    return { durable, volatile: { role: 'rm', phase: 'p1', got: 0, best: noVotes }, effects: [...accs.map((id) => ctx.send(id, { type: 'Phase1a', bal })), ctx.note(`leads ballot ${bal}`)] };
  };

  /** An RM votes in its own instance, ballot 0. */
  const vote = (ctx: C, node: Node, val: PCVal): R_ => {
    const d = node.durable as Extract<PCDurable, { role: 'rm' }>;
    const k = rmIndex(ctx.self);
    const field = val === 'prepared' ? 'yes' : 'aborts';
    return {
      durable: { role: 'rm', state: val, led: d.led },
      volatile: node.volatile,
      effects: [
        ...accs.map((id) => ctx.send(id, { type: 'Phase2a0', ins: k, val })),
        ctx.ghost((g) => ({ history: recordHistory(g.history, field, ctx.self), accepted: g.accepted })),
      ],
    };
  };

  return defineProtocol<PCTypes>({
    name: 'paxoscommit',
    roles: {
      coordinator: { count: 1, prefix: 'c', crashes: opts.coordinatorCrashes ?? true },
      rm: { count: R, prefix: 'r', crashes: opts.rmCrashes ?? false, symmetric: false },
      acceptor: { count: A, prefix: 'a', maxDown: opts.faultyAcceptors ?? 1 },
    },
    timers: ['takeover'],
    // A backup RM's takeover timer: the failure detector suspects the coordinator.
    ...(opts.spuriousTimeouts ? {} : { detector: { takeover: () => WATCH_COORDINATOR } }),
    schema: paxosCommitSchema(R),
    // Acceptors are interchangeable (RMs are not: each owns its instance and its ballot); the
    // renaming is derived from the schema.
    symmetry: {},
    initGhost: { history: NO_HISTORY, accepted: Array.from({ length: R * (R + 1) * 2 }, () => 0) },
    init(ctx) {
      if (ctx.self === PC_COORDINATOR) return { durable: { role: 'coordinator' }, volatile: COORD_IDLE };
      // A backup RM watches the coordinator from the start, whatever its own vote.
      if (ctx.self <= R + 1) return { durable: { role: 'rm', state: 'working', led: false }, volatile: RM_IDLE, effects: isBackup(ctx.self) ? [ctx.setTimer('takeover')] : [] };
      return { durable: { role: 'acceptor', mbal: 0, votes: noVotes }, volatile: { role: 'acceptor' } };
    },
    onRestart(ctx, durable) {
      switch (durable.role) {
        case 'coordinator':
          // The coordinator logs nothing: what it learned is gone (other leaders can finish).
          return { durable, volatile: COORD_IDLE };
        case 'rm':
          // An undecided prepared RM may still lead, unless it already used its ballot.
          return { durable, volatile: RM_IDLE, effects: isBackup(ctx.self) && !durable.led ? [ctx.setTimer('takeover')] : [] };
        case 'acceptor':
          return { durable, volatile: { role: 'acceptor' } };
        default:
          return assertNever(durable);
      }
    },
    onMessage(ctx, node, msg, from) {
      switch (node.durable.role) {
        case 'coordinator':
          return stepCoordinator(ctx, node, msg, from);
        case 'rm':
          return stepRm(ctx, node, msg, from);
        case 'acceptor':
          return stepAcceptor(ctx, node, msg, from);
        default:
          return assertNever(node.durable);
      }
    },
    onTimer: (ctx, node) => takeOver(ctx, node),
    localActions: (_ctx, node) => (node.durable.role === 'rm' && node.durable.state === 'working' ? ['prepare', 'abort'] : []),
    onLocal: (ctx, node, action) => vote(ctx, node, action === 'prepare' ? 'prepared' : 'aborted'),
  });
}

/** Paxos Commit with a known bug. */
export function buggyPaxosCommit(L: PCLayout, bug: PCBug, opts: PCOptions = {}): Protocol<PCTypes> {
  switch (bug) {
    case 'none':
      return paxosCommitProtocol(L, opts);
    case 'skip-phase1':
      return paxosCommitProtocol(L, { ...opts, phase1: false });
    default:
      return assertNever(bug);
  }
}
