/**
 * `dscheck check <model> …`: run a model checker on a registered model and print the verdict,
 * the stats, and any counterexample as numbered steps (also written as JSON under `reports/`).
 */
import { basename, join } from 'node:path';
import { defaultParams, frontierCodecOf, instantiate, parseParamValue, resolveParams, variantOverrides, InputError, type AnyMachine, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import { moduleOf, modelRef, withModule, type ModelSource } from './models.ts';
import { DEFAULT_BOUNDS, DEFAULT_SPILL } from '../exhaustive.ts';
import { exploreParallel, type ParallelExploreStats } from '../parallel/explore.ts';
import { blockedRandomCheck, portfolioCheck } from './parallel.ts';
import { defaultWorkers } from '../parallel/pool.ts';
import { defaultTracePath, paramText, printVerdict, seedArg } from './verdict.ts';
import { RANDOM_DEFAULTS, checkRandomAsync, describeRandomResult, discoverKinds, drawKinds, drawnConfigText, drawRangesText, freshSeed, pathStatus, randomOrigin, type RandomResult } from '../random.ts';
import { modelDraw } from '../random/config.ts';
import { checkNames, selectChecks, witnessesInContext, type CheckResult } from '../../impl/core/result.ts';
import { knownBugLine, knownBugOutcome, randomBudget, variantHeader, variantRun, type KnownBugOutcome, type RandomBudget, type VariantRun } from './variant.ts';
import { describeViolation, labelOf, toTraceFile, type TraceOrigin } from '../../impl/core/trace.ts';
import { choice, flag, list, parseArgs, posInt, seconds, str, type ParsedArgs } from './args.ts';
import { REPORTS_DIR, assertSpillDir, assertWritable, dur, num, writeFileAtomic } from '../output.ts';
import { ProgressLine } from './progress.ts';
import { symmetryPlan } from '../symmetric.ts';
import { coverageInContext, exhaustiveCoverageAsync, formatCoverage, randomCoverageAsync, type Coverage } from '../report/coverage.ts';
import { fmtMs, fmtNum, reportFromRun, type Field } from '../report/data.ts';
import { traceToItf } from '../report/itf.ts';
import { writeItf, writeOtlp, writeReport } from '../report/outputs.ts';

/** Flags of `dscheck check`. */
export const CHECK_FLAGS = {
  param: 'list',
  invariant: 'list',
  mode: 'string',
  'max-depth': 'string',
  'max-states': 'string',
  'time-limit': 'string',
  exact: 'bool',
  'no-symmetry': 'bool',
  frontier: 'string',
  'frontier-memory': 'string',
  'spill-dir': 'string',
  'check-purity': 'bool',
  deadlock: 'bool',
  json: 'bool',
  out: 'string',
  quiet: 'bool',
  runs: 'string',
  steps: 'string',
  seed: 'string',
  path: 'string',
  'no-swarm': 'bool',
  'fixed-config': 'bool',
  report: 'bool',
  'report-out': 'string',
  'out-itf': 'string',
  'out-otlp': 'string',
  coverage: 'bool',
  workers: 'string',
  shard: 'string',
  'shard-out': 'string',
} as const;

export { defaultTracePath, paramText, printVerdict, seedArg } from './verdict.ts';

/** Flags that only one family of modes takes. */
const EXHAUSTIVE_ONLY = ['max-depth', 'max-states', 'exact', 'no-symmetry', 'frontier', 'frontier-memory', 'spill-dir'] as const;
const RANDOM_ONLY = ['runs', 'steps', 'seed', 'path', 'no-swarm', 'fixed-config'] as const;

/** Parse `--param k=v` pairs against the model's schema. */
export function parseParams(model: AnyModel, pairs: readonly string[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InputError(`--param takes key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    if (key in out) throw new InputError(`--param ${key} is given twice (${key}=${String(out[key])} and ${pair}); give each parameter once`);
    out[key] = parseParamValue(model, key, pair.slice(eq + 1));
  }
  return out;
}

/**
 * The exit code of a finished run: 1 for a violation, 2 for an exception in the model's own
 * code (an error of the model, not a counterexample: also one line on stderr, naming the
 * culprit and the trace file that replays it), 130 when interrupted, 0 otherwise.
 */
export function runExitCode(result: CheckResult, traceFile: string | undefined): number {
  const v = result.violation;
  if (result.status === 'violation' && v?.kind === 'error') {
    process.stderr.write(`dscheck: error in the model: ${describeViolation(v)}${traceFile ? ` (trace: ${traceFile})` : ''}\n`);
    return 2;
  }
  if (result.status === 'violation') return 1;
  if (result.bound?.kind === 'interrupted') return 130;
  return 0;
}

/** The `violation` object of the JSON output. */
export function violationJson(v: CheckResult['violation'], traceFile: string | undefined): Record<string, unknown> | null {
  if (!v) return null;
  return {
    kind: v.kind,
    name: v.name,
    message: v.message,
    ...(v.kind === 'error' ? { culprit: v.culprit ?? v.name, at: v.at ?? null } : {}),
    steps: v.trace.steps.length,
    traceFile,
  };
}

/**
 * A rough upper bound on the time an exhaustive run has left: it ends by then at the latest,
 * cut by the time bound or, at the current rate, by the states bound (the reachable space may
 * well be exhausted sooner; there is no honest estimate of that).
 */
export function exhaustiveTimeLeft(states: number, elapsedMs: number, statesPerSecond: number, maxStates: number, timeLimitMs: number): string {
  const byTime = timeLimitMs - elapsedMs;
  const byStates = statesPerSecond > 0 ? ((maxStates - states) / statesPerSecond) * 1000 : Infinity;
  return `≤ ${fmtMs(Math.max(0, Math.min(byTime, byStates)))}`;
}

/**
 * The estimated time left when the total is known (random runs: runs done over runs total; the
 * coverage pass: states over the states the check found), at the current pace, capped by the
 * time limit.
 */
export function randomTimeLeft(runs: number, totalRuns: number, elapsedMs: number, timeLimitMs: number): string {
  if (runs <= 0) return '?';
  const left = (elapsedMs * Math.max(0, totalRuns - runs)) / runs;
  return fmtMs(Math.max(0, Math.min(left, timeLimitMs - elapsedMs)));
}

/** The default report of a run: `reports/<the trace file's name>.html`, or `…-<mode>.html` with no violation. */
export function defaultReportPath(model: AnyModel, params: Readonly<Record<string, ParamValue>>, tail: string): string {
  return join(REPORTS_DIR, basename(defaultTracePath(model, params, tail)).replace(/\.json$/, '.html'));
}

/** What `--report`, `--out-itf` and `--coverage` produced, for the text and JSON outputs. */
interface Artifacts {
  readonly report?: string;
  readonly itf?: string;
  readonly itfNote?: string;
  readonly otlp?: string;
  readonly coverage?: Coverage;
}

/** The run to report on: the model, its machine, what was checked and how, and what came of it. */
interface RunContext {
  readonly args: ParsedArgs;
  readonly argv: readonly string[];
  readonly model: AnyModel;
  readonly params: Record<string, ParamValue>;
  readonly machine: AnyMachine;
  readonly checks: readonly string[];
  readonly mode: 'bfs' | 'dfs' | 'random';
  readonly result: CheckResult;
  readonly bounds: readonly Field[];
  readonly origin: TraceOrigin;
  readonly run: readonly Field[];
  /** The outcome of a known-bug variant run, when the run selected one. */
  readonly knownBug?: KnownBugOutcome;
}

/** Write the report and the ITF trace a run asked for. */
function writeArtifacts(c: RunContext, coverage: Coverage | undefined): Artifacts {
  const { args, model, params, machine, result } = c;
  const v = result.violation;
  let report: string | undefined;
  const otlpOut = str(args, 'out-otlp');
  let otlp: string | undefined;
  if (flag(args, 'report') || args.flags.has('report-out') || (otlpOut !== undefined && result.status === 'violation' && v)) {
    const data = reportFromRun({
      machine,
      model: model.name,
      params,
      mode: c.mode,
      result,
      bounds: c.bounds,
      origin: c.origin,
      checks: c.checks,
      run: c.run,
      command: `dscheck check ${c.argv.join(' ')}`,
      paramDefaults: defaultParams(model),
      ...(coverage ? { coverage } : {}),
      ...(c.knownBug && !c.knownBug.found
        ? { notices: [{ level: 'warn' as const, badge: `known bug ${c.knownBug.name} not found`, text: knownBugLine(c.knownBug, c.checks).replace(/^⚠ /, '') }] }
        : {}),
    });
    if (flag(args, 'report') || args.flags.has('report-out')) report = writeReport(str(args, 'report-out') ?? defaultReportPath(model, params, v ? v.name : c.mode), data);
    if (otlpOut !== undefined && result.status === 'violation' && v) otlp = writeOtlp(otlpOut, data);
  }
  const itfOut = str(args, 'out-itf');
  let itf: string | undefined;
  let itfNote: string | undefined;
  if (itfOut !== undefined) {
    if (result.status === 'violation' && v) {
      itf = writeItf(itfOut, traceToItf(machine, v.trace, { model: model.name, params, origin: c.origin, violation: v, ...(v.failedAction ? { failedAction: labelOf(machine, v.failedAction.action) } : {}) }));
    } else itfNote = 'no counterexample, so no ITF trace was written';
  }
  const otlpNote = otlpOut !== undefined && !otlp ? 'no counterexample, so no OpenTelemetry trace was written' : undefined;
  return { ...(report ? { report } : {}), ...(itf ? { itf } : {}), ...(itfNote || otlpNote ? { itfNote: [itfNote, otlpNote].filter(Boolean).join('; ') } : {}), ...(otlp ? { otlp } : {}), ...(coverage ? { coverage } : {}) };
}

/** The artifact fields of the JSON output. */
function artifactJson(args: ParsedArgs, a: Artifacts): Record<string, unknown> {
  return { ...(a.report ? { report: a.report } : {}), ...(args.flags.has('out-itf') ? { itf: a.itf ?? null } : {}), ...(args.flags.has('out-otlp') ? { otlp: a.otlp ?? null } : {}), ...(a.coverage ? { coverage: a.coverage } : {}) };
}

/** The artifact lines of the text output. */
function artifactLines(out: (line: string) => void, a: Artifacts): void {
  if (a.coverage) for (const l of formatCoverage(a.coverage)) out(`  ${l}`);
  if (a.report) out(`  report written to ${a.report}`);
  if (a.itf) out(`  ITF trace written to ${a.itf}`);
  if (a.otlp) out(`  OpenTelemetry trace (OTLP/JSON) written to ${a.otlp}`);
  if (a.itfNote) out(`  ${a.itfNote}`);
}

/**
 * Fail fast: every file this run may write (the counterexample trace, the report, the ITF
 * trace), given or default, must be writable before the search starts. Creates nothing.
 */
function checkOutputPaths(args: ParsedArgs, model: AnyModel, params: Readonly<Record<string, ParamValue>>, mode: string): void {
  const given = str(args, 'out');
  if (given !== undefined) assertWritable('--out', given);
  else assertWritable('the default trace file (give --out to write elsewhere)', defaultTracePath(model, params, 'check'));
  if (flag(args, 'report') || args.flags.has('report-out')) {
    const report = str(args, 'report-out');
    if (report !== undefined) assertWritable('--report-out', report);
    else assertWritable('the default report (give --report-out to write elsewhere)', defaultReportPath(model, params, mode));
  }
  const itf = str(args, 'out-itf');
  if (itf !== undefined) assertWritable('--out-itf', itf);
}

/** Run `dscheck check`. Returns the exit code. */
export async function checkCommand(argv: readonly string[], out: (line: string) => void, models: ModelSource): Promise<number> {
  const args = parseArgs('check', argv, CHECK_FLAGS, { p: 'param', i: 'invariant' });
  const [modelName, ...extra] = args.positionals;
  const otlpOut = str(args, 'out-otlp');
  if (otlpOut !== undefined) assertWritable('--out-otlp', otlpOut);
  if (modelName === undefined) throw new InputError('usage: dscheck check <model> [--param k=v …] [--invariant name …] [--mode bfs|dfs|random] [--max-depth N] [--max-states N] [--runs N] [--steps M] [--seed S] [--time-limit S] [--json]');
  if (extra.length > 0) throw new InputError(`unexpected argument '${extra[0]}'; parameters go in --param k=v`);
  const model = await models.resolve(modelName);
  // A known-bug variant brings the configuration that shows it; explicit --param values win.
  // Both are pinned: random mode draws only the other parameters from the seed.
  // Random mode takes the variant's random configuration and bounds, when it declares them.
  const mode = choice(args, 'mode', ['bfs', 'dfs', 'random', 'portfolio'] as const, 'bfs');
  const explicit = parseParams(model, list(args, 'param'));
  const variantMode = mode === 'random' ? 'random' : 'exhaustive';
  const { overrides, fromVariant } = variantOverrides(model, explicit, variantMode);
  const pinned = overrides;
  const { params, machine } = instantiate(model, overrides);
  const variant = variantRun(model, params, fromVariant, variantMode);
  const budget = randomBudget(model, explicit.bug);
  const checks = list(args, 'invariant');
  selectChecks(machine, checks);
  if (mode === 'portfolio') return portfolioCheck(args, model, params, machine, checks, out);
  for (const f of mode === 'random' ? EXHAUSTIVE_ONLY : RANDOM_ONLY) {
    if (args.flags.has(f)) throw new InputError(`--${f} applies to --mode ${mode === 'random' ? 'bfs or dfs' : 'random'} only`);
  }
  if (args.flags.has('shard-out') && !args.flags.has('shard')) throw new InputError('--shard-out goes with --shard (random runs)');
  checkOutputPaths(args, model, params, mode);
  if (mode === 'random' && (args.flags.has('workers') || args.flags.has('shard'))) return blockedRandomCheck(args, model, params, machine, checks, out, budget);
  if (mode === 'random') return randomCheck(args, model, params, machine, checks, out, argv, pinned, budget, variant);
  return exhaustiveCheck(args, model, params, machine, checks, mode, out, argv, variant);
}

/**
 * Run `work` with a progress line (off with `--json` or `--quiet`) and Ctrl-C wired to `abort`;
 * the line is cleared and the handler removed however the work ends.
 */
async function withProgress<T>(args: ParsedArgs, abort: AbortController, work: (progress: ProgressLine) => Promise<T>): Promise<T> {
  const progress = new ProgressLine(!flag(args, 'json') && !flag(args, 'quiet'));
  const onSigint = () => abort.abort();
  process.on('SIGINT', onSigint);
  try {
    return await work(progress);
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }
}

/**
 * A finished run, as both branches of `dscheck check` hand it to {@link finishRun}: what the
 * user asked for, what came of it, and the few things each mode says its own way.
 */
interface RunTail<R extends CheckResult> {
  readonly args: ParsedArgs;
  readonly argv: readonly string[];
  readonly model: AnyModel;
  readonly checks: readonly string[];
  readonly out: (line: string) => void;
  readonly variant: VariantRun | undefined;
  readonly mode: 'bfs' | 'dfs' | 'random';
  /** The parameters and machine as given (witness needs and coverage are read in their context). */
  readonly params: Record<string, ParamValue>;
  readonly machine: AnyMachine;
  /** The parameters and machine of the run the result belongs to (a drawn configuration in random mode). */
  readonly runParams: Record<string, ParamValue>;
  readonly runMachine: AnyMachine;
  readonly result: R;
  readonly origin: TraceOrigin;
  readonly bounds: readonly Field[];
  readonly run: readonly Field[];
  readonly abort: AbortController;
  /** The `--coverage` pass (run unless the search was interrupted). */
  readonly coverage: (progress: ProgressLine) => Promise<Coverage>;
  /** The JSON output's fields before `status`, and those between `bound` and `stats`. */
  readonly jsonHead: Record<string, unknown>;
  readonly jsonMiddle: Record<string, unknown>;
  /** The text output up to the trace line: the verdict and the stats (the result has its witnesses in context). */
  readonly text: (result: R) => void;
  /** What follows the trace file's name on its line. */
  readonly traceNote: (file: string) => string;
}

/**
 * The tail every `dscheck check` run shares: witnesses in context, the known-bug outcome, the
 * counterexample's trace file, the coverage pass, the report, ITF and OTLP artifacts, the JSON or
 * text output, and the exit code.
 */
async function finishRun<R extends CheckResult>(t: RunTail<R>): Promise<number> {
  const { args, model, out } = t;
  const json = flag(args, 'json');
  const result: R = { ...t.result, witnesses: witnessesInContext(t.machine, t.params, t.result.witnesses) };
  const knownBug = t.variant ? knownBugOutcome(t.variant, result) : undefined;
  const v = result.violation;
  let traceFile: string | undefined;
  if (result.status === 'violation' && v) {
    traceFile = str(args, 'out') ?? defaultTracePath(model, t.runParams, v.name);
    writeFileAtomic(traceFile, `${JSON.stringify(withModule(toTraceFile(t.runMachine, model.name, t.runParams, t.origin, v.trace, v), model, traceFile), null, 2)}\n`);
  }
  // Coverage is a second pass on a counting wrapper (the runner stays as fast).
  let coverage: Coverage | undefined;
  if (flag(args, 'coverage') && result.bound?.kind !== 'interrupted') {
    coverage = coverageInContext(await withProgress(args, t.abort, t.coverage), t.machine, t.params);
  }
  const artifacts = writeArtifacts(
    {
      args,
      argv: t.argv,
      model,
      params: t.runParams,
      machine: t.runMachine,
      checks: t.checks,
      mode: t.mode,
      result,
      bounds: t.bounds,
      origin: t.origin,
      ...(knownBug ? { knownBug } : {}),
      run: t.run,
    },
    coverage,
  );
  if (json) {
    out(JSON.stringify({
      ...t.jsonHead,
      status: v?.kind === 'error' ? 'error' : result.status,
      bound: result.bound ?? null,
      ...t.jsonMiddle,
      stats: result.stats,
      witnesses: result.witnesses,
      violation: violationJson(v, traceFile),
      ...(knownBug ? { knownBug } : {}),
      ...artifactJson(args, artifacts),
    }));
  } else {
    t.text(result);
    if (traceFile) out(`  trace written to ${traceFile}${t.traceNote(traceFile)}`);
    artifactLines(out, artifacts);
    if (knownBug) out(knownBugLine(knownBug, t.checks));
  }
  return runExitCode(result, traceFile);
}

async function exhaustiveCheck(
  args: ParsedArgs,
  model: AnyModel,
  params: Record<string, ParamValue>,
  machine: AnyMachine,
  checks: readonly string[],
  mode: 'bfs' | 'dfs',
  out: (line: string) => void,
  argv: readonly string[],
  variant?: VariantRun,
): Promise<number> {
  const json = flag(args, 'json');
  const maxDepth = posInt(args, 'max-depth', DEFAULT_BOUNDS.maxDepth, 0);
  const maxStates = posInt(args, 'max-states', DEFAULT_BOUNDS.maxStates);
  const timeLimitMs = seconds(args, 'time-limit', DEFAULT_BOUNDS.timeLimitMs);
  const exact = flag(args, 'exact');
  const symmetry = !flag(args, 'no-symmetry');
  // BFS uses every core by default (the result does not depend on the worker count); dfs and
  // exact keys are single-threaded. A run shorter than the workers' start never starts them.
  const workers = posInt(args, 'workers', mode === 'bfs' && !exact ? defaultWorkers() : 1);
  if (workers > 1 && mode === 'dfs') throw new InputError('--mode dfs is single-threaded: use --workers 1 (or --mode bfs)');
  if (workers > 1 && exact) throw new InputError('--exact keeps full keys in one thread: use --workers 1 with it');
  if (args.flags.has('shard')) throw new InputError('--shard splits random or portfolio runs; an exhaustive search is not sharded');
  const purity = flag(args, 'check-purity') ? 'full' : 'first';
  const frontier = str(args, 'frontier') ?? 'auto';
  if (frontier !== 'auto' && frontier !== 'encoded' && frontier !== 'objects') throw new InputError(`--frontier takes auto, encoded or objects, got '${frontier}'`);
  if (frontier !== 'auto' && mode === 'dfs') throw new InputError('--frontier applies to --mode bfs (dfs keeps only its stack)');
  if (frontier === 'encoded' && frontierCodecOf(machine) === undefined) throw new InputError(`model ${model.name} cannot hold its frontier encoded: it has no ${machine.encode ? 'decode' : 'encode/decode'} (use --frontier objects)`);
  const frontierMemoryBytes = posInt(args, 'frontier-memory', DEFAULT_SPILL.frontierMemoryBytes / 2 ** 20) * 2 ** 20;
  const spillDir = str(args, 'spill-dir');
  if (spillDir !== undefined) assertSpillDir(spillDir);
  // Symmetry only where every selected check is symmetric (the plan says so, with a notice otherwise).
  const plan = symmetryPlan(machine, checks, symmetry);
  const names = checks.length > 0 ? checks : checkNames(machine);
  const say = json ? () => {} : out;
  say(`dscheck check ${model.name} (${paramText(params)}) · ${mode} · ${exact ? 'exact keys' : workers > 1 && mode === 'bfs' ? '63-bit fingerprints' : '64-bit fingerprints'}${plan.on ? ' · symmetry' : ''}${purity === 'full' ? ' · purity checked on every state' : ''}${workers > 1 ? ` · ${workers} workers` : ''}`);
  if (variant) say(variantHeader(variant));
  if (plan.notice) say(plan.notice);
  say(`checks: ${names.join(', ') || '(none)'}`);
  say(`bounds: depth ≤ ${num(maxDepth)} · states ≤ ${num(maxStates)} · time ≤ ${dur(timeLimitMs)}`);

  const abort = new AbortController();
  const mod = moduleOf(model);
  const result: CheckResult<unknown, unknown, ParallelExploreStats> = await withProgress(args, abort, (progress) =>
    exploreParallel({ model: model.name, params, ...(mod !== undefined ? { module: mod } : {}) }, {
      workers,
      mode,
      maxDepth,
      maxStates,
      timeLimitMs,
      exact,
      symmetry: plan.on,
      purity,
      frontier: frontier as 'auto' | 'encoded' | 'objects',
      frontierMemoryBytes,
      ...(spillDir !== undefined ? { spillDir } : {}),
      deadlock: flag(args, 'deadlock'),
      checks,
      signal: abort.signal,
      onProgress: (p) =>
        progress.update({
          states: p.states,
          depth: p.depth,
          queue: p.queue,
          'states/s': Math.round(p.statesPerSecond),
          elapsed: dur(p.elapsedMs),
          left: exhaustiveTimeLeft(p.states, p.elapsedMs, p.statesPerSecond, maxStates, timeLimitMs),
        }),
    }, machine),
  );
  const s = result.stats;
  return finishRun({
    args,
    argv,
    model,
    checks,
    out,
    variant,
    mode,
    params,
    machine,
    runParams: params,
    runMachine: machine,
    result,
    origin: { runner: mode, ...(checks.length > 0 ? { checks } : {}) },
    bounds: [
      { label: 'depth', value: num(maxDepth) },
      { label: 'distinct states', value: num(maxStates) },
      { label: 'time', value: dur(timeLimitMs) },
    ],
    run: [
      { label: 'deduplication', value: s.dedup === 'exact' ? 'exact keys' : s.dedup === 'fingerprint63' ? '63-bit fingerprints (shared by the workers)' : '64-bit fingerprints' },
      { label: 'symmetry', value: plan.on ? 'on' : plan.notice ? 'off (a selected check is not declared symmetric)' : 'off' },
    ],
    abort,
    coverage: (covProgress) =>
      exhaustiveCoverageAsync(machine, {
        mode,
        maxDepth,
        maxStates,
        timeLimitMs,
        exact,
        symmetry,
        deadlock: flag(args, 'deadlock'),
        checks,
        signal: abort.signal,
        // The first pass counted the states: this one has a real estimate.
        onProgress: (p) =>
          covProgress.update({
            'coverage pass': `${fmtNum((p.states / Math.max(1, s.states)) * 100)}% of the states`,
            states: p.states,
            elapsed: dur(p.elapsedMs),
            eta: randomTimeLeft(p.states, s.states, p.elapsedMs, timeLimitMs),
          }),
      }),
    jsonHead: { model: model.name, params, mode, checks: names, bounds: { maxDepth, maxStates, timeLimitMs } },
    jsonMiddle: { notices: plan.notice ? [plan.notice] : [] },
    text: (r) => {
      printVerdict(out, machine, r, {
        statesWord: `${num(s.states)} ${r.status === 'exhausted' ? 'reachable' : 'distinct'} states`,
        detail: `diameter ${s.diameter}`,
      });
      out(`  states ${num(s.states)} · transitions ${num(s.transitions)} · diameter ${s.diameter} · ${dur(s.elapsedMs)} · ${num(s.statesPerSecond)} states/s`);
      out(`  states per depth: ${s.statesPerDepth.join(' ')}`);
      out(`  memory: ${(s.bytesPerState).toFixed(1)} bytes per state in the visited set and trace links · peak frontier ${num(s.peakFrontier)}${s.frontier === 'encoded' ? ' (encoded)' : ''} · peak RSS ${num(Math.round(s.peakRssBytes / 2 ** 20))} MiB${s.spilledBytes > 0 ? ` · ${num(Math.round(s.spilledBytes / 2 ** 20))} MiB spilled to disk` : ''}`);
      if (s.workers > 1) out(`  workers: ${s.workers}${s.parallelMs !== undefined ? ` (the model threw in a worker after ${dur(s.parallelMs)}; trace and counts from the single-threaded search to its depth)` : s.expandedPerWorker ? ` · states expanded per worker: ${s.expandedPerWorker.map(num).join(' / ')}` : ''}`);
      if (s.collisionProbability !== null) out(`  fingerprint collision probability (optimistic, as TLC computes it): ${s.collisionProbability.toExponential(1)}`);
    },
    traceNote: () => '',
  });
}

/** `dscheck check --mode random`: fast-check schedules with swarm mixes, shrunk, replayable. */
async function randomCheck(
  args: ParsedArgs,
  model: AnyModel,
  params: Record<string, ParamValue>,
  machine: AnyMachine,
  checks: readonly string[],
  out: (line: string) => void,
  argv: readonly string[],
  pinned: Readonly<Record<string, ParamValue>>,
  budget: RandomBudget,
  variant?: VariantRun,
): Promise<number> {
  const json = flag(args, 'json');
  const runs = posInt(args, 'runs', budget.runs);
  const maxSteps = posInt(args, 'steps', budget.maxSteps);
  const timeLimitMs = seconds(args, 'time-limit', RANDOM_DEFAULTS.timeLimitMs);
  const path = str(args, 'path');
  const given = seedArg(args);
  if (path !== undefined && given === undefined) throw new InputError('--path replays a failing run and needs the --seed it came with');
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) throw new InputError(`--path must look like 12:0:3 (fast-check's counterexample path), got '${path}'`);
  // The path indexes runs whose shape depends on --steps, which it does not record: no guessing.
  if (path !== undefined && !args.flags.has('steps')) throw new InputError('--path needs the --steps of the run it came from (the replay line prints it: … --path P --steps M)');
  const seed = given ?? freshSeed();
  const swarm = !flag(args, 'no-swarm');
  // Configurations from the seed (the default): each run draws the parameters the model gives
  // ranges for and the user (or the known-bug variant) did not pin. Coverage counts one
  // configuration, so it fixes it.
  const fixedConfig = flag(args, 'fixed-config') || flag(args, 'coverage');
  const draw = fixedConfig ? undefined : modelDraw(model, pinned);
  const kinds = swarm ? (draw ? drawKinds(machine, draw) : discoverKinds(machine)) : [];
  if (path !== undefined) {
    const st = pathStatus(machine, { seed, path, maxSteps, kinds, swarm, checks, ...(draw ? { draw } : {}) });
    if (st !== 'ok') {
      throw new InputError(`--path ${path} names no run with --seed ${seed} and --steps ${maxSteps}${st === 'out-of-range' ? ' (a step of the path is past the last shrink candidate)' : ''}; copy --seed, --path and --steps from one replay line`);
    }
  }
  const names = checks.length > 0 ? checks : checkNames(machine);
  const say = json ? () => {} : out;
  // The seed comes first: whatever happens next, the run can be repeated.
  say(`seed ${seed}${path !== undefined ? ` · path ${path} (replaying one run)` : ''}`);
  const shown = draw ? Object.fromEntries(Object.entries(params).filter(([k]) => !draw.axes.some((a) => a.name === k))) : params;
  say(`dscheck check ${model.name} (${paramText(shown)}) · random (fast-check)${swarm ? ` · swarm over ${kinds.length} action kinds` : ''}`);
  if (variant) say(variantHeader(variant));
  if (draw) say(`configuration drawn from the seed for each run: ${drawRangesText(draw.axes)} (--fixed-config to use the parameters as given)`);
  else if (flag(args, 'coverage') && !flag(args, 'fixed-config') && model.draw) say('configuration fixed: --coverage counts one configuration');
  say(`checks: ${names.join(', ') || '(none)'}`);
  say(`bounds: runs ≤ ${num(runs)} · steps ≤ ${num(maxSteps)} per run · time ≤ ${dur(timeLimitMs)}`);

  const abort = new AbortController();
  const result: RandomResult = await withProgress(args, abort, (progress) =>
    checkRandomAsync(machine, {
      runs,
      maxSteps,
      timeLimitMs,
      seed,
      ...(path !== undefined ? { path } : {}),
      checks,
      kinds,
      swarm,
      ...(draw ? { draw } : {}),
      deadlock: flag(args, 'deadlock'),
      purity: flag(args, 'check-purity') ? 'full' : 'first',
      signal: abort.signal,
      onProgress: (p) =>
        progress.update({
          ...(p.phase === 'shrink' ? { shrinking: `${p.shrinkLength ?? 0} steps` } : {}),
          runs: p.phase === 'search' ? `${num(p.runs)}/${num(path !== undefined ? 1 : runs)}` : p.runs,
          steps: p.steps,
          'steps/s': Math.round(p.stepsPerSecond),
          elapsed: dur(p.elapsedMs),
          ...(p.phase === 'search' ? { eta: randomTimeLeft(p.runs, path !== undefined ? 1 : runs, p.elapsedMs, timeLimitMs) } : {}),
        }),
    }),
  );
  const s = result.stats;
  // The failing run's configuration (drawn) builds the machine its trace belongs to.
  const runParams = result.config ? resolveParams(model, result.config) : params;
  const runMachine = result.config ? model.build(runParams) : machine;
  return finishRun({
    args,
    argv,
    model,
    checks,
    out,
    variant,
    mode: 'random',
    params,
    machine,
    runParams,
    runMachine,
    result,
    origin: randomOrigin(result),
    bounds: [
      { label: 'runs', value: num(runs) },
      { label: 'steps per run', value: num(maxSteps) },
      { label: 'time', value: dur(timeLimitMs) },
    ],
    run: [
      { label: 'swarm', value: !swarm ? 'off' : result.swarm && result.swarm.excluded.length > 0 ? `failing run without ${result.swarm.excluded.join(', ')}` : `over ${kinds.length} action kinds` },
      ...(draw ? [{ label: 'configuration', value: result.config ? `drawn from the seed: ${drawnConfigText(result)}` : `drawn per run from ${drawRangesText(draw.axes)} (${num(s.configs ?? 0)} distinct)` }] : []),
    ],
    abort,
    // Coverage: the same runs again (same seed, no shrinking) on a counting wrapper, up to the first failure.
    coverage: (covProgress) =>
      randomCoverageAsync(machine, {
        runs,
        maxSteps,
        timeLimitMs,
        seed,
        ...(path !== undefined ? { path } : {}),
        checks,
        kinds,
        swarm,
        deadlock: flag(args, 'deadlock'),
        signal: abort.signal,
        onProgress: (p) =>
          covProgress.update({
            'coverage pass': `${num(p.runs)}/${num(result.stats.runs)} runs`,
            elapsed: dur(p.elapsedMs),
            eta: randomTimeLeft(p.runs, result.stats.runs, p.elapsedMs, timeLimitMs),
          }),
      }),
    jsonHead: {
      seed: result.seed,
      path: result.path,
      model: model.name,
      params: runParams,
      mode: 'random',
      config: draw
        ? { drawn: true, ranges: Object.fromEntries(draw.axes.map((a) => [a.name, a.values])), pinned, run: result.config ? Object.fromEntries(draw.axes.map((a) => [a.name, result.config![a.name]])) : null }
        : { drawn: false },
      checks: names,
      bounds: { runs, maxSteps, timeLimitMs },
    },
    jsonMiddle: { swarm: result.swarm ?? { kinds: result.kinds, excluded: [] } },
    text: (r) => {
      if (r.status === 'violation') say(`seed ${r.seed} · path ${r.path}`);
      printVerdict(out, runMachine, r, {
        statesWord: `${num(s.runs)} runs`,
        detail: `up to ${num(maxSteps)} steps each`,
        bounded:
          path !== undefined && r.status !== 'violation'
            ? `the run at seed ${seed}, path ${path} does not fail: every check holds on its ${num(s.transitions)} steps (with these --param, --invariant, --steps and swarm settings)`
            : describeRandomResult(r),
      });
      out(`  runs ${num(s.runs)} · steps ${num(s.transitions)} · ${dur(s.searchMs)} · ${num(s.stepsPerSecond)} steps/s`);
      if (r.status === 'violation' && s.shrink) {
        const sh = s.shrink;
        out(`  ${sh.firstFailureLength > 0 ? `first failing run: ${sh.firstFailureLength} steps · ` : ''}fast-check shrank it to ${sh.fastCheckLength} · delta debugging to ${sh.finalLength}${sh.complete ? '' : ' (shrinking cut by its time limit: not proved minimal)'} · ${dur(sh.elapsedMs)}`);
        const mix = r.swarm && r.swarm.excluded.length > 0 ? `without ${r.swarm.excluded.join(', ')}` : 'every action kind';
        out(`  swarm mix of the failing run: ${mix}`);
        if (r.config) out(`  configuration of the failing run (drawn from the seed): ${drawnConfigText(r)}`);
        // A drawn run replays with the same pinned parameters (the draw is part of the path).
        const replayParams = draw ? pinned : params;
        out(`  replay: dscheck check ${modelRef(model)}${Object.entries(replayParams).filter(([k, x]) => !(k === 'bug' && x === 'none')).map(([k, x]) => ` --param ${k}=${String(x)}`).join('')}${checks.map((c) => ` --invariant ${c}`).join('')} --mode random --seed ${r.seed} --path ${r.path} --steps ${maxSteps}${swarm ? '' : ' --no-swarm'}${draw ? '' : model.draw ? ' --fixed-config' : ''}`);
      }
    },
    traceNote: (file) => ` (dscheck replay ${file})`,
  });
}
