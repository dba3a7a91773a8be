/**
 * The lease lock service model: `impl/lease/lease.ts` (immutable Records and Maps, a ts-pattern
 * reducer) bound to the fencing checks of `specs/lease.ts`, and the same protocol with plain
 * objects (`impl/lease/lease-plain.ts`, the benchmark baseline, not in the catalogue).
 */
import { defineModel, int, type Machine } from '../../impl/core/machine.ts';
import { leaseMachine, type LeaseAction, type LeaseConfig, type LeaseState } from '../../impl/lease/lease.ts';
import { plainLeaseMachine, type PlainLeaseAction, type PlainLeaseState } from '../../impl/lease/lease-plain.ts';
import { exclusiveGrants, fencedWrites, leaseWitnesses, oneHolderPerToken, storageTokenMonotonic } from '../lease.ts';

/** The known-bug variants. */
export const LEASE_BUGS = {
  'no-fencing': {
    doc: 'the storage ignores fencing tokens and accepts every write',
    breaks: ['fenced-writes'],
  },
  'token-reuse': {
    doc: 'the server bumps the token on release instead of on grant, so a lease that expired is granted again with the same token',
    breaks: ['one-holder-per-token'],
  },
} as const;

/** The immutable/ts-pattern lease machine with its checks. */
export function makeLease(cfg: LeaseConfig): Machine<LeaseState, LeaseAction> {
  return {
    ...leaseMachine(cfg),
    invariants: [fencedWrites((s: LeaseState) => s.storage.accepted), oneHolderPerToken((s: LeaseState) => s.storage.accepted)],
    properties: [storageTokenMonotonic((s: LeaseState) => s.storage.maxToken), exclusiveGrants((s: LeaseState) => s.server.holder)],
    sometimes: leaseWitnesses((s: LeaseState) => s.storage.accepted.size, (s) => s.storage.rejected),
  };
}

/** The plain-objects lease machine with the same checks. */
export function makePlainLease(cfg: LeaseConfig): Machine<PlainLeaseState, PlainLeaseAction> {
  return {
    ...plainLeaseMachine(cfg),
    invariants: [fencedWrites((s: PlainLeaseState) => s.storage.accepted), oneHolderPerToken((s: PlainLeaseState) => s.storage.accepted)],
    properties: [storageTokenMonotonic((s: PlainLeaseState) => s.storage.maxToken), exclusiveGrants((s: PlainLeaseState) => s.server.holder)],
    sometimes: leaseWitnesses((s: PlainLeaseState) => s.storage.accepted.length, (s) => s.storage.rejected),
  };
}

const params = {
  clients: int(2, 1, 4, 'number of clients'),
  acquires: int(1, 1, 3, 'how many times each client may ask for the lease'),
  writes: int(1, 1, 3, 'writes a client may send under one lease'),
};

/** The lease lock service (immutable state, ts-pattern reducer). */
export const leaseModel = defineModel({
  name: 'lease',
  doc: 'a lock service with leases and fencing tokens (Kleppmann 2016), in immutable Records/Maps with a ts-pattern reducer',
  params,
  draw: { clients: [1, 3], acquires: [1, 2], writes: [1, 2] },
  bugs: LEASE_BUGS,
  build: (p) => makeLease(p),
});

/** The plain version as a model (for the benchmark and the comparison test; not in the catalogue). */
export const plainLeaseModel = defineModel({
  name: 'lease-plain',
  doc: 'the lease lock service of `lease`, with plain objects and a switch reducer (benchmark baseline)',
  params,
  bugs: LEASE_BUGS,
  build: (p) => makePlainLease(p),
});
