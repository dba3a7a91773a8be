/**
 * `--deadlock` on the environment: a state that only the spent timeouts budget stops (a running
 * node waits on an armed timer, which would fire) is where the bound ends the run, not a
 * deadlock. A state where nothing would go on whatever the budgets is one.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { defineProtocol, envMachine, S, type SchemaTypes } from '../../impl/env/index.ts';
import { lastState } from '../../impl/core/trace.ts';
import { instantiate } from '../../impl/core/machine.ts';
import { sagaModel } from '../../specs/models/delivery.ts';

const schema = { durable: S.record({ waits: S.bool() }), volatile: S.record({}), msg: S.union('type', { Nudge: {} }) };
interface Types extends SchemaTypes<typeof schema> {
  readonly timer: 'retry';
  readonly request: { readonly go: true };
  readonly local: never;
}

/**
 * One node, one request: it starts waiting and arms `retry`. `rearm`: each retry arms the timer
 * again (a node that would retry forever); otherwise the first retry gives up waiting for good
 * without re-arming, and the node is stuck: nothing will ever happen again, and it still waits.
 */
function waiter(rearm: boolean) {
  const protocol = defineProtocol<Types>({
    name: 'waiter',
    schema,
    timers: ['retry'],
    init: () => ({ durable: { waits: false }, volatile: {} }),
    onRestart: (_ctx, durable) => ({ durable, volatile: {} }),
    requests: () => [{ go: true }],
    onClientRequest: (ctx, node) => ({ durable: { waits: true }, volatile: node.volatile, effects: [ctx.setTimer('retry')] }),
    onMessage: (_ctx, node) => node,
    onTimer: (ctx, node) => ({ ...node, effects: rearm ? [ctx.setTimer('retry')] : [] }),
  });
  // A proper end: nobody waits.
  return envMachine(protocol, { nodes: 1, requests: 1, timeouts: 2 }, { isTerminal: (s) => s.nodes.every((n) => !n.durable.waits) });
}

describe('--deadlock and the timeouts budget', () => {
  it('a node left waiting on an armed timer when the budget is spent is not a deadlock (BFS and random)', () => {
    const m = waiter(true);
    expect(explore(m, { deadlock: true }).status).toBe('exhausted');
    expect(checkRandom(m, { deadlock: true, seed: 1, runs: 50, maxSteps: 10 }).status).not.toBe('violation');
    // The end state: still waiting, the timer armed, the budget spent.
    const end = explore(m).stats.states;
    expect(end).toBe(4); // idle, waiting with 0, 1 and 2 retries spent
  });

  it('a node left waiting with no timer armed is a deadlock, found by BFS and random', () => {
    const m = waiter(false);
    const r = explore(m, { deadlock: true });
    expect(r.status).toBe('violation');
    expect(r.violation!.kind).toBe('deadlock');
    const s = lastState(r.violation!.trace);
    expect(s.nodes[0]!.durable.waits).toBe(true);
    expect(s.nodes[0]!.timers).toBe(0);
    expect(s.used.timeouts).toBeLessThan(2); // not the budget: nothing is armed
    expect(checkRandom(m, { deadlock: true, seed: 1, runs: 50, maxSteps: 10 }).status).toBe('violation');
  });

  it('the correct saga has no deadlock with its default bounds (its retries stop at the budget)', () => {
    const { machine: m } = instantiate(sagaModel);
    const r = explore(m, { deadlock: true });
    expect(r.status).toBe('exhausted');
    // And some of its ends are exactly that: the orchestrator waits on its retry timer.
    let budgetEnds = 0;
    const seen = new Set<string>();
    const walk = (s: unknown, depth: number): void => {
      const key = JSON.stringify((m as { view(s: unknown): unknown }).view(s));
      if (seen.has(key) || depth > 30) return;
      seen.add(key);
      const acts = m.actions(s);
      if (acts.length === 0 && (s as { nodes: { timers: number }[] }).nodes.some((n) => n.timers !== 0)) budgetEnds++;
      for (const a of acts) walk(m.step(s, a), depth + 1);
    };
    walk(m.init()[0], 0);
    expect(budgetEnds).toBeGreaterThan(0);
  });
});
