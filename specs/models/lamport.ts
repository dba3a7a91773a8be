/**
 * The lamport model: the clock (`impl/clocks/lamport.ts`) in the processes of
 * `impl/clocks/process.ts`, checked by `specs/clocks/clocks.ts`, with its known-bug variants.
 */
import { defineModel } from '../../impl/core/machine.ts';
import type { EnvMachine } from '../../impl/env/machine.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import { clockConfig, clockMachine, clockParams, historyOf, type ClockTypes } from '../../impl/clocks/process.ts';
import { buggyLamport, type LamportBug } from '../../impl/clocks/lamport.ts';
import {
  lamportClockCondition,
  lamportConverseFails,
  lamportTie,
  lamportTotalOrder,
  someConcurrentPair,
  someReceive,
  someRelayedCausality,
} from '../../specs/clocks/clocks.ts';

/** The known-bug variants. */
export const LAMPORT_BUGS = {
  'no-max': {
    doc: 'on receive the clock only increments its own value, ignoring the message timestamp (IR2 without the max)',
    breaks: ['lamport-clock-condition', 'lamport-total-order'],
  },
} as const satisfies Record<Exclude<LamportBug, 'none'>, unknown>;

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
