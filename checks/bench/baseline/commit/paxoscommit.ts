// Bench-only baseline: the code before the commit protocols' issue-13 port (commit 30f78e9), kept to measure the port side by side (`npm run bench -- port`). Not used by any model.
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
 */
import { assertNever, bool, defineModel, InputError, int, type Witness } from '../../../../impl/core/machine.ts';
import type { Encoder } from '../../../../impl/core/encode.ts';
import { envMachine, type EnvMachine } from '../../../../impl/env/machine.ts';
import { defineProtocol, type Ctx, type EnvAction, type EnvState, type NodeId, type Protocol, type Reaction } from '../../../../impl/env/types.ts';
import type { EnvConfig } from '../../../../impl/env/config.ts';
import { rmName, type RMState } from '../../../../specs/tcommit.ts';
import {
  atomicity,
  NO_HISTORY,
  recordHistory,
  commitWitnesses,
  refinesTCommit,
  validity,
  type CommitHistory,
} from './properties.ts';
import { commitEnvConfig, commitEnvParams, renameBits, RM_CODE } from './common.ts';

/** A vote value. */
export type PCVal = 'prepared' | 'aborted';
/** An acceptor's vote in one instance: `bal = -1` (and `val = none`) when it has none. */
export interface PCVote {
  readonly bal: number;
  readonly val: PCVal | 'none';
}

/** What a node logs. */
export type PCDurable =
  | { readonly role: 'coordinator' }
  | { readonly role: 'rm'; readonly state: RMState; readonly led: boolean }
  | { readonly role: 'acceptor'; readonly mbal: number; readonly votes: readonly PCVote[] };

/**
 * What a crash loses. The coordinator: per instance, the acceptors whose `Phase2b0` it holds
 * for `prepared` and for `aborted`. An RM leading its ballot: its phase, the acceptors that
 * answered this phase, and per instance the highest-ballot vote reported so far.
 */
export type PCVolatile =
  | { readonly role: 'coordinator'; readonly prepared: readonly number[]; readonly aborted: readonly number[]; readonly done: boolean }
  | { readonly role: 'rm'; readonly phase: 'idle' | 'p1' | 'p2' | 'done'; readonly got: number; readonly best: readonly PCVote[] }
  | { readonly role: 'acceptor' };

/** Paxos Commit's messages. Ballot-0 messages carry one instance; a leader's carry them all. */
export type PCMsg =
  | { readonly type: 'Phase2a0'; readonly ins: number; readonly val: PCVal }
  | { readonly type: 'Phase2b0'; readonly ins: number; readonly val: PCVal }
  | { readonly type: 'Phase1a'; readonly bal: number }
  | { readonly type: 'Phase1b'; readonly bal: number; readonly votes: readonly PCVote[] }
  | { readonly type: 'Phase2a'; readonly bal: number; readonly vals: readonly PCVal[] }
  | { readonly type: 'Phase2b'; readonly bal: number }
  | { readonly type: 'Commit' }
  | { readonly type: 'Abort' };

/**
 * The ghost record: the commit history, and every acceptance ever made:
 * `accepted[((ins - 1) * (R + 1) + bal) * 2 + (val === 'aborted' ? 1 : 0)]` is the set of
 * acceptors (bit j-1: acceptor j) that accepted `val` in ballot `bal` of instance `ins`.
 */
export interface PCGhost {
  readonly history: CommitHistory;
  readonly accepted: readonly number[];
}

/** Paxos Commit's types, for the environment. */
export interface PCTypes {
  readonly durable: PCDurable;
  readonly volatile: PCVolatile;
  readonly msg: PCMsg;
  readonly timer: 'takeover';
  readonly local: 'prepare' | 'abort';
  readonly ghost: PCGhost;
}

/** Paxos Commit's state in the environment. */
export type PCEnvState = EnvState<PCTypes>;
/** Paxos Commit's actions in the environment. */
export type PCEnvAction = EnvAction<PCTypes>;

/** The known-bug variants. */
export const PAXOSCOMMIT_BUGS = {
  'skip-phase1': {
    doc: 'a recovering leader skips phase 1 and proposes aborted for every instance, ignoring values that may already be chosen',
    breaks: ['paxos-agreement', 'atomicity', 'refines-tcommit'],
  },
} as const;
/** A known-bug variant's name, or none. */
export type PCBug = keyof typeof PAXOSCOMMIT_BUGS | 'none';

/** The coordinator's node id. */
export const PC_COORDINATOR: NodeId = 1;

/** The node layout of R RMs and A acceptors. */
export interface PCLayout {
  readonly rms: number;
  readonly acceptors: number;
}
const rmNode = (k: number): NodeId => k + 1;
const rmIndex = (id: NodeId): number => id - 1;
const accNode = (L: PCLayout, j: number): NodeId => L.rms + 1 + j;
const accIndex = (L: PCLayout, id: NodeId): number => id - L.rms - 1;
const NO_VOTE: PCVote = { bal: -1, val: 'none' };
const VAL_CODE = { none: 0, prepared: 1, aborted: 2 } as const;
const voteCode = (v: PCVote): number => (v.bal + 1) * 4 + VAL_CODE[v.val];
const MSG_CODE: Readonly<Record<PCMsg['type'], number>> = { Phase2a0: 0, Phase2b0: 1, Phase1a: 2, Phase1b: 3, Phase2a: 4, Phase2b: 5, Commit: 6, Abort: 7 };
const popcount = (x: number): number => {
  let c = 0;
  for (; x !== 0; x &= x - 1) c++;
  return c;
};
const acceptedIndex = (R: number, ins: number, bal: number, val: PCVal): number => ((ins - 1) * (R + 1) + bal) * 2 + (val === 'aborted' ? 1 : 0);

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
      effects: [ctx.cancelTimer('takeover'), ctx.ghost((g) => ({ history: recordHistory(g.history, outcome === 'commit' ? 'commits' : 'aborts', rmIndex(ctx.self)), accepted: g.accepted }))],
    };
  };

  // ---- the coordinator: learner of ballot 0

  const stepCoordinator = (ctx: C, node: Node, msg: PCMsg, from: NodeId): R_ => {
    const v = node.volatile as Extract<PCVolatile, { role: 'coordinator' }>;
    if (msg.type !== 'Phase2b0' || v.done) return node;
    const b = 1 << (accIndex(L, from) - 1);
    const i = msg.ins - 1;
    const prepared = msg.val === 'prepared' ? v.prepared.map((x, k) => (k === i ? x | b : x)) : v.prepared;
    const aborted = msg.val === 'aborted' ? v.aborted.map((x, k) => (k === i ? x | b : x)) : v.aborted;
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
    const me = accIndex(L, ctx.self);
    const accept = (g: PCGhost, ins: number, bal: number, val: PCVal): PCGhost => {
      const k = acceptedIndex(R, ins, bal, val);
      const accepted = g.accepted.slice();
      accepted[k] = accepted[k]! | (1 << (me - 1));
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
        const got = v.got | (1 << (accIndex(L, from) - 1));
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
        const got = v.got | (1 << (accIndex(L, from) - 1));
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
        ctx.ghost((g) => ({ history: recordHistory(g.history, field, k), accepted: g.accepted })),
      ],
    };
  };

  const encodeVotes = (votes: readonly PCVote[], out: Encoder): void => {
    let w = 0;
    for (let k = 0; k < votes.length; k++) w |= voteCode(votes[k]!) << (5 * k);
    out.int(w);
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
    encodeDurable(d, out) {
      switch (d.role) {
        case 'coordinator':
          out.int(0);
          return;
        case 'rm':
          out.int(1 + RM_CODE[d.state] * 2 + (d.led ? 1 : 0));
          return;
        case 'acceptor':
          out.int(16 + d.mbal);
          encodeVotes(d.votes, out);
          return;
        default:
          assertNever(d);
      }
    },
    encodeVolatile(v, out) {
      switch (v.role) {
        case 'coordinator':
          out.int(v.done ? 1 : 0);
          for (let k = 0; k < v.prepared.length; k++) out.int((v.prepared[k]! << 8) | v.aborted[k]!);
          return;
        case 'rm':
          out.int({ idle: 0, p1: 1, p2: 2, done: 3 }[v.phase] | (v.got << 2));
          encodeVotes(v.best, out);
          return;
        case 'acceptor':
          out.int(0);
          return;
        default:
          assertNever(v);
      }
    },
    encodeMessage(m, out) {
      switch (m.type) {
        case 'Phase2a0':
        case 'Phase2b0':
          out.int(MSG_CODE[m.type] | (m.ins << 4) | (VAL_CODE[m.val] << 12));
          return;
        case 'Phase1a':
        case 'Phase2b':
          out.int(MSG_CODE[m.type] | (m.bal << 4));
          return;
        case 'Phase1b':
          out.int(MSG_CODE[m.type] | (m.bal << 4));
          encodeVotes(m.votes, out);
          return;
        case 'Phase2a': {
          let w = MSG_CODE[m.type] | (m.bal << 4);
          m.vals.forEach((val, k) => (w |= VAL_CODE[val] << (12 + 2 * k)));
          out.int(w);
          return;
        }
        case 'Commit':
        case 'Abort':
          out.int(MSG_CODE[m.type]);
          return;
        default:
          assertNever(m);
      }
    },
    encodeGhost(g, out) {
      out.int(g.history.yes);
      out.int(g.history.commits);
      out.int(g.history.aborts);
      for (const x of g.accepted) out.int(x);
    },
    formatMessage(m) {
      const show = (v: PCVote) => (v.bal < 0 ? '-' : `${v.bal}:${v.val}`);
      switch (m.type) {
        case 'Phase2a0':
        case 'Phase2b0':
          return `${m.type}(${rmName(m.ins)}, ${m.val})`;
        case 'Phase1a':
        case 'Phase2b':
          return `${m.type}(bal ${m.bal})`;
        case 'Phase1b':
          return `Phase1b(bal ${m.bal}, ${m.votes.map(show).join(' ')})`;
        case 'Phase2a':
          return `Phase2a(bal ${m.bal}, ${m.vals.join(' ')})`;
        case 'Commit':
        case 'Abort':
          return m.type;
        default:
          return assertNever(m);
      }
    },
    viewDurable(d) {
      switch (d.role) {
        case 'coordinator':
          return { role: 'coordinator' };
        case 'rm':
          return { state: d.state, ...(d.led ? { led: true } : {}) };
        case 'acceptor':
          return { mbal: d.mbal, votes: Object.fromEntries(d.votes.map((v, k) => [rmName(k + 1), v.bal < 0 ? 'none' : `${v.val}@${v.bal}`])) };
        default:
          return assertNever(d);
      }
    },
    viewGhost: (g) => ({
      yes: g.history.yes,
      commits: g.history.commits,
      aborts: g.history.aborts,
    }),
    // Acceptors are interchangeable (RMs are not: each owns its instance and its ballot).
    symmetry: {
      renameVolatile: (v, f) => {
        switch (v.role) {
          case 'coordinator':
            return { role: 'coordinator', prepared: v.prepared.map((x) => renameBits(x, R + 2, f)), aborted: v.aborted.map((x) => renameBits(x, R + 2, f)), done: v.done };
          case 'rm':
            return v.got === 0 ? v : { role: 'rm', phase: v.phase, got: renameBits(v.got, R + 2, f), best: v.best };
          case 'acceptor':
            return v;
          default:
            return assertNever(v);
        }
      },
      renameGhost: (g, f) => ({ history: g.history, accepted: g.accepted.map((x) => renameBits(x, R + 2, f)) }),
      signature: (node) => (node.durable.role === 'acceptor' ? node.durable.mbal * 1024 + node.durable.votes.reduce((w, x, k) => w | (voteCode(x) << (5 * k)), 0) : 0),
    },
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

// ---------------------------------------------------------------------------------------------
// Observations, checks and the machine

/** RM k's state (k is 1-based: node k+1). */
export function pcRmState(s: PCEnvState, k: number): RMState {
  const d = s.nodes[rmNode(k) - 1]!.durable;
  return d.role === 'rm' ? d.state : 'working';
}

/** Every RM's state, as TCommit's `rmState`. */
export function pcRmStates(s: PCEnvState, R: number): RMState[] {
  return Array.from({ length: R }, (_, i) => pcRmState(s, i + 1));
}

/** Every running RM has decided: the goal of the bounded-liveness check. */
export function pcAllDecided(s: PCEnvState, R: number): boolean {
  for (let k = 1; k <= R; k++) {
    if (!s.nodes[rmNode(k) - 1]!.up) continue;
    const x = pcRmState(s, k);
    if (x !== 'committed' && x !== 'aborted') return false;
  }
  return true;
}

/** The values chosen in instance `ins` (accepted by a majority in some ballot), as a set. */
export function chosenValues(s: PCEnvState, L: PCLayout, ins: number): PCVal[] {
  const quorum = Math.floor(L.acceptors / 2) + 1;
  const out = new Set<PCVal>();
  for (let bal = 0; bal <= L.rms; bal++) {
    for (const val of ['prepared', 'aborted'] as const) if (popcount(s.ghost.accepted[acceptedIndex(L.rms, ins, bal, val)]!) >= quorum) out.add(val);
  }
  return [...out];
}

/** The fault actions, for the bounded-liveness check. */
export function pcIsFault(a: PCEnvAction): boolean {
  return a.type === 'crash' || a.type === 'restart' || a.type === 'drop' || a.type === 'duplicate' || a.type === 'partition';
}

/** Options of {@link makePaxosCommit}. */
export interface MakePaxosCommitOptions {
  readonly bug?: PCBug;
  /** How many acceptors may be down at once (default 1); any of them may crash. */
  readonly faultyAcceptors?: number;
  /** The coordinator may crash (default true). */
  readonly coordinatorCrashes?: boolean;
  /** RMs may crash (default false). */
  readonly rmCrashes?: boolean;
  /** An RM's takeover timer may fire while the coordinator is up and reachable (default false). */
  readonly spuriousTimeouts?: boolean;
  /** How many RMs (the first ones) may lead a ballot when the coordinator fails (default 1). */
  readonly backups?: number;
  /**
   * How many acceptors are already down in the initial state (default: the configuration's
   * `initiallyDown`, else 0; the environment takes the last acceptors).
   * Each counts against the crash budget and against `faultyAcceptors`.
   */
  readonly initiallyDown?: number;
}

/** The Paxos Commit machine for `rms` RMs and `acceptors` acceptors in an environment configuration. */
export function makePaxosCommit(rms: number, acceptors: number, config: Partial<EnvConfig> = {}, opts: MakePaxosCommitOptions = {}): EnvMachine<PCTypes> {
  const L: PCLayout = { rms, acceptors };
  const faulty = opts.faultyAcceptors ?? 1;
  if (faulty > acceptors) throw new InputError(`faultyAcceptors (${faulty}) cannot exceed acceptors (${acceptors})`);
  const backups = opts.backups ?? 1;
  if (backups > rms) throw new InputError(`backups (${backups}) cannot exceed rms (${rms})`);
  const initiallyDown = opts.initiallyDown ?? config.initiallyDown ?? 0;
  if (initiallyDown > faulty) throw new InputError(`initiallyDown (${initiallyDown}) cannot exceed faultyAcceptors (${faulty})`);
  if (initiallyDown > (config.crashes ?? 0) || initiallyDown > (config.maxDown ?? 1)) throw new InputError(`initiallyDown (${initiallyDown}) needs a crash budget and maxDown of at least ${initiallyDown}`);
  const name = rmName;
  const history = (s: PCEnvState) => s.ghost.history;
  const witnesses: Witness<PCEnvState>[] = [
    ...commitWitnesses(history, rms),
    {
      name: 'decided-without-coordinator',
      symmetric: true,
      doc: 'the coordinator is down and every running RM has decided: another leader finished the transaction',
      check: (s) => !s.nodes[0]!.up && pcAllDecided(s, rms) && s.ghost.history.yes !== 0,
    },
    {
      name: 'higher-ballot-chosen',
      symmetric: true,
      doc: 'a value is chosen in a ballot above 0',
      check: (s) => s.ghost.accepted.some((x, i) => Math.floor(i / 2) % (rms + 1) !== 0 && popcount(x) >= Math.floor(acceptors / 2) + 1),
    },
  ];
  const protocol = buggyPaxosCommit(L, opts.bug ?? 'none', {
    backups,
    faultyAcceptors: faulty,
    coordinatorCrashes: opts.coordinatorCrashes ?? true,
    rmCrashes: opts.rmCrashes ?? false,
    spuriousTimeouts: opts.spuriousTimeouts ?? false,
  });
  // Initially-down acceptors are the environment's: the last nodes that may crash are acceptors.
  return envMachine(protocol, { ...commitEnvConfig(config, 1 + rms + acceptors), initiallyDown }, {
    name: 'paxoscommit',
    invariants: [
      atomicity(history, rms, name),
      validity(history, rms, name),
      {
        name: 'paxos-agreement',
        symmetric: true,
        doc: 'in every instance, at most one value is ever chosen (accepted by a majority in some ballot)',
        check(s) {
          for (let ins = 1; ins <= rms; ins++) {
            const vs = chosenValues(s, L, ins);
            if (vs.length > 1) return `instance ${rmName(ins)} chose both ${vs.join(' and ')}`;
          }
          return true;
        },
      },
    ],
    properties: [refinesTCommit<PCEnvState, PCEnvAction>(rms, (s) => pcRmStates(s, rms))],
    sometimes: witnesses,
    isTerminal: (s) => pcAllDecided(s, rms),
  });
}

/** The Paxos Commit registry entry. */
export const paxosCommitModel = defineModel({
  name: 'paxoscommit',
  doc: 'Paxos Commit (Gray & Lamport 2006) with crashes: per-RM Paxos instances over acceptors, RMs take over when the coordinator fails; refines TCommit',
  params: {
    rms: int(2, 1, 3, 'number of resource managers (nodes n2..); the coordinator is n1'),
    acceptors: int(3, 1, 5, 'number of acceptors (the nodes after the RMs)'),
    faultyAcceptors: int(1, 0, 5, 'how many acceptors may be down at once (any of them may crash)'),
    coordinatorCrashes: bool(true, 'the coordinator may crash'),
    rmCrashes: bool(false, 'resource managers may crash'),
    backups: int(1, 1, 3, 'how many RMs (the first ones) may lead a ballot when the coordinator fails'),
    spuriousTimeouts: bool(false, 'the takeover timer is a plain timer that may fire any time (false: a failure-detector timeout on the coordinator, see detector)'),
    // initiallyDown (default 1) is the environment's: acceptors down from the start, each a crash spent.
    ...commitEnvParams(paxosCommitProtocol({ rms: 2, acceptors: 3 }), { crashes: 2, maxDown: 2, restarts: false, symmetry: true, initiallyDown: 1 }),
  },
  bugs: PAXOSCOMMIT_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { rms: [2, 3], acceptors: [3, 5], coordinatorCrashes: [true, false], rmCrashes: [false, true], spuriousTimeouts: [false, true], delivery: ['multiset', 'fifo'], crashes: [1, 3], maxDown: [1, 2], drops: [0, 2], duplicates: [0, 1] },
  build: (p) =>
    makePaxosCommit(p.rms, p.acceptors, p, {
      bug: p.bug,
      faultyAcceptors: p.faultyAcceptors,
      coordinatorCrashes: p.coordinatorCrashes,
      rmCrashes: p.rmCrashes,
      spuriousTimeouts: p.spuriousTimeouts,
      backups: p.backups,
    }),
});
