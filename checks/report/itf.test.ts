/**
 * ITF export: the shape of the trace (ADR-015), the encoding of values, and the validator, which
 * must reject what the spec does not allow.
 */
import { describe, expect, it } from 'vitest';
import { List, Map as IMap, Set as ISet } from 'immutable';
import { explore } from '../exhaustive.ts';
import { toTraceFile } from '../../impl/core/trace.ts';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import { makeEcho } from '../../specs/models/echo.ts';
import { formatItf, ITF_SPEC_URL, toItfValue, traceFileToItf, traceToItf, validateItf } from './itf.ts';

function twoPhaseItf() {
  const m = makeTwoPhase(3, 'commit-unprepared');
  const r = explore(m, { checks: ['tc-consistent'] });
  const v = r.violation!;
  const meta = { model: 'twophase', params: { rms: 3, bug: 'commit-unprepared' }, origin: { runner: 'bfs', checks: ['tc-consistent'] }, violation: v } as const;
  return { m, r, v, itf: traceToItf(m, v.trace, meta), file: toTraceFile(m, 'twophase', meta.params, meta.origin, v.trace, v) };
}

describe('traceToItf', () => {
  it('writes one state per trace state over the view variables, valid against the spec', () => {
    const { itf } = twoPhaseItf();
    expect(validateItf(itf)).toEqual([]);
    expect(itf.vars).toEqual(['rmState', 'tmState', 'tmPrepared', 'msgs']);
    expect(itf.states).toHaveLength(8);
    expect(itf.states.map((s) => s['#meta'].index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(itf.states[0]!['#meta']).toEqual({ index: 0 });
    expect(itf.states[1]!['#meta']).toEqual({ index: 1, action: 'RMPrepare(r1)', actionValue: { type: 'RMPrepare', rm: 1 } });
    expect(itf.states[7]!['rmState']).toEqual({ r1: 'committed', r2: 'prepared', r3: 'aborted' });
    expect(itf.states[7]!['tmState']).toBe('committed');
    expect(itf['#meta']).toMatchObject({
      format: 'ITF',
      'format-description': ITF_SPEC_URL,
      model: 'twophase',
      params: { rms: 3, bug: 'commit-unprepared' },
      violation: { kind: 'invariant', name: 'tc-consistent', message: 'r1 committed while r3 aborted' },
    });
  });

  it('is deterministic and survives a JSON round trip; a saved trace file gives the same bytes', () => {
    const a = twoPhaseItf();
    const b = twoPhaseItf();
    expect(formatItf(a.itf)).toBe(formatItf(b.itf));
    expect(JSON.parse(formatItf(a.itf))).toEqual(a.itf);
    expect(formatItf(traceFileToItf(a.file))).toBe(formatItf(a.itf));
  });

  it('encodes the environment views (null: a partition that is not in force) as #unserializable', () => {
    const m = makeEcho({ nodes: 2, crashes: 1, requests: 2 }, { bug: 'volatile-seq' });
    const r = explore(m, { checks: ['fresh-seq'] });
    expect(r.status).toBe('violation');
    const itf = traceToItf(m, r.violation!.trace, { model: 'echo', params: {}, violation: r.violation! });
    expect(validateItf(itf)).toEqual([]);
    expect(itf.vars).toEqual(['nodes', 'network', 'partition', 'budgets', 'ghost']);
    expect(itf.states[0]!['partition']).toEqual({ '#unserializable': 'null' });
    // A crashed node's volatile state is null too.
    const crashed = itf.states.find((s) => JSON.stringify(s['nodes']).includes('"up":false'));
    expect(crashed).toBeDefined();
  });
});

describe('toItfValue', () => {
  it('maps, sets, big integers and tuples-free lists as the ADR says', () => {
    expect(toItfValue(new Map<unknown, string>([[2, 'b'], [1, 'a']]))).toEqual({ '#map': [[1, 'a'], [2, 'b']] });
    expect(toItfValue(new Map([[{ x: 1 }, new Set(['q'])]]))).toEqual({ '#map': [[{ x: 1 }, { '#set': ['q'] }]] });
    expect(toItfValue(new Set([3, 1, 2]))).toEqual({ '#set': [1, 2, 3] });
    expect(toItfValue(2n ** 70n)).toEqual({ '#bigint': '1180591620717411303424' });
    expect(toItfValue(-(2n ** 70n))).toEqual({ '#bigint': '-1180591620717411303424' });
    expect(toItfValue(2 ** 60)).toEqual({ '#bigint': '1152921504606846976' });
    expect(toItfValue(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(toItfValue(-0)).toBe(0);
    expect(toItfValue(1.5)).toEqual({ '#unserializable': '1.5' });
    expect(toItfValue(null)).toEqual({ '#unserializable': 'null' });
    expect(toItfValue({ '#weird': 1, ok: true })).toEqual({ '#map': [['#weird', 1], ['ok', true]] });
    expect(toItfValue([1, 'a', false, [2]])).toEqual([1, 'a', false, [2]]);
    expect(toItfValue(new Uint8Array([1, 2]))).toEqual([1, 2]);
  });

  it('maps immutable.js collections like their JS counterparts', () => {
    expect(toItfValue(IMap({ b: 2, a: 1 }))).toEqual({ '#map': [['a', 1], ['b', 2]] });
    expect(toItfValue(ISet([2, 1]))).toEqual({ '#set': [1, 2] });
    expect(toItfValue(List([1, 2]))).toEqual([1, 2]);
  });

  it('every value it writes is valid', () => {
    const v = { m: new Map([[1, new Set([2n ** 64n, 3])]]), l: [null, 0.25, 'x'], big: 2 ** 54 };
    expect(validateItf({ vars: ['v'], states: [{ '#meta': { index: 0 }, v: toItfValue(v) }] })).toEqual([]);
  });
});

describe('validateItf', () => {
  const ok = { '#meta': {}, vars: ['x'], states: [{ '#meta': { index: 0 }, x: 1 }] };
  const errs = (doc: unknown) => validateItf(doc).join('\n');

  it('accepts a minimal trace, tuples, params and a loop', () => {
    expect(validateItf(ok)).toEqual([]);
    expect(validateItf({ params: ['N'], vars: ['x'], states: [{ N: 3, x: { '#tup': [1, 'a'] } }, { x: { '#tup': [] } }], loop: 1 })).toEqual([]);
    expect(validateItf({ vars: ['v'], states: [{ v: { tag: 'Some', value: { '#bigint': '-40' } } }] })).toEqual([]);
  });

  it('rejects a wrong trace shape', () => {
    expect(errs([])).toContain('must be a JSON object');
    expect(errs({ states: [] })).toContain('"vars" must be an array of strings');
    expect(errs({ vars: ['x'] })).toContain('"states" must be an array');
    expect(errs({ ...ok, extra: 1 })).toContain('unknown trace field "extra"');
    expect(errs({ ...ok, vars: ['x', 'x'] })).toContain('duplicate');
    expect(errs({ ...ok, loop: 5 })).toContain('"loop" must be the index of a state');
    expect(errs({ ...ok, '#meta': [] })).toContain('"#meta" must be an object');
  });

  it('rejects states that miss a variable, add one, or number themselves wrong', () => {
    expect(errs({ vars: ['x', 'y'], states: [{ x: 1 }] })).toContain('variable "y" has no value');
    expect(errs({ vars: ['x'], states: [{ x: 1, z: 2 }] })).toContain('"z" is not a declared variable');
    expect(errs({ vars: ['x'], states: [{ '#meta': { index: 3 }, x: 1 }] })).toContain('#meta.index is 3, expected 0');
    expect(errs({ params: ['N'], vars: ['x'], states: [{ x: 1 }] })).toContain('variable "N" has no value');
  });

  it('rejects malformed values: floats, unsafe integers, null, bad #bigint, #map, #set, #tup, unknown tags', () => {
    const v = (x: unknown) => errs({ vars: ['x'], states: [{ x }] });
    expect(v(1.5)).toContain('not an integer');
    expect(v(2 ** 60)).toContain('outside the safe JSON integer range');
    expect(v(null)).toContain('null is not an ITF value');
    expect(v({ '#bigint': '12a' })).toContain('#bigint must be a string of the form');
    expect(v({ '#bigint': 12 })).toContain('#bigint must be a string');
    expect(v({ '#map': [[1]] })).toContain('two-element array');
    expect(v({ '#map': {} })).toContain('#map must hold an array');
    expect(v({ '#set': 'abc' })).toContain('#set must hold an array');
    expect(v({ '#tup': [1.5] })).toContain('not an integer');
    expect(v({ '#frob': [] })).toContain('unknown ITF tag #frob');
    expect(v({ '#set': [], other: 1 })).toContain('exactly one field');
    expect(v({ a: { b: [{ '#bigint': 'x' }] } })).toContain('states[0].x.a.b[0]');
  });
});
