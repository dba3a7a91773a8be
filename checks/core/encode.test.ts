import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Map as IMap, Set as ISet, List } from 'immutable';
import { WordBuffer, canonicalEqual, canonicalKey } from '../../impl/core/encode.ts';
import { ChunkedU32, ExactSet, FingerprintSet } from '../visited.ts';

/** A normal form of a JSON-like value: sorted object keys. Equal normal forms ⇔ equal values. */
function normal(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}

describe('canonical encoding', () => {
  it('is independent of object key order and Map/Set insertion order', () => {
    expect(canonicalKey({ a: 1, b: [2, 3] })).toBe(canonicalKey({ b: [2, 3], a: 1 }));
    expect(canonicalKey(new Map([['x', 1], ['y', 2]]))).toBe(canonicalKey(new Map([['y', 2], ['x', 1]])));
    expect(canonicalKey(new Set([3, 1, 2]))).toBe(canonicalKey(new Set([2, 3, 1])));
    expect(canonicalKey(IMap({ a: 1, b: 2 }))).toBe(canonicalKey(IMap({ b: 2, a: 1 })));
    expect(canonicalKey(ISet([1, 2, 3]))).toBe(canonicalKey(ISet([3, 2, 1])));
  });

  it('keeps order where order means something', () => {
    expect(canonicalKey([1, 2])).not.toBe(canonicalKey([2, 1]));
    expect(canonicalKey(List([1, 2]))).not.toBe(canonicalKey(List([2, 1])));
  });

  it('distinguishes types and boundaries', () => {
    const values: unknown[] = [0, '0', false, null, undefined, [], {}, [[]], [0], ['', ''], [''], 'ab', ['a', 'b'], 1.5, -0, 2 ** 40, 10n, new Map(), new Set()];
    const keys = values.map(canonicalKey);
    expect(new Set(keys).size).toBe(values.length);
  });

  it('property: two JSON values get the same key iff they are equal', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(canonicalEqual(a, b)).toBe(normal(a) === normal(b));
      }),
      { numRuns: 500 },
    );
  });

  it('property: a Map with shuffled insertion order has the same key and fingerprint', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string(), fc.integer()), { selector: (t) => t[0] }), fc.infiniteStream(fc.nat()), (entries, rnd) => {
        const shuffled = [...entries];
        const it = rnd[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (it.next().value as number) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const a = new WordBuffer();
        const b = new WordBuffer();
        a.value(new Map(entries));
        b.value(new Map(shuffled));
        expect(a.key()).toBe(b.key());
        const fa = new Uint32Array(2);
        const fb = new Uint32Array(2);
        a.fingerprint(fa);
        b.fingerprint(fb);
        expect([...fa]).toEqual([...fb]);
      }),
    );
  });

  it('Encoder.int rejects non-32-bit values', () => {
    const w = new WordBuffer();
    expect(() => w.int(1.5)).toThrow(RangeError);
    expect(() => w.int(2 ** 33)).toThrow(RangeError);
    w.int(-5);
    w.int(0xffffffff);
    expect(w.len).toBe(2);
  });
});

describe('visited sets', () => {
  it('FingerprintSet agrees with an exact set on 200,000 distinct and repeated encodings, across growth', () => {
    const fp = new FingerprintSet(16);
    const exact = new ExactSet();
    const w = new WordBuffer();
    let newFp = 0;
    let newExact = 0;
    for (let i = 0; i < 300_000; i++) {
      const v = (i * 7919) % 200_000; // every value in 0..199,999, some twice
      w.reset();
      w.int(v);
      w.int(v >>> 3);
      if (fp.add(w)) newFp++;
      if (exact.add(w)) newExact++;
    }
    expect(newExact).toBe(200_000);
    expect(newFp).toBe(newExact);
    expect(fp.size).toBe(200_000);
    // 3/4 maximum load: the table holds at most 4/3 slots per entry after growth … and at least.
    expect(fp.bytes()).toBeLessThanOrEqual((200_000 / 0.375) * 8);
  });

  it('ChunkedU32 stores values across chunk boundaries', () => {
    const a = new ChunkedU32();
    let wrongIndex = -1;
    for (let i = 0; i < 150_000; i++) if (a.push((i * 31) >>> 0) !== i && wrongIndex < 0) wrongIndex = i;
    expect(wrongIndex).toBe(-1);
    expect(a.get(0)).toBe(0);
    expect(a.get(65_536)).toBe(65_536 * 31);
    expect(a.get(149_999)).toBe(149_999 * 31);
    expect(a.bytes()).toBe(3 * 65_536 * 4);
  });
});

describe('WordBuffer.key', () => {
  it('is two UTF-16 units per word, low half first, for every length (short keys and flat long ones alike)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 40 }), (words) => {
        const w = new WordBuffer();
        for (const x of words) w.int(x);
        const expected = words.map((x) => String.fromCharCode(x & 0xffff, (x >>> 16) & 0xffff)).join('');
        expect(w.key()).toBe(expected);
        expect(w.key().length).toBe(2 * words.length);
      }),
    );
  });
});
