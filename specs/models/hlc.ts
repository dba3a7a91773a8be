/**
 * The hlc model: the hybrid logical clock (`impl/clocks/hlc.ts`) in the processes of
 * `impl/clocks/process.ts`, checked by `specs/clocks/clocks.ts`, with its known-bug variants.
 */
import { defineModel, int } from '../../impl/core/machine.ts';
import type { EnvMachine } from '../../impl/env/machine.ts';
import { envConfig, type EnvConfig } from '../../impl/env/config.ts';
import type { Hlc } from '../../impl/clocks/algebra.ts';
import { clockConfig, clockMachine, clockParams, historyOf, type ClockTypes } from '../../impl/clocks/process.ts';
import { buggyHlc, type HlcBug } from '../../impl/clocks/hlc.ts';
import {
  hlcAhead,
  hlcAtEpsilon,
  hlcCausality,
  hlcCounterBound,
  hlcCounterReset,
  hlcCounterUsed,
  hlcLAtLeastPt,
  hlcLWithinEpsilon,
  someConcurrentPair,
  someReceive,
} from '../../specs/clocks/clocks.ts';

/** The known-bug variants. */
export const HLC_BUGS = {
  'no-counter': {
    doc: 'the clock keeps only l = max(l, [l.m,] pt), with no logical counter: events whose physical clocks tie get equal timestamps',
    breaks: ['hlc-causality'],
  },
  'ignore-pt': {
    doc: 'l is never advanced to the physical clock (a logical clock with a counter): l falls behind pt',
    breaks: ['hlc-l-ge-pt'],
  },
  'l-increment': {
    doc: 'when l would not move, l is incremented instead of the counter (a Lamport clock floored at pt): l drifts ahead of pt',
    breaks: ['hlc-l-within-eps'],
  },
  'counter-no-reset': {
    doc: 'the counter is not reset when the physical clock moves l forward',
    breaks: ['hlc-counter-bound'],
  },
} as const satisfies Record<Exclude<HlcBug, 'none'>, unknown>;

/** The HLC machine: `config.requests` is the event budget, `config.maxSkew` is ε. */
export function makeHlc(config: Partial<EnvConfig>, bug: HlcBug = 'none'): EnvMachine<ClockTypes<Hlc>> {
  const h = historyOf<Hlc>;
  const epsilon = envConfig(config).maxSkew;
  return clockMachine(buggyHlc(bug), config, {
    invariants: [hlcCausality(h), hlcLAtLeastPt(h), hlcLWithinEpsilon(h, epsilon), hlcCounterBound(h)],
    sometimes: [someReceive(h), someConcurrentPair(h), hlcCounterUsed(h), hlcCounterReset(h), hlcAhead(h), hlcAtEpsilon(h, epsilon)],
  });
}

/** The HLC registry entry. */
export const hlcModel = defineModel({
  name: 'hlc',
  doc: 'hybrid logical clocks (Kulkarni et al. 2014) over skewed physical clocks: causality, l − pt ∈ [0, ε], bounded counter',
  params: {
    ...clockParams({ nodes: 3, events: 3 }),
    maxClock: int(2, 1, 1000, 'largest physical clock value'),
    maxSkew: int(1, 0, 1000, 'ε: largest difference between two physical clocks'),
  },
  bugs: HLC_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 4], events: [2, 5], delivery: ['multiset', 'fifo'], drops: [0, 1], duplicates: [0, 1], maxClock: [1, 3], maxSkew: [0, 2] },
  build: (p) => makeHlc(clockConfig(p), p.bug),
});
