/**
 * The schema's label hook (`S.labelled`, `S.inline`, the request schema): labels replace a
 * value's plain JSON in the derived views and the derived message and request labels, and change
 * nothing else (encoding, renaming, signature, validation are the unlabelled schema's). A label
 * names node ids through `at.name`, so a renamed state shows the renamed names.
 */
import { describe, expect, it } from 'vitest';
import { WordBuffer } from '../../impl/core/encode.ts';
import { compile, S, type Infer } from '../../impl/env/schema.ts';
import { defineProtocol, envMachine, type EnvState, type SchemaTypes } from '../../impl/env/index.ts';
import { traceOf } from './helpers.ts';

const BallotPlain = S.record({ round: S.int(0, 7), node: S.node() });
const Ballot = S.labelled(BallotPlain, (b, at) => `${b.round}.${at.name(b.node)}`);

describe('labels in the derived view', () => {
  const names = (id: number) => `r${id}`;
  it('a labelled value views as its label, and a labelled field inside a record as a string', () => {
    const c = compile(S.record({ promised: Ballot, accepted: S.optional(Ballot), count: S.int(0, 3) }), { n: 3, name: names });
    expect(c.view({ promised: { round: 2, node: 3 }, accepted: null, count: 1 })).toEqual({ promised: '2.r3', accepted: null, count: 1 });
    expect(c.view({ promised: { round: 0, node: 1 }, accepted: { round: 4, node: 2 }, count: 0 })).toEqual({ promised: '0.r1', accepted: '4.r2', count: 0 });
  });

  it('only the view changes: encoding, decoding, signature and validation are the unlabelled schema', () => {
    const plain = compile(S.list(BallotPlain, 4), { n: 3 });
    const labelled = compile(S.list(Ballot, 4), { n: 3 });
    const values: Infer<typeof BallotPlain>[][] = [[], [{ round: 1, node: 2 }], [{ round: 7, node: 3 }, { round: 0, node: 1 }]];
    for (const v of values) {
      const a = new WordBuffer();
      const b = new WordBuffer();
      plain.encode(v, a);
      labelled.encode(v, b);
      expect(b.len).toBeGreaterThan(0);
      expect(Array.from(b.raw.slice(0, b.len))).toEqual(Array.from(a.raw.slice(0, a.len)));
      expect(labelled.decode(b.raw, { pos: 0 })).toEqual(v);
      expect(labelled.signature(v)).toBe(plain.signature(v));
    }
    expect(labelled.validate([{ round: 8, node: 1 }])?.message).toBe(plain.validate([{ round: 8, node: 1 }])?.message);
    expect(labelled.validate([{ round: 8, node: 1 }])).not.toBeNull();
  });

  it('renaming maps the node ids inside a labelled value: the view shows the renamed name', () => {
    const c = compile(S.record({ b: Ballot, votes: S.list(Ballot, 3) }), { n: 3 });
    const v = { b: { round: 1, node: 1 }, votes: [{ round: 2, node: 3 }] };
    // n1 → n2, n2 → n3, n3 → n1.
    const perm = [0, 2, 3, 1];
    const r = c.rename(v, (id) => perm[id]!);
    expect(c.view(v)).toEqual({ b: '1.n1', votes: ['2.n3'] });
    expect(c.view(r)).toEqual({ b: '1.n2', votes: ['2.n1'] });
  });

  it('at.show composes labels, at.node and at.index say where a value sits, undefined falls back to the plain view', () => {
    const Event = S.labelled(S.union('kind', { tick: { b: Ballot }, note: { x: S.int(0, 3) } }), (e, at) =>
      e.kind === 'tick' ? `${at.name(at.node!)}#${at.index} saw ${at.show(Ballot, e.b)}` : undefined,
    );
    const c = compile(S.perNode(S.list(Event, 3)), { n: 2 });
    const v = [[{ kind: 'tick' as const, b: { round: 1, node: 2 } }, { kind: 'note' as const, x: 3 }], [{ kind: 'tick' as const, b: { round: 0, node: 1 } }]];
    expect(c.view(v)).toEqual({ n1: ['n1#0 saw 1.n2', { kind: 'note', x: 3 }], n2: ['n2#0 saw 0.n1'] });
  });

  it('S.inline spreads a field\'s object view into its record; a field whose view is not an object stays under its name', () => {
    const c = compile(S.record({ procs: S.inline(S.perNode(S.int(0, 3))), total: S.int(0, 9), tags: S.inline(S.list(S.int(0, 3))) }), { n: 2 });
    expect(c.view({ procs: [1, 2], total: 3, tags: [0] })).toEqual({ n1: 1, n2: 2, total: 3, tags: [0] });
  });
});

// A two-node protocol whose data carries node ids inside labelled values.
const schema = {
  durable: S.record({ promised: Ballot }),
  volatile: S.record({}),
  msg: S.union('type', {
    Prepare: { b: Ballot },
    Ack: { b: Ballot, from: S.node() },
  }),
  ghost: S.record({ seen: S.list(Ballot, 4) }),
  request: S.labelled(S.record({ round: S.int(1, 7) }), (r) => `prepare round ${r.round}`),
};
type LabelTypes = SchemaTypes<typeof schema> & { readonly request: { readonly round: number } };
const proto = defineProtocol<LabelTypes>({
  name: 'labels',
  schema,
  symmetry: {},
  initGhost: { seen: [] },
  init: (ctx) => ({ durable: { promised: { round: 0, node: ctx.self } }, volatile: {} }),
  onRestart: (_ctx, durable) => ({ durable, volatile: {} }),
  requests: [{ round: 1 }],
  onClientRequest: (ctx, node, req) => ({
    durable: { promised: { round: req.round, node: ctx.self } },
    volatile: {},
    effects: [ctx.broadcast({ type: 'Prepare', b: { round: req.round, node: ctx.self } })],
  }),
  onMessage: (ctx, node, msg) =>
    msg.type === 'Prepare'
      ? { durable: { promised: msg.b }, volatile: {}, effects: [ctx.ghost((g) => ({ seen: [...g.seen, msg.b] }))] }
      : node,
});

describe('labels in an environment machine', () => {
  const m = envMachine(proto, { nodes: 2, requests: 1 });
  const t = traceOf(m, ['request n2 prepare round 1', 'deliver n2→n1 Prepare(b=1.n2)']);
  const last = t.steps[t.steps.length - 1]!.state as EnvState<LabelTypes>;

  it('the request label comes from the request schema, the message label from the labelled field', () => {
    expect(t.steps.map((s) => m.formatAction(s.action))).toEqual(['request n2 prepare round 1', 'deliver n2→n1 Prepare(b=1.n2)']);
  });

  it('the node views and the ghost view show the labels', () => {
    const v = m.view(last) as { nodes: Record<string, { durable: unknown }>; ghost: unknown };
    expect(v.nodes['n1']!.durable).toEqual({ promised: '1.n2' });
    expect(v.nodes['n2']!.durable).toEqual({ promised: '1.n2' });
    expect(v.ghost).toEqual({ seen: ['1.n2'] });
  });

  it('a renamed state shows the renamed node inside every labelled value', () => {
    const r = m.rename(last, [0, 2, 1]);
    const v = m.view(r) as { nodes: Record<string, { durable: unknown }>; ghost: unknown };
    expect(v.nodes['n1']!.durable).toEqual({ promised: '1.n1' });
    expect(v.nodes['n2']!.durable).toEqual({ promised: '1.n1' });
    expect(v.ghost).toEqual({ seen: ['1.n1'] });
  });

  it('a labelled message union prints its label as the message label; undefined falls back to the default', () => {
    const msg = S.labelled(schema.msg, (x, at) => (x.type === 'Prepare' ? `P${x.b.round}@${at.name(x.b.node)}` : undefined));
    const m2 = envMachine({ ...proto, schema: { ...schema, msg } }, { nodes: 2, requests: 1 });
    const t2 = traceOf(m2, ['request n1 prepare round 1', 'deliver n1→n2 P1@n1']);
    expect(t2.steps).toHaveLength(2);
    expect(m2.formatMessage({ type: 'Ack', b: { round: 2, node: 2 }, from: 1 })).toBe('Ack(b=2.n2, from=n1)');
  });
});

describe('the local schema', () => {
  const local = S.labelled(S.record({ round: S.int(1, 7) }), (a) => `bump to round ${a.round}`);
  type LocalTypes = LabelTypes & { readonly local: { readonly round: number } };
  const withLocal = (lschema: typeof local | undefined) =>
    defineProtocol<LocalTypes>({
      ...(proto as unknown as Parameters<typeof defineProtocol<LocalTypes>>[0]),
      schema: lschema ? { ...schema, local: lschema } : schema,
      localActions: (_ctx, node) => (node.durable.promised.round < 2 ? [{ round: 2 }] : []),
      onLocal: (ctx, _node, a) => ({ durable: { promised: { round: a.round, node: ctx.self } }, volatile: {} }),
    });

  it('derives the local step label from the local schema, and falls back to plain JSON without one', () => {
    const m = envMachine(withLocal(local), { nodes: 2, requests: 0 });
    expect(traceOf(m, ['local n1 bump to round 2']).steps).toHaveLength(1);
    const plain = envMachine(withLocal(undefined), { nodes: 2, requests: 0 });
    expect(traceOf(plain, ['local n1 {"round":2}']).steps).toHaveLength(1);
  });
});
