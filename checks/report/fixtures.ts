/**
 * Report fixtures for the tests and for looking at: real counterexamples of the known-bug
 * variants (TwoPhase `commit-unprepared`, a machine with no lanes; Echo `double-send` and
 * `volatile-seq`, machines on the shared environment with lanes and arrows), and a long trace of
 * Echo on 5 nodes with every kind of fault, to judge readability at 5 nodes and 60 steps.
 */
import type { Machine } from '../../impl/core/machine.ts';
import { explore } from '../exhaustive.ts';
import type { Trace, TraceStep } from '../../impl/core/trace.ts';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import type { EchoState, EchoTypes } from '../../impl/echo/echo.ts';
import { makeEcho } from '../../specs/models/echo.ts';
import type { EnvMachine } from '../../impl/env/machine.ts';
import type { EnvAction } from '../../impl/env/types.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import { exhaustiveCoverage } from './coverage.ts';
import { reportFromRun, type ReportData } from './data.ts';

/** The bounds shown on fixture reports (the checker's defaults). */
const BOUNDS = [
  { label: 'depth', value: '10,000' },
  { label: 'distinct states', value: '20,000,000' },
  { label: 'time', value: '600 s' },
];

/** TwoPhase with 3 RMs, `commit-unprepared`, breadth-first on tc-consistent: 7 steps. */
export function twoPhaseReport(withCoverage = true): ReportData {
  const m = makeTwoPhase(3, 'commit-unprepared');
  const checks = ['tc-consistent'];
  const result = explore(m, { checks });
  return reportFromRun({
    machine: m,
    model: 'twophase',
    params: { rms: 3, bug: 'commit-unprepared' },
    mode: 'bfs',
    result,
    bounds: BOUNDS,
    checks,
    command: 'dscheck check twophase --param bug=commit-unprepared --invariant tc-consistent --report',
    ...(withCoverage ? { coverage: exhaustiveCoverage(m, { checks }) } : {}),
  });
}

/** The Echo configuration of the lane fixtures: 3 nodes, a crash, a drop, a duplicate, a partition. */
export const ECHO_FAULTS: Partial<EnvConfig> = { nodes: 3, delivery: 'multiset', crashes: 1, requests: 2, drops: 1, duplicates: 1, partitions: 1 };

/** Echo `double-send` breaking no-double-delivery, breadth-first: 3 steps, with lanes and arrows. */
export function echoReport(withCoverage = true): ReportData {
  const params = { ...ECHO_FAULTS, retry: false, bug: 'double-send' } as const;
  const m = makeEcho(ECHO_FAULTS, { bug: 'double-send' });
  const checks = ['no-double-delivery'];
  const result = explore(m, { checks });
  return reportFromRun({
    machine: m,
    model: 'echo',
    params,
    mode: 'bfs',
    result,
    bounds: BOUNDS,
    checks,
    command: 'dscheck check echo --param bug=double-send … --report',
    ...(withCoverage ? { coverage: exhaustiveCoverage(m, { checks }) } : {}),
  });
}

/**
 * A seeded walk (mulberry32): `weight(a)` biases the choice among the enabled actions; the walk
 * stops after `steps` steps, at a state with no enabled action, or at the first state `stop`
 * accepts.
 */
export function seededWalk<S, A>(m: Machine<S, A>, seed: number, steps: number, weight: (a: A) => number, stop?: (s: S) => boolean): Trace<S, A> {
  let x = seed | 0;
  const rnd = (): number => {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const init = m.init()[0]!;
  const out: TraceStep<S, A>[] = [];
  let s: S = init;
  for (let i = 0; i < steps; i++) {
    const acts = m.actions(s);
    if (acts.length === 0) break;
    const ws = acts.map((a) => Math.max(0, weight(a)));
    const total = ws.reduce((p, q) => p + q, 0);
    let pick = rnd() * (total > 0 ? total : acts.length);
    let idx = 0;
    for (; idx < acts.length - 1; idx++) {
      pick -= total > 0 ? ws[idx]! : 1;
      if (pick < 0) break;
    }
    s = m.step(s, acts[idx]!);
    out.push({ action: acts[idx]!, actionIndex: idx, state: s });
    if (stop?.(s)) break;
  }
  return { initIndex: 0, init, steps: out };
}

/** The Echo configuration of the long fixture: 5 nodes, every fault, retry timers. */
export const ECHO_LONG: Partial<EnvConfig> = {
  nodes: 5,
  delivery: 'multiset',
  crashes: 2,
  requests: 40,
  drops: 2,
  duplicates: 2,
  partitions: 2,
};

/** The first seed tried for the long walk (with the environment as it is, it is the one used). */
export const LONG_WALK_SEED = 1287;

/** Every action kind the long walk must show. */
const LONG_WALK_KINDS = ['crash', 'deliver', 'drop', 'duplicate', 'heal', 'partition', 'request', 'restart', 'timer'];

/**
 * A real 55-to-60-step counterexample of Echo `volatile-seq` on 5 nodes (fresh-seq breaks at its
 * last step), found by seeded random walks that favour deliveries: the first seed from
 * {@link LONG_WALK_SEED} whose walk breaks fresh-seq between steps 55 and 60 after crashes,
 * restarts, drops, duplicates, partitions, heals and retry timers. The search keeps the fixture
 * valid if the environment's action order changes. To judge how 5 lanes and 60 rows read.
 */
export function longEchoWalk(): { readonly machine: EnvMachine<EchoTypes>; readonly trace: Trace<EchoState, EnvAction<EchoTypes>>; readonly seed: number; readonly message: string } {
  const m = makeEcho(ECHO_LONG, { retry: true, bug: 'volatile-seq' });
  const weights: Readonly<Record<string, number>> = { deliver: 10, request: 2, timer: 1, crash: 0.12, restart: 3, drop: 0.7, duplicate: 0.7, partition: 0.6, heal: 1.5 };
  const inv = m.invariants!.find((i) => i.name === 'fresh-seq')!;
  for (let seed = LONG_WALK_SEED; seed < LONG_WALK_SEED + 20_000; seed++) {
    const trace = seededWalk(m, seed, 60, (a) => weights[a.type] ?? 1, (s) => inv.check(s) !== true);
    const n = trace.steps.length;
    if (n < 55) continue;
    const verdict = inv.check(trace.steps[n - 1]!.state);
    if (verdict === true) continue;
    const kinds = new Set(trace.steps.map((st) => st.action.type));
    if (!LONG_WALK_KINDS.every((k) => (kinds as ReadonlySet<string>).has(k))) continue;
    return { machine: m, trace, seed, message: typeof verdict === 'string' ? verdict : '' };
  }
  throw new Error('no seeded walk of Echo volatile-seq breaks fresh-seq between steps 55 and 60 with every fault: the environment changed; adjust the weights');
}

/** The report of {@link longEchoWalk}. */
export function longEchoReport(): ReportData {
  const { machine: m, trace, seed, message } = longEchoWalk();
  const n = trace.steps.length;
  return reportFromRun({
    machine: m,
    model: 'echo',
    params: { ...ECHO_LONG, retry: true, bug: 'volatile-seq' },
    mode: 'random',
    modeText: `a seeded random walk (seed ${seed}; not shrunk)`,
    result: {
      status: 'violation',
      violation: { kind: 'invariant', name: 'fresh-seq', message, trace },
      stats: { states: n + 1, transitions: n, elapsedMs: 0 },
      witnesses: [],
    },
    bounds: [{ label: 'steps', value: '60' }],
    checks: ['fresh-seq'],
    command: 'fixture: a seeded random walk of Echo volatile-seq on 5 nodes',
  });
}
