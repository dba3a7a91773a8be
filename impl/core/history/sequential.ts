/**
 * Sequential consistency (Lamport 1979): a history is sequentially consistent when one total
 * order of its operations is legal for the sequential spec and keeps each process's own order.
 * Unlike linearizability, real time between processes does not matter: process 2 may be
 * ordered entirely before process 1 even if it ran later.
 *
 * Operations that never completed (`ret: null`) may have taken effect or not: each is placed at
 * most once, after the operations its process completed before it. The operations its process
 * ran after it (Jepsen reuses a process id after an `:info`) are not ordered after it, since the
 * client never learnt when, or whether, it took effect.
 *
 * Sequential consistency is not compositional: a key-value history is checked as a whole
 * (the spec's `partitionKey` is ignored), since each key being sequential does not make the
 * store sequential.
 *
 * The search is a depth-first search over the orders that respect process order, trying at each
 * point the ready operations in invocation order (so a linearizable history is found on the
 * first path). An operation the spec declares read-only (`readOnly`: a read, a failed cas) is
 * placed as soon as it is legal, without branching: any order that works stays legal with it
 * moved earlier, since it changes no state wherever it goes. The search uses the same memoisation as the linearizability search: a set of (placed
 * operations, spec state) already explored. Bounds are mandatory; a cut search says `unknown`.
 */
import { fmix } from '../encode.ts';
import type { SequentialSpec } from './spec.ts';
import type { BoundHit } from '../result.ts';
import type { History } from './history.ts';
import { bound, checkHistory, Memo, partitionHistory, zobrist, type HistoryCheckOptions, type HistoryCheckResult } from './search.ts';

/** A sequential-consistency verdict. */
export type SequentialVerdict = 'sequential' | 'not-sequential' | 'unknown';

/**
 * Why a history is not sequentially consistent. The longest order the search found that
 * respects process order is `prefix`; after it, every operation that could come next (each
 * process's next operation, and operations that never completed) is illegal.
 */
export interface SequentialExplanation {
  /** The key whose operations alone have no sequential order, when one was found that way. */
  readonly partition?: string | null;
  /** The longest legal order found, operation ids. */
  readonly prefix: readonly number[];
  /** The spec's rendering of the state after it. */
  readonly stateAfterPrefix: string;
  /** The completed operations that could come next after the prefix, each illegal there. */
  readonly blocked: readonly number[];
  /** Completed operations in the history (in the key's operations, when `partition` is set). */
  readonly completedOps: number;
}

/** The result of a sequential-consistency check. */
export interface SequentialResult {
  readonly verdict: SequentialVerdict;
  /** The bound that cut the search, when `unknown`. */
  readonly bound?: BoundHit;
  /**
   * When sequential: the witness total order (operation ids). Operations that never completed
   * and are absent did not take effect.
   */
  readonly order?: readonly number[];
  /** When not sequential: why. */
  readonly explanation?: SequentialExplanation;
  /** Counters. */
  readonly stats: { readonly ops: number; readonly steps: number; readonly states: number; readonly modelStates: number; readonly elapsedMs: number };
}

const ILLEGAL = -2;
const NOT_COMPUTED = -1;

/**
 * For each operation, the operation it must follow: the last operation its process completed
 * before it, or -1.
 */
export function sessionPredecessors(history: History<unknown, unknown>): Int32Array {
  const pred = new Int32Array(history.ops.length).fill(-1);
  const last = new Map<unknown, number>();
  // ops are sorted by invocation time, and a process's operations do not overlap.
  for (const op of history.ops) {
    const p = last.get(op.process);
    if (p !== undefined) pred[op.id] = p;
    if (op.ret !== null) last.set(op.process, op.id);
  }
  return pred;
}

interface Frame {
  /** Ready operations in invocation order. */
  readonly ready: readonly number[];
  /** The ones to try: all ready operations, or one read-only operation (see the reduction). */
  readonly cands: readonly number[];
  /** Next candidate to try. */
  idx: number;
  /** The operation placed to enter this frame (-1 at the root), and the state before it. */
  readonly op: number;
  readonly sidBefore: number;
  readonly hBefore: number;
}

/** Options of {@link checkSequential}. */
export interface SequentialCheckOptions extends HistoryCheckOptions {
  /**
   * Check linearizability first (default true): a linearizable history is sequential, with its
   * linearization as the witness, and that search is often far cheaper. Callers that already
   * know the history is not linearizable turn it off.
   */
  readonly tryLinearizability?: boolean;
}

/**
 * One total order of a linearizable history's operations from its per-partition
 * linearizations: it keeps each partition's order and real-time order (such an order exists by
 * locality, Herlihy and Wing 1990), so it keeps each process's order. `null` if none is found.
 */
export function linearizationOrder<I, O>(history: History<I, O>, result: HistoryCheckResult): number[] | null {
  const lists = result.partitions.map((p) => p.linearization ?? []);
  const pos = new Int32Array(lists.length);
  const placed = new Uint8Array(history.ops.length);
  const byRet = history.ops.filter((o) => o.ret !== null).sort((a, b) => a.ret! - b.ret!);
  const total = lists.reduce((a, l) => a + l.length, 0);
  const order: number[] = [];
  let rp = 0;
  while (order.length < total) {
    while (rp < byRet.length && placed[byRet[rp]!.id] === 1) rp++;
    // Nothing unplaced may have completed before the chosen operation was invoked.
    const minRet = rp < byRet.length ? byRet[rp]!.ret! : Infinity;
    let picked = -1;
    for (let k = 0; k < lists.length && picked === -1; k++) {
      const h = lists[k]![pos[k]!];
      if (h !== undefined && history.ops[h]!.call <= minRet) {
        picked = h;
        pos[k]!++;
      }
    }
    if (picked === -1) return null;
    placed[picked] = 1;
    order.push(picked);
  }
  return order;
}

/**
 * Check a history for sequential consistency against a sequential spec.
 *
 * A linearizable history is sequential: unless told otherwise, the linearizability search runs
 * first, and its linearization is the witness. Otherwise, when the spec partitions (a key-value
 * store), each key is searched on its own first: a key
 * whose operations have no sequential order proves the whole history has none (restricting a
 * witness order to one key gives one for that key). When every key passes, that proves nothing
 * (sequential consistency is not compositional), and the whole history is searched.
 */
export function checkSequential<S, I, O>(spec: SequentialSpec<S, I, O>, history: History<I, O>, options: SequentialCheckOptions = {}): SequentialResult {
  const now = options.now ?? (() => performance.now());
  const timeLimitMs = bound(options, 'timeLimitMs');
  const maxSteps = bound(options, 'maxSteps');
  const start = now();
  let steps = 0;
  if (options.tryLinearizability ?? true) {
    // A linearization keeps real-time order, hence each process's order: it is a witness.
    // Half the budget at most, so that an expensive linearizability search leaves room for ours.
    const lin = checkHistory(spec, history, { ...options, stopAtFirstFailure: true, timeLimitMs: timeLimitMs / 2, maxSteps: Math.max(1, Math.floor(maxSteps / 2)) });
    steps += lin.stats.steps;
    if (lin.verdict === 'linearizable') {
      const order = linearizationOrder(history, lin);
      if (order !== null && verifySequentialOrder(spec, history, order) === null) {
        return { verdict: 'sequential', order, stats: { ops: history.ops.length, steps, states: lin.stats.states, modelStates: lin.stats.modelStates, elapsedMs: now() - start } };
      }
    }
  }
  if (spec.partitionKey !== undefined) {
    const parts = partitionHistory(spec as SequentialSpec<unknown, I, O>, history);
    if (parts.length > 1) {
      for (const part of parts) {
        const left = timeLimitMs - (now() - start);
        if (left <= 0 || steps >= maxSteps) break;
        const sub: History<I, O> = { ops: part.ops.map((o, i) => ({ ...o, id: i })) };
        const r = searchSequential(spec, sub, { ...options, timeLimitMs: left, maxSteps: maxSteps - steps });
        steps += r.stats.steps;
        if (r.verdict === 'not-sequential') {
          const id = (i: number): number => part.ops[i]!.id;
          const e = r.explanation!;
          return {
            verdict: 'not-sequential',
            explanation: { ...e, partition: part.key, prefix: e.prefix.map(id), blocked: e.blocked.map(id) },
            stats: { ...r.stats, ops: history.ops.length, steps, elapsedMs: now() - start },
          };
        }
      }
    }
  }
  const left = timeLimitMs - (now() - start);
  if (left <= 0 || steps >= maxSteps) {
    const cut: BoundHit = left <= 0 ? { kind: 'time', limit: timeLimitMs } : { kind: 'steps', limit: maxSteps };
    return { verdict: 'unknown', bound: cut, stats: { ops: history.ops.length, steps, states: 0, modelStates: 0, elapsedMs: now() - start } };
  }
  const r = searchSequential(spec, history, { ...options, timeLimitMs: left, maxSteps: maxSteps - steps });
  const stats = { ...r.stats, steps: r.stats.steps + steps, elapsedMs: now() - start };
  // Report the caller's bounds, not what was left of them.
  return r.verdict === 'unknown' ? { ...r, bound: r.bound!.kind === 'time' ? { kind: 'time', limit: timeLimitMs } : r.bound!.kind === 'steps' ? { kind: 'steps', limit: maxSteps } : r.bound!, stats } : { ...r, stats };
}

function searchSequential<S, I, O>(spec: SequentialSpec<S, I, O>, history: History<I, O>, options: HistoryCheckOptions): SequentialResult {
  const now = options.now ?? (() => performance.now());
  const maxSteps = bound(options, 'maxSteps');
  const maxStates = bound(options, 'maxStates');
  const timeLimitMs = bound(options, 'timeLimitMs');
  const start = now();
  const ops = history.ops;
  const n = ops.length;
  const pred = sessionPredecessors(history as History<unknown, unknown>);
  const succs: number[][] = ops.map(() => []);
  for (let i = 0; i < n; i++) if (pred[i]! !== -1) succs[pred[i]!]!.push(i);

  // Spec states, interned by key, with a transition cache for the first states met.
  const stateIds = new Map<string, number>();
  const states: S[] = [];
  const intern = (s: S): number => {
    const k = spec.key(s);
    let id = stateIds.get(k);
    if (id === undefined) {
      id = states.length;
      stateIds.set(k, id);
      states.push(s);
    }
    return id;
  };
  const rows: Int32Array[] = [];
  const maxRows = Math.min(1024, Math.max(1, Math.floor((1 << 22) / Math.max(1, n))));
  const transition = (sid: number, op: number): number => {
    let row = rows[sid];
    if (row === undefined && sid < maxRows) rows[sid] = row = new Int32Array(n).fill(NOT_COMPUTED);
    if (row !== undefined && row[op]! !== NOT_COMPUTED) return row[op]!;
    const o = ops[op]!;
    const r = spec.step(states[sid]!, o.input, o.output);
    const t = !r.ok ? ILLEGAL : r.next === states[sid] ? sid : intern(r.next);
    if (row !== undefined) row[op] = t;
    return t;
  };

  const words = Math.max(1, Math.ceil(n / 32));
  const placed = new Uint32Array(words);
  const zob = zobrist(n);
  const memo = new Memo(words);
  let requiredLeft = ops.filter((o) => o.ret !== null).length;
  const completedOps = requiredLeft;
  let sid = intern(spec.init());
  let h = 0;
  let steps = 0;
  let best: number[] = [];
  const roots = ops.filter((o) => pred[o.id] === -1).map((o) => o.id);
  const pure = Uint8Array.from(ops, (o) => (spec.readOnly?.(o.input, o.output) === true ? 1 : 0));
  const rootNoop = roots.find((c) => pure[c] === 1 && transition(sid, c) === sid);
  const stack: Frame[] = [{ ready: roots, cands: rootNoop !== undefined ? [rootNoop] : roots, idx: 0, op: -1, sidBefore: -1, hBefore: 0 }];
  const order = (): number[] => stack.slice(1).map((f) => f.op);
  let cut: BoundHit | undefined;
  let verdict: SequentialVerdict | undefined;

  while (verdict === undefined) {
    if (requiredLeft === 0) {
      verdict = 'sequential';
      break;
    }
    const frame = stack[stack.length - 1]!;
    if (frame.idx >= frame.cands.length) {
      if (stack.length === 1) {
        verdict = 'not-sequential';
        break;
      }
      stack.pop();
      const op = frame.op;
      placed[op >>> 5]! &= ~(1 << (op & 31));
      sid = frame.sidBefore;
      h = frame.hBefore;
      if (ops[op]!.ret !== null) requiredLeft++;
      continue;
    }
    if (steps >= maxSteps) {
      cut = { kind: 'steps', limit: maxSteps };
      break;
    }
    steps++;
    if ((steps & 0x3ff) === 0 && now() - start > timeLimitMs) {
      cut = { kind: 'time', limit: timeLimitMs };
      break;
    }
    const op = frame.cands[frame.idx++]!;
    const nsid = transition(sid, op);
    if (nsid === ILLEGAL) continue;
    const nh = h ^ zob[op]!;
    placed[op >>> 5]! |= 1 << (op & 31);
    if (!memo.addIfAbsent(placed, fmix(nh ^ Math.imul(nsid + 1, 0x9e3779b1)), nsid)) {
      placed[op >>> 5]! &= ~(1 << (op & 31));
      continue;
    }
    if (memo.size > maxStates) {
      placed[op >>> 5]! &= ~(1 << (op & 31));
      cut = { kind: 'states', limit: maxStates };
      break;
    }
    const ready = frame.ready.filter((c) => c !== op);
    for (const s of succs[op]!) ready.push(s);
    ready.sort((a, b) => a - b);
    let cands: readonly number[] = ready;
    // Reduction: a read-only operation that is legal now can be placed now rather than later in
    // any order that works, so it is the only candidate tried here (moving it earlier keeps its
    // process order, and it changes no state wherever it goes).
    for (const c of ready) {
      if (pure[c] === 1 && transition(nsid, c) === nsid) {
        cands = [c];
        break;
      }
    }
    stack.push({ ready, cands, idx: 0, op, sidBefore: sid, hBefore: h });
    sid = nsid;
    h = nh;
    if (ops[op]!.ret !== null) requiredLeft--;
    if (stack.length - 1 > best.length) best = order();
  }

  const stats = { ops: n, steps, states: memo.size, modelStates: states.length, elapsedMs: now() - start };
  if (verdict === 'sequential') return { verdict, order: order(), stats };
  if (verdict === undefined) return { verdict: 'unknown', bound: cut!, stats };
  return { verdict, explanation: explainSequential(spec, history, best, pred, completedOps), stats };
}

function explainSequential<S, I, O>(
  spec: SequentialSpec<S, I, O>,
  history: History<I, O>,
  best: readonly number[],
  pred: Int32Array,
  completedOps: number,
): SequentialExplanation {
  let state = spec.init();
  for (const id of best) {
    const o = history.ops[id]!;
    const r = spec.step(state, o.input, o.output);
    if (!r.ok) throw new Error('sequential search: prefix does not replay (is the spec deterministic?)');
    state = r.next;
  }
  const inPrefix = new Set(best);
  const blocked = history.ops
    .filter((o) => o.ret !== null && !inPrefix.has(o.id) && (pred[o.id] === -1 || inPrefix.has(pred[o.id]!)))
    .map((o) => o.id);
  return { prefix: best, stateAfterPrefix: (spec.describeState ?? spec.key)(state), blocked, completedOps };
}

/**
 * `null` when `order` is a valid sequential-consistency witness for the history: every completed
 * operation exactly once (the others at most once), each after its session predecessor, and
 * legal on the spec in that order; otherwise what is wrong.
 */
export function verifySequentialOrder<S, I, O>(spec: SequentialSpec<S, I, O>, history: History<I, O>, order: readonly number[]): string | null {
  const pred = sessionPredecessors(history as History<unknown, unknown>);
  const pos = new Map<number, number>();
  order.forEach((id, i) => {
    if (!pos.has(id)) pos.set(id, i);
  });
  if (pos.size !== order.length) return 'an operation appears twice';
  for (const op of history.ops) {
    if (op.ret !== null && !pos.has(op.id)) return `completed operation ${op.id} is missing`;
    const p = pred[op.id]!;
    if (pos.has(op.id) && p !== -1 && !(pos.get(p)! < pos.get(op.id)!)) return `operation ${op.id} comes before ${p}, which its process ran first`;
  }
  let state = spec.init();
  for (const id of order) {
    const o = history.ops[id];
    if (o === undefined) return `no operation ${id}`;
    const r = spec.step(state, o.input, o.output);
    if (!r.ok) return `operation ${id} (${spec.describe(o.input, o.output)}) is illegal in state ${(spec.describeState ?? spec.key)(state)}`;
    state = r.next;
  }
  return null;
}
