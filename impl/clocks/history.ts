/**
 * The ghost records the clock models write: per process, every event with the timestamp the
 * clock under test gave it ({@link ClockHistory}); for the two stores, every write and who has
 * seen it ({@link StoreHistory}). The protocols append to them; the specs (`specs/clocks/`)
 * compute the true happens-before relation from them and compare the timestamps with it.
 */
import type { NodeId } from '../env/types.ts';
import type { VectorOrder } from './algebra.ts';

/** One event of the record, with the timestamp `T` the clock under test gave it. */
export type ClockEvent<T> =
  | { readonly kind: 'local'; readonly pt: number; readonly stamp: T }
  | { readonly kind: 'send'; readonly to: NodeId; readonly pt: number; readonly stamp: T }
  | {
      readonly kind: 'recv';
      readonly from: NodeId;
      /** Index of the send event in the sender's history. */
      readonly send: number;
      readonly pt: number;
      readonly stamp: T;
    };

/** Every event so far, per process: `procs[p - 1]` is process p's history, in order. */
export interface ClockHistory<T> {
  readonly procs: readonly (readonly ClockEvent<T>[])[];
}

/** The empty record over `n` processes. */
export function emptyHistory<T>(n: number): ClockHistory<T> {
  return { procs: Array.from({ length: n }, () => []) };
}

/** The record with one more event at process `p`. */
export function appendEvent<T>(h: ClockHistory<T>, p: NodeId, e: ClockEvent<T>): ClockHistory<T> {
  const procs = h.procs.slice();
  procs[p - 1] = [...(h.procs[p - 1] ?? []), e];
  return { procs };
}

/** An event's name: `n2.3` is the third event of process n2. */
export function eventName(proc: NodeId, index: number): string {
  return `n${proc}.${index + 1}`;
}

/** A vector clock's comparison, as the clock under test implements it. */
export type VectorCompare = (u: readonly number[], v: readonly number[]) => VectorOrder;

/** An HLC timestamp as the record holds it. */
export interface HlcStamp {
  readonly l: number;
  readonly c: number;
}

/** One write, in the record. */
export interface WriteRecord {
  /** The replica that took it. */
  readonly node: NodeId;
  /** The physical clock there when it did. */
  readonly pt: number;
  /** The writes that happen before it: bit w − 1 for write w. */
  readonly past: number;
}

/** The record of a store run. */
export interface StoreHistory {
  /** `writes[w - 1]` is write w. */
  readonly writes: readonly WriteRecord[];
  /** `seen[r - 1]`: the writes replica r has taken or received, bit w − 1 for write w. */
  readonly seen: readonly number[];
}

/** The most writes a record can hold (they are bits of a 32-bit set). */
export const MAX_WRITES = 30;

/** The empty record over `n` replicas. */
export function emptyStoreHistory(n: number): StoreHistory {
  return { writes: [], seen: new Array<number>(n).fill(0) };
}

/** The writes replica `r` knows of causally: those it has seen and everything before them. */
export function knownAt(h: StoreHistory, r: NodeId): number {
  let known = 0;
  for (let seen = h.seen[r - 1]!; seen !== 0; seen &= seen - 1) {
    const w = 31 - Math.clz32(seen & -seen);
    known |= (1 << w) | h.writes[w]!.past;
  }
  return known;
}

/** The record after replica `r` takes write `w` (the next one) at physical time `pt`. */
export function recordWrite(h: StoreHistory, r: NodeId, w: number, pt: number): StoreHistory {
  if (w !== h.writes.length + 1) throw new Error(`write w${w} recorded out of order (next is w${h.writes.length + 1})`);
  if (w > MAX_WRITES) throw new Error(`at most ${MAX_WRITES} writes`);
  const seen = h.seen.slice();
  seen[r - 1] = seen[r - 1]! | (1 << (w - 1));
  return { writes: [...h.writes, { node: r, pt, past: knownAt(h, r) }], seen };
}

/** The record after replica `r` receives write `w`. */
export function recordReceive(h: StoreHistory, r: NodeId, w: number): StoreHistory {
  const bit = 1 << (w - 1);
  if ((h.seen[r - 1]! & bit) !== 0) return h;
  const seen = h.seen.slice();
  seen[r - 1] = seen[r - 1]! | bit;
  return { writes: h.writes, seen };
}
