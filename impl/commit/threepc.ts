/**
 * Three-Phase Commit (Skeen) with its termination protocol, over the shared environment.
 *
 * Sources: D. Skeen, "Nonblocking Commit Protocols" (SIGMOD 1981), sections 3–5, and D. Skeen
 * and M. Stonebraker, "A Formal Model of Crash Recovery in a Distributed System" (1983); the
 * presentation follows P. Bernstein, V. Hadzilacos and N. Goodman, "Concurrency Control and
 * Recovery in Database Systems" (1987), section 7.5 (3PC, its timeout actions and the
 * termination protocol with a backup coordinator).
 *
 * Roles: the coordinator is n1; participants are n2..n(N+1). A participant's log state is
 * `working` (q, not voted), `prepared` (w, voted yes: uncertain), `precommitted` (p),
 * `committed` (c) or `aborted` (a).
 *
 * 1. Votes: a participant logs its yes vote and sends `Yes`, or aborts unilaterally and sends
 *    `No`. The coordinator aborts on a `No` or when its vote timer fires.
 * 2. Pre-commit: with every `Yes` in, the coordinator sends `PreCommit`; a participant moves to
 *    `precommitted` and answers `Ack`.
 * 3. Commit: with every `Ack` in, or when the ack timer says a participant is down, the
 *    coordinator commits and sends `Commit`.
 *
 * **Termination protocol** (BHG 7.5): a participant that suspects its leader (first the
 * coordinator) moves on to the next candidate in id order (n2, n3, ...); the candidate that
 * reaches itself becomes the **backup coordinator**. It asks every other participant for its
 * state (`StateReq`; a participant that has not voted aborts first) and, with its own, decides:
 * - some participant aborted → abort; some committed → commit;
 * - some participant pre-committed → send `PreCommit` to the others, wait for the `Ack`s, then
 *   commit (so that a backup failing midway leaves pre-committed states for the next one);
 * - everyone uncertain → abort (no one can have committed: a commit needs every participant
 *   pre-committed first).
 * A participant follows the most recent backup that asked it and ignores `PreCommit` from
 * older leaders.
 *
 * **The synchrony assumption.** 3PC is non-blocking only in a synchronous system with crash-stop
 * failures: a timeout must mean the awaited node is down. Here the leader, collect and ack
 * timers are failure-detector timeouts (the environment's `detector`); with the default
 * `perfect` detector they fire only when the node waited for is down or cut off by a partition
 * (`eventually-perfect` and `unreliable` detectors add false suspicions, which break it too). With crash-stop failures (`restarts=false`) the protocol is atomic
 * and never blocks; a **partition** makes a live coordinator look dead to the other side, and
 * the checker finds the known atomicity violation (one side commits, the other aborts).
 *
 * With restarts, a recovering coordinator with no logged decision stays passive (presuming
 * abort would be unsafe once pre-commits are out), and a recovering participant answers with
 * its logged state; the non-blocking claim is only made for crash-stop.
 *
 * The data is declared once (`threePCSchema`): encodings, views and labels are derived. The
 * checks and the model (parameters, known-bug variant) are in `specs/models/threepc.ts`.
 */
import { assertNever } from '../core/machine.ts';
import { addNode, hasNode } from '../env/nodeset.ts';
import { S, type Infer } from '../env/schema.ts';
import { defineProtocol, type Ctx, type EnvAction, type EnvState, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
import { COMMIT_HISTORY, NO_HISTORY, OUTCOME, recordHistory } from './common.ts';

/** A participant's log state, in the order of the `seen` bits. */
export const THREEPC_LOG_STATE = S.enum('working', 'prepared', 'precommitted', 'committed', 'aborted');

/**
 * 3PC's data. Durable: the coordinator's decision, a participant's log state. Volatile (a crash
 * loses it): `phase`, what the node is doing as a leader (`follow`: not leading; `vote`: the
 * coordinator collects votes; `collect`: a backup collects states; `precommit`: a leader waits
 * for acks; `done`); `leader`, whom a participant follows (the coordinator is its own); `got`,
 * the participants whose votes, states or acks it received; `seen`, the states reported to a
 * backup (bit k: the k-th value of {@link THREEPC_LOG_STATE}).
 */
export const threePCSchema = {
  durable: S.union('role', { coordinator: { decision: OUTCOME }, participant: { state: THREEPC_LOG_STATE } }),
  volatile: S.record({ phase: S.enum('follow', 'vote', 'collect', 'precommit', 'done'), leader: S.node(), got: S.nodeSet(), seen: S.int(0, 31) }),
  msg: S.union('type', { Yes: {}, No: {}, PreCommit: {}, Ack: {}, Commit: {}, Abort: {}, StateReq: {}, StateRep: { state: THREEPC_LOG_STATE } }),
  ghost: COMMIT_HISTORY,
};

/** 3PC's types, for the environment. */
export interface ThreePCTypes extends SchemaTypes<typeof threePCSchema> {
  readonly timer: 'vote-timeout' | 'ack-timeout' | 'leader-timeout' | 'collect-timeout';
  readonly local: 'vote-yes' | 'abort';
}

/** A participant's log state. */
export type ThreePCLogState = Infer<typeof THREEPC_LOG_STATE>;
/** What a node logs. */
export type ThreePCDurable = ThreePCTypes['durable'];
/** What a crash loses. */
export type ThreePCVolatile = ThreePCTypes['volatile'];
/** 3PC's messages. */
export type ThreePCMsg = ThreePCTypes['msg'];
/** 3PC's state in the environment. */
export type ThreePCState = EnvState<ThreePCTypes>;
/** 3PC's actions in the environment. */
export type ThreePCAction = EnvAction<ThreePCTypes>;

/** The known-bug variants, with what each does (their checks: `specs/models/threepc.ts`). */
export const THREEPC_VARIANTS = {
  'skip-precommit': "the coordinator commits as soon as every vote is yes (two-phase commit inside 3PC's termination protocol)",
} as const;
/** A known-bug variant's name, or none. */
export type ThreePCBug = keyof typeof THREEPC_VARIANTS | 'none';

/** The coordinator's node id. */
export const COORDINATOR: NodeId = 1;

const SEEN_BIT: Readonly<Record<ThreePCLogState, number>> = { working: 1, prepared: 2, precommitted: 4, committed: 8, aborted: 16 };
const seenBit = (x: ThreePCLogState): number => SEEN_BIT[x];

type Node = { readonly durable: ThreePCDurable; readonly volatile: ThreePCVolatile };
type R = Reaction<ThreePCTypes>;
type C = Ctx<ThreePCTypes>;

const stateOf = (node: Node): ThreePCLogState => (node.durable.role === 'participant' ? node.durable.state : 'working');
const uncertain = (x: ThreePCLogState): boolean => x === 'prepared' || x === 'precommitted';
/** The participants other than `self` (ids 2..n). */
const others = (ctx: C): NodeId[] => ctx.nodes.filter((id) => id !== COORDINATOR && id !== ctx.self);
/** Every participant but `self` as a bitset. */
const othersBits = (ctx: C): number => others(ctx).reduce(addNode, 0);
const vol = (v: ThreePCVolatile, patch: Partial<ThreePCVolatile>): ThreePCVolatile => ({ ...v, ...patch });
/** A reaction with more effects after its own. */
const withEffects = (r: R, ...more: NonNullable<R['effects']>): R => ({ durable: r.durable, volatile: r.volatile, effects: [...(r.effects ?? []), ...more] });

/**
 * The nodes a collect or ack timer waits for: every participant that still owes this leader an
 * answer. Synchronous timeouts: it fires only when the detector suspects all of them.
 */
const owing = (ctx: C, node: Node): readonly NodeId[] => others(ctx).filter((id) => !hasNode(node.volatile.got, id));

/** Log a final state (participant or coordinator), send it to `to`, and stop leading. */
function finish(ctx: C, node: Node, o: 'commit' | 'abort', to: readonly NodeId[]): R {
  const msg: ThreePCMsg = o === 'commit' ? { type: 'Commit' } : { type: 'Abort' };
  const sends = to.map((id) => ctx.send(id, msg));
  if (node.durable.role === 'coordinator') {
    return {
      durable: { role: 'coordinator', decision: o },
      volatile: vol(node.volatile, { phase: 'done' }),
      effects: [...sends, ctx.cancelTimer('vote-timeout'), ctx.cancelTimer('ack-timeout'), ctx.note(`decides ${o}`)],
    };
  }
  return withEffects(settle(ctx, { durable: node.durable, volatile: vol(node.volatile, { phase: 'done' }) }, o), ...sends, ctx.cancelTimer('collect-timeout'), ctx.cancelTimer('ack-timeout'), ctx.note(`backup decides ${o}`));
}

/** A participant applies a decision to its own log (idempotent). */
function settle(ctx: C, node: Node, o: 'commit' | 'abort'): R {
  const st = stateOf(node);
  const target: ThreePCLogState = o === 'commit' ? 'committed' : 'aborted';
  const v = node.volatile;
  if (st === target) return { durable: node.durable, volatile: v };
  return {
    durable: { role: 'participant', state: target },
    volatile: v,
    effects: [ctx.ghost((g) => recordHistory(g, o === 'commit' ? 'commits' : 'aborts', ctx.self))],
  };
}

/** Every participant (nodes 2..N+1), as a node set. */
function participantSet(participants: number): number {
  let everyone = 0;
  for (let i = 0; i < participants; i++) everyone = addNode(everyone, COORDINATOR + 1 + i);
  return everyone;
}

/** The correct 3PC protocol for `participants` participants, with its termination protocol. */
export function threePCProtocol(participants: number): Protocol<ThreePCTypes> {
  const everyone = participantSet(participants);

  /** A leader (coordinator or backup) starts phase 3's first half: pre-commit everyone else. */
  const startPrecommit = (ctx: C, node: Node): R => {
    const to = others(ctx);
    const durable: ThreePCDurable = node.durable.role === 'participant' && node.durable.state === 'prepared' ? { role: 'participant', state: 'precommitted' } : node.durable;
    const targets = node.durable.role === 'coordinator' ? ctx.peers : to;
    if (targets.length === 0) return finish(ctx, { durable, volatile: node.volatile }, 'commit', []);
    return {
      durable,
      volatile: vol(node.volatile, { phase: 'precommit', got: 0 }),
      effects: [...targets.map((id) => ctx.send(id, { type: 'PreCommit' })), ctx.setTimer('ack-timeout')],
    };
  };

  /** Everyone to be pre-committed has acked (or the rest are down): commit. */
  const acksComplete = (ctx: C, node: Node, got: number): boolean =>
    node.durable.role === 'coordinator' ? got === everyone : got === othersBits(ctx);

  // ---- the coordinator

  const stepCoordinator = (ctx: C, node: Node, msg: ThreePCMsg, from: NodeId): R => {
    const v = node.volatile;
    switch (msg.type) {
      case 'Yes': {
        if (v.phase !== 'vote') return node;
        const got = addNode(v.got, from);
        if (got !== everyone) return { durable: node.durable, volatile: vol(v, { got }) };
        // Every vote is yes. Nobody may commit yet: first make sure everyone knows the outcome
        // will be commit (pre-commit), so that a backup that sees any pre-committed state can
        // commit, and one that sees none can abort.
        return withEffects(startPrecommit(ctx, { durable: node.durable, volatile: vol(v, { got }) }), ctx.cancelTimer('vote-timeout'));
      }
      case 'No':
        return v.phase === 'vote' ? finish(ctx, node, 'abort', ctx.peers) : node;
      case 'Ack': {
        if (v.phase !== 'precommit') return node;
        const got = addNode(v.got, from);
        // Commit point: every participant is pre-committed.
        return acksComplete(ctx, node, got) ? finish(ctx, node, 'commit', ctx.peers) : { durable: node.durable, volatile: vol(v, { got }) };
      }
      case 'PreCommit':
      case 'Commit':
      case 'Abort':
      case 'StateReq':
      case 'StateRep':
        return node;
      default:
        return assertNever(msg);
    }
  };

  // ---- a participant (follower, or backup coordinator)

  /** Become the backup coordinator: collect every other participant's state. */
  const becomeBackup = (ctx: C, node: Node): R => {
    const st = stateOf(node);
    const v: ThreePCVolatile = { phase: 'collect', leader: ctx.self, got: 0, seen: seenBit(st) };
    if (st === 'committed' || st === 'aborted') return finish(ctx, { durable: node.durable, volatile: v }, st === 'committed' ? 'commit' : 'abort', others(ctx));
    const to = others(ctx);
    if (to.length === 0) return terminate(ctx, { durable: node.durable, volatile: v });
    return { durable: node.durable, volatile: v, effects: [...to.map((id) => ctx.send(id, { type: 'StateReq' })), ctx.setTimer('collect-timeout'), ctx.note('backup coordinator')] };
  };

  /** The termination rule, applied to the states collected. */
  const terminate = (ctx: C, node: Node): R => {
    // The backup's own state counts as it is now (a decision may have reached it meanwhile).
    const seen = node.volatile.seen | seenBit(stateOf(node));
    if (seen & seenBit('aborted')) return finish(ctx, node, 'abort', others(ctx));
    if (seen & seenBit('committed')) return finish(ctx, node, 'commit', others(ctx));
    // Some participant is pre-committed, so the coordinator may have committed: the outcome
    // must be commit. Otherwise every participant is uncertain and nobody can have committed
    // (a commit needs everyone pre-committed first): abort is safe.
    if (seen & seenBit('precommitted')) return startPrecommit(ctx, node);
    return finish(ctx, node, 'abort', others(ctx));
  };

  const stepParticipant = (ctx: C, node: Node, msg: ThreePCMsg, from: NodeId): R => {
    const v = node.volatile;
    const st = stateOf(node);
    switch (msg.type) {
      case 'PreCommit':
        if (from !== v.leader || !(st === 'prepared' || st === 'precommitted')) return node;
        return { durable: { role: 'participant', state: 'precommitted' }, volatile: v, effects: [ctx.send(from, { type: 'Ack' })] };
      case 'Commit':
        return uncertain(st) ? settle(ctx, node, 'commit') : node;
      case 'Abort':
        return st === 'working' || uncertain(st) ? settle(ctx, node, 'abort') : node;
      case 'StateReq': {
        if (from < v.leader) return node;
        // Follow the new backup; one that has not voted aborts first (it may, unilaterally).
        const follow: ThreePCVolatile = { phase: 'follow', leader: from, got: 0, seen: 0 };
        const timers = [ctx.cancelTimer('collect-timeout'), ctx.cancelTimer('ack-timeout'), ctx.setTimer('leader-timeout')];
        if (st === 'working') return withEffects(settle(ctx, { durable: node.durable, volatile: follow }, 'abort'), ctx.send(from, { type: 'StateRep', state: 'aborted' }), ...timers);
        return { durable: node.durable, volatile: follow, effects: [ctx.send(from, { type: 'StateRep', state: st }), ...timers] };
      }
      case 'StateRep': {
        if (v.phase !== 'collect') return node;
        const next = { durable: node.durable, volatile: vol(v, { got: addNode(v.got, from), seen: v.seen | seenBit(msg.state) }) };
        return next.volatile.got === othersBits(ctx) ? withEffects(terminate(ctx, next), ctx.cancelTimer('collect-timeout')) : next;
      }
      case 'Ack': {
        if (v.phase !== 'precommit') return node;
        const got = addNode(v.got, from);
        return acksComplete(ctx, node, got) ? finish(ctx, node, 'commit', others(ctx)) : { durable: node.durable, volatile: vol(v, { got }) };
      }
      case 'Yes':
      case 'No':
        return node;
      default:
        return assertNever(msg);
    }
  };

  return defineProtocol<ThreePCTypes>({
    name: 'threepc',
    roles: { coordinator: { count: 1, prefix: 'c' }, participant: { count: participants, prefix: 'p' } },
    timers: ['vote-timeout', 'ack-timeout', 'leader-timeout', 'collect-timeout'],
    // 3PC assumes a synchronous system: its leader, collect and ack timeouts are the failure
    // detector's suspicions (the vote timeout is an ordinary timer: aborting is always safe then).
    detector: {
      'leader-timeout': (_ctx, node) => [node.volatile.leader],
      'collect-timeout': owing,
      'ack-timeout': owing,
    },
    schema: threePCSchema,
    initGhost: NO_HISTORY,
    init(ctx) {
      if (ctx.self === COORDINATOR) {
        return { durable: { role: 'coordinator', decision: 'none' }, volatile: { phase: 'vote', leader: COORDINATOR, got: 0, seen: 0 }, effects: [ctx.setTimer('vote-timeout')] };
      }
      // Every participant watches its leader from the start, voted or not, decided or not: a
      // backup candidate must step up even if it has nothing to learn itself.
      return { durable: { role: 'participant', state: 'working' }, volatile: { phase: 'follow', leader: COORDINATOR, got: 0, seen: 0 }, effects: [ctx.setTimer('leader-timeout')] };
    },
    onRestart(ctx, durable) {
      // A recovering coordinator takes no further part; a participant follows the coordinator
      // again and watches it (its logged state answers any backup).
      if (durable.role === 'coordinator') return { durable, volatile: { phase: 'done', leader: COORDINATOR, got: 0, seen: 0 } };
      return { durable, volatile: { phase: 'follow', leader: COORDINATOR, got: 0, seen: 0 }, effects: [ctx.setTimer('leader-timeout')] };
    },
    onMessage(ctx, node, msg, from) {
      return node.durable.role === 'coordinator' ? stepCoordinator(ctx, node, msg, from) : stepParticipant(ctx, node, msg, from);
    },
    onTimer(ctx, node, timer) {
      const v = node.volatile;
      switch (timer) {
        case 'vote-timeout':
          // Not every vote in time: abort (safe: no one is pre-committed yet).
          return v.phase === 'vote' ? finish(ctx, node, 'abort', ctx.peers) : node;
        case 'ack-timeout':
          // A participant that has not acked is down: it will learn commit when it recovers.
          return v.phase === 'precommit' ? finish(ctx, node, 'commit', node.durable.role === 'coordinator' ? ctx.peers : others(ctx)) : node;
        case 'collect-timeout':
          // The participants that have not answered are down: decide with the states at hand.
          return v.phase === 'collect' ? terminate(ctx, node) : node;
        case 'leader-timeout': {
          // The leader is down: the next candidate in id order leads (possibly this node).
          const leader = v.leader + 1;
          if (leader === ctx.self) return becomeBackup(ctx, node);
          return { durable: node.durable, volatile: vol(v, { leader }), effects: [ctx.setTimer('leader-timeout')] };
        }
        default:
          return assertNever(timer);
      }
    },
    localActions: (_ctx, node) => (node.durable.role === 'participant' && node.durable.state === 'working' && node.volatile.leader === COORDINATOR ? ['vote-yes', 'abort'] : []),
    onLocal(ctx, node, action) {
      switch (action) {
        case 'vote-yes':
          return {
            durable: { role: 'participant', state: 'prepared' },
            volatile: node.volatile,
            effects: [ctx.send(COORDINATOR, { type: 'Yes' }), ctx.ghost((g) => recordHistory(g, 'yes', ctx.self))],
          };
        case 'abort':
          return withEffects(settle(ctx, node, 'abort'), ctx.send(COORDINATOR, { type: 'No' }));
        default:
          return assertNever(action);
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The known-bug variant, one override of the coordinator's message handler.

/** 3PC with a known bug. */
export function buggyThreePC(participants: number, bug: ThreePCBug): Protocol<ThreePCTypes> {
  switch (bug) {
    case 'none':
      return threePCProtocol(participants);
    case 'skip-precommit': {
      // The last Yes vote commits at once, as in 2PC: no pre-commit round.
      const base = threePCProtocol(participants);
      const everyone = participantSet(participants);
      return {
        ...base,
        onMessage: (ctx, node, msg, from) =>
          node.durable.role === 'coordinator' && msg.type === 'Yes' && node.volatile.phase === 'vote' && addNode(node.volatile.got, from) === everyone
            ? finish(ctx, node, 'commit', ctx.peers)
            : base.onMessage(ctx, node, msg, from),
      };
    }
    default:
      return assertNever(bug);
  }
}
