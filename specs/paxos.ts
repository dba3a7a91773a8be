/**
 * What "correct" means for Paxos (Lamport, "Paxos Made Simple", 2001, section 2; the TLA+
 * modules Paxos.tla and Voting.tla in tlaplus/Examples, specifications/Paxos), computed from
 * outside the protocol: from the ghost {@link PaxosHistory} the machines keep, and from the
 * acceptors' promises.
 *
 * A value `v` is **chosen** in a slot when a majority of the acceptors voted (sent 2b) for `v`
 * in the same ballot of that slot: Voting.tla's `ChosenAt`, and the refinement mapping to
 * Consensus.
 *
 * - `agreement`: at most one value is chosen per slot;
 * - `validity`: a chosen value is one that a proposer proposed as its own;
 * - `learned-chosen`: what a learner learned (by counting 2b messages) is chosen;
 * - `promise-monotonic` (transition): an acceptor never acts on a promise below one it made;
 * - `accept-respects-promise` (transition): an acceptor never votes below its promise;
 * - `refines-consensus` (transition): every step maps to a Consensus step or a stutter.
 *
 * Witnesses: a value is chosen; two proposers compete and still agree; a value is chosen after
 * an acceptor restarted; for Multi-Paxos, every slot of the log is chosen.
 *
 * Every check is symmetric under permutations of the acceptors (none names a particular one).
 */
import type { Invariant, TransitionProperty, Witness } from '../impl/core/machine.ts';
import { refines } from '../impl/core/refinement.ts';
import { analyse, voteKey, type Ballot, type ChosenQuorum, type PaxosHistory, type Value } from '../impl/paxos/history.ts';
import { makeConsensus, valueName, type ConsensusState } from './consensus.ts';

/** What one learner learned in one slot. */
export type Learned = { readonly learner: number; readonly slot: number; readonly value: Value };

/** How the checks read a Paxos machine's state: its history, the promises, what was learned. */
export interface PaxosObserver<S> {
  /** Acceptors are nodes 1..acceptors. */
  readonly acceptors: number;
  /** Proposers; ballot b belongs to proposer ((b - 1) mod proposers) + 1. */
  readonly proposers: number;
  /** Log slots (1 for single-decree Paxos). */
  readonly slots: number;
  /** The values proposers may propose as their own (the Consensus spec's values). */
  readonly values: readonly Value[];
  /** A node's name: `a1`. */
  name(id: number): string;
  history(s: S): PaxosHistory;
  /** Acceptor `a`'s current promise, or null while it is down. */
  promise(s: S, a: number): Ballot | null;
  /** What the learners have learned. */
  learned(s: S): readonly Learned[];
}

/** The Paxos invariants: `agreement`, `validity`, `learned-chosen`. */
export function paxosInvariants<S>(o: PaxosObserver<S>): Invariant<S>[] {
  const at = (slot: number) => (o.slots > 1 ? `slot ${slot + 1}: ` : '');
  const chosenIn = (s: S) => analyse(o.history(s), o.acceptors, o.slots);
  const show = (q: ChosenQuorum) => `${valueName(q.value)} in ballot ${q.ballot} (${q.acceptors.map(o.name).join(',')})`;
  return [
    {
      name: 'agreement',
      symmetric: true,
      doc: 'at most one value is chosen (per slot): two majorities never vote for different values',
      check(s) {
        const a = chosenIn(s);
        for (let slot = 0; slot < o.slots; slot++) {
          if (a.chosen[slot]!.length <= 1) continue;
          const qs = a.quorums.filter((q) => q.slot === slot);
          return `${at(slot)}two values chosen: ${show(qs[0]!)} and ${show(qs.find((q) => q.value !== qs[0]!.value)!)}`;
        }
        return true;
      },
    },
    {
      name: 'validity',
      symmetric: true,
      doc: 'a chosen value was proposed by a proposer as its own',
      check(s) {
        const g = o.history(s);
        const a = chosenIn(s);
        for (let slot = 0; slot < o.slots; slot++) {
          for (const v of a.chosen[slot]!) if (((g.inputs >>> v) & 1) === 0) return `${at(slot)}${valueName(v)} is chosen but no proposer proposed it`;
        }
        return true;
      },
    },
    {
      name: 'learned-chosen',
      symmetric: true,
      doc: 'a value a learner learned by counting 2b messages is chosen',
      check(s) {
        for (const l of o.learned(s)) {
          if (!chosenIn(s).chosen[l.slot]!.includes(l.value)) return `${at(l.slot)}${o.name(l.learner)} learned ${valueName(l.value)}, which no majority voted for`;
        }
        return true;
      },
    },
  ];
}

/** The transition properties: `promise-monotonic`, `accept-respects-promise`. */
export function paxosProperties<S, A>(o: PaxosObserver<S>): TransitionProperty<S, A>[] {
  return [
    {
      name: 'promise-monotonic',
      symmetric: true,
      doc: "an acceptor's promised ballot never decreases: it never acts on a promise below one it made",
      check(prev, _a, next) {
        const made = o.history(prev).promised;
        for (let a = 1; a <= o.acceptors; a++) {
          const p = o.promise(next, a);
          if (p !== null && p < made[a - 1]!) return `${o.name(a)}'s promise went down from ballot ${made[a - 1]} to ${p}`;
        }
        return true;
      },
    },
    {
      name: 'accept-respects-promise',
      symmetric: true,
      doc: 'an acceptor never accepts (votes in) a ballot below its promise',
      check(prev, _a, next) {
        const before = o.history(prev).votes;
        const after = o.history(next).votes;
        if (before === after) return true;
        const old = new Set(before.map(voteKey));
        for (const v of after) {
          if (old.has(voteKey(v))) continue;
          const p = o.promise(prev, v.acceptor);
          if (p !== null && v.ballot < p) {
            return `${o.name(v.acceptor)} accepted ${valueName(v.value)} in ballot ${v.ballot}${o.slots > 1 ? ` (slot ${v.slot + 1})` : ''} below its promise ${p}`;
          }
        }
        return true;
      },
    },
  ];
}

/** The refinement to Consensus: the chosen values per slot map to Consensus's `chosen`. */
export function refinesConsensus<S, A>(o: PaxosObserver<S>): TransitionProperty<S, A> {
  const spec = makeConsensus(o.values, o.slots);
  // Symmetric: the chosen values do not depend on which acceptor is which.
  return { ...refines(spec, (s: S): ConsensusState => ({ chosen: analyse(o.history(s), o.acceptors, o.slots).chosen })), symmetric: true };
}

/** The `sometimes` witnesses (plus `log-filled` when there are several slots). */
export function paxosWitnesses<S>(o: PaxosObserver<S>): Witness<S>[] {
  const owner = (b: Ballot) => (b - 1) % o.proposers;
  const quorums = (s: S) => analyse(o.history(s), o.acceptors, o.slots).quorums;
  return [
    { name: 'value-chosen', symmetric: true, doc: 'a majority of acceptors votes for one value in one ballot', check: (s) => quorums(s).length > 0 },
    {
      name: 'competing-proposers-agree',
      symmetric: true,
      doc: 'two proposers get a value chosen in the same slot, and it is the same value',
      check: (s) => quorums(s).some((q, _i, qs) => qs.some((r) => r.slot === q.slot && r.value === q.value && owner(r.ballot) !== owner(q.ballot))),
    },
    {
      name: 'chosen-after-restart',
      symmetric: true,
      doc: 'an acceptor crashes and restarts, and then a value is chosen',
      check: (s) => o.history(s).restartedUnchosen && quorums(s).length > 0,
    },
    ...(o.slots === 1
      ? []
      : [{ name: 'log-filled', symmetric: true, doc: 'a value is chosen in every slot of the log', check: (s: S) => analyse(o.history(s), o.acceptors, o.slots).chosen.every((c) => c.length > 0) }]),
  ];
}
