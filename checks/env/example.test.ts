/**
 * The guide's example protocol (`impl/env/index.ts`, copied in `example.ts`) compiles, runs and
 * exercises local steps, ghost updates and broadcast; and the protocol types reject handlers
 * that do not fit.
 */
import { describe, expect, it } from 'vitest';
import { defineProtocol, envConfig, envMachine, envParams, ENV_DEFAULTS, type Protocol } from '../../impl/env/index.ts';
import { echoModel } from '../../specs/models/echo.ts';
import { echoProtocol } from '../../impl/echo/echo.ts';
import { instantiate, InputError } from '../../impl/core/machine.ts';
import { formatDiagram } from '../diagram.ts';
import { enabledLabels, exploreBoth, traceOf } from './helpers.ts';
import { forgetful, pingMachine, pingProtocol, type PingTypes } from './example.ts';

describe('the guide example', () => {
  it('explores, keeps its invariant and reaches its witness', () => {
    const r = exploreBoth(pingMachine);
    expect(r.status).toBe('exhausted');
    expect(r.witnesses).toEqual([{ name: 'pong', reached: true, depth: 3 }]);
    expect([r.stats.states, r.stats.transitions]).toEqual([13955, 54162]);
  });

  it('offers local steps, and they run', () => {
    const t = traceOf(pingMachine, ['request n1 {"to":2}']);
    const s = t.steps[0]!.state;
    expect(enabledLabels(pingMachine, s)).toContain('local n1 give-up');
    const after = traceOf(pingMachine, ['request n1 {"to":2}', 'local n1 give-up']).steps[1]!.state;
    expect(pingMachine.view(after).nodes.n1).toEqual({ up: true, durable: { seq: 1 }, volatile: { waiting: null }, timers: [] });
  });

  it('ghost effects update the ghost record, invisible to nodes', () => {
    const t = traceOf(pingMachine, ['request n1 {"to":2}', 'deliver n1→n2 Ping(seq=1)', 'deliver n2→n1 Pong(seq=1)']);
    expect(t.steps.map((s) => s.state.ghost.pongs)).toEqual([0, 0, 1]);
  });

  it('the variant overrides one handler', () => {
    const m = envMachine(forgetful, { nodes: 2, crashes: 1, requests: 1 });
    const s = traceOf(m, ['request n1 {"to":2}', 'crash n1', 'restart n1']).steps[2]!.state;
    expect(s.nodes[0]!.durable.seq).toBe(0);
  });
});

describe('broadcast and notes', () => {
  interface GossipTypes {
    readonly durable: { readonly heard: boolean };
    readonly volatile: null;
    readonly msg: { readonly type: 'Rumor' };
    readonly local: 'start';
  }
  const gossip = defineProtocol<GossipTypes>({
    name: 'gossip',
    init: () => ({ durable: { heard: false }, volatile: null }),
    onRestart: (_ctx, durable) => ({ durable, volatile: null }),
    localActions: (ctx, node) => (ctx.self === 1 && !node.durable.heard ? ['start'] : []),
    onLocal: (ctx) => ({ durable: { heard: true }, volatile: null, effects: [ctx.broadcast({ type: 'Rumor' }), ctx.note('starts the rumor')] }),
    onMessage: (ctx, node) =>
      node.durable.heard ? node : { durable: { heard: true }, volatile: null, effects: [ctx.broadcast({ type: 'Rumor' })] },
  });

  it('broadcast sends to every peer in id order; the diagram shows it', () => {
    const m = envMachine(gossip, { nodes: 3 });
    const t = traceOf(m, ['local n1 start', 'deliver n1→n3 Rumor']);
    expect(m.view(t.steps[1]!.state).network).toEqual(['n1→n2 Rumor', 'n3→n1 Rumor', 'n3→n2 Rumor']);
    expect(formatDiagram(m, t)).toBe(
      [
        'step  n1   n2   n3',
        '   0  │    │    │  initial state',
        '   1  ◆    │    │  n1: start',
        '      ●────▷    │  send n1→n2 Rumor',
        '      ●────┼────▷  send n1→n3 Rumor',
        '      ◆    │    │  n1: starts the rumor',
        '   2  ○╌╌╌╌┼╌╌╌╌▶  deliver n1→n3 Rumor (sent at 1)',
        '      ◁────┼────●  send n3→n1 Rumor',
        '      │    ◁────●  send n3→n2 Rumor',
      ].join('\n'),
    );
    const r = exploreBoth(m);
    expect([r.status, r.stats.states]).toEqual(['exhausted', 38]);
  });
});

describe('configuration', () => {
  it('fills defaults and rejects bad values', () => {
    expect(envConfig()).toEqual(ENV_DEFAULTS);
    expect(envConfig({ nodes: 5, crashes: 2 })).toMatchObject({ nodes: 5, crashes: 2, maxDown: 1, delivery: 'multiset' });
    expect(() => envConfig({ nodes: 0 })).toThrow(InputError);
    expect(() => envConfig({ nodes: 2, maxDown: 3 })).toThrow(/maxDown/);
    expect(() => envConfig({ timeouts: -2 })).toThrow(/timeouts/);
    const { symmetry: _declared, ...asymmetric } = pingProtocol;
    expect(() => envMachine(asymmetric as typeof pingProtocol, { symmetry: true })).toThrow(/does not declare symmetry/);
  });

  it('gives a parameter schema with the model defaults, and the model builds from it', () => {
    const schema = envParams(echoProtocol(), { nodes: 2, delivery: 'fifo' });
    expect(schema.nodes?.default).toBe(2);
    expect(schema.delivery).toMatchObject({ kind: 'enum', default: 'fifo', values: ['multiset', 'fifo'] });
    const { params, machine } = instantiate(echoModel, { nodes: 3, drops: 1, bug: 'volatile-seq' });
    expect(params).toMatchObject({ nodes: 3, drops: 1, crashes: 1, delivery: 'fifo', retry: false, bug: 'volatile-seq' });
    expect(machine.nodes?.()).toEqual(['n1', 'n2', 'n3']);
    expect(() => instantiate(echoModel, { delivery: 'lifo' })).toThrow(InputError);
  });
});

describe('the protocol types reject what does not fit', () => {
  it('(checked by tsc: each @ts-expect-error must be an error)', () => {
    // A protocol that declares timers must handle them.
    // @ts-expect-error onTimer is missing
    const noTimer: Protocol<PingTypes> = { ...pingProtocol, onTimer: undefined };
    // Messages are typed by the protocol.
    const badSend: Protocol<PingTypes> = {
      ...pingProtocol,
      // @ts-expect-error 'Pang' is not a message of PingTypes
      onTimer: (ctx, node) => ({ ...node, effects: [ctx.send(2, { type: 'Pang', seq: 1 })] }),
    };
    const badTimer: Protocol<PingTypes> = {
      ...pingProtocol,
      // @ts-expect-error 'election' is not a timer of PingTypes
      onTimer: (ctx, node) => ({ ...node, effects: [ctx.setTimer('election')] }),
    };
    expect([noTimer, badSend, badTimer].length).toBe(3);
  });
});
