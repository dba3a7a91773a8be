/**
 * What Raft must never do: the safety properties of the extended Raft paper (Ongaro and
 * Ousterhout 2014, Figure 3 and §5.4.3), checked from outside on the cluster's state and on the
 * ghost history (who became leader in which term, what was first committed at each index), plus
 * transition properties and the `sometimes` witnesses that show the model does something.
 *
 * | name                     | kind       | Figure 3 / meaning                                             |
 * |--------------------------|------------|----------------------------------------------------------------|
 * | `election-safety`        | invariant  | at most one leader per term, over the whole history            |
 * | `log-matching`           | invariant  | same index and term in two logs ⇒ identical up to that index    |
 * | `leader-completeness`    | invariant  | an entry committed in term T is in every leader's log of a later term |
 * | `state-machine-safety`   | invariant  | no two nodes commit different entries at one index; a committed entry never changes |
 * | `leader-append-only`     | transition | a leader never overwrites or deletes entries of its log        |
 * | `term-monotonic`         | transition | currentTerm never decreases                                    |
 * | `commit-monotonic`       | transition | a running node's commitIndex never decreases                   |
 * | `durable-survives-crash` | transition | a crash and a restart leave currentTerm, votedFor and the log as they were |
 */
import type { Invariant, TransitionProperty, Witness } from '../impl/core/machine.ts';
import type { EnvAction, NodeSlot } from '../impl/env/types.ts';
import { nodeName } from '../impl/env/partition.ts';
import { popcount } from '../impl/env/nodeset.ts';
import { formatEntry, isPrefix, namesOf, sameEntry, type RaftState, type RaftTypes } from '../impl/raft/raft.ts';

type Slot = NodeSlot<RaftTypes>;
type RaftAction = EnvAction<RaftTypes>;

/** The volatile state of a running node, or null while it is down. */
function running(slot: Slot): RaftTypes['volatile'] | null {
  return slot.up ? slot.volatile : null;
}

/** Election Safety: at most one leader can be elected in a given term (§5.2). */
export const electionSafety: Invariant<RaftState> = {
  name: 'election-safety',
  symmetric: true,
  doc: 'at most one node becomes leader in any term, over the whole history',
  check(s) {
    const leaders = s.ghost.leaders;
    for (let t = 0; t < leaders.length; t++) {
      if (popcount(leaders[t]!) > 1) return `two leaders in term ${t}: ${namesOf(leaders[t]!).join(' and ')}`;
    }
    return true;
  },
};

/**
 * Log Matching: if two logs contain an entry with the same index and term, the logs are
 * identical in all entries up through that index (§5.3). Logs are durable: crashed nodes count.
 */
export const logMatching: Invariant<RaftState> = {
  name: 'log-matching',
  symmetric: true,
  doc: 'two logs with an entry of the same index and term are identical up to that index',
  check(s) {
    const nodes = s.nodes;
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const x = nodes[a]!.durable.log;
        const y = nodes[b]!.durable.log;
        if (x === y) continue;
        // The last index where the terms agree; everything up to it must be the same entries.
        let k = Math.min(x.length, y.length);
        while (k > 0 && x[k - 1]!.term !== y[k - 1]!.term) k--;
        for (let i = 0; i < k; i++) {
          if (!sameEntry(x[i]!, y[i]!)) {
            return `${nodeName(a + 1)} and ${nodeName(b + 1)} both hold a term-${x[k - 1]!.term} entry at index ${k} but differ at index ${i + 1}: ${formatEntry(x[i]!)} vs ${formatEntry(y[i]!)}`;
          }
        }
      }
    }
    return true;
  },
};

/**
 * Leader Completeness: if an entry is committed in a given term, it is present in the logs of
 * the leaders of every higher term (§5.4). "Committed in term T": the ghost records the term of
 * the node that first committed each index.
 */
export const leaderCompleteness: Invariant<RaftState> = {
  name: 'leader-completeness',
  symmetric: true,
  doc: 'an entry committed in term T is in the log of every leader of a term after T',
  check(s) {
    const committed = s.ghost.committed;
    if (committed.length === 0) return true;
    for (let i = 0; i < s.nodes.length; i++) {
      const slot = s.nodes[i]!;
      const v = running(slot);
      if (v === null || v.role !== 'leader') continue;
      const d = slot.durable;
      for (let k = 0; k < committed.length; k++) {
        const c = committed[k]!;
        if (c.in >= d.term) continue;
        const e = d.log[k];
        if (e === undefined || !sameEntry(e, c)) {
          return `${nodeName(i + 1)} leads term ${d.term} without ${formatEntry(c)} at index ${k + 1}, committed in term ${c.in}${e ? ` (it holds ${formatEntry(e)})` : ''}`;
        }
      }
    }
    return true;
  },
};

/**
 * State Machine Safety: if a server has applied a log entry at a given index, no other server
 * ever applies a different entry at that index (§5.4.3). Entries are applied as they are
 * committed, so: every running node's log, up to its commitIndex, holds exactly the entries
 * first committed at those indices (the ghost record is written once). This also says that a
 * committed entry never changes in a node's log.
 */
export const stateMachineSafety: Invariant<RaftState> = {
  name: 'state-machine-safety',
  symmetric: true,
  doc: 'no two nodes commit different entries at the same index, and a committed entry never changes',
  check(s) {
    const committed = s.ghost.committed;
    for (let i = 0; i < s.nodes.length; i++) {
      const slot = s.nodes[i]!;
      const v = running(slot);
      if (v === null || v.commitIndex === 0) continue;
      const log = slot.durable.log;
      if (v.commitIndex > log.length) return `${nodeName(i + 1)} has commitIndex ${v.commitIndex} beyond its last index ${log.length}`;
      for (let k = 0; k < v.commitIndex; k++) {
        const c = committed[k];
        if (c === undefined) return `${nodeName(i + 1)} counts index ${k + 1} as committed, but no commit of it was recorded`;
        if (!sameEntry(log[k]!, c)) {
          return `${nodeName(i + 1)} has ${formatEntry(log[k]!)} committed at index ${k + 1}, where ${formatEntry(c)} was committed in term ${c.in}`;
        }
      }
    }
    return true;
  },
};

/** Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends (§5.3). */
export const leaderAppendOnly: TransitionProperty<RaftState, RaftAction> = {
  name: 'leader-append-only',
  symmetric: true,
  stutterInvariant: true, // compares node states only, prev against next
  doc: 'while a node leads a term, its log only grows',
  check(prev, _a, next) {
    for (let i = 0; i < prev.nodes.length; i++) {
      const p = prev.nodes[i]!;
      const n = next.nodes[i]!;
      if (p === n) continue;
      const pv = running(p);
      const nv = running(n);
      if (pv?.role !== 'leader' || nv?.role !== 'leader' || p.durable.term !== n.durable.term) continue;
      if (!isPrefix(p.durable.log, n.durable.log)) {
        return `leader ${nodeName(i + 1)} of term ${p.durable.term} changed its log from [${p.durable.log.map(formatEntry).join(' ')}] to [${n.durable.log.map(formatEntry).join(' ')}]`;
      }
    }
    return true;
  },
};

/** currentTerm never decreases (Figure 2: "increases monotonically"), across crashes too. */
export const termMonotonic: TransitionProperty<RaftState, RaftAction> = {
  name: 'term-monotonic',
  symmetric: true,
  stutterInvariant: true, // compares node states only, prev against next
  doc: "no node's currentTerm ever decreases",
  check(prev, _a, next) {
    for (let i = 0; i < prev.nodes.length; i++) {
      const p = prev.nodes[i]!.durable.term;
      const n = next.nodes[i]!.durable.term;
      if (n < p) return `${nodeName(i + 1)}'s term went from ${p} down to ${n}`;
    }
    return true;
  },
};

/**
 * commitIndex never decreases (Figure 2: "increases monotonically") while a node runs; a
 * restart starts it again from 0, as Figure 2's volatile state.
 */
export const commitMonotonic: TransitionProperty<RaftState, RaftAction> = {
  name: 'commit-monotonic',
  symmetric: true,
  stutterInvariant: true, // compares node states only, prev against next
  doc: "no running node's commitIndex ever decreases",
  check(prev, _a, next) {
    for (let i = 0; i < prev.nodes.length; i++) {
      const pv = running(prev.nodes[i]!);
      const nv = running(next.nodes[i]!);
      if (pv === null || nv === null || pv === nv) continue;
      if (nv.commitIndex < pv.commitIndex) return `${nodeName(i + 1)}'s commitIndex went from ${pv.commitIndex} down to ${nv.commitIndex}`;
    }
    return true;
  },
};

function sameDurable(a: RaftTypes['durable'], b: RaftTypes['durable']): boolean {
  return a === b || (a.term === b.term && a.votedFor === b.votedFor && a.log.length === b.log.length && isPrefix(a.log, b.log));
}

function showDurable(d: RaftTypes['durable']): string {
  return `term ${d.term}, votedFor ${d.votedFor === null ? 'none' : nodeName(d.votedFor)}, log [${d.log.map(formatEntry).join(' ')}]`;
}

/** Figure 2's persistent state is updated on stable storage: a crash and a restart keep all of it. */
export const durableSurvivesCrash: TransitionProperty<RaftState, RaftAction> = {
  name: 'durable-survives-crash',
  symmetric: true,
  stutterInvariant: true, // compares node states only, prev against next
  doc: 'a crash and a restart leave currentTerm, votedFor and the log unchanged',
  check(prev, a, next) {
    if (a.type !== 'crash' && a.type !== 'restart') return true;
    const p = prev.nodes[a.node - 1]!.durable;
    const n = next.nodes[a.node - 1]!.durable;
    return sameDurable(p, n) || `${a.type} of ${nodeName(a.node)} changed its durable state from (${showDurable(p)}) to (${showDurable(n)})`;
  },
};

/** Every Raft invariant, in the order they are checked. */
export const RAFT_INVARIANTS: readonly Invariant<RaftState>[] = [electionSafety, logMatching, leaderCompleteness, stateMachineSafety];

/** Every Raft transition property. */
export const RAFT_PROPERTIES: readonly TransitionProperty<RaftState, RaftAction>[] = [leaderAppendOnly, termMonotonic, commitMonotonic, durableSurvivesCrash];

/** The `sometimes` witnesses of an n-node cluster. */
export function raftWitnesses(n: number): readonly Witness<RaftState>[] {
  const majority = Math.floor(n / 2) + 1;
  return [
    {
      name: 'leader-elected',
      symmetric: true,
      doc: 'some node becomes leader',
      check: (s) => s.nodes.some((x) => running(x)?.role === 'leader'),
    },
    {
      name: 'committed-on-majority',
      symmetric: true,
      doc: 'a majority of nodes know an entry is committed',
      check: (s) => s.nodes.filter((x) => (running(x)?.commitIndex ?? 0) >= 1).length >= majority,
    },
    {
      name: 'leader-replaced-after-crash',
      symmetric: true,
      doc: 'a leader crashed and, while it is down, another node leads a later term',
      // A crash, a second election, and a majority without the crashed leader.
      needs: { crashes: 1, maxTerm: 2, nodes: 3 },
      check(s) {
        let crashedLeaderTerm = Infinity;
        s.nodes.forEach((x, i) => {
          if (!x.up && ((s.ghost.leaders[x.durable.term] ?? 0) >>> i) & 1) crashedLeaderTerm = Math.min(crashedLeaderTerm, x.durable.term);
        });
        return s.nodes.some((x) => running(x)?.role === 'leader' && x.durable.term > crashedLeaderTerm);
      },
    },
    {
      name: 'entry-overwritten-before-commit',
      symmetric: true,
      doc: 'a node deletes a conflicting entry that nobody had committed',
      // Two entries at the same index from leaders of two terms: two requests, two terms.
      needs: { requests: 2, maxTerm: 2 },
      check: (s) => s.ghost.overwritten,
    },
  ];
}

/** The checks of an n-node Raft machine: invariants, transition properties, witnesses. */
export function raftChecks(n: number): {
  readonly invariants: readonly Invariant<RaftState>[];
  readonly properties: readonly TransitionProperty<RaftState, RaftAction>[];
  readonly sometimes: readonly Witness<RaftState>[];
} {
  return { invariants: RAFT_INVARIANTS, properties: RAFT_PROPERTIES, sometimes: raftWitnesses(n) };
}
