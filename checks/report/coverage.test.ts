/**
 * Coverage: the counting pass agrees with the checker it repeats (transitions, distinct states,
 * states per depth, witnesses), names the kinds that never fire and says what that usually
 * means, and is the same in fingerprint and exact mode. Numbers pinned from runs.
 */
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../impl/core/machine.ts';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import { makeEcho } from '../../specs/models/echo.ts';
import { declaredKinds, exhaustiveCoverage, formatCoverage, NEVER_FIRED_WARNING, randomCoverage, type Coverage } from './coverage.ts';

const byKind = (c: Coverage) => Object.fromEntries(c.kinds.map((k) => [k.kind, [k.enabled, k.fired, k.changed, k.newStates]]));

describe('exhaustive coverage', () => {
  it('TwoPhase (3 RMs): every kind fires; the counts add up to the checker’s own', () => {
    const m = makeTwoPhase(3);
    const c = exhaustiveCoverage(m);
    const r = explore(m);
    expect(c.complete).toBe(true);
    expect(c.scope).toBe('all 288 reachable states (1,145 transitions)');
    expect(byKind(c)).toEqual({
      RMChooseToAbort: [128, 156, 156, 64],
      RMPrepare: [128, 156, 156, 64],
      RMRcvAbortMsg: [216, 648, 324, 108],
      RMRcvCommitMsg: [8, 24, 12, 7],
      TMAbort: [64, 64, 64, 22],
      TMCommit: [1, 1, 1, 1],
      TMRcvPrepared: [56, 96, 48, 21],
    });
    expect(c.kinds.reduce((a, k) => a + k.fired, 0)).toBe(r.stats.transitions);
    expect(c.kinds.reduce((a, k) => a + (k.newStates ?? 0), 0)).toBe(r.stats.states - 1);
    expect(c.statesPerDepth).toEqual(r.stats.statesPerDepth);
    expect(c.witnesses).toEqual(r.witnesses);
    // TwoPhase declares its seven kinds (actionKinds()), and all of them fire.
    expect(c.kindsFrom).toBe('machine');
    expect(c.neverFired).toEqual([]);
    expect(c.warnings).toEqual([]);
    expect(exhaustiveCoverage(m, { exact: true })).toEqual(c);
  });

  it('a violation stops the pass where the check stops', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const c = exhaustiveCoverage(m, { checks: ['tc-consistent'] });
    const r = explore(m, { checks: ['tc-consistent'] });
    expect(c.complete).toBe(false);
    expect(c.kinds.reduce((a, k) => a + k.fired, 0)).toBe(r.stats.transitions);
    expect(c.statesPerDepth).toEqual(r.stats.statesPerDepth);
    expect(c.warnings).toContain('sometimes all-committed not reached before the violation stopped the run');
  });

  it('Echo on the environment: the configuration says which kinds exist; the timer never fires without retries', () => {
    const m = makeEcho({ nodes: 2, delivery: 'fifo', crashes: 1, requests: 2 });
    const c = exhaustiveCoverage(m);
    const r = explore(m);
    expect(r.status).toBe('exhausted');
    expect(declaredKinds(m)).toEqual({ kinds: ['deliver', 'timer', 'request', 'crash', 'restart'], from: 'machine' });
    expect(byKind(c)).toEqual({
      deliver: [184, 214, 214, 60],
      timer: [0, 0, 0, 0],
      request: [34, 54, 54, 22],
      crash: [51, 102, 102, 96],
      restart: [96, 96, 96, 89],
    });
    expect(c.kinds.find((k) => k.kind === 'deliver')!.details.map((d) => [d.name, d.fired])).toEqual([
      ['deliver Ping', 86],
      ['deliver Pong', 128],
    ]);
    expect(c.neverFired).toEqual(['timer']);
    expect(c.neverEnabled).toEqual(['timer']);
    expect(c.deadEnds).toBe(18);
    expect(c.warnings[0]).toBe(`action kind timer never fired in the whole reachable space: ${NEVER_FIRED_WARNING}`);
    expect(exhaustiveCoverage(m, { exact: true })).toEqual(c);
    // With retries the timer fires.
    const retry = exhaustiveCoverage(makeEcho({ nodes: 2, delivery: 'fifo', crashes: 1, requests: 2 }, { retry: true }), { checks: ['fresh-seq'] });
    expect(retry.neverFired).toEqual([]);
    expect(retry.kinds.find((k) => k.kind === 'timer')!.fired).toBeGreaterThan(0);
  });

  it('a machine that declares its kinds: one that never fires and one that only stutters are named', () => {
    type A = { readonly type: 'inc' } | { readonly type: 'reset' } | { readonly type: 'noop' };
    const m: Machine<number, A> = {
      name: 'toy',
      init: () => [0],
      actions: (s) => (s < 3 ? [{ type: 'inc' }, { type: 'noop' }] : []),
      step: (s, a) => (a.type === 'inc' ? s + 1 : a.type === 'reset' ? 0 : s),
      actionKinds: () => ['inc', 'reset', 'noop'],
      isTerminal: (s) => s === 3,
      invariants: [{ name: 'small', check: (s) => s <= 3 }],
      sometimes: [{ name: 'three', check: (s) => s === 3 }],
    };
    const c = exhaustiveCoverage(m);
    expect(c.kindsFrom).toBe('machine');
    expect(byKind(c)).toEqual({ inc: [3, 3, 3, 3], reset: [0, 0, 0, 0], noop: [3, 3, 0, 0] });
    expect(c.neverFired).toEqual(['reset']);
    expect(c.onlyStutter).toEqual(['noop']);
    expect(c.terminal).toBe(1);
    expect(c.deadEnds).toBe(0);
    expect(c.warnings).toEqual([`action kind reset never fired in the whole reachable space: ${NEVER_FIRED_WARNING}`, 'noop fired but never changed the state']);
    const text = formatCoverage(c).join('\n');
    expect(text).toContain('reset');
    expect(text).toContain('← never fired');
    expect(text).toContain('← never changed the state');
    expect(text).toContain('states per depth: 1 1 1 1');
  });

  it('a depth bound says so, and does not call a never-fired kind proof of a wrong model', () => {
    const c = exhaustiveCoverage(makeTwoPhase(3), { maxDepth: 2 });
    expect(c.complete).toBe(false);
    expect(c.bound).toEqual({ kind: 'depth', limit: 2 });
    // TMCommit needs 2n steps: within depth 2 it never fires, and the warning blames the bound too.
    expect(c.neverFired).toContain('TMCommit');
    expect(c.warnings.join('\n')).toContain('or the bounds are too tight to reach it');
  });
});

describe('random coverage', () => {
  it('repeats the same runs: the steps it counts are the runner’s steps', () => {
    const m = makeTwoPhase(3);
    const opts = { seed: 1, runs: 50, maxSteps: 30 };
    const c = randomCoverage(m, opts);
    const r = checkRandom(m, opts);
    expect(c.runner).toBe('random');
    expect(c.kinds.reduce((a, k) => a + k.fired, 0)).toBe(r.stats.transitions);
    expect(c.statesPerDepth[0]).toBe(50);
    expect(c.statesPerDepth.reduce((a, x) => a + x, 0)).toBe(r.stats.transitions + 50);
    expect(c.witnesses).toEqual(r.witnesses);
    expect(randomCoverage(m, opts)).toEqual(c);
  });

  it('stops counting at the first failure, as the runner does', () => {
    const m = makeEcho({ nodes: 3, requests: 2 }, { bug: 'double-send' });
    const opts = { seed: 7, runs: 200, maxSteps: 20 };
    const c = randomCoverage(m, opts);
    const r = checkRandom(m, { ...opts, shrink: false });
    expect(r.status).toBe('violation');
    expect(c.kinds.reduce((a, k) => a + k.fired, 0)).toBe(r.stats.transitions);
    expect(c.warnings.some((w) => w.includes('before the violation stopped the run'))).toBe(true);
  });
});
