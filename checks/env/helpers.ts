/**
 * Test helpers for the environment suites: run the checker in both deduplication modes, build
 * traces from action labels, collect reachable states, deep-freeze values.
 */
import { expect } from 'vitest';
import { WordBuffer } from '../../impl/core/encode.ts';
import { explore, type ExploreOptions, type ExploreStats } from '../exhaustive.ts';
import type { Machine } from '../../impl/core/machine.ts';
import type { CheckResult } from '../../impl/core/result.ts';
import { labelOf, traceFromIndices, type Trace } from '../../impl/core/trace.ts';

/**
 * Explore in fingerprint mode and in exact mode, assert that both agree (status, distinct
 * states, transitions, violation and its trace length), and return the fingerprint run.
 */
export function exploreBoth<S, A>(m: Machine<S, A>, opts: ExploreOptions = {}): CheckResult<S, A, ExploreStats> {
  const fp = explore(m, opts);
  const ex = explore(m, { ...opts, exact: true });
  expect(ex.status).toBe(fp.status);
  expect(ex.stats.states).toBe(fp.stats.states);
  expect(ex.stats.transitions).toBe(fp.stats.transitions);
  expect(ex.violation?.name).toBe(fp.violation?.name);
  expect(ex.violation?.trace.steps.length).toBe(fp.violation?.trace.steps.length);
  return fp;
}

/** The trace that takes the actions with these labels, in order, from the first initial state. */
export function traceOf<S, A>(m: Machine<S, A>, labels: readonly string[]): Trace<S, A> {
  const indices: number[] = [];
  let s: S = m.init()[0]!;
  for (const label of labels) {
    const acts = m.actions(s);
    const i = acts.findIndex((a) => labelOf(m, a) === label);
    if (i < 0) throw new Error(`no enabled action '${label}'; enabled: ${acts.map((a) => labelOf(m, a)).join(' | ')}`);
    indices.push(i);
    s = m.step(s, acts[i]!);
  }
  return traceFromIndices(m, 0, indices);
}

/** The labels of the actions enabled in `s`. */
export function enabledLabels<S, A>(m: Machine<S, A>, s: S): string[] {
  return m.actions(s).map((a) => labelOf(m, a));
}

/** Up to `limit` distinct reachable states, breadth-first (deduplicated on the machine's encoding). */
export function reachable<S, A>(m: Machine<S, A>, limit: number): S[] {
  const seen = new Set<string>();
  const out: S[] = [];
  const queue: S[] = [...m.init()];
  while (queue.length > 0 && out.length < limit) {
    const s = queue.shift()!;
    const k = encodingOf(m, s);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
    for (const a of m.actions(s)) queue.push(m.step(s, a));
  }
  return out;
}

/** The machine's canonical encoding of a state, as a string (no symmetry applied). */
export function encodingOf<S, A>(m: Machine<S, A>, s: S): string {
  const w = new WordBuffer();
  if (m.encode) m.encode(s, w);
  else w.value(s);
  return w.key();
}

/** Freeze a value and everything reachable from it. */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  return v;
}
