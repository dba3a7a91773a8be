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
 *
 * The data is declared once (`twoPCSchema`): encodings, views, renaming under permutations of
 * the participants and signatures are derived. The checks and the model (parameters, known-bug
 * variants) are in `specs/models/twopc.ts`.
 */
import { assertNever } from '../core/machine.ts';
import { addNode } from '../env/nodeset.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type EnvAction, type EnvState, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
import { COMMIT_HISTORY, NO_HISTORY, OUTCOME, recordHistory, RM_STATE } from './common.ts';

/**
 * 2PC's data. Durable (survives a crash): the coordinator's logged decision; a participant's log,
 * its TCommit state. Volatile (a crash loses it): the coordinator's `Yes` votes received, and a
 * decision announced but not yet logged (only the `announce-before-log` bug has one). The ghost
 * record is the transaction's history (`CommitHistory`).
 */
export const twoPCSchema = {
  durable: S.union('role', { coordinator: { decision: OUTCOME }, participant: { state: RM_STATE } }),
  volatile: S.record({ votes: S.nodeSet(), unlogged: OUTCOME }),
  msg: S.union('type', { Yes: {}, No: {}, Commit: {}, Abort: {}, DecisionReq: {} }),
  ghost: COMMIT_HISTORY,
};

/** Spontaneous steps: a participant votes or aborts; the buggy coordinator forces its log. */
export type TwoPCLocal = 'vote-yes' | 'abort' | 'force-log';

/** 2PC's types, for the environment. */
export interface TwoPCTypes extends SchemaTypes<typeof twoPCSchema> {
  readonly timer: 'vote-timeout' | 'decision-timeout';
  readonly local: TwoPCLocal;
}

/** What a node keeps in its log. */
export type TwoPCDurable = TwoPCTypes['durable'];
/** What a crash loses. */
export type TwoPCVolatile = TwoPCTypes['volatile'];
/** 2PC's messages. */
export type TwoPCMsg = TwoPCTypes['msg'];
/** 2PC's state in the environment. */
export type TwoPCState = EnvState<TwoPCTypes>;
/** 2PC's actions in the environment. */
export type TwoPCAction = EnvAction<TwoPCTypes>;

/** The known-bug variants, with what each does (their checks and configurations: `specs/models/twopc.ts`). */
export const TWOPC_VARIANTS = {
  'abort-after-yes': 'a participant aborts unilaterally after voting yes',
  'commit-on-timeout': 'the coordinator decides commit (not abort) when its vote timer fires',
  'announce-before-log': 'the coordinator announces its decision before logging it; after a crash it recovers with no decision and aborts',
  'forget-vote': 'a participant recovering from a crash forgets its yes vote (it is working again, free to abort)',
} as const;
/** A known-bug variant's name, or none. */
export type TwoPCBug = keyof typeof TWOPC_VARIANTS | 'none';

/** The coordinator's node id. */
export const COORDINATOR: NodeId = 1;

const IDLE: TwoPCVolatile = { votes: 0, unlogged: 'none' };
const decisionMsg = (o: 'commit' | 'abort'): TwoPCMsg => (o === 'commit' ? { type: 'Commit' } : { type: 'Abort' });

type Node = { readonly durable: TwoPCDurable; readonly volatile: TwoPCVolatile };
/** The coordinator's node (durable and volatile state). */
export type TwoPCCoordinator = { readonly durable: Extract<TwoPCDurable, { role: 'coordinator' }>; readonly volatile: TwoPCVolatile };
type Coord = TwoPCCoordinator;
type Part = { readonly durable: Extract<TwoPCDurable, { role: 'participant' }>; readonly volatile: TwoPCVolatile };
type R = Reaction<TwoPCTypes>;
type C = Ctx<TwoPCTypes>;

/** Options of the protocol factory: the environment's shape. */
export interface TwoPCOptions {
  /** Which roles may crash: any (default), only the coordinator, or only participants. */
  readonly crashTargets?: 'any' | 'coordinator' | 'participants';
  /** The decision timer is a plain timer, not a failure-detector timeout on the coordinator (default false). */
  readonly spuriousTimeouts?: boolean;
}

/** The rule the `announce-before-log` variant changes. */
export interface TwoPCRules {
  /** The coordinator once it has decided `o`, before it announces `o`: correct, `o` is in its log. */
  decided(node: TwoPCCoordinator, o: 'commit' | 'abort'): TwoPCCoordinator;
}

/** The rules as Gray and BHG state them: the decision is logged before anyone hears it. */
export const TWOPC_RULES: TwoPCRules = {
  decided: (node, o) => ({ durable: { role: 'coordinator', decision: o }, volatile: { votes: node.volatile.votes, unlogged: 'none' } }),
};

const WATCH_COORDINATOR: readonly NodeId[] = [1];

/** The 2PC protocol for `participants` participants: correct with the default `rules`. */
export function twoPCProtocol(participants: number, opts: TwoPCOptions = {}, rules: TwoPCRules = TWOPC_RULES): Protocol<TwoPCTypes> {
  const targets = opts.crashTargets ?? 'any';
  /** Every participant (nodes 2..N+1), as a node set: the votes that make the commit point. */
  let allVotes = 0;
  for (let i = 0; i < participants; i++) allVotes = addNode(allVotes, COORDINATOR + 1 + i);

  // ---- the coordinator

  /** Decide `o`: log it (durable), then announce it to every participant. */
  const decide = (ctx: C, node: Coord, o: 'commit' | 'abort'): R => {
    const { durable, volatile } = rules.decided(node, o);
    return { durable, volatile, effects: [ctx.broadcast(decisionMsg(o)), ctx.cancelTimer('vote-timeout'), ctx.note(`decides ${o}`)] };
  };
  /** No decision yet, logged or announced. */
  const undecided = (node: Coord): boolean => node.durable.decision === 'none' && node.volatile.unlogged === 'none';

  const stepCoordinator = (ctx: C, node: Coord, msg: TwoPCMsg, from: NodeId): R => {
    switch (msg.type) {
      case 'Yes': {
        if (!undecided(node)) return node;
        const votes = addNode(node.volatile.votes, from);
        // Commit point. Safety: every participant has logged a yes vote before sending it, so
        // none can abort on its own any more; and the decision is logged before anyone hears
        // it, so a crash cannot make this coordinator decide otherwise later.
        if (votes === allVotes) return decide(ctx, { durable: node.durable, volatile: { votes, unlogged: 'none' } }, 'commit');
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
      ctx.ghost((g) => recordHistory(g, o === 'commit' ? 'commits' : 'aborts', ctx.self)),
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
    schema: twoPCSchema,
    // The participants are interchangeable (the role is one symmetry class); renaming is derived.
    symmetry: {},
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
    localActions: (_ctx, node) => (node.durable.role === 'participant' && node.durable.state === 'working' ? ['vote-yes', 'abort'] : []),
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
              ctx.ghost((g) => recordHistory(g, 'yes', ctx.self)),
            ],
          };
        case 'abort':
          return decideLocally(ctx, node as Part, 'abort', [ctx.send(COORDINATOR, { type: 'No' })]);
        case 'force-log': // the correct coordinator logs as it decides: never offered
          return node;
        default:
          return assertNever(action);
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Known-bug variants: each overrides one rule or one handler of the correct protocol.

/** 2PC with a known bug: each variant overrides one rule or one handler of the correct protocol. */
export function buggyTwoPC(participants: number, bug: TwoPCBug, opts: TwoPCOptions = {}): Protocol<TwoPCTypes> {
  switch (bug) {
    case 'none':
      return twoPCProtocol(participants, opts);
    case 'announce-before-log': {
      // The decision stays in volatile memory (`unlogged`) until the coordinator forces its log
      // (`force-log`, a separate step): a crash in between loses it.
      const base = twoPCProtocol(participants, opts, { decided: (node, o) => ({ durable: node.durable, volatile: { votes: node.volatile.votes, unlogged: o } }) });
      return {
        ...base,
        localActions: (ctx, node) => (node.durable.role === 'coordinator' && node.volatile.unlogged !== 'none' ? ['force-log'] : base.localActions(ctx, node)),
        onLocal: (ctx, node, action) => {
          const o = node.volatile.unlogged;
          return action === 'force-log' && o !== 'none' ? { durable: { role: 'coordinator', decision: o }, volatile: { votes: node.volatile.votes, unlogged: 'none' } } : base.onLocal(ctx, node, action);
        },
      };
    }
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
                  ctx.ghost((g) => recordHistory(g, 'aborts', ctx.self)),
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
