/**
 * Lamport clocks: L. Lamport, "Time, Clocks, and the Ordering of Events in a Distributed
 * System", CACM 21(7), 1978.
 *
 * Section 2, implementation rules: IR1, each process increments its clock between any two
 * successive events (here: every event takes the next value); IR2, a message carries the
 * sender's timestamp, and on receipt the receiver sets its clock past both its own value and the
 * message's (max + 1). Section 3: ordering events by (timestamp, process id) is a total order
 * `⇒` that extends happens-before.
 *
 * Checked against the ghost record's true happens-before (`specs/clocks/clocks.ts`):
 * `lamport-clock-condition` (a → b ⇒ L(a) < L(b)) and `lamport-total-order`.
 */
import { lamportReceive, lamportStamp, lamportTick } from './algebra.ts';
import type { ClockAlgorithm } from './process.ts';

/** The Lamport clock. */
export const lamportClock: ClockAlgorithm<number> = {
  name: 'lamport',
  init: () => 0,
  // IR1: every local event and send takes the next value.
  local: (l) => lamportTick(l),
  send: (l) => lamportTick(l),
  // IR2: past both the own clock and the message's timestamp. This is what makes a → b imply
  // L(a) < L(b) across processes: the receipt is stamped above the send.
  receive: (l, m) => lamportReceive(l, m),
  schema: lamportStamp,
};

/** A known-bug variant, or none. */
export type LamportBug = 'no-max' | 'none';

/** The Lamport clock with a known bug (each overrides one rule). */
export function buggyLamport(bug: LamportBug): ClockAlgorithm<number> {
  switch (bug) {
    case 'none':
      return lamportClock;
    case 'no-max':
      return { ...lamportClock, receive: (l) => lamportTick(l) };
  }
}
