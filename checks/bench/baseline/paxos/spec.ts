/**
 * BENCH-ONLY BASELINE: a frozen copy of specs/paxos.ts as it was before the port onto the schema (issue 13;
 * from commit f91b98e^, imports re-pointed to impl/core, the registry entry left out), with its
 * hand-written encoders, views, renamers and signatures. Only checks/bench/port.ts imports it; do not edit.
 */
/**
 * What "correct" means for Paxos (Lamport, "Paxos Made Simple", 2001, section 2; the TLA+
 * modules Paxos.tla and Voting.tla in tlaplus/Examples, specifications/Paxos): invariants,
 * transition properties, `sometimes` witnesses and the refinement to {@link makeConsensus},
 * all computed from outside the protocol, from the ghost {@link PaxosHistory} the machines keep
 * and from the acceptors' state.
 *
 * A value `v` is **chosen** in a slot when a majority of the acceptors voted (sent 2b) for `v`
 * in the same ballot of that slot. This is Voting.tla's `ChosenAt`, and the refinement mapping
 * to Consensus: `chosen = { v : some ballot b has a majority of 2b votes for v }`.
 *
 * - `agreement` (the single-value-chosen property): at most one value is chosen per slot;
 * - `validity`: a chosen value is one that a proposer proposed as its own;
 * - `learned-chosen`: what a learner learned (by counting 2b messages) is chosen;
 * - `promise-monotonic` (transition): an acceptor never acts on a promise below one it made;
 * - `accept-respects-promise` (transition): an acceptor never votes below its promise;
 * - `refines-consensus` (transition): every step maps to a Consensus step or a stutter.
 *
 * Witnesses: a value is chosen; two proposers compete and still agree (the same value chosen
 * in ballots of two proposers); a value is chosen after an acceptor restarted; for Multi-Paxos,
 * every slot of the log is chosen.
 */
import type { Invariant, TransitionProperty, Witness } from '../../../../impl/core/machine.ts';
import type { Encoder } from '../../../../impl/core/encode.ts';
import { refines } from '../../../../impl/core/refinement.ts';
import { makeConsensus, valueName, type ConsensusState } from '../../../../specs/consensus.ts';

/** A ballot number; 0 means "none". */
export type Ballot = number;
/** A value: proposer k's own value is k (`v1`, `v2`, …); 0 means "no value" (`nil`). */
export type Value = number;

/** The largest slot count, ballot number, value and acceptor id the vote packing holds. */
export const PAXOS_LIMITS = { slots: 8, ballot: 63, value: 31, acceptors: 16 } as const;

/**
 * The ghost history a Paxos machine keeps for its checks. Handlers only add to it (through the
 * `record*` helpers below); nodes never read it.
 */
export interface PaxosHistory {
  /** Every 2b vote cast, packed by {@link packVote}, sorted ascending, without repeats. */
  readonly votes: readonly number[];
  /** The values proposers put forward as their own (bit v set for value v). */
  readonly inputs: number;
  /** Per acceptor (index a - 1): the highest ballot it has promised, by a 1b or by accepting. */
  readonly promised: readonly Ballot[];
  /** Some acceptor restarted while no value was chosen yet. */
  readonly restartedUnchosen: boolean;
}

/** One 2b vote: acceptor `acceptor` voted for `value` in `ballot` of `slot` (from 0). */
export interface Vote {
  readonly slot: number;
  readonly ballot: Ballot;
  readonly value: Value;
  readonly acceptor: number;
}

/** Pack a vote into one integer, ordered by (slot, ballot, value, acceptor). */
export function packVote(slot: number, ballot: Ballot, value: Value, acceptor: number): number {
  return (((slot * 64 + ballot) * 32 + value) * 32 + acceptor) | 0;
}

/** Unpack a vote. */
export function unpackVote(x: number): Vote {
  return { slot: x >>> 16, ballot: (x >>> 10) & 63, value: (x >>> 5) & 31, acceptor: x & 31 };
}

/** The empty history for `acceptors` acceptors. */
export function emptyHistory(acceptors: number): PaxosHistory {
  return { votes: [], inputs: 0, promised: Array.from({ length: acceptors }, () => 0), restartedUnchosen: false };
}

/** The history with one more vote (a no-op when that vote was already cast). */
export function recordVote(g: PaxosHistory, slot: number, ballot: Ballot, value: Value, acceptor: number): PaxosHistory {
  const x = packVote(slot, ballot, value, acceptor);
  const vs = g.votes;
  let lo = 0;
  let hi = vs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  if (vs[lo] === x) return g;
  const votes = vs.slice();
  votes.splice(lo, 0, x);
  return { votes, inputs: g.inputs, promised: g.promised, restartedUnchosen: g.restartedUnchosen };
}

/** The history after acceptor `acceptor` promised `ballot` (kept only if higher than before). */
export function recordPromise(g: PaxosHistory, acceptor: number, ballot: Ballot): PaxosHistory {
  if (g.promised[acceptor - 1]! >= ballot) return g;
  const promised = g.promised.slice();
  promised[acceptor - 1] = ballot;
  return { votes: g.votes, inputs: g.inputs, promised, restartedUnchosen: g.restartedUnchosen };
}

/** The history after a proposer put forward its own value `value`. */
export function recordInput(g: PaxosHistory, value: Value): PaxosHistory {
  const inputs = g.inputs | (1 << value);
  return inputs === g.inputs ? g : { votes: g.votes, inputs, promised: g.promised, restartedUnchosen: g.restartedUnchosen };
}

/** The history after an acceptor restarted (remembered if nothing was chosen yet). */
export function recordRestart(g: PaxosHistory, acceptors: number, slots: number): PaxosHistory {
  if (g.restartedUnchosen || analyse(g, acceptors, slots).quorums.length > 0) return g;
  return { votes: g.votes, inputs: g.inputs, promised: g.promised, restartedUnchosen: true };
}

/** The history with every acceptor id a renamed to f(a) (for symmetry reduction). */
export function renameHistory(g: PaxosHistory, f: (id: number) => number): PaxosHistory {
  const votes = g.votes.map((x) => (x & ~31) | f(x & 31)).sort((a, b) => a - b);
  const promised = g.promised.slice();
  g.promised.forEach((b, i) => {
    promised[f(i + 1) - 1] = b;
  });
  return { votes, inputs: g.inputs, promised, restartedUnchosen: g.restartedUnchosen };
}

/** A fast canonical encoding of a history. */
export function encodeHistory(g: PaxosHistory, out: Encoder): void {
  out.int(g.votes.length);
  for (const v of g.votes) out.int(v);
  out.int(g.inputs);
  for (const p of g.promised) out.int(p);
  out.int(g.restartedUnchosen ? 1 : 0);
}

/** A readable view of a history, for traces. */
export function viewHistory(g: PaxosHistory, slots: number, nodeName: (id: number) => string): unknown {
  const votes = g.votes.map((x) => {
    const v = unpackVote(x);
    return `${slots > 1 ? `slot ${v.slot + 1} ` : ''}b${v.ballot} ${valueName(v.value)} by ${nodeName(v.acceptor)}`;
  });
  const inputs: string[] = [];
  for (let v = 0; v <= PAXOS_LIMITS.value; v++) if ((g.inputs >>> v) & 1) inputs.push(valueName(v));
  return {
    votes,
    proposed: inputs,
    promised: Object.fromEntries(g.promised.map((b, i) => [nodeName(i + 1), b])),
    ...(g.restartedUnchosen ? { restartedUnchosen: true } : {}),
  };
}

/** A majority of the acceptors voted for `value` in `ballot` of `slot`: these acceptors. */
export interface ChosenQuorum {
  readonly slot: number;
  readonly ballot: Ballot;
  readonly value: Value;
  /** Bit a - 1 set for acceptor a. */
  readonly acceptors: number;
}

/** What the history says was chosen. */
export interface PaxosAnalysis {
  /** Per slot: the chosen values, sorted (at most one, when the protocol is correct). */
  readonly chosen: readonly (readonly Value[])[];
  /** Every (slot, ballot, value) with a majority of votes. */
  readonly quorums: readonly ChosenQuorum[];
}

/** Analyses cached per (acceptors, slots), by the identity of the vote list. */
const analyses = new Map<number, WeakMap<readonly number[], PaxosAnalysis>>();
let lastVotes: readonly number[] | undefined;
let lastKey = -1;
let lastAnalysis: PaxosAnalysis | undefined;

/**
 * What was chosen: the values with a majority of the `acceptors` voting in the same ballot, per
 * slot. Cached by the identity of the vote list (histories share unchanged vote lists).
 */
export function analyse(g: PaxosHistory, acceptors: number, slots: number): PaxosAnalysis {
  const cacheKey = acceptors * 16 + slots;
  // The checks of one state ask several times in a row: a one-entry memo first.
  if (g.votes === lastVotes && cacheKey === lastKey) return lastAnalysis!;
  let cache = analyses.get(cacheKey);
  if (cache === undefined) analyses.set(cacheKey, (cache = new WeakMap()));
  const cached = cache.get(g.votes);
  if (cached !== undefined) {
    lastVotes = g.votes;
    lastKey = cacheKey;
    lastAnalysis = cached;
    return cached;
  }
  const majority = Math.floor(acceptors / 2) + 1;
  const quorums: ChosenQuorum[] = [];
  const chosen: Value[][] = Array.from({ length: slots }, () => []);
  const vs = g.votes;
  // Votes are sorted by (slot, ballot, value, acceptor): equal (slot, ballot, value) are adjacent.
  let i = 0;
  while (i < vs.length) {
    const group = vs[i]! >>> 5;
    let members = 0;
    let count = 0;
    while (i < vs.length && vs[i]! >>> 5 === group) {
      members |= 1 << ((vs[i]! & 31) - 1);
      count++;
      i++;
    }
    if (count >= majority) {
      const v = unpackVote(group << 5);
      quorums.push({ slot: v.slot, ballot: v.ballot, value: v.value, acceptors: members });
      const c = chosen[v.slot]!;
      if (!c.includes(v.value)) {
        c.push(v.value);
        c.sort((a, b) => a - b);
      }
    }
  }
  const r: PaxosAnalysis = { chosen, quorums };
  cache.set(g.votes, r);
  lastVotes = g.votes;
  lastKey = cacheKey;
  lastAnalysis = r;
  return r;
}

/** What one learner learned in one slot. */
export interface Learned {
  readonly learner: number;
  readonly slot: number;
  readonly value: Value;
}

/**
 * How the checks read a Paxos machine's state from outside: its history, the acceptors'
 * promises, and what the learners learned.
 */
export interface PaxosObserver<S> {
  /** Acceptors are nodes 1..acceptors. */
  readonly acceptors: number;
  /** Proposers; ballot b belongs to proposer ((b - 1) mod proposers) + 1. */
  readonly proposers: number;
  /** Log slots (1 for single-decree Paxos). */
  readonly slots: number;
  /** The values proposers may propose as their own (the Consensus spec's values). */
  readonly values: readonly Value[];
  /** A node's name in messages: `n1`. */
  name(id: number): string;
  history(s: S): PaxosHistory;
  /** Acceptor `a`'s current promise, or null while it is down. */
  promise(s: S, a: number): Ballot | null;
  /** What the learners have learned. */
  learned(s: S): readonly Learned[];
}

const members = (bits: number, name: (id: number) => string): string => {
  const out: string[] = [];
  for (let a = 1; bits !== 0; a++, bits >>>= 1) if (bits & 1) out.push(name(a));
  return out.join(',');
};

/** The Paxos invariants: `agreement`, `validity`, `learned-chosen`. */
export function paxosInvariants<S>(o: PaxosObserver<S>): Invariant<S>[] {
  const slotLabel = (slot: number) => (o.slots > 1 ? `slot ${slot + 1}: ` : '');
  return [
    {
      name: 'agreement',
      doc: 'at most one value is chosen (per slot): two majorities never vote for different values',
      check(s) {
        const a = analyse(o.history(s), o.acceptors, o.slots);
        for (let slot = 0; slot < o.slots; slot++) {
          if (a.chosen[slot]!.length <= 1) continue;
          const qs = a.quorums.filter((q) => q.slot === slot);
          const first = qs[0]!;
          const other = qs.find((q) => q.value !== first.value)!;
          const show = (q: ChosenQuorum) => `${valueName(q.value)} in ballot ${q.ballot} (${members(q.acceptors, o.name)})`;
          return `${slotLabel(slot)}two values chosen: ${show(first)} and ${show(other)}`;
        }
        return true;
      },
    },
    {
      name: 'validity',
      doc: 'a chosen value was proposed by a proposer as its own',
      check(s) {
        const g = o.history(s);
        const a = analyse(g, o.acceptors, o.slots);
        for (let slot = 0; slot < o.slots; slot++) {
          for (const v of a.chosen[slot]!) {
            if (((g.inputs >>> v) & 1) === 0) return `${slotLabel(slot)}${valueName(v)} is chosen but no proposer proposed it`;
          }
        }
        return true;
      },
    },
    {
      name: 'learned-chosen',
      doc: 'a value a learner learned by counting 2b messages is chosen',
      check(s) {
        const learned = o.learned(s);
        if (learned.length === 0) return true;
        const a = analyse(o.history(s), o.acceptors, o.slots);
        for (const l of learned) {
          if (!a.chosen[l.slot]!.includes(l.value)) return `${slotLabel(l.slot)}${o.name(l.learner)} learned ${valueName(l.value)}, which no majority voted for`;
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
      doc: 'an acceptor never accepts (votes in) a ballot below its promise',
      check(prev, _a, next) {
        const before = o.history(prev).votes;
        const after = o.history(next).votes;
        if (before === after) return true;
        const old = new Set(before);
        for (const x of after) {
          if (old.has(x)) continue;
          const v = unpackVote(x);
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

/**
 * The refinement to Consensus: `chosen` (per slot) maps to Consensus's `chosen`, and every step
 * must be a Consensus step (choose a value in a slot with none) or leave it unchanged.
 */
export function refinesConsensus<S, A>(o: PaxosObserver<S>): TransitionProperty<S, A> {
  const spec = makeConsensus(o.values, o.slots);
  return refines(spec, (s: S): ConsensusState => ({ chosen: analyse(o.history(s), o.acceptors, o.slots).chosen }));
}

/** The `sometimes` witnesses (plus `log-filled` when there are several slots). */
export function paxosWitnesses<S>(o: PaxosObserver<S>): Witness<S>[] {
  const owner = (b: Ballot) => (b - 1) % o.proposers;
  const out: Witness<S>[] = [
    {
      name: 'value-chosen',
      doc: 'a majority of acceptors votes for one value in one ballot',
      check: (s) => analyse(o.history(s), o.acceptors, o.slots).quorums.length > 0,
    },
    {
      name: 'competing-proposers-agree',
      doc: 'two proposers get a value chosen in the same slot, and it is the same value',
      check(s) {
        const qs = analyse(o.history(s), o.acceptors, o.slots).quorums;
        for (const q of qs) if (qs.some((r) => r.slot === q.slot && r.value === q.value && owner(r.ballot) !== owner(q.ballot))) return true;
        return false;
      },
    },
    {
      name: 'chosen-after-restart',
      doc: 'an acceptor crashes and restarts, and then a value is chosen',
      check(s) {
        const g = o.history(s);
        return g.restartedUnchosen && analyse(g, o.acceptors, o.slots).quorums.length > 0;
      },
    },
  ];
  if (o.slots > 1) {
    out.push({
      name: 'log-filled',
      doc: 'a value is chosen in every slot of the log',
      check: (s) => analyse(o.history(s), o.acceptors, o.slots).chosen.every((c) => c.length > 0),
    });
  }
  return out;
}
