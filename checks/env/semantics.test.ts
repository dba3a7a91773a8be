/**
 * The environment's semantics, shown on the Echo protocol with the checker: duplication, FIFO
 * versus multiset delivery, partitions, crashes, timers, clocks and the budgets that bound the
 * state space. Every count is pinned from a run, in fingerprint and exact mode (which must agree).
 */
import { describe, expect, it } from 'vitest';
import type { EchoState, EchoTypes } from '../../impl/echo/echo.ts';
import { makeEcho } from '../../specs/models/echo.ts';
import { blocks } from '../../impl/env/partition.ts';
import type { EnvAction, EnvMachine } from '../../impl/env/index.ts';
import type { TransitionProperty } from '../../impl/core/machine.ts';
import { labelOf } from '../../impl/core/trace.ts';
import { enabledLabels, exploreBoth, traceOf } from './helpers.ts';

type EchoAction = EnvAction<EchoTypes>;

/** The machine with extra transition properties (the machine is a plain object). */
function withProperties(m: EnvMachine<EchoTypes>, properties: readonly TransitionProperty<EchoState, EchoAction>[]): EnvMachine<EchoTypes> {
  return { ...m, properties: [...(m.properties ?? []), ...properties] };
}

const labels = (m: EnvMachine<EchoTypes>, steps: readonly { readonly action: EchoAction }[]) => steps.map((s) => labelOf(m, s.action));

describe('duplication', () => {
  it('without a duplicate budget, no ping is ever delivered twice', () => {
    const r = exploreBoth(makeEcho({ nodes: 2, requests: 2 }), { checks: ['no-double-delivery'] });
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(65);
    expect(r.stats.transitions).toBe(86);
  });

  it('with a duplicate budget of 1, the checker finds a double delivery', () => {
    const m = makeEcho({ nodes: 2, requests: 2, duplicates: 1 });
    const r = exploreBoth(m, { checks: ['no-double-delivery'] });
    expect(r.status).toBe('violation');
    expect(r.violation!.name).toBe('no-double-delivery');
    expect(labels(m, r.violation!.trace.steps)).toEqual([
      'request n1 ping n2',
      'duplicate n1→n2 Ping(seq=1)',
      'deliver n1→n2 Ping(seq=1)',
      'deliver n1→n2 Ping(seq=1)',
    ]);
    expect(r.stats.states).toBe(56);
  });

  it('a duplicate puts a second copy in flight (multiset: a count; fifo: right behind the head)', () => {
    const ms = makeEcho({ nodes: 2, requests: 1, duplicates: 1 });
    const t = traceOf(ms, ['request n1 ping n2', 'duplicate n1→n2 Ping(seq=1)']);
    const s = t.steps[1]!.state;
    expect(s.net.map((p) => p.count)).toEqual([2]);
    expect(ms.view(s).network).toEqual(['n1→n2 Ping(seq=1)', 'n1→n2 Ping(seq=1)']); // one entry per copy
    expect(enabledLabels(ms, s)).not.toContain('duplicate n1→n2 Ping(seq=1)'); // budget spent
    const ff = makeEcho({ nodes: 2, requests: 2, duplicates: 1, delivery: 'fifo' });
    const u = traceOf(ff, ['request n1 ping n2', 'request n1 ping n2', 'duplicate n1→n2 Ping(seq=1)']).steps[2]!.state;
    expect(ff.view(u).network).toEqual(['n1→n2 Ping(seq=1)', 'n1→n2 Ping(seq=1)', 'n1→n2 Ping(seq=2)']);
  });
});

describe('FIFO links keep order, the multiset does not', () => {
  it('fifo: pings from one node to another arrive in send order, in every reachable state', () => {
    const r = exploreBoth(makeEcho({ nodes: 2, requests: 2, delivery: 'fifo' }));
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(51);
    expect(r.stats.transitions).toBe(62);
    expect(exploreBoth(makeEcho({ nodes: 3, requests: 3, delivery: 'fifo' })).stats.states).toBe(15775);
  });

  it('multiset: the checker finds a reordering', () => {
    const m = makeEcho({ nodes: 2, requests: 2 });
    const r = exploreBoth(m, { checks: ['fifo-order'] });
    expect(r.status).toBe('violation');
    expect(r.violation!.message).toBe('n1→n2 #1 arrived after #2');
    expect(labels(m, r.violation!.trace.steps)).toEqual([
      'request n1 ping n2',
      'request n1 ping n2',
      'deliver n1→n2 Ping(seq=2)',
      'deliver n1→n2 Ping(seq=1)',
    ]);
  });

  it('fifo: only the head of a link can be delivered', () => {
    const m = makeEcho({ nodes: 2, requests: 2, delivery: 'fifo' });
    const s = traceOf(m, ['request n1 ping n2', 'request n1 ping n2']).steps[1]!.state;
    expect(enabledLabels(m, s)).toEqual(['deliver n1→n2 Ping(seq=1)']);
    const bad: EchoAction = { type: 'deliver', from: 1, to: 2, msg: { type: 'Ping', seq: 2 } };
    expect(() => m.step(s, bad)).toThrow(/not enabled/);
  });
});

describe('partitions', () => {
  const respectsPartition: TransitionProperty<EchoState, EchoAction> = {
    name: 'deliver-respects-partition',
    check: (prev, a) => a.type !== 'deliver' || !blocks(prev.partition, a.from, a.to) || `delivered ${a.from}→${a.to} across the cut`,
  };

  it('a partition blocks delivery across the cut until heal', () => {
    const m = makeEcho({ nodes: 3, requests: 1, partitions: 1 });
    const t = traceOf(m, ['request n1 ping n2', 'partition {n1} | {n2,n3}']);
    const cut = t.steps[1]!.state;
    expect(enabledLabels(m, cut)).toEqual(['heal']);
    expect(m.view(cut).partition).toBe('{n1} | {n2,n3}');
    const healed = m.step(cut, m.actions(cut)[0]!);
    expect(enabledLabels(m, healed)).toEqual(['deliver n1→n2 Ping(seq=1)']);
    // A send during the partition stays in flight, blocked.
    const m2 = makeEcho({ nodes: 3, requests: 1, partitions: 1 });
    const u = traceOf(m2, ['partition {n1} | {n2,n3}', 'request n1 ping n2']).steps[1]!.state;
    expect(u.net.length).toBe(1);
    expect(enabledLabels(m2, u)).toEqual(['heal']);
  });

  it('a partition between two other nodes does not block this link', () => {
    const m = makeEcho({ nodes: 3, requests: 1, partitions: 1 });
    const s = traceOf(m, ['request n1 ping n2', 'partition {n1,n2} | {n3}']).steps[1]!.state;
    expect(enabledLabels(m, s)).toEqual(['deliver n1→n2 Ping(seq=1)', 'heal']);
  });

  it('a one-way partition blocks one direction only', () => {
    const m = makeEcho({ nodes: 2, requests: 2, partitions: 1, oneWay: true });
    expect(enabledLabels(m, m.init()[0]!)).toEqual([
      'request n1 ping n2',
      'request n2 ping n1',
      'partition {n1} | {n2}',
      'partition {n1} ↛ {n2}',
      'partition {n2} ↛ {n1}',
    ]);
    const s = traceOf(m, ['request n1 ping n2', 'request n2 ping n1', 'partition {n1} ↛ {n2}']).steps[2]!.state;
    expect(enabledLabels(m, s)).toEqual(['deliver n2→n1 Ping(seq=1)', 'heal']);
  });

  it('no delivery ever crosses a cut, exhaustively (two groups, one-way, any groups)', () => {
    const two = exploreBoth(withProperties(makeEcho({ nodes: 3, requests: 2, partitions: 1, delivery: 'fifo' }), [respectsPartition]));
    expect([two.status, two.stats.states]).toEqual(['exhausted', 2405]);
    const oneWay = exploreBoth(withProperties(makeEcho({ nodes: 3, requests: 1, partitions: 1, oneWay: true }), [respectsPartition]));
    expect([oneWay.status, oneWay.stats.states]).toEqual(['exhausted', 209]);
    const any = exploreBoth(withProperties(makeEcho({ nodes: 3, requests: 1, partitions: 1, partitionGroups: 'any' }), [respectsPartition]));
    expect([any.status, any.stats.states]).toEqual(['exhausted', 114]);
  });

  it('the property is not vacuous: delivering across the cut breaks it', () => {
    const m = withProperties(makeEcho({ nodes: 2, requests: 1, partitions: 1 }), [respectsPartition]);
    const s = traceOf(m, ['request n1 ping n2', 'partition {n1} | {n2}']).steps[1]!.state;
    expect(() => m.step(s, { type: 'deliver', from: 1, to: 2, msg: { type: 'Ping', seq: 1 } })).toThrow(/partition blocks/);
    const forced = { ...s, partition: null };
    const next = m.step(forced, { type: 'deliver', from: 1, to: 2, msg: { type: 'Ping', seq: 1 } });
    expect(respectsPartition.check(s, { type: 'deliver', from: 1, to: 2, msg: { type: 'Ping', seq: 1 } }, next)).toBe('delivered 1→2 across the cut');
  });
});

describe('crashes', () => {
  const crashSemantics: TransitionProperty<EchoState, EchoAction> = {
    name: 'crash-keeps-durable',
    check(prev, a, next) {
      if (a.type === 'crash') {
        const before = prev.nodes[a.node - 1]!;
        const after = next.nodes[a.node - 1]!;
        if (after.up || after.volatile !== null || after.timers !== 0) return 'a crashed node kept volatile state or timers';
        if (after.durable !== before.durable) return 'a crash changed durable state';
        if (next.net !== prev.net) return 'a crash changed the network';
      }
      if (a.type === 'restart') {
        const before = prev.nodes[a.node - 1]!;
        const after = next.nodes[a.node - 1]!;
        if (!after.up || after.durable.seq !== before.durable.seq) return 'a restart lost durable state';
        if (after.volatile?.waiting !== null || after.volatile.pongs !== 0) return 'a restart kept volatile state';
      }
      return true;
    },
  };

  it('a crash loses volatile state and timers but keeps durable state', () => {
    const m = makeEcho({ nodes: 2, requests: 2, crashes: 1 }, { retry: true });
    const t = traceOf(m, ['request n1 ping n2', 'deliver n1→n2 Ping(seq=1)', 'deliver n2→n1 Pong(seq=1)', 'request n1 ping n2', 'crash n1', 'restart n1']);
    const before = t.steps[3]!.state;
    expect(m.view(before).nodes.n1).toEqual({ up: true, durable: { seq: 2 }, volatile: { waiting: { to: 'n2', seq: 2 }, pongs: 1 }, timers: ['retry'] });
    const down = t.steps[4]!.state;
    expect(m.view(down).nodes.n1).toEqual({ up: false, durable: { seq: 2 }, volatile: null, timers: [] });
    // A down node takes no step; its messages stay in flight, and messages to it cannot be delivered.
    expect(enabledLabels(m, down)).toEqual(['deliver n1→n2 Ping(seq=2)', 'restart n1']);
    const back = t.steps[5]!.state;
    expect(m.view(back).nodes.n1).toEqual({ up: true, durable: { seq: 2 }, volatile: { waiting: null, pongs: 0 }, timers: [] });
  });

  it('messages to a down node wait in flight until it restarts', () => {
    const m = makeEcho({ nodes: 2, requests: 1, crashes: 1, drops: 1 });
    const s = traceOf(m, ['request n1 ping n2', 'crash n2']).steps[1]!.state;
    expect(enabledLabels(m, s)).toEqual(['drop n1→n2 Ping(seq=1)', 'restart n2']);
  });

  it('holds exhaustively; the durable counter keeps sequence numbers fresh across crashes', () => {
    // (Retries deliver a ping twice by design, so only fresh-seq and the crash property apply.)
    const m = withProperties(makeEcho({ nodes: 2, requests: 2, crashes: 1, delivery: 'fifo' }, { retry: true }), [crashSemantics]);
    const r = exploreBoth(m, { checks: ['fresh-seq', 'crash-keeps-durable'] });
    expect([r.status, r.stats.states, r.stats.transitions]).toEqual(['exhausted', 3726, 7636]);
  });

  it('the volatile-seq bug (the counter is not persisted) is found', () => {
    const m = makeEcho({ nodes: 2, requests: 2, crashes: 1, delivery: 'fifo' }, { bug: 'volatile-seq' });
    const r = exploreBoth(m);
    expect(r.violation?.name).toBe('fresh-seq');
    expect(labels(m, r.violation!.trace.steps)).toEqual(['request n1 ping n2', 'crash n1', 'restart n1', 'request n1 ping n2']);
  });

  it('crash-stop: no restarts; maxDown bounds the nodes down at once', () => {
    const m = makeEcho({ nodes: 3, requests: 0, crashes: 3, maxDown: 2, restarts: false });
    const s = traceOf(m, ['crash n1 (for good)', 'crash n2 (for good)']).steps[1]!.state;
    expect(enabledLabels(m, s)).toEqual([]);
    const r = exploreBoth(m);
    // Subsets of at most 2 down nodes: 1 + 3 + 3.
    expect(r.stats.states).toBe(7);
  });
});

describe('timers', () => {
  it('a timer fires at any point while armed, even with the answer in flight', () => {
    const m = makeEcho({ nodes: 2, requests: 1 }, { retry: true });
    const r = exploreBoth(m, { checks: ['no-double-delivery'] });
    expect(r.violation?.name).toBe('no-double-delivery');
    expect(labels(m, r.violation!.trace.steps)).toEqual(['request n1 ping n2', 'deliver n1→n2 Ping(seq=1)', 'timer n1 retry', 'deliver n1→n2 Ping(seq=1)']);
  });

  it('cancelTimer disarms; the timeouts budget bounds fires', () => {
    const m = makeEcho({ nodes: 2, requests: 1, delivery: 'fifo' }, { retry: true });
    const t = traceOf(m, ['request n1 ping n2', 'deliver n1→n2 Ping(seq=1)', 'deliver n2→n1 Pong(seq=1)']);
    expect(m.view(t.steps[0]!.state).nodes.n1!.timers).toEqual(['retry']);
    expect(m.view(t.steps[2]!.state).nodes.n1!.timers).toEqual([]);
    const unbounded = exploreBoth(makeEcho({ nodes: 2, requests: 2, delivery: 'fifo' }, { retry: true }), { checks: ['fresh-seq'] });
    const none = exploreBoth(makeEcho({ nodes: 2, requests: 2, delivery: 'fifo', timeouts: 0 }, { retry: true }), { checks: ['fresh-seq'] });
    const one = exploreBoth(makeEcho({ nodes: 2, requests: 2, delivery: 'fifo', timeouts: 1 }, { retry: true }), { checks: ['fresh-seq'] });
    expect([none.stats.states, one.stats.states, unbounded.stats.states]).toEqual([51, 285, 663]);
  });
});

describe('clocks', () => {
  it('a tick keeps every clock within maxClock and the spread within maxSkew', () => {
    // Two clocks in 0..2 with |a - b| <= 1: (0,0) (1,0) (0,1) (1,1) (2,1) (1,2) (2,2).
    expect(exploreBoth(makeEcho({ nodes: 2, maxClock: 2, maxSkew: 1 })).stats.states).toBe(7);
    expect(exploreBoth(makeEcho({ nodes: 2, maxClock: 2, maxSkew: 2 })).stats.states).toBe(9);
    expect(exploreBoth(makeEcho({ nodes: 2, maxClock: 2, maxSkew: 0 })).stats.states).toBe(1);
    // Three clocks in 0..3 within 1 of each other: 4 all-equal + 3 × 6 two-valued = 22.
    expect(exploreBoth(makeEcho({ nodes: 3, maxClock: 3, maxSkew: 1 })).stats.states).toBe(22);
    const m = makeEcho({ nodes: 2, maxClock: 2, maxSkew: 1 });
    const s = traceOf(m, ['tick n1']).steps[0]!.state;
    expect(enabledLabels(m, s)).toEqual(['tick n2']);
    expect(m.view(s).nodes.n1!.clock).toBe(1);
  });
});

describe('budgets bound the state space', () => {
  const base = { nodes: 2, requests: 2, delivery: 'fifo' } as const;
  // A partition budget multiplies the space by its modes: (none, 0 used), (in force, 1), (none, 1), ...
  it.each([
    ['no faults', {}, 51, 62],
    ['crashes=1', { crashes: 1 }, 268, 466],
    ['crashes=2', { crashes: 2 }, 581, 1150],
    ['drops=1', { drops: 1 }, 107, 146],
    ['drops=2', { drops: 2 }, 125, 174],
    ['duplicates=1', { duplicates: 1 }, 337, 486],
    ['partitions=1', { partitions: 1 }, 153, 240],
    ['partitions=2', { partitions: 2 }, 255, 418],
    ['requests=3', { requests: 3 }, 383, 548],
  ] as const)('%s', (_name, extra, states, transitions) => {
    const r = exploreBoth(makeEcho({ ...base, ...extra }), { checks: ['fresh-seq'] });
    expect(r.status).toBe('exhausted');
    expect([r.stats.states, r.stats.transitions]).toEqual([states, transitions]);
  });

  it('crash budget K and maxDown f (n=3)', () => {
    const cfg = { nodes: 3, requests: 2, delivery: 'fifo' } as const;
    expect(exploreBoth(makeEcho({ ...cfg, crashes: 2, maxDown: 1 })).stats.states).toBe(7593);
    expect(exploreBoth(makeEcho({ ...cfg, crashes: 2, maxDown: 2 })).stats.states).toBe(8964);
    // Crash-stop: 2,371 states (3,259 before issue 13): messages to a node that is down for good
    // are dead letters, now removed from the network, so states differing only in them are one.
    expect(exploreBoth(makeEcho({ ...cfg, crashes: 2, maxDown: 2, restarts: false })).stats.states).toBe(2371);
  });
});
