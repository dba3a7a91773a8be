/**
 * Partitions: the shapes the scheduler may impose, their canonical form and cut matrix, and
 * their labels.
 */
import type { NodeId, Partition } from './types.ts';
import type { PartitionGroups } from './config.ts';

/** A node's name in traces and diagrams: `n1`, `n2`, ... */
export function nodeName(id: NodeId): string {
  return `n${id}`;
}

/**
 * The canonical partition with these groups: each group sorted, groups sorted by first member
 * (symmetric), or kept as [from, to] (one-way), with its cut matrix. Throws unless the groups
 * split 1..n into at least two non-empty groups (exactly two when one-way).
 */
export function makePartition(groups: readonly (readonly NodeId[])[], oneWay: boolean, n: number): Partition {
  const sorted = groups.map((g) => [...g].sort((a, b) => a - b));
  const seen = new Set<number>();
  for (const g of sorted) {
    if (g.length === 0) throw new Error('partition: empty group');
    for (const id of g) {
      if (!Number.isInteger(id) || id < 1 || id > n || seen.has(id)) throw new Error(`partition: bad or repeated node ${id}`);
      seen.add(id);
    }
  }
  if (seen.size !== n) throw new Error('partition: the groups must cover every node');
  if (sorted.length < 2) throw new Error('partition: needs at least two groups');
  if (oneWay && sorted.length !== 2) throw new Error('partition: a one-way partition has exactly two groups');
  if (!oneWay) sorted.sort((a, b) => a[0]! - b[0]!);
  const cut = new Array<number>(n).fill(0);
  if (oneWay) {
    let to = 0;
    for (const j of sorted[1]!) to |= 1 << (j - 1);
    for (const i of sorted[0]!) cut[i - 1] = to;
  } else {
    const all = n === 32 ? -1 : (1 << n) - 1;
    for (const g of sorted) {
      let mask = 0;
      for (const j of g) mask |= 1 << (j - 1);
      for (const i of g) cut[i - 1] = all & ~mask;
    }
  }
  return { groups: sorted, oneWay, cut };
}

/** Every partition the scheduler may impose, in a fixed order. */
export function partitionShapes(n: number, groups: PartitionGroups, oneWay: boolean): Partition[] {
  const out: Partition[] = [];
  if (n < 2) return out;
  // Restricted growth strings in lexicographic order enumerate the set partitions of 1..n.
  const rgs = new Array<number>(n).fill(0);
  const visit = (i: number, max: number): void => {
    if (i === n) {
      const k = max + 1;
      if (k < 2 || (groups === 'two' && k !== 2)) return;
      const gs: NodeId[][] = Array.from({ length: k }, () => []);
      for (let j = 0; j < n; j++) gs[rgs[j]!]!.push(j + 1);
      out.push(makePartition(gs, false, n));
      return;
    }
    for (let v = 0; v <= max + 1; v++) {
      rgs[i] = v;
      visit(i + 1, Math.max(max, v));
    }
  };
  visit(1, 0);
  if (oneWay) {
    const full = (1 << n) - 1;
    for (let mask = 1; mask < full; mask++) {
      const a: NodeId[] = [];
      const b: NodeId[] = [];
      for (let j = 0; j < n; j++) ((mask >> j) & 1 ? a : b).push(j + 1);
      out.push(makePartition([a, b], true, n));
    }
  }
  return out;
}

/** True when the partition blocks messages from `from` to `to`. */
export function blocks(p: Partition | null, from: NodeId, to: NodeId): boolean {
  return p !== null && ((p.cut[from - 1]! >>> (to - 1)) & 1) === 1;
}

/** `{n1} | {n2,n3}`, or `{n1} ↛ {n2,n3}` for a one-way cut. */
export function formatPartition(groups: readonly (readonly NodeId[])[], oneWay: boolean, name: (id: NodeId) => string = nodeName): string {
  return groups.map((g) => `{${g.map(name).join(',')}}`).join(oneWay ? ' ↛ ' : ' | ');
}

/** The partition with node ids renamed by the permutation `f`, in canonical form. */
export function renamePartition(p: Partition, f: (id: NodeId) => NodeId, n: number): Partition {
  const groups = p.groups.map((g) => g.map(f).sort((a, b) => a - b));
  if (!p.oneWay) groups.sort((a, b) => a[0]! - b[0]!);
  const cut = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const c = p.cut[i]!;
    if (c === 0) continue;
    let mapped = 0;
    for (let j = 0; j < n; j++) if ((c >>> j) & 1) mapped |= 1 << (f(j + 1) - 1);
    cut[f(i + 1) - 1] = mapped;
  }
  return { groups, oneWay: p.oneWay, cut };
}
