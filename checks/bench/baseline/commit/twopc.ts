// Bench-only baseline: the code before the commit protocols' issue-13 port (commit b84bd5c), kept to measure the port side by side (`npm run bench -- port`). Not used by any model.
/**
 * Two-Phase Commit as it runs: a coordinator and N participants exchanging messages over the
 * shared environment's network, crashing, timing out and recovering from their logs.
 *
 * Sources: J. Gray, "Notes on Data Base Operating Systems" (1978), section 5.8.3.3 (the
 * two-phase commit protocol); P. Bernstein, V. Hadzilacos and N. Goodman, "Concurrency Control
 * and Recovery in Database Systems" (1987), chapter 7: section 7.3 (2PC, its timeout actions
 * and the cooperative termination protocol), section 7.4 (recovery from the DT log). As in
 * Gray and Lamport's TwoPhase.tla, participants vote spontaneously (the coordinator's
 * "VOTE-REQ" is left out: it only says "you may vote now").
 *
 * Roles: the coordinator `c1` is node 1; participants `p1`..`pN` are nodes 2..N+1 ("participant
 * i" is node i+1).
 *
 * - A participant votes yes by **logging its vote** (durable state `prepared`) and only then
 *   sending `Yes`; it may instead abort unilaterally while it has not voted (it logs `aborted`
 *   and sends `No`). Once it voted yes it is *uncertain*: it must wait for the decision.
 * - The coordinator commits when it holds a `Yes` from every participant, aborts on a `No` or
 *   when its vote timer fires. It **logs the decision before announcing it** (durable
 *   `decision`), then sends `Commit` or `Abort` to every participant.
 * - **Timeouts**: the coordinator's `vote-timeout` aborts an undecided transaction; an uncertain
 *   participant's `decision-timeout` starts the **cooperative termination protocol**: it asks
 *   the coordinator and every other participant (`DecisionReq`). A node that knows the outcome
 *   answers with it; a participant that has not voted aborts unilaterally and answers `Abort`;
 *   an uncertain one cannot help. Each timer fires once per incarnation (bounded state space).
 * - **Recovery** (BHG 7.4): a restarted coordinator with no decision in its log aborts (no
 *   participant can have committed: commit is only ever announced after it is logged); one with
 *   a logged decision answers requests with it. A restarted participant that is uncertain runs
 *   the termination protocol again; a decided one answers requests. Messages in flight survive
 *   crashes (the environment's network), which plays the role of a retransmitting transport.
 *
 * A participant's decision timer is a failure-detector timeout on the coordinator (the
 * environment's `detector`): with the default `perfect` detector it fires only while the
 * coordinator is down or cut off from it; `eventually-perfect` and `unreliable` add false
 * suspicions within the `falseSuspicions` budget. 2PC's safety does not depend on timeouts, and
 * spurious ones only add requests; `spuriousTimeouts=true` makes the decision timer a plain
 * timer (it may fire at any time, unboundedly), for small configurations. `crashTargets`
 * restricts which roles may crash (the benchmark crashes only the coordinator).
 *
 * 2PC blocks: if the coordinator crashes after every participant voted yes and before any of
 * them learned the decision, no participant can commit or abort until the coordinator
 * recovers (the `coordinator-blocks` witness; `checks/protocols/commit-2pc.test.ts` shows it
 * with the bounded-liveness check of `specs/liveness.ts`).
 */
import { assertNever, bool, defineModel, int, oneOf, type Witness } from '../../../../impl/core/machine.ts';
import type { Encoder } from '../../../../impl/core/encode.ts';
import { envMachine, type EnvMachine } from '../../../../impl/env/machine.ts';
import { defineProtocol, type Ctx, type EnvAction, type EnvState, type NodeId, type Protocol, type Reaction } from '../../../../impl/env/types.ts';
import type { EnvConfig } from '../../../../impl/env/config.ts';
import type { RMState } from '../../../../specs/tcommit.ts';
import {
  atomicity,
  commitWitnesses,
  NO_HISTORY,
  recordHistory,
  refinesTCommit,
  validity,
  type CommitHistory,
} from './properties.ts';
import { commitEnvConfig, commitEnvParams, OUTCOME_CODE, renameBits, RM_CODE, type Outcome } from './common.ts';

/** What a node keeps in its log (survives a crash). A participant's log is its TCommit state. */
export type TwoPCDurable =
  | { readonly role: 'coordinator'; readonly decision: Outcome }
  | { readonly role: 'participant'; readonly state: RMState };

/**
 * What a crash loses. The coordinator's `Yes` votes received (bit i-1: participant i), and a
 * decision announced but not yet logged (only the `announce-before-log` bug has one).
 */
export interface TwoPCVolatile {
  readonly votes: number;
  readonly unlogged: Outcome;
}

/** 2PC's messages. */
export type TwoPCMsg =
  | { readonly type: 'Yes' }
  | { readonly type: 'No' }
  | { readonly type: 'Commit' }
  | { readonly type: 'Abort' }
  | { readonly type: 'DecisionReq' };

/** Spontaneous steps: a participant votes or aborts; the buggy coordinator forces its log. */
export type TwoPCLocal = 'vote-yes' | 'abort' | 'force-log';

/** 2PC's types, for the environment. */
export interface TwoPCTypes {
  readonly durable: TwoPCDurable;
  readonly volatile: TwoPCVolatile;
  readonly msg: TwoPCMsg;
  readonly timer: 'vote-timeout' | 'decision-timeout';
  readonly local: TwoPCLocal;
  readonly ghost: CommitHistory;
}

/** 2PC's state in the environment. */
export type TwoPCState = EnvState<TwoPCTypes>;
/** 2PC's actions in the environment. */
export type TwoPCAction = EnvAction<TwoPCTypes>;

/** The known-bug variants. */
export const TWOPC_BUGS = {
  'abort-after-yes': {
    doc: 'a participant aborts unilaterally after voting yes',
    breaks: ['atomicity', 'refines-tcommit'],
  },
  'commit-on-timeout': {
    doc: 'the coordinator decides commit (not abort) when its vote timer fires',
    breaks: ['atomicity', 'validity', 'refines-tcommit'],
  },
  'announce-before-log': {
    doc: 'the coordinator announces its decision before logging it; after a crash it recovers with no decision and aborts',
    breaks: ['atomicity', 'refines-tcommit'],
  },
  'forget-vote': {
    doc: 'a participant recovering from a crash forgets its yes vote (it is working again, free to abort)',
    breaks: ['atomicity', 'refines-tcommit'],
  },
} as const;
/** A known-bug variant's name, or none. */
export type TwoPCBug = keyof typeof TWOPC_BUGS | 'none';

/** The coordinator's node id. */
export const COORDINATOR: NodeId = 1;

const IDLE: TwoPCVolatile = { votes: 0, unlogged: 'none' };
const MSG_CODE: Readonly<Record<TwoPCMsg['type'], number>> = { Yes: 0, No: 1, Commit: 2, Abort: 3, DecisionReq: 4 };
const decisionMsg = (o: 'commit' | 'abort'): TwoPCMsg => (o === 'commit' ? { type: 'Commit' } : { type: 'Abort' });
/** Participant `id`'s bit in bitsets (participant i is node i+1, bit i-1). */
const bit = (id: NodeId): number => 1 << (id - 2);
const participantOf = (id: NodeId): number => id - 1;

type Node = { readonly durable: TwoPCDurable; readonly volatile: TwoPCVolatile };
type Coord = { readonly durable: Extract<TwoPCDurable, { role: 'coordinator' }>; readonly volatile: TwoPCVolatile };
type Part = { readonly durable: Extract<TwoPCDurable, { role: 'participant' }>; readonly volatile: TwoPCVolatile };
type R = Reaction<TwoPCTypes>;
type C = Ctx<TwoPCTypes>;

/** Options of the protocol factory: the flags a known bug flips, and the environment's shape. */
export interface TwoPCOptions {
  /** Log the decision before announcing it (default true; false is `announce-before-log`). */
  readonly logBeforeAnnounce?: boolean;
  /** Which roles may crash: any (default), only the coordinator, or only participants. */
  readonly crashTargets?: 'any' | 'coordinator' | 'participants';
  /** The decision timer is a plain timer, not a failure-detector timeout on the coordinator (default false). */
  readonly spuriousTimeouts?: boolean;
}

const WATCH_COORDINATOR: readonly NodeId[] = [1];

/** The correct 2PC protocol for `participants` participants (with `logBeforeAnnounce: false`, the `announce-before-log` bug). */
export function twoPCProtocol(participants: number, opts: TwoPCOptions = {}): Protocol<TwoPCTypes> {
  const logFirst = opts.logBeforeAnnounce ?? true;
  const targets = opts.crashTargets ?? 'any';

  // ---- the coordinator

  /** Decide `o`: log it (durable), then announce it to every participant. */
  const decide = (ctx: C, node: Coord, o: 'commit' | 'abort'): R => {
    const effects = [ctx.broadcast(decisionMsg(o)), ctx.cancelTimer('vote-timeout'), ctx.note(`decides ${o}`)];
    if (logFirst) return { durable: { role: 'coordinator', decision: o }, volatile: { votes: node.volatile.votes, unlogged: 'none' }, effects };
    // announce-before-log: the decision is only in volatile memory until `force-log`.
    return { durable: node.durable, volatile: { votes: node.volatile.votes, unlogged: o }, effects };
  };
  const undecided = (node: Coord): boolean => node.durable.decision === 'none' && node.volatile.unlogged === 'none';

  const stepCoordinator = (ctx: C, node: Coord, msg: TwoPCMsg, from: NodeId): R => {
    switch (msg.type) {
      case 'Yes': {
        if (!undecided(node)) return node;
        const votes = node.volatile.votes | bit(from);
        // Commit point. Safety: every participant has logged a yes vote before sending it, so
        // none can abort on its own any more; and the decision is logged before anyone hears
        // it, so a crash cannot make this coordinator decide otherwise later.
        if (votes === (1 << (ctx.n - 1)) - 1) return decide(ctx, { durable: node.durable, volatile: { votes, unlogged: 'none' } }, 'commit');
        return { durable: node.durable, volatile: { votes, unlogged: 'none' } };
      }
      case 'No':
        return undecided(node) ? decide(ctx, node, 'abort') : node;
      case 'DecisionReq': {
        const d = node.durable.decision;
        return d === 'none' ? node : { ...node, effects: [ctx.send(from, decisionMsg(d))] };
      }
      case 'Commit':
      case 'Abort':
        return node;
      default:
        return assertNever(msg);
    }
  };

  // ---- a participant

  const decideLocally = (ctx: C, node: Part, o: 'commit' | 'abort', extra: R['effects'] = []): R => ({
    durable: { role: 'participant', state: o === 'commit' ? 'committed' : 'aborted' },
    volatile: node.volatile,
    effects: [
      ctx.cancelTimer('decision-timeout'),
      ctx.ghost((g) => recordHistory(g, o === 'commit' ? 'commits' : 'aborts', participantOf(ctx.self))),
      ...(extra ?? []),
    ],
  });

  const stepParticipant = (ctx: C, node: Part, msg: TwoPCMsg, from: NodeId): R => {
    const st = node.durable.state;
    switch (msg.type) {
      case 'Commit':
        // Only a participant that voted yes can commit (it holds the transaction's locks).
        return st === 'prepared' ? decideLocally(ctx, node, 'commit') : node;
      case 'Abort':
        return st === 'working' || st === 'prepared' ? decideLocally(ctx, node, 'abort') : node;
      case 'DecisionReq':
        // Cooperative termination: answer with the outcome if known; a participant that has
        // not voted may still abort on its own, and says so; an uncertain one cannot help.
        switch (st) {
          case 'committed':
            return { ...node, effects: [ctx.send(from, { type: 'Commit' })] };
          case 'aborted':
            return { ...node, effects: [ctx.send(from, { type: 'Abort' })] };
          case 'working':
            return decideLocally(ctx, node, 'abort', [ctx.send(from, { type: 'Abort' })]);
          case 'prepared':
            return node;
          default:
            return assertNever(st);
        }
      case 'Yes':
      case 'No':
        return node;
      default:
        return assertNever(msg);
    }
  };

  const asCoord = (node: Node): Coord | undefined => (node.durable.role === 'coordinator' ? (node as Coord) : undefined);

  return defineProtocol<TwoPCTypes>({
    name: 'twopc',
    roles: {
      coordinator: { count: 1, prefix: 'c', crashes: targets !== 'participants' },
      participant: { count: participants, prefix: 'p', crashes: targets !== 'coordinator' },
    },
    timers: ['vote-timeout', 'decision-timeout'],
    // An uncertain participant's decision timer: the failure detector suspects the coordinator.
    ...(opts.spuriousTimeouts ? {} : { detector: { 'decision-timeout': () => WATCH_COORDINATOR } }),
    initGhost: NO_HISTORY,
    init(ctx) {
      if (ctx.self === COORDINATOR) return { durable: { role: 'coordinator', decision: 'none' }, volatile: IDLE, effects: [ctx.setTimer('vote-timeout')] };
      return { durable: { role: 'participant', state: 'working' }, volatile: IDLE };
    },
    onRestart(ctx, durable) {
      if (durable.role === 'coordinator') {
        // Recovery: no decision in the log means none was announced (it is logged first), so
        // presume abort. A logged decision is kept and given to whoever asks.
        const node: Coord = { durable, volatile: IDLE };
        return durable.decision === 'none' ? decide(ctx, node, 'abort') : node;
      }
      // An uncertain participant asks again; others need nothing.
      return { durable, volatile: IDLE, effects: durable.state === 'prepared' ? [ctx.setTimer('decision-timeout')] : [] };
    },
    onMessage(ctx, node, msg, from) {
      const coord = asCoord(node);
      return coord ? stepCoordinator(ctx, coord, msg, from) : stepParticipant(ctx, node as Part, msg, from);
    },
    onTimer(ctx, node, timer) {
      const coord = asCoord(node);
      switch (timer) {
        case 'vote-timeout':
          // Not every vote arrived in time: abort (always safe before the commit point).
          return coord && undecided(coord) ? decide(ctx, coord, 'abort') : node;
        case 'decision-timeout':
          // Uncertain for too long: ask everyone (the cooperative termination protocol).
          return !coord && node.durable.role === 'participant' && node.durable.state === 'prepared'
            ? { ...node, effects: [ctx.broadcast({ type: 'DecisionReq' })] }
            : node;
        default:
          return assertNever(timer);
      }
    },
    localActions(_ctx, node) {
      if (node.durable.role === 'coordinator') return node.volatile.unlogged !== 'none' ? ['force-log'] : [];
      return node.durable.state === 'working' ? ['vote-yes', 'abort'] : [];
    },
    onLocal(ctx, node, action) {
      switch (action) {
        case 'vote-yes':
          // Log the vote, then send it: a crash after the send finds the vote in the log.
          return {
            durable: { role: 'participant', state: 'prepared' },
            volatile: node.volatile,
            effects: [
              ctx.send(COORDINATOR, { type: 'Yes' }),
              ctx.setTimer('decision-timeout'),
              ctx.ghost((g) => recordHistory(g, 'yes', participantOf(ctx.self))),
            ],
          };
        case 'abort':
          return decideLocally(ctx, node as Part, 'abort', [ctx.send(COORDINATOR, { type: 'No' })]);
        case 'force-log': {
          const o = node.volatile.unlogged;
          return o === 'none' ? node : { durable: { role: 'coordinator', decision: o }, volatile: { votes: node.volatile.votes, unlogged: 'none' } };
        }
        default:
          return assertNever(action);
      }
    },
    encodeDurable: (d, out) => out.int(d.role === 'coordinator' ? OUTCOME_CODE[d.decision] : 4 + RM_CODE[d.state]),
    encodeVolatile: (v, out) => out.int(v.votes * 4 + OUTCOME_CODE[v.unlogged]),
    encodeMessage: (m, out) => out.int(MSG_CODE[m.type]),
    encodeGhost: (g, out) => {
      out.int(g.yes);
      out.int(g.commits);
      out.int(g.aborts);
    },
    viewDurable: (d) => (d.role === 'coordinator' ? { decision: d.decision } : { state: d.state }),
    viewVolatile: (v) => ({ votes: bitsView(v.votes), ...(v.unlogged !== 'none' ? { unlogged: v.unlogged } : {}) }),
    viewGhost: (g) => ({ yes: bitsView(g.yes), commits: bitsView(g.commits), aborts: bitsView(g.aborts) }),
    symmetry: {
      renameVolatile: (v, f) => (v.votes === 0 ? v : { votes: renameBits(v.votes, 2, f), unlogged: v.unlogged }),
      renameGhost: (g, f) => ({ yes: renameBits(g.yes, 2, f), commits: renameBits(g.commits, 2, f), aborts: renameBits(g.aborts, 2, f) }),
      signature: (node) => (node.durable.role === 'coordinator' ? 100 + OUTCOME_CODE[node.durable.decision] : RM_CODE[node.durable.state]),
    },
  });
}

/** Node names of the participants in a bitset (bit i-1: participant i, node i+1). */
function bitsView(bits: number): string[] {
  const out: string[] = [];
  for (let b = bits, i = 0; b !== 0; b >>>= 1, i++) if (b & 1) out.push(`p${i + 1}`);
  return out;
}

/** 2PC with a known bug: each variant overrides one handler, or flips one flag, of the correct protocol. */
export function buggyTwoPC(participants: number, bug: TwoPCBug, opts: TwoPCOptions = {}): Protocol<TwoPCTypes> {
  switch (bug) {
    case 'none':
      return twoPCProtocol(participants, opts);
    case 'announce-before-log':
      return twoPCProtocol(participants, { ...opts, logBeforeAnnounce: false });
    case 'abort-after-yes': {
      // A prepared participant may also abort on its own.
      const base = twoPCProtocol(participants, opts);
      return {
        ...base,
        localActions: (ctx, node) =>
          node.durable.role === 'participant' && node.durable.state === 'prepared' ? ['abort'] : base.localActions(ctx, node),
        onLocal: (ctx, node, action) =>
          action === 'abort' && node.durable.role === 'participant' && node.durable.state === 'prepared'
            ? {
                durable: { role: 'participant', state: 'aborted' },
                volatile: node.volatile,
                effects: [
                  ctx.cancelTimer('decision-timeout'),
                  ctx.ghost((g) => recordHistory(g, 'aborts', participantOf(ctx.self))),
                  ctx.send(COORDINATOR, { type: 'No' }),
                ],
              }
            : base.onLocal(ctx, node, action),
      };
    }
    case 'commit-on-timeout': {
      // The vote timer decides commit.
      const base = twoPCProtocol(participants, opts);
      return {
        ...base,
        onTimer: (ctx, node, timer) =>
          timer === 'vote-timeout' && node.durable.role === 'coordinator' && node.durable.decision === 'none'
            ? {
                durable: { role: 'coordinator', decision: 'commit' },
                volatile: node.volatile,
                effects: [ctx.broadcast({ type: 'Commit' }), ctx.note('decides commit')],
              }
            : base.onTimer(ctx, node, timer),
      };
    }
    case 'forget-vote': {
      // Recovery reads a log without the yes vote.
      const base = twoPCProtocol(participants, opts);
      return {
        ...base,
        onRestart: (ctx, durable) =>
          durable.role === 'participant' && durable.state === 'prepared'
            ? { durable: { role: 'participant', state: 'working' }, volatile: IDLE }
            : base.onRestart(ctx, durable),
      };
    }
    default:
      return assertNever(bug);
  }
}

// ---------------------------------------------------------------------------------------------
// Observations, checks and the machine

/** Participant i's log state (i is 1-based: node i+1). */
export function participantState(s: TwoPCState, i: number): RMState {
  const d = s.nodes[i]!.durable;
  return d.role === 'participant' ? d.state : 'working';
}

/** Every participant's log state, as TCommit's `rmState`. */
export function twoPCRmState(s: TwoPCState): RMState[] {
  const out: RMState[] = [];
  for (let i = 1; i < s.nodes.length; i++) out.push(participantState(s, i));
  return out;
}

const decided = (x: RMState): boolean => x === 'committed' || x === 'aborted';

/** True when a `Commit` or `Abort` is in flight to participant `to` (any sender). */
function decisionInFlight(s: TwoPCState, to?: NodeId): boolean {
  return s.net.some((p) => (p.msg.type === 'Commit' || p.msg.type === 'Abort') && (to === undefined || p.to === to));
}

/**
 * Every running participant has decided: the goal of the bounded-liveness check.
 */
export function twoPCAllDecided(s: TwoPCState): boolean {
  for (let i = 1; i < s.nodes.length; i++) if (s.nodes[i]!.up && !decided(participantState(s, i))) return false;
  return true;
}

/** The blocking state of 2PC: coordinator down, every participant uncertain, no decision in flight. */
export function twoPCBlocked(s: TwoPCState): boolean {
  if (s.nodes[COORDINATOR - 1]!.up) return false;
  for (let i = 1; i < s.nodes.length; i++) if (participantState(s, i) !== 'prepared') return false;
  return !decisionInFlight(s);
}

/** The `sometimes` witnesses of 2PC. */
export function twoPCWitnesses(n: number): Witness<TwoPCState>[] {
  return [
    ...commitWitnesses((s: TwoPCState) => s.ghost, n),
    {
      name: 'coordinator-blocks',
      symmetric: true,
      doc: 'the coordinator is down after every participant voted yes, and no decision is in flight: every participant is stuck uncertain',
      check: twoPCBlocked,
    },
    {
      name: 'peer-answers',
      symmetric: true,
      doc: 'the cooperative termination protocol works: a participant tells another the outcome',
      check: (s) => s.net.some((p) => p.from !== COORDINATOR && (p.msg.type === 'Commit' || p.msg.type === 'Abort')),
    },
  ];
}

/** The fault actions, for the bounded-liveness check: restarts count when `restarts` is false. */
export function isFault(restarts: boolean): (a: TwoPCAction) => boolean {
  return (a) => a.type === 'crash' || a.type === 'drop' || a.type === 'duplicate' || a.type === 'partition' || (!restarts && a.type === 'restart');
}

/** Options of {@link makeTwoPC}. */
export interface MakeTwoPCOptions {
  readonly bug?: TwoPCBug;
  /**
   * Let a participant's decision timer fire at any point (true), not only while the
   * coordinator is down or cut off from it (false, the default). 2PC is safe either way; the
   * default keeps the state space small, since a spurious timeout only adds harmless requests.
   */
  readonly spuriousTimeouts?: boolean;
  /** Which nodes may crash: any (default), only the coordinator, or only participants. */
  readonly crashTargets?: 'any' | 'coordinator' | 'participants';
}

/** The 2PC machine: `participants` participants in an environment configuration. */
export function makeTwoPC(participants: number, config: Partial<EnvConfig> = {}, opts: MakeTwoPCOptions = {}): EnvMachine<TwoPCTypes> {
  const n = participants;
  const name = (i: number) => `p${i}`;
  const history = (s: TwoPCState) => s.ghost;
  const protocol = buggyTwoPC(n, opts.bug ?? 'none', { crashTargets: opts.crashTargets ?? 'any', spuriousTimeouts: opts.spuriousTimeouts ?? false });
  return envMachine(protocol, commitEnvConfig(config, n + 1), {
    name: 'twopc',
    invariants: [atomicity(history, n, name), validity(history, n, name)],
    properties: [refinesTCommit<TwoPCState, TwoPCAction>(n, twoPCRmState)],
    sometimes: twoPCWitnesses(n),
    // A proper end: every running participant decided. With crash-stop failures, a state with
    // nothing enabled and a running participant undecided is a deadlock: 2PC blocking.
    isTerminal: twoPCAllDecided,
  });
}

/** The 2PC registry entry. */
export const twoPCModel = defineModel({
  name: 'twopc',
  doc: 'Two-Phase Commit with crashes, timeouts, log recovery and cooperative termination (Gray 1978; Bernstein et al. 1987, ch. 7); refines TCommit',
  params: {
    participants: int(2, 1, 8, 'number of participants (p1..pN); the coordinator is c1'),
    ...commitEnvParams(twoPCProtocol(2), { crashes: 1 }),
    spuriousTimeouts: bool(false, 'the decision timer is a plain timer that may fire any time (false: a failure-detector timeout on the coordinator, see detector)'),
    crashTargets: oneOf(['any', 'coordinator', 'participants'], 'any', 'which nodes may crash'),
  },
  bugs: TWOPC_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { participants: [1, 4], delivery: ['multiset', 'fifo'], crashes: [0, 3], maxDown: [1, 2], restarts: [true, false], drops: [0, 2], duplicates: [0, 2], partitions: [0, 1] },
  build: (p) => makeTwoPC(p.participants, p, { bug: p.bug, spuriousTimeouts: p.spuriousTimeouts, crashTargets: p.crashTargets }),
});
