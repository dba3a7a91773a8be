/**
 * The clock algebra: pure functions on timestamps, shared by the clock machines, the store
 * demonstrations and the property tests.
 *
 * - Lamport clocks: L. Lamport, "Time, Clocks, and the Ordering of Events in a Distributed
 *   System", CACM 21(7), 1978, section 2 (rules IR1 and IR2) and the total order `⇒` of
 *   section 3 (ties broken by process id).
 * - Vector clocks: C. Fidge, "Timestamps in Message-Passing Systems That Preserve the Partial
 *   Ordering" (1988), and F. Mattern, "Virtual Time and Global States of Distributed Systems"
 *   (1988), section 4: increment your own entry at every event, merge entry by entry on receive.
 * - Hybrid logical clocks: S. Kulkarni, M. Demirbas, D. Madeppa, B. Avva, M. Leone, "Logical
 *   Physical Clocks and Consistent Snapshots in Globally Distributed Databases" (OPODIS 2014),
 *   Figure 5 (the HLC algorithm).
 *
 * Node ids are 1..n, as in the environment; a vector clock's entry for node `i` is `v[i - 1]`.
 */
import { S } from '../env/schema.ts';
import type { NodeId } from '../env/types.ts';

// ---------------------------------------------------------------------------------------------
// Lamport clocks

/** IR1: a local event or a send advances the clock by one. */
export function lamportTick(l: number): number {
  return l + 1;
}

/** IR2: on receive, take the maximum of your own clock and the message's, plus one. */
export function lamportReceive(l: number, m: number): number {
  return Math.max(l, m) + 1;
}

/**
 * Lamport's total order `⇒`: by timestamp, ties broken by process id. Negative when (la, pa)
 * comes first, positive when (lb, pb) does, 0 only for the same (timestamp, process).
 */
export function lamportTotalOrder(la: number, pa: NodeId, lb: number, pb: NodeId): number {
  return la !== lb ? la - lb : pa - pb;
}

// ---------------------------------------------------------------------------------------------
// Vector clocks

/** A vector clock over nodes 1..n: `v[i - 1]` counts the events of node i that it reflects. */
export type VectorClock = readonly number[];

/** How two vector clocks compare: `before` means u < v (u ≤ v entry by entry, and u ≠ v). */
export type VectorOrder = 'before' | 'after' | 'equal' | 'concurrent';

/** The zero clock over `n` nodes. */
export function vcZero(n: number): VectorClock {
  return new Array<number>(n).fill(0);
}

/** `v` with node `i`'s entry incremented. */
export function vcIncrement(v: VectorClock, i: NodeId): VectorClock {
  const out = v.slice();
  out[i - 1] = out[i - 1]! + 1;
  return out;
}

/** The entry-by-entry maximum of `u` and `v` (their least upper bound). */
export function vcMerge(u: VectorClock, v: VectorClock): VectorClock {
  if (u.length !== v.length) throw new RangeError(`vector clocks of different sizes: ${u.length} and ${v.length}`);
  const out = new Array<number>(u.length);
  for (let i = 0; i < u.length; i++) out[i] = Math.max(u[i]!, v[i]!);
  return out;
}

/**
 * Compare two vector clocks: `equal` when every entry agrees, `before` when u ≤ v entry by entry
 * (and they differ), `after` when v ≤ u, `concurrent` when neither.
 */
export function vcCompare(u: VectorClock, v: VectorClock): VectorOrder {
  if (u.length !== v.length) throw new RangeError(`vector clocks of different sizes: ${u.length} and ${v.length}`);
  let less = false;
  let greater = false;
  for (let i = 0; i < u.length; i++) {
    const a = u[i]!;
    const b = v[i]!;
    if (a < b) less = true;
    else if (a > b) greater = true;
  }
  if (less && greater) return 'concurrent';
  if (less) return 'before';
  if (greater) return 'after';
  return 'equal';
}

/** `[1,0,2]`. */
export function formatVector(v: VectorClock): string {
  return `[${v.join(',')}]`;
}

// ---------------------------------------------------------------------------------------------
// Hybrid logical clocks

/** An HLC timestamp: `l`, the largest physical time the event knows of, and a counter `c`. */
export interface Hlc {
  readonly l: number;
  readonly c: number;
}

/** The initial HLC timestamp (Figure 5: l.j := 0; c.j := 0). */
export const HLC_ZERO: Hlc = { l: 0, c: 0 };

/**
 * Figure 5, "send or local event": l := max(l, pt); the counter counts on while l stays put and
 * restarts at 0 when the physical clock pulled l forward.
 */
export function hlcLocal(t: Hlc, pt: number): Hlc {
  const l = Math.max(t.l, pt);
  return { l, c: l === t.l ? t.c + 1 : 0 };
}

/**
 * Figure 5, "receive event of message m": l := max(l, l.m, pt); the counter continues from
 * whichever of the own and the message's timestamps supplied that l (from both: the larger
 * counter), plus one; it restarts at 0 when the physical clock alone supplied it.
 */
export function hlcReceive(t: Hlc, m: Hlc, pt: number): Hlc {
  const l = Math.max(t.l, m.l, pt);
  if (l === t.l && l === m.l) return { l, c: Math.max(t.c, m.c) + 1 };
  if (l === t.l) return { l, c: t.c + 1 };
  if (l === m.l) return { l, c: m.c + 1 };
  return { l, c: 0 };
}

/** Lexicographic order on (l, c): negative when a < b, 0 when equal, positive when a > b. */
export function hlcCompare(a: Hlc, b: Hlc): number {
  return a.l !== b.l ? a.l - b.l : a.c - b.c;
}

/** `(l,c)`. */
export function formatHlc(t: Hlc): string {
  return `(${t.l},${t.c})`;
}

// ---------------------------------------------------------------------------------------------
// Timestamps as data: the schemas the clock models declare, each with its trace label

/** The largest timestamp entry a schema admits (a bound for the schema only). */
const MAX_STAMP = 0x7fffffff;

/** A Lamport timestamp; labelled `L=3` in traces. */
export const lamportStamp = S.labelled(S.int(0, MAX_STAMP), (l) => `L=${l}`);

/** A vector clock, one entry per node; labelled `V=[1,0,2]` in traces. */
export const vectorStamp = S.labelled(S.perNode(S.int(0, MAX_STAMP)), (v) => `V=${formatVector(v)}`);

/** An HLC timestamp; labelled `hlc=(4,1)` in traces. */
export const hlcStamp = S.labelled(S.record({ l: S.int(0, MAX_STAMP), c: S.int(0, MAX_STAMP) }), (t) => `hlc=${formatHlc(t)}`);
