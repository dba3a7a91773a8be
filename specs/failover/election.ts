/**
 * What leader election over a failure detector must (and may not) promise, read from outside
 * (`impl/failover/election.ts`).
 *
 * - `one-leader-per-term` (always): no two running nodes believe they lead the same term at the
 *   same time. The majority vote keeps it whatever the detector says; bully, whose nodes all
 *   claim the one implicit term 1, keeps it only while the detector is right.
 * - `failover` (sometimes): a node other than the initial leader leads.
 * - `false-suspicion` (sometimes): a node suspects a leader that is running and still leads —
 *   the heartbeat detector is not accurate.
 */
import type { Invariant, Witness } from '../../impl/core/machine.ts';
import type { EnvState } from '../../impl/env/types.ts';
import type { ElectionTypes } from '../../impl/failover/election.ts';

type St = EnvState<ElectionTypes>;

/** The running leaders, with their terms. */
export function leaders(s: St): { readonly id: number; readonly term: number }[] {
  const out: { id: number; term: number }[] = [];
  s.nodes.forEach((slot, i) => {
    if (slot.up && slot.volatile?.role === 'leader') out.push({ id: i + 1, term: slot.durable.term });
  });
  return out;
}

/** `one-leader-per-term`. */
export function oneLeaderPerTerm(name: (id: number) => string): Invariant<St> {
  return {
    name: 'one-leader-per-term',
    doc: 'no two running nodes believe they lead the same term at the same time',
    check(s) {
      const byTerm = new Map<number, number>();
      for (const l of leaders(s)) {
        const other = byTerm.get(l.term);
        if (other !== undefined) return `${name(other)} and ${name(l.id)} both lead term ${l.term}`;
        byTerm.set(l.term, l.id);
      }
      return true;
    },
  };
}

/** The election's witnesses; `initial` is the node that leads at the start. */
export function electionWitnesses(initial: number): Witness<St>[] {
  return [
    { name: 'failover', doc: 'a node other than the initial leader leads', check: (s) => leaders(s).some((l) => l.id !== initial) },
    {
      name: 'false-suspicion',
      doc: 'a node suspects a leader that is running and still leads (a slow heartbeat, not a crash)',
      check: (s) =>
        s.nodes.some((slot) => {
          const sus = slot.up ? slot.volatile?.suspect ?? null : null;
          if (sus === null) return false;
          const target = s.nodes[sus - 1]!;
          return target.up && target.volatile?.role === 'leader';
        }),
    },
  ];
}
