/**
 * The derived codecs of impl/env/schema.ts, checked against independent references: the generic
 * canonical encoding (impl/core/encode.ts) for injectivity, a direct permutation for renaming, and
 * fast-check values drawn from the schema itself.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { WordBuffer, canonicalKey } from '../../impl/core/encode.ts';
import { compile, S, SchemaError, type AnySchema, type Infer } from '../../impl/env/schema.ts';

const Entry = S.record({ term: S.int(0, 5), value: S.int(0, 9) });
const Durable = S.record({ term: S.int(0, 5), votedFor: S.optional(S.node()), log: S.list(Entry, 4) });
const Volatile = S.record({
  role: S.enum('follower', 'candidate', 'leader'),
  commitIndex: S.int(0, 4),
  votes: S.nodeSet(),
  next: S.perNode(S.int(0, 5)),
  leader: S.optional(S.record({ since: S.int(-3, 3), peers: S.perNode(S.optional(S.node())) })),
});
const Msg = S.union('type', {
  RequestVote: { term: S.int(0, 5), lastLogIndex: S.int(0, 4), lastLogTerm: S.int(0, 5) },
  RequestVoteResp: { term: S.int(0, 5), granted: S.bool() },
  AppendEntries: { term: S.int(0, 5), prev: S.int(0, 4), entries: S.list(Entry, 2), commit: S.int(0, 4), hint: S.node() },
  Nudge: {},
});
const Vote = S.record({ ballot: S.int(0, 7), acceptor: S.node() });
const Whole = S.record({
  d: S.perNode(Durable),
  v: Volatile,
  msgs: S.list(Msg, 3),
  votes: S.set(Vote, 6),
  big: S.int(-2_000_000_000, 2_000_000_000),
  flag: S.bool(),
});

/** Sets are equal whatever their order: sort them before comparing with the generic encoding. */
const norm = (v: Whole) => ({ ...v, votes: [...v.votes].sort((a, b) => a.ballot - b.ballot || a.acceptor - b.acceptor) });

type Whole = Infer<typeof Whole>;

/** Valid values of a schema, for n nodes (an independent reading of the schema). */
function arb(s: AnySchema, n: number): fc.Arbitrary<unknown> {
  switch (s.kind) {
    case 'int':
      return fc.integer({ min: s.min, max: s.max });
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...s.values);
    case 'node':
      return fc.integer({ min: 1, max: n });
    case 'nodeSet':
      return fc.integer({ min: 0, max: 2 ** n - 1 });
    case 'optional':
      return fc.option(arb(s.of, n), { nil: null });
    case 'list':
      return fc.array(arb(s.of, n), { maxLength: s.max });
    case 'set':
      return fc.uniqueArray(arb(s.of, n), { maxLength: s.max, selector: (x) => JSON.stringify(x) });
    case 'perNode':
      if (s.role !== undefined) throw new Error('roles are tested separately');
      return fc.array(arb(s.of, n), { minLength: n, maxLength: n });
    case 'record':
      return fc.record(Object.fromEntries(Object.entries(s.fields).map(([k, f]) => [k, arb(f, n)])));
    case 'union':
      return fc.oneof(
        ...Object.entries(s.variants).map(([tag, fields]) =>
          fc.record({ [s.tag]: fc.constant(tag), ...Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, arb(f, n)])) }),
        ),
      );
  }
}

function words(enc: (v: never, o: WordBuffer) => void, v: unknown): number[] {
  const w = new WordBuffer();
  enc(v as never, w);
  const key = w.key();
  const out: number[] = [];
  for (let i = 0; i < key.length; i += 2) out.push((key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)) | 0);
  return out;
}

/** A permutation of 1..n as a function, and the reference renaming by hand for Whole. */
const perms = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i + 1), { minLength: n, maxLength: n });

function renameByHand(v: Whole, p: readonly number[]): Whole {
  const f = (id: number) => p[id - 1]!;
  const permute = <T>(a: readonly T[], g: (x: T) => T): T[] => {
    const out = new Array<T>(a.length);
    a.forEach((x, i) => (out[f(i + 1) - 1] = g(x)));
    return out;
  };
  let votes = 0;
  for (let i = 0; i < p.length; i++) if ((v.v.votes >>> i) & 1) votes |= 1 << (f(i + 1) - 1);
  return {
    d: permute(v.d, (d) => ({ ...d, votedFor: d.votedFor === null ? null : f(d.votedFor) })),
    v: {
      ...v.v,
      votes: votes >>> 0,
      next: permute(v.v.next, (x) => x),
      leader: v.v.leader === null ? null : { since: v.v.leader.since, peers: permute(v.v.leader.peers, (x) => (x === null ? null : f(x))) },
    },
    msgs: v.msgs.map((m) => (m.type === 'AppendEntries' ? { ...m, hint: f(m.hint) } : m)),
    votes: v.votes.map((x) => ({ ballot: x.ballot, acceptor: f(x.acceptor) })),
    big: v.big,
    flag: v.flag,
  };
}

describe.each([1, 3, 5])('derived codec, %i nodes', (n) => {
  const c = compile(Whole, { n });
  const values = arb(Whole as AnySchema, n) as fc.Arbitrary<Whole>;

  test('decode inverts encode, and every generated value validates', () => {
    fc.assert(
      fc.property(values, (v) => {
        expect(c.validate(v)).toBeNull();
        const w = words(c.encode, v);
        const at = { pos: 0 };
        expect(norm(c.decode(w, at))).toEqual(norm(v));
        expect(at.pos).toBe(w.length);
      }),
      { numRuns: 300 },
    );
  });

  test('the encoding is injective: equal words exactly for equal values', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const same = canonicalKey(norm(a)) === canonicalKey(norm(b));
        expect(words(c.encode, a).join() === words(c.encode, b).join()).toBe(same);
      }),
      { numRuns: 300 },
    );
    // Near-misses, which random pairs rarely produce: one field differs by one.
    fc.assert(
      fc.property(values, (a) => {
        const b: Whole = { ...a, v: { ...a.v, commitIndex: a.v.commitIndex === 4 ? 3 : a.v.commitIndex + 1 } };
        expect(words(c.encode, a).join()).not.toBe(words(c.encode, b).join());
      }),
      { numRuns: 100 },
    );
  });

  test('rename agrees with renaming by hand, composes, and keeps the signature', () => {
    fc.assert(
      fc.property(values, perms(n), perms(n), (v, p, q) => {
        const f = (id: number) => p[id - 1]!;
        const g = (id: number) => q[id - 1]!;
        const r = c.rename(v, f);
        expect(r).toEqual(renameByHand(v, p));
        expect(c.validate(r)).toBeNull();
        expect(c.rename(r, g)).toEqual(c.rename(v, (id) => g(f(id))));
        // A set in another order encodes alike.
        expect(words(c.encode, { ...v, votes: [...v.votes].reverse() }).join()).toBe(words(c.encode, v).join());
        expect(c.signature(r)).toBe(c.signature(v));
      }),
      { numRuns: 200 },
    );
  });
});

describe('values outside the declaration', () => {
  const c = compile(Whole, { n: 3 });
  const ok: Whole = {
    d: [
      { term: 1, votedFor: 2, log: [{ term: 1, value: 3 }] },
      { term: 1, votedFor: null, log: [] },
      { term: 0, votedFor: null, log: [] },
    ],
    v: { role: 'leader', commitIndex: 1, votes: 0b011, next: [2, 1, 1], leader: null },
    msgs: [{ type: 'AppendEntries', term: 1, prev: 0, entries: [], commit: 0, hint: 3 }, { type: 'Nudge' }],
    votes: [{ ballot: 1, acceptor: 2 }],
    big: -5,
    flag: false,
  };
  const cases: [string, unknown, string][] = [
    ['a term above its bound', { ...ok, d: [{ ...ok.d[0]!, term: 6 }, ok.d[1], ok.d[2]] }, 'd[0].term'],
    ['a node that does not exist', { ...ok, d: [{ ...ok.d[0]!, votedFor: 4 }, ok.d[1], ok.d[2]] }, 'd[0].votedFor'],
    ['a missing field', { ...ok, v: { ...ok.v, commitIndex: undefined } }, 'v.commitIndex'],
    ['a field the schema does not declare', { ...ok, v: { ...ok.v, extra: 1 } }, 'v.extra'],
    ['an unknown message type', { ...ok, msgs: [{ type: 'Bogus' }] }, 'msgs[0].type'],
    ['a list that is too long', { ...ok, d: [{ ...ok.d[0]!, log: Array(5).fill({ term: 0, value: 0 }) }, ok.d[1], ok.d[2]] }, 'd[0].log'],
    ['a per-node array of the wrong length', { ...ok, v: { ...ok.v, next: [1, 1] } }, 'v.next'],
    ['a node set with a member that does not exist', { ...ok, v: { ...ok.v, votes: 0b1000 } }, 'v.votes'],
    ['an enum value not declared', { ...ok, v: { ...ok.v, role: 'king' } }, 'v.role'],
    ['a fractional number', { ...ok, big: 1.5 }, 'big'],
    ['a set with a repeated element', { ...ok, votes: [{ ballot: 1, acceptor: 2 }, { ballot: 1, acceptor: 2 }] }, 'votes'],
  ];

  test('the valid value validates', () => {
    expect(c.validate(ok)).toBeNull();
  });

  test.each(cases)('validate names %s', (_what, bad, path) => {
    const e = c.validate(bad);
    expect(e).toBeInstanceOf(SchemaError);
    expect(e!.path).toBe(path);
  });

  test.each(cases.filter(([w]) => w !== 'a field the schema does not declare'))('encode refuses %s instead of aliasing it', (_what, bad, path) => {
    let err: unknown;
    try {
      c.encode(bad as Whole, new WordBuffer());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaError);
    // encode reports list elements without their index
    expect((err as SchemaError).path).toBe(path.replace(/\[\d+\]/g, '[]'));
  });
});

describe('roles', () => {
  // Nodes 1 and 2 are acceptors, 3 and 4 proposers.
  const members = (r: string) => (r === 'acceptor' ? [1, 2] : [3, 4]);
  const Hist = S.record({ promised: S.perRole('acceptor', S.int(0, 5)), leader: S.optional(S.node('proposer')) });
  const c = compile(Hist, { n: 4, members, name: (id) => (id <= 2 ? `a${id}` : `p${id - 2}`) });

  test('per-role arrays have one entry per member, keyed by name, renamed within the role', () => {
    const h = { promised: [3, 1], leader: 4 };
    expect(c.validate(h)).toBeNull();
    expect(c.view(h)).toEqual({ promised: { a1: 3, a2: 1 }, leader: 'p2' });
    const swapAll = (id: number) => [0, 2, 1, 4, 3][id]!;
    expect(c.rename(h, swapAll)).toEqual({ promised: [1, 3], leader: 3 });
    const w = words(c.encode, h);
    expect(c.decode(w, { pos: 0 })).toEqual(h);
  });

  test('a node of the wrong role, or a per-role array of the wrong length, is invalid', () => {
    expect(c.validate({ promised: [3, 1], leader: 1 })?.path).toBe('leader');
    expect(c.validate({ promised: [3, 1, 0, 0], leader: null })?.path).toBe('promised');
    expect(() => c.encode({ promised: [3, 1], leader: 2 }, new WordBuffer())).toThrow(SchemaError);
  });

  test('a schema that names a role needs the role members', () => {
    expect(() => compile(Hist, { n: 4 })).toThrow(/role/);
  });
});

describe('views and packing', () => {
  test('views name nodes, list node sets and key per-node arrays by name', () => {
    const c = compile(Volatile, { n: 3, name: (id) => `a${id}` });
    expect(c.view({ role: 'candidate', commitIndex: 0, votes: 0b101, next: [1, 2, 3], leader: { since: -1, peers: [null, 2, 1] } })).toEqual({
      role: 'candidate',
      commitIndex: 0,
      votes: ['a1', 'a3'],
      next: { a1: 1, a2: 2, a3: 3 },
      leader: { since: -1, peers: { a1: null, a2: 'a2', a3: 'a1' } },
    });
  });

  test('small scalar fields share words', () => {
    const c = compile(Entry, { n: 3 });
    expect(words(c.encode, { term: 5, value: 9 })).toHaveLength(1);
    const m = compile(Msg, { n: 3 });
    // tag (2 bits) + three small ints: one word
    expect(words(m.encode, { type: 'RequestVote', term: 5, lastLogIndex: 4, lastLogTerm: 5 })).toHaveLength(1);
  });

  test('elements of one possible value (0 bits) in sets and lists: decode reads exactly what encode wrote', () => {
    // The set encoder once wrote a word per such element that the decoder did not read, so
    // whatever followed the set in a longer encoding was misread.
    const One = S.record({ a: S.int(0, 3), s: S.set(S.int(1, 1), 1), l: S.list(S.int(2, 2), 3), o: S.optional(S.int(5, 5)), b: S.bool() });
    const c = compile(One, { n: 3 });
    fc.assert(
      fc.property(arb(One as AnySchema, 3), arb(One as AnySchema, 3), (x, y) => {
        const wx = [...words(c.encode, x), 0x7654321];
        const at = { pos: 0 };
        expect(c.decode(wx, at)).toEqual(x);
        expect(wx[at.pos]).toBe(0x7654321);
        expect(words(c.encode, x).join() === words(c.encode, y).join()).toBe(canonicalKey(x) === canonicalKey(y));
      }),
      { numRuns: 200 },
    );
  });

  test('per-node maps of scalars pack into shared words, across the 32-bit boundary', () => {
    // 8 + n×8 + 1 bits: n = 2 fits one word (25 bits); n = 3 fills the first word exactly (its
    // last entry at bits 24..31, the sign bit) and the flag starts a second; n = 5 splits the
    // entries across the two words.
    const Packed = S.record({ a: S.int(0, 255), p: S.perNode(S.int(0, 255)), b: S.bool() });
    for (const [k, expected] of [[2, 1], [3, 2], [5, 2]] as const) {
      const c = compile(Packed, { n: k });
      const value = { a: 200, p: Array.from({ length: k }, (_, i) => 255 - i), b: true };
      const w = words(c.encode, value);
      expect(w).toHaveLength(expected);
      const at = { pos: 0 };
      expect(c.decode(w, at)).toEqual(value);
      expect(at.pos).toBe(w.length);
      // Each entry is its own field: changing one changes the words, and only equal values agree.
      fc.assert(
        fc.property(arb(Packed as AnySchema, k), arb(Packed as AnySchema, k), (x, y) => {
          const wx = words(c.encode, x);
          expect(c.decode(wx, { pos: 0 })).toEqual(x);
          expect(wx.join() === words(c.encode, y).join()).toBe(canonicalKey(x) === canonicalKey(y));
        }),
        { numRuns: 200 },
      );
    }
    // A per-node map on its own (not inside a record), with entries of 0 bits and of 32 bits.
    for (const of of [S.int(4, 4), S.int(-2_000_000_000, 2_000_000_000), S.optional(S.node()), S.enum('x', 'y', 'z')] as AnySchema[]) {
      const c = compile(S.perNode(of), { n: 5 });
      fc.assert(
        fc.property(arb(S.perNode(of) as AnySchema, 5), arb(S.perNode(of) as AnySchema, 5), (x, y) => {
          const wx = words(c.encode, x);
          const at = { pos: 0 };
          expect(c.decode(wx, at)).toEqual(x);
          expect(at.pos).toBe(wx.length);
          expect(wx.join() === words(c.encode, y).join()).toBe(canonicalKey(x) === canonicalKey(y));
        }),
        { numRuns: 100 },
      );
    }
    // A wrong entry is still named, and a missing one refused.
    const c = compile(Packed, { n: 3 });
    expect(() => c.encode({ a: 1, p: [1, 256, 3], b: false }, new WordBuffer())).toThrow(/p\[\]: 256, expected an integer in 0..255/);
    expect(() => c.encode({ a: 1, p: [1, 2], b: false }, new WordBuffer())).toThrow(/one entry per node \(3\)/);
  });

  test('schemas without node ids rename to the same object', () => {
    const c = compile(Entry, { n: 3 });
    const e = { term: 1, value: 2 };
    expect(c.hasNodeIds).toBe(false);
    expect(c.rename(e, (id) => id)).toBe(e);
  });
});

describe('compiled codecs are shared between equal schemas and clusters', () => {
  const rec = () => S.record({ term: S.int(0, 3), leader: S.optional(S.node()), votes: S.nodeSet() });
  test('an equal schema (a different object) for the same cluster gets the same codec', () => {
    expect(compile(rec(), { n: 3 })).toBe(compile(rec(), { n: 3 }));
  });
  test('another node count, other names or other role members get their own', () => {
    const base = compile(rec(), { n: 3 });
    expect(compile(rec(), { n: 4 })).not.toBe(base);
    const named = compile(rec(), { n: 3, name: (id) => `r${id}` });
    expect(named).not.toBe(base);
    expect(named.view({ term: 1, leader: 2, votes: 0b110 })).not.toEqual(base.view({ term: 1, leader: 2, votes: 0b110 }));
    const roled = S.record({ p: S.node('p') });
    const a = compile(roled, { n: 3, members: (r) => (r === 'p' ? [2, 3] : []) });
    const b = compile(roled, { n: 3, members: (r) => (r === 'p' ? [1, 2] : []) });
    expect(a).not.toBe(b);
    expect(a.validate({ p: 1 })).not.toBeNull();
    expect(b.validate({ p: 1 })).toBeNull();
  });
  test('labels and viewAs maps count by identity: equal-looking schemas with other functions view differently', () => {
    const l1 = S.labelled(S.int(0, 9), (v) => `A${v}`);
    const l2 = S.labelled(S.int(0, 9), (v) => `B${v}`);
    const c1 = compile(l1, { n: 2 });
    const c2 = compile(l2, { n: 2 });
    expect(c1).not.toBe(c2);
    expect([c1.view(3), c2.view(3)]).toEqual(['A3', 'B3']);
    expect(compile({ ...l1 }, { n: 2 })).toBe(c1);
  });
});
