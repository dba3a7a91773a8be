/**
 * Every level's checker against a brute-force enumerator written from the definition, on small
 * random register and key-value histories (pending operations, unknown outputs and repeated
 * values included); and the levels nest on those histories (linearizable ⇒ sequential ⇒ causal;
 * linearizable ⇒ eventual when no update is pending).
 *
 * The enumerators share nothing with the checkers but the history type: they try every order
 * (or every matching of reads to writes, and every order of each read's causal past) and replay
 * a plain map of registers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { historyAccesses, type Access } from './accesses.ts';
import { makeHistory, type History, type OperationInit } from '../../impl/core/history/history.ts';
import { checkLevel, type ConsistencyLevel } from './levels.ts';
import { historyModel, type AnyHistoryModel } from './models.ts';
import { checkSequential, verifySequentialOrder } from '../../impl/core/history/sequential.ts';

type H = History<unknown, unknown>;
type Val = number | string | null;

// ---------------------------------------------------------------------------------------------
// Brute force

/** Every permutation of `items` (small inputs only). */
function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length === 0) {
    yield [];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i]!, ...rest];
  }
}

/** Every subset of `items`. */
function* subsets<T>(items: readonly T[]): Generator<T[]> {
  for (let m = 0; m < 1 << items.length; m++) yield items.filter((_, i) => (m & (1 << i)) !== 0);
}

/** Replay accesses on a map of registers; false when a known read disagrees. */
function replays(order: readonly number[], acc: readonly (readonly Access[])[], initial: Val, onlyCheck?: number): boolean {
  const regs = new Map<string, Val>();
  const get = (k: string): Val => (regs.has(k) ? regs.get(k)! : initial);
  for (const id of order) {
    for (const a of acc[id]!) {
      if (a.kind === 'read' && (onlyCheck === undefined || onlyCheck === id) && a.value !== get(a.key)) return false;
      if (a.kind === 'write') regs.set(a.key, a.value);
      if (a.kind === 'append') regs.set(a.key, `${String(get(a.key) ?? '')}${a.value}`);
      if (a.kind === 'cas') {
        const hit = get(a.key) === a.from;
        if (a.swapped !== undefined && a.swapped !== hit) return false;
        if (hit) regs.set(a.key, a.to);
      }
    }
  }
  return true;
}

/** Must `a` come before `b` because the same process ran `a` (completed) first? */
const sessionBefore = (h: H, a: number, b: number): boolean => {
  const x = h.ops[a]!;
  const y = h.ops[b]!;
  return a !== b && x.process === y.process && x.ret !== null && x.call < y.call;
};
const realTimeBefore = (h: H, a: number, b: number): boolean => h.ops[a]!.ret !== null && h.ops[a]!.ret! < h.ops[b]!.call;

function bruteOrder(h: H, acc: readonly (readonly Access[])[], initial: Val, before: (a: number, b: number) => boolean): boolean {
  const done = h.ops.filter((o) => o.ret !== null).map((o) => o.id);
  const pending = h.ops.filter((o) => o.ret === null).map((o) => o.id);
  for (const extra of subsets(pending)) {
    for (const order of permutations([...done, ...extra])) {
      if (order.some((b, j) => order.slice(j + 1).some((a) => before(a, b)))) continue;
      if (replays(order, acc, initial)) return true;
    }
  }
  return false;
}

function bruteCausal(h: H, acc: readonly (readonly Access[])[], initial: Val): boolean {
  const n = h.ops.length;
  const a1 = acc.map((a) => a[0]!);
  const reads = a1.map((a, i) => (a.kind === 'read' && h.ops[i]!.ret !== null ? i : -1)).filter((i) => i >= 0);
  const sources = reads.map((r) => {
    const a = a1[r]! as { key: string; value: Val };
    const s: number[] = a1.map((w, i) => (w.kind === 'write' && w.key === a.key && w.value === a.value ? i : -1)).filter((i) => i >= 0);
    if (a.value === initial) s.push(-1);
    return s;
  });
  const choose = (k: number, rf: number[]): boolean => {
    if (k === reads.length) return causalWith(rf);
    return sources[k]!.some((s) => choose(k + 1, [...rf, s]));
  };
  const causalWith = (rf: number[]): boolean => {
    // co: transitive closure of session order and writes-into-reads (Floyd–Warshall).
    const co = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => sessionBefore(h, a, b)));
    reads.forEach((r, k) => {
      if (rf[k]! >= 0) co[rf[k]!]![r] = true;
    });
    for (let m = 0; m < n; m++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (co[a]![m] && co[m]![b]) co[a]![b] = true;
    if (co.some((row, a) => row[a])) return false;
    // Each read: some order of its causal past that extends co explains its value.
    return reads.every((r, k) => {
      if (rf[k]! === -2) return false;
      const past = h.ops.map((o) => o.id).filter((x) => co[x]![r]);
      for (const order of permutations(past)) {
        if (order.some((b, j) => order.slice(j + 1).some((a) => co[a]![b]))) continue;
        if (replays([...order, r], acc, initial, r)) return true;
      }
      return false;
    });
  };
  return choose(0, []);
}

function bruteEventual(h: H, acc: readonly (readonly Access[])[], initial: Val, quiet: number): boolean {
  const keys = new Set(acc.flat().map((a) => a.key));
  for (const key of keys) {
    let last = -Infinity;
    let certain = false;
    const written: Val[] = [];
    h.ops.forEach((o, i) => {
      for (const a of acc[i]!) {
        if (a.key !== key || a.kind === 'read' || a.kind === 'read-unknown') continue;
        if (a.kind === 'cas' && o.ret !== null && a.swapped === false) continue;
        last = Math.max(last, o.ret ?? o.call);
        if (a.kind === 'write') written.push(a.value);
        if (a.kind === 'cas') written.push(a.to);
        if (o.ret !== null && (a.kind === 'write' || (a.kind === 'cas' && a.swapped === true))) certain = true;
      }
    });
    const seen: Val[] = [];
    h.ops.forEach((o, i) => {
      for (const a of acc[i]!) if (a.kind === 'read' && a.key === key && o.ret !== null && o.call > last + quiet) seen.push(a.value);
    });
    if (seen.some((v) => v !== seen[0])) return false;
    if (seen.length > 0 && !written.includes(seen[0]!) && !(seen[0] === initial && !certain)) return false;
  }
  return true;
}

function brute(model: AnyHistoryModel, h: H, level: ConsistencyLevel, quiet = 0): boolean {
  const acc = historyAccesses(model.name, h);
  const initial = model.registerInitial;
  switch (level) {
    case 'linearizable':
      return bruteOrder(h, acc, initial, (a, b) => realTimeBefore(h, a, b));
    case 'sequential':
      return bruteOrder(h, acc, initial, (a, b) => sessionBefore(h, a, b));
    case 'causal':
      return bruteCausal(h, acc, initial);
    case 'eventual':
      return bruteEventual(h, acc, initial, quiet);
  }
}

// ---------------------------------------------------------------------------------------------
// Random small histories: each process runs its operations one after another.

const VALUES = [1, 2, 3] as const;

function arbHistory(kind: 'register' | 'kv' | 'cas-register', maxOps: number): fc.Arbitrary<H> {
  const op = fc.record({
    process: fc.integer({ min: 0, max: 2 }),
    f: fc.integer({ min: 0, max: kind === 'cas-register' ? 2 : 1 }),
    key: fc.constantFrom('x', 'y'),
    v: fc.constantFrom(...VALUES),
    from: fc.constantFrom(...VALUES),
    out: fc.constantFrom<Val | undefined>(null, 1, 2, 3, undefined),
    gap: fc.integer({ min: 0, max: 3 }),
    len: fc.integer({ min: 0, max: 4 }),
    pending: fc.integer({ min: 0, max: 5 }),
    swapped: fc.constantFrom<boolean | undefined>(true, false, undefined),
  });
  return fc.array(op, { minLength: 1, maxLength: maxOps }).map((specs) => {
    const clock = [0, 0, 0];
    const ended = [false, false, false];
    const ops: OperationInit<unknown, unknown>[] = [];
    for (const s of specs) {
      if (ended[s.process]) continue;
      const call = clock[s.process]! + s.gap;
      const done = s.pending !== 0;
      const ret = done ? call + s.len : null;
      clock[s.process] = (ret ?? call) + 1;
      if (!done) ended[s.process] = true; // JSON rule: nothing after a pending operation
      const known = done && s.out !== undefined;
      if (kind === 'kv') {
        const key = s.key;
        const input = s.f === 0 ? { f: 'get', key } : { f: 'put', key, value: String(s.v) };
        const output = s.f === 0 ? (s.out === null ? '' : String(s.out)) : null;
        ops.push({ process: s.process, input, ...(done && (s.f === 1 || known) ? { output } : {}), call, ret });
      } else {
        const input = s.f === 0 ? { f: 'read' } : s.f === 1 ? { f: 'write', value: s.v } : { f: 'cas', from: s.from, to: s.v };
        const output = s.f === 0 ? s.out : s.f === 1 ? null : s.swapped;
        ops.push({ process: s.process, input, ...(done && output !== undefined && (s.f !== 0 || known) ? { output } : {}), call, ret });
      }
    }
    return makeHistory(ops, 'random');
  });
}

const register = historyModel('register');
const casRegister = historyModel('cas-register');
const kv = historyModel('kv');
const LEVELS = ['linearizable', 'sequential', 'causal', 'eventual'] as const;

function agrees(model: AnyHistoryModel, h: H, quiet = 0): void {
  for (const level of LEVELS) {
    const o = checkLevel(model, h, level, { quiet });
    if (o.status === 'unsupported') continue;
    expect(o.status, `${level} on ${JSON.stringify(h.ops)}`).toBe(brute(model, h, level, quiet) ? 'holds' : 'violated');
    if (o.status === 'holds' && o.detail.level === 'sequential') expect(verifySequentialOrder(model.spec, h, o.detail.result.order!)).toBeNull();
  }
  // The sequential search on its own, without the linearizability shortcut.
  const search = checkSequential(model.spec, h, { tryLinearizability: false });
  expect(search.verdict).toBe(brute(model, h, 'sequential') ? 'sequential' : 'not-sequential');
  if (search.order !== undefined) expect(verifySequentialOrder(model.spec, h, search.order)).toBeNull();
}

describe('each level agrees with brute force on small histories', () => {
  it('register histories (up to 6 operations)', () => {
    fc.assert(fc.property(arbHistory('register', 6), fc.integer({ min: 0, max: 3 }), (h, quiet) => agrees(register, h, quiet)), { numRuns: 300, seed: 20 });
  });
  it('key-value histories over two keys (causality crosses keys)', () => {
    fc.assert(fc.property(arbHistory('kv', 6), (h) => agrees(kv, h)), { numRuns: 300, seed: 21 });
  });
  it('cas-register histories (causal unsupported with a cas; the other levels checked)', () => {
    fc.assert(fc.property(arbHistory('cas-register', 6), (h) => agrees(casRegister, h)), { numRuns: 200, seed: 22 });
  });
  it('the random histories cover every outcome of every level', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbHistory('kv', 6), (h) => {
        for (const level of LEVELS) seen.add(`${level}:${checkLevel(kv, h, level).status}`);
      }),
      { numRuns: 300, seed: 23 },
    );
    for (const level of LEVELS) for (const s of ['holds', 'violated']) expect(seen.has(`${level}:${s}`), `${level}:${s}`).toBe(true);
  });
});

describe('the levels nest', () => {
  it('linearizable ⇒ sequential ⇒ causal, and linearizable ⇒ eventual with no pending update', () => {
    let lin = 0;
    let seqOnly = 0;
    fc.assert(
      fc.property(fc.oneof(arbHistory('register', 8), arbHistory('kv', 8)), (h) => {
        const model = typeof (h.ops[0]?.input as { key?: string }).key === 'string' ? kv : register;
        const st = (l: ConsistencyLevel): string => checkLevel(model, h, l).status;
        const l = st('linearizable');
        const s = st('sequential');
        const c = st('causal');
        if (l === 'holds') {
          lin++;
          expect(s).toBe('holds');
          if (h.ops.every((o) => o.ret !== null || (o.input as { f: string }).f === 'read' || (o.input as { f: string }).f === 'get')) expect(st('eventual')).toBe('holds');
        }
        if (s === 'holds') expect(c).toBe('holds');
        if (s === 'holds' && l === 'violated') seqOnly++;
      }),
      { numRuns: 400, seed: 24 },
    );
    expect(lin).toBeGreaterThan(20);
    expect(seqOnly).toBeGreaterThan(5);
  });
});
