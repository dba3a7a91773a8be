/**
 * The consistency spectrum over one history: linearizable, sequential, causal, eventual. Each
 * level has its own checker (`search.ts`, `sequential.ts`, `causal.ts`, `eventual.ts`);
 * {@link checkLevel} runs one, {@link checkStrongest} finds the strongest level a history
 * satisfies, with the witness for it and the explanation of the next level up.
 *
 * How the levels relate, under the definitions used here: linearizable ⇒ sequential ⇒ causal
 * (every linearization is a sequential order; a sequential order is a causal one). Eventual
 * convergence is a different axis: linearizability implies it for histories with no pending
 * updates, but sequential and causal consistency do not (a process may read an old value
 * forever). `--strongest` therefore walks the levels from the top and reports the first that
 * holds; the levels below it are not checked.
 *
 * Levels a history cannot be checked at (causal consistency of a cas or a transaction) are
 * `unsupported`, with the reason; a search cut by a bound is `unknown`. Either one above the
 * reported level makes the answer undecided ("at least ...").
 */
import type { SequentialSpec } from '../../impl/core/history/spec.ts';
import type { BoundHit } from '../../impl/core/result.ts';
import { historyAccesses, showKey } from './accesses.ts';
import { causalUnsupported, checkCausal, INITIAL, type CausalResult, type PathStep } from '../../impl/core/history/causal.ts';
import { checkEventual, type EventualResult } from '../../impl/core/history/eventual.ts';
import type { History } from '../../impl/core/history/history.ts';
import type { AnyHistoryModel } from './models.ts';
import { describeOperation, explanationLines } from './report.ts';
import { checkHistory, type HistoryCheckOptions, type HistoryCheckResult } from '../../impl/core/history/search.ts';
import { checkSequential, type SequentialResult } from '../../impl/core/history/sequential.ts';
import { showValue } from '../../impl/core/history/spec.ts';

/** The levels, strongest first. */
export const CONSISTENCY_LEVELS = ['linearizable', 'sequential', 'causal', 'eventual'] as const;
/** A consistency level. */
export type ConsistencyLevel = (typeof CONSISTENCY_LEVELS)[number];

/** Is this a level name? */
export function isConsistencyLevel(s: string): s is ConsistencyLevel {
  return (CONSISTENCY_LEVELS as readonly string[]).includes(s);
}

/** Options of the level checks: the search bounds (per level) and the quiet period. */
export interface LevelCheckOptions extends HistoryCheckOptions {
  /** Eventual convergence: the quiet period after the last write, in the history's time unit. */
  readonly quiet?: number;
}

/** A level's raw result. */
export type LevelDetail =
  | { readonly level: 'linearizable'; readonly result: HistoryCheckResult }
  | { readonly level: 'sequential'; readonly result: SequentialResult }
  | { readonly level: 'causal'; readonly result: CausalResult }
  | { readonly level: 'eventual'; readonly result: EventualResult };

/** The outcome of checking one level. */
export type LevelOutcome =
  | { readonly level: ConsistencyLevel; readonly status: 'holds' | 'violated'; readonly detail: LevelDetail; readonly elapsedMs: number }
  | { readonly level: ConsistencyLevel; readonly status: 'unknown'; readonly bound: BoundHit; readonly detail: LevelDetail; readonly elapsedMs: number }
  | { readonly level: ConsistencyLevel; readonly status: 'unsupported'; readonly reason: string };

/** Why `model`'s history cannot be checked at `level`, or `null` when it can. */
export function levelUnsupported(model: AnyHistoryModel, history: History<unknown, unknown>, level: ConsistencyLevel): string | null {
  if (level !== 'causal') return null;
  return causalUnsupported(historyAccesses(model.name, history));
}

/** Check one level. A level the history cannot be checked at is `unsupported` (no exception). */
export function checkLevel(model: AnyHistoryModel, history: History<unknown, unknown>, level: ConsistencyLevel, options: LevelCheckOptions = {}): LevelOutcome {
  return checkOneLevel(model, history, level, options);
}

/** `linearizable`: what is known of the linearizability level (the sequential check then skips its linearizability attempt when it failed). */
function checkOneLevel(model: AnyHistoryModel, history: History<unknown, unknown>, level: ConsistencyLevel, options: LevelCheckOptions, linearizable?: LevelOutcome['status']): LevelOutcome {
  const t0 = performance.now();
  const { quiet, ...bounds } = options;
  const status = (holds: boolean): 'holds' | 'violated' => (holds ? 'holds' : 'violated');
  switch (level) {
    case 'linearizable': {
      const result = checkHistory(model.spec, history, bounds);
      const detail: LevelDetail = { level, result };
      const elapsedMs = performance.now() - t0;
      return result.verdict === 'unknown' ? { level, status: 'unknown', bound: result.bound!, detail, elapsedMs } : { level, status: status(result.verdict === 'linearizable'), detail, elapsedMs };
    }
    case 'sequential': {
      const result = checkSequential(model.spec, history, { ...bounds, ...(linearizable === 'violated' ? { tryLinearizability: false } : {}) });
      const detail: LevelDetail = { level, result };
      const elapsedMs = performance.now() - t0;
      return result.verdict === 'unknown' ? { level, status: 'unknown', bound: result.bound!, detail, elapsedMs } : { level, status: status(result.verdict === 'sequential'), detail, elapsedMs };
    }
    case 'causal': {
      const acc = historyAccesses(model.name, history);
      const reason = causalUnsupported(acc);
      if (reason !== null) return { level, status: 'unsupported', reason };
      const result = checkCausal(history, acc, model.registerInitial, bounds);
      const detail: LevelDetail = { level, result };
      const elapsedMs = performance.now() - t0;
      return result.verdict === 'unknown' ? { level, status: 'unknown', bound: result.bound!, detail, elapsedMs } : { level, status: status(result.verdict === 'causal'), detail, elapsedMs };
    }
    case 'eventual': {
      const result = checkEventual(history, historyAccesses(model.name, history), model.registerInitial, quiet !== undefined ? { quiet } : {});
      return { level, status: status(result.verdict === 'eventual'), detail: { level, result }, elapsedMs: performance.now() - t0 };
    }
  }
}

/** The answer of {@link checkStrongest}. */
export interface StrongestResult {
  /** The strongest level that holds (`null`: none holds). */
  readonly strongest: ConsistencyLevel | null;
  /**
   * True when every level above `strongest` was shown violated. False when one of them is
   * `unknown` or `unsupported`: the history satisfies at least `strongest`, maybe more.
   */
  readonly decided: boolean;
  /** The levels checked, strongest first (those below `strongest` are not checked). */
  readonly levels: readonly LevelOutcome[];
  /**
   * Eventual convergence, checked on its own when the strongest level is sequential or causal:
   * neither implies it, so it is reported beside the answer.
   */
  readonly convergence?: LevelOutcome;
}

/** Walk the levels from the strongest down; stop at the first that holds. */
export function checkStrongest(model: AnyHistoryModel, history: History<unknown, unknown>, options: LevelCheckOptions = {}): StrongestResult {
  const levels: LevelOutcome[] = [];
  for (const level of CONSISTENCY_LEVELS) {
    const o = checkOneLevel(model, history, level, options, levels[0]?.status);
    levels.push(o);
    if (o.status === 'holds') break;
  }
  const last = levels[levels.length - 1]!;
  const strongest = last.status === 'holds' ? last.level : null;
  const decided = levels.every((o) => o.status === 'holds' || o.status === 'violated');
  const convergence = strongest === 'sequential' || strongest === 'causal' ? checkOneLevel(model, history, 'eventual', options) : undefined;
  return { strongest, decided, levels, ...(convergence !== undefined ? { convergence } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Text

/** The level's verdict as one line. */
export function levelLine(o: LevelOutcome): string {
  switch (o.status) {
    case 'holds':
      return `${o.level}: holds`;
    case 'violated':
      return `${o.level}: VIOLATED`;
    case 'unknown':
      return `${o.level}: unknown (the ${o.bound.kind} bound ${o.bound.limit} cut the search; no verdict)`;
    case 'unsupported':
      return `${o.level}: not checked (${o.reason})`;
  }
}

function opList<S, I, O>(spec: SequentialSpec<S, I, O>, history: History<I, O>, ids: readonly number[], max: number): string[] {
  const shown = ids.slice(0, max).map((id, i) => `  ${String(i + 1).padStart(3)}. ${describeOperation(spec, history.ops[id]!)}`);
  if (ids.length > max) shown.push(`  ... ${ids.length - max} more`);
  return shown;
}

function pathText<S, I, O>(spec: SequentialSpec<S, I, O>, history: History<I, O>, steps: readonly PathStep[]): string {
  return steps.map((s) => `${describeOperation(spec, history.ops[s.op]!)}${s.via === undefined ? '' : s.via === 'session' ? ' --session--> ' : ' --read by--> '}`).join('');
}

/** Lines showing why the level holds: the witness order (or windows). */
export function witnessLines(model: AnyHistoryModel, history: History<unknown, unknown>, o: LevelOutcome, max = 30): string[] {
  if (o.status !== 'holds') return [];
  const spec = model.spec;
  const d = o.detail;
  switch (d.level) {
    case 'linearizable': {
      const parts = d.result.partitions;
      if (parts.length === 1) return [`witness linearization (real-time order kept):`, ...opList(spec, history, parts[0]!.linearization ?? [], max)];
      const first = parts[0]!;
      return [
        `witness: each of ${parts.length} partitions has a linearization; partition ${JSON.stringify(first.key)}:`,
        ...opList(spec, history, first.linearization ?? [], max),
      ];
    }
    case 'sequential':
      return ['witness order (each process keeps its own order; real time between processes ignored):', ...opList(spec, history, d.result.order ?? [], max)];
    case 'causal': {
      const rf = [...(d.result.readsFrom ?? new Map<number, number>()).entries()];
      const lines = [`writes-into-reads (${d.result.matchingsTried} of ${d.result.matchings} matching${d.result.matchings === 1 ? '' : 's'} tried):`];
      for (const [r, w] of rf.slice(0, max)) lines.push(`  ${describeOperation(spec, history.ops[r]!)} <- ${w === INITIAL ? 'the initial value' : describeOperation(spec, history.ops[w]!)}`);
      if (rf.length > max) lines.push(`  ... ${rf.length - max} more`);
      lines.push('a total order extending the causal order (session + writes-into-reads):');
      lines.push(...opList(spec, history, d.result.order ?? [], max));
      return lines;
    }
    case 'eventual': {
      const r = d.result;
      if (r.vacuous) return ['no key is read after its last write and the quiet period: convergence holds vacuously (nothing to compare)'];
      return r.windows
        .filter((w) => w.reads.length > 0)
        .slice(0, max)
        .map((w) => `${showKey(w.key)}: ${w.reads.length} read${w.reads.length === 1 ? '' : 's'} after t=${w.after} on ${w.nodes.length} node${w.nodes.length === 1 ? '' : 's'} all return ${showValue(w.value ?? null)}`);
    }
  }
}

/** Lines explaining why the level is violated. */
export function violationLines(model: AnyHistoryModel, history: History<unknown, unknown>, o: LevelOutcome): string[] {
  if (o.status !== 'violated') return [];
  const spec = model.spec;
  const op = (id: number): string => describeOperation(spec, history.ops[id]!);
  const d = o.detail;
  switch (d.level) {
    case 'linearizable':
      return d.result.explanation !== undefined ? explanationLines(spec, history, d.result.explanation) : [];
    case 'sequential': {
      const e = d.result.explanation!;
      const tail = 12;
      const skip = Math.max(0, e.prefix.length - tail);
      return [
        ...(e.partition !== undefined && e.partition !== null ? [`key ${JSON.stringify(e.partition)} alone has no sequential order (so the whole history has none):`] : []),
        `longest order found that keeps every process's order: ${e.prefix.length} operation${e.prefix.length === 1 ? '' : 's'} (the ${e.partition !== undefined && e.partition !== null ? 'key' : 'history'} has ${e.completedOps} completed)`,
        ...(skip > 0 ? [`  ... ${skip} earlier operation${skip === 1 ? '' : 's'}`] : []),
        ...e.prefix.slice(skip).map((id, i) => `  ${String(skip + i + 1).padStart(3)}. ${op(id)}`),
        `state after it: ${e.stateAfterPrefix}`,
        'every process\'s next operation is illegal there:',
        ...e.blocked.map((id) => `  ! ${op(id)}`),
        '(every other order that keeps each process\'s order was tried too: none works)',
      ];
    }
    case 'causal': {
      const v = d.result.violation!;
      const note =
        d.result.matchingsTried > 1 ? [`(values are written more than once: all ${d.result.matchingsTried} ways to match reads to writes fail; shown: the first)`] : [];
      switch (v.kind) {
        case 'thin-air':
          return [`${op(v.read)} returns a value that no write wrote (and it is not the initial value)`];
        case 'cycle':
          return ['the causal order (session order + writes-into-reads) has a cycle:', `  ${pathText(spec, history, v.cycle)}`, ...note];
        case 'overwritten': {
          const src = v.source === INITIAL ? 'the initial value' : op(v.source);
          const rule = { 'read-your-writes': 'read your writes', 'monotonic-reads': 'monotonic reads', 'monotonic-writes': 'monotonic writes', 'writes-follow-reads': 'writes follow reads' }[v.guarantee];
          return [
            `${op(v.read)} reads ${src}, but a later write is in its causal past (${rule} broken):`,
            ...(v.before !== undefined ? [`  ${pathText(spec, history, v.before)}`] : [`  ${op(v.overwriter)} overwrites the initial value`]),
            `  ${pathText(spec, history, v.after)}`,
            ...note,
          ];
        }
      }
      break;
    }
    case 'eventual': {
      const v = d.result.violation!;
      if (v.kind === 'invalid') return [`${showKey(v.key)}: the reads after t=${v.after} agree on ${showValue(v.value)}, which no write wrote: ${op(v.read)}`];
      return [
        `${showKey(v.key)}: reads after t=${v.after} (the last write and the quiet period) disagree:`,
        ...v.witnesses.map((w) => `  ${showValue(w.value)}: ${w.count} read${w.count === 1 ? '' : 's'}, e.g. ${op(w.read)}${history.ops[w.read]!.node !== undefined ? ` on node ${String(history.ops[w.read]!.node)}` : ''}`),
      ];
    }
  }
}
