/**
 * What a lock service with fencing tokens must guarantee (Kleppmann, "How to do distributed
 * locking", 2016): the storage it protects applies the writes of successive lease holders in
 * lease order, even when a holder pauses past its lease and writes late.
 *
 * The checks read only the storage's ghost record of the writes it accepted, in order, so both
 * versions of the protocol (`impl/lease/lease.ts` with immutable state and a ts-pattern reducer,
 * `impl/lease/lease-plain.ts` with plain objects and `switch`) share them.
 */
import type { Invariant, TransitionProperty, Witness } from '../impl/core/machine.ts';
import type { AcceptedWrite } from '../impl/lease/lease.ts';

export type { AcceptedWrite };

/**
 * `fenced-writes`: the accepted writes' tokens never go down (no stale holder overwrites a newer
 * one). `name` names a writer in the message (default `c1`, `c2`, …).
 */
export function fencedWrites<S>(accepted: (s: S) => Iterable<AcceptedWrite>, name: (client: number) => string = (c) => `c${c}`): Invariant<S> {
  return {
    name: 'fenced-writes',
    doc: 'the storage never accepts a write under an older lease after one under a newer lease',
    check(s) {
      let prev: AcceptedWrite | undefined;
      for (const w of accepted(s)) {
        if (prev !== undefined && w.token < prev.token) return `${name(w.client)}'s write with token ${w.token} was accepted after ${name(prev.client)}'s with token ${prev.token}`;
        prev = w;
      }
      return true;
    },
  };
}

/**
 * `one-holder-per-token`: every accepted write under one token comes from the same client.
 * `name` names a writer in the message (default `c1`, `c2`, …).
 */
export function oneHolderPerToken<S>(accepted: (s: S) => Iterable<AcceptedWrite>, name: (client: number) => string = (c) => `c${c}`): Invariant<S> {
  return {
    name: 'one-holder-per-token',
    doc: 'two clients never write under the same fencing token (each token is one lease)',
    check(s) {
      const owner = new Map<number, number>();
      for (const w of accepted(s)) {
        const o = owner.get(w.token);
        if (o === undefined) owner.set(w.token, w.client);
        else if (o !== w.client) return `${name(o)} and ${name(w.client)} both wrote with token ${w.token}`;
      }
      return true;
    },
  };
}

/** The witnesses: a write goes through, and fencing turns a stale one away. */
export function leaseWitnesses<S>(acceptedCount: (s: S) => number, rejectedCount: (s: S) => number): Witness<S>[] {
  return [
    { name: 'write-accepted', doc: 'some lease holder writes to the storage', check: (s) => acceptedCount(s) > 0 },
    { name: 'stale-write-fenced', doc: 'a holder whose lease expired writes late, and the storage rejects it', check: (s) => rejectedCount(s) > 0 },
  ];
}

/**
 * `exclusive-grants`: the server hands the lease from one client to another only through a free
 * lease (released, or expired): it never grants it while another client holds it. (The fencing
 * checks see a double grant only if both holders' writes land in a telling order.)
 */
export function exclusiveGrants<S, A>(holder: (s: S) => number, name: (client: number) => string = (c) => `c${c}`): TransitionProperty<S, A> {
  return {
    name: 'exclusive-grants',
    doc: 'the server grants the lease only while no client holds it (released or expired)',
    check: (p, _a, n) => {
      const before = holder(p);
      const after = holder(n);
      return before === 0 || after === 0 || after === before || `the server granted ${name(after)} the lease while ${name(before)} held it`;
    },
  };
}

/** `storage-token-monotonic`: the storage's newest token never goes down. */
export function storageTokenMonotonic<S, A>(maxToken: (s: S) => number): TransitionProperty<S, A> {
  return {
    name: 'storage-token-monotonic',
    doc: "the storage's newest token never goes down",
    check: (p, _a, n) => maxToken(n) >= maxToken(p) || `maxToken ${maxToken(p)} → ${maxToken(n)}`,
  };
}
