/**
 * What leader leases on skewed clocks must guarantee (`impl/failover/lease.ts`), read from the
 * state (a lease's validity is its holder's state and clock):
 *
 * - `one-valid-leaseholder` (always): at most one running candidate holds a lease that is valid
 *   by its own clock.
 * - `lease-granted` (sometimes): some candidate holds a valid lease.
 * - `lease-expires-and-renewed` (sometimes): a candidate whose lease expired (by its clock) is
 *   granted the lease again.
 */
import type { Invariant, Witness } from '../../impl/core/machine.ts';
import type { EnvState } from '../../impl/env/types.ts';
import { leaseValid, type LeaseTypes } from '../../impl/failover/lease.ts';

type St = EnvState<LeaseTypes>;

/** The running candidates whose lease is valid now. */
export function validHolders(s: St): number[] {
  const out: number[] = [];
  s.nodes.forEach((slot, i) => {
    if (slot.up && slot.volatile?.role === 'candidate' && leaseValid(slot.volatile, slot.clock)) out.push(i + 1);
  });
  return out;
}

/** `one-valid-leaseholder`. */
export function oneValidLeaseholder(name: (id: number) => string): Invariant<St> {
  return {
    name: 'one-valid-leaseholder',
    doc: 'at most one running candidate holds a lease that is valid by its own clock',
    symmetric: true,
    check(s) {
      const h = validHolders(s);
      if (h.length <= 1) return true;
      return `${h.map((id) => `${name(id)} (clock ${s.nodes[id - 1]!.clock}, valid until ${(s.nodes[id - 1]!.volatile as { validUntil: number }).validUntil})`).join(' and ')} both hold a valid lease`;
    },
  };
}

/** The witnesses. */
export const LEASE_WITNESSES: readonly Witness<St>[] = [
  { name: 'lease-granted', doc: 'some candidate holds a valid lease', symmetric: true, check: (s) => validHolders(s).length > 0 },
  {
    name: 'lease-expires-and-renewed',
    doc: "a candidate's lease expired by its clock, and it was granted the lease again",
    needs: { acquires: 2 },
    symmetric: true,
    check: (s) => s.ghost.renewedAfterExpiry,
  },
];
