/**
 * Refinement checking: every step of a concrete machine maps, under a state mapping, to a step
 * of an abstract machine or to a stutter (the mapped state does not change), and every initial
 * state maps to an initial abstract state. This is TLA+'s `Spec => Abstract!Spec` for safety,
 * checked one transition at a time, so it works in every runner as an ordinary transition
 * property.
 */
import type { Machine, TransitionProperty } from './machine.ts';
import { WordBuffer } from './encode.ts';
import { compact, labelOf, toPlain, viewOf } from './trace.ts';

/** Options of {@link refines}. */
export interface RefinementOptions {
  /** Property name; default `refines-<abstract name>`. */
  readonly name?: string;
  /** Allow stutter steps (the mapped state unchanged). Default true, as in TLA+. */
  readonly stutter?: boolean;
}

/**
 * A transition property that holds when each concrete step maps to an abstract step or a
 * stutter. Its explanation names the abstract states before and after and the abstract actions
 * that were enabled, so the first step that does not map is plain to see.
 */
export function refines<S, A, T, B>(
  abstract: Machine<T, B>,
  mapping: (s: S) => T,
  opts: RefinementOptions = {},
): TransitionProperty<S, A> {
  const encodeInto = (t: T, words: WordBuffer): WordBuffer => {
    words.reset();
    if (abstract.encode) abstract.encode(t, words);
    else words.value(t);
    return words;
  };
  const keyOf = (t: T): string => encodeInto(t, new WordBuffer()).key();
  // Reusable buffers: the mapped state before, after, and each abstract successor. A random run
  // checks step i + 1 from the state step i reached: its mapping and encoding are then reused.
  let wBefore = new WordBuffer();
  let wAfter = new WordBuffer();
  const wSucc = new WordBuffer();
  const initKeys = new Set(abstract.init().map(keyOf));
  let lastPrev: S | undefined;
  let lastNext: S | undefined;
  let before: T = undefined as T;
  let after: T = undefined as T;
  let enabled: readonly B[] | undefined;
  const stutter = opts.stutter ?? true;
  const show = (t: T) => compact(viewOf(abstract, t));
  return {
    name: opts.name ?? `refines-${abstract.name}`,
    doc: `every step maps to a ${abstract.name} step${stutter ? ' or a stutter' : ''}`,
    checkInit(s: S) {
      const t = mapping(s);
      lastNext = undefined;
      return initKeys.has(encodeInto(t, wSucc).key()) || `initial state maps to ${show(t)}, which is not an initial ${abstract.name} state`;
    },
    check(prev: S, _a: A, next: S) {
      // Runners check all successors of one state in a row (breadth-first), or each step from
      // the state the last one reached (random runs): map and encode `prev` once.
      if (prev !== lastPrev) {
        if (prev === lastNext) {
          before = after;
          const w = wBefore;
          wBefore = wAfter;
          wAfter = w;
        } else {
          before = mapping(prev);
          encodeInto(before, wBefore);
        }
        lastPrev = prev;
        enabled = undefined;
      }
      after = mapping(next);
      lastNext = next;
      encodeInto(after, wAfter);
      if (stutter && wBefore.equals(wAfter)) return true;
      enabled ??= abstract.actions(before);
      for (const b of enabled) {
        if (encodeInto(abstract.step(before, b), wSucc).equals(wAfter)) return true;
      }
      const options = enabled.map((b) => labelOf(abstract, b)).join(', ') || 'none';
      return `no ${abstract.name} step leads from ${show(before)} to ${show(after)} (enabled there: ${options})`;
    },
  };
}

/** The plain-JSON form of a mapped state, for tests and messages. */
export function mappedView<T>(t: T): unknown {
  return toPlain(t);
}
