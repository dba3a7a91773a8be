/**
 * BENCH-ONLY BASELINE: a frozen copy of single-decree Paxos (impl/paxos/paxos.ts) as it was before the port onto the schema (issue 13;
 * from commit f91b98e^, imports re-pointed to impl/core, the registry entry left out), with its
 * hand-written encoders, views, renamers and signatures. Only checks/bench/port.ts imports it; do not edit.
 */
/**
 * Single-decree Paxos, the Synod protocol: Lamport, "Paxos Made Simple" (2001), section 2.2
 * "Choosing a Value" and 2.3 "Learning a Chosen Value"; the TLA+ counterpart is Paxos.tla
 * (tlaplus/Examples, specifications/Paxos), whose Phase1a/1b/2a/2b actions these handlers follow.
 *
 * Roles: acceptors are nodes n1..nA, proposers the next P nodes. Proposer k owns ballots k,
 * k+P, k+2P, … up to the `ballots` bound (distinct ballots, never reused: the last one started
 * is durable), and proposes its own value vk unless phase 1 tells it otherwise. Each proposer is
 * also the learner of its own ballots: it counts the 2b messages of its current ballot.
 *
 * - Phase 1a: a proposer starts ballot b (a spontaneous local step, which also models a timeout
 *   or a preemption) and sends 1a(b) to every acceptor.
 * - Phase 1b: an acceptor whose promise is below b promises b and answers 1b(b, vbal, vval), the
 *   last ballot and value it accepted (vbal = 0: none).
 * - Phase 2a: with 1b(b) from a quorum, the proposer proposes the value of the highest-ballot
 *   report, or its own value when none of them accepted anything, and sends 2a(b, v) to every
 *   acceptor.
 * - Phase 2b: an acceptor whose promise is at most b accepts (b, v), promises b, and sends
 *   2b(b, v) to the proposer, which learns v once a quorum of 2b(b, v) arrived.
 *
 * An acceptor's promise and accepted (ballot, value) are durable: they survive a crash. The
 * ghost {@link PaxosHistory} records every 2b vote, every promise and every value proposed, so
 * `specs/paxos.ts` computes what is chosen (a majority voted for it in one ballot) from outside.
 *
 * Known-bug variants ({@link PAXOS_BUGS}) each flip one flag of {@link paxosProtocol}.
 */
import { assertNever } from '../../../../impl/core/machine.ts';
import type { Encoder } from '../../../../impl/core/encode.ts';
import { envMachine, type EnvMachine } from '../../../../impl/env/machine.ts';
import { nodeName } from '../../../../impl/env/partition.ts';
import type { EnvConfig } from '../../../../impl/env/config.ts';
import { defineProtocol, type Ctx, type Effect, type EnvState, type NodeId, type NodeView, type Protocol, type Reaction } from '../../../../impl/env/types.ts';
import {
  emptyHistory,
  encodeHistory,
  paxosInvariants,
  paxosProperties,
  paxosWitnesses,
  recordInput,
  recordPromise,
  recordRestart,
  recordVote,
  refinesConsensus,
  renameHistory,
  viewHistory,
  type Ballot,
  type Learned,
  type PaxosHistory,
  type PaxosObserver,
  type Value,
} from './spec.ts';
import { valueName } from '../../../../specs/consensus.ts';
import {
  acceptorIds,
  bit,
  checkShape,
  majority,
  nextBallot,
  ownValue,
  paxosEnvConfig,
  popcount,
  renameBits,
  showSet,
  type PaxosShape,
} from './common.ts';

/** Paxos's messages (Paxos.tla's "1a", "1b", "2a", "2b"). */
export type PaxosMsg =
  | { readonly type: '1a'; readonly bal: Ballot }
  | { readonly type: '1b'; readonly bal: Ballot; readonly vbal: Ballot; readonly vval: Value }
  | { readonly type: '2a'; readonly bal: Ballot; readonly val: Value }
  | { readonly type: '2b'; readonly bal: Ballot; readonly val: Value };

/** An acceptor's durable state: its promise (maxBal) and last accepted ballot and value. */
export interface AcceptorDurable {
  readonly role: 'acceptor';
  /** The promised ballot, when the promise is durable (always 0 in forgetful-acceptor). */
  readonly promised: Ballot;
  /** The ballot of the last accepted proposal (0: none), maxVBal in Paxos.tla. */
  readonly vbal: Ballot;
  /** The value of the last accepted proposal (0: none), maxVal. */
  readonly vval: Value;
}
/** An acceptor's volatile state: nothing, except the promise in forgetful-acceptor. */
export interface AcceptorVolatile {
  readonly role: 'acceptor';
  /** The promised ballot, when the promise is volatile (forgetful-acceptor; else always 0). */
  readonly promised: Ballot;
}
/** A proposer's durable state: the last ballot it started (0: none), never reused. */
export interface ProposerDurable {
  readonly role: 'proposer';
  readonly ballot: Ballot;
}
/** Where a proposer is in its current ballot. */
export type ProposerPhase = 'idle' | 'prepare' | 'accept';
/** A proposer's (and learner's) volatile state, for its current ballot. */
export interface ProposerVolatile {
  readonly role: 'proposer';
  readonly phase: ProposerPhase;
  /** Acceptors that sent 1b for the current ballot. */
  readonly promises: number;
  /** The highest accepted ballot reported in those 1b (-1: no report yet; 0: none accepted). */
  readonly hbal: number;
  /** Its value. */
  readonly hval: Value;
  /** The value proposed in phase 2 (0 before). */
  readonly value: Value;
  /** Acceptors whose 2b for the current ballot arrived (the learner's count). */
  readonly votes: number;
  /** The value learned from a quorum of 2b, or null. */
  readonly learned: Value | null;
}

/** A spontaneous step: a proposer starts `ballot` (phase 1a). */
export interface PaxosLocal {
  readonly type: 'prepare';
  readonly ballot: Ballot;
}

/** Single-decree Paxos's types, for the environment. */
export interface PaxosTypes {
  readonly durable: AcceptorDurable | ProposerDurable;
  readonly volatile: AcceptorVolatile | ProposerVolatile;
  readonly msg: PaxosMsg;
  readonly local: PaxosLocal;
  readonly ghost: PaxosHistory;
}

/** Paxos's state in the environment. */
export type PaxosState = EnvState<PaxosTypes>;
/** Paxos's machine. */
export type PaxosMachine = EnvMachine<PaxosTypes>;

/** The known-bug variants, and the checks each must break. */
export const PAXOS_BUGS = {
  'forgetful-acceptor': {
    doc: 'the promise is volatile: a restarted acceptor has forgotten it and accepts an older ballot',
    breaks: ['agreement', 'promise-monotonic', 'refines-consensus'],
  },
  'ignore-accepted': {
    doc: 'in phase 2 the proposer proposes its own value, not the value of the highest ballot reported in phase 1b',
    breaks: ['agreement', 'refines-consensus'],
  },
  'minority-quorum': {
    doc: 'quorums are floor(N/2) acceptors, so two quorums need not intersect',
    breaks: ['agreement', 'learned-chosen', 'refines-consensus'],
  },
  'accept-below-promise': {
    doc: 'an acceptor accepts a 2a whose ballot is below its promise',
    breaks: ['agreement', 'accept-respects-promise', 'refines-consensus'],
  },
  'null-value': {
    doc: "a 1b reporting nothing accepted reads as value nil accepted in ballot 0, and the proposer proposes nil, a value nobody proposed",
    breaks: ['validity', 'refines-consensus'],
  },
} as const;
/** A known-bug variant's name, or none. */
export type PaxosBug = keyof typeof PAXOS_BUGS | 'none';

/** The switches the known-bug variants flip (all false: the correct protocol). */
export interface PaxosFlags {
  /** forgetful-acceptor: the promise lives in volatile state. */
  readonly volatilePromise: boolean;
  /** ignore-accepted: phase 2a ignores the values reported in 1b. */
  readonly ignoreAccepted: boolean;
  /** minority-quorum: quorums of floor(N/2). */
  readonly minorityQuorum: boolean;
  /** accept-below-promise: phase 2b does not compare the ballot with the promise. */
  readonly acceptBelowPromise: boolean;
  /** null-value: phase 2a adopts a report of "nothing accepted" as value nil. */
  readonly nullValue: boolean;
}

/** The flags of a bug variant. */
export function paxosFlags(bug: PaxosBug): PaxosFlags {
  return {
    volatilePromise: bug === 'forgetful-acceptor',
    ignoreAccepted: bug === 'ignore-accepted',
    minorityQuorum: bug === 'minority-quorum',
    acceptBelowPromise: bug === 'accept-below-promise',
    nullValue: bug === 'null-value',
  };
}

/** An acceptor's state as its handler sees it, wherever the promise is kept. */
interface AcceptorView {
  readonly promised: Ballot;
  readonly vbal: Ballot;
  readonly vval: Value;
}

/** A proposer's volatile state, built field by field (this is on the hot path). */
const proposerState = (
  phase: ProposerPhase,
  promises: number,
  hbal: number,
  hval: Value,
  value: Value,
  votes: number,
  learned: Value | null,
): ProposerVolatile => ({ role: 'proposer', phase, promises, hbal, hval, value, votes, learned });
const IDLE: ProposerVolatile = proposerState('idle', 0, -1, 0, 0, 0, null);
const PREPARING: ProposerVolatile = proposerState('prepare', 0, -1, 0, 0, 0, null);
const ACCEPTOR_FRESH: AcceptorVolatile = { role: 'acceptor', promised: 0 };
const PHASE_CODE: Readonly<Record<ProposerPhase, number>> = { idle: 0, prepare: 1, accept: 2 };
const MSG_CODE = { '1a': 0, '1b': 1, '2a': 2, '2b': 3 } as const;

type P = PaxosTypes;

/** The single-decree Paxos protocol for `shape`, with the given bug flags. */
export function paxosProtocol(shape: PaxosShape, flags: PaxosFlags = paxosFlags('none')): Protocol<P> {
  const acceptors = acceptorIds(shape);
  const quorum = flags.minorityQuorum ? Math.floor(shape.acceptors / 2) : majority(shape.acceptors);

  // Where the promise lives: durable (correct), or volatile (forgetful-acceptor).
  const load = (node: NodeView<P>): AcceptorView => {
    const d = node.durable as AcceptorDurable;
    const v = node.volatile as AcceptorVolatile;
    return { promised: flags.volatilePromise ? v.promised : d.promised, vbal: d.vbal, vval: d.vval };
  };
  const store = (a: AcceptorView): Reaction<P> =>
    flags.volatilePromise
      ? { durable: { role: 'acceptor', promised: 0, vbal: a.vbal, vval: a.vval }, volatile: { role: 'acceptor', promised: a.promised } }
      : { durable: { role: 'acceptor', promised: a.promised, vbal: a.vbal, vval: a.vval }, volatile: ACCEPTOR_FRESH };

  /** Does phase 2a take the reported value? Correct: only if some acceptor accepted one. */
  const adopts = (hbal: number): boolean => (flags.ignoreAccepted ? false : flags.nullValue ? hbal >= 0 : hbal > 0);

  /** An acceptor receives a message (Phase1b and Phase2b of Paxos.tla). */
  const stepAcceptor = (ctx: Ctx<P>, node: NodeView<P>, msg: PaxosMsg, from: NodeId): Reaction<P> => {
    const a = load(node);
    switch (msg.type) {
      case '1a': {
        // Promise only to a ballot above every ballot promised before.
        if (msg.bal <= a.promised) return node;
        return {
          ...store({ promised: msg.bal, vbal: a.vbal, vval: a.vval }),
          effects: [
            ctx.send(from, { type: '1b', bal: msg.bal, vbal: a.vbal, vval: a.vval }),
            ctx.ghost((g) => recordPromise(g, ctx.self, msg.bal)),
          ],
        };
      }
      case '2a': {
        // Accept unless that breaks a promise to a higher ballot.
        if (msg.bal < a.promised && !flags.acceptBelowPromise) return node;
        const promised = Math.max(a.promised, msg.bal);
        return {
          ...store({ promised, vbal: msg.bal, vval: msg.val }),
          effects: [
            ctx.send(from, { type: '2b', bal: msg.bal, val: msg.val }),
            ctx.ghost((g) => recordPromise(recordVote(g, 0, msg.bal, msg.val, ctx.self), ctx.self, promised)),
          ],
        };
      }
      case '1b':
      case '2b':
        return node; // proposers' messages; never sent to an acceptor
      default:
        return assertNever(msg);
    }
  };

  /** A proposer (and learner) receives a message. */
  const stepProposer = (ctx: Ctx<P>, node: NodeView<P>, msg: PaxosMsg, from: NodeId): Reaction<P> => {
    const d = node.durable as ProposerDurable;
    const v = node.volatile as ProposerVolatile;
    switch (msg.type) {
      case '1b': {
        if (v.phase !== 'prepare' || msg.bal !== d.ballot) return node; // a late or stale reply
        const promises = v.promises | bit(from);
        const higher = msg.vbal > v.hbal;
        const hbal = higher ? msg.vbal : v.hbal;
        const hval = higher ? msg.vval : v.hval;
        if (popcount(promises) < quorum) return { durable: d, volatile: proposerState(v.phase, promises, hbal, hval, v.value, v.votes, v.learned) };
        // Phase 2a, where agreement is won (P2c in the paper). Suppose value w is chosen, or can
        // still be chosen, in a ballot c < b: that needs a majority voting for w in c, and that
        // majority shares an acceptor a with this quorum. a has promised b, so it never votes in
        // c after its 1b: it voted for w in c before, and reported a ballot >= c. By induction
        // on ballots, every proposal between c and b also carried w, so the highest-ballot
        // report here carries w, and proposing it keeps agreement. With no report at all,
        // nothing can be chosen below b, and the proposer is free to propose its own value.
        const own = ownValue(shape, ctx.self);
        const value = adopts(hbal) ? hval : own;
        const effects: Effect<P>[] = acceptors.map((acc) => ctx.send(acc, { type: '2a', bal: d.ballot, val: value }));
        if (value === own) effects.push(ctx.ghost((g) => recordInput(g, own)));
        return { durable: d, volatile: proposerState('accept', promises, hbal, hval, value, v.votes, v.learned), effects };
      }
      case '2b': {
        if (v.phase !== 'accept' || msg.bal !== d.ballot || v.learned !== null) return node;
        const votes = v.votes | bit(from);
        // Learning: a quorum of acceptors accepted (ballot, value): the value is chosen.
        if (popcount(votes) < quorum) return { durable: d, volatile: proposerState(v.phase, v.promises, v.hbal, v.hval, v.value, votes, v.learned) };
        return { durable: d, volatile: proposerState(v.phase, v.promises, v.hbal, v.hval, v.value, votes, msg.val), effects: [ctx.note(`learns ${valueName(msg.val)}`)] };
      }
      case '1a':
      case '2a':
        return node; // acceptors' messages; never sent to a proposer
      default:
        return assertNever(msg);
    }
  };

  return defineProtocol<P>({
    name: 'paxos',
    initGhost: emptyHistory(shape.acceptors),
    init: (ctx) =>
      ctx.self <= shape.acceptors ? store({ promised: 0, vbal: 0, vval: 0 }) : { durable: { role: 'proposer', ballot: 0 }, volatile: IDLE },
    onRestart(ctx, durable) {
      if (durable.role === 'proposer') return { durable, volatile: IDLE };
      const a = load({ durable, volatile: ACCEPTOR_FRESH });
      return { ...store(a), effects: [ctx.ghost((g) => recordRestart(g, shape.acceptors, 1))] };
    },
    // One entry point: route by role. The common rule of Paxos (ignore what is below your
    // ballot) differs by role, so it lives in each handler's first lines.
    onMessage(ctx, node, msg, from) {
      const role = node.durable.role;
      switch (role) {
        case 'acceptor':
          return stepAcceptor(ctx, node, msg, from);
        case 'proposer':
          return stepProposer(ctx, node, msg, from);
        default:
          return assertNever(role);
      }
    },
    localActions(ctx, node) {
      if (node.durable.role !== 'proposer') return [];
      const v = node.volatile as ProposerVolatile;
      if (v.learned !== null) return [];
      const b = nextBallot(shape, ctx.self, node.durable.ballot);
      return b === 0 ? [] : [{ type: 'prepare', ballot: b }];
    },
    // Phase 1a: start a new ballot; what happened in the previous one is abandoned.
    onLocal: (ctx, _node, a) => ({
      durable: { role: 'proposer', ballot: a.ballot },
      volatile: PREPARING,
      effects: acceptors.map((acc) => ctx.send(acc, { type: '1a', bal: a.ballot })),
    }),
    encodeDurable(d, out) {
      if (d.role === 'acceptor') {
        out.int(0);
        out.int(d.promised);
        out.int(d.vbal);
        out.int(d.vval);
      } else {
        out.int(1);
        out.int(d.ballot);
      }
    },
    encodeVolatile(v, out) {
      if (v.role === 'acceptor') {
        out.int(v.promised);
        return;
      }
      out.int(PHASE_CODE[v.phase]);
      out.int(v.promises);
      out.int(v.hbal);
      out.int(v.hval);
      out.int(v.value);
      out.int(v.votes);
      out.int(v.learned === null ? -1 : v.learned);
    },
    encodeMessage(m, out) {
      out.int(MSG_CODE[m.type]);
      out.int(m.bal);
      switch (m.type) {
        case '1a':
          break;
        case '1b':
          out.int(m.vbal);
          out.int(m.vval);
          break;
        case '2a':
        case '2b':
          out.int(m.val);
          break;
        default:
          assertNever(m);
      }
    },
    encodeGhost: (g: PaxosHistory, out: Encoder) => encodeHistory(g, out),
    formatMessage: formatPaxosMessage,
    formatLocal: (a) => `prepare(b${a.ballot})`,
    viewDurable: (d) => (d.role === 'acceptor' ? { promised: d.promised, accepted: d.vbal === 0 ? null : `b${d.vbal} ${valueName(d.vval)}` } : { ballot: d.ballot }),
    viewVolatile: (v) =>
      v.role === 'acceptor'
        ? v.promised === 0
          ? {}
          : { promised: v.promised }
        : {
            phase: v.phase,
            promises: showSet(v.promises),
            highest: v.hbal <= 0 ? null : `b${v.hbal} ${valueName(v.hval)}`,
            value: v.phase === 'accept' ? valueName(v.value) : null,
            votes: showSet(v.votes),
            learned: v.learned === null ? null : valueName(v.learned),
          },
    viewGhost: (g) => viewHistory(g, 1, nodeName),
    // Acceptors are interchangeable (proposers are not: they own different ballots and values).
    symmetry: {
      classes: () => [acceptors],
      renameVolatile: (v, f) =>
        v.role === 'acceptor' || (v.promises === 0 && v.votes === 0)
          ? v
          : proposerState(v.phase, renameBits(v.promises, f), v.hbal, v.hval, v.value, renameBits(v.votes, f), v.learned),
      renameGhost: (g, f) => renameHistory(g, f),
      signature: (node) => {
        const d = node.durable;
        if (d.role !== 'acceptor') return 0;
        const p = node.volatile === null ? 0 : (node.volatile as AcceptorVolatile).promised;
        return ((d.promised * 64 + p) * 64 + d.vbal) * 32 + d.vval;
      },
    },
  });
}

/** A message's label: `1a(b1)`, `1b(b2, accepted b1 v1)`, `2a(b1, v1)`, `2b(b1, v1)`. */
export function formatPaxosMessage(m: PaxosMsg): string {
  switch (m.type) {
    case '1a':
      return `1a(b${m.bal})`;
    case '1b':
      return `1b(b${m.bal}, ${m.vbal === 0 ? 'none accepted' : `accepted b${m.vbal} ${valueName(m.vval)}`})`;
    case '2a':
    case '2b':
      return `${m.type}(b${m.bal}, ${valueName(m.val)})`;
    default:
      return assertNever(m);
  }
}

/** How `specs/paxos.ts` reads a single-decree Paxos state. */
export function paxosObserver(shape: PaxosShape): PaxosObserver<PaxosState> {
  const learners = Array.from({ length: shape.proposers }, (_, k) => shape.acceptors + k + 1);
  return {
    acceptors: shape.acceptors,
    proposers: shape.proposers,
    slots: 1,
    values: Array.from({ length: shape.proposers }, (_, k) => k + 1),
    name: nodeName,
    history: (s) => s.ghost,
    promise(s, a) {
      const slot = s.nodes[a - 1]!;
      if (!slot.up) return null;
      // Wherever the protocol keeps it: one of the two is always 0.
      return Math.max((slot.durable as AcceptorDurable).promised, (slot.volatile as AcceptorVolatile).promised);
    },
    learned(s) {
      let out: Learned[] | undefined;
      for (const id of learners) {
        const slot = s.nodes[id - 1]!;
        const v = slot.volatile as ProposerVolatile | null;
        if (v !== null && v.learned !== null) (out ??= []).push({ learner: id, slot: 0, value: v.learned });
      }
      return out ?? [];
    },
  };
}

/** The parameters of {@link makePaxos}: the shape and the environment's faults. */
export type PaxosParams = PaxosShape & Partial<EnvConfig>;

/**
 * Single-decree Paxos in the environment, with every check of `specs/paxos.ts`: invariants
 * `agreement`, `validity`, `learned-chosen`; properties `promise-monotonic`,
 * `accept-respects-promise`, `refines-consensus`; the witnesses.
 */
export function makePaxos(p: PaxosParams, bug: PaxosBug = 'none'): PaxosMachine {
  const shape: PaxosShape = { acceptors: p.acceptors, proposers: p.proposers, ballots: p.ballots };
  checkShape('paxos', shape, bug === 'minority-quorum');
  const o = paxosObserver(shape);
  const m = envMachine(paxosProtocol(shape, paxosFlags(bug)), paxosEnvConfig(p, shape), {
    name: 'paxos',
    invariants: paxosInvariants(o),
    properties: [...paxosProperties(o), refinesConsensus(o)],
    sometimes: paxosWitnesses(o),
  });
  return m;
}
