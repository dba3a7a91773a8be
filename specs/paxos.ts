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
import { S, type Infer } from '../impl/env/schema.ts';
import { makeConsensus, valueName, type ConsensusState } from './consensus.ts';

/** A ballot number; 0 means "none". */
export type Ballot = number;
/** A value: proposer k's own value is k (`v1`, `v2`, …); 0 means "no value" (`nil`). */
export type Value = number;

/** The largest slot count, ballot number and value a history holds. */
export const PAXOS_LIMITS = { slots: 8, ballot: 63, value: 31, acceptors: 16 } as const;

/** The ghost history's schema: acceptors are the nodes of role `acceptor`. */
export const paxosHistorySchema = (slots: number, ballots: number) => {
  const B = S.int(0, ballots);
  return S.record({
    /** Every 2b vote cast: acceptor voted for value in ballot of slot (from 0). */
    // (Fields declared least significant first: the packed words then sort like voteKey, the
    // order recordVote keeps, and the encoder needs no sort.)
    votes: S.set(S.record({ acceptor: S.node('acceptor'), value: S.int(0, PAXOS_LIMITS.value), ballot: B, slot: S.int(0, slots - 1) })),
    /** The values proposers put forward as their own (bit v for value v). */
    inputs: S.int(0, 0x7fffffff),
    /** Per acceptor: the highest ballot it has promised, by a 1b or by accepting. */
    promised: S.perRole('acceptor', B),
    /** Some acceptor restarted while no value was chosen yet. */
    restartedUnchosen: S.bool(),
  });
};

/** The ghost history a Paxos machine keeps for its checks; nodes never read it. */
export type PaxosHistory = Infer<ReturnType<typeof paxosHistorySchema>>;
/** One 2b vote. */
export type Vote = PaxosHistory['votes'][number];

/** The order of votes: (slot, ballot, value, acceptor). */
const voteKey = (v: Vote): number => ((v.slot * 64 + v.ballot) * 32 + v.value) * 32 + v.acceptor;

/** The empty history for `acceptors` acceptors. */
export function emptyHistory(acceptors: number): PaxosHistory {
  return { votes: [], inputs: 0, promised: Array.from({ length: acceptors }, () => 0), restartedUnchosen: false };
}

/** The history with one more vote (a no-op when that vote was already cast). */
export function recordVote(g: PaxosHistory, slot: number, ballot: Ballot, value: Value, acceptor: number): PaxosHistory {
  const v: Vote = { slot, ballot, value, acceptor };
  const k = voteKey(v);
  if (g.votes.some((x) => voteKey(x) === k)) return g;
  return { ...g, votes: [...g.votes, v].sort((a, b) => voteKey(a) - voteKey(b)) };
}

/** The history after acceptor `a` (its rank among acceptors is a - 1) promised `ballot`, if higher than before. */
export function recordPromise(g: PaxosHistory, a: number, ballot: Ballot): PaxosHistory {
  if (g.promised[a - 1]! >= ballot) return g;
  const promised = g.promised.slice();
  promised[a - 1] = ballot;
  return { ...g, promised };
}

/** The history after a proposer put forward its own value. */
export function recordInput(g: PaxosHistory, value: Value): PaxosHistory {
  const inputs = g.inputs | (1 << value);
  return inputs === g.inputs ? g : { ...g, inputs };
}

/** The history after an acceptor restarted (remembered if nothing was chosen yet). */
export function recordRestart(g: PaxosHistory, acceptors: number, slots: number): PaxosHistory {
  if (g.restartedUnchosen || analyse(g, acceptors, slots).quorums.length > 0) return g;
  return { ...g, restartedUnchosen: true };
}

/** A majority of the acceptors voted for `value` in `ballot` of `slot`: these acceptors (ids). */
export interface ChosenQuorum {
  readonly slot: number;
  readonly ballot: Ballot;
  readonly value: Value;
  readonly acceptors: readonly number[];
}

/** What the history says was chosen. */
export interface PaxosAnalysis {
  /** Per slot: the chosen values, sorted (at most one, when the protocol is correct). */
  readonly chosen: readonly (readonly Value[])[];
  /** Every (slot, ballot, value) with a majority of votes. */
  readonly quorums: readonly ChosenQuorum[];
}

const analyses = new WeakMap<readonly Vote[], PaxosAnalysis>();

/** What was chosen, per slot. Cached by the identity of the vote list (histories share it). */
export function analyse(g: PaxosHistory, acceptors: number, slots: number): PaxosAnalysis {
  const cached = analyses.get(g.votes);
  if (cached !== undefined && cached.chosen.length === slots) return cached;
  const majority = Math.floor(acceptors / 2) + 1;
  const groups = new Map<number, { readonly v: Vote; readonly acceptors: number[] }>();
  for (const v of g.votes) {
    const k = voteKey(v) >>> 5;
    const e = groups.get(k);
    if (e) e.acceptors.push(v.acceptor);
    else groups.set(k, { v, acceptors: [v.acceptor] });
  }
  const quorums: ChosenQuorum[] = [];
  const chosen: Value[][] = Array.from({ length: slots }, () => []);
  for (const [, { v, acceptors: who }] of [...groups].sort((a, b) => a[0] - b[0])) {
    if (who.length < majority) continue;
    quorums.push({ slot: v.slot, ballot: v.ballot, value: v.value, acceptors: who });
    const c = chosen[v.slot]!;
    if (!c.includes(v.value)) c.push(v.value);
    c.sort((a, b) => a - b);
  }
  const r = { chosen, quorums };
  analyses.set(g.votes, r);
  return r;
}

/** What one learner learned in one slot. */
export interface Learned {
  readonly learner: number;
  readonly slot: number;
  readonly value: Value;
}

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
  const out: Witness<S>[] = [
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
  ];
  if (o.slots > 1) {
    out.push({
      name: 'log-filled',
      symmetric: true,
      doc: 'a value is chosen in every slot of the log',
      check: (s) => analyse(o.history(s), o.acceptors, o.slots).chosen.every((c) => c.length > 0),
    });
  }
  return out;
}
