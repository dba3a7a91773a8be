/**
 * The purity guard: a step, handler, `actions`, invariant, property or witness that writes into a
 * state it was given is a model error (PurityError, exit 2 in the CLI) naming the culprit and the
 * field, never a counterexample; in BFS, DFS and random mode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { deepClone, deepFreeze, differingPaths, guardPurity, PurityError } from '../engine/purity.ts';
import { defineModel, int, type AnyModel, type Machine } from '../../impl/core/machine.ts';
import { EXTRA_MODELS as MODELS } from '../cli/testing.ts';
import { runCli } from '../cli/testing.ts';
import { envMachine, type EnvState } from '../../impl/env/index.ts';
import { pingProtocol, type PingTypes } from '../env/example.ts';

/** The guide's ping protocol, with a client-request handler that bumps `seq` in place. */
const mutatingPing = {
  ...pingProtocol,
  onClientRequest: (ctx: Parameters<NonNullable<typeof pingProtocol.onClientRequest>>[0], node: Parameters<NonNullable<typeof pingProtocol.onClientRequest>>[1], req: { readonly to: number }) => {
    (node.durable as { seq: number }).seq += 1; // the bug: a write into the input state
    return {
      durable: node.durable,
      volatile: { waiting: req.to },
      effects: [ctx.send(req.to, { type: 'Ping' as const, seq: node.durable.seq }), ctx.setTimer('retry' as const)],
    };
  },
} as typeof pingProtocol;

const pingWith = (checks: Parameters<typeof envMachine<PingTypes>>[2] = {}) => envMachine(mutatingPing, { nodes: 2, requests: 2 }, checks);

function purityError(f: () => unknown): PurityError {
  try {
    f();
  } catch (e) {
    if (e instanceof PurityError) return e;
    throw e;
  }
  throw new Error('expected a PurityError, got a normal return');
}

describe('a handler that writes into its input state', () => {
  for (const mode of ['bfs', 'dfs'] as const) {
    it(`is a model error naming the action and the field (${mode})`, () => {
      const e = purityError(() => explore(pingWith(), { mode }));
      expect(e.where).toBe('step');
      expect(e.culprit).toBe('request n1 {"to":2}');
      expect(e.fields).toEqual(['nodes[0].durable.seq']);
      expect(e.message).toContain('step request n1 {"to":2} wrote into the state it was given (field nodes[0].durable.seq)');
      expect(e.message).not.toContain('\n');
    });
  }

  it('is a model error in random mode too, not a counterexample', () => {
    const e = purityError(() => checkRandom(pingWith(), { seed: 1, runs: 50, maxSteps: 10 }));
    expect(e.where).toBe('step');
    expect(e.fields).toEqual([expect.stringMatching(/^nodes\[[01]\]\.durable\.seq$/)]);
  });

  it('without the guard it corrupts the search (the guard is what catches it)', () => {
    // The in-place bump makes the parent state look like it sent a later seq: the run is wrong.
    const m = () => pingWith({ invariants: [{ name: 'seq-within-requests', check: (s) => s.nodes.every((n) => n.durable.seq <= s.used.requests) || 'seq ran ahead of requests' }] });
    const r = explore(m(), { purity: 'off' });
    expect(r.status).toBe('violation'); // a false counterexample
    expect(() => explore(m())).toThrow(PurityError);
  });
});

describe('checks that write into the state', () => {
  const ping = (checks: Parameters<typeof envMachine<PingTypes>>[2]) => envMachine(pingProtocol, { nodes: 2, requests: 1 }, checks);

  it('an invariant', () => {
    const m = ping({
      invariants: [{ name: 'counts-in-place', check: (s) => (s.ghost as { pongs: number }).pongs++ >= 0 }],
    });
    const e = purityError(() => explore(m));
    expect([e.where, e.culprit, e.fields]).toEqual(['invariant', 'counts-in-place', ['ghost.pongs']]);
    expect(e.message).toContain('invariant counts-in-place wrote into the state it was given (field ghost.pongs)');
  });

  it('a transition property (names prev or next)', () => {
    const m = ping({
      properties: [{ name: 'tags-next', check: (_p, _a, next) => (((next.ghost as { pongs: number }).pongs += 1), true) }],
    });
    const e = purityError(() => explore(m));
    expect([e.where, e.culprit]).toEqual(['property', 'tags-next']);
    expect(e.fields).toEqual(['next.ghost.pongs']);
  });

  it('a witness', () => {
    const m = ping({ sometimes: [{ name: 'counts', check: (s) => ((s.used as { requests: number }).requests += 0) > 5 }] });
    // `+= 0` writes the value the field held: the state is as it was, and the search goes on
    // (states are not frozen, so nothing throws either).
    const r = explore(m, { purity: 'full' });
    expect(r.status).toBe('exhausted');
    const m2 = ping({ sometimes: [{ name: 'counts', check: (s) => ((s.used as { requests: number }).requests += 1) > 5 }] });
    const e = purityError(() => explore(m2));
    expect([e.where, e.culprit, e.fields]).toEqual(['witness', 'counts', ['used.requests']]);
  });

  it('actions()', () => {
    const inner = envMachine(pingProtocol, { nodes: 2, requests: 1 });
    const m: Machine<EnvState<PingTypes>, unknown> = {
      ...inner,
      actions: (s) => {
        (s.used as { timeouts: number }).timeouts = 7;
        return inner.actions(s);
      },
    } as Machine<EnvState<PingTypes>, unknown>;
    const e = purityError(() => explore(m));
    expect([e.where, e.fields]).toEqual(['actions', ['used.timeouts']]);
  });
});

/**
 * Two counters and a mark that no step sets; but past depth 2 the step writes the mark into its
 * input state, so the siblings expanded after it copy a mark no real run has.
 */
function sloppyCounters(): Machine<number[], number> {
  return {
    name: 'sloppy',
    init: () => [[0, 0, 0]],
    actions: (s) => [0, 1].filter((i) => s[i]! < 3),
    step: (s, i) => {
      const t = s.slice();
      t[i]! += 1;
      if (s[0]! + s[1]! >= 2) s[2] = 1; // the bug, only in deeper states
      return t;
    },
    invariants: [{ name: 'unmarked', check: (s) => s[2] === 0 || 'the mark is set' }],
  };
}

describe('the default guard covers the first states; counterexamples are confirmed', () => {
  it('a write after the guarded states cannot become a counterexample', () => {
    const m = sloppyCounters();
    expect(explore(m, { purity: 'off' }).status).toBe('violation'); // the false counterexample
    const e = purityError(() => explore(m, { purity: 'first', purityStates: 2 }));
    expect(e.where).toBe('step');
    expect(e.fields).toEqual(['[2]']);
    expect(() => explore(m, { purity: 'full' })).toThrow(PurityError);
  });

  it('a real counterexample survives the confirmation', () => {
    const m: Machine<number[], number> = { ...sloppyCounters(), step: (s, i) => s.map((x, j) => (j === i ? x + 1 : x)), invariants: [{ name: 'small', check: (s) => s[0]! + s[1]! < 4 }] };
    const r = explore(m, { purity: 'first', purityStates: 2 });
    expect(r.status).toBe('violation');
    expect(r.violation?.trace.steps).toHaveLength(4);
  });

  it('a pure model explores the same with every guard setting', () => {
    const m = envMachine(pingProtocol, { nodes: 2, requests: 2, crashes: 1 });
    const counts = (['off', 'first', 'full'] as const).map((purity) => {
      const r = explore(m, { purity });
      return [r.status, r.stats.states, r.stats.transitions];
    });
    expect(counts[1]).toEqual(counts[0]);
    expect(counts[2]).toEqual(counts[0]);
  });
});

describe('what the guard sees', () => {
  /** A counter whose step writes `write` into its input state past `n` = 1. */
  function counter<S>(init: () => S, n: (s: S) => number, next: (s: S) => S, write: (s: S) => void): Machine<S, string> {
    return {
      name: 'counter',
      init: () => [init()],
      actions: (s) => (n(s) < 3 ? ['inc'] : []),
      step: (s) => {
        if (n(s) >= 1) write(s);
        return next(s);
      },
    };
  }

  it('a write into a Map, a Set or a typed array of the state', () => {
    type S = { n: number; m: Map<string, number>; set: Set<number>; bytes: Uint8Array };
    const init = (): S => ({ n: 0, m: new Map([['a', 1]]), set: new Set([1]), bytes: new Uint8Array(4) });
    const next = (s: S): S => ({ ...s, n: s.n + 1 });
    const cases: [string, (s: S) => void][] = [
      ['m.b', (s) => s.m.set('b', 2)],
      ['set', (s) => s.set.add(9)],
      ['bytes[2]', (s) => (s.bytes[2] = 7)],
    ];
    for (const [field, write] of cases) {
      const e = purityError(() => explore(counter(init, (s) => s.n, next, write)));
      expect([e.where, e.culprit, e.fields]).toEqual(['step', '"inc"', [field]]);
    }
  });

  it('a write into a nested array, named by its path', () => {
    type S = { n: number; log: { items: number[] }[] };
    const e = purityError(() =>
      explore(
        counter<S>(
          () => ({ n: 0, log: [{ items: [] }] }),
          (s) => s.n,
          (s) => ({ ...s, n: s.n + 1 }),
          (s) => s.log[0]!.items.push(s.n),
        ),
      ),
    );
    expect(e.fields).toEqual(['log[0].items']);
  });

  it('a write deep into a long guarded search, past the point where old snapshots are dropped', () => {
    // 6,400 states, each a fresh object: the snapshots are dropped several times over before the
    // transition property writes into `prev` (in the last states only).
    type S = { x: number; y: number; mark: number };
    const m: Machine<S, 'x' | 'y'> = {
      name: 'grid',
      init: () => [{ x: 0, y: 0, mark: 0 }],
      actions: (s) => [...(s.x < 79 ? (['x'] as const) : []), ...(s.y < 79 ? (['y'] as const) : [])],
      step: (s, a) => (a === 'x' ? { ...s, x: s.x + 1 } : { ...s, y: s.y + 1 }),
      properties: [{ name: 'marks-prev', check: (prev) => (prev.x + prev.y > 150 && (prev.mark = 1), true) }],
    };
    // Unguarded, the marks spread into the successors: more than the grid's 6,400 states.
    expect(explore(m, { purity: 'off' }).stats.states).toBeGreaterThan(6400);
    const e = purityError(() => explore(m, { purity: 'full' }));
    expect([e.where, e.culprit, e.fields]).toEqual(['property', 'marks-prev', ['prev.mark']]);
  });

  it('states are never frozen (code that has read frozen objects stays slower for the whole process)', () => {
    const m = envMachine(pingProtocol, { nodes: 2, requests: 2 });
    const states: EnvState<PingTypes>[] = [];
    const r = explore({ ...m, invariants: [{ name: 'collect', check: (s: EnvState<PingTypes>) => (states.push(s), true) }] }, { purity: 'full' });
    expect(r.status).toBe('exhausted');
    expect(states.length).toBeGreaterThan(10);
    for (const s of states) expect([Object.isFrozen(s), Object.isFrozen(s.nodes), Object.isFrozen(s.nodes[0]!.durable)]).toEqual([false, false, false]);
  });
});

describe('freezing, copying and diffing', () => {
  it('deepFreeze reaches nested objects, arrays, Maps and Sets', () => {
    const v = deepFreeze({ a: [{ b: 1 }], m: new Map([['k', { c: 2 }]]), s: new Set([1]) });
    expect(() => {
      (v.a[0] as { b: number }).b = 2;
    }).toThrow(TypeError);
    expect(() => (v.a as unknown[]).push(3)).toThrow(TypeError);
    expect(() => v.m.set('x', { c: 1 })).toThrow(TypeError);
    expect(() => {
      (v.m.get('k') as { c: number }).c = 3;
    }).toThrow(TypeError);
    expect(() => v.s.add(2)).toThrow(TypeError);
  });

  it('deepClone copies, and differingPaths names what changed', () => {
    const v = deepFreeze({ nodes: [{ log: [1, 2] }, { log: [] as number[] }], n: 1 });
    const c = deepClone(v);
    c.nodes[1]!.log.push(5);
    c.n = 2;
    expect(differingPaths(v, c)).toEqual(['n', 'nodes[1].log']);
    expect(differingPaths(v, deepClone(v))).toEqual([]);
  });

  it('the guarded machine keeps the original encoder, labels and symmetry', () => {
    const m = envMachine(pingProtocol, { nodes: 2, requests: 1 });
    const g = guardPurity(m).machine;
    expect(g.encode).toBe(m.encode);
    expect(g.name).toBe(m.name);
    expect(g.invariants?.map((i) => i.name)).toEqual(m.invariants?.map((i) => i.name));
  });
});

describe('dscheck check on a model whose handler writes into its input', () => {
  const model: AnyModel = defineModel({
    name: 'test-mutating-ping',
    doc: 'ping with a handler that writes into its input state (test only)',
    params: { nodes: int(2, 2, 3, 'nodes') },
    build: (p) => envMachine(mutatingPing, { nodes: p.nodes, requests: 2 }),
  });
  const models = MODELS as AnyModel[];
  afterEach(() => {
    const i = models.indexOf(model);
    if (i >= 0) models.splice(i, 1);
  });

  for (const mode of ['bfs', 'random'] as const) {
    it(`exits 2 with one line naming the action and the field (${mode})`, async () => {
      models.push(model);
      const r = await runCli('check', 'test-mutating-ping', '--mode', mode, ...(mode === 'random' ? ['--seed', '3', '--runs', '20', '--steps', '8'] : []));
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/step request n\d \{"to":\d\} wrote into the state it was given \(field nodes\[\d\]\.durable\.seq\)/);
      expect(r.out).not.toContain('violation');
    });
  }
});
