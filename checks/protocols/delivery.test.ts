/**
 * Issue 19, delivery semantics: the pipeline (at-most-once / at-least-once with an idempotent
 * consumer), the transactional outbox, CDC and the saga. The correct models hold exhaustively
 * at pinned bounds and reach their witnesses; every known-bug variant is found by BFS with its
 * own configuration (pinned shortest trace) and by random mode's defaults; at-most-once's loss
 * is a reachable witness, and a real loss; each invariant no variant breaks is broken by a
 * test-only mutant, so none of them is vacuous.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { instantiate, variantOverrides, type AnyMachine, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import { formatTrace } from '../../impl/core/trace.ts';
import { envMachine } from '../../impl/env/machine.ts';
import type { Effect, Protocol, ProtocolTypes, Reaction } from '../../impl/env/types.ts';
import { outboxProtocol, type OutboxTypes } from '../../impl/delivery/outbox.ts';
import { cdcProtocol, type CdcTypes } from '../../impl/delivery/cdc.ts';
import { sagaProtocol, type SagaTypes } from '../../impl/delivery/saga.ts';
import { makeQueue, queueShape } from '../../impl/delivery/queue.ts';
import { recordEffect } from '../../impl/delivery/stream.ts';
import { queueInvariants } from '../../specs/delivery.ts';
import { cdcChecks, cdcModel, deliveryModel, outboxChecks, outboxModel, queueChecks, sagaChecks, sagaModel } from '../../specs/models/delivery.ts';
import { loadModel } from '../../specs/models/catalogue.ts';
import { checkModelRandom } from '../random/config.ts';

const MODELS = { delivery: deliveryModel, outbox: outboxModel, cdc: cdcModel, saga: sagaModel } as const;
const build = (model: AnyModel, p: Record<string, ParamValue> = {}): AnyMachine => instantiate(model, p).machine;

describe('the correct models hold exhaustively at pinned bounds and reach their witnesses', () => {
  it.each([
    ['delivery', {}, 1_890, 17],
    ['delivery', { mode: 'at-most-once' }, 64, 8],
    ['delivery', { requests: 2, timeouts: 1 }, 34_395, 21],
    ['delivery', { drops: 1, duplicates: 1 }, 60_135, 22],
    ['outbox', {}, 356, 14],
    ['outbox', { requests: 3, keys: 2, duplicates: 1 }, 22_488, 19],
    ['outbox', { requests: 2, delivery: 'fifo', drops: 1, timeouts: 2 }, 1_154, 16],
    ['cdc', {}, 436, 14],
    ['cdc', { requests: 3, keys: 2, duplicates: 1 }, 40_898, 20],
    ['saga', {}, 356, 14],
    ['saga', { steps: 3, crashes: 2, timeouts: 2, duplicates: 1 }, 85_410, 25],
  ] as const)('%s %o: %i states, diameter %i', (name, params, states, diameter) => {
    const model: AnyModel = MODELS[name];
    const { params: full, machine } = instantiate(model, params);
    const r = explore(machine);
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(states);
    expect(r.stats.diameter).toBe(diameter);
    // Every witness whose needs this configuration meets is reached: the model does something.
    for (const w of machine.sometimes ?? []) {
      const met = Object.entries(w.needs ?? {}).every(([k, v]) => (typeof v === 'number' ? (full[k] as number) >= v : full[k] === v));
      expect(r.witnesses.find((x) => x.name === w.name)?.reached, `${name} ${w.name}`).toBe(met);
    }
  }, 120_000);

  it('the four models are in the catalogue under their names', async () => {
    for (const [name, model] of Object.entries(MODELS)) expect(await loadModel(name)).toBe(model);
  });

  it('at-least-once claims both halves of exactly-once effect; at-most-once claims only no double charge', () => {
    expect(build(deliveryModel).invariants!.map((i) => i.name)).toEqual(['effect-at-most-once', 'effect-at-least-once']);
    expect(build(deliveryModel, { mode: 'at-most-once' }).invariants!.map((i) => i.name)).toEqual(['effect-at-most-once']);
  });
});

describe('at-most-once may lose effects: a reachable witness, and a real loss', () => {
  it('the loss witness is reached, and the same machine judged by the at-least-once claim fails with a lost charge', () => {
    const m = build(deliveryModel, { mode: 'at-most-once' });
    const r = explore(m);
    expect(r.status).toBe('exhausted');
    expect(r.witnesses.find((w) => w.name === 'at-most-once-loses')).toMatchObject({ reached: true, depth: 7 });
    // Not a witness of nothing: checking at-most-once against the at-least-once half breaks it.
    const strict = makeQueue('at-most-once', { requests: 1, crashes: 1, timeouts: 2 }, 'none', (shape) => ({ ...queueChecks(shape), invariants: queueInvariants('at-least-once') }));
    const s = explore(strict);
    expect(s.status).toBe('violation');
    expect(s.violation!.name).toBe('effect-at-least-once');
    expect(s.violation!.message).toBe('settled, and key 1 was never charged (the effect is lost)');
  });

  it('at-least-once never loses: with drops and duplicates the claim still holds (pinned above), and the dedup witness is reached', () => {
    const r = explore(build(deliveryModel, { drops: 1 }));
    expect(r.status).toBe('exhausted');
    expect(r.witnesses.find((w) => w.name === 'duplicate-deduplicated')?.reached).toBe(true);
  });
});

const VARIANTS = [
  ['delivery', 'no-dedup', 'effect-at-most-once', 5, 'key 1 charged 2 times'],
  ['delivery', 'dedup-after-effect', 'effect-at-most-once', 7, 'key 1 charged 2 times'],
  ['delivery', 'ack-before-apply', 'effect-at-least-once', 7, 'settled, and key 1 was never charged (the effect is lost)'],
  ['outbox', 'dual-write', 'change-at-least-once', 3, "settled, and txn 1's committed change to key 1 never reached downstream (lost)"],
  ['outbox', 'publish-before-commit', 'no-phantom-change', 2, "txn 1's change to key 1 applied downstream, but txn 1 has not committed it"],
  ['cdc', 'checkpoint-before-publish', 'change-at-least-once', 4, "settled, and txn 1's committed change to key 1 never reached downstream (lost)"],
  ['saga', 'non-idempotent-compensation', 'compensation-at-most-once', 10, 'step 1 refunded 2 times but charged 1'],
] as const;

describe('each known-bug variant is found by BFS with its own configuration, shortest trace pinned', () => {
  it.each(VARIANTS)('%s %s breaks %s in %i steps', (name, bug, check, steps, message) => {
    const model: AnyModel = MODELS[name];
    expect(model.bugs[bug]!.breaks).toContain(check);
    const m = build(model, variantOverrides(model, { bug }).overrides);
    const r = explore(m);
    expect(r.status).toBe('violation');
    expect(r.violation!.name).toBe(check);
    expect(r.violation!.message).toBe(message);
    expect(r.violation!.trace.steps).toHaveLength(steps);
    // The correct protocol at the same configuration holds: the variant's change is the bug.
    const ok = explore(build(model, { ...model.bugs[bug]!.config }));
    expect(ok.status).toBe('exhausted');
  });

  it('the traces tell the story: the crash (or the retry) sits between the two writes', () => {
    const text = (name: keyof typeof MODELS, bug: string) => {
      const model: AnyModel = MODELS[name];
      const m = build(model, variantOverrides(model, { bug }).overrides);
      const r = explore(m);
      return formatTrace(m, r.violation!.trace, r.violation);
    };
    expect(text('delivery', 'dedup-after-effect')).toMatch(/charges\[0\]: 0 → 1[\s\S]*crash c1[\s\S]*charges\[0\]: 1 → 2/);
    expect(text('delivery', 'ack-before-apply')).toMatch(/deliver c1→b1 Ack\(#0\)[\s\S]*crash c1/);
    expect(text('cdc', 'checkpoint-before-publish')).toMatch(/checkpoint: 0 → 1[\s\S]*crash d1/);
    expect(text('outbox', 'dual-write')).toMatch(/unpublished: \+[\s\S]*crash s1/);
    expect(text('outbox', 'publish-before-commit')).toMatch(/undecided: null → [\s\S]*deliver s1→c1 Change\(txn 1, key 1\)/);
    expect(text('saga', 'non-idempotent-compensation')).toMatch(/refunded: 0 → 1[\s\S]*timer o1 retry[\s\S]*refunded: 1 → 2/);
  });

  it.each(VARIANTS)('random mode with its defaults (configurations drawn from the seed) finds %s %s', (name, bug) => {
    const model: AnyModel = MODELS[name];
    const r = checkModelRandom(model, { bug }, { seed: 1, runs: 1_000_000, maxSteps: 200, timeLimitMs: 120_000, shrink: false });
    expect(r.status).toBe('violation');
    expect(model.bugs[bug]!.breaks).toContain(r.violation!.name);
  }, 180_000);
});

// ---------------------------------------------------------------------------------------------
// Test-only mutants: the invariants no declared variant breaks must each be breakable.

/** A protocol whose handlers never arm a timer (so nothing is ever retried). */
function withoutTimers<P extends ProtocolTypes>(p: Protocol<P>): Protocol<P> {
  const strip = (r: Reaction<P>): Reaction<P> => ({ ...r, effects: (r.effects ?? []).filter((e: Effect<P>) => e.kind !== 'set-timer') });
  const q = p as Protocol<P> & { onClientRequest: (...a: never[]) => Reaction<P> };
  return {
    ...p,
    onRestart: (ctx, d) => strip(p.onRestart(ctx, d)),
    onMessage: (ctx, n, m, f) => strip(p.onMessage(ctx, n, m, f)),
    ...(q.onClientRequest ? { onClientRequest: (...a: never[]) => strip(q.onClientRequest(...a)) } : {}),
  } as Protocol<P>;
}

describe('every invariant can fail: mutants for the checks no variant breaks', () => {
  const shape = { keys: 1, txns: 2 };

  it('change-at-most-once: an outbox consumer without its dedup table applies a republished change twice', () => {
    const base = outboxProtocol(shape);
    const noDedup: Protocol<OutboxTypes> = {
      ...base,
      onMessage(ctx, node, msg, from) {
        const d = node.durable;
        if (msg.type !== 'Change' || d.role !== 'consumer') return base.onMessage(ctx, node, msg, from);
        return {
          durable: { ...d, view: d.view.map((x, i) => (i === msg.key - 1 ? msg.id : x)), applied: d.applied.includes(msg.id) ? d.applied : [...d.applied, msg.id] },
          volatile: node.volatile,
          effects: [ctx.send(from, { type: 'ChangeAck', id: msg.id }), ctx.ghost((g) => recordEffect(g, msg.id, msg.key))],
        };
      },
    };
    const r = explore(envMachine(noDedup, { requests: 1, crashes: 1, timeouts: 1 }, outboxChecks()));
    expect(r.violation?.name).toBe('change-at-most-once');
    expect(r.violation?.message).toBe("txn 1's change to key 1 applied twice downstream");
  });

  it('no-phantom-change: a CDC reader that publishes rolled-back transactions', () => {
    const base = cdcProtocol(shape);
    const leaky: Protocol<CdcTypes> = {
      ...base,
      onLocal(ctx, node, a) {
        const d = node.durable;
        const v = node.volatile;
        if (a !== 'read' || d.role !== 'database' || v.role !== 'database' || d.wal[v.pos]!.committed) return base.onLocal(ctx, node, a);
        return { durable: d, volatile: { ...v, inflight: v.pos }, effects: [ctx.send(2, { type: 'Change', id: v.pos + 1, key: d.wal[v.pos]!.key }), ctx.setTimer('retry')] };
      },
    };
    const r = explore(envMachine(leaky, { requests: 1, crashes: 0, timeouts: 1 }, cdcChecks()));
    expect(r.violation?.name).toBe('no-phantom-change');
    expect(r.violation?.message).toBe("txn 1's change to key 1 applied downstream, but txn 1 has not committed it");
  });

  it('commit-order-per-key: the dual write publishes without waiting, and the network reorders two changes to one key', () => {
    const r = explore(build(outboxModel, { bug: 'dual-write', crashes: 0, requests: 2 }));
    expect(r.violation?.name).toBe('commit-order-per-key');
    expect(r.violation?.message).toBe('key 1: txn 1 applied after txn 2, which committed later');
  });

  it('step-at-most-once: a saga service that runs a retried step again', () => {
    const base = sagaProtocol(2);
    const rerun: Protocol<SagaTypes> = {
      ...base,
      onMessage: (ctx, node, msg, from) =>
        msg.type === 'Do' && node.durable.role === 'service' && node.durable.status === 'done' ? { durable: node.durable, volatile: { role: 'service', asked: true } } : base.onMessage(ctx, node, msg, from),
      localActions: (_ctx, node) => (node.volatile.role === 'service' && node.volatile.asked ? ['commit', 'reject'] : []),
    };
    const r = explore(envMachine(rerun, { requests: 1, crashes: 0, timeouts: 1 }, sagaChecks(2)));
    expect(r.violation?.name).toBe('step-at-most-once');
    expect(r.violation?.message).toBe('step 1 ran 2 times');
  });

  it('saga-ends: an orchestrator that never retries hangs when a message is lost', () => {
    const r = explore(envMachine(withoutTimers(sagaProtocol(2)), { requests: 1, crashes: 0, drops: 1, timeouts: 0 }, sagaChecks(2)));
    expect(r.violation?.name).toBe('saga-ends');
    expect(r.violation?.message).toBe('settled with the saga running');
  });

  it('publish-before-commit also invents the event of a transaction that rolls back', () => {
    const m = build(outboxModel, { bug: 'publish-before-commit', crashes: 0, requests: 1 });
    // Leave out the dirty read (the event applied before the decision): judge only settled states.
    const r = explore({ ...m, invariants: m.invariants!.map((i) => (i.name === 'no-phantom-change' ? { ...i, check: (s: unknown) => !m.isTerminal!(s) || i.check(s) } : i)) });
    expect(r.violation?.name).toBe('no-phantom-change');
    expect(formatTrace(m, r.violation!.trace, r.violation)).toContain('txn(key 1, rollback)');
  });

  it('saga-atomic alone: the non-idempotent compensation also breaks it when compensation-at-most-once is not checked', () => {
    const m = build(sagaModel, variantOverrides(sagaModel, { bug: 'non-idempotent-compensation' }).overrides);
    const r = explore({ ...m, invariants: m.invariants!.filter((i) => i.name !== 'compensation-at-most-once') });
    expect(r.violation?.name).toBe('saga-atomic');
    expect(r.violation?.message).toBe('saga aborted, but step 1 charged 1 and refunded 2');
  });

  it('queueShape bounds the broker log by every Publish that can arrive', () => {
    expect(queueShape('at-least-once', { requests: 2, timeouts: 3, duplicates: 1 })).toEqual({ keys: 2, maxLog: 9, mode: 'at-least-once' });
    expect(queueShape('at-most-once', { requests: 2, timeouts: 3, duplicates: 1 })).toEqual({ keys: 2, maxLog: 3, mode: 'at-most-once' });
  });
});
