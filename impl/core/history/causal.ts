/**
 * Causal consistency of a register or key-value history: the CC criterion of Bouajjani, Enea,
 * Guerraoui and Hamza, "On verifying causal consistency" (POPL 2017), for read/write registers.
 *
 * - **Session order** (`po`): each process's operations in the order it ran them. An operation
 *   that never completed has no session successors (its client never learnt when it took effect).
 * - **Writes-into-reads** (`rf`): each read is matched with the write whose value it returned, or
 *   with the initial value.
 * - **Causal order** (`co`): the transitive closure of `po ∪ rf`.
 *
 * The history is causally consistent when some matching `rf` makes `co` a partial order (acyclic)
 * and every read returns a value that its causal past allows: the write it reads from is not
 * overwritten inside the read's causal past (no write `w'` to the same key with
 * `w co w' co r`), and a read of the initial value has no write to its key in its causal past.
 * Equivalently (Bouajjani et al., Lemma for differentiated histories), none of the bad patterns
 * CyclicCO, ThinAirRead, WriteCORead and WriteCOInitRead occurs. This is the definition that
 * "each read sees a causally closed prefix"; it includes read-your-writes, monotonic reads and
 * writes-follow-reads (each appears as a WriteCORead pattern whose path is named in the
 * explanation, with monotonic writes). It does not require replicas to converge (that is causal convergence, CCv), and
 * processes may disagree on the order of concurrent writes.
 *
 * Matching reads to writes: when every value is written at most once per key (a differentiated
 * history) the matching is forced. Otherwise each possible matching is tried, a bounded search:
 * "unknown" when the bound cuts it.
 *
 * Operations: single reads and blind writes only (`register`, `kv` get/put, and `cas-register`
 * histories without a cas). A cas or an append reads and writes at once, and a transaction
 * touches several registers: those need other definitions, and the check refuses them (the CLI
 * reports that the level is not supported for the history).
 */
import { valueKey, type RegisterValue } from './spec.ts';
import type { BoundHit } from '../result.ts';
import type { Access } from './access.ts';
import type { History } from './history.ts';
import { bound, type HistoryCheckOptions } from './search.ts';
import { sessionPredecessors } from './sequential.ts';

/** A causal-consistency verdict. */
export type CausalVerdict = 'causal' | 'not-causal' | 'unknown';

/** The initial value, as the source of a read. */
export const INITIAL = -2;

/** How one operation leads to the next on a causal path. */
export type CausalEdge = 'session' | 'read-from';

/** A step of a causal path: the operation, and the edge that leads from it to the next step. */
export interface PathStep {
  readonly op: number;
  /** The edge to the next step (absent on the last step). */
  readonly via?: CausalEdge;
}

/**
 * Which session guarantee (Terry et al. 1994) an overwritten read breaks, from the shape of the
 * causal path from the overwriting write to the read: only session edges (the reader wrote it:
 * read your writes); one read-from edge straight from the overwriter (the reader had already
 * read it: monotonic reads); one read-from edge after session edges (the reader saw a later
 * write of the overwriter's session but not the overwriter: monotonic writes); several
 * read-from edges (causality carried through another session's read then write: writes
 * follow reads).
 */
export type SessionGuarantee = 'read-your-writes' | 'monotonic-reads' | 'monotonic-writes' | 'writes-follow-reads';

/** Why a history is not causally consistent (for the first matching tried). */
export type CausalViolation =
  /** A read returned a value no write wrote (and not the initial value). */
  | { readonly kind: 'thin-air'; readonly read: number }
  /** The causal order has a cycle: the path returns to its first operation. */
  | { readonly kind: 'cycle'; readonly cycle: readonly PathStep[] }
  /**
   * `read` returned the value of `source` (a write, or {@link INITIAL}), but `overwriter`, a later
   * write to the same key, is in its causal past: `source co overwriter` (`before`, absent for
   * the initial value) and `overwriter co read` (`after`).
   */
  | {
      readonly kind: 'overwritten';
      readonly read: number;
      readonly source: number;
      readonly overwriter: number;
      readonly before?: readonly PathStep[];
      readonly after: readonly PathStep[];
      readonly guarantee: SessionGuarantee;
    };

/** The result of a causal-consistency check. */
export interface CausalResult {
  readonly verdict: CausalVerdict;
  readonly bound?: BoundHit;
  /** When causal: the matching of reads to writes (read id → write id or {@link INITIAL}). */
  readonly readsFrom?: ReadonlyMap<number, number>;
  /** When causal: one total order extending the causal order (a topological order). */
  readonly order?: readonly number[];
  /** When not causal: the violation (of the first matching, when several were tried). */
  readonly violation?: CausalViolation;
  /** Matchings of reads to writes tried, and how many there are in all. */
  readonly matchingsTried: number;
  readonly matchings: number;
  readonly stats: { readonly ops: number; readonly steps: number; readonly elapsedMs: number };
}

/** Why a history cannot be checked for causal consistency, or `null` when it can. */
export function causalUnsupported(accesses: readonly (readonly Access[])[]): string | null {
  for (const a of accesses) {
    if (a.length !== 1) return 'a transaction touches several registers; causal consistency is defined here for single reads and writes';
    const k = a[0]!.kind;
    if (k === 'cas') return 'a cas reads and writes at once; causal consistency is defined here for reads and blind writes (no cas)';
    if (k === 'append') return 'an append reads and writes at once; causal consistency is defined here for get and put (no append)';
  }
  return null;
}

interface Graph {
  readonly n: number;
  readonly po: Int32Array;
  readonly rf: Int32Array;
}

/** The causal past of each operation (bitsets), or a cycle. */
function closure(g: Graph): { past: Uint32Array; words: number; topo: number[] } | { cycle: PathStep[] } {
  const { n, po, rf } = g;
  const succ: number[][] = Array.from({ length: n }, () => []);
  const indeg = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    for (const u of [po[v]!, rf[v]!]) {
      if (u >= 0) {
        succ[u]!.push(v);
        indeg[v]!++;
      }
    }
  }
  const topo: number[] = [];
  const queue: number[] = [];
  for (let v = 0; v < n; v++) if (indeg[v] === 0) queue.push(v);
  for (let qi = 0; qi < queue.length; qi++) {
    const u = queue[qi]!;
    topo.push(u);
    for (const v of succ[u]!) if (--indeg[v]! === 0) queue.push(v);
  }
  if (topo.length < n) {
    // Walk predecessors inside the unsorted part until an operation repeats.
    let v = 0;
    while (indeg[v] === 0) v++;
    const seen = new Map<number, number>();
    const walk: number[] = [];
    while (!seen.has(v)) {
      seen.set(v, walk.length);
      walk.push(v);
      const p = po[v]!;
      v = p >= 0 && indeg[p]! > 0 ? p : rf[v]!;
    }
    const loop = walk.slice(seen.get(v)!).reverse(); // forward order
    const cycle = loop.map((op, i): PathStep => {
      const next = loop[(i + 1) % loop.length]!;
      return { op, via: po[next] === op ? 'session' : 'read-from' };
    });
    cycle.push({ op: loop[0]! });
    return { cycle };
  }
  const words = Math.max(1, Math.ceil(n / 32));
  const past = new Uint32Array(n * words);
  for (const v of topo) {
    const base = v * words;
    for (const u of [po[v]!, rf[v]!]) {
      if (u < 0) continue;
      const ub = u * words;
      for (let w = 0; w < words; w++) past[base + w]! |= past[ub + w]!;
      past[base + (u >>> 5)]! |= 1 << (u & 31);
    }
  }
  return { past, words, topo };
}

/** A shortest causal path from `a` to `b` (breadth-first over session and read-from edges). */
function path(g: Graph, a: number, b: number): PathStep[] {
  const back = new Int32Array(g.n).fill(-1);
  const edge: CausalEdge[] = new Array<CausalEdge>(g.n);
  const succ: number[][] = Array.from({ length: g.n }, () => []);
  for (let v = 0; v < g.n; v++) {
    if (g.po[v]! >= 0) succ[g.po[v]!]!.push(v);
    if (g.rf[v]! >= 0) succ[g.rf[v]!]!.push(v);
  }
  const queue = [a];
  back[a] = a;
  for (let qi = 0; qi < queue.length && back[b] === -1; qi++) {
    const u = queue[qi]!;
    for (const v of succ[u]!) {
      if (back[v] !== -1) continue;
      back[v] = u;
      edge[v] = g.po[v] === u ? 'session' : 'read-from';
      queue.push(v);
    }
  }
  if (back[b] === -1) throw new Error('causal check: no path between causally ordered operations (internal error)');
  const rev: PathStep[] = [{ op: b }];
  for (let v = b; v !== a; v = back[v]!) rev.push({ op: back[v]!, via: edge[v]! });
  return rev.reverse();
}

function guaranteeOf(after: readonly PathStep[]): SessionGuarantee {
  const reads = after.filter((s) => s.via === 'read-from').length;
  if (reads === 0) return 'read-your-writes';
  if (reads > 1) return 'writes-follow-reads';
  // One read-from edge (it lands in the reader's session, since session edges stay in one).
  return after[0]!.via === 'read-from' ? 'monotonic-reads' : 'monotonic-writes';
}

/** Check one matching. */
function checkMatching(g: Graph, source: Int32Array, acc: readonly Access[], writesByKey: ReadonlyMap<string, readonly number[]>): { violation: CausalViolation } | { topo: number[] } {
  const c = closure(g);
  if ('cycle' in c) return { violation: { kind: 'cycle', cycle: c.cycle } };
  const { past, words } = c;
  const has = (v: number, u: number): boolean => (past[v * words + (u >>> 5)]! & (1 << (u & 31))) !== 0;
  for (let r = 0; r < g.n; r++) {
    const a = acc[r]!;
    if (a.kind !== 'read') continue;
    const src = source[r]!;
    for (const w of writesByKey.get(a.key) ?? []) {
      if (w === src || !has(r, w)) continue;
      if (src === INITIAL || has(w, src)) {
        const after = path(g, w, r);
        return {
          violation: {
            kind: 'overwritten',
            read: r,
            source: src,
            overwriter: w,
            ...(src !== INITIAL ? { before: path(g, src, w) } : {}),
            after,
            guarantee: guaranteeOf(after),
          },
        };
      }
    }
  }
  return { topo: c.topo };
}

/** Check a register history for causal consistency (see the module comment). */
export function checkCausal(
  history: History<unknown, unknown>,
  accesses: readonly (readonly Access[])[],
  initial: RegisterValue,
  options: HistoryCheckOptions = {},
): CausalResult {
  const now = options.now ?? (() => performance.now());
  const maxSteps = bound(options, 'maxSteps');
  const timeLimitMs = bound(options, 'timeLimitMs');
  const maxStates = bound(options, 'maxStates');
  const start = now();
  const unsupported = causalUnsupported(accesses);
  if (unsupported !== null) throw new Error(`causal check: ${unsupported}`);
  const n = history.ops.length;
  const acc = accesses.map((a) => a[0]!);
  const stats = (steps: number): CausalResult['stats'] => ({ ops: n, steps, elapsedMs: now() - start });
  // The bitsets of the causal past take n * n bits: the memory bound (4 words per allowed memo
  // entry: 64 MB at the default 4,000,000).
  if (n * Math.ceil(n / 32) > maxStates * 4) {
    return { verdict: 'unknown', bound: { kind: 'states', limit: maxStates }, matchingsTried: 0, matchings: 0, stats: stats(0) };
  }
  const writesByKey = new Map<string, number[]>();
  const writesByValue = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const a = acc[i]!;
    if (a.kind !== 'write') continue;
    (writesByKey.get(a.key) ?? writesByKey.set(a.key, []).get(a.key)!).push(i);
    const vk = `${a.key}\u0000${valueKey(a.value)}`;
    (writesByValue.get(vk) ?? writesByValue.set(vk, []).get(vk)!).push(i);
  }
  // Candidate sources of each read: writes of its value, most recently invoked first, then the
  // initial value.
  const reads: number[] = [];
  const cands: number[][] = [];
  let matchings = 1;
  for (let r = 0; r < n; r++) {
    const a = acc[r]!;
    if (a.kind !== 'read') continue;
    const ws = (writesByValue.get(`${a.key}\u0000${valueKey(a.value)}`) ?? []).filter((w) => w !== r);
    const ret = history.ops[r]!.ret!;
    const c = [...ws.filter((w) => history.ops[w]!.call <= ret).reverse(), ...ws.filter((w) => history.ops[w]!.call > ret)];
    if (valueKey(a.value) === valueKey(initial)) c.push(INITIAL);
    if (c.length === 0) return { verdict: 'not-causal', violation: { kind: 'thin-air', read: r }, matchingsTried: 0, matchings: 0, stats: stats(0) };
    reads.push(r);
    cands.push(c);
    matchings = Math.min(Number.MAX_SAFE_INTEGER, matchings * c.length);
  }
  const po = sessionPredecessors(history);
  const rf = new Int32Array(n).fill(-1);
  const choice = new Int32Array(reads.length);
  let first: CausalViolation | undefined;
  let tried = 0;
  let steps = 0;
  for (;;) {
    if (steps + n > maxSteps && tried > 0) return { verdict: 'unknown', bound: { kind: 'steps', limit: maxSteps }, matchingsTried: tried, matchings, stats: stats(steps) };
    if (tried > 0 && now() - start > timeLimitMs) return { verdict: 'unknown', bound: { kind: 'time', limit: timeLimitMs }, matchingsTried: tried, matchings, stats: stats(steps) };
    reads.forEach((r, i) => (rf[r] = cands[i]![choice[i]!]!));
    // The initial value is not an operation: keep it out of the graph's edges.
    const g: Graph = { n, po, rf: rf.map((x) => (x === INITIAL ? -1 : x)) };
    const out = checkMatching(g, rf, acc, writesByKey);
    tried++;
    steps += n;
    if ('topo' in out) {
      const readsFrom = new Map<number, number>(reads.map((r) => [r, rf[r]!]));
      return { verdict: 'causal', readsFrom, order: out.topo, matchingsTried: tried, matchings, stats: stats(steps) };
    }
    first ??= out.violation;
    // Next matching (odometer).
    let i = 0;
    while (i < reads.length && ++choice[i]! >= cands[i]!.length) choice[i++] = 0;
    if (i === reads.length) return { verdict: 'not-causal', violation: first, matchingsTried: tried, matchings, stats: stats(steps) };
  }
}
