/**
 * A protocol written with a schema and nothing else (the guide's ping): its derived symmetry is
 * sound (the reduced search visits exactly one state per orbit, counted with a renamer written
 * by hand here, independent of the derived one), roles name nodes and restrict crashes, and a
 * handler that leaves its declaration is reported with the trace.
 */
import { describe, expect, it } from 'vitest';
import { envMachine, defineProtocol, S, type EnvAction, type EnvState, type Protocol, type SchemaTypes } from '../../impl/env/index.ts';
import { permutationsOf } from '../../impl/env/symmetry.ts';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { forRandomRuns } from '../../impl/core/machine.ts';
import { canonicalKey } from '../../impl/core/encode.ts';
import { pingMachine, pingProtocol, type PingTypes } from './example.ts';
import { reachable, traceOf } from './helpers.ts';

/** The ping state renamed by hand: `p[old] = new`. */
function renameByHand(s: EnvState<PingTypes>, p: readonly number[]): unknown {
  const nodes = new Array<unknown>(s.nodes.length);
  s.nodes.forEach((slot, i) => {
    const w = slot.volatile === null ? null : { waiting: slot.volatile.waiting === null ? null : p[slot.volatile.waiting] };
    nodes[p[i + 1]! - 1] = { up: slot.up, timers: slot.timers, durable: slot.durable, volatile: w };
  });
  const net = s.net.map((q) => ({ from: p[q.from], to: p[q.to], msg: q.msg, count: q.count }));
  net.sort((a, b) => (canonicalKey(a) < canonicalKey(b) ? -1 : 1));
  return { nodes, net, used: s.used, ghost: s.ghost };
}

describe('derived symmetry', () => {
  it('visits one state per orbit of the reachable states', () => {
    const cfg = { nodes: 3, requests: 2, drops: 1 } as const;
    const plain = envMachine(pingProtocol, cfg);
    const reduced = envMachine(pingProtocol, { ...cfg, symmetry: true });
    const all = reachable(plain, 1_000_000);
    const perms = permutationsOf(3).map((q) => [0, ...q.map((x) => x + 1)]);
    const orbits = new Set(all.map((s) => perms.map((p) => canonicalKey(renameByHand(s, p))).sort()[0]!));
    const r = explore(reduced);
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(orbits.size);
    expect(orbits.size).toBeLessThan(all.length);
  });

  it('the derived renaming agrees with the hand-written one', () => {
    const all = reachable(pingMachine, 3000);
    for (const s of all) {
      for (const q of permutationsOf(3)) {
        const p = [0, ...q.map((x) => x + 1)];
        const t = pingMachine.rename(s, p);
        const mine = { nodes: t.nodes.map((n) => ({ up: n.up, timers: n.timers, durable: n.durable, volatile: n.volatile })), net: t.net.map((x) => ({ from: x.from, to: x.to, msg: x.msg, count: x.count })).sort((a, b) => (canonicalKey(a) < canonicalKey(b) ? -1 : 1)), used: t.used, ghost: t.ghost };
        expect(canonicalKey(mine)).toBe(canonicalKey(renameByHand(s, p)));
      }
    }
  });
});

const reduced = (a: unknown) => a as { readonly type: string };

describe('invalid states', () => {
  const broken = defineProtocol<PingTypes>({
    ...pingProtocol,
    // Counts past the declared bound of 8.
    onClientRequest: (ctx, node, req) => ({ durable: { seq: node.durable.seq + 5 }, volatile: { waiting: req.to }, effects: [] }),
  });

  it('a value outside the schema is a counterexample that names node, part and field', () => {
    const r = explore(envMachine(broken, { nodes: 2, requests: 2 }));
    expect(r.status).toBe('violation');
    const v = r.violation!;
    expect(v.message).toMatch(/step produced an invalid state: n\d durable seq: 10, expected an integer in 0\.\.8/);
    expect(v.failedAction).toBeDefined();
    expect(reduced(v.failedAction!.action)).toMatchObject({ type: 'request' });
  });

  it('a message to no node is reported too', () => {
    const lost = defineProtocol<PingTypes>({
      ...pingProtocol,
      onMessage: (ctx, node, msg, from) => (msg.type === 'Ping' ? { ...node, effects: [ctx.send(from, { type: 'Pong', seq: 9 })] } : node),
    });
    const r = explore(envMachine(lost, { nodes: 2, requests: 1 }));
    expect(r.status).toBe('violation');
    expect(r.violation!.message).toMatch(/invalid state: a message: Pong\.seq: 9, expected an integer in 0\.\.8/);
  });
});

describe('roles', () => {
  const schema = {
    durable: S.record({ n: S.int(0, 2) }),
    volatile: S.record({}),
    msg: S.union('type', { Hi: {} }),
  };
  const roles = defineProtocol<SchemaTypes<typeof schema>>({
    name: 'roles',
    schema,
    roles: { coordinator: { count: 1, prefix: 'c', crashes: false }, participant: { count: 2, prefix: 'p' } },
    symmetry: {},
    init: (ctx) => ({ durable: { n: 0 }, volatile: {}, effects: ctx.role === 'coordinator' ? ctx.members('participant').map((p) => ctx.send(p, { type: 'Hi' })) : [] }),
    onRestart: (_ctx, durable) => ({ durable, volatile: {} }),
    onMessage: (_ctx, node) => ({ durable: { n: node.durable.n + 1 }, volatile: {} }),
  });

  it('names nodes by role, and only crashable roles crash', () => {
    const m = envMachine(roles, { crashes: 1 });
    expect(m.nodes()).toEqual(['c1', 'p1', 'p2']);
    const s = m.init()[0]!;
    const labels = m.actions(s).map((a) => m.formatAction(a));
    expect(labels).toEqual(['deliver c1→p1 Hi', 'deliver c1→p2 Hi', 'crash p1', 'crash p2']);
  });

  it('makes each symmetric role one symmetry class, and never swaps roles', () => {
    const plainM = envMachine(roles, { crashes: 1 });
    const plain = explore(plainM);
    const sym = explore(envMachine(roles, { crashes: 1, symmetry: true }));
    expect(plain.status).toBe('exhausted');
    // Orbits under swapping p1 and p2 only (ids 2 and 3), by hand.
    const swap = (s: EnvState<SchemaTypes<typeof schema>>) => ({
      nodes: [s.nodes[0], s.nodes[2], s.nodes[1]].map((x) => ({ up: x!.up, n: x!.durable.n })),
      net: s.net.map((q) => ({ from: [0, 1, 3, 2][q.from]!, to: [0, 1, 3, 2][q.to]!, count: q.count })).sort((a, b) => a.to - b.to),
      used: s.used,
    });
    const same = (s: EnvState<SchemaTypes<typeof schema>>) => ({
      nodes: s.nodes.map((x) => ({ up: x.up, n: x.durable.n })),
      net: s.net.map((q) => ({ from: q.from, to: q.to, count: q.count })).sort((a, b) => a.to - b.to),
      used: s.used,
    });
    const orbits = new Set(reachable(plainM, 10_000).map((s) => [canonicalKey(same(s)), canonicalKey(swap(s))].sort()[0]));
    expect(sym.stats.states).toBe(orbits.size);
    expect(sym.stats.states).toBeLessThan(plain.stats.states);
    // The coordinator keeps its slot in every representative.
    const t = traceOf(envMachine(roles, { crashes: 1, symmetry: true }), ['deliver c1→p2 Hi']);
    const m = envMachine(roles, { crashes: 1, symmetry: true });
    expect(m.symmetry!(t.steps[0]!.state).nodes[0]!.durable.n).toBe(0);
  });
});

// A Pong is stale once the node has moved past it: its seq is below the node's, or equal while
// the node no longer waits for that peer. The counter only grows, so this stays true. It reads
// the receiver alone, so it can be declared in either form: the whole-state `ignores` (asked in
// every state) or the receiver-only `ignoresAtReceiver` (remembered by the receiver's words and
// the packet). Every test below runs on both.
const stalePong = (node: { readonly durable: PingTypes['durable']; readonly volatile: PingTypes['volatile'] | null }, msg: PingTypes['msg'], from: number): boolean =>
  msg.type === 'Pong' && (msg.seq < node.durable.seq || (msg.seq === node.durable.seq && (node.volatile === null || node.volatile.waiting !== from)));
const FORMS = [
  { form: 'ignores', declare: (p: Protocol<PingTypes>): Protocol<PingTypes> => ({ ...p, ignores: (_ctx, node, msg, from) => stalePong(node, msg, from) }) },
  { form: 'ignoresAtReceiver', declare: (p: Protocol<PingTypes>): Protocol<PingTypes> => ({ ...p, ignoresAtReceiver: (_ctx, node, msg, from) => stalePong(node, msg, from) }) },
] as const;

describe.each(FORMS)('messages declared ignored by $form', ({ form, declare }) => {
  const ignoring: Protocol<PingTypes> = declare(pingProtocol);
  const cfg = { nodes: 3, crashes: 1, requests: 2, duplicates: 1 } as const;
  /** How the error names the declaration, as a pattern. */
  const declared = `${form}\\(\\)`;
  const re = (pattern: string): RegExp => new RegExp(pattern.replace('DECL', declared));
  it('are left out of the state identity, and the declaration holds on every explored step', () => {
    const plain = explore(envMachine(ignoring, { ...cfg, reduceIgnored: false, checkIgnored: false }));
    const reduced = explore(envMachine(ignoring, cfg));
    expect([plain.status, reduced.status]).toEqual(['exhausted', 'exhausted']);
    expect(reduced.stats.states).toBeLessThan(plain.stats.states);
    expect(reduced.witnesses).toEqual(plain.witnesses);
  });

  it('traces keep every message', () => {
    const m = envMachine(ignoring, cfg);
    const t = traceOf(m, ['request n1 {"to":2}', 'deliver n1→n2 Ping(seq=1)', 'duplicate n2→n1 Pong(seq=1)', 'deliver n2→n1 Pong(seq=1)']);
    expect(m.view(t.steps[3]!.state).network).toEqual(['n2→n1 Pong(seq=1)']);
  });

  it('a handler that stops ignoring what the declaration says it ignores is named, not merged away', () => {
    // The handler now counts every Pong, stale or not; the declaration was left unchanged.
    const changed: Protocol<PingTypes> = {
      ...ignoring,
      onMessage: (ctx, node, msg, from) =>
        msg.type === 'Pong' ? { ...node, effects: [ctx.ghost((g) => ({ pongs: Math.min(8, g.pongs + 1) }))] } : pingProtocol.onMessage(ctx, node, msg, from),
    };
    const r = explore(envMachine(changed, cfg));
    expect(r.status).toBe('violation');
    expect(r.violation!.message).toMatch(re(String.raw`n\d's onMessage handler, given Pong\(seq=\d\) from n\d to n\d \(declared ignored by the protocol's DECL\), had an effect: ghost`));
    // Without the reduction nothing is merged on the declaration's word: the check, which guards
    // the reduction, stays off, and the search is the plain one (every Pong delivered and counted).
    const unreduced = explore(envMachine(changed, { ...cfg, reduceIgnored: false }));
    const plain = explore(envMachine({ ...changed, ignores: undefined, ignoresAtReceiver: undefined }, { ...cfg, reduceIgnored: false }));
    expect(unreduced.status).toBe('exhausted');
    expect(unreduced.stats.states).toBe(plain.stats.states);
    expect(unreduced.stats.transitions).toBe(plain.stats.transitions);
  });

  it('random runs, which key no states, run without the check: the same runs as the unchecked machine, and the stale declaration changes nothing', () => {
    const changed: Protocol<PingTypes> = {
      ...ignoring,
      onMessage: (ctx, node, msg, from) =>
        msg.type === 'Pong' ? { ...node, effects: [ctx.ghost((g) => ({ pongs: Math.min(8, g.pongs + 1) }))] } : pingProtocol.onMessage(ctx, node, msg, from),
    };
    const checked = envMachine(changed, cfg);
    expect(checked.randomStep?.checked).toBe(checked.step);
    const opts = { seed: 7, runs: 300, maxSteps: 40, shrink: false } as const;
    const r = checkRandom(checked, opts);
    const plain = checkRandom(envMachine({ ...changed, ignores: undefined, ignoresAtReceiver: undefined }, { ...cfg, reduceIgnored: false }), opts);
    expect(r.status).toBe('bounded');
    expect(r.stats.transitions).toBe(plain.stats.transitions);
    expect(r.witnesses).toEqual(plain.witnesses);
    // Without the hook, the same runs would stop at the check.
    const { randomStep: _hook, ...unhooked } = checked;
    const stopped = checkRandom(unhooked, opts);
    expect(stopped.status).toBe('violation');
    expect(stopped.violation!.message).toMatch(re(String.raw`onMessage handler, given Pong\(seq=\d\) from n\d to n\d \(declared ignored by the protocol's DECL\), had an effect`));
    // The machine random runs use is the checked one with the unchecked step; BFS still fails.
    const free = forRandomRuns(checked);
    expect(free.step).toBe(checked.randomStep!.unchecked);
    expect(free.actions).toBe(checked.actions);
    expect(explore(checked).status).toBe('violation');
    // A machine whose declaration is trusted has nothing to leave out.
    const trusted = envMachine(changed, { ...cfg, checkIgnored: false });
    expect(trusted.randomStep).toBeUndefined();
    expect(forRandomRuns(trusted)).toBe(trusted);
  });

  it('a wrapper built by spreading the machine keeps what it replaced: its actions always, and its own step (then checked)', () => {
    const checked = envMachine(ignoring, cfg);
    // A wrapper that narrows the actions (as the quorum models do): random runs keep its actions.
    const narrowed = { ...checked, actions: (s: EnvState<PingTypes>) => checked.actions(s).filter((a) => a.type !== 'crash') };
    const nr = forRandomRuns(narrowed);
    expect(nr.actions).toBe(narrowed.actions);
    expect(nr.step).toBe(checked.randomStep!.unchecked);
    // A wrapper with its own step: nothing is replaced.
    const stepped = { ...checked, step: (s: EnvState<PingTypes>, a: EnvAction<PingTypes>) => checked.step(s, a) };
    expect(forRandomRuns(stepped)).toBe(stepped);
  });

  it('a delivery found harmless once is not trusted for the same message in a different receiver state', () => {
    // The check remembers harmless deliveries by (receiver's slot, message). A stale Pong is
    // harmless while its receiver waits for nobody, and (stale declaration) clears the wait
    // once the receiver has moved on to a later Ping.
    const changedLate: Protocol<PingTypes> = {
      ...ignoring,
      onMessage: (ctx, node, msg, from) =>
        msg.type === 'Pong' && msg.seq < node.durable.seq && node.volatile.waiting !== null
          ? { durable: node.durable, volatile: { waiting: null } }
          : pingProtocol.onMessage(ctx, node, msg, from),
    };
    const m = envMachine(changedLate, cfg);
    const stepBy = (s: EnvState<PingTypes>, label: string) => {
      const a = m.actions(s).find((x) => m.formatAction(x) === label);
      if (a === undefined) throw new Error(`no action ${label}`);
      return m.step(s, a);
    };
    let s = m.init()[0]!;
    for (const label of ['request n1 {"to":2}', 'deliver n1→n2 Ping(seq=1)', 'duplicate n2→n1 Pong(seq=1)', 'deliver n2→n1 Pong(seq=1)']) s = stepBy(s, label);
    // The copy still in flight is stale, and its delivery was checked on that step: harmless
    // (n1 waits for nobody), so it is remembered.
    expect(m.view(s).network).toEqual(['n2→n1 Pong(seq=1)']);
    // n1 moves on: the same message, to n1 in a new state, now changes n1's volatile state.
    expect(() => stepBy(s, 'request n1 {"to":3}')).toThrow(re(String.raw`n1's onMessage handler, given Pong\(seq=1\) from n2 to n1 \(declared ignored by the protocol's DECL\), changed its volatile state`));
    const r = explore(envMachine(changedLate, cfg));
    expect(r.status).toBe('violation');
    expect(r.violation!.message).toMatch(re(String.raw`onMessage handler, given Pong\(seq=1\) from n\d to n\d \(declared ignored by the protocol's DECL\), changed its volatile state`));
  });

  it('a declaration that a variant stops keeping is an error of the model', () => {
    // The forgetful variant restarts its counter, so an old Pong becomes fresh again.
    const forgetfulIgnoring: Protocol<PingTypes> = { ...ignoring, onRestart: () => ({ durable: { seq: 0 }, volatile: { waiting: null } }) };
    const checked = explore(envMachine(forgetfulIgnoring, cfg));
    expect(checked.status).toBe('violation');
    expect(checked.violation!.message).toMatch(re(String.raw`: DECL declared Pong\(seq=1\) from n\d to n\d ignored, and after 'restart n\d' it is not`));
  });
});

describe('the receiver-only form', () => {
  it('explores exactly what the whole-state form explores: its answers are remembered per receiver state, not per packet', () => {
    const cfg = { nodes: 3, crashes: 1, requests: 2, duplicates: 1 } as const;
    const [whole, receiver] = FORMS.map(({ declare }) => explore(envMachine(declare(pingProtocol), cfg)));
    expect(whole!.status).toBe('exhausted');
    expect(receiver!.status).toBe('exhausted');
    expect(receiver!.stats.states).toBe(whole!.stats.states);
    expect(receiver!.stats.transitions).toBe(whole!.stats.transitions);
  });
});
