/**
 * Test helpers for the random runner, replay and shrink suites: an independent executor (so the
 * 1-minimality checks do not trust the code under test), a padded-trace builder and temp dirs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Machine } from '../../impl/core/machine.ts';
import { canonicalEqual } from '../../impl/core/encode.ts';
import { toPlain } from '../../impl/core/trace.ts';

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dscheck-random-'));
}

/**
 * Execute `actions` from initial state `initIndex`, skipping any action that is not enabled, and
 * return the first check that breaks (kind and name) and after how many executed steps.
 */
export function firstViolation<S, A>(
  m: Machine<S, A>,
  initIndex: number,
  actions: readonly unknown[],
): { kind: 'invariant' | 'property'; name: string; step: number } | undefined {
  let s: S = m.init()[initIndex]!;
  let executed = 0;
  for (const inv of m.invariants ?? []) if (inv.check(s) !== true) return { kind: 'invariant', name: inv.name, step: 0 };
  for (const p of m.properties ?? []) if (p.checkInit && p.checkInit(s) !== true) return { kind: 'property', name: p.name, step: 0 };
  for (const want of actions) {
    const a = m.actions(s).find((x) => canonicalEqual(toPlain(x), toPlain(want)));
    if (a === undefined) continue;
    const t = m.step(s, a);
    executed++;
    for (const p of m.properties ?? []) if (p.check(s, a, t) !== true) return { kind: 'property', name: p.name, step: executed };
    for (const inv of m.invariants ?? []) if (inv.check(t) !== true) return { kind: 'invariant', name: inv.name, step: executed };
    s = t;
  }
  return undefined;
}

/**
 * Whether removing any single action makes the violation `target` go away (executing the rest
 * with not-enabled actions skipped), and the violation occurs with all of them.
 */
export function isOneMinimal<S, A>(m: Machine<S, A>, initIndex: number, actions: readonly unknown[], target: { kind: string; name: string }): boolean {
  const same = (v: { kind: string; name: string } | undefined) => v !== undefined && v.kind === target.kind && v.name === target.name;
  if (!same(firstViolation(m, initIndex, actions))) return false;
  for (let i = 0; i < actions.length; i++) {
    if (same(firstViolation(m, initIndex, [...actions.slice(0, i), ...actions.slice(i + 1)]))) return false;
  }
  return true;
}

/** A small deterministic PRNG (mulberry32) for building test inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Pad a failing action list: try inserting an enabled action at each position (chosen by a
 * seeded PRNG), keeping an insertion only when every action stays enabled in order and the same
 * violation still occurs at the very end. Returns the padded list.
 */
export function padTrace<S, A>(m: Machine<S, A>, initIndex: number, actions: readonly A[], target: { kind: string; name: string }, seed: number, rounds = 3): A[] {
  const rnd = prng(seed);
  let cur = actions.slice();
  const strictOk = (list: readonly A[]): boolean => {
    let s: S = m.init()[initIndex]!;
    for (const a of list) {
      if (!m.actions(s).includes(a)) return false;
      s = m.step(s, a);
    }
    const v = firstViolation(m, initIndex, list);
    return v !== undefined && v.kind === target.kind && v.name === target.name && v.step === list.length;
  };
  for (let round = 0; round < rounds; round++) {
    for (let pos = cur.length - 1; pos >= 0; pos--) {
      let s: S = m.init()[initIndex]!;
      for (let k = 0; k < pos; k++) s = m.step(s, cur[k]!);
      const acts = m.actions(s);
      const extra = acts[Math.floor(rnd() * acts.length)]!;
      const cand = [...cur.slice(0, pos), extra, ...cur.slice(pos)];
      if (strictOk(cand)) cur = cand;
    }
  }
  return cur;
}
