/**
 * Readable reports of a linearizability check: the verdict, the counters, and for a failure the
 * explanation (longest linearizable prefix, the state it leaves, the operations that could not
 * be placed after it) in plain text, and the same as JSON-able data.
 */
import type { SequentialSpec } from '../../impl/core/history/spec.ts';
import { describeSource, type History, type Operation } from '../../impl/core/history/history.ts';
import type { Explanation, HistoryCheckResult } from '../../impl/core/history/search.ts';

/** One operation as a line: `p3 write 2 (lines 5–6)`. */
export function describeOperation<S, I, O>(spec: SequentialSpec<S, I, O>, op: Operation<I, O>): string {
  const label = `p${String(op.process)} ${spec.describe(op.input, op.output)}`;
  if (op.ret !== null) {
    const src = describeSource(op.source);
    return `${label}${src !== '' ? ` (${src})` : ''}`;
  }
  const { callLine, retLine } = op.source ?? {};
  const src = callLine === undefined ? '' : retLine === undefined ? `; line ${callLine}` : `; line ${callLine}, :info at line ${retLine}`;
  return `${label} [never completed${src}]`;
}

/** Options of {@link explanationLines}. */
export interface ExplanationTextOptions {
  /** Show at most this many operations at the end of the prefix (default 12). */
  readonly prefixTail?: number;
}

/** The explanation of a failure as text lines. */
export function explanationLines<S, I, O>(
  spec: SequentialSpec<S, I, O>,
  history: History<I, O>,
  ex: Explanation,
  options: ExplanationTextOptions = {},
): string[] {
  const op = (id: number): string => describeOperation(spec, history.ops[id]!);
  const tail = options.prefixTail ?? 12;
  const lines: string[] = [];
  if (ex.partition !== null) lines.push(`partition ${JSON.stringify(ex.partition)} (checked on its own: operations on other keys do not interact)`);
  lines.push(
    `longest linearizable prefix found: ${ex.prefix.length} operation${ex.prefix.length === 1 ? '' : 's'} ` +
      `(the partition has ${ex.partitionOps} completed)`,
  );
  const skip = Math.max(0, ex.prefix.length - tail);
  if (skip > 0) lines.push(`  ... ${skip} earlier operation${skip === 1 ? '' : 's'}`);
  ex.prefix.slice(skip).forEach((id, i) => lines.push(`  ${String(skip + i + 1).padStart(3)}. ${op(id)}`));
  lines.push(`state after it: ${ex.stateAfterPrefix}`);
  lines.push(`${op(ex.blocking)} must take effect before it completes, but after that prefix none of these can come next:`);
  for (const id of ex.unplaced) lines.push(`  ! ${op(id)}${id === ex.blocking ? '  <- completes first' : ''}`);
  lines.push('(every other order of the earlier operations was tried too: none works)');
  return lines;
}

/** The report's one-line verdict. */
export function verdictLine(result: HistoryCheckResult): string {
  switch (result.verdict) {
    case 'linearizable':
      return 'verdict: linearizable';
    case 'not-linearizable':
      return 'verdict: NOT linearizable';
    case 'unknown':
      return `verdict: unknown (the ${result.bound?.kind ?? ''} bound ${result.bound?.limit ?? ''} cut the search; no verdict)`;
  }
}

/** The counters as one line. */
export function statsLine(result: HistoryCheckResult): string {
  const s = result.stats;
  const parts = s.partitions === 1 ? '1 partition' : `${s.partitions} partitions (largest ${s.largestPartition} ops)`;
  return `stats: ${s.ops} ops (${s.crashedOps} never completed), ${parts}, ${s.steps} search steps, ${s.states} memo entries, ${s.modelStates} model states, ${s.elapsedMs.toFixed(1)} ms`;
}

/** An operation as JSON-able data. */
export interface OperationReport {
  readonly id: number;
  readonly process: number | string;
  readonly op: string;
  readonly call: number;
  readonly ret: number | null;
  readonly callLine?: number;
  readonly retLine?: number;
}

/** An operation as JSON-able data. */
export function operationReport<S, I, O>(spec: SequentialSpec<S, I, O>, op: Operation<I, O>): OperationReport {
  return {
    id: op.id,
    process: op.process,
    op: spec.describe(op.input, op.output),
    call: op.call,
    ret: op.ret,
    ...(op.source?.callLine !== undefined ? { callLine: op.source.callLine } : {}),
    ...(op.source?.retLine !== undefined ? { retLine: op.source.retLine } : {}),
  };
}

/** The explanation as JSON-able data (operations described). */
export function explanationReport<S, I, O>(spec: SequentialSpec<S, I, O>, history: History<I, O>, ex: Explanation): Record<string, unknown> {
  const op = (id: number): OperationReport => operationReport(spec, history.ops[id]!);
  return {
    partition: ex.partition,
    prefix: ex.prefix.map(op),
    stateAfterPrefix: ex.stateAfterPrefix,
    blocking: op(ex.blocking),
    unplaced: ex.unplaced.map(op),
    partitionOps: ex.partitionOps,
  };
}
