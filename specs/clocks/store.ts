/**
 * What a replicated register must not do with causality, checked against a ghost record of the
 * writes and their true happens-before relation, never against the store's own timestamps.
 *
 * Every write is numbered (w1, w2, ...). The record keeps, per write, the replica that took it,
 * the physical clock there, and the set of writes that happen before it (Lamport 1978: the
 * writes its replica had taken or received, directly or through a chain of messages, when it
 * was written). Per replica it keeps the writes it has taken or received ("seen").
 *
 * - `no-lost-causal-write`: a replica never shows a write when it has seen a write that
 *   causally follows it (the later write was lost);
 * - `conflicts-detected`: a replica shows every write it has seen that no other seen write
 *   causally follows (concurrent writes survive side by side, as siblings).
 *
 * Together they say a replica shows exactly the causally maximal writes it has seen. A
 * last-writer-wins register ordered by physical timestamps breaks both; a register that keeps
 * siblings ordered by version vectors (Dynamo's, DeCandia et al., SOSP 2007, section 4.4) keeps
 * both.
 */
import type { Invariant, Witness } from '../../impl/core/machine.ts';
import type { NodeId } from '../../impl/env/types.ts';
import type { StoreHistory } from '../../impl/clocks/history.ts';

export { emptyStoreHistory, knownAt, MAX_WRITES, recordReceive, recordWrite, type StoreHistory, type WriteRecord } from '../../impl/clocks/history.ts';

/** True when write `a` happens before write `b`. */
export function writeBefore(h: StoreHistory, a: number, b: number): boolean {
  return ((h.writes[b - 1]!.past >>> (a - 1)) & 1) === 1;
}

/** The writes of a set, ascending. */
function members(set: number): number[] {
  const out: number[] = [];
  for (let w = 1; set !== 0; w++, set >>>= 1) if (set & 1) out.push(w);
  return out;
}

const showWrite = (h: StoreHistory, w: number): string => `w${w} (n${h.writes[w - 1]!.node}, pt ${h.writes[w - 1]!.pt})`;

/** How a store machine's state is read: its record and what each replica shows. */
export interface StoreView<S> {
  history(s: S): StoreHistory;
  /** The writes replica `r` shows (its value, or its siblings). */
  shown(s: S, r: NodeId): readonly number[];
  /** Number of replicas. */
  readonly replicas: number;
}

/** No replica shows a write when it has seen a write that causally follows it. */
export function noLostCausalWrite<S>(v: StoreView<S>): Invariant<S> {
  return {
    name: 'no-lost-causal-write',
    doc: 'no replica shows a write after it has seen a write that causally follows it',
    check(s) {
      const h = v.history(s);
      for (let r = 1; r <= v.replicas; r++) {
        const seen = members(h.seen[r - 1]!);
        for (const x of v.shown(s, r)) {
          const later = seen.find((w) => writeBefore(h, x, w));
          if (later !== undefined) {
            return `n${r} shows ${showWrite(h, x)}, but it has seen ${showWrite(h, later)}, written after it (w${x} → w${later}): the later write is lost`;
          }
        }
      }
      return true;
    },
  };
}

/** Every replica shows each write it has seen that no other write it has seen follows. */
export function conflictsDetected<S>(v: StoreView<S>): Invariant<S> {
  return {
    name: 'conflicts-detected',
    doc: 'every replica shows all the causally latest writes it has seen: concurrent writes are kept as siblings',
    check(s) {
      const h = v.history(s);
      for (let r = 1; r <= v.replicas; r++) {
        const seen = members(h.seen[r - 1]!);
        const latest = seen.filter((w) => !seen.some((x) => writeBefore(h, w, x)));
        const shown = v.shown(s, r);
        const missing = latest.find((w) => !shown.includes(w));
        if (missing !== undefined) {
          const rivals = latest.filter((w) => w !== missing);
          return `n${r} has seen ${rivals.length > 0 ? `the concurrent writes ${[missing, ...rivals].sort((a, b) => a - b).map((w) => showWrite(h, w)).join(' and ')}` : showWrite(h, missing)}, but shows only ${shown.length > 0 ? shown.map((w) => `w${w}`).join(', ') : 'nothing'}: ${rivals.length > 0 ? 'the conflict is silently resolved' : 'the write is missing'}`;
        }
      }
      return true;
    },
  };
}

/** Store witnesses: replication happens, and causally ordered and concurrent writes meet. */
export function storeWitnesses<S>(v: StoreView<S>): Witness<S>[] {
  const some = (s: S, pred: (h: StoreHistory, seen: number[]) => boolean): boolean => {
    const h = v.history(s);
    for (let r = 1; r <= v.replicas; r++) if (pred(h, members(h.seen[r - 1]!))) return true;
    return false;
  };
  return [
    {
      name: 'write-replicated',
      doc: 'a replica receives a write taken by another replica',
      check: (s) => {
        const h = v.history(s);
        return h.seen.some((seen, i) => members(seen).some((w) => h.writes[w - 1]!.node !== i + 1));
      },
    },
    {
      name: 'causal-writes-meet',
      doc: 'a replica has seen two writes where one causally follows the other',
      check: (s) => some(s, (h, seen) => seen.some((a) => seen.some((b) => writeBefore(h, a, b)))),
    },
    {
      name: 'concurrent-writes-meet',
      doc: 'a replica has seen two concurrent writes',
      check: (s) => some(s, (h, seen) => seen.some((a) => seen.some((b) => a < b && !writeBefore(h, a, b) && !writeBefore(h, b, a)))),
    },
  ];
}

/** A replica shows two siblings: the store detected a conflict. */
export function siblingsShown<S>(v: StoreView<S>): Witness<S> {
  return {
    name: 'siblings',
    doc: 'a replica shows two concurrent writes as siblings',
    check: (s) => {
      for (let r = 1; r <= v.replicas; r++) if (v.shown(s, r).length >= 2) return true;
      return false;
    },
  };
}
