/**
 * Concurrent histories: what clients observed, as operations with an invocation time and a
 * completion time.
 *
 * Times only matter through their order: operation A happens before operation B exactly when
 * A's completion time is strictly less than B's invocation time (equal times are concurrent).
 * Parsers of event logs (Jepsen EDN, Porcupine's etcd and kv logs) use the event's position as
 * its time.
 *
 * An operation with no completion (`ret: null`: the client crashed, timed out, or Jepsen
 * reported `:info`) is indeterminate: it may have taken effect at any single point after its
 * invocation, or never. Its output is unknown.
 */
import { InputError } from '../machine.ts';

/** A client process id: Jepsen uses integers; our JSON format also accepts strings. */
export type ProcessId = number | string;

/** Where an operation came from in its source file (1-based lines), for messages. */
export interface SourceSpan {
  /** Line of the invocation (or of the whole operation, in the JSON format). */
  readonly callLine?: number;
  /** Line of the completion, when there was one. */
  readonly retLine?: number;
}

/** One operation of a history. */
export interface Operation<I, O> {
  /** Its index in {@link History.ops}. */
  readonly id: number;
  /** The client that ran it. */
  readonly process: ProcessId;
  /**
   * The replica (node) that served it, when the history says so (JSON `node`); otherwise the
   * process stands for its replica. Only the eventual-convergence check reads it.
   */
  readonly node?: ProcessId;
  /** What was asked. */
  readonly input: I;
  /** What was observed; `undefined` when unknown (crashed, timed out, indeterminate). */
  readonly output?: O;
  /** Invocation time. */
  readonly call: number;
  /** Completion time, or `null` when it never completed (it may or may not have taken effect). */
  readonly ret: number | null;
  /** Where it came from. */
  readonly source?: SourceSpan;
}

/** A history: operations sorted by invocation time, `ops[i].id === i`. */
export interface History<I, O> {
  /** The operations. */
  readonly ops: readonly Operation<I, O>[];
  /** The file (or other origin) the history was read from, for messages. */
  readonly origin?: string;
}

/** An operation as given to {@link makeHistory}: everything but the id. */
export type OperationInit<I, O> = Omit<Operation<I, O>, 'id'>;

/**
 * Build a history: validate times (finite; a completion not before its invocation), sort by
 * invocation time (stable) and number the operations. Throws {@link InputError} on bad times.
 */
export function makeHistory<I, O>(ops: readonly OperationInit<I, O>[], origin?: string): History<I, O> {
  const where = (op: OperationInit<I, O>, i: number): string => {
    const line = op.source?.callLine;
    return `${origin ?? 'history'}${line !== undefined ? `:${line}` : ''}: operation ${i} (process ${String(op.process)})`;
  };
  ops.forEach((op, i) => {
    if (typeof op.call !== 'number' || !Number.isFinite(op.call)) throw new InputError(`${where(op, i)}: invocation time must be a finite number`);
    if (op.ret !== null && (typeof op.ret !== 'number' || !Number.isFinite(op.ret))) {
      throw new InputError(`${where(op, i)}: completion time must be a finite number or null`);
    }
    if (op.ret !== null && op.ret < op.call) throw new InputError(`${where(op, i)}: completes (${op.ret}) before it is invoked (${op.call})`);
  });
  const order = ops.map((_, i) => i).sort((a, b) => ops[a]!.call - ops[b]!.call || a - b);
  return { ops: order.map((j, id) => ({ ...ops[j]!, id })), ...(origin !== undefined ? { origin } : {}) };
}

/** Counts of a history's operations. */
export interface HistorySummary {
  /** All operations. */
  readonly ops: number;
  /** Operations with a completion. */
  readonly completed: number;
  /** Operations with a completion but an unknown output (timed-out reads). */
  readonly unknownOutput: number;
  /** Operations that never completed. */
  readonly crashed: number;
  /** Distinct processes. */
  readonly processes: number;
}

/** Count a history's operations by kind. */
export function summarize<I, O>(h: History<I, O>): HistorySummary {
  let completed = 0;
  let unknownOutput = 0;
  const procs = new Set<ProcessId>();
  for (const op of h.ops) {
    procs.add(op.process);
    if (op.ret !== null) {
      completed++;
      if (op.output === undefined) unknownOutput++;
    }
  }
  return { ops: h.ops.length, completed, unknownOutput, crashed: h.ops.length - completed, processes: procs.size };
}

/** Processes in display order: numbers ascending, then strings. */
export function sortProcesses(ps: Iterable<ProcessId>): ProcessId[] {
  return [...new Set(ps)].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : typeof a === 'number'
        ? -1
        : typeof b === 'number'
          ? 1
          : a < b
            ? -1
            : a > b
              ? 1
              : 0,
  );
}

/** "lines 12–14", "line 12", or "" when unknown. */
export function describeSource(s: SourceSpan | undefined): string {
  if (s?.callLine === undefined) return '';
  if (s.retLine === undefined || s.retLine === s.callLine) return `line ${s.callLine}`;
  return `lines ${s.callLine}–${s.retLine}`;
}
