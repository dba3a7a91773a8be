/**
 * Reed-Solomon over GF(2^8) (`impl/erasure/`): the field axioms, encode/decode round trips for
 * random k, m and loss patterns, corrupted shards caught by checksums, fewer than k shards
 * rejected with a clear error; and the `erasure` storage model: readable while at most m shards
 * are lost, the loss found when m + 1 fail before repair, both known bugs found.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gfAdd, gfDiv, gfInv, gfInvert, gfMatMul, gfMul, gfPow } from '../../impl/erasure/gf256.ts';
import { crc32, decode, decodeReport, encode, encodingMatrix, ErasureError, rebuildShard } from '../../impl/erasure/rs.ts';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { instantiate, type ParamValue } from '../../impl/core/machine.ts';
import { ERASURE_BUGS, erasureModel } from '../../specs/models/erasure.ts';
import { loadModel } from '../../specs/models/catalogue.ts';
import { runCli } from '../cli/testing.ts';

const byte = fc.integer({ min: 0, max: 255 });
const nonzero = fc.integer({ min: 1, max: 255 });

/** Reference multiplication: shift-and-add modulo 0x11d, no tables. */
function slowMul(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) {
    if (b & (1 << i)) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
  }
  return r;
}

describe('GF(2^8) is a field', () => {
  it('multiplication agrees with shift-and-add on all 65,536 pairs', () => {
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) if (gfMul(a, b) !== slowMul(a, b)) expect.fail(`${a}·${b}`);
  });
  it('axioms: associativity, commutativity, distributivity, identities, inverses', () => {
    fc.assert(
      fc.property(byte, byte, byte, (a, b, c) => {
        expect(gfAdd(gfAdd(a, b), c)).toBe(gfAdd(a, gfAdd(b, c)));
        expect(gfMul(gfMul(a, b), c)).toBe(gfMul(a, gfMul(b, c)));
        expect(gfMul(a, b)).toBe(gfMul(b, a));
        expect(gfMul(a, gfAdd(b, c))).toBe(gfAdd(gfMul(a, b), gfMul(a, c)));
        expect(gfAdd(a, 0)).toBe(a);
        expect(gfMul(a, 1)).toBe(a);
        expect(gfAdd(a, a)).toBe(0);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(nonzero, byte, (a, b) => {
        expect(gfMul(a, gfInv(a))).toBe(1);
        expect(gfMul(gfDiv(b, a), a)).toBe(b);
        expect(gfPow(a, 255)).toBe(1);
      }),
    );
    expect(() => gfInv(0)).toThrow(/no inverse/);
  });
  it('matrix inverse: M · M⁻¹ = I for the k × k blocks of an encoding matrix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 6 }), fc.integer(), (k, m, seed) => {
        const e = encodingMatrix(k, m);
        const rows = fc.sample(fc.shuffledSubarray([...e.keys()], { minLength: k, maxLength: k }), { numRuns: 1, seed })[0]!;
        const block = rows.map((r) => e[r]!);
        const inv = gfInvert(block)!;
        expect(inv).not.toBeNull();
        gfMatMul(block, inv).forEach((row, i) => expect([...row]).toEqual(Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))));
      }),
      { numRuns: 100 },
    );
  });
});

describe('Reed-Solomon: systematic, any k of n', () => {
  it('the data shards are the data (systematic)', () => {
    const data = Uint8Array.from({ length: 12 }, (_, i) => i * 7);
    const e = encode(data, 4, 2);
    expect(Buffer.concat(e.shards.slice(0, 4).map((s) => s.bytes))).toEqual(Buffer.from(data));
  });

  it('round trip: random data, k, m and any loss of at most m shards', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 6 }),
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.infiniteStream(fc.boolean()),
        (k, m, data, coin) => {
          const e = encode(data, k, m);
          const it = coin[Symbol.iterator]();
          let lost = 0;
          const kept = e.shards.map((s) => (lost < m && it.next().value ? (lost++, null) : s));
          expect(decode(e, kept)).toEqual(data);
          // and rebuilding any lost shard gives its bytes back
          kept.forEach((s, i) => s === null && expect(rebuildShard(e, kept, i)).toEqual(e.shards[i]!.bytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fewer than k shards: a clear error naming how many there are', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (k, m, data) => {
        const e = encode(data, k, m);
        const kept = e.shards.map((s, i) => (i < m + 1 ? null : s));
        expect(() => decode(e, kept)).toThrow(new ErasureError(`cannot decode: ${k - 1} intact shard(s) of ${k + m}, need at least k = ${k}`));
      }),
    );
    expect(() => encode(new Uint8Array(4), 0, 2)).toThrow(/k must be an integer ≥ 1/);
    expect(() => encode(new Uint8Array(4), 200, 57)).toThrow(/at most 256/);
  });

  it('with checksums on, a corrupted shard is detected, reported and not used', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.nat(), nonzero, (k, m, data, which, at, flip) => {
        const e = encode(data, k, m, { checksums: true });
        const i = which % (k + m);
        const bad = e.shards.map((s) => (s.index === i ? { ...s, bytes: s.bytes.map((b, j) => (j === at % s.bytes.length ? b ^ flip : b)) } : s));
        const r = decodeReport(e, bad);
        expect(r.corrupted).toEqual([i]);
        expect(r.used).not.toContain(i);
        expect(r.data).toEqual(data);
      }),
    );
    // Without checksums the same corruption of a data shard goes unnoticed: the output is wrong.
    const e = encode(Uint8Array.of(1, 2, 3, 4), 2, 1);
    const bad = e.shards.map((s) => (s.index === 0 ? { ...s, bytes: Uint8Array.of(9, 9) } : s));
    expect(decode(e, bad)).not.toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

const build = (p: Record<string, ParamValue> = {}) => instantiate(erasureModel, p).machine;

describe('erasure storage model', () => {
  it.each([
    [{}, 32],
    [{ k: 2, m: 2, crashes: 2, maxDown: 2 }, 9_676],
  ] as const)('%o: readable with at most m shards lost, exhaustively (%d states), and a shard is rebuilt', (p, states) => {
    const r = explore(build(p));
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(states);
    expect(r.witnesses.find((w) => w.name === 'shard-rebuilt')?.reached).toBe(true);
  });

  it('m + 1 failures before a repair: the checker finds the loss (both at once, and one after another)', () => {
    for (const [maxDown, steps] of [[2, 2], [1, 3]] as const) {
      const r = explore(build({ crashes: 2, maxDown }));
      expect(r.violation?.name).toBe('data-readable');
      expect(r.violation?.message).toBe('lost: cannot decode: 1 intact shard(s) of 3, need at least k = 2 (kept: h3)');
      expect(r.violation?.trace.steps).toHaveLength(steps);
    }
  });

  it.each([
    ['xor-parity', 'data-readable', 2, 'linearly dependent'],
    ['rebuild-wrong-shard', 'shards-intact', 7, 'h1 keeps'],
  ] as const)('%s breaks %s in %d steps (BFS, its own configuration) and random mode finds it', (bug, check, steps, msg) => {
    const spec = ERASURE_BUGS[bug];
    const m = build({ ...('config' in spec ? spec.config : {}), bug });
    const r = explore(m);
    expect(r.violation?.name).toBe(check);
    expect(r.violation?.message).toContain(msg);
    expect(r.violation?.trace.steps).toHaveLength(steps);
    const rr = checkRandom(m, { seed: 1, runs: 1000, maxSteps: 30 });
    expect(rr.status).toBe('violation');
  });

  it('is registered in the catalogue', async () => {
    expect(await loadModel('erasure')).toBe(erasureModel);
  });
});

describe('bad shapes are one-line errors with exit code 2, before any search', () => {
  it.each([
    [['erasure', '-p', 'k=6', '-p', 'm=4'], 'dscheck: erasure: k + m must be at most 8 holders in the model, got 10'],
    [['antientropy', '-p', 'keys=6'], 'dscheck: antientropy: keys and leaves must be powers of two with leaves ≤ keys, got keys=6, leaves=4'],
    [['gossip', '-p', 'joiners=3'], 'dscheck: gossip: joiners must be fewer than nodes (the seed n1 is not a joiner), got joiners=3, nodes=3'],
  ] as const)('check %j', async (args, line) => {
    const r = await runCli('check', ...args);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(line);
  });
});
