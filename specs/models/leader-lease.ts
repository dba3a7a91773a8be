/**
 * The `leader-lease` model: leader leases on the environment's skewed physical clocks
 * (`impl/failover/lease.ts`), checked against `specs/failover/lease.ts`. (The `lease` model is a
 * different protocol: a lock service whose leases expire by an abstract action, with fencing
 * tokens.)
 */
import { defineModel, int } from '../../impl/core/machine.ts';
import { envParams } from '../../impl/env/params.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { leaseProtocol, type LeaseShape, type LeaseTypes } from '../../impl/failover/lease.ts';
import { LEASE_WITNESSES, oneValidLeaseholder } from '../failover/lease.ts';

/** The known-bug variants. */
export const LEADER_LEASE_BUGS = {
  'ignore-skew': {
    doc: 'the holder counts its lease to reqAt + D with no margin for clock skew, so it still believes its lease valid after the grantor gave it to another',
    breaks: ['one-valid-leaseholder'],
  },
} as const;

/** The machine. */
export function makeLeaderLease(p: LeaseShape & { readonly crashes?: number; readonly drops?: number; readonly duplicates?: number; readonly symmetry?: boolean }, bug: keyof typeof LEADER_LEASE_BUGS | 'none' = 'none'): EnvMachine<LeaseTypes> {
  const m: EnvMachine<LeaseTypes> = envMachine(leaseProtocol(p, bug === 'ignore-skew' ? 0 : 2 * p.maxSkew), p, {
    name: 'leader-lease',
    invariants: [oneValidLeaseholder((id) => m.nodes()[id - 1]!)],
    sometimes: LEASE_WITNESSES,
  });
  return m;
}

/** The registry entry. */
export const leaderLeaseModel = defineModel({
  name: 'leader-lease',
  doc: 'leader leases on skewed physical clocks: a grantor g1 and candidates n1..nC; margins of 2ε keep one valid leaseholder (bug=ignore-skew: two)',
  params: {
    candidates: int(2, 1, 4, 'candidates n1..nC'),
    duration: int(4, 1, 20, 'lease duration D, in clock ticks'),
    acquires: int(2, 1, 4, 'how many times a candidate may ask for or renew the lease'),
    // The parameters the lease's declaration uses (roles, clocks; no clients, timers or detector).
    ...envParams(leaseProtocol({ candidates: 2, duration: 4, acquires: 2, maxClock: 6, maxSkew: 1 })),
    maxClock: int(6, 1, 1000, 'largest physical clock value'),
    maxSkew: int(1, 0, 1000, 'ε: largest difference between two clocks'),
  },
  draw: { duration: [3, 5], maxSkew: [1, 2], crashes: [0, 1], drops: [0, 1], duplicates: [0, 1] },
  bugs: LEADER_LEASE_BUGS,
  build: (p) => makeLeaderLease(p, p.bug),
});
