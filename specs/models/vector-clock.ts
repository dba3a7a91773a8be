/**
 * The vector-clock model: the clock (`impl/clocks/vector.ts`) in the processes of
 * `impl/clocks/process.ts`, checked by `specs/clocks/clocks.ts`, with its known-bug variants.
 */
import { defineModel } from '../../impl/core/machine.ts';
import type { EnvMachine } from '../../impl/env/machine.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import type { VectorClock } from '../../impl/clocks/algebra.ts';
import { clockConfig, clockMachine, clockParams, historyOf, type ClockTypes } from '../../impl/clocks/process.ts';
import { buggyVector, type VectorBug } from '../../impl/clocks/vector.ts';
import {
  someConcurrentPair,
  someReceive,
  someRelayedCausality,
  vectorConcurrency,
  vectorDetectsConcurrency,
  vectorStrongClock,
} from '../../specs/clocks/clocks.ts';

/** The known-bug variants. */
export const VECTOR_BUGS = {
  'no-merge': {
    doc: 'on receive the clock only increments its own entry and never merges the message vector',
    breaks: ['vc-strong-clock', 'vc-concurrency'],
  },
  'no-send-increment': {
    doc: 'a send does not increment the own entry: the message carries the clock of the previous event',
    breaks: ['vc-strong-clock', 'vc-concurrency'],
  },
  'equal-is-concurrent': {
    doc: 'the comparison calls equal clocks concurrent',
    breaks: ['vc-concurrency'],
  },
} as const satisfies Record<Exclude<VectorBug, 'none'>, unknown>;

/** The vector clock machine: `config.requests` is the event budget. */
export function makeVectorClock(config: Partial<EnvConfig>, bug: VectorBug = 'none'): EnvMachine<ClockTypes<VectorClock>> {
  const h = historyOf<VectorClock>;
  const alg = buggyVector(bug);
  return clockMachine(alg, config, {
    invariants: [vectorStrongClock(h, alg.compare), vectorConcurrency(h, alg.compare)],
    sometimes: [someReceive(h), someConcurrentPair(h), someRelayedCausality(h), vectorDetectsConcurrency(h, alg.compare)],
  });
}

/** The vector clock registry entry. */
export const vectorClockModel = defineModel({
  name: 'vector-clock',
  doc: 'vector clocks (Fidge 1988, Mattern 1988): the strong clock condition and exact concurrency, against true happens-before',
  params: clockParams({ nodes: 3, events: 3 }),
  bugs: VECTOR_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 4], events: [2, 5], delivery: ['multiset', 'fifo'], drops: [0, 1], duplicates: [0, 1] },
  build: (p) => makeVectorClock(clockConfig(p), p.bug),
});
