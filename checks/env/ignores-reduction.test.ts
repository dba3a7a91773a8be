/**
 * The reduction of messages declared ignored (`protocol.ignores`, the `reduceIgnored` switch) is
 * sound: for every catalogue model whose protocol declares `ignores`, and for every known-bug
 * variant of it (with the variant's own configuration), the reduced and the unreduced
 * breadth-first searches give the same verdict. The guide's ping protocol with a stale-Pong
 * declaration is checked the same way, so the comparison always has a subject.
 *
 * Where the reduction applies, the runners skip stutter steps (`Machine.stutters`: deliveries of
 * messages declared ignored that lead back to a visited state). Skipping them changes nothing:
 * the same states, transitions, verdicts and traces as taking every step.
 */
import { describe, expect, it } from 'vitest';
import { explore, type ExploreStats } from '../exhaustive.ts';
import type { CheckResult } from '../../impl/core/result.ts';
import { instantiate, variantOverrides, type AnyMachine, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import { envMachine, type EnvConfig, type Protocol } from '../../impl/env/index.ts';
import type { EnvMachine } from '../../impl/env/machine.ts';
import { CATALOGUE } from '../../specs/models/catalogue.ts';
import { pingProtocol, type PingTypes } from './example.ts';
import { reachable, traceOf } from './helpers.ts';
import { labelOf } from '../../impl/core/trace.ts';

/** The verdict of a breadth-first search: status, and the first violation's name and length. */
function verdict(m: AnyMachine): string {
  const r = explore(m, { maxStates: 2_000_000 });
  return `${r.status}${r.violation ? ` ${r.violation.name} in ${r.violation.trace.steps.length}` : ''}`;
}

/** Depth of the catalogue comparison: unreduced searches of the real models grow too fast beyond it. */
const CATALOGUE_DEPTH = 10;

/** The verdict of a BFS to `depth`: the first violation (check and length), or none; never cut by states. */
function verdictTo(m: AnyMachine, depth: number): string {
  const r = explore(m, { maxDepth: depth, maxStates: 5_000_000 });
  if (r.bound !== undefined && r.bound.kind !== 'depth') throw new Error(`${m.name}: cut by ${r.bound.kind} before depth ${depth}`);
  return r.violation ? `${r.violation.name} in ${r.violation.trace.steps.length}` : 'none';
}

/** The machine a model builds for these parameters, as an environment machine (or undefined). */
function envOf(m: AnyMachine): EnvMachine<PingTypes> | undefined {
  const e = m as Partial<EnvMachine<PingTypes>>;
  return e.config !== undefined && e.protocol !== undefined ? (m as unknown as EnvMachine<PingTypes>) : undefined;
}

/** A Pong the node has moved past: its seq is below the node's, or equal while the node no longer waits for that peer. */
const stale = (node: { readonly durable: PingTypes['durable']; readonly volatile: PingTypes['volatile'] | null }, msg: PingTypes['msg'], from: number): boolean =>
  msg.type === 'Pong' && (msg.seq < node.durable.seq || (msg.seq === node.durable.seq && (node.volatile === null || node.volatile.waiting !== from)));

const ignoring: Protocol<PingTypes> = { ...pingProtocol, ignores: (_ctx, node, msg, from) => stale(node, msg, from) };

/** Every catalogue model whose protocol declares `ignores` or `ignoresAtReceiver`, with each of its variants ('none' first) and their parameters. */
async function* ignoringVariants(): AsyncGenerator<{ readonly model: AnyModel; readonly bug: string; readonly params: Record<string, ParamValue> }> {
  for (const entry of CATALOGUE) {
    const model: AnyModel = await entry.load();
    const first = envOf(instantiate(model).machine);
    if (first === undefined || (first.protocol.ignores === undefined && first.protocol.ignoresAtReceiver === undefined)) continue;
    for (const bug of ['none', ...Object.keys(model.bugs)]) yield { model, bug, params: instantiate(model, variantOverrides(model, { bug }).overrides).params };
  }
}

describe('reduced and unreduced searches agree (ignored messages)', () => {
  it('the guide protocol with an ignores() declaration: same verdict, fewer states', () => {
    const cfg: Partial<EnvConfig> = { nodes: 3, crashes: 1, requests: 2, duplicates: 1 };
    const reduced = envMachine(ignoring, cfg, { invariants: [{ name: 'pongs-bounded', check: (s) => s.ghost.pongs <= s.used.requests + 1 || 'too many pongs' }] });
    const plain = envMachine(ignoring, { ...cfg, reduceIgnored: false }, { invariants: reduced.invariants ?? [] });
    expect(plain.config.reduceIgnored).toBe(false);
    expect(verdict(reduced)).toBe(verdict(plain));
    expect(explore(reduced).stats.states).toBeLessThan(explore(plain).stats.states);
  });

  it('every catalogue model that declares ignores() or ignoresAtReceiver(): every known-bug variant, same verdict both ways', async () => {
    const users: string[] = [];
    for await (const { model, bug, params } of ignoringVariants()) {
      if (bug === 'none') users.push(model.name);
      const reduced = model.build({ ...params, reduceIgnored: true });
      const plain = model.build({ ...params, reduceIgnored: false });
      // The switch must reach the machine, or the comparison would compare a search with itself.
      expect(envOf(plain)?.config.reduceIgnored, `${model.name} passes reduceIgnored to the environment`).toBe(false);
      // Breadth-first to the same depth, both ways: the same first violation, or none.
      expect(verdictTo(reduced, CATALOGUE_DEPTH), `${model.name} bug=${bug}`).toBe(verdictTo(plain, CATALOGUE_DEPTH));
    }
    // Which models use the reduction (raft does once its port lands; commit models remove dead
    // letters in the environment instead). The list is printed so a change is visible.
    console.log(`models declaring ignores(): ${users.join(', ') || 'none'}`);
    // The models ported onto ignores() are among them (a test that compared nothing would pass).
    expect(users).toEqual(expect.arrayContaining(['raft', 'abd', 'dynamo']));
  });
});

/** What a search found and how far it went (every field skipping stutters must leave alone). */
function outcome(r: CheckResult<unknown, unknown, ExploreStats>): unknown {
  return {
    status: r.status,
    bound: r.bound?.kind,
    violation: r.violation ? { name: r.violation.name, steps: r.violation.trace.steps.map((x) => x.action) } : null,
    states: r.stats.states,
    transitions: r.stats.transitions,
    statesPerDepth: r.stats.statesPerDepth,
    witnesses: r.witnesses,
  };
}

/** `m` with its stutter test counted (`hits`), and `m` without one (every step taken). */
function stutterPair(m: AnyMachine): { counted: AnyMachine; without: AnyMachine; hits: () => number } {
  let hits = 0;
  const stutters = m.stutters!.bind(m);
  return {
    counted: { ...m, stutters: (s: unknown, a: unknown) => (stutters(s, a) ? (hits++, true) : false) } as AnyMachine,
    without: { ...m, stutters: undefined } as AnyMachine,
    hits: () => hits,
  };
}

describe('stutter steps are counted, not taken', () => {
  it('the guide protocol: the same search, breadth-first and depth-first, and stutters were skipped', () => {
    const cfg: Partial<EnvConfig> = { nodes: 3, crashes: 1, requests: 2, duplicates: 1 };
    const m = envMachine(ignoring, cfg) as unknown as AnyMachine;
    expect(m.stutters).toBeDefined();
    // No stutter test without the reduction: there every message is part of the state.
    expect((envMachine(ignoring, { ...cfg, reduceIgnored: false }) as unknown as AnyMachine).stutters).toBeUndefined();
    for (const mode of ['bfs', 'dfs'] as const) {
      const { counted, without, hits } = stutterPair(m);
      expect(outcome(explore(counted, { mode })), mode).toEqual(outcome(explore(without, { mode })));
      expect(hits(), mode).toBeGreaterThan(0);
    }
  });

  it('every catalogue model that declares ignores() or ignoresAtReceiver(): every known-bug variant, the same search both ways', async () => {
    const skipped: string[] = [];
    for await (const { model, bug, params } of ignoringVariants()) {
      const m = model.build(params);
      if (m.stutters === undefined) continue;
      const { counted, without, hits } = stutterPair(m);
      const opts = { maxDepth: CATALOGUE_DEPTH, maxStates: 5_000_000 };
      expect(outcome(explore(counted, opts)), `${model.name} bug=${bug}`).toEqual(outcome(explore(without, opts)));
      if (hits() > 0) skipped.push(`${model.name}${bug === 'none' ? '' : ` bug=${bug}`}`);
    }
    console.log(`stutters skipped in: ${skipped.join(', ')}`);
    // The comparison compared something: the ported models skip stutters in their default configuration.
    expect(skipped).toEqual(expect.arrayContaining(['raft', 'abd', 'dynamo']));
  });

  it("a declaration that reads the network: removing one message can change another's flag, and the search is still the same", () => {
    // Contrived on purpose: a stale Pong counts as ignored only while another stale Pong to the
    // same node is in flight, so delivering one of two makes the other count again. Stutter
    // detection must see that the declaration read the network (and then recompute the flags);
    // trusted mode, since the declaration breaks the must-stay-ignored rule that the check enforces.
    const pairs: Protocol<PingTypes> = {
      ...pingProtocol,
      ignores: (ctx, node, msg, from, state) =>
        stale(node, msg, from) && state.net.reduce((n, p) => n + (p.to === ctx.self && stale(node, p.msg, p.from) ? p.count : 0), 0) >= 2,
    };
    const m = envMachine(pairs, { nodes: 3, requests: 2, duplicates: 2, checkIgnored: false }) as unknown as AnyMachine;
    const { counted, without, hits } = stutterPair(m);
    expect(outcome(explore(counted))).toEqual(outcome(explore(without)));
    expect(hits()).toBeGreaterThan(0);
  });

  it('a delivery verdict that reads the network is checked again in the stutter successor', () => {
    // n2's handler, changed, answers a stale Pong with a Ping(seq=8) to n3, which the declaration
    // says is ignored only while a stale Pong to n1 is in flight. So with stale Pongs q (to n1)
    // and r (to n2) in flight, r is harmless; once q is delivered (a stutter), r is not. The
    // verdict read the network: the stutter test must check r again, in the successor.
    const changed: Protocol<PingTypes> = {
      ...pingProtocol,
      ignores: (_ctx, node, msg, from, state) =>
        stale(node, msg, from) ||
        (msg.type === 'Ping' && msg.seq === 8 && state.net.some((p) => p.to === 1 && stale(state.nodes[0]!, p.msg, p.from))),
      onMessage: (ctx, node, msg, from) =>
        ctx.self === 2 && stale(node, msg, from) ? { ...node, effects: [ctx.send(3, { type: 'Ping', seq: 8 })] } : pingProtocol.onMessage(ctx, node, msg, from),
    };
    const m = envMachine(changed, { nodes: 3, requests: 2, duplicates: 2 });
    const t = traceOf(m, [
      'request n1 {"to":2}', 'deliver n1→n2 Ping(seq=1)', 'duplicate n2→n1 Pong(seq=1)', 'deliver n2→n1 Pong(seq=1)',
      'request n2 {"to":3}', 'deliver n2→n3 Ping(seq=1)', 'duplicate n3→n2 Pong(seq=1)', 'deliver n3→n2 Pong(seq=1)',
    ]);
    const s = t.steps[t.steps.length - 1]!.state;
    expect(m.view(s).network).toEqual(['n2→n1 Pong(seq=1)', 'n3→n2 Pong(seq=1)']);
    const q = m.actions(s).find((a) => m.formatAction(a) === 'deliver n2→n1 Pong(seq=1)')!;
    expect(() => m.stutters!(s, q)).toThrow(/n2's onMessage handler, given Pong\(seq=1\) from n3 to n2 .*had an effect: send of a message its receiver does not ignore/);
  });

  it('every transition property declared stutterInvariant holds on the stutter steps of sampled states (each catalogue model, each variant)', async () => {
    let checked = 0;
    // (Only protocols that declare ignored messages have stutter steps.)
    for await (const { model, bug, params } of ignoringVariants()) {
      const m = model.build(params);
      const props = (m.properties ?? []).filter((p) => p.stutterInvariant === true);
      if (m.stutters === undefined || props.length === 0) continue;
      for (const s of reachable(m, 1_500)) {
        for (const a of m.actions(s)) {
          if (!m.stutters(s, a)) continue;
          const t = m.step(s, a);
          for (const p of props) expect(p.check(s, a, t), `${model.name} bug=${bug}: ${p.name} on ${labelOf(m, a)}`).toBe(true);
          checked++;
        }
      }
    }
    // Raft's four properties are declared so: the sample has stutter steps to show them.
    expect(checked).toBeGreaterThan(1_000);
  });

  it('ignores() is given something that reads like the state: spread, destructured, the same network', () => {
    const cfg: Partial<EnvConfig> = { nodes: 3, requests: 2, duplicates: 1 };
    let seen = 0;
    const spreading: Protocol<PingTypes> = {
      ...pingProtocol,
      ignores: (_ctx, node, msg, from, state) => {
        const copy = { ...state };
        expect(Object.keys(copy).sort()).toEqual(['ghost', 'net', 'nodes', 'partition', 'used']);
        const { net } = state;
        expect(copy.net).toBe(net);
        seen++;
        return stale(node, msg, from) && net.length > 0;
      },
    };
    const r = explore(envMachine(spreading, cfg));
    expect(outcome(r)).toEqual(outcome(explore(envMachine(ignoring, cfg))));
    expect(seen).toBeGreaterThan(0);
  });

  it('the messages declared ignored in an initial state are checked when it is built', () => {
    // Every node starts with a stale Pong (seq 0) in flight to n1, and the handler, changed,
    // counts every Pong: the declaration is wrong from the first state on.
    const changed: Protocol<PingTypes> = {
      ...ignoring,
      init: (ctx) => ({ durable: { seq: 0 }, volatile: { waiting: null }, effects: ctx.self === 1 ? [] : [ctx.send(1, { type: 'Pong', seq: 0 })] }),
      onMessage: (ctx, node, msg, from) =>
        msg.type === 'Pong' ? { ...node, effects: [ctx.ghost((g) => ({ pongs: Math.min(8, g.pongs + 1) }))] } : pingProtocol.onMessage(ctx, node, msg, from),
    };
    const m = envMachine(changed, { nodes: 3, requests: 1 });
    expect(() => m.init()).toThrow(/n1's onMessage handler, given Pong\(seq=0\) from n\d to n1 \(declared ignored by the protocol's ignores\(\)\), had an effect: ghost/);
  });
});
