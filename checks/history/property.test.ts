/**
 * Property tests:
 * - histories produced by running a real compare-and-set register, with random overlapping
 *   operations and crashes (an operation takes effect at a random point between its invocation
 *   and its completion, or for a crashed client maybe never), are always linearizable, and the
 *   witness checks out;
 * - mutating such a history so a read returns a value never written makes it not linearizable;
 * - on small arbitrary histories (any outputs, crashed operations included), the checker agrees
 *   with a brute-force enumeration of every order, for the cas-register and for the kv store
 *   (whose check is partitioned by key while the brute force looks at the whole history).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { casRegisterSpec, type CasRegisterInput, type CasRegisterOutput } from '../../specs/sequential/register.ts';
import { kvSpec, type KvInput, type KvOutput } from '../../specs/sequential/kv.ts';
import type { SequentialSpec } from '../../impl/core/history/spec.ts';
import { makeHistory, type History, type OperationInit } from '../../impl/core/history/history.ts';
import { checkHistory } from '../../impl/core/history/search.ts';
import { verifyLinearization } from './verify.ts';

type RegOp = OperationInit<CasRegisterInput, CasRegisterOutput>;
const spec = casRegisterSpec(0);

/** One scheduling decision: which client moves, what it would invoke, and whether it crashes. */
const command = fc.record({
  slot: fc.integer({ min: 0, max: 3 }),
  kind: fc.integer({ min: 0, max: 2 }),
  a: fc.integer({ min: 0, max: 3 }),
  b: fc.integer({ min: 0, max: 3 }),
  crash: fc.boolean(),
});
type Command = { slot: number; kind: number; a: number; b: number; crash: boolean };

/** Run a real register under a schedule; return the history the clients observed. */
function simulate(commands: readonly Command[]): RegOp[] {
  let register = 0;
  let time = 0;
  let nextPid = 4;
  const pid = [0, 1, 2, 3];
  type Pending = { input: CasRegisterInput; call: number; applied: boolean; output?: CasRegisterOutput };
  const pending: (Pending | undefined)[] = [undefined, undefined, undefined, undefined];
  const ops: RegOp[] = [];
  const apply = (input: CasRegisterInput): CasRegisterOutput => {
    switch (input.f) {
      case 'read':
        return register;
      case 'write':
        register = input.value as number;
        return null;
      case 'cas':
        if (register === input.from) {
          register = input.to as number;
          return true;
        }
        return false;
    }
  };
  const crash = (slot: number, p: Pending): void => {
    ops.push({ process: pid[slot]!, input: p.input, call: p.call, ret: null });
    pending[slot] = undefined;
    pid[slot] = nextPid++; // Jepsen never reuses a crashed client's id
  };
  for (const c of commands) {
    const p = pending[c.slot];
    if (p === undefined) {
      const input: CasRegisterInput = c.kind === 0 ? { f: 'read' } : c.kind === 1 ? { f: 'write', value: c.a } : { f: 'cas', from: c.a, to: c.b };
      pending[c.slot] = { input, call: time++, applied: false };
    } else if (!p.applied) {
      if (c.crash && c.kind === 0) crash(c.slot, p); // crashed before taking effect
      else {
        p.output = apply(p.input);
        p.applied = true;
      }
    } else if (c.crash) crash(c.slot, p); // crashed after taking effect
    else {
      ops.push({ process: pid[c.slot]!, input: p.input, output: p.output!, call: p.call, ret: time++ });
      pending[c.slot] = undefined;
    }
  }
  pending.forEach((p, slot) => {
    if (p !== undefined) crash(slot, p);
  });
  return ops;
}

describe('histories of a real register', () => {
  it('are always linearizable, with a valid witness', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 120 }), (commands) => {
        const h = makeHistory(simulate(commands));
        const res = checkHistory(spec, h);
        expect(res.verdict).toBe('linearizable');
        expect(verifyLinearization(spec, h, res.partitions[0]!.linearization!)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('become non-linearizable when a read returns a value never written', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 120 }), fc.nat(), (commands, pick) => {
        const ops = simulate(commands);
        const reads = ops.map((o, i) => [o, i] as const).filter(([o]) => o.input.f === 'read' && o.ret !== null);
        fc.pre(reads.length > 0);
        const [victim, at] = reads[pick % reads.length]!;
        ops[at] = { ...victim, output: 99 };
        expect(checkHistory(spec, makeHistory(ops)).verdict).toBe('not-linearizable');
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Brute force: try every order of every subset of crashed operations.

function bruteForce<S, I, O>(s: SequentialSpec<S, I, O>, h: History<I, O>): boolean {
  const ops = h.ops;
  const placed = new Array<boolean>(ops.length).fill(false);
  const go = (state: S): boolean => {
    if (ops.every((o, i) => placed[i] || o.ret === null)) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      const z = ops[i]!;
      // z may come next only if every completed op that finished before z started is placed.
      if (!ops.every((x, j) => placed[j] || x.ret === null || !(x.ret < z.call))) continue;
      const r = s.step(state, z.input, z.output);
      if (!r.ok) continue;
      placed[i] = true;
      const ok = go(r.next);
      placed[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return go(s.init());
}

/** A small arbitrary history: intervals, inputs and outputs drawn freely. */
function arbitraryOps<I, O>(op: fc.Arbitrary<{ input: I; output: O }>): fc.Arbitrary<OperationInit<I, O>[]> {
  return fc.array(
    fc.record({ start: fc.nat(12), len: fc.nat(6), crash: fc.nat(3), op }),
    { maxLength: 7 },
  ).map((xs) => {
    // Each op gets its own process (a process runs one op at a time); about one in four crashed.
    return xs.map((x, i) => {
      const crashed = x.crash === 0;
      return crashed
        ? { process: i, input: x.op.input, call: x.start, ret: null }
        : { process: i, input: x.op.input, output: x.op.output, call: x.start, ret: x.start + x.len };
    });
  });
}

const casOp: fc.Arbitrary<{ input: CasRegisterInput; output: CasRegisterOutput }> = fc.oneof(
  fc.integer({ min: 0, max: 2 }).map((v) => ({ input: { f: 'read' as const }, output: v })),
  fc.integer({ min: 0, max: 2 }).map((v) => ({ input: { f: 'write' as const, value: v }, output: null })),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.boolean()).map(([a, b, ok]) => ({ input: { f: 'cas' as const, from: a, to: b }, output: ok })),
);

const kvOp: fc.Arbitrary<{ input: KvInput; output: KvOutput }> = fc.oneof(
  fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom('', 'x', 'y', 'xy', 'yx')).map(([key, v]) => ({ input: { f: 'get' as const, key }, output: v })),
  fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y')).map(([key, value]) => ({ input: { f: 'put' as const, key, value }, output: null })),
  fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y')).map(([key, value]) => ({ input: { f: 'append' as const, key, value }, output: null })),
);

describe('agreement with brute force on small arbitrary histories', () => {
  it('cas-register', () => {
    let seen = { yes: 0, no: 0 };
    fc.assert(
      fc.property(arbitraryOps(casOp), (ops) => {
        const h = makeHistory(ops);
        const expected = bruteForce(spec, h);
        seen = expected ? { ...seen, yes: seen.yes + 1 } : { ...seen, no: seen.no + 1 };
        expect(checkHistory(spec, h).verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
      }),
      { numRuns: 400 },
    );
    // The generator must produce both kinds, or the property proves little.
    expect(seen.yes).toBeGreaterThan(20);
    expect(seen.no).toBeGreaterThan(20);
  });

  it('kv, partitioned by key, agrees with brute force on the whole history', () => {
    const kv = kvSpec();
    let seen = { yes: 0, no: 0 };
    fc.assert(
      fc.property(arbitraryOps(kvOp), (ops) => {
        const h = makeHistory<KvInput, KvOutput>(ops);
        const expected = bruteForce(kv, h);
        seen = expected ? { ...seen, yes: seen.yes + 1 } : { ...seen, no: seen.no + 1 };
        expect(checkHistory(kv, h).verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
      }),
      { numRuns: 400 },
    );
    expect(seen.yes).toBeGreaterThan(20);
    expect(seen.no).toBeGreaterThan(20);
  });
});
