/**
 * Replay: re-execute a recorded trace against the current model and say whether the same check
 * still breaks, and at which step.
 *
 * A trace is a list of actions. Each recorded action is matched, by canonical equality of its
 * plain-JSON form ({@link canonicalKey} of {@link toPlain}), among the actions enabled at its
 * step, so a trace file written by any runner (or by hand) replays against a rebuilt machine.
 * {@link runActions} is the one executor: `strict` (an action that is not enabled stops the
 * replay, which is what reading a file needs) or `skip` (it is skipped, which is what the
 * shrinker needs when it deletes steps).
 *
 * {@link parseTraceFile} validates a trace file and reports every problem as a one-line
 * {@link InputError}: malformed JSON, not a dscheck trace, wrong version, unknown model, bad
 * parameters, an action that is not enabled at its step (with the enabled ones).
 */
import { readFileSync } from 'node:fs';
import { InputError, resolveParams, type AnyMachine, type AnyModel, type Machine, type ParamValue } from '../../impl/core/machine.ts';
import { canonicalKey } from '../../impl/core/encode.ts';
import { selectChecks } from '../../impl/core/result.ts';
import { explainError } from '../../impl/core/culprit.ts';
import {
  compact,
  labelOf,
  toPlain,
  TRACE_FORMAT,
  TRACE_VERSION,
  type Trace,
  type TraceFile,
  type TraceOrigin,
  type TraceStep,
  type Violation,
  type ViolationKind,
} from '../../impl/core/trace.ts';

// ---------------------------------------------------------------------------------------------
// Matching recorded actions

const keyCache = new WeakMap<object, string>();

/** The canonical key of an action's plain-JSON form (cached per action object). */
export function actionKey(a: unknown): string {
  if (typeof a !== 'object' || a === null) return canonicalKey(toPlain(a));
  const hit = keyCache.get(a);
  if (hit !== undefined) return hit;
  const k = canonicalKey(toPlain(a));
  keyCache.set(a, k);
  return k;
}

/**
 * The index of `recorded` among `enabled`: the same object, or one whose plain-JSON form is
 * canonically equal. -1 when it is not enabled.
 */
export function findAction<A>(enabled: readonly A[], recorded: unknown): number {
  for (let j = 0; j < enabled.length; j++) if (enabled[j] === recorded) return j;
  const k = actionKey(recorded);
  for (let j = 0; j < enabled.length; j++) if (actionKey(enabled[j]) === k) return j;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// The executor

/** What a check violation is, for "is it the same violation": its kind and the check's name. */
export interface ViolationTarget {
  readonly kind: ViolationKind;
  readonly name: string;
}

/** Whether a violation is the target one (same kind, same check name). */
export function sameViolation(v: ViolationTarget | undefined, target: ViolationTarget | undefined): boolean {
  return v !== undefined && target !== undefined && v.kind === target.kind && v.name === target.name;
}

/** Options of {@link runActions}. */
export interface RunActionsOptions {
  /**
   * `strict` (default): a recorded action that is not enabled stops the run and is reported in
   * `notEnabled`. `skip`: it is skipped (counted in `skipped`).
   */
  readonly mode?: 'strict' | 'skip';
  /** Evaluate only these invariants/properties (by name). Default: all. */
  readonly checks?: readonly string[];
  /** Report a state with no enabled action (and not `isTerminal`) as a violation. Default false. */
  readonly deadlock?: boolean;
  /**
   * Skip mode only: where a recorded action is not enabled, the index of an enabled action to run
   * in its place (-1: skip it). The shrinker uses this to carry a trace over a removed step.
   */
  readonly substitute?: (enabled: readonly unknown[], recorded: unknown) => number;
}

/** A recorded action that is not enabled at its step (strict mode). */
export interface NotEnabled<A> {
  /** 1-based step number. */
  readonly step: number;
  readonly action: unknown;
  readonly enabled: readonly A[];
}

/** The outcome of {@link runActions}. */
export interface RunActionsResult<S, A> {
  /** The steps executed: up to and including the violating one, or all of them. */
  readonly trace: Trace<S, A>;
  /** The first violation met, if any. */
  readonly violation?: Violation<S, A>;
  /** Strict mode: the first recorded action that was not enabled. */
  readonly notEnabled?: NotEnabled<A>;
  /** Skip mode: how many recorded actions were skipped. */
  readonly skipped: number;
  /**
   * The machine's own action objects that were executed, in order, ending with the action that
   * threw when the violation is an exception in `step`: replaying them reproduces the run.
   */
  readonly executed: readonly A[];
}

/**
 * Execute recorded actions from initial state `initIndex`, checking invariants after every
 * state and transition properties on every step, and stop at the first violation (an exception
 * in the machine is a violation of kind `error`, as in the other runners).
 */
export function runActions<S, A>(m: Machine<S, A>, initIndex: number, actions: readonly unknown[], opts: RunActionsOptions = {}): RunActionsResult<S, A> {
  const { invariants, properties } = selectChecks(m, opts.checks);
  const strict = (opts.mode ?? 'strict') === 'strict';
  const inits = m.init();
  const init = inits[initIndex];
  if (init === undefined) throw new RangeError(`initial state ${initIndex} does not exist (${inits.length} initial states)`);
  const steps: TraceStep<S, A>[] = [];
  const executed: A[] = [];
  let skipped = 0;
  let violation: Violation<S, A> | undefined;
  let notEnabled: NotEnabled<A> | undefined;
  let phase: 'init' | 'actions' | 'step' | 'invariant' | 'property' = 'invariant';
  let pending: { action: A; actionIndex: number } | undefined;
  const trace = (): Trace<S, A> => ({ initIndex, init, steps: steps.slice() });
  const msg = (v: boolean | string): string => (typeof v === 'string' ? v : '');
  let s: S = init;
  try {
    run: {
      for (const inv of invariants) {
        const v = inv.check(s);
        if (v !== true) {
          violation = { kind: 'invariant', name: inv.name, message: msg(v), trace: trace() };
          break run;
        }
      }
      phase = 'property';
      for (const p of properties) {
        if (!p.checkInit) continue;
        const v = p.checkInit(s);
        if (v !== true) {
          violation = { kind: 'property', name: p.name, message: msg(v), trace: trace() };
          break run;
        }
      }
      const deadlocked = (acts: readonly A[]): boolean => acts.length === 0 && opts.deadlock === true && !(m.isTerminal?.(s) ?? false);
      for (let k = 0; k < actions.length; k++) {
        phase = 'actions';
        const acts = m.actions(s);
        if (deadlocked(acts)) {
          violation = { kind: 'deadlock', name: 'deadlock', message: '', trace: trace() };
          break run;
        }
        let j = findAction(acts, actions[k]);
        if (j < 0 && !strict && opts.substitute) j = opts.substitute(acts, actions[k]);
        if (j < 0) {
          if (strict) {
            notEnabled = { step: steps.length + 1, action: actions[k], enabled: acts };
            break run;
          }
          skipped++;
          continue;
        }
        const a = acts[j]!;
        phase = 'step';
        pending = { action: a, actionIndex: j };
        const t = m.step(s, a);
        pending = undefined;
        steps.push({ action: a, actionIndex: j, state: t });
        executed.push(a);
        phase = 'property';
        for (const p of properties) {
          const v = p.check(s, a, t);
          if (v !== true) {
            violation = { kind: 'property', name: p.name, message: msg(v), trace: trace() };
            break run;
          }
        }
        phase = 'invariant';
        for (const inv of invariants) {
          const v = inv.check(t);
          if (v !== true) {
            violation = { kind: 'invariant', name: inv.name, message: msg(v), trace: trace() };
            break run;
          }
        }
        s = t;
      }
      if (opts.deadlock) {
        phase = 'actions';
        if (deadlocked(m.actions(s))) violation = { kind: 'deadlock', name: 'deadlock', message: '', trace: trace() };
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e instanceof Error ? e : new Error(String(e));
    if (pending) executed.push(pending.action);
    violation = {
      kind: 'error',
      name: phase,
      message: `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`,
      trace: trace(),
      ...(pending ? { failedAction: pending } : {}),
    };
  }
  return {
    trace: violation ? violation.trace : trace(),
    ...(violation ? { violation } : {}),
    ...(notEnabled ? { notEnabled } : {}),
    skipped,
    executed,
  };
}

// ---------------------------------------------------------------------------------------------
// Trace files

/** The violation a trace file records, and the step at which it happened. */
export interface RecordedViolation extends ViolationTarget {
  readonly message: string;
  /** The number of steps before it was seen (the trace length; for a throw in `step`, the steps before it). */
  readonly step: number;
}

/** A validated trace file, with its model rebuilt and its actions matched to the machine's own. */
export interface LoadedTrace {
  /** Where it came from, for messages. */
  readonly source: string;
  readonly file: TraceFile;
  readonly model: AnyModel;
  /** Every parameter, validated, defaults filled in. */
  readonly params: Record<string, ParamValue>;
  readonly machine: AnyMachine;
  readonly initIndex: number;
  /**
   * The recorded actions as the machine's own action objects, in order; when the recorded
   * violation is an exception in `step`, the action that threw is the last one.
   */
  readonly actions: readonly unknown[];
  /** The violation the file records, or null when it records none. */
  readonly recorded: RecordedViolation | null;
  /** The checks the run evaluated, when the origin records them (else: all). */
  readonly checks?: readonly string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const VIOLATION_KINDS: readonly ViolationKind[] = ['invariant', 'property', 'deadlock', 'error'];
const MAX_LISTED = 12;

/** "a, b, c … (N more)": a one-line list of action labels. */
function enabledList(m: AnyMachine, acts: readonly unknown[]): string {
  if (acts.length === 0) return 'none';
  const shown = acts.slice(0, MAX_LISTED).map((a) => labelOf(m, a));
  return `${shown.join(', ')}${acts.length > MAX_LISTED ? ` … (${acts.length - MAX_LISTED} more)` : ''}`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

/**
 * Parse and validate a trace file's text. Every problem is an {@link InputError} with one line:
 * malformed JSON, not a dscheck trace, wrong format version, unknown model (with the valid
 * ones), bad parameters, a malformed step, or an action that is not enabled at its step (with
 * the step number and the actions that were enabled there).
 *
 * `lookup` finds the model the file names (runners import no protocol: the CLI passes its
 * catalogue or the user's module, tests pass the model); it throws an {@link InputError} for an
 * unknown one.
 */
export function parseTraceFile(text: string, source: string, lookup: (model: string) => AnyModel): LoadedTrace {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: not valid JSON (${oneLine(e instanceof Error ? e.message : String(e))})`);
  }
  if (!isRecord(json) || json['format'] !== TRACE_FORMAT) {
    throw new InputError(`${source}: not a dscheck trace file (expected "format": "${TRACE_FORMAT}")`);
  }
  if (json['version'] !== TRACE_VERSION) {
    throw new InputError(`${source}: trace format version ${compact(json['version'])} is not supported (this dscheck reads version ${TRACE_VERSION})`);
  }
  const modelName = json['model'];
  if (typeof modelName !== 'string') throw new InputError(`${source}: "model" must be a string`);
  let model: AnyModel;
  try {
    model = lookup(modelName);
  } catch (e) {
    throw e instanceof InputError ? new InputError(`${source}: ${e.message}`) : e;
  }
  const rawParams = json['params'] ?? {};
  if (!isRecord(rawParams)) throw new InputError(`${source}: "params" must be an object`);
  let params: Record<string, ParamValue>;
  try {
    params = resolveParams(model, rawParams as Record<string, ParamValue>);
  } catch (e) {
    throw e instanceof InputError ? new InputError(`${source}: bad params: ${e.message}`) : e;
  }
  const machine = model.build(params);
  const initIndex = json['initIndex'] ?? 0;
  const inits = machine.init();
  if (typeof initIndex !== 'number' || !Number.isInteger(initIndex) || initIndex < 0 || initIndex >= inits.length) {
    throw new InputError(`${source}: "initIndex" must be an integer in 0..${inits.length - 1}, got ${compact(initIndex)}`);
  }
  const rawSteps = json['steps'];
  if (!Array.isArray(rawSteps)) throw new InputError(`${source}: "steps" must be an array`);
  const recordedActions: unknown[] = rawSteps.map((st: unknown, i) => {
    if (!isRecord(st) || !('action' in st)) throw new InputError(`${source}: step ${i + 1} has no "action"`);
    return st['action'];
  });
  let recorded: RecordedViolation | null = null;
  const v = json['violation'];
  if (v !== null && v !== undefined) {
    if (!isRecord(v) || !VIOLATION_KINDS.includes(v['kind'] as ViolationKind) || typeof v['name'] !== 'string') {
      throw new InputError(`${source}: "violation" must be null or { kind: ${VIOLATION_KINDS.join(' | ')}, name, message }`);
    }
    recorded = { kind: v['kind'] as ViolationKind, name: v['name'], message: typeof v['message'] === 'string' ? v['message'] : '', step: rawSteps.length };
    if ('failedAction' in v) recordedActions.push(v['failedAction']);
  }
  const origin = isRecord(json['origin']) ? json['origin'] : {};
  const rawChecks = origin['checks'];
  const checks = Array.isArray(rawChecks) && rawChecks.every((c) => typeof c === 'string') && rawChecks.length > 0 ? (rawChecks as string[]) : undefined;
  if (checks) {
    try {
      selectChecks(machine, checks);
    } catch (e) {
      throw e instanceof InputError ? new InputError(`${source}: origin.checks: ${e.message}`) : e;
    }
  }
  // Match every action to an enabled one, strictly, without evaluating checks. An exception in
  // the machine ends validation there: the replay reports it.
  const actions: unknown[] = [];
  let s: unknown = inits[initIndex];
  for (let k = 0; k < recordedActions.length; k++) {
    let acts: readonly unknown[];
    try {
      acts = machine.actions(s);
    } catch {
      actions.push(...recordedActions.slice(k));
      break;
    }
    const j = findAction(acts, recordedActions[k]);
    if (j < 0) {
      const a = recordedActions[k];
      const tag = isRecord(a) ? (typeof a['type'] === 'string' ? a['type'] : typeof a['kind'] === 'string' ? a['kind'] : undefined) : undefined;
      const kindNote = tag !== undefined && !acts.some((x) => isRecord(x) && (x['type'] === tag || x['kind'] === tag)) ? ` (no enabled action has kind ${tag})` : '';
      throw new InputError(`${source}: step ${k + 1}: action ${compact(toPlain(a))} is not enabled${kindNote}; enabled: ${enabledList(machine, acts)}`);
    }
    actions.push(acts[j]);
    try {
      s = machine.step(s, acts[j]);
    } catch {
      actions.push(...recordedActions.slice(k + 1));
      break;
    }
  }
  return {
    source,
    file: json as unknown as TraceFile,
    model,
    params,
    machine,
    initIndex,
    actions,
    recorded,
    ...(checks ? { checks } : {}),
  };
}

/** A trace file's text; an unreadable file is an {@link InputError} (one line, with the OS code). */
export function readTraceText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new InputError(`cannot read trace file ${path}${code ? ` (${code})` : ''}`);
  }
}

/** Read and validate a trace file ({@link parseTraceFile}); an unreadable file is an {@link InputError}. */
export function readTraceFile(path: string, lookup: (model: string) => AnyModel): LoadedTrace {
  return parseTraceFile(readTraceText(path), path, lookup);
}

// ---------------------------------------------------------------------------------------------
// Replay

/**
 * The outcome of a replay:
 * - `reproduced`: the recorded violation (same kind and check) happens again;
 * - `different`: another check breaks first (or the file recorded none and one breaks);
 * - `passes`: every step replays and every check holds.
 */
export type ReplayStatus = 'reproduced' | 'different' | 'passes';

/** What a replay found. */
export interface ReplayResult<S = unknown, A = unknown> {
  readonly status: ReplayStatus;
  readonly recorded: RecordedViolation | null;
  /** The violation met, when there is one. */
  readonly violation?: Violation<S, A>;
  /** The number of steps before the violation was seen (its trace length). */
  readonly step?: number;
  /** The executed trace: to the violation, or every step. */
  readonly trace: Trace<S, A>;
}

/** Options of {@link replayTrace}. */
export interface ReplayOptions {
  /** Evaluate only these checks (default: all). */
  readonly checks?: readonly string[];
  /** Detect deadlocks (default: only when the recorded violation is a deadlock). */
  readonly deadlock?: boolean;
}

/**
 * Replay actions strictly against a machine and compare with a recorded violation. An action
 * that is not enabled is an {@link InputError} naming the step and the enabled actions.
 */
export function replayTrace<S, A>(
  m: Machine<S, A>,
  initIndex: number,
  actions: readonly unknown[],
  recorded: RecordedViolation | null,
  opts: ReplayOptions = {},
): ReplayResult<S, A> {
  const r = runActions(m, initIndex, actions, {
    mode: 'strict',
    deadlock: opts.deadlock ?? recorded?.kind === 'deadlock',
    ...(opts.checks ? { checks: opts.checks } : {}),
  });
  if (r.notEnabled) {
    const ne = r.notEnabled;
    throw new InputError(`step ${ne.step}: action ${compact(toPlain(ne.action))} is not enabled; enabled: ${enabledList(m as AnyMachine, ne.enabled)}`);
  }
  let v = r.violation;
  if (!v && recorded?.kind === 'error') {
    // A replay evaluates no witnesses, and stops before the last state's actions(): an
    // exception recorded there is found by evaluating them again (see impl/core/culprit.ts).
    const again = explainError(m, { kind: 'error', name: recorded.name, message: '', trace: r.trace }, opts.checks);
    if (again.culprit !== undefined) v = again;
  }
  if (!v) return { status: 'passes', recorded, trace: r.trace };
  return {
    status: sameViolation(v, recorded ?? undefined) ? 'reproduced' : 'different',
    recorded,
    violation: explainError(m, v, opts.checks),
    step: v.trace.steps.length,
    trace: r.trace,
  };
}

/** Replay a loaded trace file against its (current) model. */
export function replayLoaded(t: LoadedTrace, opts: ReplayOptions = {}): ReplayResult {
  const checks = opts.checks ?? t.checks;
  return replayTrace(t.machine, t.initIndex, t.actions, t.recorded, { ...opts, ...(checks ? { checks } : {}) });
}

/** Read, validate and replay a trace file. */
export function replayTraceFile(path: string, lookup: (model: string) => AnyModel, opts: ReplayOptions = {}): { readonly loaded: LoadedTrace; readonly result: ReplayResult } {
  const loaded = readTraceFile(path, lookup);
  return { loaded, result: replayLoaded(loaded, opts) };
}

/** The origin's runner, seed and path, for headers: "random · seed 42 · path 3:1:0". */
export function describeOrigin(o: TraceOrigin | undefined): string {
  if (!o || !isRecord(o)) return 'unknown';
  const parts: string[] = [String(o.runner)];
  if ('seed' in o && o.seed !== undefined) parts.push(`seed ${o.seed}`);
  if ('path' in o && o.path !== undefined) parts.push(`path ${o.path}`);
  return parts.join(' · ');
}
