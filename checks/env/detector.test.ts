/**
 * The environment's failure detectors, initially-down nodes, crash-stop dead letters and the
 * environment parameters derived from a protocol's declaration (issue 13).
 *
 * The detector is shown on a two-node watch protocol: a server `s1` and a watcher `w1` whose
 * `watch` timer is a failure-detector timeout on `s1`. The transition property `accurate` says
 * that a suspicion never falls on a running, reachable server; the checker must find it broken
 * exactly when the detector may make mistakes.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { InputError, instantiate, type TransitionProperty } from '../../impl/core/machine.ts';
import { defineProtocol, envMachine, envParams, S, type EnvAction, type EnvConfig, type EnvState, type SchemaTypes } from '../../impl/env/index.ts';
import { applicableEnvParams } from '../../impl/env/params.ts';
import { blocks } from '../../impl/env/partition.ts';
import { echoProtocol } from '../../impl/echo/echo.ts';
import { makeEcho } from '../../specs/models/echo.ts';
import { twoPCProtocol } from '../../impl/commit/twopc.ts';
import { twoPCModel } from '../../specs/models/twopc.ts';
import { paxosModel } from '../../specs/models/paxos.ts';
import { runCli } from '../cli/testing.ts';
import { enabledLabels, exploreBoth, traceOf } from './helpers.ts';

const watchSchema = {
  durable: S.record({ suspicions: S.int(0, 3) }),
  volatile: S.record({}),
  msg: S.union('type', { Beat: {} }),
};
interface WatchTypes extends SchemaTypes<typeof watchSchema> {
  readonly timer: 'watch';
}
type WatchState = EnvState<WatchTypes>;
type WatchAction = EnvAction<WatchTypes>;

const SERVER = 1;
const WATCHER = 2;
const watchProtocol = defineProtocol<WatchTypes>({
  name: 'watch',
  schema: watchSchema,
  roles: { server: { count: 1, prefix: 's' }, watcher: { count: 1, prefix: 'w', crashes: false } },
  timers: ['watch'],
  detector: { watch: () => [SERVER] },
  init: (ctx) => ({ durable: { suspicions: 0 }, volatile: {}, effects: ctx.self === WATCHER ? [ctx.setTimer('watch')] : [] }),
  onRestart: (_ctx, durable) => ({ durable, volatile: {} }),
  onMessage: (_ctx, node) => node,
  // Suspect, and watch again (at most three suspicions: the state space stays finite).
  onTimer: (ctx, node) => {
    const suspicions = node.durable.suspicions + 1;
    return { durable: { suspicions }, volatile: {}, effects: suspicions < 3 ? [ctx.setTimer('watch')] : [] };
  },
});

/** A suspicion never falls on a running server that can reach the watcher. */
const accurate: TransitionProperty<WatchState, WatchAction> = {
  name: 'accurate',
  check: (prev, a) =>
    a.type !== 'suspect' || !prev.nodes[SERVER - 1]!.up || blocks(prev.partition, SERVER, WATCHER) || 'w1 suspected s1 while it was up and reachable',
};
/** After the detector stabilized, it suspects only down or cut-off servers. */
const accurateAfterStabilizing: TransitionProperty<WatchState, WatchAction> = {
  name: 'accurate-after-stabilizing',
  check: (prev, a) => {
    const stable = prev.used.falseSuspicions >= 1; // the budget of these runs is 1: spent or forfeited
    return !stable || accurate.check(prev, a, prev) === true || 'a false suspicion after the detector stabilized';
  },
};
const watch = (config: Partial<EnvConfig>) => envMachine(watchProtocol, config, { properties: [accurate, accurateAfterStabilizing] });

describe('failure detectors', () => {
  it('perfect: suspects only a down server, labelled with the reason; accuracy holds on every path', () => {
    const m = watch({ crashes: 1 });
    expect(enabledLabels(m, m.init()[0]!)).toEqual(['crash s1']); // up and reachable: no suspicion
    const t = traceOf(m, ['crash s1', 'suspect s1 → w1 (s1 down)']);
    expect(t.steps[1]!.state.nodes[WATCHER - 1]!.durable.suspicions).toBe(1);
    const r = exploreBoth(m);
    expect(r.status).toBe('exhausted');
    // The initial state; s1 down with 0..3 suspicions; s1 restarted with 0..3 (crash budget spent).
    expect(r.stats.states).toBe(9);
  });

  it('perfect: a partition that cuts the server off from the watcher makes it suspected too', () => {
    const m = watch({ partitions: 1 });
    const t = traceOf(m, ['partition {s1} | {w1}', 'suspect s1 → w1 (s1 cut off)']);
    expect(t.steps).toHaveLength(2);
    expect(exploreBoth(m).status).toBe('exhausted');
  });

  it('unreliable: a false suspicion is found, spends the budget, and the budget bounds them', () => {
    const m = watch({ detector: 'unreliable', falseSuspicions: 1 });
    const r = exploreBoth(m, { checks: ['accurate'] });
    expect(r.status).toBe('violation');
    expect(r.violation!.trace.steps.map((s) => m.formatAction(s.action))).toEqual(['suspect s1 → w1 (s1 false)']);
    const after = r.violation!.trace.steps[0]!.state;
    expect(after.used.falseSuspicions).toBe(1);
    expect(m.view(after).budgets).toMatchObject({ falseSuspicions: '1/1' });
    expect(enabledLabels(m, after)).toEqual([]); // budget spent: no more false suspicions, and no stabilize
  });

  it('eventually perfect: false suspicions only before it stabilizes, and none after', () => {
    const m = watch({ detector: 'eventually-perfect', falseSuspicions: 1, crashes: 1 });
    const s0 = m.init()[0]!;
    expect(enabledLabels(m, s0)).toEqual(['suspect s1 → w1 (s1 false)', 'crash s1', 'stabilize (the failure detector is accurate from now on)']);
    const t = traceOf(m, ['stabilize (the failure detector is accurate from now on)']);
    expect(enabledLabels(m, t.steps[0]!.state)).toEqual(['crash s1']);
    // Accuracy fails (before stabilization), accuracy after stabilization holds on every path.
    expect(exploreBoth(m, { checks: ['accurate'] }).status).toBe('violation');
    expect(exploreBoth(m, { checks: ['accurate-after-stabilizing'] }).status).toBe('exhausted');
    // The unreliable detector has no such point: its false suspicion may come after a crash and restart.
    expect(exploreBoth(watch({ detector: 'unreliable', falseSuspicions: 1, crashes: 1 }), { checks: ['accurate'] }).status).toBe('violation');
  });

  it('a replayed suspect action that the detector would not make now is not enabled', () => {
    const m = watch({ crashes: 1 });
    const fake: WatchAction = { type: 'suspect', node: WATCHER, timer: 'watch', peers: [{ id: SERVER, why: 'down' }] };
    expect(() => m.step(m.init()[0]!, fake)).toThrow(/not enabled/);
  });

  it('bad detector configurations are input errors', () => {
    expect(() => watch({ falseSuspicions: 1 })).toThrow(/falseSuspicions needs detector=eventually-perfect or unreliable/);
    expect(() => watch({ detector: 'sometimes' as EnvConfig['detector'] })).toThrow(InputError);
  });
});

describe('initially-down nodes', () => {
  it('start down (the last nodes that may crash), count as crashes spent, and restart through onRestart', () => {
    const m = makeEcho({ nodes: 3, requests: 1, crashes: 1, initiallyDown: 1 });
    const s0 = m.init()[0]!;
    expect(s0.nodes.map((n) => n.up)).toEqual([true, true, false]);
    expect(s0.used.crashes).toBe(1);
    const labels = enabledLabels(m, s0);
    expect(labels).toContain('restart n3');
    expect(labels.some((l) => l.startsWith('crash'))).toBe(false); // the budget is spent
    expect(traceOf(m, ['restart n3']).steps[0]!.state.nodes[2]!.up).toBe(true);
  });

  it('needs a crash budget and maxDown for them, and nodes that may crash', () => {
    expect(() => makeEcho({ nodes: 3, crashes: 0, initiallyDown: 1 })).toThrow(/needs crashes >= 1/);
    expect(() => makeEcho({ nodes: 3, crashes: 2, maxDown: 1, initiallyDown: 2 })).toThrow(/needs maxDown >= 2/);
    expect(() => watch({ crashes: 2, maxDown: 2, initiallyDown: 2 })).toThrow(/only 1 node\(s\) of watch may crash/);
  });

  it("a role's maxDown bounds how many of its nodes are down at once", () => {
    const m = makeEchoRoles();
    const r = explore(m);
    expect(r.status).toBe('exhausted');
    // Never two replicas down at once, though the global maxDown would allow it.
    const t = traceOf(m, ['crash r1']);
    expect(enabledLabels(m, t.steps[0]!.state).filter((l) => l.startsWith('crash'))).toEqual([]);
  });
});

/** Echo with two replica roles' worth of nodes, at most one of them down at once. */
function makeEchoRoles() {
  const base = echoProtocol();
  return envMachine({ ...base, roles: { replica: { count: 2, prefix: 'r', maxDown: 1 } } }, { crashes: 2, maxDown: 2, requests: 0 });
}

describe('crash-stop dead letters', () => {
  it('a crash removes the messages to the crashed node, and traces say so', () => {
    const m = makeEcho({ nodes: 2, requests: 1, crashes: 1, restarts: false });
    const t = traceOf(m, ['request n1 ping n2', 'crash n2 (for good)']);
    expect(t.steps[0]!.state.net).toHaveLength(1);
    expect(t.steps[1]!.state.net).toHaveLength(0);
    const events = m.events(t.steps[0]!.state, t.steps[1]!.action, t.steps[1]!.state);
    expect(events).toEqual([
      { kind: 'crash', node: 'n2' },
      expect.objectContaining({ kind: 'drop', from: 'n1', to: 'n2', label: 'Ping(seq=1) (dead letter: n2 is down for good)' }),
    ]);
  });

  it('a message sent to a node that is down for good is discarded at once', () => {
    const m = makeEcho({ nodes: 2, requests: 1, crashes: 1, restarts: false });
    const t = traceOf(m, ['crash n2 (for good)', 'request n1 ping n2']);
    expect(t.steps[1]!.state.net).toEqual([]);
    expect(m.events(t.steps[0]!.state, t.steps[1]!.action, t.steps[1]!.state).map((e) => e.kind)).toEqual(['local', 'send', 'drop']);
    // With restarts, mail waits for the node.
    const rec = makeEcho({ nodes: 2, requests: 1, crashes: 1 });
    expect(traceOf(rec, ['crash n2', 'request n1 ping n2']).steps[1]!.state.net).toHaveLength(1);
  });
});

describe('environment parameters derived from the protocol', () => {
  it('a protocol offers only the parameters its declaration uses', () => {
    expect(applicableEnvParams(watchProtocol)).toEqual(['delivery', 'crashes', 'maxDown', 'restarts', 'initiallyDown', 'drops', 'duplicates', 'partitions', 'partitionGroups', 'oneWay', 'timeouts', 'detector', 'falseSuspicions']);
    expect(Object.keys(envParams(echoProtocol(), { nodes: 2 }))).toEqual(['nodes', 'delivery', 'crashes', 'maxDown', 'restarts', 'initiallyDown', 'drops', 'duplicates', 'partitions', 'partitionGroups', 'oneWay', 'requests', 'timeouts', 'symmetry']);
    // No node may crash: no crash parameters.
    const steady = { ...watchProtocol, roles: { server: { count: 1, prefix: 's', crashes: false }, watcher: { count: 1, prefix: 'w', crashes: false } } };
    expect(applicableEnvParams(steady)).not.toContain('crashes');
  });

  it('the models list the right set: twopc has a detector and no clocks, paxos no detector and no timers', () => {
    const twopc = Object.keys(twoPCModel.params);
    expect(twopc).toEqual(expect.arrayContaining(['detector', 'falseSuspicions', 'timeouts', 'crashes', 'symmetry']));
    for (const k of ['nodes', 'requests', 'maxClock', 'maxSkew']) expect(twopc).not.toContain(k);
    expect(Object.keys(envParams(twoPCProtocol(2), {}))).not.toContain('maxSkew');
    const paxos = Object.keys(paxosModel.params);
    for (const k of ['detector', 'falseSuspicions', 'timeouts', 'requests', 'maxClock', 'nodes']) expect(paxos).not.toContain(k);
    expect(() => instantiate(twoPCModel, { maxSkew: 1 })).toThrow(/unknown parameter 'maxSkew'/);
  });

  it("the CLI rejects a parameter that does not apply: one line, exit 2 ('dscheck check twopc -p maxSkew=1')", async () => {
    const r = await runCli('check', 'twopc', '-p', 'maxSkew=1');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/unknown parameter 'maxSkew'/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('the detector parameters reach the machine: twopc with an unreliable detector is still safe', () => {
    const { machine } = instantiate(twoPCModel, { participants: 2, crashes: 0, detector: 'unreliable', falseSuspicions: 1 });
    const r = explore(machine);
    expect(r.status).toBe('exhausted');
    // A participant may now ask its peers while the coordinator is up: more states than with the perfect detector.
    expect(r.stats.states).toBeGreaterThan(explore(instantiate(twoPCModel, { participants: 2, crashes: 0 }).machine).stats.states);
  });
});
