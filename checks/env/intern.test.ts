/**
 * Interning by encoding words (impl/env/network.ts): `WordsInterner`, which the environment's
 * frontier decoder uses to give back the node slot met before, and `PacketCodec.packetFromWords`,
 * which gives back the packet (key, message object and actions) met before without decoding.
 */
import { describe, expect, test } from 'vitest';
import { WordBuffer, type Encoder } from '../../impl/core/encode.ts';
import { keyWords, PacketCodec, WordsInterner } from '../../impl/env/network.ts';

describe('WordsInterner', () => {
  test('finds a value by equal words wherever they sit, and nothing for other words', () => {
    const t = new WordsInterner<object>();
    const a = Int32Array.of(9, 9, 1, 2, 3);
    expect(t.find(a, 2, 3)).toBeUndefined();
    const v = {};
    t.add(a, 2, 3, v);
    expect(t.find(Int32Array.of(1, 2, 3), 0, 3)).toBe(v);
    expect(t.find(Int32Array.of(7, 1, 2, 3, 7), 1, 3)).toBe(v);
    expect(t.find(Int32Array.of(1, 2), 0, 2)).toBeUndefined();
    expect(t.find(Int32Array.of(1, 2, 4), 0, 3)).toBeUndefined();
    // The words were copied: changing the caller's array changes nothing.
    a[2] = 5;
    expect(t.find(Int32Array.of(1, 2, 3), 0, 3)).toBe(v);
  });

  test('past its limit it forgets, and never answers wrong', () => {
    const t = new WordsInterner<number>();
    const w = new Int32Array(2);
    for (let i = 0; i < 200_000; i++) {
      w[0] = i;
      w[1] = -i;
      const got = t.find(w, 0, 2);
      expect(got).toBeUndefined();
      t.add(w, 0, 2, i);
    }
    let kept = 0;
    for (let i = 0; i < 200_000; i += 97) {
      w[0] = i;
      w[1] = -i;
      const got = t.find(w, 0, 2);
      if (got !== undefined) {
        expect(got).toBe(i);
        kept++;
      }
    }
    expect(kept).toBeGreaterThan(0);
  });
});

describe('PacketCodec.packetFromWords', () => {
  type Msg = { readonly type: 'Ping'; readonly n: number };
  const encodeMessage = (m: Msg, out: Encoder): void => out.int(m.n);
  let decodes = 0;
  const decodeMsg = (w: Int32Array, at: { pos: number }): Msg => {
    decodes++;
    return { type: 'Ping', n: w[at.pos++]! };
  };
  const wordsOf = (key: string): Int32Array => {
    const b = new WordBuffer();
    keyWords(key, b);
    return b.raw.slice(0, b.len);
  };

  test('a key met before gives its packet back: the same key, message object and actions, no decoding', () => {
    const codec = new PacketCodec<Msg>(encodeMessage, (from, to, msg) => ({ from, to, msg }));
    const p = codec.packet(1, 2, { type: 'Ping', n: 7 });
    decodes = 0;
    const w = wordsOf(p.key);
    const q = codec.packetFromWords(w, 0, w.length, decodeMsg);
    expect(decodes).toBe(0);
    expect(q.key).toBe(p.key);
    expect(q.msg).toBe(p.msg);
    expect(q.acts).toBe(p.acts);
    expect([q.from, q.to, q.count]).toEqual([1, 2, 1]);
  });

  test('an unknown key is decoded once, and then known', () => {
    const codec = new PacketCodec<Msg>(encodeMessage);
    const other = new PacketCodec<Msg>(encodeMessage);
    const key = other.packet(3, 1, { type: 'Ping', n: 42 }).key;
    const w = Int32Array.of(5, ...wordsOf(key), 5);
    decodes = 0;
    const q = codec.packetFromWords(w, 1, w.length - 2, decodeMsg);
    expect(decodes).toBe(1);
    expect(q.msg).toEqual({ type: 'Ping', n: 42 });
    expect([q.from, q.to]).toEqual([3, 1]);
    expect(q.key).toBe(codec.packet(3, 1, { type: 'Ping', n: 42 }).key);
    expect(codec.packetFromWords(w, 1, w.length - 2, decodeMsg).msg).toBe(q.msg);
    expect(decodes).toBe(1);
  });

  test('a message that does not decode from exactly its words is an error', () => {
    const codec = new PacketCodec<Msg>(encodeMessage);
    const w = Int32Array.of(1, 2, 7, 8);
    expect(() => codec.packetFromWords(w, 0, 4, decodeMsg)).toThrow(/decodes from 1 words of 2/);
  });
});
