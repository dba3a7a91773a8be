/**
 * Immutable collections everywhere a state goes: the canonical encoding (fingerprints and exact
 * keys), views and plain JSON (`toPlain`), diffs, trace files (and replay from them), ITF and
 * the HTML report. Equal immutable values must look equal however they were built, whatever
 * their incidental iteration order; different ones must not.
 */
import { describe, expect, it } from 'vitest';
import { List, Map as IMap, OrderedMap, OrderedSet, Record, Set as ISet, Stack } from 'immutable';
import { canonicalEqual, canonicalKey } from '../../impl/core/encode.ts';
import { explore } from '../exhaustive.ts';
import { instantiate, InputError, type AnyModel } from '../../impl/core/machine.ts';
import { parseTraceFile, replayLoaded } from '../engine/replay.ts';
import { diffViews, formatTrace, toPlain, toTraceFile, traceFromIndices } from '../../impl/core/trace.ts';
import { toItfValue, traceToItf, validateItf } from '../report/itf.ts';
import { reportFromRun } from '../report/data.ts';
import { renderReport } from '../report/html.ts';
import { leaseModel } from '../../specs/models/lease.ts';

const Point = Record({ x: 0, y: 0 }, 'Point');
const Node = Record({ name: '', peers: ISet<string>(), log: List<number>() }, 'Node');

/** The same value, built in two insertion orders (hash collections keep insertion order when small). */
function twoWays() {
  const a = IMap<string, unknown>()
    .set('b', ISet(['z', 'a', 'm']))
    .set('a', Node({ name: 'n1', peers: ISet(['n3', 'n2']), log: List([1, 2]) }))
    .set('c', IMap([[Point({ x: 2, y: 1 }), 'p'], [Point({ x: 1, y: 5 }), 'q']]));
  const b = IMap<string, unknown>()
    .set('c', IMap([[Point({ x: 1, y: 5 }), 'q'], [Point({ x: 2, y: 1 }), 'p']]))
    .set('a', Node({ name: 'n1', peers: ISet(['n2', 'n3']), log: List([1, 2]) }))
    .set('b', ISet(['m', 'a', 'z']));
  return { a, b };
}

describe('encoding', () => {
  it('equal immutable values built in different orders have the same canonical key', () => {
    const { a, b } = twoWays();
    expect([...a.keys()]).not.toEqual([...b.keys()]);
    expect(canonicalKey(a)).toBe(canonicalKey(b));
    expect(canonicalEqual(a, b)).toBe(true);
  });

  it('different values differ: a set element, a list order, a record field, a map value', () => {
    const { a } = twoWays();
    const variants = [
      a.set('b', ISet(['z', 'a'])),
      a.setIn(['a', 'log'], List([2, 1])),
      a.setIn(['a', 'name'], 'n2'),
      a.set('c', IMap([[Point({ x: 2, y: 1 }), 'q'], [Point({ x: 1, y: 5 }), 'p']])),
    ];
    for (const v of variants) expect(canonicalKey(v)).not.toBe(canonicalKey(a));
  });

  it('ordered collections keep their order as part of their value', () => {
    expect(canonicalKey(OrderedMap([['a', 1], ['b', 2]]))).not.toBe(canonicalKey(OrderedMap([['b', 2], ['a', 1]])));
    expect(canonicalKey(OrderedSet([1, 2]))).not.toBe(canonicalKey(OrderedSet([2, 1])));
  });
});

describe('views (toPlain)', () => {
  it('records become objects, sets sorted arrays, maps with record keys sorted pairs, lists arrays', () => {
    const { a } = twoWays();
    expect(toPlain(a)).toEqual({
      a: { log: [1, 2], name: 'n1', peers: ['n2', 'n3'] },
      b: ['a', 'm', 'z'],
      c: [
        [{ x: 1, y: 5 }, 'q'],
        [{ x: 2, y: 1 }, 'p'],
      ],
    });
    expect(toPlain(Stack([3, 1]))).toEqual([3, 1]);
    expect(toPlain(IMap([[2, 'b'], [1, 'a']]))).toEqual({ 1: 'a', 2: 'b' });
  });

  it('equal values give byte-identical JSON whichever order they were built in', () => {
    const { a, b } = twoWays();
    expect(JSON.stringify(toPlain(a))).toBe(JSON.stringify(toPlain(b)));
  });

  it('ordered collections keep their order', () => {
    expect(JSON.stringify(toPlain(OrderedMap([['b', 1], ['a', 2]])))).toBe('{"b":1,"a":2}');
    expect(toPlain(OrderedSet([3, 1, 2]))).toEqual([3, 1, 2]);
    expect(toPlain(OrderedMap([[Point({ x: 9 }), 1], [Point({ x: 1 }), 2]]))).toEqual([[{ x: 9, y: 0 }, 1], [{ x: 1, y: 0 }, 2]]);
  });
});

describe('diffs', () => {
  it('no change between equal values built differently; a nested change has its path', () => {
    const { a, b } = twoWays();
    expect(diffViews(toPlain(a), toPlain(b))).toEqual([]);
    const changed = b.setIn(['a', 'name'], 'n9');
    expect(diffViews(toPlain(a), toPlain(changed))).toEqual([{ path: 'a.name', before: 'n1', after: 'n9' }]);
    const grown = b.update('b', (s) => (s as ISet<string>).add('b'));
    expect(diffViews(toPlain(a), toPlain(grown))).toEqual([expect.objectContaining({ path: 'b', added: ['b'], removed: [] })]);
  });
});

/** The lease model's shortest no-fencing counterexample (immutable Records and Maps all through). */
function leaseViolation() {
  const params = { bug: 'no-fencing' };
  const { machine, params: all } = instantiate(leaseModel, params);
  const r = explore(machine);
  expect(r.status).toBe('violation');
  return { machine, params: all, r, v: r.violation! };
}

describe('a protocol with immutable state, end to end', () => {
  it('the text trace shows plain values, never a Record\'s toString', () => {
    const { machine, v } = leaseViolation();
    const text = formatTrace(machine, v.trace, v);
    expect(text).toContain('storage.accepted: + {"client":2,"token":2}');
    expect(text).toContain('server.holder: 1 → 0');
    expect(text).not.toMatch(/Record \{|\[object Object\]|Map \{/);
  });

  it('trace files: plain JSON, and replay from the file reproduces the violation', () => {
    const { machine, params, v } = leaseViolation();
    const file = toTraceFile(machine, 'lease', params, { runner: 'bfs' }, v.trace, v);
    const text = JSON.stringify(file);
    expect(text).not.toMatch(/Record \{|\[object Object\]/);
    expect(file.steps[0]!.action).toEqual({ client: 1, type: 'ClientAcquire' });
    expect(file.steps[2]!.action).toEqual({ msg: { client: 1, type: 'Acquire' }, type: 'Deliver' });
    const lookup = (name: string): AnyModel => {
      if (name === 'lease') return leaseModel;
      throw new InputError(`unknown model ${name}`);
    };
    const loaded = parseTraceFile(text, 'lease.json', lookup);
    const out = replayLoaded(loaded);
    expect(out.status).toBe('reproduced');
    expect(out.step).toBe(v.trace.steps.length);
    // The same path, rebuilt from action indices, gives equal immutable states.
    const again = traceFromIndices(machine, 0, v.trace.steps.map((s) => s.actionIndex));
    expect(canonicalKey(again.steps.at(-1)!.state)).toBe(canonicalKey(v.trace.steps.at(-1)!.state));
  });

  it('ITF: valid against the spec, records become records, the network a list of pairs', () => {
    const { machine, params, v } = leaseViolation();
    const itf = traceToItf(machine, v.trace, { model: 'lease', params, violation: v });
    expect(validateItf(itf)).toEqual([]);
    expect(itf.vars).toEqual(['clients', 'net', 'server', 'storage']);
    const last = itf.states.at(-1)!;
    expect(last['server']).toEqual({ holder: 2, token: 2 });
    expect(last['storage']).toEqual({ accepted: [{ client: 2, token: 2 }, { client: 1, token: 1 }], maxToken: 2, rejected: 0 });
    expect(toItfValue(Point({ x: 1, y: 2 }))).toEqual({ x: 1, y: 2 });
    expect(toItfValue(IMap([[Point({ x: 1 }), ISet([2, 1])]]))).toEqual({ '#map': [[{ x: 1, y: 0 }, { '#set': [1, 2] }]] });
  });

  it('HTML report: the states render as plain values', () => {
    const { machine, params, r } = leaseViolation();
    const html = renderReport(reportFromRun({ machine, model: 'lease', params, mode: 'bfs', result: r, bounds: [] }));
    expect(html).toContain('fenced-writes');
    expect(html).toContain('maxToken');
    expect(html).toContain('LeaseExpires');
    expect(html).not.toMatch(/Record \{|\[object Object\]/);
  });
});
