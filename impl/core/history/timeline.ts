/**
 * Timelines of a history: one row per process, each operation a bar from its invocation to its
 * completion, laid out by time, with the operations that could not be linearized marked.
 *
 * {@link buildTimeline} produces the data (also what an HTML renderer needs);
 * {@link renderTimeline} draws it as text:
 *
 * ```text
 * p1  |-- write 0 --|
 * p2                  |==== read 3 ! ====|
 * p3                    |-- write 4 --|
 * p4                       |~~ cas 4->1 ? ~~~~>
 * ```
 */
import type { SequentialSpec } from './spec.ts';
import { sortProcesses, type History, type ProcessId, type SourceSpan } from './history.ts';
import type { HistoryCheckResult, LinearizabilityVerdict } from './search.ts';

/** How an operation ended. */
export type TimelineStatus = 'ok' | 'unknown-output' | 'crashed';

/**
 * What the check says about an operation: in the witness linearization or the longest
 * linearizable prefix (`linearized`), one of the operations that could not be placed after it
 * (`unplaced`; `blocking` for the earliest-completing of them), or nothing.
 */
export type TimelineMark = 'none' | 'linearized' | 'unplaced' | 'blocking';

/** One operation on a timeline. */
export interface TimelineOp {
  readonly id: number;
  readonly process: ProcessId;
  /** The spec's label: "write 3". */
  readonly label: string;
  readonly call: number;
  /** `null`: never completed. */
  readonly ret: number | null;
  readonly status: TimelineStatus;
  readonly mark: TimelineMark;
  /** 1-based position in its partition's linearization (or longest linearizable prefix). */
  readonly order?: number;
  /** Its partition key (`null` when the history is checked whole). */
  readonly partition: string | null;
  readonly source?: SourceSpan;
}

/** A timeline: the operations to draw, and which part of the history they are. */
export interface TimelineData {
  readonly verdict: LinearizabilityVerdict;
  /** The processes with an operation on the timeline, in display order. */
  readonly processes: readonly ProcessId[];
  /** The operations, in history order. */
  readonly ops: readonly TimelineOp[];
  /** The partition shown, when the timeline focuses on a failing partition. */
  readonly partition?: string | null;
  /** How many operations of the history are not shown. */
  readonly omitted: number;
}

/** Options of {@link buildTimeline}. */
export interface TimelineOptions {
  /**
   * `all`: every operation. `failure` (default for a failed check): the failing partition's
   * operations around the failure: the last few of the longest prefix and the unplaced ones.
   */
  readonly window?: 'all' | 'failure';
  /** At most this many operations (default 60; the unplaced ones are always kept). */
  readonly maxOps?: number;
  /** How many operations at the end of the longest prefix to show (default 6). */
  readonly prefixTail?: number;
}

/** Build the timeline data of a checked history. */
export function buildTimeline<S, I, O>(
  spec: SequentialSpec<S, I, O>,
  history: History<I, O>,
  result: HistoryCheckResult,
  options: TimelineOptions = {},
): TimelineData {
  const partitionOf = new Map<number, string | null>();
  const order = new Map<number, number>();
  for (const p of result.partitions) {
    for (const id of p.ops) partitionOf.set(id, p.key);
    (p.linearization ?? p.explanation?.prefix ?? []).forEach((id, i) => order.set(id, i + 1));
  }
  const marks = new Map<number, TimelineMark>();
  const ex = result.explanation;
  if (ex !== undefined) {
    for (const id of ex.unplaced) marks.set(id, 'unplaced');
    marks.set(ex.blocking, 'blocking');
  }
  const all: TimelineOp[] = history.ops.map((op) => ({
    id: op.id,
    process: op.process,
    label: spec.describe(op.input, op.output),
    call: op.call,
    ret: op.ret,
    status: op.ret === null ? 'crashed' : op.output === undefined ? 'unknown-output' : 'ok',
    mark: marks.get(op.id) ?? (order.has(op.id) ? 'linearized' : 'none'),
    ...(order.has(op.id) ? { order: order.get(op.id)! } : {}),
    partition: partitionOf.get(op.id) ?? null,
    ...(op.source !== undefined ? { source: op.source } : {}),
  }));
  const window = options.window ?? (ex !== undefined ? 'failure' : 'all');
  const maxOps = options.maxOps ?? 60;
  let shown = all;
  let partition: string | null | undefined;
  if (window === 'failure' && ex !== undefined) {
    partition = ex.partition;
    const tail = ex.prefix.slice(-(options.prefixTail ?? 6));
    const focus = [...tail, ...ex.unplaced];
    const from = Math.min(...focus.map((id) => history.ops[id]!.call));
    const to = Math.max(...ex.unplaced.map((id) => history.ops[id]!.ret ?? history.ops[id]!.call));
    const must = new Set(ex.unplaced);
    const inWindow = all.filter((o) => o.partition === ex.partition && o.call <= to && (o.ret === null || o.ret >= from));
    const keep = new Set(inWindow.filter((o) => must.has(o.id)).map((o) => o.id));
    for (const o of [...inWindow].sort((a, b) => b.call - a.call || b.id - a.id)) {
      if (keep.size >= Math.max(maxOps, must.size)) break;
      keep.add(o.id);
    }
    shown = all.filter((o) => keep.has(o.id));
  } else if (shown.length > maxOps && options.window === undefined && ex === undefined) {
    shown = all.slice(0, maxOps);
  }
  return {
    verdict: result.verdict,
    processes: sortProcesses(shown.map((o) => o.process)),
    ops: shown,
    ...(partition !== undefined ? { partition } : {}),
    omitted: all.length - shown.length,
  };
}

/** Options of {@link renderTimeline}. */
export interface RenderTimelineOptions {
  /** Labels longer than this are cut (default 28). */
  readonly maxLabel?: number;
  /** Add the legend line (default true). */
  readonly legend?: boolean;
}

/** The legend of {@link renderTimeline}. */
export const TIMELINE_LEGEND =
  'legend: |-- op --| completed   |~~ op ~~> never completed (may or may not have taken effect)   |== op ! ==| could not be linearized';

function cut(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}

/** Draw a timeline as text lines: one row per process (more when a process's operations overlap). */
export function renderTimeline(data: TimelineData, options: RenderTimelineOptions = {}): string[] {
  const maxLabel = options.maxLabel ?? 28;
  const label = (o: TimelineOp): string => {
    const base = cut(o.label, maxLabel);
    return o.mark === 'unplaced' || o.mark === 'blocking' ? `${base} !` : base;
  };
  // Columns: events grouped by time, left to right; a bar is wide enough for its label.
  type Ev = { readonly time: number; readonly op: TimelineOp; readonly isRet: boolean };
  const events: Ev[] = [];
  for (const o of data.ops) {
    events.push({ time: o.call, op: o, isRet: false });
    if (o.ret !== null) events.push({ time: o.ret, op: o, isRet: true });
  }
  events.sort((a, b) => a.time - b.time);
  const callX = new Map<number, number>();
  const retX = new Map<number, number>();
  const lastEnd = new Map<ProcessId, number>();
  let x = -1;
  for (let i = 0; i < events.length; ) {
    let j = i;
    let col = x + 1;
    while (j < events.length && events[j]!.time === events[i]!.time) {
      const e = events[j]!;
      if (e.isRet) col = Math.max(col, callX.get(e.op.id)! + label(e.op).length + 5);
      else col = Math.max(col, (lastEnd.get(e.op.process) ?? -2) + 2); // a space between a process's bars
      j++;
    }
    for (let k = i; k < j; k++) {
      const e = events[k]!;
      (e.isRet ? retX : callX).set(e.op.id, col);
      if (e.isRet) lastEnd.set(e.op.process, col);
    }
    x = col;
    i = j;
  }
  let width = x + 1;
  for (const o of data.ops) if (o.ret === null) width = Math.max(width, callX.get(o.id)! + label(o).length + 7);

  // Rows: per process, a new sub-row only when its operations overlap.
  const rows: { name: string; cells: string[]; end: number }[] = [];
  for (const p of data.processes) {
    const mine = data.ops.filter((o) => o.process === p).sort((a, b) => a.call - b.call || a.id - b.id);
    const sub: { name: string; cells: string[]; end: number }[] = [];
    for (const o of mine) {
      const from = callX.get(o.id)!;
      const to = o.ret === null ? width - 1 : retX.get(o.id)!;
      let row = sub.find((r) => r.end < from);
      if (row === undefined) {
        row = { name: sub.length === 0 ? `p${String(p)}` : `p${String(p)}'`, cells: new Array<string>(width).fill(' '), end: -1 };
        sub.push(row);
      }
      const fill = o.mark === 'unplaced' || o.mark === 'blocking' ? '=' : o.status === 'crashed' ? '~' : '-';
      for (let c = from; c <= to; c++) row.cells[c] = fill;
      row.cells[from] = '|';
      row.cells[to] = o.status === 'crashed' ? '>' : '|';
      const text = ` ${label(o)} `;
      const inner = to - from - 1;
      const start = from + 1 + Math.max(0, Math.floor((inner - text.length) / 2));
      for (let c = 0; c < text.length && start + c < to; c++) row.cells[start + c] = text[c]!;
      row.end = to;
    }
    rows.push(...sub);
  }
  const nameWidth = Math.max(0, ...rows.map((r) => r.name.length));
  const lines = rows.map((r) => `${r.name.padEnd(nameWidth)}  ${r.cells.join('').trimEnd()}`);
  if (options.legend ?? true) lines.push(TIMELINE_LEGEND);
  return lines;
}
