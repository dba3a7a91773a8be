/**
 * Coverage: which action kinds fired and how often, which never fired (or were never even
 * enabled), which `sometimes` witnesses were reached, and how many states each depth holds.
 *
 * A model in which some action never fires is usually a wrong model (a guard that can never be
 * true, a message nobody sends, a bound too tight to reach it), and a check that "holds" on it
 * proves less than it seems. So the report names those actions and says so.
 *
 * Coverage is a separate pass, so that the runners stay as fast as they are: it runs the same
 * search again on a counting wrapper of the machine, which sees every `actions()` and `step()`
 * call, and learns which transitions reached a new state through a probe invariant (the
 * exhaustive checker evaluates invariants exactly once per newly discovered state, right after
 * the step that found it). The exhaustive checker and the random runner are used unchanged.
 *
 * Where the list of every action kind comes from: the machine's `actionKinds()`; for machines on
 * the shared environment (`impl/env`), the kinds its configuration allows (deliver always;
 * timer, request, local when the protocol has them; tick, drop, duplicate, crash, restart,
 * partition and heal when their budget is positive); otherwise only the kinds seen can be
 * listed, and the report says that kinds that never fire cannot be named.
 */
import type { AnyMachine, Machine, ParamValue } from '../../impl/core/machine.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import { explore, exploreAsync, type ExploreOptions, type ExploreStats } from '../exhaustive.ts';
import { checkRandom, checkRandomAsync, discoverKinds, type RandomOptions, type RandomResult } from '../random.ts';
import { witnessesInContext, type BoundHit, type CheckResult, type WitnessResult } from '../../impl/core/result.ts';
import { actionKind } from '../engine/shrink.ts';

/** Coverage of one refinement of a kind: a message type, a timer, a local action. */
export interface DetailCoverage {
  /** "deliver Ping", "timer retry". */
  readonly name: string;
  readonly fired: number;
  readonly changed: number;
  /** Exhaustive runs: transitions that reached a state seen for the first time. */
  readonly newStates?: number;
}

/** Coverage of one action kind. */
export interface KindCoverage {
  readonly kind: string;
  /** States in which an action of this kind was enabled (exhaustive: states expanded; random: states visited). */
  readonly enabled: number;
  /** Transitions of this kind taken (exhaustive: generated, including to states seen before). */
  readonly fired: number;
  /** Transitions that changed the state (the others stutter). */
  readonly changed: number;
  /** Exhaustive runs: transitions that reached a state seen for the first time. */
  readonly newStates?: number;
  /** Per message type, timer or local action, when the actions carry one. */
  readonly details: readonly DetailCoverage[];
}

/** The coverage of a run. */
export interface Coverage {
  readonly runner: 'exhaustive' | 'random';
  /** True when an exhaustive pass explored the whole reachable space. */
  readonly complete: boolean;
  /** What was covered: "all 288 reachable states", "1,000 runs of up to 60 steps". */
  readonly scope: string;
  /** The bound that cut the pass, if any. */
  readonly bound?: BoundHit;
  /** Where the list of every kind came from. */
  readonly kindsFrom: 'machine' | 'environment' | 'observed';
  /** Every kind, in the machine's order (declared kinds first, then any other kind seen). */
  readonly kinds: readonly KindCoverage[];
  /** Declared kinds that never fired. */
  readonly neverFired: readonly string[];
  /** Declared kinds that were never even enabled. */
  readonly neverEnabled: readonly string[];
  /** Kinds that fired but never changed the state. */
  readonly onlyStutter: readonly string[];
  readonly witnesses: readonly WitnessResult[];
  /**
   * Exhaustive: distinct states first seen at each depth. Random: states visited at each step
   * number, over all runs.
   */
  readonly statesPerDepth: readonly number[];
  /** States with no enabled action that the machine calls terminal. */
  readonly terminal: number;
  /** States with no enabled action that the machine does not call terminal (deadlocks). */
  readonly deadEnds: number;
  /** What looks wrong, one sentence each. */
  readonly warnings: readonly string[];
}

/** The warning for kinds that never fire. */
export const NEVER_FIRED_WARNING = 'a model where some action never fires is usually a wrong model';

/** The name of the probe invariant the exhaustive pass adds (never reported). */
const PROBE = '__coverage-probe';

/** Every action kind the machine can have, and where that list came from. */
export function declaredKinds(m: AnyMachine): { readonly kinds: readonly string[] | undefined; readonly from: Coverage['kindsFrom'] } {
  if (m.actionKinds) return { kinds: [...new Set(m.actionKinds())], from: 'machine' };
  return { kinds: undefined, from: 'observed' };
}

/**
 * A finer name for an action than its kind, when it carries one: the type of the message it
 * delivers, drops or duplicates (`msg.type`), the timer it fires (`timer`), or the local action
 * it takes (`action`). Undefined when there is none.
 */
export function actionDetail(a: unknown): string | undefined {
  if (typeof a !== 'object' || a === null) return undefined;
  const o = a as Record<string, unknown>;
  const msg = o['msg'];
  if (typeof msg === 'object' && msg !== null) {
    const t = (msg as Record<string, unknown>)['type'] ?? (msg as Record<string, unknown>)['kind'];
    if (typeof t === 'string') return t;
  }
  if (typeof o['timer'] === 'string') return o['timer'];
  if (typeof o['action'] === 'string') return o['action'];
  return undefined;
}

/** Mutable counters of one kind. */
interface Counter {
  enabled: number;
  fired: number;
  changed: number;
  newStates: number;
  details: Map<string, { fired: number; changed: number; newStates: number }>;
}

/** The counting wrapper shared by both passes. */
class Counting<S, A> {
  readonly counters = new Map<string, Counter>();
  terminal = 0;
  deadEnds = 0;
  /** Stop counting (the random pass sets it at the first failing check). */
  frozen = false;
  private readonly wa = new WordBuffer();
  private readonly wb = new WordBuffer();
  /** The kind and detail of the last step, for the probe. */
  last: { counter: Counter; detail: { newStates: number } | undefined } | undefined;

  constructor(private readonly m: Machine<S, A>) {}

  counter(kind: string): Counter {
    let c = this.counters.get(kind);
    if (!c) {
      c = { enabled: 0, fired: 0, changed: 0, newStates: 0, details: new Map() };
      this.counters.set(kind, c);
    }
    return c;
  }

  private key(w: WordBuffer, s: S): string {
    w.reset();
    if (this.m.encode) this.m.encode(s, w);
    else w.value(s);
    return w.key();
  }

  onActions(s: S, acts: readonly A[]): void {
    if (this.frozen) return;
    if (acts.length === 0) {
      if (this.m.isTerminal?.(s) ?? false) this.terminal++;
      else this.deadEnds++;
      return;
    }
    const seen = new Set<string>();
    for (const a of acts) {
      const k = actionKind(this.m, a);
      if (seen.has(k)) continue;
      seen.add(k);
      this.counter(k).enabled++;
    }
  }

  onStep(s: S, a: A, t: S): void {
    if (this.frozen) return;
    const c = this.counter(actionKind(this.m, a));
    c.fired++;
    const changed = t !== s && this.key(this.wa, s) !== this.key(this.wb, t);
    if (changed) c.changed++;
    const d = actionDetail(a);
    let detail: { fired: number; changed: number; newStates: number } | undefined;
    if (d !== undefined) {
      detail = c.details.get(d);
      if (!detail) {
        detail = { fired: 0, changed: 0, newStates: 0 };
        c.details.set(d, detail);
      }
      detail.fired++;
      if (changed) detail.changed++;
    }
    this.last = { counter: c, detail };
  }

  /**
   * The wrapped machine. `probe`: add the invariant that counts newly discovered states.
   * Counting stops at the first failing check (or deadlock, when `deadlock`), as the runners'
   * own counters do: they rebuild the trace by replaying it, which must not be counted.
   */
  wrap(probe: boolean, deadlock: boolean): Machine<S, A> {
    const m = this.m;
    const self = this;
    const stopOn = (v: boolean | string): boolean | string => {
      if (v !== true) self.frozen = true;
      return v;
    };
    const invariants = (m.invariants ?? []).map((i) => ({ ...i, check: (s: S) => stopOn(i.check(s)) }));
    const properties = (m.properties ?? []).map((p) => ({
      ...p,
      check: (s: S, a: A, t: S) => stopOn(p.check(s, a, t)),
      ...(p.checkInit ? { checkInit: (s: S) => stopOn(p.checkInit!(s)) } : {}),
    }));
    return {
      ...m,
      // Every step is counted: none is skipped as a stutter.
      stutters: undefined,
      actions(s: S): readonly A[] {
        let acts: readonly A[];
        try {
          acts = m.actions(s);
        } catch (e) {
          self.frozen = true;
          throw e;
        }
        self.onActions(s, acts);
        if (deadlock && acts.length === 0 && !(m.isTerminal?.(s) ?? false)) self.frozen = true;
        return acts;
      },
      step(s: S, a: A): S {
        let t: S;
        try {
          t = m.step(s, a);
        } catch (e) {
          self.frozen = true;
          throw e;
        }
        self.onStep(s, a, t);
        return t;
      },
      invariants: probe
        ? [
            {
              name: PROBE,
              symmetric: true, // it reads nothing: it must not switch symmetry off (checks/symmetric.ts)
              check: () => {
                const l = self.last;
                if (l && !self.frozen) {
                  l.counter.newStates++;
                  if (l.detail) l.detail.newStates++;
                }
                return true;
              },
            },
            ...invariants,
          ]
        : invariants,
      properties,
    };
  }

  /** The coverage, given what the run says. */
  finish(m: AnyMachine, runner: Coverage['runner'], result: CheckResult, scope: string, statesPerDepth: readonly number[]): Coverage {
    const { kinds: declared, from } = declaredKinds(m);
    const order = [...(declared ?? []), ...[...this.counters.keys()].filter((k) => !(declared ?? []).includes(k)).sort()];
    const exhaustive = runner === 'exhaustive';
    const kinds: KindCoverage[] = order.map((kind) => {
      const c = this.counters.get(kind);
      const details = c
        ? [...c.details.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([name, d]): DetailCoverage => ({ name: `${kind} ${name}`, fired: d.fired, changed: d.changed, ...(exhaustive ? { newStates: d.newStates } : {}) }))
        : [];
      return {
        kind,
        enabled: c?.enabled ?? 0,
        fired: c?.fired ?? 0,
        changed: c?.changed ?? 0,
        ...(exhaustive ? { newStates: c?.newStates ?? 0 } : {}),
        details,
      };
    });
    const neverFired = kinds.filter((k) => k.fired === 0).map((k) => k.kind);
    const neverEnabled = kinds.filter((k) => k.enabled === 0).map((k) => k.kind);
    const onlyStutter = kinds.filter((k) => k.fired > 0 && k.changed === 0).map((k) => k.kind);
    const complete = exhaustive && result.status === 'exhausted';
    const where = complete ? 'in the whole reachable space' : result.status === 'violation' ? 'before the violation stopped the run' : 'within the bounds';
    const warnings: string[] = [];
    if (neverFired.length > 0) {
      warnings.push(`${neverFired.length === 1 ? 'action kind' : 'action kinds'} ${neverFired.join(', ')} never fired ${where}: ${NEVER_FIRED_WARNING}${complete ? '' : ' (or the bounds are too tight to reach it)'}`);
    }
    for (const k of kinds) {
      for (const d of k.details) if (d.fired > 0 && d.changed === 0) warnings.push(`${d.name} fired ${d.fired} times and never changed the state`);
    }
    if (onlyStutter.length > 0) warnings.push(`${onlyStutter.join(', ')} fired but never changed the state`);
    const ww = witnessWarning(result.witnesses, where, complete);
    if (ww !== undefined) warnings.push(ww);
    if (from === 'observed') warnings.push('the machine does not list its action kinds (actionKinds()), so kinds that never fire cannot be named');
    return {
      runner,
      complete,
      scope,
      ...(result.bound ? { bound: result.bound } : {}),
      kindsFrom: from,
      kinds,
      neverFired: declared ? neverFired : [],
      neverEnabled: declared ? neverEnabled : [],
      onlyStutter,
      witnesses: result.witnesses,
      statesPerDepth,
      terminal: this.terminal,
      deadEnds: this.deadEnds,
      warnings,
    };
  }
}

/** A coverage pass ready to run: the wrapped machine, the options, and how to read the result. */
interface Pass<S, A, O> {
  readonly machine: Machine<S, A>;
  readonly options: O;
  finish(result: CheckResult): Coverage;
}

function exhaustivePass<S, A>(m: Machine<S, A>, opts: ExploreOptions): Pass<S, A, ExploreOptions> {
  const counting = new Counting(m);
  const checks = opts.checks && opts.checks.length > 0 ? [...opts.checks, PROBE] : [];
  return {
    machine: counting.wrap(true, opts.deadlock ?? false),
    options: { ...opts, checks },
    finish(result) {
      const s = result.stats as ExploreStats;
      const word = result.status === 'exhausted' ? `all ${s.states.toLocaleString('en-US')} reachable states` : `${s.states.toLocaleString('en-US')} distinct states`;
      return counting.finish(m as AnyMachine, 'exhaustive', result, `${word} (${s.transitions.toLocaleString('en-US')} transitions)`, s.statesPerDepth);
    },
  };
}

/**
 * Coverage of an exhaustive search: the same search as {@link explore} with the same options,
 * on a counting wrapper. Counts are per generated transition (so a kind enabled in a state is
 * fired there once per enabled action), and `newStates` per transition that discovered a state.
 */
export function exhaustiveCoverage<S, A>(m: Machine<S, A>, opts: ExploreOptions = {}): Coverage {
  const p = exhaustivePass(m, opts);
  return p.finish(explore(p.machine, p.options) as CheckResult);
}

/** {@link exhaustiveCoverage} on {@link exploreAsync}: progress and Ctrl-C (`opts.signal`) are served. */
export async function exhaustiveCoverageAsync<S, A>(m: Machine<S, A>, opts: ExploreOptions = {}): Promise<Coverage> {
  const p = exhaustivePass(m, opts);
  return p.finish((await exploreAsync(p.machine, p.options)) as CheckResult);
}

function randomPass<S, A>(m: Machine<S, A>, opts: RandomOptions): Pass<S, A, RandomOptions> {
  const counting = new Counting(m);
  // A run starts at one of the initial states the runner got from init(): remember them.
  const inits = new Set<unknown>();
  const perStep: number[] = [];
  let depth = 0;
  const inner = counting.wrap(false, opts.deadlock ?? false);
  const machine: Machine<S, A> = {
    ...inner,
    init(): readonly S[] {
      const xs = inner.init();
      for (const x of xs) inits.add(x);
      return xs;
    },
    actions(s: S): readonly A[] {
      if (inits.has(s) && !counting.frozen) depth = 0;
      return inner.actions(s);
    },
    step(s: S, a: A): S {
      const t = inner.step(s, a);
      if (counting.frozen) return t;
      depth++;
      perStep[depth] = (perStep[depth] ?? 0) + 1;
      return t;
    },
  };
  // The swarm kinds are discovered on the machine itself, so that discovery is not counted.
  const kinds = opts.swarm === false ? [] : (opts.kinds ?? discoverKinds(m));
  return {
    machine,
    options: { ...opts, kinds, shrink: false },
    finish(result) {
      const r = result as RandomResult;
      // A run with no step never asks for actions: the runner's count of runs is the right one.
      perStep[0] = r.stats.runs;
      return counting.finish(m as AnyMachine, 'random', result, `${r.stats.runs.toLocaleString('en-US')} runs of up to ${r.maxSteps.toLocaleString('en-US')} steps (seed ${r.seed})`, Array.from(perStep, (x) => x ?? 0));
    },
  };
}

/**
 * Coverage of random runs: the same runs as {@link checkRandom} with the same seed and options
 * (without shrinking), on a counting wrapper, up to the first failure. Pass the `kinds` the
 * checked run used so that the swarm mixes are the same.
 */
export function randomCoverage<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): Coverage {
  const p = randomPass(m, opts);
  return p.finish(checkRandom(p.machine, p.options) as CheckResult);
}

/** {@link randomCoverage} on {@link checkRandomAsync}: progress and Ctrl-C are served. */
export async function randomCoverageAsync<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): Promise<Coverage> {
  const p = randomPass(m, opts);
  return p.finish((await checkRandomAsync(p.machine, p.options)) as CheckResult);
}

/** Coverage as text lines, for the terminal. */
/**
 * The warning about witnesses not reached: "the model may be wrong" only for those whose needs
 * this run meets (see {@link witnessesInContext}); the others say what they need.
 */
function witnessWarning(ws: readonly WitnessResult[], where: string, complete: boolean): string | undefined {
  // A witness out of reach of the parameters is listed with its needs, not warned about.
  const unreached = ws.filter((w) => !w.reached && !w.unmet).map((w) => w.name);
  return unreached.length > 0 ? `sometimes ${unreached.join(', ')} not reached ${where}${complete ? ': the model may be wrong' : ''}` : undefined;
}

/**
 * A coverage with its witnesses put in the context of the run's parameters: a witness the
 * parameters cannot reach says what it needs, and is no longer a sign that the model is wrong.
 */
export function coverageInContext(c: Coverage, m: AnyMachine, params: Readonly<Record<string, ParamValue>>): Coverage {
  const witnesses = witnessesInContext(m, params, c.witnesses);
  const wheres = c.complete ? ['in the whole reachable space'] : ['before the violation stopped the run', 'within the bounds'];
  const warnings = c.warnings.flatMap((w) => {
    const where = wheres.find((x) => witnessWarning(c.witnesses, x, c.complete) === w);
    if (where === undefined) return [w];
    const after = witnessWarning(witnesses, where, c.complete);
    return after !== undefined ? [after] : [];
  });
  return { ...c, witnesses, warnings };
}

export function formatCoverage(c: Coverage): string[] {
  const lines: string[] = [`coverage (${c.runner}: ${c.scope}${c.bound ? `; cut by the ${c.bound.kind} bound` : ''}):`];
  const w = Math.max(4, ...c.kinds.flatMap((k) => [k.kind.length, ...k.details.map((d) => d.name.length + 2)]));
  const ex = c.runner === 'exhaustive';
  lines.push(`  ${'kind'.padEnd(w)}  ${'enabled in'.padStart(12)}  ${'fired'.padStart(12)}  ${'changed'.padStart(12)}${ex ? `  ${'new states'.padStart(12)}` : ''}`);
  const n = (x: number) => x.toLocaleString('en-US').padStart(12);
  for (const k of c.kinds) {
    const mark = k.fired === 0 ? '  ← never fired' : k.changed === 0 ? '  ← never changed the state' : '';
    lines.push(`  ${k.kind.padEnd(w)}  ${n(k.enabled)}  ${n(k.fired)}  ${n(k.changed)}${ex ? `  ${n(k.newStates ?? 0)}` : ''}${mark}`);
    for (const d of k.details) lines.push(`    ${d.name.padEnd(w - 2)}  ${''.padStart(12)}  ${n(d.fired)}  ${n(d.changed)}${ex ? `  ${n(d.newStates ?? 0)}` : ''}`);
  }
  if (c.kindsFrom === 'observed') lines.push('  (kinds seen; the machine does not declare actionKinds())');
  for (const wt of c.witnesses) lines.push(`  sometimes ${wt.name}: ${wt.reached ? `reached${wt.depth !== undefined ? ` at ${ex ? 'depth' : 'step'} ${wt.depth}` : ''}` : wt.unmet ? `not reached: ${wt.unmet}` : 'NOT reached'}`);
  lines.push(`  ${ex ? 'states per depth' : 'states per step number'}: ${c.statesPerDepth.join(' ')}`);
  lines.push(`  states with no enabled action: ${c.terminal.toLocaleString('en-US')} terminal, ${c.deadEnds.toLocaleString('en-US')} not terminal`);
  for (const wn of c.warnings) lines.push(`  ⚠ ${wn}`);
  return lines;
}
