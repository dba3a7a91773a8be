/**
 * The data of an HTML report: everything the page shows, already formatted, as plain JSON.
 *
 * Three builders fill it:
 * - {@link reportFromRun}: a model-checking run (`dscheck check … --report`), with its result,
 *   stats, witnesses and, for a violation, the trace and its message-sequence diagram;
 * - {@link reportFromTraceFile}: a saved trace file (`dscheck report <trace.json>`), with the
 *   machine when the model is registered here (for the diagram) and without it otherwise;
 * - {@link reportFromHistory}: a linearizability check (`dscheck history … --report`), with the
 *   per-process timeline.
 *
 * The renderer (`html.ts`) only lays this out; nothing here touches the DOM.
 */
import type { AnyMachine, Machine, ParamValue } from '../../impl/core/machine.ts';
import { notReachedText, suspectWitnesses, type BoundHit, type CheckResult, type WitnessResult } from '../../impl/core/result.ts';
import {
  describeViolation,
  diffViews,
  formatChange,
  labelOf,
  viewOf,
  type Trace,
  type TraceFile,
  type TraceOrigin,
  type Violation,
  type ViolationKind,
} from '../../impl/core/trace.ts';
import { buildDiagram, type Diagram } from '../diagram.ts';
import type { TimelineData } from '../../impl/core/history/timeline.ts';
import type { Coverage } from './coverage.ts';

/** The format tag of the JSON embedded in every report page (read back by the index page). */
export const REPORT_FORMAT = 'dscheck-report';
/** The version of {@link ReportData}. */
export const REPORT_VERSION = 1;

/** What a report says about its run, in one word (the index page colours it). */
export type ReportStatus =
  | 'violation'
  | 'holds'
  | 'bounded'
  | 'interrupted'
  | 'trace'
  | 'linearizable'
  | 'not-linearizable'
  | 'unknown';

/** A label and its formatted value. */
export interface Field {
  readonly label: string;
  readonly value: string;
}

/** One step of the trace as the page shows it (step 0 is the initial state). */
export interface ReportStep {
  /** The action's label ("initial state" for step 0). */
  readonly label: string;
  /** The state's JSON view after the step. */
  readonly state: unknown;
  /** The changed fields, one line each (`rmState.r1: "working" → "prepared"`). */
  readonly changes: readonly string[];
  /** True for the pseudo-step of an action that threw (its state is the one before). */
  readonly threw?: boolean;
}

/** The broken check, and where the trace shows it. */
export interface ReportViolation {
  readonly kind: ViolationKind;
  readonly name: string;
  readonly message: string;
  /** One line: "invariant tc-consistent violated: r1 committed while r3 aborted". */
  readonly headline: string;
  /** The check's own one-sentence explanation (`doc`), when the machine has one. */
  readonly doc?: string;
  /** The step that breaks it (an index into `steps`). */
  readonly step: number;
}

/** A named check of the run. */
export interface ReportCheck {
  readonly name: string;
  readonly kind: 'invariant' | 'property';
  readonly doc?: string;
}

/** A `sometimes` witness and whether the run reached it. */
export interface ReportWitness extends WitnessResult {
  readonly doc?: string;
  /**
   * Why it was not reached, as the text output says it ("not reached: needs crashes ≥ 1; this
   * run has crashes=0", "NOT reached in the whole reachable space: the model may be wrong").
   */
  readonly note?: string;
}

/**
 * Something the verdict alone does not say, shown as a badge beside it: a known-bug variant
 * that was not found (`warn`), a witness the model should reach and does not (`warn`), or a
 * witness this configuration cannot reach (`info`).
 */
export interface ReportNotice {
  readonly level: 'warn' | 'info';
  /** The badge text. */
  readonly badge: string;
  /** The sentence that explains it. */
  readonly text: string;
}

/** The history part of a linearizability report. */
export interface ReportHistory {
  readonly file: string;
  /** Model and format lines. */
  readonly summary: readonly string[];
  /** Why it is not linearizable (empty when it is). */
  readonly explanation: readonly string[];
  readonly timeline?: TimelineData;
}

/** Everything a report page shows. Plain JSON: it is embedded in the page as is. */
export interface ReportData {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  /** The page title: "twophase (rms=3, bug=commit-unprepared)". */
  readonly title: string;
  readonly model: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The parameters' defaults, when known: the header names only the parameters that differ. */
  readonly paramDefaults?: Readonly<Record<string, ParamValue>>;
  /** The command that produced the report, when known. */
  readonly command?: string;
  /** `bfs`, `dfs`, `random`, `trace file` or `history`. */
  readonly mode: string;
  /** How the run was made: mode, dedup, seed/path, origin of a trace file. */
  readonly run: readonly Field[];
  readonly bounds: readonly Field[];
  readonly status: ReportStatus;
  /** The verdict sentence. */
  readonly headline: string;
  readonly stats: readonly Field[];
  /** Distinct states first seen at each depth (exhaustive runs). */
  readonly statesPerDepth?: readonly number[];
  readonly checks: readonly ReportCheck[];
  readonly witnesses: readonly ReportWitness[];
  /** Notices shown beside the verdict (absent: none). */
  readonly notices?: readonly ReportNotice[];
  readonly violation?: ReportViolation;
  /** The steps of the trace (index 0: the initial state), when there is one. */
  readonly steps?: readonly ReportStep[];
  /** The message-sequence diagram of the trace, when the machine has `nodes()` and `events()`. */
  readonly diagram?: Diagram;
  /** Why there is no diagram, when there is a trace but no diagram. */
  readonly noDiagram?: string;
  readonly coverage?: Coverage;
  readonly history?: ReportHistory;
}

/** "k=v, k=v". */
function paramText(params: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** The page title of a model run. */
export function reportTitle(model: string, params: Readonly<Record<string, ParamValue>>): string {
  const p = paramText(params);
  return p === '' ? model : `${model} (${p})`;
}

/** 1234567 → "1,234,567". */
export function fmtNum(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds as "850 ms", "12.3 s" or "4 min 05 s". */
export function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The checks of a machine, with their docs, restricted to `names` when given. */
export function checksOf(m: AnyMachine, names?: readonly string[]): ReportCheck[] {
  const want = (n: string) => !names || names.length === 0 || names.includes(n);
  return [
    ...(m.invariants ?? []).filter((i) => want(i.name)).map((i): ReportCheck => ({ name: i.name, kind: 'invariant', ...(i.doc ? { doc: i.doc } : {}) })),
    ...(m.properties ?? []).filter((p) => want(p.name)).map((p): ReportCheck => ({ name: p.name, kind: 'property', ...(p.doc ? { doc: p.doc } : {}) })),
  ];
}

/** The witnesses of a result, with the machine's docs and, for those not reached, why. */
function witnessesOf(m: AnyMachine | undefined, ws: readonly WitnessResult[], status: CheckResult['status']): ReportWitness[] {
  return ws.map((w) => {
    const doc = m?.sometimes?.find((x) => x.name === w.name)?.doc;
    return { ...w, ...(doc ? { doc } : {}), ...(w.reached ? {} : { note: notReachedText(w, status) }) };
  });
}

/** The notices a run's witnesses call for: suspect ones (warn) and ones this configuration cannot reach (info). */
export function witnessNotices(result: Pick<CheckResult, 'status' | 'witnesses'>): ReportNotice[] {
  const out: ReportNotice[] = [];
  const suspect = suspectWitnesses(result);
  if (suspect.length > 0) {
    out.push({
      level: 'warn',
      badge: `${suspect.length} witness${suspect.length === 1 ? '' : 'es'} not reached`,
      text: `${suspect.map((w) => w.name).join(', ')}: not reached although every reachable state was explored and the needs are met; the checks held, but the model may not do what it should`,
    });
  }
  const unmet = result.witnesses.filter((w) => !w.reached && w.unmet);
  if (unmet.length > 0) {
    out.push({
      level: 'info',
      badge: `${unmet.length} witness${unmet.length === 1 ? '' : 'es'} out of reach of this configuration`,
      text: unmet.map((w) => `${w.name}: ${w.unmet}`).join(' · '),
    });
  }
  return out;
}

/** The doc of the check a violation names. */
function docOf(m: AnyMachine | undefined, kind: ViolationKind, name: string): string | undefined {
  if (!m) return undefined;
  if (kind === 'invariant') return m.invariants?.find((i) => i.name === name)?.doc;
  if (kind === 'property') return m.properties?.find((p) => p.name === name)?.doc;
  if (kind === 'deadlock') return 'a state with no enabled action that the model does not call terminal';
  return undefined;
}

/** The steps of a trace as the page shows them; a throwing action becomes a last pseudo-step. */
export function stepsOf<S, A>(m: Machine<S, A>, trace: Trace<S, A>, failedAction?: { readonly action: A }): ReportStep[] {
  let prev = viewOf(m, trace.init);
  const steps: ReportStep[] = [{ label: `initial state${trace.initIndex > 0 ? ` #${trace.initIndex}` : ''}`, state: prev, changes: [] }];
  for (const st of trace.steps) {
    const view = viewOf(m, st.state);
    steps.push({ label: labelOf(m, st.action), state: view, changes: diffViews(prev, view).map(formatChange) });
    prev = view;
  }
  if (failedAction) steps.push({ label: `${labelOf(m, failedAction.action)} (threw)`, state: prev, changes: [], threw: true });
  return steps;
}

/** The report part of a violation: its headline, doc and the step that shows it. */
function violationOf(m: AnyMachine | undefined, v: Pick<Violation<unknown, unknown>, 'kind' | 'name' | 'message'>, stepCount: number, threw: boolean): ReportViolation {
  const doc = docOf(m, v.kind, v.name);
  return {
    kind: v.kind,
    name: v.name,
    message: v.message,
    headline: describeViolation(v),
    ...(doc ? { doc } : {}),
    // The bad state (invariant, deadlock) or the bad transition (property) is the last step; an
    // action that threw is the pseudo-step after it.
    step: threw ? stepCount + 1 : stepCount,
  };
}

/** The diagram of a trace, or why there is none. */
function diagramOf<S, A>(m: Machine<S, A>, trace: Trace<S, A>): { diagram?: Diagram; noDiagram?: string } {
  if (!m.nodes || !m.events) {
    return { noDiagram: `model ${m.name} defines no nodes() and events(), so the trace is shown as a list of steps (machines built on impl/env get a message-sequence diagram)` };
  }
  try {
    return { diagram: buildDiagram(m, trace) };
  } catch (e) {
    return { noDiagram: `the diagram could not be built: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Human-readable rows of a runner's stats (exhaustive or random). */
export function statsFields(stats: Readonly<Record<string, unknown>>): Field[] {
  const out: Field[] = [];
  const n = (k: string): number | undefined => (typeof stats[k] === 'number' ? (stats[k] as number) : undefined);
  const add = (label: string, value: string | undefined) => {
    if (value !== undefined) out.push({ label, value });
  };
  const runs = n('runs');
  if (runs !== undefined) {
    add('runs', fmtNum(runs));
    add('steps', n('transitions') !== undefined ? fmtNum(n('transitions')!) : undefined);
    add('steps per second', n('stepsPerSecond') !== undefined ? fmtNum(n('stepsPerSecond')!) : undefined);
    add('search time', n('searchMs') !== undefined ? fmtMs(n('searchMs')!) : undefined);
    const sh = stats['shrink'];
    if (typeof sh === 'object' && sh !== null) {
      const s = sh as Record<string, unknown>;
      add('shrinking', `first failing run ${String(s['firstFailureLength'])} steps → fast-check ${String(s['fastCheckLength'])} → delta debugging ${String(s['finalLength'])}${s['complete'] === false ? ' (cut by its time limit)' : ''}`);
    }
  } else {
    add('distinct states', n('states') !== undefined ? fmtNum(n('states')!) : undefined);
    add('transitions', n('transitions') !== undefined ? fmtNum(n('transitions')!) : undefined);
    add('diameter', n('diameter') !== undefined ? String(n('diameter')) : undefined);
    add('states per second', n('statesPerSecond') !== undefined ? fmtNum(n('statesPerSecond')!) : undefined);
    add('bytes per state', n('bytesPerState') !== undefined ? n('bytesPerState')!.toFixed(1) : undefined);
    add('peak frontier', n('peakFrontier') !== undefined ? fmtNum(n('peakFrontier')!) : undefined);
    const p = stats['collisionProbability'];
    if (typeof p === 'number') add('fingerprint collision probability', `${p.toExponential(1)} (optimistic, as TLC computes it)`);
  }
  add('elapsed', n('elapsedMs') !== undefined ? fmtMs(n('elapsedMs')!) : undefined);
  return out;
}

/** The verdict of a run, as a status word and a sentence. */
function verdictOf(result: CheckResult, statesWord: string): { status: ReportStatus; headline: string } {
  const v = result.violation;
  if (result.status === 'violation' && v) {
    const n = v.trace.steps.length;
    const steps = `${n} step${n === 1 ? '' : 's'}`;
    // An exception in the model's own code is an error of the model, not a counterexample.
    if (v.kind === 'error') return { status: 'violation', headline: `✗ error in the model after ${steps}: exception in ${v.culprit ?? v.name}` };
    return { status: 'violation', headline: `✗ violation of ${v.kind === 'deadlock' ? 'deadlock freedom' : v.name} after ${steps}` };
  }
  if (result.status === 'exhausted') return { status: 'holds', headline: `✓ holds: every check holds on all ${statesWord}` };
  const b = result.bound;
  if (b?.kind === 'interrupted') return { status: 'interrupted', headline: `■ interrupted: no violation in the ${statesWord} explored; nothing was proved beyond them` };
  return { status: 'bounded', headline: `■ no violation within bounds${b ? `: the ${boundText(b)} cut the search after ${statesWord}` : ''}` };
}

/** "depth bound (12)". */
export function boundText(b: BoundHit): string {
  return `${b.kind} bound (${b.kind === 'time' ? fmtMs(b.limit) : fmtNum(b.limit)})`;
}

/** What a model-checking run needs to become a report. */
export interface RunReportInput<S, A> {
  readonly machine: Machine<S, A>;
  /** The registry name of the model. */
  readonly model: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly mode: 'bfs' | 'dfs' | 'random';
  readonly result: CheckResult<S, A>;
  /** The bounds of the run, by name ("depth", "states", "time", "runs", "steps per run"). */
  readonly bounds: readonly Field[];
  /** The trace origin (seed and path of a random run). */
  readonly origin?: TraceOrigin;
  /** The checks the run evaluated (default: all). */
  readonly checks?: readonly string[];
  readonly command?: string;
  readonly coverage?: Coverage;
  /** Extra run fields (dedup, symmetry, swarm mix). */
  readonly run?: readonly Field[];
  /** How the run explored, when not one of the runners (a seeded walk in a test). */
  readonly modeText?: string;
  /** The model's parameter defaults (`defaultParams(model)`). */
  readonly paramDefaults?: Readonly<Record<string, ParamValue>>;
  /** Notices to show beside the verdict (a known bug not found); the witnesses' own are added. */
  readonly notices?: readonly ReportNotice[];
}

/** The report of a model-checking run. */
export function reportFromRun<S, A>(input: RunReportInput<S, A>): ReportData {
  const m = input.machine as AnyMachine;
  const r = input.result as CheckResult;
  const stats = r.stats as Readonly<Record<string, unknown>>;
  const random = input.mode === 'random';
  const statesWord = random
    ? `${fmtNum(typeof stats['runs'] === 'number' ? (stats['runs'] as number) : 0)} runs`
    : `${fmtNum(r.stats.states)} ${r.status === 'exhausted' ? 'reachable' : 'distinct'} states`;
  const verdict = verdictOf(r, statesWord);
  const notices = [...(input.notices ?? []), ...witnessNotices(r)];
  const run: Field[] = [{ label: 'mode', value: input.modeText ?? (random ? 'random (fast-check schedules, shrunk)' : input.mode === 'bfs' ? 'breadth-first (shortest counterexample)' : 'depth-first') }];
  const o = input.origin;
  if (o && (o.runner === 'random' || o.runner === 'shrink' || o.runner === 'user')) {
    if (o.seed !== undefined) run.push({ label: 'seed', value: String(o.seed) });
    if (o.path !== undefined && o.path !== '') run.push({ label: 'path', value: o.path });
  }
  run.push(...(input.run ?? []));
  const v = r.violation;
  let trace: Partial<Pick<ReportData, 'steps' | 'diagram' | 'noDiagram' | 'violation'>> = {};
  if (r.status === 'violation' && v) {
    const steps = stepsOf(m, v.trace, v.failedAction);
    trace = { steps, violation: violationOf(m, v, v.trace.steps.length, v.failedAction !== undefined), ...diagramOf(m, v.trace) };
  }
  const spd = stats['statesPerDepth'];
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    title: reportTitle(input.model, input.params),
    model: input.model,
    params: input.params,
    ...(input.paramDefaults ? { paramDefaults: input.paramDefaults } : {}),
    ...(input.command ? { command: input.command } : {}),
    mode: input.mode,
    run,
    bounds: input.bounds,
    status: verdict.status,
    headline: verdict.headline,
    stats: statsFields(stats),
    ...(Array.isArray(spd) ? { statesPerDepth: spd as number[] } : {}),
    checks: checksOf(m, input.checks),
    witnesses: witnessesOf(m, r.witnesses, r.status),
    ...(notices.length > 0 ? { notices } : {}),
    ...trace,
    ...(input.coverage ? { coverage: input.coverage } : {}),
  };
}

/** One line on how a trace file was found. */
export function originFields(o: TraceOrigin | undefined): Field[] {
  if (!o) return [{ label: 'origin', value: 'unknown' }];
  const out: Field[] = [{ label: 'found by', value: o.runner === 'bfs' ? 'breadth-first search' : o.runner === 'dfs' ? 'depth-first search' : o.runner === 'random' ? 'random runs (fast-check)' : o.runner === 'shrink' ? 'dscheck shrink' : 'a user' }];
  if ('seed' in o && o.seed !== undefined) out.push({ label: 'seed', value: String(o.seed) });
  if ('path' in o && o.path !== undefined && o.path !== '') out.push({ label: 'path', value: o.path });
  if (o.runner === 'random') {
    if (o.maxSteps !== undefined) out.push({ label: 'steps per run', value: fmtNum(o.maxSteps) });
    if (o.swarm) out.push({ label: 'swarm mix', value: o.swarm.excluded.length > 0 ? `without ${o.swarm.excluded.join(', ')}` : 'every action kind' });
    if (o.shrink) out.push({ label: 'shrinking', value: `fast-check → ${o.shrink.fastCheckLength} steps, delta debugging → ${o.shrink.length}` });
  }
  if (o.runner === 'shrink' && o.lengthBefore !== undefined) out.push({ label: 'shrunk', value: `${o.lengthBefore} → ${o.lengthAfter ?? '?'} steps${o.source ? ` (source: ${o.source})` : ''}` });
  if (o.checks && o.checks.length > 0) out.push({ label: 'checks', value: o.checks.join(', ') });
  return out;
}

/** What a saved trace file needs to become a report. */
export interface TraceFileReportInput {
  readonly file: TraceFile;
  /** Where the file was read from. */
  readonly source: string;
  /**
   * The machine rebuilt from the file's model and parameters, and the trace replayed on it, when
   * the model is registered here: they give the diagram and the checks' docs. Without them the
   * report shows the file's own states and changes, with no diagram.
   */
  readonly replayed?: { readonly machine: AnyMachine; readonly trace: Trace<unknown, unknown>; readonly failedAction?: { readonly action: unknown } };
  /** Why there is no replayed machine (shown instead of the diagram). */
  readonly unavailable?: string;
  readonly command?: string;
  /** The model's parameter defaults, when the model is known. */
  readonly paramDefaults?: Readonly<Record<string, ParamValue>>;
}

/** The report of a saved trace file. */
export function reportFromTraceFile(input: TraceFileReportInput): ReportData {
  const f = input.file;
  const m = input.replayed?.machine;
  let steps: ReportStep[];
  let picture: { diagram?: Diagram; noDiagram?: string };
  if (input.replayed) {
    steps = stepsOf(input.replayed.machine, input.replayed.trace, input.replayed.failedAction);
    picture = diagramOf(input.replayed.machine, input.replayed.trace);
  } else {
    steps = [
      { label: `initial state${f.initIndex > 0 ? ` #${f.initIndex}` : ''}`, state: f.init, changes: [] },
      ...f.steps.map((s): ReportStep => ({ label: s.label, state: s.state, changes: s.changes.map(formatChange) })),
    ];
    const fa = f.violation?.failedAction;
    if (fa !== undefined) steps.push({ label: `${JSON.stringify(fa)} (threw)`, state: steps[steps.length - 1]!.state, changes: [], threw: true });
    picture = { noDiagram: input.unavailable ?? 'the model is not available, so the trace is shown from the file alone' };
  }
  const v = f.violation;
  const n = f.steps.length;
  const violation = v ? violationOf(m, v, n, v.failedAction !== undefined) : undefined;
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    title: reportTitle(f.model, f.params),
    model: f.model,
    params: f.params,
    ...(input.paramDefaults ? { paramDefaults: input.paramDefaults } : {}),
    ...(input.command ? { command: input.command } : {}),
    mode: 'trace file',
    run: [{ label: 'trace file', value: input.source }, ...originFields(f.origin)],
    bounds: [],
    status: v ? 'violation' : 'trace',
    headline: v ? `✗ violation of ${v.kind === 'deadlock' ? 'deadlock freedom' : v.name} after ${n} step${n === 1 ? '' : 's'}` : `a trace of ${n} step${n === 1 ? '' : 's'} with no violation recorded`,
    stats: [{ label: 'steps', value: fmtNum(n) }],
    checks: m ? checksOf(m, f.origin?.checks) : [],
    witnesses: [],
    ...(violation ? { violation } : {}),
    steps,
    ...picture,
  };
}

/** What a linearizability check needs to become a report. */
export interface HistoryReportInput {
  readonly file: string;
  readonly model: string;
  readonly format: string;
  readonly verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  /** The verdict line of `dscheck history`. */
  readonly verdictLine: string;
  readonly summary: readonly string[];
  readonly stats: readonly Field[];
  readonly bounds: readonly Field[];
  readonly explanation: readonly string[];
  readonly timeline?: TimelineData;
  readonly command?: string;
}

/** The report of a linearizability check. */
export function reportFromHistory(input: HistoryReportInput): ReportData {
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    title: `history ${input.file.split(/[\\/]/).pop() ?? input.file} (${input.model})`,
    model: input.model,
    params: {},
    ...(input.command ? { command: input.command } : {}),
    mode: 'history',
    run: [
      { label: 'history', value: input.file },
      { label: 'format', value: input.format },
      { label: 'model', value: input.model },
    ],
    bounds: input.bounds,
    status: input.verdict,
    headline: input.verdictLine,
    stats: input.stats,
    checks: [],
    witnesses: [],
    history: {
      file: input.file,
      summary: input.summary,
      explanation: input.explanation,
      ...(input.timeline ? { timeline: input.timeline } : {}),
    },
  };
}
