/**
 * `dscheck history <file>`: check a recorded history for linearizability.
 *
 * ```text
 * dscheck history <file> [--model register|cas-register|kv|multi-register]
 *                        [--format edn|etcd|kv|json] [--time-limit S] [--max-steps N]
 *                        [--initial V] [--all-partitions] [--timeline failure|all|none]
 *                        [--report] [--report-out file.html] [--json]
 * ```
 *
 * With `--level sequential|causal|eventual` it checks that consistency level instead
 * (`--level linearizable` is the default check); `--strongest` walks the levels from the strongest
 * down and reports the first the history satisfies, with its witness and the explanation of the
 * next level up (exit 0 when decided, 3 when a bound or an unsupported level above it leaves it
 * open). `--quiet-period T` sets the eventual level's quiet period (history time units).
 *
 * `--report` also writes a self-contained HTML page (default
 * `reports/history-<file>-<model>.html`) with the verdict, the explanation and the per-process
 * timeline, the operations that cannot be linearized in red. On a terminal a progress line shows
 * the elapsed time while the search runs.
 *
 * The format is detected from the content and extension when not given; the model is inferred
 * when not given (JSON `model` field; etcd → cas-register; kv → kv; EDN by its operations).
 * Prints the verdict, the counters and, for a failure, the explanation and a text timeline.
 * Exit code: 0 linearizable, 1 not linearizable, 3 unknown (a bound cut the search). Bad input
 * throws {@link InputError} (the dispatcher prints it and exits 2).
 */
import type { RegisterValue } from '../../impl/core/history/spec.ts';
import { InputError } from '../../impl/core/machine.ts';
import { summarize } from '../../impl/core/history/history.ts';
import { HISTORY_FORMATS, isHistoryFormat, loadHistoryFile } from '../history/load.ts';
import { HISTORY_MODEL_NAMES } from '../history/models.ts';
import { explanationLines, explanationReport, statsLine, verdictLine } from '../history/report.ts';
import { checkHistory, DEFAULT_HISTORY_BOUNDS, type HistoryCheckOptions } from '../../impl/core/history/search.ts';
import { buildTimeline, renderTimeline } from '../../impl/core/history/timeline.ts';
import {
  checkLevel,
  checkStrongest,
  CONSISTENCY_LEVELS,
  isConsistencyLevel,
  levelLine,
  levelUnsupported,
  violationLines,
  witnessLines,
  type ConsistencyLevel,
  type LevelCheckOptions,
  type LevelOutcome,
} from '../history/levels.ts';
import type { LoadedHistory } from '../history/load.ts';
import { flag, parseArgs, str } from './args.ts';
import { ProgressLine } from './progress.ts';
import { REPORTS_DIR, assertWritable, slug } from '../output.ts';
import { basename, join } from 'node:path';
import { fmtMs, fmtNum, reportFromHistory } from '../report/data.ts';
import { writeReport } from '../report/outputs.ts';

/** The usage line of the command. */
export const HISTORY_USAGE =
  `usage: dscheck history <file> [--model ${HISTORY_MODEL_NAMES.join('|')}] [--format ${HISTORY_FORMATS.join('|')}] ` +
  '[--level linearizable|sequential|causal|eventual | --strongest] [--quiet-period T] ' +
  '[--time-limit S] [--max-steps N] [--initial V] [--all-partitions] [--timeline failure|all|none] [--report] [--report-out file.html] [--json]';

function parseInitial(text: string): RegisterValue {
  if (text === 'nil' || text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Run `dscheck history`; returns the exit code (0 linearizable, 1 not, 3 unknown). */
export async function historyCommand(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs('history', argv, {
    model: 'string',
    format: 'string',
    'time-limit': 'string',
    'max-steps': 'string',
    initial: 'string',
    'all-partitions': 'bool',
    timeline: 'string',
    json: 'bool',
    report: 'bool',
    'report-out': 'string',
    quiet: 'bool',
    level: 'string',
    strongest: 'bool',
    'quiet-period': 'string',
  });
  if (args.positionals.length !== 1) throw new InputError(`${args.positionals.length === 0 ? 'no history file given' : 'give exactly one history file'}; ${HISTORY_USAGE}`);
  const file = args.positionals[0]!;
  const format = str(args, 'format');
  if (format !== undefined && !isHistoryFormat(format)) throw new InputError(`unknown history format '${format}'; valid: ${HISTORY_FORMATS.join(', ')}`);
  const model = str(args, 'model');
  if (model !== undefined && !(HISTORY_MODEL_NAMES as readonly string[]).includes(model)) {
    throw new InputError(`unknown history model '${model}'; valid: ${HISTORY_MODEL_NAMES.join(', ')}`);
  }
  const options: { -readonly [K in keyof HistoryCheckOptions]: HistoryCheckOptions[K] } = {};
  const tl = str(args, 'time-limit');
  if (tl !== undefined) {
    const s = Number(tl);
    if (!/^\d+(\.\d+)?$/.test(tl) || !(s > 0)) throw new InputError(`--time-limit must be a positive number of seconds, got '${tl}'`);
    options.timeLimitMs = s * 1000;
  }
  const ms = str(args, 'max-steps');
  if (ms !== undefined) {
    if (!/^\d+$/.test(ms) || Number(ms) < 1 || !Number.isSafeInteger(Number(ms))) throw new InputError(`--max-steps must be a positive integer, got '${ms}'`);
    options.maxSteps = Number(ms);
  }
  if (flag(args, 'all-partitions')) options.stopAtFirstFailure = false;
  const timeline = str(args, 'timeline') ?? 'failure';
  if (timeline !== 'failure' && timeline !== 'all' && timeline !== 'none') throw new InputError(`--timeline must be failure, all or none; got '${timeline}'`);
  const initial = str(args, 'initial');
  const levelArg = str(args, 'level');
  const strongest = flag(args, 'strongest');
  if (levelArg !== undefined && !isConsistencyLevel(levelArg)) throw new InputError(`unknown consistency level '${levelArg}'; valid: ${CONSISTENCY_LEVELS.join(', ')}`);
  if (levelArg !== undefined && strongest) throw new InputError('give either --level or --strongest, not both');
  const qp = str(args, 'quiet-period');
  let quiet: number | undefined;
  if (qp !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(qp)) throw new InputError(`--quiet-period must be a number >= 0 (history time units), got '${qp}'`);
    if (levelArg !== 'eventual' && !strongest) throw new InputError('--quiet-period applies to the eventual level: use it with --level eventual or --strongest');
    quiet = Number(qp);
  }
  if (strongest || (levelArg !== undefined && levelArg !== 'linearizable')) {
    for (const f of ['all-partitions', 'timeline', 'report', 'report-out'] as const) {
      if (args.flags.has(f)) throw new InputError(`--${f} applies to the linearizability check only, not to ${strongest ? '--strongest' : `--level ${levelArg}`}`);
    }
    const loadedL = await loadHistoryFile(file, {
      ...(format !== undefined ? { format } : {}),
      ...(model !== undefined ? { model } : {}),
      ...(initial !== undefined ? { initial: parseInitial(initial) } : {}),
    });
    return levelsCommand(file, loadedL, strongest ? 'strongest' : (levelArg as ConsistencyLevel), { ...options, ...(quiet !== undefined ? { quiet } : {}) }, flag(args, 'json'), !flag(args, 'json') && !flag(args, 'quiet'), out);
  }
  const reportOut = str(args, 'report-out');
  if (reportOut !== undefined) assertWritable('--report-out', reportOut);

  const loaded = await loadHistoryFile(file, {
    ...(format !== undefined ? { format } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(initial !== undefined ? { initial: parseInitial(initial) } : {}),
  });
  const { spec } = loaded.model;
  // The search is synchronous: the progress line is drawn from its clock, which it reads about
  // every thousand steps (elapsed time, and the time bound as the latest end).
  const progress = new ProgressLine(!flag(args, 'json') && !flag(args, 'quiet'));
  const limitMs = options.timeLimitMs ?? DEFAULT_HISTORY_BOUNDS.timeLimitMs;
  const t0 = performance.now();
  let lastDraw = t0;
  options.now = () => {
    const t = performance.now();
    if (t - lastDraw >= 250) {
      lastDraw = t;
      progress.update({ 'checking history': `${fmtNum(loaded.history.ops.length)} ops`, elapsed: fmtMs(t - t0), left: `≤ ${fmtMs(Math.max(0, limitMs - (t - t0)))}` });
    }
    return t;
  };
  let result: ReturnType<typeof checkHistory>;
  try {
    result = checkHistory(spec, loaded.history, options);
  } finally {
    progress.clear();
  }
  const code = result.verdict === 'linearizable' ? 0 : result.verdict === 'not-linearizable' ? 1 : 3;
  const sum = summarize(loaded.history);
  const wantTimeline = timeline === 'all' || (timeline === 'failure' && result.explanation !== undefined);
  const data = wantTimeline ? buildTimeline(spec, loaded.history, result, { window: timeline === 'all' ? 'all' : 'failure', ...(timeline === 'all' ? { maxOps: Number.MAX_SAFE_INTEGER } : {}) }) : undefined;
  let reportPath: string | undefined;
  if (flag(args, 'report') || args.flags.has('report-out')) {
    // The report always has a timeline: the failure's window, or the first operations.
    const tl = data ?? buildTimeline(spec, loaded.history, result, result.explanation !== undefined ? { window: 'failure' } : { maxOps: 200 });
    const sumLine = `${sum.ops} ops: ${sum.completed - sum.unknownOutput} completed, ${sum.unknownOutput} completed with unknown output, ${sum.crashed} never completed${loaded.droppedFailed > 0 ? `, ${loaded.droppedFailed} :fail left out` : ''}; ${sum.processes} processes`;
    reportPath = writeReport(
      str(args, 'report-out') ?? join(REPORTS_DIR, `history-${slug(basename(file).replace(/\.[^.]*$/, ''))}-${slug(loaded.model.name)}.html`),
      reportFromHistory({
        file,
        model: loaded.model.name,
        format: loaded.format,
        verdict: result.verdict,
        verdictLine: verdictLine(result),
        summary: [`model ${loaded.model.name}${loaded.modelInferred ? ' (inferred)' : ''}: ${spec.doc ?? loaded.model.doc}`, sumLine, statsLine(result)],
        stats: [
          { label: 'operations', value: fmtNum(sum.ops) },
          { label: 'processes', value: fmtNum(sum.processes) },
          { label: 'partitions', value: fmtNum(result.partitions.length) },
          { label: 'search steps', value: fmtNum(result.partitions.reduce((a, p) => a + p.steps, 0)) },
          { label: 'elapsed', value: fmtMs(performance.now() - t0) },
        ],
        bounds: [
          { label: 'time', value: fmtMs(limitMs) },
          { label: 'search steps', value: fmtNum(options.maxSteps ?? DEFAULT_HISTORY_BOUNDS.maxSteps) },
        ],
        explanation: result.explanation !== undefined ? explanationLines(spec, loaded.history, result.explanation) : [],
        timeline: tl,
        command: `dscheck history ${argv.join(' ')}`,
      }),
    );
  }

  if (flag(args, 'json')) {
    out(
      JSON.stringify({
        file,
        format: loaded.format,
        model: loaded.model.name,
        modelInferred: loaded.modelInferred,
        summary: { ...sum, failedLeftOut: loaded.droppedFailed },
        verdict: result.verdict,
        ...(result.bound !== undefined ? { bound: result.bound } : {}),
        stats: result.stats,
        partitions: result.partitions.map((p) => ({
          key: p.key,
          ops: p.ops.length,
          verdict: p.verdict,
          steps: p.steps,
          states: p.states,
          elapsedMs: p.elapsedMs,
          ...(p.bound !== undefined ? { bound: p.bound } : {}),
        })),
        ...(result.explanation !== undefined ? { explanation: explanationReport(spec, loaded.history, result.explanation) } : {}),
        ...(data !== undefined ? { timeline: data } : {}),
        ...(reportPath !== undefined ? { report: reportPath } : {}),
      }),
    );
    return code;
  }

  const dropped = loaded.droppedFailed > 0 ? `, ${loaded.droppedFailed} :fail left out (did not happen)` : '';
  out(`history: ${file}`);
  out(
    `  format ${loaded.format}, model ${loaded.model.name}${loaded.modelInferred ? ' (inferred; use --model to choose)' : ''}: ${spec.doc ?? loaded.model.doc}`,
  );
  out(`  ${sum.ops} ops: ${sum.completed - sum.unknownOutput} completed, ${sum.unknownOutput} completed with unknown output, ${sum.crashed} never completed${dropped}; ${sum.processes} processes`);
  out(verdictLine(result));
  out(statsLine(result));
  if (result.verdict === 'unknown') {
    const unfinished = result.partitions.filter((p) => p.verdict === 'unknown').map((p) => (p.key === null ? 'the history' : JSON.stringify(p.key)));
    out(`undecided: ${unfinished.join(', ')}; raise --time-limit or --max-steps to search further`);
  }
  if (result.explanation !== undefined) {
    out('');
    out('why:');
    for (const l of explanationLines(spec, loaded.history, result.explanation)) out(`  ${l}`);
  }
  if (data !== undefined) {
    out('');
    const scope = data.omitted > 0 ? `${data.ops.length} operations around the failure (${data.omitted} not shown)` : 'all operations';
    out(`timeline (${scope}; position in the file is time):`);
    for (const l of renderTimeline(data)) out(`  ${l}`);
  }
  if (reportPath !== undefined) out(`report written to ${reportPath}`);
  return code;
}

/**
 * `--level sequential|causal|eventual` and `--strongest`: check consistency levels and print the
 * verdicts, the witness of the level that holds and the explanation of the level that fails.
 * Exit codes: one level: 0 holds, 1 violated, 3 unknown; `--strongest`: 0 decided, 3 open.
 */
function levelsCommand(
  file: string,
  loaded: LoadedHistory,
  what: ConsistencyLevel | 'strongest',
  options: LevelCheckOptions,
  json: boolean,
  showProgress: boolean,
  out: (line: string) => void,
): number {
  const { model, history } = loaded;
  if (what !== 'strongest') {
    const reason = levelUnsupported(model, history, what);
    if (reason !== null) throw new InputError(`${file}: the ${what} level cannot be checked for this history: ${reason}`);
  }
  const progress = new ProgressLine(showProgress);
  const t0 = performance.now();
  let lastDraw = t0;
  const limitMs = options.timeLimitMs ?? DEFAULT_HISTORY_BOUNDS.timeLimitMs;
  const run: LevelCheckOptions = {
    ...options,
    now: () => {
      const t = performance.now();
      if (t - lastDraw >= 250) {
        lastDraw = t;
        progress.update({ 'checking history': `${fmtNum(history.ops.length)} ops`, elapsed: fmtMs(t - t0), 'per level': `≤ ${fmtMs(limitMs)}` });
      }
      return t;
    },
  };
  let levels: readonly LevelOutcome[];
  let strongest: ConsistencyLevel | null = null;
  let decided = true;
  let convergence: LevelOutcome | undefined;
  try {
    if (what === 'strongest') {
      const s = checkStrongest(model, history, run);
      levels = s.levels;
      strongest = s.strongest;
      decided = s.decided;
      convergence = s.convergence;
    } else levels = [checkLevel(model, history, what, run)];
  } finally {
    progress.clear();
  }
  const code = what === 'strongest' ? (decided ? 0 : 3) : levels[0]!.status === 'holds' ? 0 : levels[0]!.status === 'violated' ? 1 : 3;
  const holding = levels.find((l) => l.status === 'holds');
  // The explanation of the next level up: the violated level just above the one that holds (or
  // the last one checked when none holds).
  const failing = [...levels].reverse().find((l) => l.status === 'violated');
  const sum = summarize(history);
  if (json) {
    out(
      JSON.stringify({
        file,
        format: loaded.format,
        model: model.name,
        modelInferred: loaded.modelInferred,
        summary: { ...sum, failedLeftOut: loaded.droppedFailed },
        ...(what === 'strongest' ? { strongest, decided } : { level: what, status: levels[0]!.status }),
        ...(convergence !== undefined ? { convergence: convergence.status } : {}),
        ...(options.quiet !== undefined ? { quietPeriod: options.quiet } : {}),
        levels: levels.map((l) => ({
          level: l.level,
          status: l.status,
          ...(l.status === 'unknown' ? { bound: l.bound } : {}),
          ...(l.status === 'unsupported' ? { reason: l.reason } : { elapsedMs: Math.round(l.elapsedMs * 10) / 10 }),
          ...(l.status === 'holds' ? { witness: witnessLines(model, history, l, Number.MAX_SAFE_INTEGER), ...witnessData(l) } : {}),
          ...(l.status === 'violated' ? { explanation: violationLines(model, history, l) } : {}),
        })),
      }),
    );
    return code;
  }
  const dropped = loaded.droppedFailed > 0 ? `, ${loaded.droppedFailed} :fail left out (did not happen)` : '';
  out(`history: ${file}`);
  out(`  format ${loaded.format}, model ${model.name}${loaded.modelInferred ? ' (inferred; use --model to choose)' : ''}: ${model.spec.doc ?? model.doc}`);
  out(`  ${sum.ops} ops: ${sum.completed - sum.unknownOutput} completed, ${sum.unknownOutput} completed with unknown output, ${sum.crashed} never completed${dropped}; ${sum.processes} processes`);
  for (const l of levels) out(`${l.level === levels[levels.length - 1]!.level && what !== 'strongest' ? 'verdict: ' : ''}${levelLine(l)}${l.status === 'holds' || l.status === 'violated' || l.status === 'unknown' ? ` (${fmtMs(l.elapsedMs)})` : ''}`);
  if (what === 'strongest') {
    const above = levels.filter((l) => l.status === 'unknown' || l.status === 'unsupported').map((l) => l.level);
    if (strongest === null) out(decided ? 'strongest level: none (every level is violated)' : `strongest level: none shown (${above.join(', ')} not decided)`);
    else out(decided ? `strongest level: ${strongest}` : `strongest level: at least ${strongest} (${above.join(', ')} not decided)`);
    if (convergence !== undefined) {
      out(`also, on its own (${strongest} does not imply it): ${levelLine(convergence)}`);
      for (const l of convergence.status === 'holds' ? witnessLines(model, history, convergence, 5) : violationLines(model, history, convergence)) out(`  ${l}`);
    }
    if (!decided && levels.some((l) => l.status === 'unknown')) out('raise --time-limit or --max-steps to search further');
  } else if (levels[0]!.status === 'unknown') out('raise --time-limit or --max-steps to search further');
  if (holding !== undefined) {
    out('');
    out(`why ${holding.level}:`);
    for (const l of witnessLines(model, history, holding)) out(`  ${l}`);
  }
  if (failing !== undefined) {
    out('');
    out(`why not ${failing.level}:`);
    for (const l of violationLines(model, history, failing)) out(`  ${l}`);
  }
  return code;
}

/** A holding level's witness as data: operation ids in order, the writes-into-reads, the windows. */
function witnessData(l: LevelOutcome): Record<string, unknown> {
  if (l.status !== 'holds') return {};
  const d = l.detail;
  switch (d.level) {
    case 'linearizable':
      return { linearizations: d.result.partitions.map((p) => ({ key: p.key, order: p.linearization ?? [] })) };
    case 'sequential':
      return { order: d.result.order ?? [] };
    case 'causal':
      return { order: d.result.order ?? [], readsFrom: [...(d.result.readsFrom ?? new Map<number, number>()).entries()].map(([read, write]) => ({ read, write: write < 0 ? 'initial' : write })) };
    case 'eventual':
      return { vacuous: d.result.vacuous, windows: d.result.windows.map((w) => ({ key: w.key, after: w.after, reads: w.reads, nodes: w.nodes, ...(w.value !== undefined ? { value: w.value } : {}) })) };
  }
}
