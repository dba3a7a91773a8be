/**
 * Vector clocks: C. J. Fidge, "Timestamps in Message-Passing Systems That Preserve the Partial
 * Ordering" (ACSC 1988); F. Mattern, "Virtual Time and Global States of Distributed Systems"
 * (1988), section 4.
 *
 * Each process keeps one counter per process. At every event (local, send, receive) it
 * increments its own entry; a message carries the sender's vector, and on receipt the receiver
 * first merges it entry by entry (maximum), then increments its own entry. Two timestamps
 * compare as `before`, `after`, `equal` or `concurrent` (Mattern, Definition 6: u < v when u ≤ v
 * entry by entry and u ≠ v; incomparable otherwise).
 *
 * Checked against the ghost record's true happens-before (`specs/clocks/clocks.ts`):
 * `vc-strong-clock` (a → b ⇔ V(a) < V(b)) and `vc-concurrency` (a ∥ b ⇔ V(a), V(b)
 * incomparable), both through the clock's own comparison, so a wrong comparison is caught too.
 */
import { vcCompare, vcIncrement, vcMerge, vcZero, vectorStamp, type VectorClock } from './algebra.ts';
import type { ClockAlgorithm } from './process.ts';
import type { VectorCompare } from './history.ts';

/** A vector clock: how it stamps events, and how it compares two timestamps. */
export interface VectorClockImpl extends ClockAlgorithm<VectorClock> {
  readonly compare: VectorCompare;
}

/** The vector clock. */
export const vectorClock: VectorClockImpl = {
  name: 'vector-clock',
  init: (_self, n) => vcZero(n),
  local: (v, at) => vcIncrement(v, at.self),
  send: (v, at) => vcIncrement(v, at.self),
  // Merge first, then count the receipt itself. The merge is what makes V(send) ≤ V(receive);
  // the increment makes it strict, and keeps concurrent events incomparable: an entry only
  // grows through a chain of messages from that entry's process.
  receive: (v, m, at) => vcIncrement(vcMerge(v, m), at.self),
  compare: vcCompare,
  schema: vectorStamp,
};

/** A known-bug variant, or none. */
export type VectorBug = 'no-merge' | 'no-send-increment' | 'equal-is-concurrent' | 'none';

/** The vector clock with a known bug (each overrides one rule). */
export function buggyVector(bug: VectorBug): VectorClockImpl {
  switch (bug) {
    case 'none':
      return vectorClock;
    case 'no-merge':
      return { ...vectorClock, receive: (v, _m, at) => vcIncrement(v, at.self) };
    case 'no-send-increment':
      return { ...vectorClock, send: (v) => v };
    case 'equal-is-concurrent':
      return {
        ...vectorClock,
        compare: (u, v) => {
          const o = vcCompare(u, v);
          return o === 'equal' ? 'concurrent' : o;
        },
      };
  }
}
