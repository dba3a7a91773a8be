/**
 * Big-run storage: the encoded BFS frontier, spilling levels and trace links to disk, and the
 * fingerprint table that grows by 1.5×. Each is compared with the plain in-memory way on the
 * same runs: same states, same verdicts, same traces.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Encoder } from '../../impl/core/encode.ts';
import { fmix, WordBuffer } from '../../impl/core/encode.ts';
import type { Machine } from '../../impl/core/machine.ts';
import { InputError } from '../../impl/core/machine.ts';
import { explore, type ExploreOptions } from '../exhaustive.ts';
import { EncodedQueue, LinkStore } from '../spill.ts';
import { FingerprintSet } from '../visited.ts';
import { counters } from './toys.ts';

const dirs: string[] = [];
function spillDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dscheck-spill-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('EncodedQueue', () => {
  it('returns what was pushed, in order, whether it spills or not', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer(), { maxLength: 40 }), { maxLength: 400 }), fc.integer({ min: 1, max: 1 << 24 }), (encs, budget) => {
        const dir = spillDir();
        const q = new EncodedQueue({ dir, memoryBytes: budget });
        for (const e of encs) q.push(Int32Array.from(e), e.length);
        expect(q.length).toBe(encs.length);
        const back: number[][] = [];
        for (let w = q.next(); w !== undefined; w = q.next()) back.push([...w]);
        expect(back).toEqual(encs);
        q.dispose();
        expect(readdirSync(dir)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('spills full chunks past its budget, and reads them back before the ones in memory', () => {
    const dir = spillDir();
    const q = new EncodedQueue({ dir, memoryBytes: 1 });
    const n = 600_000; // 3 words each with the length: about 1.7 chunks of 1 Mi words
    const buf = new Int32Array(2);
    for (let i = 0; i < n; i++) {
      buf[0] = i;
      buf[1] = -i;
      q.push(buf, 2);
    }
    expect(q.diskBytes()).toBeGreaterThan(0);
    expect(readdirSync(dir)).toHaveLength(1);
    let i = 0;
    for (let w = q.next(); w !== undefined; w = q.next()) {
      if (w[0] !== i || w[1] !== -i) throw new Error(`state ${i} read back as ${[...w]}`);
      i++;
    }
    expect(i).toBe(n);
    q.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('LinkStore', () => {
  it('gives back every link, from memory or from disk', () => {
    const dir = spillDir();
    const l = new LinkStore({ dir, memoryBytes: 1 }); // keeps two chunks of 65,536 links
    const n = 400_000;
    for (let i = 0; i < n; i++) l.push(i === 0 ? 0xffffffff : (i * 7) % i, i % 13);
    expect(l.length).toBe(n);
    expect(l.diskBytes()).toBeGreaterThan(0);
    expect(l.bytes()).toBe(2 * 65_536 * 8);
    for (const i of [0, 1, 65_535, 65_536, 123_457, 262_143, 262_144, 399_999]) {
      expect(l.parent(i)).toBe(i === 0 ? 0xffffffff : (i * 7) % i);
      expect(l.via(i)).toBe(i % 13);
    }
    l.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes a smaller chunk (tests of the runners spill with few states)', () => {
    const dir = spillDir();
    const l = new LinkStore({ dir, memoryBytes: 1, linkChunk: 16 }); // two chunks of 16 links in memory
    for (let i = 0; i < 1000; i++) l.push(i * 3, i % 7);
    expect(l.bytes()).toBe(2 * 16 * 8);
    expect(l.diskBytes()).toBe((1000 - (1000 % 16) - 16) * 8);
    for (let i = 0; i < 1000; i++) {
      expect(l.parent(i)).toBe(i * 3);
      expect(l.via(i)).toBe(i % 7);
    }
    l.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('FingerprintSet growing by 1.5×', () => {
  it('holds exactly the distinct fingerprints added, through many growths', () => {
    const set = new FingerprintSet(16);
    const ref = new Set<string>();
    let x = 12345;
    for (let i = 0; i < 200_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const hi = (x % 50_000) + 1; // many repeats
      const lo = fmix(hi * 31 + 7) >>> 0;
      const isNew = !ref.has(`${hi}:${lo}`);
      if (set.addFingerprint(hi, lo) !== isNew) throw new Error(`add #${i} (${hi}, ${lo}): expected new=${isNew}`);
      ref.add(`${hi}:${lo}`);
    }
    expect(ref.size).toBeGreaterThan(40_000);
    expect(set.size).toBe(ref.size);
  });

  it('costs 10 to 15 bytes per state once grown', () => {
    const set = new FingerprintSet(16);
    const perState: number[] = [];
    for (let i = 1; i <= 2_000_000; i++) {
      set.addFingerprint(fmix(i) >>> 0 || 1, fmix(i ^ 0x5bd1e995) >>> 0);
      if (i % 50_000 === 0) perState.push(set.bytes() / set.size);
    }
    expect(Math.min(...perState)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...perState)).toBeLessThanOrEqual(15.1);
  });
});

/** counters(k, max) with an encoding and a decoding: the states are arrays of small numbers. */
function codedCounters(k: number, max: number, decodeBug = false): Machine<readonly number[], { readonly type: 'inc'; readonly i: number }> {
  const m = counters(k, max);
  return {
    ...m,
    encode: (s: readonly number[], out: Encoder) => {
      for (const x of s) out.int(x);
    },
    decode: (w: Int32Array) => {
      const s = Array.from(w);
      if (decodeBug && s[0] === 2) s[0] = 1;
      return s;
    },
    invariants: [{ name: 'not-all-max', check: (s) => !s.every((x) => x === max) || `all at ${max}` }],
  };
}

describe('BFS with an encoded, spilling frontier', () => {
  const runs: [string, ExploreOptions][] = [
    ['objects', { frontier: 'objects' }],
    ['encoded', { frontier: 'encoded' }],
    ['encoded, spilling levels and links', { frontier: 'encoded', frontierMemoryBytes: 1, linkMemoryBytes: 1, frontierChunkWords: 64 }],
  ];

  it.each(runs)('%s: the same states per depth and the same shortest trace', (_name, opts) => {
    const dir = spillDir();
    const m = codedCounters(4, 12); // 28,561 states, the violation at depth 48
    const r = explore(m, { ...opts, spillDir: dir, symmetry: false });
    const base = explore(m, { frontier: 'objects', symmetry: false });
    expect(r.status).toBe('violation');
    expect(r.stats.states).toBe(base.stats.states);
    expect(r.stats.statesPerDepth).toEqual(base.stats.statesPerDepth);
    expect(r.stats.frontier).toBe(opts.frontier);
    if (r.violation === undefined || base.violation === undefined) throw new Error('expected violations');
    expect(r.violation.trace.steps.map((st) => st.actionIndex)).toEqual(base.violation.trace.steps.map((st) => st.actionIndex));
    expect(r.violation.trace.steps).toHaveLength(48);
    expect(readdirSync(dir)).toEqual([]);
    if (opts.linkMemoryBytes === 1) expect(r.stats.spilledBytes).toBeGreaterThan(0);
  });

  it('with symmetry, the frontier holds the states reached (not their representatives), so traces replay', () => {
    const m = codedCounters(3, 30);
    const base = explore(m, { frontier: 'objects', symmetry: true, checks: [] });
    const r = explore(m, { frontier: 'encoded', symmetry: true, checks: [], frontierMemoryBytes: 1, linkMemoryBytes: 1, frontierChunkWords: 64, spillDir: spillDir() });
    expect(r.stats.spilledBytes).toBeGreaterThan(0);
    expect(r.stats.symmetry).toBe(base.stats.symmetry);
    expect(r.stats.states).toBe(base.stats.states);
    expect(r.stats.statesPerDepth).toEqual(base.stats.statesPerDepth);
  });

  it('is the default when the machine can decode, and objects otherwise', () => {
    expect(explore(codedCounters(2, 3), { symmetry: false }).stats.frontier).toBe('encoded');
    expect(explore(counters(2, 3), { symmetry: false }).stats.frontier).toBe('objects');
  });

  it('a decode that is not the inverse of encode is a clear model error, not a wrong search', () => {
    expect(() => explore(codedCounters(3, 4, true), { symmetry: false })).toThrow(InputError);
    expect(() => explore(codedCounters(3, 4, true), { symmetry: false })).toThrow(/does not decode to the state that was encoded \(depth \d+\): .* differ/);
    // With frontier objects the decoder is not used at all.
    expect(explore(codedCounters(3, 4, true), { symmetry: false, frontier: 'objects' }).status).toBe('violation');
  });

  it('frontier encoded without decode is an input error', () => {
    expect(() => explore(counters(2, 2), { frontier: 'encoded' })).toThrow(/has no encode\/decode/);
  });

  it('an exception while expanding reports the right trace with the links on disk', () => {
    const m0 = codedCounters(3, 60); // 226,981 states: four chunks of links, two kept in memory
    const m: typeof m0 = {
      ...m0,
      invariants: [],
      step: (s, a) => {
        if (s[0] === 60 && s[1] === 60 && a.i === 2 && s[2] === 59) throw new Error('boom');
        return m0.step(s, a);
      },
    };
    const base = explore(m, { frontier: 'objects', symmetry: false });
    const r = explore(m, { frontier: 'encoded', symmetry: false, linkMemoryBytes: 1, frontierMemoryBytes: 1, frontierChunkWords: 64, spillDir: spillDir() });
    if (r.violation === undefined || base.violation === undefined) throw new Error('expected violations');
    expect(r.violation.kind).toBe('error');
    expect(r.violation.trace.steps.map((st) => st.actionIndex)).toEqual(base.violation.trace.steps.map((st) => st.actionIndex));
    expect(r.stats.spilledBytes).toBeGreaterThan(0);
  });

  it('the raw buffer of a WordBuffer holds what was written', () => {
    const w = new WordBuffer();
    w.int(7);
    w.int(-3);
    expect([...w.raw.subarray(0, w.len)]).toEqual([7, -3]);
  });
});
