/**
 * Symmetry reduction: the canonical representative of a state under permutations of
 * interchangeable node ids.
 *
 * Brute force over all permutations costs n! renamings and encodings per state, so candidates
 * are cut first with a cheap pre-sort: each node gets a *signature*, a number that renaming does
 * not change (for the environment: up/down, armed timers, clock, messages in and out, and the
 * protocol's own digest). Within each class of interchangeable ids, the node with the k-th
 * smallest signature may only take the class's k-th smallest id; only nodes with equal
 * signatures are permuted among themselves. Among those candidate permutations, the
 * representative is the renamed state whose encoding is least (compared as word strings).
 *
 * Put differently, the representative is the renaming that minimises (signatures in id order,
 * then the encoding) lexicographically over *all* permutations of each class; that is why it is
 * canonical: every renaming of a state has the same candidate set, renamed, and so reaches the
 * same representative. With all signatures equal it is the plain least encoding over all
 * permutations; with all distinct, a single renaming and no comparison at all.
 *
 * `n` is meant to be small (at most 8 interchangeable nodes; 5 in practice).
 */
import { WordBuffer, type Encoder } from '../core/encode.ts';
import { InputError } from '../core/machine.ts';

/** What {@link symmetryCanonicalizer} needs to know about a state type. */
export interface SymmetryOptions<S> {
  /** Number of nodes; ids are 1..n. */
  readonly n: number;
  /** Groups of interchangeable ids; ids in no group stay fixed. Default: one group of all. */
  readonly classes?: readonly (readonly number[])[];
  /** The state with every id renamed: `perm[old] = new` (`perm[0] = 0`). */
  rename(s: S, perm: readonly number[]): S;
  /** The canonical encoding the representative minimises. */
  encode(s: S, out: Encoder): void;
  /**
   * Per node (index id - 1), a number that renaming does not change. Optional; without it every
   * permutation within a class is tried.
   */
  signature?(s: S): ArrayLike<number>;
}

/** The largest class of interchangeable nodes the brute force accepts (8! = 40,320). */
export const MAX_SYMMETRIC_NODES = 8;

/** All permutations of 0..k-1, in lexicographic order. */
export function permutationsOf(k: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const used = new Array<boolean>(k).fill(false);
  const rec = (): void => {
    if (cur.length === k) {
      out.push(cur.slice());
      return;
    }
    for (let i = 0; i < k; i++) {
      if (used[i]) continue;
      used[i] = true;
      cur.push(i);
      rec();
      cur.pop();
      used[i] = false;
    }
  };
  rec();
  return out;
}

/**
 * A function returning the canonical representative of a state under the permutations of
 * interchangeable ids. Use it as `Machine.symmetry`.
 */
export function symmetryCanonicalizer<S>(opts: SymmetryOptions<S>): (s: S) => S {
  const n = opts.n;
  const classes = (opts.classes ?? [Array.from({ length: n }, (_, i) => i + 1)]).map((c) => [...c].sort((a, b) => a - b));
  const seen = new Set<number>();
  for (const c of classes) {
    if (c.length > MAX_SYMMETRIC_NODES) throw new InputError(`symmetry: at most ${MAX_SYMMETRIC_NODES} interchangeable nodes, got ${c.length}`);
    for (const id of c) {
      if (!Number.isInteger(id) || id < 1 || id > n || seen.has(id)) throw new InputError(`symmetry: bad or repeated node id ${id} in classes`);
      seen.add(id);
    }
  }
  const permsBySize: number[][][] = [];
  for (let k = 0; k <= MAX_SYMMETRIC_NODES; k++) permsBySize.push(k <= Math.max(0, ...classes.map((c) => c.length)) ? permutationsOf(k) : []);
  const words = new WordBuffer();
  const keyOf = (s: S): string => {
    words.reset();
    opts.encode(s, words);
    return words.key();
  };
  const zeros = new Array<number>(n).fill(0);

  return (s: S): S => {
    const sig = opts.signature ? opts.signature(s) : zeros;
    // Runs of equal signature within each class: members (ids) and the positions they may take.
    const runMembers: number[][] = [];
    const runPositions: number[][] = [];
    for (const c of classes) {
      const members = c.slice().sort((a, b) => sig[a - 1]! - sig[b - 1]! || a - b);
      let start = 0;
      for (let i = 1; i <= members.length; i++) {
        if (i === members.length || sig[members[i]! - 1] !== sig[members[start]! - 1]) {
          runMembers.push(members.slice(start, i));
          runPositions.push(c.slice(start, i));
          start = i;
        }
      }
    }
    const perm = new Array<number>(n + 1);
    for (let i = 0; i <= n; i++) perm[i] = i;
    const runs = runMembers.length;
    const choice = new Array<number>(runs).fill(0);
    const single = runMembers.every((m) => m.length === 1);
    let best: S | undefined;
    let bestKey = '';
    for (;;) {
      let identity = true;
      for (let r = 0; r < runs; r++) {
        const members = runMembers[r]!;
        const positions = runPositions[r]!;
        const p = permsBySize[members.length]![choice[r]!]!;
        for (let j = 0; j < members.length; j++) {
          const to = positions[p[j]!]!;
          perm[members[j]!] = to;
          if (to !== members[j]) identity = false;
        }
      }
      const t = identity ? s : opts.rename(s, perm);
      // One candidate: it is the representative, no need to encode it here.
      if (single) return t;
      const key = keyOf(t);
      if (best === undefined || key < bestKey) {
        best = t;
        bestKey = key;
      }
      // Next combination (mixed radix over the runs' permutation lists).
      let r = 0;
      for (; r < runs; r++) {
        choice[r]!++;
        if (choice[r]! < permsBySize[runMembers[r]!.length]!.length) break;
        choice[r] = 0;
      }
      if (r === runs) break;
    }
    return best!;
  };
}
