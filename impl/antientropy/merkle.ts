/**
 * Merkle trees over key ranges, as Dynamo (DeCandia et al., SOSP 2007, section 4.7) and
 * Cassandra keep them for anti-entropy: the key space 0..K−1 is split into L leaf ranges of
 * K / L keys; a leaf's hash covers the (key, version) entries of its range, an inner node's hash
 * covers its two children. Nodes are numbered heap-style: 1 is the root, node i has children 2i
 * and 2i + 1, and the leaves are L..2L−1 (leaf L + j covers keys j·K/L … (j+1)·K/L − 1).
 *
 * Two replicas compare top-down: equal hashes prune a whole range; only differing nodes are
 * descended into, and only differing leaves' keys are exchanged, so the hashes compared grow
 * with (log L) × (number of differences), not with K.
 */

/** One stored key and its version (larger is newer). */
export interface Entry {
  readonly key: number;
  readonly ver: number;
}

/** A replica's store: entries in insertion order (one per key). */
export type Store = readonly Entry[];

/** The tree's shape: K keys, L leaves (both powers of two, L ≤ K). */
export interface TreeShape {
  readonly keys: number;
  readonly leaves: number;
}

/** Check a shape. */
export function checkTreeShape(t: TreeShape): string | null {
  const pow2 = (x: number) => Number.isInteger(x) && x >= 1 && (x & (x - 1)) === 0;
  if (!pow2(t.keys) || !pow2(t.leaves) || t.leaves > t.keys) return `keys and leaves must be powers of two with leaves ≤ keys, got keys=${t.keys}, leaves=${t.leaves}`;
  return null;
}

/** The depth of the tree: log2 L (the root is level 0, the leaves level depth). */
export const depthOf = (t: TreeShape): number => Math.log2(t.leaves);
/** Is node `i` a leaf. */
export const isLeaf = (t: TreeShape, i: number): boolean => i >= t.leaves;
/** The keys leaf `i` covers, ascending. */
export function leafKeys(t: TreeShape, i: number): number[] {
  const w = t.keys / t.leaves;
  const j = i - t.leaves;
  return Array.from({ length: w }, (_, x) => j * w + x);
}
/** The leaf covering `key`. */
export const leafOf = (t: TreeShape, key: number): number => t.leaves + Math.floor(key / (t.keys / t.leaves));

/** A 31-bit mix of a running hash and a word (FNV-1a style, then avalanche). */
export function mix(h: number, x: number): number {
  let v = Math.imul(h ^ x, 0x01000193) >>> 0;
  v ^= v >>> 15;
  v = Math.imul(v, 0x2c1b3c6d) >>> 0;
  v ^= v >>> 12;
  return v & 0x7fffffff;
}

/** How a leaf orders its entries before hashing: correct is by key. */
export type LeafOrder = 'key' | 'insertion';

/** Every node's hash (index 1..2L−1; index 0 unused). */
export function treeHashes(t: TreeShape, s: Store, order: LeafOrder = 'key'): Int32Array {
  const h = new Int32Array(2 * t.leaves);
  const perLeaf: Entry[][] = Array.from({ length: t.leaves }, () => []);
  for (const e of s) perLeaf[leafOf(t, e.key) - t.leaves]!.push(e);
  for (let j = 0; j < t.leaves; j++) {
    const es = order === 'key' ? [...perLeaf[j]!].sort((a, b) => a.key - b.key) : perLeaf[j]!;
    let x = mix(0x2545, t.leaves + j);
    for (const e of es) x = mix(mix(x, e.key), e.ver);
    h[t.leaves + j] = x;
  }
  for (let i = t.leaves - 1; i >= 1; i--) h[i] = mix(mix(mix(0x3a8f, i), h[2 * i]!), h[2 * i + 1]!);
  return h;
}

/** The keys on which two stores differ (a bitmask for K ≤ 31, else use {@link diffKeys}). */
export function diffKeys(a: Store, b: Store): number[] {
  const va = new Map(a.map((e) => [e.key, e.ver]));
  const vb = new Map(b.map((e) => [e.key, e.ver]));
  return [...new Set([...va.keys(), ...vb.keys()])].filter((k) => va.get(k) !== vb.get(k)).sort((x, y) => x - y);
}

/** Merge entries into a store: a newer version replaces an older one in place; a new key is appended. */
export function mergeEntries(s: Store, incoming: readonly Entry[]): Store {
  let out: Entry[] | null = null;
  for (const e of incoming) {
    const cur = (out ?? s).findIndex((x) => x.key === e.key);
    if (cur >= 0 && (out ?? s)[cur]!.ver >= e.ver) continue;
    out ??= [...s];
    if (cur >= 0) out[cur] = e;
    else out.push(e);
  }
  return out ?? s;
}

/** The stores hold the same (key, version) pairs. */
export const storesEqual = (a: Store, b: Store): boolean => diffKeys(a, b).length === 0;

/** What a top-down comparison of two whole trees costs (the benchmark's measure). */
export interface RepairCost {
  /** Hash pairs compared. */
  readonly compared: number;
  /** The leaves found different. */
  readonly leaves: readonly number[];
  /** The keys exchanged (those of the differing leaves whose versions differ). */
  readonly keys: readonly number[];
}

/** Compare two trees top-down, descending only into differing nodes (`stopAbove`: levels cut off, 0 correct). */
export function compareTopDown(t: TreeShape, ha: Int32Array, hb: Int32Array, stopAbove = 0): { compared: number; leaves: number[] } {
  let frontier = [1];
  let compared = 0;
  const leaves: number[] = [];
  for (let level = 0; frontier.length > 0; level++) {
    const differing = frontier.filter((i) => (compared++, ha[i] !== hb[i]));
    if (level === depthOf(t) - stopAbove) {
      if (stopAbove === 0) leaves.push(...differing);
      break;
    }
    frontier = differing.flatMap((i) => [2 * i, 2 * i + 1]);
  }
  return { compared, leaves };
}

/** The full cost of repairing `a` against `b`. */
export function repairCost(t: TreeShape, a: Store, b: Store): RepairCost {
  const { compared, leaves } = compareTopDown(t, treeHashes(t, a), treeHashes(t, b));
  const differ = new Set(diffKeys(a, b));
  return { compared, leaves, keys: leaves.flatMap((l) => leafKeys(t, l)).filter((k) => differ.has(k)) };
}
