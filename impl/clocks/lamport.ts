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
import { defineModel } from '../core/machine.ts';
import type { EnvMachine } from '../env/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { lamportReceive, lamportTick } from './algebra.ts';
import { clockConfig, clockMachine, clockParams, historyOf, type ClockAlgorithm, type ClockTypes } from './process.ts';
import {
  lamportClockCondition,
  lamportConverseFails,
  lamportTie,
  lamportTotalOrder,
  someConcurrentPair,
  someReceive,
  someRelayedCausality,
} from '../../specs/clocks/clocks.ts';

/** The Lamport clock. */
export const lamportClock: ClockAlgorithm<number> = {
  name: 'lamport',
  symbol: 'L',
  init: () => 0,
  // IR1: every local event and send takes the next value.
  local: (l) => lamportTick(l),
  send: (l) => lamportTick(l),
  // IR2: past both the own clock and the message's timestamp. This is what makes a → b imply
  // L(a) < L(b) across processes: the receipt is stamped above the send.
  receive: (l, m) => lamportReceive(l, m),
  encode: (l, out) => out.int(l),
  format: (l) => String(l),
};

/** The known-bug variants. */
export const LAMPORT_BUGS = {
  'no-max': {
    doc: 'on receive the clock only increments its own value, ignoring the message timestamp (IR2 without the max)',
    breaks: ['lamport-clock-condition', 'lamport-total-order'],
  },
} as const;
/** A Lamport known-bug variant, or none. */
export type LamportBug = keyof typeof LAMPORT_BUGS | 'none';

/** The Lamport clock with a known bug (each overrides one rule). */
export function buggyLamport(bug: LamportBug): ClockAlgorithm<number> {
  switch (bug) {
    case 'none':
      return lamportClock;
    case 'no-max':
      return { ...lamportClock, receive: (l) => lamportTick(l) };
  }
}

/** The Lamport clock machine: `config.requests` is the event budget. */
export function makeLamport(config: Partial<EnvConfig>, bug: LamportBug = 'none'): EnvMachine<ClockTypes<number>> {
  const h = historyOf<number>;
  return clockMachine(buggyLamport(bug), config, {
    invariants: [lamportClockCondition(h), lamportTotalOrder(h)],
    sometimes: [someReceive(h), someConcurrentPair(h), someRelayedCausality(h), lamportConverseFails(h), lamportTie(h)],
  });
}

/** The Lamport clock registry entry. */
export const lamportModel = defineModel({
  name: 'lamport',
  doc: 'Lamport clocks (Lamport 1978): the Clock Condition and the total order, against true happens-before',
  params: clockParams({ nodes: 3, events: 3 }),
  bugs: LAMPORT_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 4], events: [2, 5], delivery: ['multiset', 'fifo'], drops: [0, 1], duplicates: [0, 1] },
  build: (p) => makeLamport(clockConfig(p), p.bug),
});
