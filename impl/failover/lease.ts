/**
 * Leader leases on skewed physical clocks (Gray & Cheriton, "Leases", SOSP 1989; the leader
 * leases of Chubby and of Raft §6.4 / etcd's lease-based reads).
 *
 * Nodes: a lease grantor g1 and candidates n1..nC, each with the environment's physical clock
 * (a tick advances one clock by one; any two clocks differ by at most ε = `maxSkew`; clocks
 * have no rate bound beyond that).
 *
 * - A candidate asks for the lease (a local step), noting its own clock `reqAt` when it asks.
 * - The grantor grants it if the lease is free by its own clock (no holder, or its clock has
 *   reached the current lease's expiry), or renews it for the current holder; the lease runs
 *   until grantor clock + D. Otherwise it answers Busy.
 * - The holder counts the lease from when it *asked*, never from when the grant arrived, and
 *   serves while its own clock is below `reqAt + D − margin`.
 *
 * Why margin = 2ε suffices: the grantor grants to another at some moment when its clock g' ≥
 * g_req + D, where g_req is its clock when the first holder asked. Then the holder's clock
 * h' ≥ g' − ε ≥ g_req + D − ε ≥ (h_req − ε) + D − ε = reqAt + D − 2ε: the old lease is no longer
 * valid. Two clocks that each stay within ε of the other may drift apart by 2ε over the lease
 * (one was ε ahead when it asked, ε behind when the other was granted), so a margin of ε is not
 * enough; the known-bug variant `ignore-skew` uses margin 0 and the checker finds two valid
 * leaseholders.
 *
 * A lease's validity is a function of the holder's state and its clock, so the invariant is a
 * state predicate (`specs/failover/lease.ts`).
 */
import { S } from '../env/schema.ts';
import { defineProtocol, type Protocol, type SchemaTypes } from '../env/types.ts';

/** The bounds. */
export interface LeaseShape {
  /** Candidates n1..nC. */
  readonly candidates: number;
  /** Lease duration D, in clock units (> 2 · maxSkew for a lease to be usable). */
  readonly duration: number;
  /** How many times a candidate may ask for (or renew) the lease. */
  readonly acquires: number;
  readonly maxClock: number;
  /** ε. */
  readonly maxSkew: number;
}

/** The data, for a shape. */
export const leaseSchema = (shape: LeaseShape) => {
  const T = S.int(0, shape.maxClock + shape.duration);
  return {
    durable: S.union('role', {
      grantor: { holder: S.optional(S.node('candidate')), expiry: T },
      candidate: { acquiresLeft: S.int(0, shape.acquires) },
    }),
    volatile: S.union('role', {
      grantor: {},
      candidate: {
        phase: S.enum('idle', 'waiting', 'holding'),
        /** Its clock when it asked. */
        reqAt: T,
        /** Its lease is valid while its clock is below this. */
        validUntil: T,
        /** It held a lease that expired (by its own clock). */
        expired: S.bool(),
      },
    }),
    /** `Acquire#1`, `Grant#1`, `Busy#1` in traces. */
    msg: S.labelled(S.union('type', { Acquire: { seq: S.int(0, shape.acquires) }, Grant: { seq: S.int(0, shape.acquires) }, Busy: { seq: S.int(0, shape.acquires) } }), (m) => `${m.type}#${m.seq}`),
    ghost: S.record({ grants: S.int(0, 15), renewedAfterExpiry: S.bool() }),
    local: S.labelled(S.enum('acquire'), () => 'acquire lease'),
  };
};

/** The types. */
export interface LeaseTypes extends SchemaTypes<ReturnType<typeof leaseSchema>> {
  readonly local: 'acquire';
}
type P = LeaseTypes;

const IDLE = { role: 'candidate', phase: 'idle', reqAt: 0, validUntil: 0, expired: false } as const;

/** Is a candidate's lease valid at its clock? */
export const leaseValid = (v: { readonly phase: string; readonly validUntil: number }, clock: number): boolean => v.phase === 'holding' && clock < v.validUntil;

/** The lease protocol; `margin` is what the holder subtracts for skew (correct: 2 · maxSkew). */
export function leaseProtocol(shape: LeaseShape, margin: number = 2 * shape.maxSkew): Protocol<P> {
  const G = 1;
  return defineProtocol<P>({
    name: 'leader-lease',
    schema: leaseSchema(shape),
    // Lease expiry reads the physical clock (`ctx.clock`): the model offers maxClock and maxSkew.
    clocks: true,
    roles: { grantor: { count: 1, prefix: 'g', crashes: false }, candidate: { count: shape.candidates, prefix: 'n' } },
    symmetry: {},
    initGhost: { grants: 0, renewedAfterExpiry: false },
    init: (ctx) =>
      ctx.role === 'grantor'
        ? { durable: { role: 'grantor', holder: null, expiry: 0 }, volatile: { role: 'grantor' } }
        : { durable: { role: 'candidate', acquiresLeft: shape.acquires }, volatile: IDLE },
    // A restarted candidate has forgotten its lease: it no longer serves (safe), and asks again if it may.
    onRestart: (_ctx, durable) => ({ durable, volatile: durable.role === 'grantor' ? { role: 'grantor' } : IDLE }),
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      const v = node.volatile;
      if (d.role === 'grantor') {
        if (msg.type !== 'Acquire') return node;
        const free = d.holder === null || d.holder === from || ctx.clock >= d.expiry;
        if (!free) return { ...node, effects: [ctx.send(from, { type: 'Busy', seq: msg.seq })] };
        return {
          durable: { role: 'grantor', holder: from, expiry: ctx.clock + shape.duration },
          volatile: node.volatile,
          effects: [ctx.send(from, { type: 'Grant', seq: msg.seq }), ctx.ghost((g) => ({ ...g, grants: Math.min(15, g.grants + 1) }))],
        };
      }
      // Only the answer to its latest request counts (a late or duplicated answer to an older one would date the lease wrongly).
      if (v.role !== 'candidate' || v.phase !== 'waiting' || d.role !== 'candidate' || msg.seq !== shape.acquires - d.acquiresLeft) return node;
      switch (msg.type) {
        case 'Grant': {
          // Counted from when it asked, less the skew margin: the grant may have been issued on a clock up to ε behind.
          const validUntil = Math.max(0, v.reqAt + shape.duration - margin);
          return {
            durable: d,
            volatile: { ...v, phase: 'holding', validUntil },
            effects: [ctx.note(`holds the lease until its clock reads ${validUntil}`), ...(v.expired ? [ctx.ghost((g) => ({ ...g, renewedAfterExpiry: true }))] : [])],
          };
        }
        case 'Busy':
          return { durable: d, volatile: { ...v, phase: 'idle' } };
        default:
          return node;
      }
    },
    localActions: (_ctx, node) => (node.durable.role === 'candidate' && node.durable.acquiresLeft > 0 && node.volatile.role === 'candidate' && node.volatile.phase !== 'waiting' ? ['acquire'] : []),
    onLocal(ctx, node) {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'candidate' || v.role !== 'candidate') return node;
      const expired = v.expired || (v.phase === 'holding' && !leaseValid(v, ctx.clock));
      return {
        durable: { role: 'candidate', acquiresLeft: d.acquiresLeft - 1 },
        // While it renews, it does not serve (simple and safe: the old lease is not used meanwhile).
        volatile: { ...v, phase: 'waiting', reqAt: ctx.clock, expired, validUntil: 0 },
        effects: [ctx.send(G, { type: 'Acquire', seq: shape.acquires - d.acquiresLeft + 1 })],
      };
    },
  });
}
