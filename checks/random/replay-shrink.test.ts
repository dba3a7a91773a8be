/**
 * Replay from a trace file, validation of trace files, and trace shrinking (delta debugging plus
 * payload simplification) to a 1-minimal trace.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../exhaustive.ts';
import { InputError, type AnyModel, type Machine } from '../../impl/core/machine.ts';
import { toTraceFile, TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceFile } from '../../impl/core/trace.ts';
import { makeTwoPhase, type TwoPhaseAction, type TwoPhaseState } from '../../specs/models/twophase.ts';
import { checkRandom, randomOrigin, type RandomResult } from '../random.ts';
import { parseTraceFile, replayLoaded, replayTrace, runActions } from '../engine/replay.ts';
import { comparePayload, shrinkActions, shrinkTrace } from '../engine/shrink.ts';
import { firstViolation, isOneMinimal, padTrace } from './helpers.ts';
import { twoPhaseModel } from '../../specs/models/twophase.ts';

/** The model lookup the CLI gives `parseTraceFile`, reduced to one registered model. */
const lookup = (name: string): AnyModel => {
  if (name === twoPhaseModel.name) return twoPhaseModel;
  throw new InputError(`unknown model '${name}'; valid: twophase`);
};

type TP = Machine<TwoPhaseState, TwoPhaseAction>;

function fileOf(m: TP, params: Record<string, string | number>, trace: Trace<TwoPhaseState, TwoPhaseAction>, v: Parameters<typeof toTraceFile>[5], origin: Parameters<typeof toTraceFile>[3] = { runner: 'user' }): TraceFile {
  return toTraceFile(m, 'twophase', params, origin, trace, v);
}

describe('replay from a trace file', () => {
  test.each(['commit-unprepared', 'abort-after-prepare'] as const)('%s: a random run\'s trace file replays to the same check at the same step', (bug) => {
    const m = makeTwoPhase(3, bug);
    const r = checkRandom(m, { seed: 6, runs: 5000, maxSteps: 60 });
    expect(r.status).toBe('violation');
    const v = r.violation!;
    const text = JSON.stringify(fileOf(m, { rms: 3, bug }, v.trace, v, randomOrigin(r)));
    const loaded = parseTraceFile(text, 'x.json', lookup);
    expect(loaded.recorded).toMatchObject({ kind: v.kind, name: v.name, step: v.trace.steps.length });
    const out = replayLoaded(loaded);
    expect(out.status).toBe('reproduced');
    expect(out.violation!.name).toBe(v.name);
    expect(out.step).toBe(v.trace.steps.length);
  });

  test('a BFS trace replays; the same actions against the correct model no longer fail', () => {
    const bad = makeTwoPhase(3, 'commit-unprepared');
    const v = explore(bad).violation!;
    const text = JSON.stringify(fileOf(bad, { rms: 3, bug: 'commit-unprepared' }, v.trace, v, { runner: 'bfs' }));
    expect(replayLoaded(parseTraceFile(text, 'trace file', lookup)).status).toBe('reproduced');
    // Against a model where every step is still enabled but nothing breaks: passes.
    const fine = makeTwoPhase(3);
    const prefix = v.trace.steps.slice(0, 4).map((s) => s.action);
    const out = replayTrace(fine, 0, prefix, { kind: v.kind, name: v.name, message: '', step: 4 });
    expect(out.status).toBe('passes');
  });

  test('another check breaking first is reported as different', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const v = explore(m).violation!;
    const out = replayTrace(m, 0, v.trace.steps.map((s) => s.action), { kind: 'invariant', name: 'tc-consistent', message: '', step: 9 });
    expect(out.status).toBe('different');
    expect(out.violation!.name).toBe(v.name);
  });

  describe('invalid files are one-line input errors', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const v = explore(m).violation!;
    const good = fileOf(m, { rms: 3, bug: 'commit-unprepared' }, v.trace, v);
    const bad = (mutate: (f: Record<string, unknown>) => unknown): string => {
      const f = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
      const res = mutate(f);
      return JSON.stringify(res ?? f);
    };
    const cases: [string, string, RegExp][] = [
      ['malformed JSON', '{"format": "dscheck-trace", ', /t\.json: not valid JSON/],
      ['not a trace', JSON.stringify({ hello: 1 }), /not a dscheck trace file/],
      ['wrong version', bad((f) => { f['version'] = 99; }), /version 99 is not supported \(this dscheck reads version 1\)/],
      ['unknown model', bad((f) => { f['model'] = 'nope'; }), /unknown model 'nope'; valid: .*twophase/],
      ['bad params', bad((f) => { f['params'] = { rms: 99 }; }), /bad params: parameter rms must be an integer in 1\.\.16/],
      ['unknown param', bad((f) => { f['params'] = { colour: 1 }; }), /bad params: unknown parameter 'colour'/],
      ['unknown action', bad((f) => { (f['steps'] as { action: unknown }[])[1]!.action = { type: 'Explode' }; }), /step 2: action \{"type":"Explode"\} is not enabled \(no enabled action has kind Explode\); enabled: TMAbort, /],
      ['action not enabled', bad((f) => { (f['steps'] as { action: unknown }[])[0]!.action = { type: 'TMCommit' }; }), /step 1: action \{"type":"TMCommit"\} is not enabled \(no enabled action has kind TMCommit\); enabled: TMAbort, RMPrepare\(r1\)/],
      ['same kind, not enabled', bad((f) => { (f['steps'] as { action: unknown }[])[0]!.action = { type: 'RMPrepare', rm: 9 }; }), /step 1: action \{"rm":9,"type":"RMPrepare"\} is not enabled; enabled: /],
      ['steps missing', bad((f) => { delete f['steps']; }), /"steps" must be an array/],
    ];
    test.each(cases)('%s', (_name, text, re) => {
      let err: unknown;
      try {
        parseTraceFile(text, 't.json', lookup);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    });
    test('the unmodified file is valid', () => {
      expect(parseTraceFile(JSON.stringify(good), 'trace file', lookup).actions.length).toBe(v.trace.steps.length);
      expect(TRACE_FORMAT).toBe(good.format);
      expect(TRACE_VERSION).toBe(good.version);
    });
  });
});

describe('shrinking', () => {
  test.each([
    ['commit-unprepared', 1],
    ['commit-unprepared', 2],
    ['abort-after-prepare', 3],
    ['abort-after-prepare', 4],
  ] as const)('%s: a padded trace (seed %i) shrinks back to a 1-minimal trace', (bug, seed) => {
    const m = makeTwoPhase(3, bug);
    const v = explore(m).violation!;
    const base = v.trace.steps.map((s) => s.action);
    const padded = padTrace(m, 0, base, v, seed);
    expect(padded.length).toBeGreaterThan(base.length);
    expect(firstViolation(m, 0, padded)).toMatchObject({ kind: v.kind, name: v.name, step: padded.length });
    const r = shrinkActions(m, 0, padded, v);
    expect(r.status).toBe('shrunk');
    expect(r.complete).toBe(true);
    expect(r.lengthBefore).toBe(padded.length);
    expect(r.lengthAfter).toBe(r.trace.steps.length);
    expect(r.lengthAfter).toBeLessThan(padded.length);
    expect(r.violation).toMatchObject({ kind: v.kind, name: v.name });
    // 1-minimal, checked step by step by an independent executor.
    expect(isOneMinimal(m, 0, r.trace.steps.map((s) => s.action), v)).toBe(true);
  });

  test('shrinking is deterministic', () => {
    const m = makeTwoPhase(3, 'abort-after-prepare');
    const v = explore(m).violation!;
    const padded = padTrace(m, 0, v.trace.steps.map((s) => s.action), v, 9);
    const a = shrinkActions(m, 0, padded, v);
    const b = shrinkActions(m, 0, padded, v);
    expect(JSON.stringify(b.trace.steps.map((s) => s.action))).toBe(JSON.stringify(a.trace.steps.map((s) => s.action)));
  });

  test('payloads are simplified: a same-kind action with a smaller payload replaces a larger one', () => {
    // Any RM's abort breaks "no abort": the shrunk trace uses the smallest RM.
    const base = makeTwoPhase(3);
    const m: TP = { ...base, invariants: [{ name: 'no-rm-aborted', check: (s) => !s.rmState.includes('aborted') }] };
    const r = shrinkActions(m, 0, [{ type: 'RMPrepare', rm: 1 }, { type: 'RMChooseToAbort', rm: 3 }]);
    expect(r.status).toBe('shrunk');
    expect(r.trace.steps.map((s) => s.action)).toEqual([{ type: 'RMChooseToAbort', rm: 1 }]);
    expect(comparePayload({ type: 'X', rm: 1 }, { type: 'X', rm: 3 })).toBeLessThan(0);
    expect(comparePayload([1, 2], [1])).toBeGreaterThan(0);
    expect(comparePayload('b', 'aa')).toBeLessThan(0);
  });

  test('a trace that does not fail reports no-violation; plain-JSON actions are accepted', () => {
    const m = makeTwoPhase(3);
    const r = shrinkActions(m, 0, [{ type: 'RMPrepare', rm: 1 }, { type: 'TMAbort' }], { kind: 'invariant', name: 'tc-consistent' });
    expect(r.status).toBe('no-violation');
    expect(r.trace.steps.length).toBe(2);
  });

  test('shrinkTrace takes a trace and defaults the target to its violation', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const v = explore(m).violation!;
    const padded = padTrace(m, 0, v.trace.steps.map((s) => s.action), v, 5);
    const t = runActions(m, 0, padded).trace;
    const r = shrinkTrace(m, t);
    expect(r.target).toEqual({ kind: v.kind, name: v.name });
    expect(r.lengthBefore).toBe(padded.length);
    expect(isOneMinimal(m, 0, r.trace.steps.map((s) => s.action), v)).toBe(true);
  });
});
