/**
 * Purity and canonical encoding: `step` never mutates its input, and the network (and so the
 * state's encoding) does not depend on the order in which messages were sent.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeEcho } from '../../specs/models/echo.ts';
import { ACTION_ORDER, envMachine, type EnvState } from '../../impl/env/index.ts';
import { insertPacket, PacketCodec } from '../../impl/env/network.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import type { Packet } from '../../impl/env/types.ts';
import { deepFreeze, encodingOf, reachable, traceOf } from './helpers.ts';
import { pingProtocol, type PingTypes } from './example.ts';

describe('step is pure', () => {
  it('never mutates a deep-frozen state, under every kind of action', () => {
    const m = makeEcho(
      { nodes: 2, requests: 2, crashes: 1, drops: 1, duplicates: 1, partitions: 1, oneWay: true, maxClock: 1, delivery: 'multiset' },
      { retry: true },
    );
    const states = reachable(m, 3000);
    expect(states.length).toBe(3000);
    const kinds = new Set<string>();
    for (const s of states) {
      const before = encodingOf(m, s);
      deepFreeze(s);
      for (const a of m.actions(s)) {
        kinds.add(a.type);
        m.step(s, a); // throws a TypeError on any write to a frozen object (ESM is strict mode)
        m.events(s, a, s);
      }
      expect(encodingOf(m, s)).toBe(before);
    }
    expect([...kinds].sort()).toEqual(['crash', 'deliver', 'drop', 'duplicate', 'heal', 'partition', 'request', 'restart', 'tick', 'timer']);
  });

  it('lists actions in the documented order, the same every time', () => {
    const m = makeEcho({ nodes: 3, requests: 2, crashes: 1, drops: 1, duplicates: 1, partitions: 1, maxClock: 1 }, { retry: true });
    for (const s of reachable(m, 500)) {
      const acts = m.actions(s);
      const rank = acts.map((a) => ACTION_ORDER.indexOf(a.type));
      expect(rank).toEqual([...rank].sort((x, y) => x - y));
      expect(m.actions(s)).toEqual(acts);
    }
  });

  it('the same trace replays to the same states (determinism)', () => {
    const m1 = makeEcho({ nodes: 3, requests: 2, crashes: 1 }, { retry: true });
    const m2 = makeEcho({ nodes: 3, requests: 2, crashes: 1 }, { retry: true });
    const steps = ['request n2 ping n3', 'timer n2 retry', 'crash n2', 'deliver n2→n3 Ping(seq=1)', 'restart n2'];
    const a = traceOf(m1, steps);
    const b = traceOf(m2, steps);
    expect(a.steps.map((s) => encodingOf(m1, s.state))).toEqual(b.steps.map((s) => encodingOf(m2, s.state)));
    expect(m1.view(a.steps[4]!.state)).toEqual(m2.view(b.steps[4]!.state));
  });
});

describe('packet actions', () => {
  it("carry their key hidden, each machine under its own symbol; another machine's action is keyed afresh", () => {
    const cfg = { nodes: 2, requests: 1 } as const;
    const a = makeEcho(cfg, { retry: true });
    const b = makeEcho(cfg, { retry: true });
    // The first state with a message in flight, in each machine.
    const withMessage = (m: typeof a) => {
      let s = m.init()[0]!;
      for (let i = 0; i < 10 && s.net.length === 0; i++) s = m.step(s, m.actions(s)[0]!);
      return s;
    };
    const sa = withMessage(a);
    const sb = withMessage(b);
    const da = a.actions(sa).find((x) => x.type === 'deliver')!;
    const db = b.actions(sb).find((x) => x.type === 'deliver')!;
    expect(da).toEqual(db);
    expect(Object.keys(da)).toEqual(['type', 'from', 'to', 'msg']);
    expect(JSON.stringify(da)).toBe(JSON.stringify(db));
    const [symA] = Object.getOwnPropertySymbols(da);
    const [symB] = Object.getOwnPropertySymbols(db);
    expect(symA).toBeDefined();
    expect(symA).not.toBe(symB);
    // Each machine steps the other's action (keyed from its message), to the same state.
    expect(encodingOf(b, b.step(sb, da))).toBe(encodingOf(b, b.step(sb, db)));
    expect(encodingOf(a, a.step(sa, db))).toBe(encodingOf(a, a.step(sa, da)));
  });
});

describe('canonical network', () => {
  const codec = new PacketCodec<{ readonly type: string; readonly v: number }>((m, out) => out.value(m));
  const send = fc.record({ from: fc.integer({ min: 1, max: 3 }), to: fc.integer({ min: 1, max: 3 }), v: fc.integer({ min: 0, max: 2 }) });

  it('a multiset network is the same whatever the insertion order', () => {
    fc.assert(
      fc.property(fc.array(send, { maxLength: 12 }).chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }))), ([xs, ys]) => {
        const build = (order: typeof xs) => {
          const net: Packet<{ readonly type: string; readonly v: number }>[] = [];
          for (const x of order) insertPacket(net, codec.packet(x.from, x.to, { type: 'M', v: x.v }), false);
          return net.map((p) => [p.key, p.count]);
        };
        expect(build(ys)).toEqual(build(xs));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('interns keys: equal packets share one key string and one actions object, past the table limit too', () => {
    let built = 0;
    const c = new PacketCodec<{ readonly type: string; readonly v: number }>(
      (m, out) => out.value(m),
      () => ({ n: ++built }),
    );
    // The key is the message's words, as a WordBuffer turns them into a string.
    const words = new WordBuffer();
    const keyOf = (from: number, to: number, v: number): string => {
      words.reset();
      words.int(from);
      words.int(to);
      words.value({ type: 'M', v });
      return words.key();
    };
    const a = c.packet(1, 2, { type: 'M', v: 7 });
    expect(a.key).toBe(keyOf(1, 2, 7));
    const b = c.packet(1, 2, { type: 'M', v: 7 });
    expect(b.acts).toBe(a.acts);
    expect(built).toBe(1);
    // intern() of an equal string built elsewhere gives the interned one (the key() of the same packet too).
    expect(c.intern(keyOf(1, 2, 7))).toBe(a.key);
    expect(c.key(1, 2, { type: 'M', v: 7 })).toBe(a.key);
    // Distinct packets get distinct keys (a short key and a long one, every pair of 300 apart).
    const keys = new Set<string>();
    for (let v = 0; v < 300; v++) for (const [f, t] of [[1, 2], [2, 1], [1, 1]] as const) keys.add(c.key(f, t, { type: 'M', v }));
    expect(keys.size).toBe(900);
    for (let v = 0; v < 300; v++) expect(c.key(2, 1, { type: 'M', v })).toBe(keyOf(2, 1, v));
    // The table grew from 256 slots on the way, and kept what it knew.
    expect(c.packet(1, 2, { type: 'M', v: 7 }).acts).toBe(a.acts);
    expect(built).toBe(1);
    // Past 2^16 keys the table forgets them: equal keys stay equal, and interning goes on.
    for (let v = 0; v < 70_000; v++) c.key(3, 3, { type: 'M', v });
    const again = c.packet(1, 2, { type: 'M', v: 7 });
    expect(again.key).toBe(keyOf(1, 2, 7));
    expect(c.packet(1, 2, { type: 'M', v: 7 }).acts).toBe(again.acts);
    expect(c.intern(keyOf(3, 3, 69_999))).toBe(c.key(3, 3, { type: 'M', v: 69_999 }));
  });

  it('a FIFO network keeps send order within a link and sorts links', () => {
    const net: Packet<{ readonly type: string; readonly v: number }>[] = [];
    for (const [from, to, v] of [[2, 1, 0], [1, 2, 5], [1, 2, 3], [1, 1, 9], [2, 1, 1], [1, 2, 4]] as const) {
      insertPacket(net, codec.packet(from, to, { type: 'M', v }), true);
    }
    expect(net.map((p) => `${p.from}>${p.to}:${p.msg.v}`)).toEqual(['1>1:9', '1>2:5', '1>2:3', '1>2:4', '2>1:0', '2>1:1']);
  });

  it('two states with the same messages in flight encode alike, whatever the send order', () => {
    const m = envMachine(pingProtocol, { nodes: 3, requests: 3 });
    const viaA = traceOf(m, ['request n1 {"to":2}', 'request n3 {"to":2}', 'request n2 {"to":1}']).steps[2]!.state;
    const viaB = traceOf(m, ['request n2 {"to":1}', 'request n3 {"to":2}', 'request n1 {"to":2}']).steps[2]!.state;
    expect(viaA.net).toEqual(viaB.net);
    expect(encodingOf(m, viaA)).toBe(encodingOf(m, viaB));
    // ...and differently from a state with other messages in flight.
    const other = traceOf(m, ['request n2 {"to":1}', 'request n3 {"to":2}', 'request n1 {"to":3}']).steps[2]!.state;
    expect(encodingOf(m, other)).not.toBe(encodingOf(m, viaA));
  });

  it('the encoding does not depend on how a state object was built (key order, sharing)', () => {
    const m = envMachine(pingProtocol, { nodes: 2, requests: 1 });
    const s = traceOf(m, ['request n1 {"to":2}']).steps[0]!.state;
    const rebuilt: EnvState<PingTypes> = JSON.parse(JSON.stringify({ ghost: s.ghost, used: s.used, partition: s.partition, net: s.net, nodes: s.nodes }));
    expect(encodingOf(m, rebuilt)).toBe(encodingOf(m, s));
  });
});
