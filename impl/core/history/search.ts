/**
 * The linearizability checker: a Wing–Gong search with Lowe's memoisation, as Porcupine does it
 * (Lowe, "Testing for linearizability", 2017; Athalye, Porcupine `checker.go`).
 *
 * The history becomes a doubly linked list of call and return entries in time order. The search
 * walks it from the head: at a call entry it tries to linearize that operation now (the spec
 * accepts its observed output in the current state); if it can, the operation is "lifted" out of
 * the list (its call and return entries unlinked, dancing-links style) and the walk restarts at
 * the head. Reaching a return entry means the operation it closes must already have been
 * linearized and was not: the search backtracks, "unlifting" the last operation and trying the
 * next candidate after it. A cache of (set of linearized operations, state key) pairs prunes
 * configurations already explored, which is what makes the search practical.
 *
 * Operations that never completed have no return entry: they may be linearized anywhere after
 * their invocation, or never, and the search succeeds once every completed operation is placed.
 *
 * When the spec has a `partitionKey` (P-compositionality), each partition is searched on its own,
 * in interleaved rounds of doubling step slices: a cheap failing partition ends the check even
 * when another partition is expensive (Porcupine gets the same effect by checking partitions in
 * parallel), and the result does not depend on timing. Spec states are interned by key, and the
 * spec's step is cached per (state, operation) for the first states met, so re-trying a candidate
 * is a table lookup. The memo is an open-addressing hash set over typed arrays, with an
 * incrementally maintained Zobrist hash of the linearized set.
 *
 * The search has mandatory bounds (steps, memo entries, time); a search cut by a bound reports
 * `unknown`, never a verdict.
 */
import { fmix } from '../encode.ts';
import type { SequentialSpec } from './spec.ts';
import { InputError } from '../machine.ts';
import type { BoundHit } from '../result.ts';
import type { History, Operation } from './history.ts';

/** A linearizability verdict. `unknown`: a bound cut the search before it could decide. */
export type LinearizabilityVerdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** Bounds and switches of a check. Every bound has a default; none can be switched off. */
export interface HistoryCheckOptions {
  /** Search steps (entries visited), over all partitions. Default 100,000,000. */
  readonly maxSteps?: number;
  /** Memo entries kept, over all partitions (the memory bound). Default 4,000,000. */
  readonly maxStates?: number;
  /** Wall-clock limit in milliseconds. Default 60,000. */
  readonly timeLimitMs?: number;
  /**
   * Stop at the first partition that is not linearizable (default true). When false, every
   * partition is checked, so each failing partition is reported.
   */
  readonly stopAtFirstFailure?: boolean;
  /** The clock, in milliseconds (tests inject one). Default `performance.now`. */
  readonly now?: () => number;
}

/** The default bounds. */
export const DEFAULT_HISTORY_BOUNDS = Object.freeze({ maxSteps: 100_000_000, maxStates: 4_000_000, timeLimitMs: 60_000 });

/** What the search found in one partition. */
export interface PartitionResult {
  /** The partition key, or `null` when the history is checked whole. */
  readonly key: string | null;
  /** Ids of its operations, in history order. */
  readonly ops: readonly number[];
  /** Its verdict; `skipped` when another partition's failure decided the history first. */
  readonly verdict: LinearizabilityVerdict | 'skipped';
  /** The bound that cut it, when `unknown`. */
  readonly bound?: BoundHit;
  /** Entries visited. */
  readonly steps: number;
  /** Memo entries stored. */
  readonly states: number;
  /** Wall time of this partition. */
  readonly elapsedMs: number;
  /**
   * When linearizable: a witness linearization (operation ids in linearization order).
   * Operations that never completed and are absent did not take effect.
   */
  readonly linearization?: readonly number[];
  /** When not linearizable: why. */
  readonly explanation?: Explanation;
}

/**
 * Why a partition is not linearizable. The search found no order for the whole partition; the
 * longest order it found for a prefix is `prefix`, leaving the object in `stateAfterPrefix`.
 * After it, some operation must be placed before `blocking` completes, and none of the
 * candidates can be: every operation in `unplaced` is illegal in that state.
 */
export interface Explanation {
  /** The partition key, or `null` when the history is checked whole. */
  readonly partition: string | null;
  /** The longest linearizable prefix found: operation ids in linearization order. */
  readonly prefix: readonly number[];
  /** The spec's rendering of the state after `prefix`. */
  readonly stateAfterPrefix: string;
  /**
   * The completed operations that could not be placed: not in the prefix, invoked before
   * `blocking` completed, so one of them had to come next; each is illegal after the prefix.
   */
  readonly unplaced: readonly number[];
  /** The earliest-completing operation not in the prefix: it must be linearized, and cannot be. */
  readonly blocking: number;
  /** Completed operations of the partition (so a reader can see how far the prefix got). */
  readonly partitionOps: number;
}

/** Counters of a whole check. */
export interface HistoryStats {
  /** Operations in the history. */
  readonly ops: number;
  /** Operations with no completion. */
  readonly crashedOps: number;
  /** Partitions (1 when the spec does not partition). */
  readonly partitions: number;
  /** Operations in the largest partition. */
  readonly largestPartition: number;
  /** Entries visited, all partitions. */
  readonly steps: number;
  /** Memo entries (linearized set, state), all partitions. */
  readonly states: number;
  /** Distinct states of the sequential spec met, summed over partitions. */
  readonly modelStates: number;
  /** Wall time. */
  readonly elapsedMs: number;
}

/** The result of a linearizability check. */
export interface HistoryCheckResult {
  /** The verdict: `unknown` only when a bound cut the search and no partition failed. */
  readonly verdict: LinearizabilityVerdict;
  /** The bound that made the verdict `unknown`. */
  readonly bound?: BoundHit;
  /** Per partition, in check order (sorted by key). */
  readonly partitions: readonly PartitionResult[];
  /** For `not-linearizable`: the first failing partition's explanation. */
  readonly explanation?: Explanation;
  /** Counters. */
  readonly stats: HistoryStats;
}

// ---------------------------------------------------------------------------------------------
// The memo: an open-addressing hash set of (bitset, state id) in typed arrays.

/** An open-addressing hash set of (operation bitset, state id) pairs in typed arrays (shared with the sequential-consistency search). */
export class Memo {
  private slots: Int32Array;
  private mask: number;
  private hashes: Int32Array;
  private bits: Uint32Array;
  private sids: Int32Array;
  size = 0;

  constructor(private readonly words: number) {
    this.slots = new Int32Array(1024);
    this.mask = 1023;
    this.hashes = new Int32Array(512);
    this.sids = new Int32Array(512);
    this.bits = new Uint32Array(512 * Math.max(1, words));
  }

  /** Add (lin, sid) with hash h; false when it was already there. */
  addIfAbsent(lin: Uint32Array, h: number, sid: number): boolean {
    const W = this.words;
    let i = h & this.mask;
    for (;;) {
      const e = this.slots[i]!;
      if (e === 0) break;
      const idx = e - 1;
      if (this.hashes[idx] === h && this.sids[idx] === sid) {
        const base = idx * W;
        let same = true;
        for (let w = 0; w < W; w++) {
          if (this.bits[base + w] !== lin[w]) {
            same = false;
            break;
          }
        }
        if (same) return false;
      }
      i = (i + 1) & this.mask;
    }
    const idx = this.size++;
    if (idx >= this.hashes.length) this.growEntries();
    this.hashes[idx] = h;
    this.sids[idx] = sid;
    this.bits.set(lin, idx * W);
    this.slots[i] = idx + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return true;
  }

  private growEntries(): void {
    const cap = this.hashes.length * 2;
    const hashes = new Int32Array(cap);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const sids = new Int32Array(cap);
    sids.set(this.sids);
    this.sids = sids;
    const bits = new Uint32Array(cap * Math.max(1, this.words));
    bits.set(this.bits);
    this.bits = bits;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let idx = 0; idx < this.size; idx++) {
      let i = this.hashes[idx]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = idx + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Deterministic per-operation Zobrist words. */
export function zobrist(n: number): Int32Array {
  const z = new Int32Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (x + 0x6d2b79f5) | 0;
    z[i] = fmix(x ^ (i * 0x27d4eb2d));
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// One partition

interface Budget {
  stepsLeft: number;
  statesUsed: number;
  readonly maxSteps: number;
  readonly maxStates: number;
  readonly deadline: number;
  readonly timeLimitMs: number;
  readonly now: () => number;
}

type PartitionOutcome =
  | { readonly kind: 'linearizable'; readonly order: readonly number[] }
  | { readonly kind: 'not-linearizable'; readonly best: readonly number[] }
  | { readonly kind: 'unknown'; readonly bound: BoundHit };

/** Transition-table rows are allocated for at most this many cells (4 bytes each) per partition. */
const TRANSITION_CELLS = 1 << 22;
const MAX_ROWS = 1024;
const NOT_COMPUTED = -1;
const ILLEGAL = -2;

/**
 * The search of one partition, resumable: {@link PartitionSearch.run} advances it by a number of
 * steps, so the driver can interleave partitions (a failing partition is then found even when
 * another one is expensive, as Porcupine finds it by checking partitions in parallel).
 * Local operation ids are indices into `ops`.
 */
class PartitionSearch<S, I, O> {
  steps = 0;
  elapsedMs = 0;
  private readonly n: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly nodeOp: Int32Array;
  private readonly isCall: Uint8Array;
  private readonly callNode: Int32Array;
  private readonly retNode: Int32Array;
  private readonly required: Uint8Array;
  private requiredLeft = 0;
  private readonly lin: Uint32Array;
  private readonly zob: Int32Array;
  private readonly memo: Memo;
  /** Distinct spec states by key; `states[sid]` is the state object. */
  private readonly stateIds = new Map<string, number>();
  private readonly states: S[] = [];
  /** `rows[sid][op]`: the state id after `op` in state `sid`, {@link ILLEGAL}, or not computed. */
  private readonly rows: Int32Array[] = [];
  private readonly maxRows: number;
  private sid: number;
  private h = 0;
  private readonly stackOp: Int32Array;
  private readonly stackSid: Int32Array;
  private depth = 0;
  private best: number[] = [];
  private entry: number;

  constructor(
    private readonly spec: SequentialSpec<S, I, O>,
    private readonly ops: readonly Operation<I, O>[],
  ) {
    const n = ops.length;
    this.n = n;
    // Events in time order; at equal times calls come first (equal times are concurrent).
    const evOp: number[] = [];
    const evRet: boolean[] = [];
    for (let i = 0; i < n; i++) {
      evOp.push(i);
      evRet.push(false);
      if (ops[i]!.ret !== null) {
        evOp.push(i);
        evRet.push(true);
      }
    }
    const timeOf = (e: number): number => (evRet[e] ? ops[evOp[e]!]!.ret! : ops[evOp[e]!]!.call);
    const evOrder = evOp.map((_, e) => e).sort((a, b) => timeOf(a) - timeOf(b) || Number(evRet[a]) - Number(evRet[b]) || evOp[a]! - evOp[b]!);
    // Nodes: 0 is the head; node k + 1 is the k-th event in time order. -1 ends the list.
    const nodes = evOrder.length + 1;
    this.next = new Int32Array(nodes);
    this.prev = new Int32Array(nodes);
    this.nodeOp = new Int32Array(nodes);
    this.isCall = new Uint8Array(nodes);
    this.callNode = new Int32Array(n);
    this.retNode = new Int32Array(n).fill(-1);
    for (let k = 0; k < evOrder.length; k++) {
      const e = evOrder[k]!;
      const node = k + 1;
      this.nodeOp[node] = evOp[e]!;
      if (evRet[e]) this.retNode[evOp[e]!] = node;
      else {
        this.isCall[node] = 1;
        this.callNode[evOp[e]!] = node;
      }
    }
    for (let node = 0; node < nodes; node++) {
      this.next[node] = node + 1 < nodes ? node + 1 : -1;
      this.prev[node] = node - 1;
    }
    this.required = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (ops[i]!.ret !== null) {
        this.required[i] = 1;
        this.requiredLeft++;
      }
    }
    const words = Math.max(1, Math.ceil(n / 32));
    this.lin = new Uint32Array(words);
    this.zob = zobrist(n);
    this.memo = new Memo(words);
    this.maxRows = Math.min(MAX_ROWS, Math.max(1, Math.floor(TRANSITION_CELLS / Math.max(1, n))));
    this.sid = this.intern(spec.init());
    this.stackOp = new Int32Array(n);
    this.stackSid = new Int32Array(n);
    this.entry = this.next[0]!;
  }

  /** Memo entries stored. */
  get memoEntries(): number {
    return this.memo.size;
  }
  /** Distinct spec states met. */
  get modelStates(): number {
    return this.states.length;
  }

  private intern(s: S): number {
    const k = this.spec.key(s);
    let id = this.stateIds.get(k);
    if (id === undefined) {
      id = this.states.length;
      this.stateIds.set(k, id);
      this.states.push(s);
    }
    return id;
  }

  /** The state id after `op` from state `sid`, or {@link ILLEGAL}. */
  private transition(sid: number, op: number): number {
    let row = this.rows[sid];
    if (row === undefined && sid < this.maxRows) {
      row = new Int32Array(this.n).fill(NOT_COMPUTED);
      this.rows[sid] = row;
    }
    if (row !== undefined) {
      const t = row[op]!;
      if (t !== NOT_COMPUTED) return t;
    }
    const o = this.ops[op]!;
    const state = this.states[sid]!;
    const r = this.spec.step(state, o.input, o.output);
    // A step that returns the very same state object (a read) keeps its id without re-keying it.
    const t = !r.ok ? ILLEGAL : r.next === state ? sid : this.intern(r.next);
    if (row !== undefined) row[op] = t;
    return t;
  }

  private lift(op: number): void {
    const { next, prev } = this;
    const c = this.callNode[op]!;
    next[prev[c]!] = next[c]!;
    if (next[c]! !== -1) prev[next[c]!] = prev[c]!;
    const r = this.retNode[op]!;
    if (r !== -1) {
      next[prev[r]!] = next[r]!;
      if (next[r]! !== -1) prev[next[r]!] = prev[r]!;
    }
  }

  private unlift(op: number): void {
    const { next, prev } = this;
    const r = this.retNode[op]!;
    if (r !== -1) {
      next[prev[r]!] = r;
      if (next[r]! !== -1) prev[next[r]!] = r;
    }
    const c = this.callNode[op]!;
    next[prev[c]!] = c;
    if (next[c]! !== -1) prev[next[c]!] = c;
  }

  /** Advance by at most `slice` steps; `null` when still undecided. */
  run(slice: number, budget: Budget): PartitionOutcome | null {
    const t0 = budget.now();
    if (t0 > budget.deadline) return { kind: 'unknown', bound: { kind: 'time', limit: budget.timeLimitMs } };
    try {
      return this.loop(slice, budget);
    } finally {
      this.elapsedMs += budget.now() - t0;
    }
  }

  private loop(slice: number, budget: Budget): PartitionOutcome | null {
    const { next, isCall, nodeOp, lin, zob, memo, required, stackOp, stackSid } = this;
    let { entry, sid, h, depth, requiredLeft, steps } = this;
    const stop = steps + slice;
    let result: PartitionOutcome | null = null;
    while (requiredLeft > 0) {
      if (steps >= stop) break;
      if (budget.stepsLeft <= 0) {
        result = { kind: 'unknown', bound: { kind: 'steps', limit: budget.maxSteps } };
        break;
      }
      budget.stepsLeft--;
      steps++;
      if ((steps & 0x3ff) === 0 && budget.now() > budget.deadline) {
        result = { kind: 'unknown', bound: { kind: 'time', limit: budget.timeLimitMs } };
        break;
      }
      if (entry === -1) throw new Error('linearizability search: walked off the entry list (internal error)');
      if (isCall[entry] === 1) {
        const op = nodeOp[entry]!;
        const nsid = this.transition(sid, op);
        if (nsid !== ILLEGAL) {
          const nh = h ^ zob[op]!;
          lin[op >>> 5]! |= 1 << (op & 31);
          if (memo.addIfAbsent(lin, fmix(nh ^ Math.imul(nsid + 1, 0x9e3779b1)), nsid)) {
            if (++budget.statesUsed > budget.maxStates) {
              lin[op >>> 5]! &= ~(1 << (op & 31));
              result = { kind: 'unknown', bound: { kind: 'states', limit: budget.maxStates } };
              break;
            }
            stackOp[depth] = op;
            stackSid[depth] = sid;
            depth++;
            sid = nsid;
            h = nh;
            this.lift(op);
            if (required[op] === 1) requiredLeft--;
            if (depth > this.best.length) this.best = Array.from(stackOp.subarray(0, depth));
            entry = next[0]!;
            continue;
          }
          lin[op >>> 5]! &= ~(1 << (op & 31));
        }
        entry = next[entry]!;
      } else {
        if (depth === 0) {
          result = { kind: 'not-linearizable', best: this.best };
          break;
        }
        depth--;
        const op = stackOp[depth]!;
        sid = stackSid[depth]!;
        h ^= zob[op]!;
        lin[op >>> 5]! &= ~(1 << (op & 31));
        this.unlift(op);
        if (required[op] === 1) requiredLeft++;
        entry = next[this.callNode[op]!]!;
      }
    }
    this.entry = entry;
    this.sid = sid;
    this.h = h;
    this.depth = depth;
    this.requiredLeft = requiredLeft;
    this.steps = steps;
    if (result === null && requiredLeft === 0) result = { kind: 'linearizable', order: Array.from(stackOp.subarray(0, depth)) };
    return result;
  }
}

/**
 * Explain a failed partition from the longest prefix the search linearized: replay it, find the
 * earliest-completing operation left out (it had to be placed), and the completed operations
 * invoked before that completion (the candidates for the next place; each is illegal there).
 */
function explain<S, I, O>(
  spec: SequentialSpec<S, I, O>,
  ops: readonly Operation<I, O>[],
  best: readonly number[],
  key: string | null,
): Explanation {
  let state = spec.init();
  for (const op of best) {
    const r = spec.step(state, ops[op]!.input, ops[op]!.output);
    if (!r.ok) throw new Error('linearizability search: prefix does not replay (is the spec deterministic?)');
    state = r.next;
  }
  const placed = new Set(best);
  let blocking = -1;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    if (placed.has(i) || o.ret === null) continue;
    if (blocking === -1 || o.ret < ops[blocking]!.ret!) blocking = i;
  }
  if (blocking === -1) throw new Error('linearizability search: a failed partition has no unplaced completed operation (internal error)');
  const deadline = ops[blocking]!.ret!;
  const unplaced: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    if (!placed.has(i) && o.ret !== null && o.call <= deadline) unplaced.push(i);
  }
  return {
    partition: key,
    prefix: best.map((i) => ops[i]!.id),
    stateAfterPrefix: (spec.describeState ?? spec.key)(state),
    unplaced: unplaced.map((i) => ops[i]!.id),
    blocking: ops[blocking]!.id,
    partitionOps: ops.filter((o) => o.ret !== null).length,
  };
}

/** Split a history by the spec's partition key (sorted by key), or keep it whole. */
export function partitionHistory<I, O>(
  spec: SequentialSpec<unknown, I, O>,
  history: History<I, O>,
): { readonly key: string | null; readonly ops: readonly Operation<I, O>[] }[] {
  if (spec.partitionKey === undefined) return [{ key: null, ops: history.ops }];
  const groups = new Map<string, Operation<I, O>[]>();
  for (const op of history.ops) {
    const k = spec.partitionKey(op.input);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(op);
  }
  return [...groups.keys()].sort().map((key) => ({ key, ops: groups.get(key)! }));
}

/** A bound of a check: the option or its default, validated (positive and finite). */
export function bound(options: HistoryCheckOptions, k: 'maxSteps' | 'maxStates' | 'timeLimitMs'): number {
  const v = options[k] ?? DEFAULT_HISTORY_BOUNDS[k];
  if (typeof v !== 'number' || Number.isNaN(v) || v <= 0 || v === Infinity) throw new InputError(`bound ${k} must be a positive finite number, got ${v}`);
  return v;
}

/** The first slice of steps each partition gets; slices double every round. */
const FIRST_SLICE = 1 << 12;

/**
 * Check a history for linearizability against a sequential spec. Deterministic apart from the
 * time bound: the same history, spec and step bounds give the same result.
 *
 * Partitions are searched in rounds, each getting a slice of steps that doubles every round, so
 * a cheap failing partition is found before an expensive one finishes.
 */
export function checkHistory<S, I, O>(
  spec: SequentialSpec<S, I, O>,
  history: History<I, O>,
  options: HistoryCheckOptions = {},
): HistoryCheckResult {
  const now = options.now ?? (() => performance.now());
  const maxSteps = bound(options, 'maxSteps');
  const maxStates = bound(options, 'maxStates');
  const timeLimitMs = bound(options, 'timeLimitMs');
  const stopAtFirstFailure = options.stopAtFirstFailure ?? true;
  const start = now();
  const budget: Budget = { stepsLeft: maxSteps, statesUsed: 0, maxSteps, maxStates, deadline: start + timeLimitMs, timeLimitMs, now };

  const parts = partitionHistory(spec as SequentialSpec<unknown, I, O>, history);
  const searches: (PartitionSearch<S, I, O> | undefined)[] = parts.map((p) => new PartitionSearch(spec, p.ops));
  type Counters = { readonly steps: number; readonly states: number; readonly modelStates: number; readonly elapsedMs: number };
  const counters: Counters[] = parts.map(() => ({ steps: 0, states: 0, modelStates: 0, elapsedMs: 0 }));
  const outcomes: (PartitionOutcome | undefined)[] = parts.map(() => undefined);
  let active = parts.map((_, i) => i);
  let firstFailure = -1;
  let globalCut: BoundHit | undefined;
  const done = (): boolean => globalCut !== undefined || (firstFailure !== -1 && stopAtFirstFailure);
  for (let slice = FIRST_SLICE; active.length > 0 && !done(); slice = Math.min(slice * 2, 1 << 30)) {
    const still: number[] = [];
    for (const i of active) {
      if (done()) break;
      const search = searches[i]!;
      const out = search.run(slice, budget);
      counters[i] = { steps: search.steps, states: search.memoEntries, modelStates: search.modelStates, elapsedMs: search.elapsedMs };
      if (out === null) {
        still.push(i);
        continue;
      }
      outcomes[i] = out;
      searches[i] = undefined; // let its memo go
      if (out.kind === 'not-linearizable' && firstFailure === -1) firstFailure = i;
      if (out.kind === 'unknown') globalCut = out.bound;
    }
    active = still;
  }

  const results: PartitionResult[] = [];
  let explanation: Explanation | undefined;
  parts.forEach((part, i) => {
    const out = outcomes[i];
    const c = counters[i]!;
    const common = { key: part.key, ops: part.ops.map((o) => o.id), steps: c.steps, states: c.states, elapsedMs: c.elapsedMs };
    if (out === undefined) {
      // Not finished: left when another partition failed, or cut by a bound.
      results.push(firstFailure !== -1 && stopAtFirstFailure ? { ...common, verdict: 'skipped' } : { ...common, verdict: 'unknown', bound: globalCut! });
      return;
    }
    switch (out.kind) {
      case 'linearizable':
        results.push({ ...common, verdict: 'linearizable', linearization: out.order.map((j) => part.ops[j]!.id) });
        break;
      case 'not-linearizable': {
        const e = explain(spec, part.ops, out.best, part.key);
        if (i === firstFailure) explanation = e;
        results.push({ ...common, verdict: 'not-linearizable', explanation: e });
        break;
      }
      case 'unknown':
        results.push({ ...common, verdict: 'unknown', bound: out.bound });
        break;
    }
  });
  const cut = globalCut;
  const sum = (k: keyof Counters): number => counters.reduce((a, c) => a + c[k], 0);
  const steps = sum('steps');
  const states = sum('states');
  const modelStates = sum('modelStates');
  const verdict: LinearizabilityVerdict = explanation !== undefined ? 'not-linearizable' : cut !== undefined ? 'unknown' : 'linearizable';
  return {
    verdict,
    ...(verdict === 'unknown' && cut !== undefined ? { bound: cut } : {}),
    partitions: results,
    ...(explanation !== undefined ? { explanation } : {}),
    stats: {
      ops: history.ops.length,
      crashedOps: history.ops.filter((o) => o.ret === null).length,
      partitions: parts.length,
      largestPartition: parts.reduce((m, p) => Math.max(m, p.ops.length), 0),
      steps,
      states,
      modelStates,
      elapsedMs: now() - start,
    },
  };
}
