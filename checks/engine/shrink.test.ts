/**
 * The shrinker's carry-over phase (`nearestAction`): a step whose removal shifts what every later
 * step names (one timeout fewer, and every later message carries a term one lower) is removed
 * with the later steps carried over to their nearest enabled action. Plain delta debugging keeps
 * it, since exactly matched, the later steps are no longer enabled and are skipped.
 */
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../impl/core/machine.ts';
import { runActions } from './replay.ts';
import { nearestAction, payloadDistance, shrinkActions } from './shrink.ts';

/** A node's term, the terms of the messages it sent, and the term of the last one delivered. */
interface St {
  readonly term: number;
  readonly sent: readonly number[];
  readonly got: number;
}
type Act = { readonly type: 'timeout' } | { readonly type: 'send' } | { readonly type: 'deliver'; readonly term: number } | { readonly type: 'noise'; readonly n: number };

/** "A message of term ≥ 1 was delivered" is the bug; a timeout raises the term (up to 5). */
const machine: Machine<St, Act> = {
  name: 'terms',
  init: () => [{ term: 0, sent: [], got: -1 }],
  actions: (s) => [
    ...(s.term < 5 ? [{ type: 'timeout' } as const] : []),
    { type: 'send' },
    ...s.sent.map((term) => ({ type: 'deliver', term }) as const),
    { type: 'noise', n: s.term },
  ],
  step: (s, a) => {
    switch (a.type) {
      case 'timeout':
        return { ...s, term: s.term + 1 };
      case 'send':
        return s.sent.includes(s.term) ? s : { ...s, sent: [...s.sent, s.term].sort((x, y) => x - y) };
      case 'deliver':
        return { ...s, got: a.term };
      case 'noise':
        return s;
    }
  },
  invariants: [{ name: 'nothing-delivered-late', check: (s) => s.got < 1 || `delivered a message of term ${s.got}` }],
};

const T = { type: 'timeout' } as const;
const SEND = { type: 'send' } as const;
const deliver = (term: number): Act => ({ type: 'deliver', term });

describe('carrying later steps over a removed one', () => {
  // Three timeouts, a send at term 3, its delivery: the shortest is timeout, send, deliver(1).
  const input: Act[] = [T, { type: 'noise', n: 0 }, T, T, SEND, deliver(3)];

  it('plain delta debugging stops at a 1-minimal trace that still has every timeout', () => {
    const r = shrinkActions(machine, 0, input, undefined, { carry: false });
    expect(r.status).toBe('shrunk');
    expect(r.trace.steps.map((s) => s.action)).toEqual([T, T, T, SEND, deliver(3)]);
  });

  it('with carrying (the default), the removed timeouts take the later terms down with them', () => {
    const r = shrinkActions(machine, 0, input);
    expect(r.status).toBe('shrunk');
    expect(r.complete).toBe(true);
    expect(r.trace.steps.map((s) => s.action)).toEqual([T, SEND, deliver(1)]);
    // The result replays exactly: the machine's own actions, strictly matched.
    const again = runActions(machine, 0, r.trace.steps.map((s) => s.action));
    expect(again.notEnabled).toBeUndefined();
    expect(again.violation?.name).toBe('nothing-delivered-late');
    expect(again.trace.steps).toHaveLength(3);
  });

  it('the nearest action is of the same kind, differs in the fewest leaves, then by the smallest numeric gap', () => {
    const enabled: Act[] = [T, SEND, deliver(0), deliver(1), deliver(2), deliver(4), { type: 'noise', n: 3 }];
    expect(nearestAction(machine, enabled, deliver(3))).toBe(4); // deliver(2): 1 leaf, gap 1 (deliver(4) is later in order)
    expect(nearestAction(machine, enabled, deliver(9))).toBe(5); // deliver(4): the closest term
    expect(nearestAction(machine, enabled, { type: 'noise', n: 0 })).toBe(6);
    expect(nearestAction(machine, [T, SEND], deliver(3))).toBe(-1); // nothing of its kind
    expect(payloadDistance({ a: 1, b: [1, 2] }, { a: 3, b: [1] })).toEqual({ leaves: 2, gap: 2 });
  });

  it('a stand-in must keep at least half of the recorded payload', () => {
    type Pair = { readonly type: 'pair'; readonly x: number; readonly y: number };
    const m: Machine<number, Pair> = { name: 'pairs', init: () => [0], actions: () => [], step: (s) => s };
    // 3 leaves (type, x, y): at most 1 may differ.
    expect(nearestAction(m, [{ type: 'pair', x: 1, y: 1 }], { type: 'pair', x: 2, y: 2 })).toBe(-1);
    expect(nearestAction(m, [{ type: 'pair', x: 1, y: 1 }, { type: 'pair', x: 2, y: 7 }], { type: 'pair', x: 2, y: 2 })).toBe(1);
  });
});
