/**
 * The search on small hand-written histories: linearizable and not, crashed operations that must
 * or must not take effect, bounds that make the verdict `unknown`, partitions, explanations.
 */
import { describe, expect, it } from 'vitest';
import { casRegisterSpec, registerSpec, type CasRegisterInput, type CasRegisterOutput } from '../../specs/sequential/register.ts';
import { kvSpec, type KvInput, type KvOutput } from '../../specs/sequential/kv.ts';
import { multiRegisterSpec, type MultiRegisterInput, type MultiRegisterOutput } from '../../specs/sequential/multi-register.ts';
import type { RegisterValue } from '../../impl/core/history/spec.ts';
import { InputError } from '../../impl/core/machine.ts';
import { makeHistory, type OperationInit } from '../../impl/core/history/history.ts';
import { checkHistory } from '../../impl/core/history/search.ts';
import { verifyLinearization } from './verify.ts';
import { buildTimeline, renderTimeline } from '../../impl/core/history/timeline.ts';
import { explanationLines } from './report.ts';

type RegOp = OperationInit<CasRegisterInput, CasRegisterOutput>;
const w = (process: number, call: number, ret: number | null, value: RegisterValue): RegOp =>
  ret === null ? { process, input: { f: 'write', value }, call, ret } : { process, input: { f: 'write', value }, output: null, call, ret };
const r = (process: number, call: number, ret: number, value: RegisterValue | undefined): RegOp =>
  value === undefined ? { process, input: { f: 'read' }, call, ret } : { process, input: { f: 'read' }, output: value, call, ret };
const cas = (process: number, call: number, ret: number | null, from: number, to: number, ok?: boolean): RegOp =>
  ok === undefined ? { process, input: { f: 'cas', from, to }, call, ret } : { process, input: { f: 'cas', from, to }, output: ok, call, ret };

const spec = casRegisterSpec(0);
const check = (ops: RegOp[], opts = {}) => {
  const h = makeHistory(ops);
  return { h, res: checkHistory(spec, h, opts) };
};

describe('register histories', () => {
  it('a sequential history that follows the register is linearizable, with a valid witness', () => {
    const { h, res } = check([w(0, 0, 1, 1), r(1, 2, 3, 1), w(0, 4, 5, 2), r(1, 6, 7, 2)]);
    expect(res.verdict).toBe('linearizable');
    expect(res.partitions[0]!.linearization).toEqual([0, 1, 2, 3]);
    expect(verifyLinearization(spec, h, res.partitions[0]!.linearization!)).toBeNull();
  });

  it('a read concurrent with a write may see the old or the new value', () => {
    expect(check([w(0, 0, 10, 1), r(1, 1, 2, 0)]).res.verdict).toBe('linearizable');
    expect(check([w(0, 0, 10, 1), r(1, 1, 2, 1)]).res.verdict).toBe('linearizable');
  });

  it('a stale read after a completed write is not linearizable, and the explanation says so', () => {
    const { h, res } = check([w(0, 0, 1, 1), r(1, 2, 3, 0)]);
    expect(res.verdict).toBe('not-linearizable');
    const ex = res.explanation!;
    expect(ex.prefix).toEqual([0]);
    expect(ex.blocking).toBe(1);
    expect(ex.unplaced).toEqual([1]);
    expect(ex.stateAfterPrefix).toBe('1');
    const text = explanationLines(spec, h, ex).join('\n');
    expect(text).toContain('p1 read 0');
    expect(text).toContain('state after it: 1');
  });

  it('Knossos rethink-fail-minimal: the failure is blamed on the bad read, not on the later op', () => {
    // write 0; then concurrently write 4 and read 3 (impossible); then a later read of 4.
    const { res } = check([w(0, 0, 1, 0), r(1, 2, 4, 3), w(2, 3, 5, 4), r(3, 6, 7, 4)]);
    expect(res.verdict).toBe('not-linearizable');
    expect(res.explanation!.blocking).toBe(1);
    expect(res.explanation!.unplaced).toEqual([1]);
    expect(res.explanation!.prefix).toEqual([0, 2]);
  });

  it('a value read twice needs one write per change: r1 then r0 then r1 with writes 1, 0 sequential is not linearizable', () => {
    const { res } = check([w(0, 0, 1, 1), w(0, 2, 3, 0), r(1, 4, 5, 1)]);
    expect(res.verdict).toBe('not-linearizable');
  });

  it('equal times are concurrent: a completion at t and an invocation at t overlap', () => {
    // write 1 returns at 5, read invoked at 5 returns the old value 0: legal only if concurrent.
    expect(check([w(0, 0, 5, 1), r(1, 5, 6, 0)]).res.verdict).toBe('linearizable');
    expect(check([w(0, 0, 5, 1), r(1, 6, 7, 0)]).res.verdict).toBe('not-linearizable');
  });

  it('a read with unknown output (timed out) constrains nothing', () => {
    expect(check([w(0, 0, 1, 1), r(1, 2, 3, undefined)]).res.verdict).toBe('linearizable');
  });
});

describe('crashed (indeterminate) operations', () => {
  it('must take effect when a later read saw their value', () => {
    const { h, res } = check([w(0, 0, null, 7), r(1, 1, 2, 7)]);
    expect(res.verdict).toBe('linearizable');
    expect(res.partitions[0]!.linearization).toEqual([0, 1]);
    expect(verifyLinearization(spec, h, res.partitions[0]!.linearization!)).toBeNull();
  });

  it('may never take effect: reads of the old value long after the crash are fine', () => {
    const { res } = check([w(0, 0, null, 7), r(1, 10, 11, 0), r(1, 20, 21, 0)]);
    expect(res.verdict).toBe('linearizable');
    expect(res.partitions[0]!.linearization).toEqual([1, 2]);
  });

  it('may take effect late, after other completed operations', () => {
    const { res } = check([w(0, 0, null, 7), r(1, 10, 11, 0), r(1, 20, 21, 7)]);
    expect(res.verdict).toBe('linearizable');
  });

  it('takes effect at most once: 7, then 0, then 7 again needs a second write', () => {
    const { res } = check([w(0, 0, 1, 0), w(1, 2, null, 7), r(2, 3, 4, 7), w(3, 5, 6, 0), r(2, 7, 8, 7)]);
    expect(res.verdict).toBe('not-linearizable');
  });

  it('cannot take effect before it was invoked', () => {
    const { res } = check([r(1, 0, 1, 7), w(0, 2, null, 7)]);
    expect(res.verdict).toBe('not-linearizable');
  });

  it('a crashed cas whose compare would fail is simply not applied', () => {
    expect(check([cas(0, 0, null, 5, 6), r(1, 1, 2, 0)]).res.verdict).toBe('linearizable');
    // ...but a crashed cas that does apply can explain a read.
    expect(check([w(0, 0, 1, 5), cas(1, 2, null, 5, 6), r(2, 3, 4, 6)]).res.verdict).toBe('linearizable');
  });
});

describe('compare-and-set outcomes', () => {
  it('a cas reported as swapped needs the register to hold `from`', () => {
    expect(check([w(0, 0, 1, 1), cas(1, 2, 3, 1, 2, true), r(0, 4, 5, 2)]).res.verdict).toBe('linearizable');
    expect(check([w(0, 0, 1, 1), cas(1, 2, 3, 3, 2, true)]).res.verdict).toBe('not-linearizable');
  });
  it('a cas reported as failed needs the register not to hold `from`', () => {
    expect(check([w(0, 0, 1, 1), cas(1, 2, 3, 3, 2, false), r(0, 4, 5, 1)]).res.verdict).toBe('linearizable');
    expect(check([w(0, 0, 1, 1), cas(1, 2, 3, 1, 2, false)]).res.verdict).toBe('not-linearizable');
  });
});

describe('bounds', () => {
  // Nine concurrent writes and a read that can never be explained: the search must try many orders.
  const hard = (): RegOp[] => [...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => w(v, 0, 100, v)), r(0, 101, 102, 99)];

  it('decides the hard history with the default bounds (after more than a few thousand steps)', () => {
    const { res } = check(hard());
    expect(res.verdict).toBe('not-linearizable');
    expect(res.stats.steps).toBeGreaterThan(5000);
  });

  it('a tiny step bound gives unknown, never a verdict', () => {
    const { res } = check(hard(), { maxSteps: 10 });
    expect(res.verdict).toBe('unknown');
    expect(res.bound).toEqual({ kind: 'steps', limit: 10 });
    expect(res.explanation).toBeUndefined();
  });

  it('a time bound gives unknown (with an injected clock that jumps)', () => {
    let t = 0;
    const { res } = check(hard(), { timeLimitMs: 5, now: () => (t += 1000) });
    expect(res.verdict).toBe('unknown');
    expect(res.bound?.kind).toBe('time');
  });

  it('a memo bound gives unknown', () => {
    const { res } = check(hard(), { maxStates: 3 });
    expect(res.verdict).toBe('unknown');
    expect(res.bound?.kind).toBe('states');
  });

  it('rejects bounds that are not positive finite numbers', () => {
    expect(() => check(hard(), { maxSteps: 0 })).toThrow(InputError);
    expect(() => check(hard(), { timeLimitMs: Infinity })).toThrow(InputError);
  });

  it('is deterministic: the same history gives the same result', () => {
    const a = check(hard()).res;
    const b = check(hard()).res;
    expect({ ...a.stats, elapsedMs: 0 }).toEqual({ ...b.stats, elapsedMs: 0 });
    expect(a.explanation).toEqual(b.explanation);
  });
});

describe('partitions (kv, checked key by key)', () => {
  type KvOp = OperationInit<KvInput, KvOutput>;
  const put = (process: number, call: number, ret: number, key: string, value: string): KvOp => ({ process, input: { f: 'put', key, value }, output: null, call, ret });
  const app = (process: number, call: number, ret: number, key: string, value: string): KvOp => ({ process, input: { f: 'append', key, value }, output: null, call, ret });
  const get = (process: number, call: number, ret: number, key: string, value: string): KvOp => ({ process, input: { f: 'get', key }, output: value, call, ret });
  const kv = kvSpec();

  it('splits by key and reports each partition', () => {
    const h = makeHistory([put(0, 0, 1, 'a', 'x'), app(1, 0, 2, 'b', 'y'), get(0, 3, 4, 'a', 'x'), get(1, 3, 4, 'b', 'y'), app(0, 5, 6, 'a', 'z'), get(1, 7, 8, 'a', 'xz')]);
    const res = checkHistory(kv, h);
    expect(res.verdict).toBe('linearizable');
    expect(res.partitions.map((p) => [p.key, p.ops.length, p.verdict])).toEqual([
      ['a', 4, 'linearizable'],
      ['b', 2, 'linearizable'],
    ]);
  });

  it('names the failing key; with stopAtFirstFailure false every failing key is reported', () => {
    const h = makeHistory([put(0, 0, 1, 'a', 'x'), get(1, 2, 3, 'a', 'y'), put(0, 4, 5, 'b', 'x'), get(1, 6, 7, 'b', 'q'), put(0, 8, 9, 'c', 'ok'), get(1, 10, 11, 'c', 'ok')]);
    const first = checkHistory(kv, h);
    expect(first.verdict).toBe('not-linearizable');
    expect(first.explanation!.partition).toBe('a');
    const all = checkHistory(kv, h, { stopAtFirstFailure: false });
    expect(all.partitions.map((p) => p.verdict)).toEqual(['not-linearizable', 'not-linearizable', 'linearizable']);
  });

  it('appends must be ordered consistently with what gets saw', () => {
    const ok = makeHistory([app(0, 0, 10, 'k', 'a'), app(1, 0, 10, 'k', 'b'), get(2, 11, 12, 'k', 'ba')]);
    expect(checkHistory(kv, ok).verdict).toBe('linearizable');
    const bad = makeHistory([app(0, 0, 1, 'k', 'a'), app(1, 2, 3, 'k', 'b'), get(2, 4, 5, 'k', 'ba')]);
    expect(checkHistory(kv, bad).verdict).toBe('not-linearizable');
  });
});

describe('multi-register transactions', () => {
  type TxOp = OperationInit<MultiRegisterInput, MultiRegisterOutput>;
  const mr = multiRegisterSpec();
  const tx = (process: number, call: number, ret: number, ops: MultiRegisterInput['ops'], out: MultiRegisterOutput): TxOp => ({ process, input: { ops }, output: out, call, ret });

  it('a transaction writing two registers is atomic', () => {
    const write = tx(0, 0, 10, [{ f: 'write', key: 'x', value: 1 }, { f: 'write', key: 'y', value: 1 }], [undefined, undefined]);
    const torn = tx(1, 1, 2, [{ f: 'read', key: 'x' }, { f: 'read', key: 'y' }], [1, 0]);
    const whole = tx(1, 1, 2, [{ f: 'read', key: 'x' }, { f: 'read', key: 'y' }], [1, 1]);
    const wild = tx(1, 1, 2, [{ f: 'read', key: 'x' }, { f: 'read', key: 'y' }], [undefined, 0]);
    expect(checkHistory(mr, makeHistory([write, torn])).verdict).toBe('not-linearizable');
    expect(checkHistory(mr, makeHistory([write, whole])).verdict).toBe('linearizable');
    expect(checkHistory(mr, makeHistory([write, wild])).verdict).toBe('linearizable');
  });
});

describe('timeline', () => {
  it('draws one row per process, marks the unplaced op, and shows crashed ops open-ended', () => {
    const { h, res } = check([w(0, 0, 1, 1), w(2, 0, null, 5), r(1, 2, 3, 0)]);
    const data = buildTimeline(spec, h, res);
    expect(data.ops.find((o) => o.id === 2)!.mark).toBe('blocking');
    const lines = renderTimeline(data, { legend: false });
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['p0', 'p1', 'p2']);
    expect(lines[1]).toMatch(/\|=+ read 0 ! =+\|/);
    expect(lines[0]).toMatch(/\|-+ write 1 -+\|/);
    expect(lines[2]).toMatch(/\|~+ write 5 ~+>$/);
    // Real-time order is visible: the read starts after the write ends.
    expect(lines[1]!.indexOf('|')).toBeGreaterThan(lines[0]!.lastIndexOf('|'));
  });

  it('the register spec alone (no cas) also works', () => {
    const reg = registerSpec();
    const h = makeHistory([
      { process: 0, input: { f: 'write' as const, value: 1 }, output: null, call: 0, ret: 1 },
      { process: 1, input: { f: 'read' as const }, output: null, call: 2, ret: 3 },
    ]);
    expect(checkHistory(reg, h).verdict).toBe('not-linearizable');
  });
});
