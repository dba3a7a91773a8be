/**
 * Multi-Paxos with a stable leader: Lamport, "Paxos Made Simple" (2001), section 3
 * "Implementing a State Machine": one Paxos instance per log slot, phase 1 run once per leader
 * ballot for every slot at once, then phase 2 per slot. A new leader first recovers, from the
 * 1b reports of a quorum, the values accepted in earlier ballots, and re-proposes them in its
 * own ballot before it proposes anything new.
 *
 * Roles: acceptors a1..aA, leaders (proposers) l1..lP. Leader k owns ballots
 * k, k+P, … up to the `ballots` bound and proposes its own value vk in free slots. The log has
 * `slots` entries. Each leader is also the learner of its own ballot, per slot.
 *
 * - Phase 1 (once per ballot): the leader sends 1a(b); an acceptor whose promise is below b
 *   promises b and answers 1b(b, accepted), its last accepted (ballot, value) in every slot.
 * - Recovery: with 1b(b) from a quorum, for every slot the leader takes the value of the
 *   highest-ballot report, if any, and proposes it with 2a(b, slot, v).
 * - Phase 2 (per slot): the leader proposes its own value in the lowest free slot (a local step:
 *   a client command arrived), while fewer than `window` of its proposals are unlearned; an
 *   acceptor whose promise is at most b accepts and sends 2b(b, slot, v) to the leader, which
 *   learns the slot's value from a quorum of 2b.
 *
 * As in "Paxos Made Simple" (phase 2a: "it sends an accept request to each of those
 * acceptors"), 2a goes to the acceptors that promised the ballot, not to all of them; this keeps
 * the state space small enough to exhaust with two slots. (Single-decree `paxos.ts` sends 2a to
 * every acceptor, as Paxos.tla's message set does, so its minority-quorum bug can show.)
 *
 * The acceptors' promise and per-slot accepted values are durable. The ghost
 * {@link PaxosHistory} records every vote, per slot, for the checks of `specs/paxos.ts`
 * (agreement per slot, validity, the refinement to a Consensus instance per slot).
 *
 * Known-bug variant: `skip-recovery`, a new leader that does not recover slot 1 (its recovery
 * loop starts one slot too late), so it proposes its own value where another may be chosen: one
 * override of the recovery rule, at the end of the file. The model (parameters, checks, which
 * checks the variant breaks) is `specs/models/multipaxos.ts`.
 */
import { assertNever } from '../core/machine.ts';
import type { EnvMachine } from '../env/machine.ts';
import { addNode, hasNode, popcount } from '../env/nodeset.ts';
import { S, type AnySchema } from '../env/schema.ts';
import { defineProtocol, type Ctx, type Effect, type EnvState, type NodeId, type NodeView, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
import { ballotSchema, emptyHistory, majority, paxosHistorySchema, recordInput, recordPromise, recordRestart, recordVote, valueName, valueSchema, type Ballot, type Value } from './history.ts';
import { nextBallot, ownValue, type PaxosShape } from './common.ts';

/** Multi-Paxos's data, for a shape: per-slot arrays have one entry per log slot. */
export const multiPaxosSchema = (shape: MultiPaxosShape) => {
  const B = S.int(0, shape.ballots);
  const V = S.int(0, shape.proposers);
  const perSlot = <T extends AnySchema>(x: T) => S.list(x, shape.slots);
  const Bal = ballotSchema(shape.ballots);
  const Val = valueSchema(shape.proposers);
  /** A log slot, from 0; labels count from 1: `slot 1`. */
  const Slot = S.labelled(S.int(0, shape.slots - 1), (i) => `slot ${i + 1}`);
  return {
    durable: S.union('role', {
      /** The promise, and per slot the last accepted ballot (0: none) and value. */
      acceptor: { promised: B, vbal: perSlot(B), vval: perSlot(V) },
      /** The last ballot the leader started. */
      leader: { ballot: B },
    }),
    volatile: S.union('role', {
      acceptor: {},
      leader: {
        phase: S.enum('idle', 'prepare', 'lead'),
        /** Acceptors that sent 1b for the current ballot. */
        promises: S.nodeSet(),
        /** Per slot: the highest accepted ballot reported in those 1b (0: none), and its value. */
        hbal: perSlot(B),
        hval: perSlot(V),
        /** Per slot: the value proposed in the current ballot (0: the slot is free). */
        proposed: perSlot(V),
        /** Per slot: acceptors whose 2b for the current ballot arrived. */
        votes: perSlot(S.nodeSet()),
        /** Per slot: the value learned (0: none yet). */
        learned: perSlot(V),
      },
    }),
    /** Labelled `1a(b1)`, `1b(b2, accepted [b1 v1, -])`, `2a(b1, slot 1, v1)`, `2b(b1, slot 1, v1)`. */
    msg: S.labelled(
      S.union('type', {
        '1a': { bal: Bal },
        '1b': { bal: Bal, vbal: perSlot(Bal), vval: perSlot(Val) },
        '2a': { bal: Bal, slot: Slot, val: Val },
        '2b': { bal: Bal, slot: Slot, val: Val },
      }),
      (m, at) => {
        const bal = at.show(Bal, m.bal);
        switch (m.type) {
          case '1a':
            return `1a(${bal})`;
          case '1b':
            return `1b(${bal}, accepted [${m.vbal.map((b, s) => (b === 0 ? '-' : `${at.show(Bal, b)} ${at.show(Val, m.vval[s]!)}`)).join(', ')}])`;
          default:
            return `${m.type}(${bal}, ${at.show(Slot, m.slot)}, ${at.show(Val, m.val)})`;
        }
      },
    ),
    ghost: paxosHistorySchema(shape.slots, shape.ballots),
    /** A leader's spontaneous steps: start a ballot, `prepare(b3)`, or propose its value in a slot, `propose(slot 1)`. */
    local: S.labelled(S.union('type', { prepare: { ballot: Bal }, propose: { slot: Slot } }), (a, at) =>
      a.type === 'prepare' ? `prepare(${at.show(Bal, a.ballot)})` : `propose(${at.show(Slot, a.slot)})`,
    ),
  };
};

/** Multi-Paxos's types. */
export interface MultiPaxosTypes extends SchemaTypes<ReturnType<typeof multiPaxosSchema>> {
  /** A leader's spontaneous steps: start a ballot (phase 1), or propose its value in a slot. */
  readonly local: { readonly type: 'prepare'; readonly ballot: Ballot } | { readonly type: 'propose'; readonly slot: number };
}
type MultiPaxosMsg = MultiPaxosTypes['msg'];
type MultiPaxosLocal = MultiPaxosTypes['local'];
type MultiAcceptorDurable = Extract<MultiPaxosTypes['durable'], { role: 'acceptor' }>;
type LeaderDurable = Extract<MultiPaxosTypes['durable'], { role: 'leader' }>;
type LeaderVolatile = Extract<MultiPaxosTypes['volatile'], { role: 'leader' }>;

/** Multi-Paxos's state in the environment. */
export type MultiPaxosState = EnvState<MultiPaxosTypes>;
/** Multi-Paxos's machine. */
export type MultiPaxosMachine = EnvMachine<MultiPaxosTypes>;

/** The size of a Multi-Paxos system. */
export interface MultiPaxosShape extends PaxosShape {
  /** Log length. */
  readonly slots: number;
  /** Pipelining: how many slots a leader may have proposed and not yet learned (1: none). */
  readonly window: number;
}

const ACCEPTOR_VOLATILE = { role: 'acceptor' } as const;

type P = MultiPaxosTypes;

const setAt = <T>(xs: readonly T[], i: number, x: T): T[] => {
  const out = xs.slice();
  out[i] = x;
  return out;
};

/** What the known-bug variant changes. */
interface MultiPaxosRules {
  /** Does a new leader recover `slot` from the 1b reports? Correct: every slot. */
  recovers(slot: number): boolean;
}

/** Multi-Paxos's rules as the paper states them. */
const CORRECT_RULES: MultiPaxosRules = { recovers: () => true };

/** The Multi-Paxos protocol for `shape`. */
export function multiPaxosProtocol(shape: MultiPaxosShape, rules: MultiPaxosRules = CORRECT_RULES): Protocol<P> {
  const acceptors = Array.from({ length: shape.acceptors }, (_, i) => i + 1);
  const quorum = majority(shape.acceptors);
  const slots = shape.slots;
  const window = shape.window;
  const zeros: readonly number[] = Array.from({ length: slots }, () => 0);
  const idle: LeaderVolatile = { role: 'leader', phase: 'idle', promises: 0, hbal: zeros, hval: zeros, proposed: zeros, votes: zeros, learned: zeros };

  /** An acceptor receives a message: the per-slot Phase1b and Phase2b of Paxos.tla. */
  const stepAcceptor = (ctx: Ctx<P>, node: NodeView<P>, msg: MultiPaxosMsg, from: NodeId): Reaction<P> => {
    const d = node.durable as MultiAcceptorDurable;
    switch (msg.type) {
      case '1a': {
        if (msg.bal <= d.promised) return node; // promise only to a higher ballot
        return {
          durable: { ...d, promised: msg.bal },
          volatile: node.volatile,
          effects: [ctx.send(from, { type: '1b', bal: msg.bal, vbal: d.vbal, vval: d.vval }), ctx.ghost((g) => recordPromise(g, ctx.self, msg.bal))],
        };
      }
      case '2a': {
        if (msg.bal < d.promised) return node; // accepting would break a promise
        return {
          durable: { role: 'acceptor', promised: msg.bal, vbal: setAt(d.vbal, msg.slot, msg.bal), vval: setAt(d.vval, msg.slot, msg.val) },
          volatile: node.volatile,
          effects: [
            ctx.send(from, { type: '2b', bal: msg.bal, slot: msg.slot, val: msg.val }),
            ctx.ghost((g) => recordPromise(recordVote(g, msg.slot, msg.bal, msg.val, ctx.self), ctx.self, msg.bal)),
          ],
        };
      }
      case '1b':
      case '2b':
        return node; // leaders' messages; never sent to an acceptor
      default:
        return assertNever(msg);
    }
  };

  /** Send 2a(b, slot, v) to the acceptors that promised b ("to each of those acceptors"). */
  const propose = (ctx: Ctx<P>, b: Ballot, slot: number, val: Value, quorumSet: number): Effect<P>[] =>
    acceptors.filter((acc) => hasNode(quorumSet, acc)).map((acc) => ctx.send(acc, { type: '2a', bal: b, slot, val }));

  /** A leader (and learner) receives a message. */
  const stepLeader = (ctx: Ctx<P>, node: NodeView<P>, msg: MultiPaxosMsg, from: NodeId): Reaction<P> => {
    const d = node.durable as LeaderDurable;
    const v = node.volatile as LeaderVolatile;
    switch (msg.type) {
      case '1b': {
        if (v.phase !== 'prepare' || msg.bal !== d.ballot) return node; // a late or stale reply
        const promises = addNode(v.promises, from);
        const hbal = v.hbal.map((h, s) => Math.max(h, msg.vbal[s]!));
        const hval = v.hval.map((h, s) => (msg.vbal[s]! > v.hbal[s]! ? msg.vval[s]! : h));
        if (popcount(promises) < quorum) return { durable: d, volatile: { ...v, promises, hbal, hval } };
        // Recovery, then leadership. Safety: this quorum intersects every quorum of an earlier
        // ballot, so in each slot where a value v was or may still be chosen below b, the
        // highest-ballot report is v (the argument of single-decree Paxos, slot by slot).
        // Re-proposing it in ballot b keeps agreement; a slot with no report is free: nothing
        // can have been chosen there below b.
        const effects: Effect<P>[] = [];
        const proposed = zeros.slice();
        for (let s = 0; s < slots; s++) {
          if (hbal[s]! === 0 || !rules.recovers(s)) continue;
          proposed[s] = hval[s]!;
          effects.push(...propose(ctx, d.ballot, s, hval[s]!, promises));
        }
        effects.push(ctx.note(`leads b${d.ballot}`));
        return { durable: d, volatile: { ...v, phase: 'lead', promises, hbal, hval, proposed }, effects };
      }
      case '2b': {
        if (v.phase !== 'lead' || msg.bal !== d.ballot || v.learned[msg.slot] !== 0) return node;
        const votes = setAt(v.votes, msg.slot, addNode(v.votes[msg.slot]!, from));
        // Learning: a quorum accepted (ballot, slot, value): the slot's value is chosen.
        if (popcount(votes[msg.slot]!) < quorum) return { durable: d, volatile: { ...v, votes } };
        return {
          durable: d,
          volatile: { ...v, votes, learned: setAt(v.learned, msg.slot, msg.val) },
          effects: [ctx.note(`learns slot ${msg.slot + 1} = ${valueName(msg.val)}`)],
        };
      }
      case '1a':
      case '2a':
        return node; // acceptors' messages; never sent to a leader
      default:
        return assertNever(msg);
    }
  };

  return defineProtocol<P>({
    name: 'multipaxos',
    schema: multiPaxosSchema(shape),
    // Acceptors are interchangeable; leaders own different ballots and values.
    roles: { acceptor: { count: shape.acceptors, prefix: 'a' }, leader: { count: shape.proposers, prefix: 'l', symmetric: false } },
    symmetry: {},
    initGhost: emptyHistory(shape.acceptors),
    init: (ctx) =>
      ctx.self <= shape.acceptors
        ? { durable: { role: 'acceptor', promised: 0, vbal: zeros, vval: zeros }, volatile: ACCEPTOR_VOLATILE }
        : { durable: { role: 'leader', ballot: 0 }, volatile: idle },
    onRestart(ctx, durable) {
      if (durable.role === 'leader') return { durable, volatile: idle };
      return { durable, volatile: ACCEPTOR_VOLATILE, effects: [ctx.ghost((g) => recordRestart(g, shape.acceptors, slots))] };
    },
    // One entry point, routed by role; each role's handler starts with its stale-ballot rule.
    onMessage(ctx, node, msg, from) {
      const role = node.durable.role;
      switch (role) {
        case 'acceptor':
          return stepAcceptor(ctx, node, msg, from);
        case 'leader':
          return stepLeader(ctx, node, msg, from);
        default:
          return assertNever(role);
      }
    },
    localActions(ctx, node) {
      if (node.durable.role !== 'leader') return [];
      const v = node.volatile as LeaderVolatile;
      const out: MultiPaxosLocal[] = [];
      if (v.phase === 'lead') {
        // The lowest free slot, while fewer than `window` proposals await their 2b quorum.
        const free = v.proposed.indexOf(0);
        let pending = 0;
        for (let s = 0; s < slots; s++) if (v.proposed[s] !== 0 && v.learned[s] === 0) pending++;
        if (free >= 0 && pending < window) out.push({ type: 'propose', slot: free });
      }
      const b = nextBallot(shape, ctx.self, node.durable.ballot);
      if (b !== 0 && v.learned.includes(0)) out.push({ type: 'prepare', ballot: b });
      return out;
    },
    onLocal(ctx, node, a) {
      switch (a.type) {
        case 'prepare':
          // Phase 1 for every slot at once; the previous ballot is abandoned.
          return {
            durable: { role: 'leader', ballot: a.ballot },
            volatile: { ...idle, phase: 'prepare' },
            effects: acceptors.map((acc) => ctx.send(acc, { type: '1a', bal: a.ballot })),
          };
        case 'propose': {
          // Phase 2 for one slot: a client command (the leader's own value) goes into the log.
          const d = node.durable as LeaderDurable;
          const v = node.volatile as LeaderVolatile;
          const own = ownValue(shape, ctx.self);
          return {
            durable: d,
            volatile: { ...v, proposed: setAt(v.proposed, a.slot, own) },
            effects: [...propose(ctx, d.ballot, a.slot, own, v.promises), ctx.ghost((g) => recordInput(g, own))],
          };
        }
        default:
          return assertNever(a);
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The known-bug variant, one override of the recovery rule.

/** What each known-bug variant does wrong. */
export const MULTIPAXOS_VARIANTS = {
  'skip-recovery': 'a new leader does not recover slot 1 (its recovery loop starts one slot late) and may propose its own value there',
} as const;
/** A known-bug variant's name, or none. */
export type MultiPaxosBug = keyof typeof MULTIPAXOS_VARIANTS | 'none';

/** The protocol, correct or with a known bug. */
export function buggyMultiPaxos(shape: MultiPaxosShape, bug: MultiPaxosBug): Protocol<P> {
  switch (bug) {
    case 'none':
      return multiPaxosProtocol(shape);
    case 'skip-recovery':
      return multiPaxosProtocol(shape, { recovers: (slot) => slot > 0 });
    default:
      return assertNever(bug);
  }
}
