/**
 * Eventual convergence of a register or key-value history: once the writes stop and a quiet
 * period passes, every replica returns the same value, and that value was written.
 *
 * Per key (each register of a `multi-register`, the one register of `register`):
 * - the **last write** ends at `T`, the latest completion of a write, cas (unless it failed) or
 *   append to the key; an update that never completed counts from its invocation (it is assumed
 *   to have landed, or been lost, by the end of the quiet period);
 * - the **stable window** holds the completed reads of the key with an observed value invoked
 *   strictly after `T + quiet` (`quiet` is in the history's time unit, default 0: invoked after
 *   the last write completed);
 * - **convergence**: every read in the window returns the same value, whichever replica served
 *   it (a JSON operation's `node`; otherwise its process stands for its replica);
 * - **validity**: that value was written to the key (by a write, or by a cas that swapped or may
 *   have), or is the initial value when no update of the key certainly happened. Keys updated by
 *   append are checked for convergence only.
 *
 * A key never read in its window constrains nothing; when no key has a read in its window the
 * verdict holds vacuously, and the result says so.
 *
 * What this does not say: convergence is not implied by causal or sequential consistency (a
 * process may keep reading an old value forever under both), only by linearizability (for
 * histories with no pending updates). Eventual consistency says nothing about the reads before
 * the window.
 */
import { showValue, valueKey, type RegisterValue } from './spec.ts';
import type { Access } from './access.ts';
import type { History, ProcessId } from './history.ts';

/** An eventual-convergence verdict (the check has no search, so never unknown). */
export type EventualVerdict = 'eventual' | 'not-eventual';

/** Options of {@link checkEventual}. */
export interface EventualOptions {
  /** The quiet period after the last write, in the history's time unit (default 0). */
  readonly quiet?: number;
}

/** What one key's stable window shows. */
export interface KeyWindow {
  readonly key: string;
  /** Reads count when invoked strictly after this time (`T + quiet`); `-Infinity` when never updated. */
  readonly after: number;
  /** The reads in the window (operation ids). */
  readonly reads: readonly number[];
  /** The replicas (nodes) those reads came from. */
  readonly nodes: readonly ProcessId[];
  /** The value they agree on, when they do. */
  readonly value?: RegisterValue;
}

/** Why a history does not converge. */
export type EventualViolation =
  /** Reads in the stable window returned different values: one read per value. */
  | { readonly kind: 'diverged'; readonly key: string; readonly after: number; readonly witnesses: readonly { readonly value: RegisterValue; readonly read: number; readonly count: number }[] }
  /** The window's reads agree on a value nothing wrote. */
  | { readonly kind: 'invalid'; readonly key: string; readonly after: number; readonly value: RegisterValue; readonly read: number };

/** The result of an eventual-convergence check. */
export interface EventualResult {
  readonly verdict: EventualVerdict;
  /** Every key's window, sorted by key. */
  readonly windows: readonly KeyWindow[];
  /** True when no key has a read in its window (the verdict then holds vacuously). */
  readonly vacuous: boolean;
  readonly violation?: EventualViolation;
  readonly stats: { readonly ops: number; readonly elapsedMs: number };
}

interface KeyInfo {
  last: number;
  /** Completed reads of the key with an observed value: operation id and value. */
  readonly reads: { readonly id: number; readonly value: RegisterValue }[];
  written: Set<string>;
  certain: boolean;
  appended: boolean;
}

/** Check a register history for eventual convergence (see the module comment). */
export function checkEventual(
  history: History<unknown, unknown>,
  accesses: readonly (readonly Access[])[],
  initial: RegisterValue,
  options: EventualOptions = {},
): EventualResult {
  const t0 = performance.now();
  const quiet = options.quiet ?? 0;
  if (!Number.isFinite(quiet) || quiet < 0) throw new Error(`eventual check: the quiet period must be a finite number >= 0, got ${quiet}`);
  const keys = new Map<string, KeyInfo>();
  const info = (key: string): KeyInfo => keys.get(key) ?? keys.set(key, { last: -Infinity, reads: [], written: new Set(), certain: false, appended: false }).get(key)!;
  history.ops.forEach((op, id) => {
    const end = op.ret ?? op.call;
    const done = op.ret !== null;
    for (const a of accesses[id]!) {
      const k = info(a.key);
      switch (a.kind) {
        case 'read':
          if (done) k.reads.push({ id, value: a.value });
          break;
        case 'read-unknown':
          break;
        case 'write':
          k.last = Math.max(k.last, end);
          k.written.add(valueKey(a.value));
          k.certain ||= done;
          break;
        case 'cas':
          if (done && a.swapped === false) break;
          k.last = Math.max(k.last, end);
          k.written.add(valueKey(a.to));
          k.certain ||= done && a.swapped === true;
          break;
        case 'append':
          k.last = Math.max(k.last, end);
          k.appended = true;
          k.certain ||= done;
          break;
      }
    }
  });
  const windows: KeyWindow[] = [];
  let violation: EventualViolation | undefined;
  for (const key of [...keys.keys()].sort()) {
    const k = keys.get(key)!;
    const after = k.last + quiet;
    const reads: number[] = [];
    const values = new Map<string, { value: RegisterValue; read: number; count: number }>();
    const nodes = new Set<ProcessId>();
    for (const { id, value } of k.reads) {
      const op = history.ops[id]!;
      if (!(op.call > after)) continue;
      reads.push(id);
      nodes.add(op.node ?? op.process);
      const vk = valueKey(value);
      const g = values.get(vk);
      if (g === undefined) values.set(vk, { value, read: id, count: 1 });
      else g.count++;
    }
    const agreed = values.size === 1 ? [...values.values()][0]! : undefined;
    windows.push({ key, after, reads, nodes: [...nodes], ...(agreed !== undefined ? { value: agreed.value } : {}) });
    if (violation !== undefined) continue;
    if (values.size > 1) violation = { kind: 'diverged', key, after, witnesses: [...values.values()] };
    else if (agreed !== undefined && !k.appended) {
      const vk = valueKey(agreed.value);
      const valid = k.written.has(vk) || (!k.certain && vk === valueKey(initial));
      if (!valid) violation = { kind: 'invalid', key, after, value: agreed.value, read: agreed.read };
    }
  }
  const vacuous = windows.every((w) => w.reads.length === 0);
  return {
    verdict: violation === undefined ? 'eventual' : 'not-eventual',
    windows,
    vacuous,
    ...(violation !== undefined ? { violation } : {}),
    stats: { ops: history.ops.length, elapsedMs: performance.now() - t0 },
  };
}
