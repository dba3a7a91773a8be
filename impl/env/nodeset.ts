/**
 * Sets of node ids as bitmasks: bit `id - 1` is set for each member (ids 1..31). The one place
 * where bit tricks on node sets live; protocols call these instead of writing their own.
 */
/** A node id: 1..n (defined here, the leaf of the environment; `types.ts` re-exports it). */
export type NodeId = number;

/** A set of node ids as a bitmask (bit `id - 1` per member). */
export type NodeSet = number;

/** The empty node set. */
export const EMPTY_NODES: NodeSet = 0;

/** Number of members. */
export function popcount(x: NodeSet): number {
  let c = 0;
  for (let v = x >>> 0; v !== 0; v = (v & (v - 1)) >>> 0) c++;
  return c;
}

/** Whether `id` is a member. */
export function hasNode(set: NodeSet, id: NodeId): boolean {
  return ((set >>> (id - 1)) & 1) === 1;
}

/** The set with `id` added. */
export function addNode(set: NodeSet, id: NodeId): NodeSet {
  return (set | (1 << (id - 1))) >>> 0;
}

/** The set with `id` removed. */
export function removeNode(set: NodeSet, id: NodeId): NodeSet {
  return (set & ~(1 << (id - 1))) >>> 0;
}

/** The set of these ids. */
export function nodeSetOf(ids: Iterable<NodeId>): NodeSet {
  let s = 0;
  for (const id of ids) s = addNode(s, id);
  return s;
}

/** The members, ascending. */
export function nodesIn(set: NodeSet): NodeId[] {
  const out: NodeId[] = [];
  for (let i = 0; i < 32 && set >>> i !== 0; i++) if ((set >>> i) & 1) out.push(i + 1);
  return out;
}

/** The set with every member renamed by `f`. */
export function renameNodeSet(set: NodeSet, f: (id: NodeId) => NodeId): NodeSet {
  let out = 0;
  for (let i = 0; i < 32 && set >>> i !== 0; i++) if ((set >>> i) & 1) out |= 1 << (f(i + 1) - 1);
  return out >>> 0;
}
