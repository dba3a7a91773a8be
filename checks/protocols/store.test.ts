/**
 * The replicated store (`impl/store/`, model `store`): each mode holds its own level, checked on
 * the client history while the model runs, exhaustively at pinned bounds; last writer wins loses
 * an update (the shortest trace is pinned); the known-bug variants are found with their shortest
 * traces; random mode finds them too. Small bounds on purpose: the client history makes every
 * interleaving a distinct state (bigger ones are in `npm run bench -- pacelc`).
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { instantiate, type AnyMachine, type Machine } from '../../impl/core/machine.ts';
import { lastState } from '../../impl/core/trace.ts';
import { dropSibling, hlcMerge, hlcTick, keepSiblings, stampAfter, vvCompare, type StoreEvent, type StoreState } from '../../impl/store/store.ts';
import { causalPastOfWrites, checkStoreLevel, indeterminateProcess, levelInvariant, registerHistoryOf, storeWitnesses } from '../../specs/store.ts';
import { storeModel } from '../../specs/models/store.ts';
import { runCli } from '../cli/testing.ts';

const build = (p: Record<string, string | number | boolean>): AnyMachine => instantiate(storeModel, p).machine;
const eventsOf = (s: unknown): readonly StoreEvent[] => (s as { ghost: { events: readonly StoreEvent[] } }).ghost.events;

describe('each mode holds its own level, exhaustively, with one partition', () => {
  // [mode, ops, checks, distinct states]. cp was 16,885 states before its replicas had a
  // timeout: a replica cut off from the leader (or the leader cut off from every peer it still
  // needs) now refuses its waiting operations as `unavailable`, the client goes on with its
  // next operation, and a refused write may still complete after the heal: more states.
  const cases = [
    // (cp's witnesses include a write refused as unavailable that a client reads after the heal.)
    ['cp', 2, ['linearizable', 'eventual'], 40_605],
    ['ap-siblings', 3, ['causal', 'eventual', 'no-lost-update'], 14_835],
    ['ap-lww', 3, ['eventual'], 14_735],
  ] as const;
  for (const [mode, ops, checks, states] of cases) {
    it(`${mode}, 3 replicas, 2 clients, ${ops} ops: ${checks.join(', ')} hold on ${states} states; witnesses reached`, () => {
      const r = explore(build({ mode, ops }), { checks: [...checks] });
      expect(r.status).toBe('exhausted');
      expect(r.stats.states).toBe(states);
      expect(r.witnesses.every((w) => w.reached), JSON.stringify(r.witnesses)).toBe(true);
    });
  }
  it('cp with 3 ops is left to the CLI and the bench', () => {
    // Pinned here so a change in the state space shows; not explored in the unit tests.
    expect(instantiate(storeModel, { mode: 'cp' }).params['ops']).toBe(3);
  });
});

describe('last writer wins: the lost update, and the levels it does not keep', () => {
  it('ap-lww breaks no-lost-update in 8 steps: two concurrent writes, both acknowledged, one gone at rest', () => {
    const r = explore(build({ mode: 'ap-lww' }));
    expect(r.status).toBe('violation');
    expect(r.violation!.name).toBe('no-lost-update');
    expect(r.violation!.trace.steps).toHaveLength(8);
    expect(r.violation!.message).toMatch(/lost update: c1's write 1 was acknowledged, but at rest the replicas show 2/);
    const ev = eventsOf(lastState(r.violation!.trace));
    expect(ev.filter((e) => e.type === 'ret' && e.vals.length === 0).map((e) => e.op)).toEqual([1, 2]);
  });
  it('ap-lww on physical clocks loses an update too (6 steps): a write stamped behind the value its replica holds loses at once', () => {
    const r = explore(build({ mode: 'ap-lww', stamps: 'physical', maxClock: 1 }));
    expect(r.status).toBe('violation');
    expect(r.violation!.name).toBe('no-lost-update');
    expect(r.violation!.trace.steps).toHaveLength(6);
    expect(r.violation!.message).toMatch(/lost update: c2's write 2 was acknowledged, but at rest the replicas show 1/);
  });
  it('ap-lww on physical clocks is not causal (7 steps, no partition): c2 reads 1 stamped by r1 (clock 1), writes 3 at r2 (clock 0, so 3 loses), reads 1', () => {
    const r = explore(build({ mode: 'ap-lww', stamps: 'physical', maxClock: 1, replicas: 2, ops: 4, partitions: 0, level: 'causal' }), { checks: ['causal'] });
    expect(r.status).toBe('violation');
    expect(r.violation!.trace.steps).toHaveLength(7);
    expect(r.violation!.message).toBe('not causal (read-your-writes broken): c2 read 1 reads c1 write 1, but c2 write 3 overwrote it in its causal past');
    const ev = eventsOf(lastState(r.violation!.trace)).filter((e) => e.c === 2 && e.type === 'ret');
    expect(ev.map((e) => (e.type === 'ret' ? e.vals : []))).toEqual([[1], [], [1]]);
    // The same configuration with HLC stamps holds causal consistency.
    const hlc = explore(build({ mode: 'ap-lww', maxClock: 1, replicas: 2, ops: 4, partitions: 0, level: 'causal' }), { checks: ['causal'] });
    expect(hlc.status).toBe('exhausted');
  });
  it('ap-lww is not linearizable: a read across the partition misses an acknowledged write (2 steps)', () => {
    const r = explore(build({ mode: 'ap-lww', level: 'linearizable' }), { checks: ['linearizable'] });
    expect(r.status).toBe('violation');
    expect(r.violation!.trace.steps).toHaveLength(2);
    expect(r.violation!.message).toContain('c2 read → 0');
  });
  it('ap-siblings is not sequential: a read returns two siblings (5 steps)', () => {
    const r = explore(build({ mode: 'ap-siblings', level: 'sequential' }), { checks: ['sequential'] });
    expect(r.status).toBe('violation');
    expect(r.violation!.trace.steps).toHaveLength(5);
    expect(r.violation!.message).toContain('read the siblings 1|2');
  });
});

describe('cp refuses: a replica that cannot complete a request in time answers unavailable', () => {
  it('with false timeouts too (an unreliable detector, 2 false suspicions: a timeout may fire with nothing wrong), 2 ops: linearizable on all 142,603 states; a refused write is read later', () => {
    const r = explore(build({ mode: 'cp', ops: 2, detector: 'unreliable', falseSuspicions: 2 }), { checks: ['linearizable', 'eventual'] });
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(142_603);
    // The refused write that takes effect anyway is reachable (so recording it as failed would
    // be wrong: see the next test), and the history still linearizes with it indeterminate.
    expect(r.witnesses.filter((w) => w.reached).map((w) => w.name)).toEqual(['write-answered', 'read-other-write', 'refused', 'refused-write-read']);
  });

  it('a partition cuts c2’s replica r2 off from the leader and the majority: every run that never heals refuses c2 (its write indeterminate, its read failed), and c1 is still served', () => {
    const m = build({ mode: 'cp', ops: 2 }) as unknown as Machine<StoreState, { readonly type: string }>;
    const s0 = m.init()[0]!;
    const cut = m.actions(s0).find((a) => m.formatAction!(a) === 'partition {r1,r3} | {r2}')!;
    expect(cut).toBeDefined();
    const linearizable = levelInvariant({ mode: 'cp', replicas: 3 }, 'linearizable');
    const refusedWriteRead = storeWitnesses({ mode: 'cp', replicas: 3 }).find((w) => w.name === 'refused-write-read')!;
    let tookEffect = false;
    // Every state reachable after the cut without a heal (the cut is the first step).
    const seen = new Set<string>();
    const terminal: StoreState[] = [];
    const stack = [m.step(s0, cut)];
    while (stack.length > 0) {
      const s = stack.pop()!;
      const key = JSON.stringify(s);
      if (seen.has(key)) continue;
      seen.add(key);
      expect(linearizable.check(s)).toBe(true);
      tookEffect ||= refusedWriteRead.check(s) === true;
      // c2 is never answered successfully while the cut holds.
      expect(eventsOf(s).some((e) => e.type === 'ret' && e.c === 2)).toBe(false);
      const next = m.actions(s).filter((a) => a.type !== 'heal');
      if (next.length === 0) terminal.push(s);
      for (const a of next) stack.push(m.step(s, a));
    }
    // Every state reachable after the cut without a heal: 107, of which 32 are final.
    expect([seen.size, terminal.length]).toEqual([107, 32]);
    const c2Outcomes = new Set<string>();
    let c1Served = false;
    for (const s of terminal) {
      const ev = eventsOf(s);
      // Every c2 operation invoked ended refused: a write as indeterminate, a read as failed.
      for (const e of ev) {
        if (e.type !== 'call' || e.c !== 2) continue;
        const end = ev.find((x) => x.type === 'refused' && x.op === e.op);
        expect(end, JSON.stringify(ev)).toBeDefined();
        c2Outcomes.add(`${e.f} ${end!.type === 'refused' ? end!.effect : ''}`);
      }
      c1Served ||= ev.some((e) => e.type === 'ret' && e.c === 1);
    }
    expect([...c2Outcomes].sort()).toEqual(['read none', 'write unknown']);
    expect(c1Served).toBe(true);
    // Without a heal, c2's refused write never takes effect: nobody reads it.
    expect(tookEffect).toBe(false);
  });


  it('a refused write is indeterminate, not failed: recorded as failed, a later read of its value could not be explained', () => {
    const refusedThenRead = (effect: 'none' | 'unknown'): StoreEvent[] => [
      { type: 'call', c: 2, op: 1, f: 'write' },
      { type: 'refused', c: 2, op: 1, effect },
      { type: 'call', c: 2, op: 2, f: 'read' },
      { type: 'ret', c: 2, op: 2, vals: [1] },
    ];
    expect(checkStoreLevel('linearizable', refusedThenRead('unknown'), null)).toBe(true);
    expect(checkStoreLevel('sequential', refusedThenRead('unknown'), null)).toBe(true);
    expect(checkStoreLevel('linearizable', refusedThenRead('none'), null)).toMatch(/^not linearizable/);
    // In the register history: the refused read is gone (failed, no effect); the refused write
    // stays pending forever, in a process of its own (its session goes on without it).
    const h = registerHistoryOf([
      { type: 'call', c: 1, op: 1, f: 'read' },
      { type: 'refused', c: 1, op: 1, effect: 'none' },
      { type: 'call', c: 2, op: 2, f: 'write' },
      { type: 'refused', c: 2, op: 2, effect: 'unknown' },
      { type: 'call', c: 2, op: 3, f: 'read' },
      { type: 'ret', c: 2, op: 3, vals: [2] },
    ]);
    if ('siblings' in h) throw new Error('unexpected siblings');
    expect(h.ops.map((o) => [o.process, o.input.f, o.ret === null ? 'pending' : 'done'])).toEqual([
      [indeterminateProcess(2, 2), 'write', 'pending'],
      [2, 'read', 'done'],
    ]);
  });
});

describe('known-bug variants: found by BFS with their configuration, and by random mode', () => {
  // [bug, check, shortest trace]
  const cases = [
    ['stale-read', 'linearizable', 4],
    ['drop-sibling', 'no-lost-update', 8],
  ] as const;
  for (const [bug, check, steps] of cases) {
    it(`${bug} breaks ${check} in ${steps} steps`, () => {
      const spec = storeModel.bugs[bug]!;
      const r = explore(build({ ...spec.config, bug }));
      expect(r.status).toBe('violation');
      expect(r.violation!.name).toBe(check);
      expect(r.violation!.trace.steps).toHaveLength(steps);
    });
    it(`${bug}: random mode finds it, with its configuration alone (seed 7; fixed and drawn configurations)`, async () => {
      const spec = storeModel.bugs[bug]!;
      const r = checkRandom(build({ ...spec.config, bug }), { seed: 7, runs: 1000 });
      expect(r.status).toBe('violation');
      expect(r.violation!.name).toBe(check);
      const cli = await runCli('check', 'store', '-p', `bug=${bug}`, '--mode', 'random', '--seed', '7', '--json');
      expect(cli.code).toBe(1);
      expect((JSON.parse(cli.out) as { violation: { name: string } }).violation.name).toBe(check);
    });
  }
  it('impossible options exit 2 in one line: physical stamps without clocks or outside ap-lww, clocks outside ap-lww, false suspicions outside cp', async () => {
    for (const [args, msg] of [
      [['-p', 'mode=ap-lww', '-p', 'stamps=physical'], /stamps=physical reads the physical clocks: set maxClock ≥ 1/],
      [['-p', 'stamps=physical', '-p', 'maxClock=1'], /stamps=physical is an ap-lww option; mode=cp stamps nothing/],
      [['-p', 'maxClock=1'], /mode=cp reads no clock/],
      [['-p', 'mode=ap-siblings', '-p', 'detector=unreliable', '-p', 'falseSuspicions=1'], /declares no failure detector/],
    ] as const) {
      const r = await runCli('check', 'store', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });
  it('a variant run in the wrong mode is refused in one line', () => {
    expect(() => build({ mode: 'ap-lww', bug: 'stale-read' })).toThrow(/variant stale-read is a cp variant; it does not apply to mode=ap-lww/);
  });
});

describe('an answer that no call is waiting for is a violation at every level, not a model error', () => {
  const call = (op: number): StoreEvent => ({ type: 'call', c: 1, op, f: 'write' });
  const cases: [string, StoreEvent[], RegExp][] = [
    ['an answer after a refusal', [call(1), { type: 'refused', c: 1, op: 1, effect: 'unknown' }, { type: 'ret', c: 1, op: 1, vals: [] }], /op 1 of c1 was answered after it was refused: its client heard twice/],
    ['a second answer', [call(1), { type: 'ret', c: 1, op: 1, vals: [] }, { type: 'ret', c: 1, op: 1, vals: [] }], /op 1 of c1 was answered after it was answered/],
    ['a refusal after an answer', [call(1), { type: 'ret', c: 1, op: 1, vals: [] }, { type: 'refused', c: 1, op: 1, effect: 'none' }], /op 1 of c1 was refused after it was answered/],
    ['an answer never invoked', [{ type: 'ret', c: 1, op: 2, vals: [] }], /op 2 of c1 was answered but never invoked/],
  ];
  for (const [what, events, message] of cases) {
    it(what, () => {
      for (const level of ['linearizable', 'sequential', 'causal', 'eventual'] as const) {
        const v = checkStoreLevel(level, events, level === 'eventual' ? [[0]] : null);
        expect(v, level).toMatch(message);
      }
    });
  }
  it('answers that match their calls pass this check', () => {
    const events: StoreEvent[] = [call(1), { type: 'ret', c: 1, op: 1, vals: [] }, call(2), { type: 'refused', c: 1, op: 2, effect: 'unknown' }];
    expect(checkStoreLevel('linearizable', events, null)).toBe(true);
  });
});

describe('the pieces', () => {
  it('HLC: a write ticks past everything seen; stamps order by (l, c, replica)', () => {
    expect(hlcTick({ l: 0, c: 0 }, 0)).toEqual({ l: 0, c: 1 });
    expect(hlcTick({ l: 0, c: 3 }, 2)).toEqual({ l: 2, c: 0 });
    expect(hlcMerge({ l: 1, c: 0 }, { l: 1, c: 2 })).toEqual({ l: 1, c: 2 });
    expect(hlcMerge({ l: 2, c: 0 }, { l: 1, c: 5 })).toEqual({ l: 2, c: 0 });
    expect(stampAfter({ l: 0, c: 1, n: 2 }, { l: 0, c: 1, n: 1 })).toBe(true);
    expect(stampAfter({ l: 0, c: 1, n: 3 }, { l: 0, c: 2, n: 1 })).toBe(false);
  });
  it('siblings: a dominated version is dropped, a concurrent one kept; drop-sibling keeps one', () => {
    const a = { val: 1, vv: [1, 0] };
    const b = { val: 2, vv: [0, 1] };
    const c = { val: 3, vv: [1, 1] };
    expect(vvCompare(a.vv, b.vv)).toBe('concurrent');
    expect(keepSiblings([a], b)).toEqual([a, b]);
    expect(keepSiblings([a, b], c)).toEqual([c]);
    expect(keepSiblings([c], a)).toEqual([c]);
    expect(dropSibling([a], b)).toEqual([b]);
  });
  it('causal past of writes: through session order and reads, transitively', () => {
    const ev: StoreEvent[] = [
      { type: 'call', c: 1, op: 1, f: 'write' },
      { type: 'ret', c: 1, op: 1, vals: [] },
      { type: 'call', c: 2, op: 2, f: 'read' },
      { type: 'ret', c: 2, op: 2, vals: [1] },
      { type: 'call', c: 2, op: 3, f: 'write' },
      { type: 'ret', c: 2, op: 3, vals: [] },
      { type: 'call', c: 3, op: 4, f: 'write' },
      { type: 'ret', c: 3, op: 4, vals: [] },
    ];
    const past = causalPastOfWrites(ev);
    expect([...past.get(3)!]).toEqual([1]);
    expect([...past.get(4)!]).toEqual([]);
  });
  it('levels on textbook histories: a stale read is sequential but not linearizable; a read of siblings is causal only; divergence at rest is not eventual', () => {
    const stale: StoreEvent[] = [
      { type: 'call', c: 1, op: 1, f: 'write' },
      { type: 'ret', c: 1, op: 1, vals: [] },
      { type: 'call', c: 2, op: 2, f: 'read' },
      { type: 'ret', c: 2, op: 2, vals: [0] },
    ];
    expect(checkStoreLevel('linearizable', stale, null)).toMatch(/^not linearizable/);
    expect(checkStoreLevel('sequential', stale, null)).toBe(true);
    const sibs: StoreEvent[] = [
      { type: 'call', c: 1, op: 1, f: 'write' },
      { type: 'ret', c: 1, op: 1, vals: [] },
      { type: 'call', c: 2, op: 2, f: 'write' },
      { type: 'ret', c: 2, op: 2, vals: [] },
      { type: 'call', c: 1, op: 3, f: 'read' },
      { type: 'ret', c: 1, op: 3, vals: [1, 2] },
    ];
    expect(checkStoreLevel('sequential', sibs, null)).toMatch(/siblings 1\|2/);
    expect(checkStoreLevel('causal', sibs, null)).toBe(true);
    // c1 reads its own write, then the initial value: read-your-writes broken.
    const ryw: StoreEvent[] = [
      { type: 'call', c: 1, op: 1, f: 'write' },
      { type: 'ret', c: 1, op: 1, vals: [] },
      { type: 'call', c: 1, op: 2, f: 'read' },
      { type: 'ret', c: 1, op: 2, vals: [0] },
    ];
    expect(checkStoreLevel('causal', ryw, null)).toMatch(/^not causal \(read-your-writes broken\)/);
    expect(checkStoreLevel('eventual', sibs, [[1, 2], [1, 2], [1, 2]])).toBe(true);
    expect(checkStoreLevel('eventual', stale, [[1], [0], [1]])).toMatch(/disagree/);
    expect(checkStoreLevel('eventual', stale, [[3], [3], [3]])).toMatch(/nobody wrote/);
  });
});
