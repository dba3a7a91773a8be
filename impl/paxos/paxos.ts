/**
 * Single-decree Paxos, the Synod protocol: Lamport, "Paxos Made Simple" (2001), sections 2.2
 * "Choosing a Value" and 2.3 "Learning a Chosen Value"; the TLA+ counterpart is Paxos.tla
 * (tlaplus/Examples, specifications/Paxos), whose Phase1a/1b/2a/2b actions these handlers follow.
 *
 * Roles: acceptors a1..aA, proposers p1..pP. Proposer k owns ballots k, k+P, k+2P, … up to the
 * `ballots` bound (distinct, never reused: the last one started is durable) and proposes its own
 * value vk unless phase 1 tells it otherwise. Each proposer learns its own ballots' outcome by
 * counting 2b messages.
 *
 * - Phase 1a: a proposer starts ballot b (a local step: a timeout or a preemption) and sends
 *   1a(b) to every acceptor.
 * - Phase 1b: an acceptor whose promise is below b promises b and answers 1b(b, vbal, vval), the
 *   last ballot and value it accepted (vbal = 0: none).
 * - Phase 2a: with 1b(b) from a quorum, the proposer proposes the value of the highest-ballot
 *   report, or its own value when none accepted anything, and sends 2a(b, v) to every acceptor.
 * - Phase 2b: an acceptor whose promise is at most b accepts (b, v), promises b, and sends
 *   2b(b, v) to the proposer, which learns v once a quorum of 2b(b, v) arrived.
 *
 * An acceptor's promise and accepted (ballot, value) are durable. The ghost history records
 * every 2b vote, promise and proposed value, so `specs/paxos.ts` works out what is chosen from
 * outside. The known-bug variants are one-handler overrides, at the end of the file; the model
 * (parameters, checks, which checks each variant breaks) is `specs/models/paxos.ts`.
 */
import { assertNever } from '../core/machine.ts';
import type { EnvMachine } from '../env/machine.ts';
import { addNode, popcount } from '../env/nodeset.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type EnvState, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
import * as history from './history.ts';
import { nextBallot, ownValue, type PaxosShape } from './common.ts';

/** Paxos's data, for a shape. */
export const paxosSchema = (shape: PaxosShape) => {
  const [B, V] = [S.int(0, shape.ballots), S.int(0, shape.proposers)];
  const [Bal, Val] = [history.ballotSchema(shape.ballots), history.valueSchema(shape.proposers)]; // the same, labelled for messages
  return {
    durable: S.union('role', { acceptor: { promised: B, vbal: B, vval: V }, proposer: { ballot: B } }),
    volatile: S.union('role', {
      acceptor: {},
      proposer: {
        phase: S.enum('idle', 'prepare', 'accept'),
        /** Acceptors that sent 1b for the current ballot. */
        promises: S.nodeSet(),
        /** The highest accepted ballot reported in those 1b (-1: no report yet; 0: none accepted), and its value. */
        hbal: S.int(-1, shape.ballots),
        hval: V,
        /** The value proposed in phase 2 (0 before). */
        value: V,
        /** Acceptors whose 2b for the current ballot arrived. */
        votes: S.nodeSet(),
        learned: S.optional(V),
      },
    }),
    /** Labelled `1a(b1)`, `1b(b2, accepted b1 v1)` (`1b(b2, none accepted)`), `2a(b1, v1)`, `2b(b1, v1)`. */
    msg: S.labelled(S.union('type', { '1a': { bal: Bal }, '1b': { bal: Bal, vbal: Bal, vval: Val }, '2a': { bal: Bal, val: Val }, '2b': { bal: Bal, val: Val } }), (m, at) =>
      m.type === '1a' ? `1a(${at.show(Bal, m.bal)})` : m.type === '1b' ? `1b(${at.show(Bal, m.bal)}, ${m.vbal === 0 ? 'none accepted' : `accepted ${at.show(Bal, m.vbal)} ${at.show(Val, m.vval)}`})` : `${m.type}(${at.show(Bal, m.bal)}, ${at.show(Val, m.val)})`,
    ),
    ghost: history.paxosHistorySchema(1, shape.ballots),
    local: S.labelled(S.union('type', { prepare: { ballot: Bal } }), (a, at) => `prepare(${at.show(Bal, a.ballot)})`), // phase 1a: a proposer starts `ballot`
  };
};

/** Single-decree Paxos's types (a proposer's local step: start `ballot`, phase 1a). */
export type PaxosTypes = SchemaTypes<ReturnType<typeof paxosSchema>>;
type P = PaxosTypes;
type Acceptor = Extract<P['durable'], { role: 'acceptor' }>;
type Proposer = { readonly durable: Extract<P['durable'], { role: 'proposer' }>; readonly volatile: Extract<P['volatile'], { role: 'proposer' }> };
/** Paxos's state in the environment. */
export type PaxosState = EnvState<P>;
/** Paxos's machine. */
export type PaxosMachine = EnvMachine<P>;

const IDLE = { role: 'proposer', phase: 'idle', promises: 0, hbal: -1, hval: 0, value: 0, votes: 0, learned: null } as const;
const PREPARING = { ...IDLE, phase: 'prepare' } as const;
const ACCEPTOR = { role: 'acceptor' } as const;

/** What the known-bug variants change: the quorum size and how phase 2a picks its value. */
interface Rules {
  readonly quorum: number;
  /** Does phase 2a take the reported value? Correct: only if some acceptor accepted one. */
  adopts(hbal: number): boolean;
  /** Phase 2b: may an acceptor accept ballot `bal` with promise `promised`? */
  accepts(bal: number, promised: number): boolean;
}

/** The Paxos protocol for `shape`. */
export function paxosProtocol(shape: PaxosShape, rules: Rules = correctRules(shape)): Protocol<P> {
  /** An acceptor receives 1a or 2a (Phase1b and Phase2b of Paxos.tla). */
  const stepAcceptor = (ctx: Ctx<P>, a: Acceptor, msg: P['msg'], from: NodeId): Reaction<P> | null => {
    if (msg.type === '1a') {
      if (msg.bal <= a.promised) return null; // promise only to a ballot above every ballot promised before
      return {
        durable: { ...a, promised: msg.bal },
        volatile: ACCEPTOR,
        effects: [ctx.send(from, { type: '1b', bal: msg.bal, vbal: a.vbal, vval: a.vval }), ctx.ghost((g) => history.recordPromise(g, ctx.self, msg.bal))],
      };
    }
    // 2a: accept unless that breaks a promise to a higher ballot.
    if (msg.type !== '2a' || !rules.accepts(msg.bal, a.promised)) return null; // (1b and 2b are proposers' messages)
    const promised = Math.max(a.promised, msg.bal);
    return {
      durable: { role: 'acceptor', promised, vbal: msg.bal, vval: msg.val },
      volatile: ACCEPTOR,
      effects: [
        ctx.send(from, { type: '2b', bal: msg.bal, val: msg.val }),
        ctx.ghost((g) => history.recordPromise(history.recordVote(g, 0, msg.bal, msg.val, ctx.self), ctx.self, promised)),
      ],
    };
  };

  /** A proposer (and learner) receives 1b or 2b. */
  const stepProposer = (ctx: Ctx<P>, { durable: d, volatile: v }: Proposer, msg: P['msg'], from: NodeId): Reaction<P> | null => {
    if (msg.type === '1b') {
      if (v.phase !== 'prepare' || msg.bal !== d.ballot) return null; // a late or stale reply
      const promises = addNode(v.promises, from);
      const higher = msg.vbal > v.hbal;
      const next = { ...v, promises, hbal: higher ? msg.vbal : v.hbal, hval: higher ? msg.vval : v.hval };
      if (popcount(promises) < rules.quorum) return { durable: d, volatile: next };
      // Phase 2a, where agreement is won (P2c). If w is chosen, or can still be, in a ballot
      // c < b, a majority voted for w in c, and it shares an acceptor with this quorum, which
      // promised b after voting: it reported a ballot ≥ c. By induction on ballots, every
      // proposal between c and b carried w, so the highest report carries w. With no report,
      // nothing can be chosen below b, and the proposer is free to propose its own value.
      const own = ownValue(shape, ctx.self);
      const value = rules.adopts(next.hbal) ? next.hval : own;
      return {
        durable: d,
        volatile: { ...next, phase: 'accept', value },
        effects: [...ctx.members('acceptor').map((acc) => ctx.send(acc, { type: '2a', bal: d.ballot, val: value })), ...(value === own ? [ctx.ghost((g) => history.recordInput(g, own))] : [])],
      };
    }
    if (msg.type !== '2b' || v.phase !== 'accept' || msg.bal !== d.ballot || v.learned !== null) return null; // (1a and 2a are acceptors' messages)
    const votes = addNode(v.votes, from);
    // Learning: a quorum accepted (ballot, value), so the value is chosen.
    if (popcount(votes) < rules.quorum) return { durable: d, volatile: { ...v, votes } };
    return { durable: d, volatile: { ...v, votes, learned: msg.val }, effects: [ctx.note(`learns ${history.valueName(msg.val)}`)] };
  };

  return defineProtocol<P>({
    name: 'paxos',
    schema: paxosSchema(shape),
    // Acceptors are interchangeable; proposers own different ballots and values.
    roles: { acceptor: { count: shape.acceptors, prefix: 'a' }, proposer: { count: shape.proposers, prefix: 'p', symmetric: false } },
    symmetry: {},
    initGhost: history.emptyHistory(shape.acceptors),
    init: (ctx) =>
      ctx.role === 'acceptor' ? { durable: { role: 'acceptor', promised: 0, vbal: 0, vval: 0 }, volatile: ACCEPTOR } : { durable: { role: 'proposer', ballot: 0 }, volatile: IDLE },
    onRestart: (ctx, durable) =>
      durable.role === 'proposer'
        ? { durable, volatile: IDLE }
        : { durable, volatile: ACCEPTOR, effects: [ctx.ghost((g) => history.recordRestart(g, shape.acceptors, 1))] },
    // One entry point, then per-role handlers; a message a handler ignores leaves the node as it was.
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      const v = node.volatile;
      if (d.role === 'acceptor') return stepAcceptor(ctx, d, msg, from) ?? node;
      if (v.role === 'proposer') return stepProposer(ctx, { durable: d, volatile: v }, msg, from) ?? node;
      return assertNever(v as never);
    },
    localActions(ctx, node) {
      const d = node.durable;
      if (d.role !== 'proposer' || (node.volatile.role === 'proposer' && node.volatile.learned !== null)) return [];
      const b = nextBallot(shape, ctx.self, d.ballot);
      return b === 0 ? [] : [{ type: 'prepare', ballot: b }];
    },
    // Phase 1a: start a new ballot; what happened in the previous one is abandoned.
    onLocal: (ctx, _node, a) => ({
      durable: { role: 'proposer', ballot: a.ballot },
      volatile: PREPARING,
      effects: ctx.members('acceptor').map((acc) => ctx.send(acc, { type: '1a', bal: a.ballot })),
    }),
  });
}

// ---------------------------------------------------------------------------------------------
// The correct rules and the known-bug variants, each one override.

/** Paxos's rules as the paper states them. */
export function correctRules(shape: PaxosShape): Rules {
  return { quorum: history.majority(shape.acceptors), adopts: (hbal) => hbal > 0, accepts: (bal, promised) => bal >= promised };
}

/** What each known-bug variant does wrong. */
export const PAXOS_VARIANTS = {
  'forgetful-acceptor': 'the promise is not persisted: a restarted acceptor has forgotten it and accepts an older ballot',
  'ignore-accepted': 'in phase 2 the proposer proposes its own value, not the value of the highest ballot reported in phase 1b',
  'minority-quorum': 'quorums are floor(N/2) acceptors, so two quorums need not intersect',
  'accept-below-promise': 'an acceptor accepts a 2a whose ballot is below its promise',
  'null-value': 'a 1b reporting nothing accepted reads as value nil accepted in ballot 0, and the proposer proposes nil, a value nobody proposed',
} as const;
/** A known-bug variant's name, or none. */
export type PaxosBug = keyof typeof PAXOS_VARIANTS | 'none';

/** The protocol with a known bug: a changed rule, or (`forgetful-acceptor`) the restart handler overridden. */
export function buggyPaxos(shape: PaxosShape, bug: PaxosBug): Protocol<P> {
  const rules = correctRules(shape);
  if (bug === 'forgetful-acceptor') {
    const base = paxosProtocol(shape, rules);
    return { ...base, onRestart: (ctx, d) => base.onRestart(ctx, d.role === 'acceptor' ? { ...d, promised: 0 } : d) };
  }
  const changed: { readonly [B in Exclude<PaxosBug, 'forgetful-acceptor'>]: Partial<Rules> } = {
    none: {},
    'ignore-accepted': { adopts: () => false },
    'minority-quorum': { quorum: Math.floor(shape.acceptors / 2) },
    'accept-below-promise': { accepts: () => true },
    'null-value': { adopts: (hbal) => hbal >= 0 },
  };
  return paxosProtocol(shape, { ...rules, ...changed[bug] });
}
