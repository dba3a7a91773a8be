/**
 * The environment's whole-state encoding (`Machine.frontier`): breadth-first search holds the
 * states waiting to be expanded as these words, and decodes them when it expands them. The
 * state key leaves out messages declared ignored; this encoding keeps every slot, every packet
 * (with its count, in network order), the partition, the budgets and the ghost. Checked here:
 * every reachable state of small configurations decodes to itself and behaves the same; whole
 * searches with the frontier encoded and as objects agree on every count and on the trace; a
 * hand-written encoder (no inverse) keeps the frontier as objects; a field that the declared
 * data leaves out is a clear model error.
 */
import { describe, expect, test } from 'vitest';
import { canonicalKey, WordBuffer } from '../../impl/core/encode.ts';
import { InputError, type AnyMachine, type ParamValue } from '../../impl/core/machine.ts';
import { envMachine } from '../../impl/env/index.ts';
import type { CheckResult } from '../../impl/core/result.ts';
import { explore } from '../exhaustive.ts';
import { loadMachine } from '../parallel/model-ref.ts';
import { pingProtocol } from './example.ts';

type Case = readonly [model: string, params: Record<string, ParamValue>];

/** Configurations that reach every part of an environment state. */
const CASES: readonly Case[] = [
  // Messages declared ignored (left out of the key), a ghost record, a node down and restarted.
  ['raft', { nodes: 3, requests: 1, crashes: 1 }],
  // Partitions and the failure detector's budget; crash-stop (dead letters).
  ['twopc', { participants: 2, partitions: 1 }],
  ['twopc', { participants: 2, partitions: 0, detector: 'unreliable', falseSuspicions: 1, crashes: 1 }],
  ['threepc', { participants: 2, crashes: 1, restarts: false }],
  // Copies in flight (count > 1), drops, one-way partitions and splits into any groups.
  ['echo', { nodes: 3, delivery: 'multiset', duplicates: 1, drops: 1, partitions: 1, oneWay: true, partitionGroups: 'any', requests: 1 }],
  // FIFO links: every copy its own packet.
  ['echo', { nodes: 2, delivery: 'fifo', duplicates: 1, requests: 2 }],
  // Physical clocks (ticks) and skew.
  ['hlc', { nodes: 2, events: 2 }],
  // Quorums: node sets, client histories in the ghost, stale queries declared ignored.
  ['abd', { requests: 2 }],
  // Sets whose elements have one possible value (0 bits): the encoder once wrote a word the
  // decoder did not read, and everything after it was misread.
  ['delivery', {}],
  ['store', {}],
  // A declared set held in insertion order by the protocol (the dedup table): it decodes sorted.
  ['delivery', { requests: 2, timeouts: 1 }],
];

/** Models whose declared sets the protocol keeps in insertion order (the decoded state has them sorted). */
const SET_ORDER = new Set(['delivery']);

/** The first `limit` states of a breadth-first walk (by the machine's key), as objects. */
function reachable(m: AnyMachine, limit: number): unknown[] {
  const w = new WordBuffer();
  const seen = new Set<string>();
  const out: unknown[] = [];
  let level = m.init();
  while (level.length > 0 && out.length < limit) {
    const next: unknown[] = [];
    for (const s of level) {
      out.push(s);
      for (const a of m.actions(s)) {
        const t = m.step(s, a);
        w.reset();
        m.encode!(t, w);
        const k = w.key();
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(t);
      }
    }
    level = next;
  }
  return out.slice(0, limit);
}

/** What must not depend on how the frontier is held. */
function essence(r: CheckResult): unknown {
  const v = r.violation;
  return {
    status: r.status,
    states: r.stats.states,
    transitions: r.stats.transitions,
    perDepth: r.stats['statesPerDepth'],
    diameter: r.stats['diameter'],
    violation: v ? { name: v.name, init: v.trace.initIndex, actions: v.trace.steps.map((s) => s.actionIndex) } : null,
  };
}

describe.each(CASES)('%s %o', (model, params) => {
  test('every state decodes to itself, with the same actions and successors', async () => {
    const { machine: m } = await loadMachine({ model, params });
    const hasSets = SET_ORDER.has(model);
    const codec = m.frontier;
    expect(codec).toBeDefined();
    const w = new WordBuffer();
    const states = reachable(m, 1500);
    expect(states.length).toBeGreaterThan(50);
    for (const s of states) {
      w.reset();
      codec!.encode(s, w);
      const back = codec!.decode(w.raw.slice(0, w.len));
      // The same value as the schema sees it (a declared set comes back sorted), nothing undeclared.
      expect(codec!.check!(s, back)).toBeNull();
      if (!hasSets) expect(canonicalKey(back)).toBe(canonicalKey(s));
      // It is the same state to the machine: the same actions, and successors with the same keys.
      const acts = m.actions(s);
      const actsBack = m.actions(back);
      expect(actsBack.map((a) => m.formatAction!(a))).toEqual(acts.map((a) => m.formatAction!(a)));
      for (let i = 0; i < acts.length; i++) {
        const k1 = new WordBuffer();
        const k2 = new WordBuffer();
        m.encode!(m.step(s, acts[i]!), k1);
        m.encode!(m.step(back, actsBack[i]!), k2);
        expect(k2.key()).toBe(k1.key());
      }
    }
  }, 120_000);

  test('a search with the frontier encoded agrees with one holding objects', async () => {
    const { machine: m } = await loadMachine({ model, params });
    const objects = explore(m, { frontier: 'objects', maxStates: 40_000 });
    const encoded = explore(m, { frontier: 'encoded', maxStates: 40_000 });
    expect(objects.stats.frontier).toBe('objects');
    expect(encoded.stats.frontier).toBe('encoded');
    expect(essence(encoded)).toEqual(essence(objects));
    // `auto` holds them encoded.
    expect(explore(m, { maxStates: 200 }).stats.frontier).toBe('encoded');
  }, 120_000);
});

test('a known bug is found with the same shortest trace either way', async () => {
  for (const [model, params] of [
    ['raft', { nodes: 3, crashes: 1, requests: 0, bug: 'volatile-vote' }],
    ['twopc', { bug: 'abort-after-yes' }],
    ['delivery', { bug: 'no-dedup' }],
  ] as const) {
    const { machine: m } = await loadMachine({ model, params });
    const objects = explore(m, { frontier: 'objects' });
    const encoded = explore(m, { frontier: 'encoded' });
    expect(objects.status).toBe('violation');
    expect(essence(encoded)).toEqual(essence(objects));
  }
}, 120_000);

test('a protocol with a hand-written encoder has no inverse: its frontier holds objects', () => {
  const m = envMachine({ ...pingProtocol, encodeDurable: (d, out) => out.int(d.seq) }, { nodes: 2, requests: 1 });
  expect(m.frontier).toBeUndefined();
  expect(explore(m).stats.frontier).toBe('objects');
  expect(() => explore(m, { frontier: 'encoded' })).toThrow(/cannot hold its frontier encoded/);
  // Without the hand-written encoder it has one.
  expect(envMachine(pingProtocol, { nodes: 2, requests: 1 }).frontier).toBeDefined();
});

test('a field the declared data leaves out is a model error naming it, not a silent merge', () => {
  // A spread copies an undeclared field into the durable state: the key leaves it out, so two
  // states that differ only there would be one. The first states queued are decoded and compared.
  const sloppy = envMachine(
    {
      ...pingProtocol,
      onClientRequest: (ctx, node, req) => {
        const r = pingProtocol.onClientRequest!(ctx, node, req);
        return { ...r, durable: { ...r.durable, ...({ lastTo: req.to } as object) } as typeof r.durable };
      },
    },
    { nodes: 2, requests: 1 },
  );
  expect(() => explore(sloppy)).toThrow(InputError);
  expect(() => explore(sloppy)).toThrow(/n\d durable lastTo: a field the schema does not declare/);
  expect(explore(sloppy, { frontier: 'objects' }).status).toBe('exhausted');
});

test('a ghost record the schema does not declare is a model error too', () => {
  const { ghost: _g, ...noGhost } = pingProtocol.schema as typeof pingProtocol.schema & { ghost?: unknown };
  const m = envMachine(
    {
      ...pingProtocol,
      schema: noGhost,
      initGhost: undefined,
      onMessage: ((_ctx, node) => ({ ...node, effects: [] })) as typeof pingProtocol.onMessage,
      onClientRequest: ((ctx, node, req) => {
        const r = pingProtocol.onClientRequest!(ctx, node, req);
        return { ...r, effects: [...(r.effects ?? []), ctx.ghost(() => ({ pongs: 1 }))] };
      }) as NonNullable<typeof pingProtocol.onClientRequest>,
    } as unknown as typeof pingProtocol,
    { nodes: 2, requests: 1 },
  );
  expect(() => explore(m)).toThrow(/the ghost record: the schema declares none/);
});
