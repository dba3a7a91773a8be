/**
 * Our Reed-Solomon coder (`impl/erasure/rs.ts`) against an npm library,
 * `@digitaldefiance/reed-solomon-erasure.wasm` 1.0.2 (the Rust crate `reed-solomon-erasure`
 * compiled to WebAssembly; see `erasure-lib.ts`).
 *
 * Both build the same systematic matrix (Backblaze-style: the Vandermonde matrix over the points
 * 0..n−1 times the inverse of its top k × k block, over GF(2^8) modulo 0x11d), so the parity
 * shards must be byte-identical, and each side must rebuild the data from the other's shards.
 * For random data, k ≤ 10, m ≤ 6 (m ≥ 1: the library panics on m = 0) and random loss patterns
 * of at most m shards, with bounded fast-check runs. Every library call gets a fresh WebAssembly
 * instance: one instance reused across calls corrupts its heap (pinned below; `erasure-lib.ts`).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode, encode, ErasureError, type Shard } from '../../impl/erasure/rs.ts';
import { libEncode, libReconstruct, rsLibrary } from './erasure-lib.ts';

/** k, m, data and a loss pattern (the indices of at most m lost shards). */
const caseArb = fc
  .record({ k: fc.integer({ min: 1, max: 10 }), m: fc.integer({ min: 1, max: 6 }) })
  .chain(({ k, m }) =>
    fc.record({
      k: fc.constant(k),
      m: fc.constant(m),
      data: fc.uint8Array({ minLength: 1, maxLength: 600 }),
      lost: fc.uniqueArray(fc.integer({ min: 0, max: k + m - 1 }), { maxLength: m }),
    }),
  );

const concat = (parts: readonly Uint8Array[], length: number): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.slice(0, length);
};

describe('our Reed-Solomon against reed-solomon-erasure (WebAssembly)', () => {
  it('the parity shards are byte-identical (same systematic Vandermonde construction)', () => {
    fc.assert(
      fc.property(caseArb, ({ k, m, data }) => {
        const ours = encode(data, k, m);
        const theirs = libEncode(ours.shards.slice(0, k).map((s) => s.bytes), m);
        for (let i = 0; i < m; i++) expect(Array.from(theirs[i]!), `parity shard ${k + i} of RS(${k},${m})`).toEqual(Array.from(ours.shards[k + i]!.bytes));
      }),
      { numRuns: 150, seed: 18 },
    );
  });

  it('the library rebuilds the data from our shards with any ≤ m lost, and we rebuild it from the library’s', () => {
    fc.assert(
      fc.property(caseArb, ({ k, m, data, lost }) => {
        const ours = encode(data, k, m);
        const size = ours.shards[0]!.bytes.length;
        // the library decodes our shards
        const kept = ours.shards.map((s) => (lost.includes(s.index) ? null : s.bytes));
        expect(Array.from(concat(libReconstruct(kept, k, m, size), data.length))).toEqual(Array.from(data));
        // we decode the library's shards (its own parity, our data layout)
        const dataShards = ours.shards.slice(0, k).map((s) => s.bytes);
        const all = [...dataShards, ...libEncode(dataShards, m)];
        const theirs: (Shard | null)[] = all.map((bytes, index) => (lost.includes(index) ? null : { index, bytes }));
        expect(Array.from(decode({ k, m, length: data.length }, theirs))).toEqual(Array.from(data));
      }),
      { numRuns: 150, seed: 1818 },
    );
  });

  it('the library’s defect: one instance reused across calls fails on a valid loss pattern (hence a fresh instance per call)', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const e = encode(data, 4, 2);
    const size = e.shards[0]!.bytes.length;
    const without = (lost: readonly number[]) => e.shards.map((s) => (lost.includes(s.index) ? null : s.bytes));
    const shared = rsLibrary();
    expect(() => libReconstruct(without([0]), 4, 2, size, shared)).not.toThrow();
    // shard 1 lost leaves 5 of 6 shards: decodable, and a fresh instance decodes it
    expect(() => libReconstruct(without([1]), 4, 2, size, shared)).toThrow();
    expect(Array.from(concat(libReconstruct(without([1]), 4, 2, size), data.length))).toEqual(Array.from(data));
  });

  it('both refuse fewer than k shards', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const e = encode(data, 4, 2);
    const size = e.shards[0]!.bytes.length;
    const lost = [0, 2, 5];
    expect(() => decode(e, e.shards.map((s) => (lost.includes(s.index) ? null : s)))).toThrow(ErasureError);
    expect(() => libReconstruct(e.shards.map((s) => (lost.includes(s.index) ? null : s.bytes)), 4, 2, size)).toThrow(/too few/i);
  });

  it('a wrong parity shard is told apart: a flipped byte makes the parity differ (the comparison can fail)', () => {
    const data = Uint8Array.from({ length: 64 }, (_, i) => (i * 7) & 255);
    const e = encode(data, 4, 2);
    const flipped = e.shards.slice(0, 4).map((s) => s.bytes.slice());
    flipped[1]![3]! ^= 1;
    expect(Array.from(libEncode(flipped, 2)[0]!)).not.toEqual(Array.from(e.shards[4]!.bytes));
  });
});
