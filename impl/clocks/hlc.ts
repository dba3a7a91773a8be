/**
 * Hybrid logical clocks: S. S. Kulkarni, M. Demirbas, D. Madeppa, B. Avva, M. Leone, "Logical
 * Physical Clocks and Consistent Snapshots in Globally Distributed Databases" (OPODIS 2014),
 * section 3, Figure 5.
 *
 * A timestamp is (l, c): l is the largest physical time the event has heard of, c a counter that
 * orders events sharing an l. On a local event or a send, l := max(l, pt) and c counts on if l
 * did not move, else restarts at 0; on a receive, l := max(l, l.m, pt) and c continues from
 * whichever timestamps supplied that l. The physical clock pt is the environment's: every
 * process has one, a tick advances it by one, and no two differ by more than `maxSkew` = ε.
 *
 * Checked against the ghost record's true happens-before and physical times
 * (`specs/clocks/clocks.ts`): `hlc-causality` (Theorem 1), `hlc-l-ge-pt` (Theorem 2),
 * `hlc-l-within-eps` (Corollary 1) and `hlc-counter-bound` (Corollary 2).
 */
import { HLC_ZERO, hlcLocal, hlcReceive, hlcStamp, type Hlc } from './algebra.ts';
import type { ClockAlgorithm } from './process.ts';

/** The hybrid logical clock of Figure 5. */
export const hybridClock: ClockAlgorithm<Hlc> = {
  name: 'hlc',
  physical: true,
  init: () => HLC_ZERO,
  local: (t, at) => hlcLocal(t, at.clock),
  send: (t, at) => hlcLocal(t, at.clock),
  // l never falls below pt (it takes the max with it), and only ever takes a value some
  // process's physical clock had (Theorem 3), hence l − pt ≤ ε. When l does not move, c grows
  // past every counter that supplied l: that is what keeps a → b strict when clocks tie.
  receive: (t, m, at) => hlcReceive(t, m, at.clock),
  schema: hlcStamp,
};

/** A known-bug variant, or none. */
export type HlcBug = 'no-counter' | 'ignore-pt' | 'l-increment' | 'counter-no-reset' | 'none';

/** The hybrid clock with a known bug (each overrides one rule). */
export function buggyHlc(bug: HlcBug): ClockAlgorithm<Hlc> {
  switch (bug) {
    case 'none':
      return hybridClock;
    case 'no-counter':
      return {
        ...hybridClock,
        local: (t, at) => ({ l: Math.max(t.l, at.clock), c: 0 }),
        send: (t, at) => ({ l: Math.max(t.l, at.clock), c: 0 }),
        receive: (t, m, at) => ({ l: Math.max(t.l, m.l, at.clock), c: 0 }),
      };
    case 'ignore-pt':
      return {
        ...hybridClock,
        local: (t) => hlcLocal(t, 0),
        send: (t) => hlcLocal(t, 0),
        receive: (t, m) => hlcReceive(t, m, 0),
      };
    case 'l-increment': {
      const next = (t: Hlc, pt: number): Hlc => ({ l: Math.max(t.l + 1, pt), c: 0 });
      return {
        ...hybridClock,
        local: (t, at) => next(t, at.clock),
        send: (t, at) => next(t, at.clock),
        receive: (t, m, at) => ({ l: Math.max(t.l + 1, m.l + 1, at.clock), c: 0 }),
      };
    }
    case 'counter-no-reset': {
      const local = (t: Hlc, pt: number): Hlc => ({ l: Math.max(t.l, pt), c: t.c + 1 });
      return {
        ...hybridClock,
        local: (t, at) => local(t, at.clock),
        send: (t, at) => local(t, at.clock),
        receive: (t, m, at) => {
          const r = hlcReceive(t, m, at.clock);
          return r.c === 0 ? { l: r.l, c: t.c + 1 } : r;
        },
      };
    }
  }
}
