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
 * The classes of interchangeable ids (each sorted; default one class of all n), checked, and the
 * permutations of every size up to the largest class, in lexicographic order.
 */
function symmetryClasses(n: number, given: readonly (readonly number[])[] | undefined): { readonly classes: number[][]; readonly permsBySize: number[][][] } {
  const classes = (given ?? [Array.from({ length: n }, (_, i) => i + 1)]).map((c) => [...c].sort((a, b) => a - b));
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
  return { classes, permsBySize };
}

/**
 * A function returning the canonical representative of a state under the permutations of
 * interchangeable ids. Use it as `Machine.symmetry`.
 */
export function symmetryCanonicalizer<S>(opts: SymmetryOptions<S>): (s: S) => S {
  const n = opts.n;
  const { classes, permsBySize } = symmetryClasses(n, opts.classes);
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

/** What {@link symmetryKeyWriter} needs to know about a state type. */
export interface SymmetryKeyOptions<S> {
  /** Number of nodes; ids are 1..n. */
  readonly n: number;
  /** Groups of interchangeable ids, as for {@link symmetryCanonicalizer}. */
  readonly classes?: readonly (readonly number[])[];
  /**
   * Write the words `encode(rename(s, perm))` would write, without building the renamed state:
   * `perm[old] = new`, `inv[new] = old` (index 0 maps to 0).
   */
  encodeRenamed(s: S, perm: Int32Array, inv: Int32Array, out: WordBuffer): void;
  /** As for {@link symmetryCanonicalizer}: per node, a number that renaming does not change. */
  signature?(s: S): ArrayLike<number>;
  /** Called once per state before its candidates (to compute what renaming does not change). */
  prepare?(s: S): void;
}

/**
 * Whether the first `alen` words of `a` come before the first `blen` of `b` in the order of
 * {@link WordBuffer.key} strings (each word's low 16 bits, then its high 16 bits; a proper
 * prefix first), so that the least candidate is the one {@link symmetryCanonicalizer} picks.
 */
export function keyLess(a: Int32Array, alen: number, b: Int32Array, blen: number): boolean {
  const len = alen < blen ? alen : blen;
  for (let i = 0; i < len; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return ((x << 16) | (x >>> 16)) >>> 0 < ((y << 16) | (y >>> 16)) >>> 0;
  }
  return alen < blen;
}

/**
 * A function writing `encode(symmetryCanonicalizer(...)(s))` — the canonical key of `s`'s
 * symmetry class — directly into `out`, without renamed copies of the state: the same candidate
 * permutations (the same signature pre-sort) are each written by the permuted encoder into a
 * reused word buffer and compared as words, the least kept. Use it as
 * {@link SymmetryKey.write}; `encodeRenamed` must agree with the canonicalizer's `rename` and
 * `encode` (the tests in checks/env/symkey.test.ts check this on states from a real search).
 */
export function symmetryKeyWriter<S>(opts: SymmetryKeyOptions<S>): (s: S, out: Encoder) => void {
  const n = opts.n;
  const { classes, permsBySize } = symmetryClasses(n, opts.classes);
  const signature = opts.signature?.bind(opts);
  const encodeRenamed = opts.encodeRenamed.bind(opts);
  const prepare = opts.prepare?.bind(opts);
  // Scratch, reused from call to call: the members of all classes in pre-sort order, the runs
  // of equal signature (start in `members`, length), and per run the permutation in use.
  const total = classes.reduce((k, c) => k + c.length, 0);
  const members = new Int32Array(total);
  const positions = new Int32Array(total);
  const runStart = new Int32Array(total);
  const runLen = new Int32Array(total);
  const choice = new Int32Array(total);
  const perm = new Int32Array(n + 1);
  const inv = new Int32Array(n + 1);
  let cur = new WordBuffer();
  let best = new WordBuffer();
  const copyOut = (w: WordBuffer, out: Encoder): void => {
    if (out instanceof WordBuffer) out.append(w.raw, w.len);
    else for (let i = 0; i < w.len; i++) out.int(w.raw[i]!);
  };

  return (s: S, out: Encoder): void => {
    const sig = signature ? signature(s) : undefined;
    if (prepare) prepare(s);
    // Within each class, members sorted by (signature, id) (insertion sort: classes are small);
    // a run of equal signatures may take the run's positions (the class's ids, in order).
    let at = 0;
    let runs = 0;
    let single = true;
    for (const c of classes) {
      const base = at;
      for (const id of c) {
        let j = at++;
        const sv = sig ? sig[id - 1]! : 0;
        while (j > base && (sig ? sig[members[j - 1]! - 1]! : 0) > sv) {
          members[j] = members[j - 1]!;
          j--;
        }
        members[j] = id;
      }
      for (let k = 0; k < c.length; k++) positions[base + k] = c[k]!;
      let start = base;
      for (let i = base + 1; i <= at; i++) {
        if (i === at || (sig ? sig[members[i]! - 1]! !== sig[members[start]! - 1]! : false)) {
          runStart[runs] = start;
          runLen[runs] = i - start;
          choice[runs] = 0;
          if (i - start > 1) single = false;
          runs++;
          start = i;
        }
      }
    }
    for (let i = 0; i <= n; i++) perm[i] = i;
    let have = false;
    for (;;) {
      for (let r = 0; r < runs; r++) {
        const st = runStart[r]!;
        const len = runLen[r]!;
        const p = permsBySize[len]![choice[r]!]!;
        for (let j = 0; j < len; j++) perm[members[st + j]!] = positions[st + p[j]!]!;
      }
      for (let i = 0; i <= n; i++) inv[perm[i]!] = i;
      if (single && out instanceof WordBuffer) {
        // One candidate: its words are the key, written in place.
        encodeRenamed(s, perm, inv, out);
        return;
      }
      cur.reset();
      encodeRenamed(s, perm, inv, cur);
      if (single) {
        copyOut(cur, out);
        return;
      }
      if (!have || keyLess(cur.raw, cur.len, best.raw, best.len)) {
        const t = best;
        best = cur;
        cur = t;
        have = true;
      }
      let r = 0;
      for (; r < runs; r++) {
        choice[r]!++;
        if (choice[r]! < permsBySize[runLen[r]!]!.length) break;
        choice[r] = 0;
      }
      if (r === runs) break;
    }
    copyOut(best, out);
  };
}
