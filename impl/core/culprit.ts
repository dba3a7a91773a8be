/**
 * Errors in the model's own code, named: which invariant, property, witness or handler threw,
 * and where in the user's TypeScript source.
 *
 * The runners turn an exception into a violation of kind `error` whose `name` is the phase that
 * threw (`invariant`, `property`, `step`, `actions`, `init`), with the trace that led there.
 * {@link explainError} finds the culprit afterwards, off the hot path: checks and handlers are
 * pure and deterministic, so evaluating them again on the trace's last state throws again, this
 * time one by one, with a stack. The location is the first stack frame in the user's code: not
 * in the checker (`checks/`, its CLI, reports and history checkers, and its leaf `impl/core/`),
 * not in the shared environment (`impl/env/`), not in `node_modules` or Node's internals. tsx and vitest map
 * stacks to the TypeScript source, so the line is the source line.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WordBuffer } from './encode.ts';
import { selectChecks } from './result.ts';
import type { Machine } from './machine.ts';
import { labelOf, type Violation } from './trace.ts';

/** The repository root (this file is `impl/core/culprit.ts`). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folders whose own files (not subfolders, not tests) are the checker or the shared environment. */
const LIBRARY_DIRS = ['checks', 'checks/cli', 'checks/report', 'checks/history', 'impl/core', 'impl/core/history', 'impl/env'].map((d) => resolve(ROOT, d));

/** One parsed stack frame. */
interface Frame {
  readonly fn: string | undefined;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Parse V8 stack lines: `at fn (file:line:col)` and `at file:line:col`. */
function frames(stack: string): Frame[] {
  const out: Frame[] = [];
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    const m = /^at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    let file = m[2]!;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    out.push({ fn: m[1]?.replace(/^async /, ''), file, line: Number(m[3]), column: Number(m[4]) });
  }
  return out;
}

/** Whether a frame is in Node's internals or a dependency. */
function isForeign(f: Frame): boolean {
  return !isAbsolute(f.file) || f.file.startsWith('node:') || f.file.includes(`${sep}node_modules${sep}`);
}

/** Whether a frame is in the checker or the shared environment (not in the user's model). */
function isLibrary(f: Frame): boolean {
  if (/\.test\.[cm]?ts$/.test(f.file)) return false;
  const dir = dirname(f.file);
  return LIBRARY_DIRS.includes(dir);
}

/** A path for messages: relative to the working directory when inside it. */
function showPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/**
 * Where an error was thrown in the user's code, as `file:line:column (in fn)`: the first stack
 * frame outside the checker, the shared environment, dependencies and Node. Falls back to the
 * first frame outside dependencies and Node (an error inside the environment itself), and to
 * undefined when there is no stack.
 */
export function userLocation(err: unknown): string | undefined {
  return location(err, true);
}

/**
 * Where an error was thrown in the user's code, or undefined when no frame of its stack is in
 * the user's code (the error is dscheck's own). Frames from the first one in `entry` on (the
 * CLI's entry point) are the callers of dscheck, not code it ran, and are not looked at.
 */
export function userCodeLocation(err: unknown, entry?: string): string | undefined {
  return location(err, false, entry);
}

function location(err: unknown, fallback: boolean, entry?: string): string | undefined {
  const stack = err instanceof Error ? err.stack : undefined;
  if (!stack) return undefined;
  let all = frames(stack);
  const cut = entry === undefined ? -1 : all.findIndex((f) => f.file === entry);
  if (cut >= 0) all = all.slice(0, cut);
  const fs = all.filter((f) => !isForeign(f));
  const f = fs.find((x) => !isLibrary(x)) ?? (fallback ? fs[0] : undefined);
  if (!f) return undefined;
  const fn = f.fn && f.fn !== '<anonymous>' ? f.fn.replace(/^Object\./, '') : undefined;
  return `${showPath(f.file)}:${f.line}:${f.column}${fn ? ` (in ${fn})` : ''}`;
}

/** The error's one-line message, as the runners write it. */
function messageOf(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
}

/** Run `f`; the error it throws, or undefined. */
function thrown(f: () => unknown): { readonly error: unknown } | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return { error: e };
  }
}

/**
 * A violation of kind `error` with its culprit named: `invariant NAME`, `transition property
 * NAME`, `witness NAME`, `step, taking LABEL`, `actions()` or `init()`, and `at` the location
 * in the user's code. Other violations, and errors already explained, are returned as they are.
 * When the culprit does not throw again (a nondeterministic model), the phase is kept as it is.
 */
export function explainError<S, A>(m: Machine<S, A>, v: Violation<S, A>, checks?: readonly string[]): Violation<S, A> {
  if (v.kind !== 'error' || v.culprit !== undefined) return v;
  const steps = v.trace.steps;
  const last = steps.length > 0 ? steps[steps.length - 1]!.state : v.trace.init;
  const prev = steps.length > 1 ? steps[steps.length - 2]!.state : v.trace.init;
  let sel: ReturnType<typeof selectChecks<S, A>>;
  try {
    sel = selectChecks(m, checks);
  } catch {
    sel = selectChecks(m);
  }
  const found = (culprit: string, t: { readonly error: unknown }): Violation<S, A> => {
    const at = userLocation(t.error);
    return { ...v, culprit, message: messageOf(t.error), ...(at ? { at } : {}) };
  };
  /** The symmetry and encoding hooks the exhaustive runner applies to each new state. */
  const hooks = (s: S): { readonly hook: string; readonly error: unknown } | undefined => {
    const ts = m.symmetry ? thrown(() => m.symmetry!(s)) : undefined;
    if (ts) return { hook: 'symmetry()', error: ts.error };
    const te = m.encode ? thrown(() => m.encode!(s, new WordBuffer())) : undefined;
    if (te) return { hook: 'encode()', error: te.error };
    return undefined;
  };
  switch (v.name) {
    case 'invariant': {
      for (const inv of sel.invariants) {
        const t = thrown(() => inv.check(last));
        if (t) return found(`invariant ${inv.name}`, t);
      }
      for (const w of m.sometimes ?? []) {
        const t = thrown(() => w.check(last));
        if (t) return found(`witness ${w.name}`, t);
      }
      break;
    }
    case 'property': {
      for (const p of sel.properties) {
        const t = steps.length === 0 ? (p.checkInit ? thrown(() => p.checkInit!(last)) : undefined) : thrown(() => p.check(prev, steps[steps.length - 1]!.action, last));
        if (t) return found(`transition property ${p.name}`, t);
      }
      break;
    }
    case 'step': {
      const a = v.failedAction?.action;
      if (a === undefined) break;
      const label = labelOf(m as Machine<unknown, unknown>, a);
      const t = thrown(() => m.step(last, a));
      if (t) return found(`step, taking ${label}`, t);
      // The runners reduce and encode a new state before its checks: those hooks count as the step.
      const h = hooks(m.step(last, a));
      if (h) return found(`${h.hook}, on the state after ${label}`, h);
      break;
    }
    case 'actions': {
      const t = thrown(() => m.actions(last));
      if (t) return found('actions()', t);
      const ti = m.isTerminal ? thrown(() => m.isTerminal!(last)) : undefined;
      if (ti) return found('isTerminal()', ti);
      break;
    }
    case 'init': {
      const t = thrown(() => m.init());
      if (t) return found('init()', t);
      const inits = m.init();
      for (let i = 0; i < inits.length; i++) {
        const h = hooks(inits[i]!);
        if (h) return found(`${h.hook}, on initial state ${i}`, h);
      }
      break;
    }
  }
  return v;
}
