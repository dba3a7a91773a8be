/**
 * State-based CRDTs and a gossip membership list: pure values and their joins.
 *
 * - G-counter, OR-set: M. Shapiro, N. Preguiça, C. Baquero, M. Zawirski, "A comprehensive study
 *   of Convergent and Commutative Replicated Data Types" (INRIA RR-7506, 2011), Specification 6
 *   (state-based G-Counter) and Specification 15 (OR-Set: adds carry unique tags; a remove
 *   tombstones the tags it observed, so a concurrent add, whose tag it never saw, survives).
 * - LWW register (Specification 8), keyed by a hybrid logical clock (Kulkarni et al., OPODIS 2014;
 *   `impl/clocks/algebra.ts`) with the writer's id breaking ties, so the order is total.
 * - Membership: a heartbeat counter and a status per node, as Cassandra's gossiper (generation
 *   and version) and SWIM (incarnation numbers) keep one. A higher heartbeat wins; at equal
 *   heartbeats `dead` beats `alive` beats `unknown`, so a death declared at heartbeat h sticks
 *   until the node itself refutes it with heartbeat h + 1 (SWIM section 4.2).
 *
 * Every join here is the least upper bound of a semilattice: commutative, associative and
 * idempotent (checked against reference implementations in `checks/protocols/gossip-crdt.test.ts`).
 * The known-bug joins at the end are not.
 *
 * Values are canonical: tag sets are sorted by {@link tagKey} without duplicates, so two equal
 * states are equal as data and {@link dataEqual} is a structural comparison.
 */
import { hlcCompare, hlcLocal, type Hlc } from '../clocks/algebra.ts';

// ---------------------------------------------------------------------------------------------
// G-counter

/** A grow-only counter: entry `i - 1` counts node i's increments. */
export type GCounter = readonly number[];

/** The counter's value: the sum of the entries. */
export function gcValue(c: GCounter): number {
  return c.reduce((a, b) => a + b, 0);
}

/** Node `i` increments. */
export function gcIncrement(c: GCounter, i: number): GCounter {
  return c.map((x, k) => (k === i - 1 ? x + 1 : x));
}

/** The join: entry-wise max. */
export function gcMerge(a: GCounter, b: GCounter): GCounter {
  return a.map((x, k) => Math.max(x, b[k] ?? 0));
}

/** a ≤ b in the lattice. */
export function gcLeq(a: GCounter, b: GCounter): boolean {
  return a.every((x, k) => x <= (b[k] ?? 0));
}

// ---------------------------------------------------------------------------------------------
// OR-set

/** A unique add tag: node `node`'s `seq`-th operation added `elem`. */
export interface Tag {
  readonly elem: number;
  readonly node: number;
  readonly seq: number;
}

/** The sort key of a tag (elem, node, seq). */
export function tagKey(t: Tag): number {
  return (t.elem * 64 + t.node) * 256 + t.seq;
}

/** `Tag(e0 by n1#2)`. */
export function formatTag(t: Tag): string {
  return `e${t.elem}@n${t.node}#${t.seq}`;
}

/** An observed-remove set: the add tags, and the tags removes have observed (tombstones). */
export interface OrSet {
  readonly adds: readonly Tag[];
  readonly removes: readonly Tag[];
}

/** The empty OR-set. */
export const OR_EMPTY: OrSet = { adds: [], removes: [] };

/** The union of two sorted tag lists, sorted, without duplicates. */
export function tagUnion(a: readonly Tag[], b: readonly Tag[]): readonly Tag[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: Tag[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const ka = i < a.length ? tagKey(a[i]!) : Infinity;
    const kb = j < b.length ? tagKey(b[j]!) : Infinity;
    if (ka <= kb) out.push(a[i++]!);
    else out.push(b[j++]!);
    if (ka === kb) j++;
  }
  return out.length === a.length ? a : out;
}

/** a ⊆ b, for sorted tag lists. */
export function tagSubset(a: readonly Tag[], b: readonly Tag[]): boolean {
  const keys = new Set(b.map(tagKey));
  return a.every((t) => keys.has(tagKey(t)));
}

/** Add `elem` with a fresh tag. */
export function orAdd(s: OrSet, tag: Tag): OrSet {
  return { adds: tagUnion(s.adds, [tag]), removes: s.removes };
}

/** Remove `elem`: tombstone every add tag of it this replica has observed. */
export function orRemove(s: OrSet, elem: number): OrSet {
  return { adds: s.adds, removes: tagUnion(s.removes, s.adds.filter((t) => t.elem === elem)) };
}

/** Is `elem` in the set: some add of it has not been removed. */
export function orContains(s: OrSet, elem: number): boolean {
  const dead = new Set(s.removes.map(tagKey));
  return s.adds.some((t) => t.elem === elem && !dead.has(tagKey(t)));
}

/** The elements, ascending. */
export function orElements(s: OrSet): readonly number[] {
  const dead = new Set(s.removes.map(tagKey));
  return [...new Set(s.adds.filter((t) => !dead.has(tagKey(t))).map((t) => t.elem))].sort((x, y) => x - y);
}

/** The join: union of the adds and union of the tombstones. */
export function orMerge(a: OrSet, b: OrSet): OrSet {
  return { adds: tagUnion(a.adds, b.adds), removes: tagUnion(a.removes, b.removes) };
}

/** a ≤ b in the lattice. */
export function orLeq(a: OrSet, b: OrSet): boolean {
  return tagSubset(a.adds, b.adds) && tagSubset(a.removes, b.removes);
}

// ---------------------------------------------------------------------------------------------
// LWW register keyed by HLC

/** A last-writer-wins register: the value, its HLC timestamp and its writer (null: never written). */
export interface Lww {
  readonly value: number;
  readonly l: number;
  readonly c: number;
  readonly writer: number | null;
}

/** The unwritten register. */
export const LWW_EMPTY: Lww = { value: 0, l: 0, c: 0, writer: null };

/** The total order of writes: (HLC, writer); the unwritten register is below every write. */
export function lwwCompare(a: Lww, b: Lww): number {
  if (a.writer === null || b.writer === null) return (a.writer === null ? 0 : 1) - (b.writer === null ? 0 : 1);
  return hlcCompare(a, b) || a.writer - b.writer;
}

/**
 * Node `writer` writes `value`: its HLC advances as for a local event (Figure 5) from its own
 * clock `hlc` and physical time `pt`, and the write carries the new timestamp.
 */
export function lwwWrite(hlc: Hlc, pt: number, writer: number, value: number): { readonly hlc: Hlc; readonly reg: Lww } {
  const t = hlcLocal(hlc, pt);
  return { hlc: t, reg: { value, l: t.l, c: t.c, writer } };
}

/** The join: the later write. */
export function lwwMerge(a: Lww, b: Lww): Lww {
  return lwwCompare(a, b) >= 0 ? a : b;
}

/** The HLC after seeing a register: at least its timestamp, so the next write is later. */
export function hlcSee(hlc: Hlc, r: Lww): Hlc {
  return r.writer !== null && hlcCompare(r, hlc) > 0 ? { l: r.l, c: r.c } : hlc;
}

// ---------------------------------------------------------------------------------------------
// Membership

/** What a node believes about another: unknown (never heard of), alive, or declared dead. */
export type Status = 'unknown' | 'alive' | 'dead';

/** A membership entry: the highest heartbeat heard of, and the status at that heartbeat. */
export interface Member {
  readonly hb: number;
  readonly status: Status;
}

/** The membership list: entry `i - 1` is about node i. */
export type Members = readonly Member[];

const RANK: Readonly<Record<Status, number>> = { unknown: 0, alive: 1, dead: 2 };

/** The order of entries: heartbeat first, then unknown < alive < dead. */
export function memberCompare(a: Member, b: Member): number {
  return a.hb - b.hb || RANK[a.status] - RANK[b.status];
}

/** The join of two entries: the larger. */
export function memberMerge(a: Member, b: Member): Member {
  return memberCompare(a, b) >= 0 ? a : b;
}

/** The join of two lists, entry by entry. */
export function membersMerge(a: Members, b: Members, entry: (x: Member, y: Member) => Member = memberMerge): Members {
  return a.map((x, k) => entry(x, b[k]!));
}

// ---------------------------------------------------------------------------------------------
// Everything a replica gossips

/** The replicated data of one node. */
export interface GossipData {
  readonly counter: GCounter;
  readonly set: OrSet;
  readonly reg: Lww;
  readonly members: Members;
}

/** A merge of two replicas' data; the correct one is {@link mergeData}. */
export type DataMerge = (local: GossipData, remote: GossipData) => GossipData;

/** The join of everything. */
export const mergeData: DataMerge = (a, b) => ({
  counter: gcMerge(a.counter, b.counter),
  set: orMerge(a.set, b.set),
  reg: lwwMerge(a.reg, b.reg),
  members: membersMerge(a.members, b.members),
});

/** Equal data (the values are canonical). */
export function dataEqual(a: GossipData, b: GossipData): boolean {
  return (
    a.counter.every((x, k) => x === b.counter[k]) &&
    a.set.adds.length === b.set.adds.length &&
    a.set.removes.length === b.set.removes.length &&
    tagSubset(a.set.adds, b.set.adds) &&
    tagSubset(a.set.removes, b.set.removes) &&
    lwwCompare(a.reg, b.reg) === 0 &&
    a.reg.value === b.reg.value &&
    a.members.every((m, k) => memberCompare(m, b.members[k]!) === 0)
  );
}

// ---------------------------------------------------------------------------------------------
// The known-bug joins

/** Non-idempotent: the counter entries are added, not maxed, so merging a state twice counts it twice. */
export const sumCounterMerge: DataMerge = (a, b) => ({ ...mergeData(a, b), counter: a.counter.map((x, k) => x + (b.counter[k] ?? 0)) });

/**
 * The remove deletes concurrent adds: a tombstone for an element is read as "the element is
 * gone", so the merge tombstones every add of that element, also adds the remover never saw.
 */
export const removeAllMerge: DataMerge = (a, b) => {
  const m = mergeData(a, b);
  const removed = new Set(m.set.removes.map((t) => t.elem));
  return { ...m, set: { adds: m.set.adds, removes: tagUnion(m.set.removes, m.set.adds.filter((t) => removed.has(t.elem))) } };
};

/** At equal heartbeats `alive` wins over `dead`: an alive entry gossiped back resurrects a dead node. */
export const resurrectMerge: DataMerge = (a, b) => ({
  ...mergeData(a, b),
  members: membersMerge(a.members, b.members, (x, y) => (x.hb !== y.hb ? memberMerge(x, y) : x.status === 'alive' || y.status === 'alive' ? { hb: x.hb, status: 'alive' } : memberMerge(x, y))),
});

/** Not a join at all: the replica takes the remote state, losing whatever it had that the remote had not seen. */
export const overwriteMerge: DataMerge = (_a, b) => b;
