/**
 * The multi-core parts of `dscheck check`: random mode in blocks over `--workers` threads or in
 * `--shard k/n`, and `--mode portfolio` (breadth-first search and random runs side by side).
 */
import { join } from 'node:path';
import { InputError, type AnyMachine, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import { DEFAULT_BOUNDS, exploreAsync } from '../exhaustive.ts';
import { RANDOM_DEFAULTS, describeRandomResult, randomOrigin, type RandomResult } from '../random.ts';
import { checkNames, type CheckResult } from '../../impl/core/result.ts';
import { toTraceFile } from '../../impl/core/trace.ts';
import { asRandomResult, checkRandomParallel, parseShard, BLOCK_RUNS, type ParallelRandomResult } from '../parallel/random.ts';
import { SHARD_FORMAT, SHARD_VERSION, type ShardFile } from '../parallel/shards.ts';
import { defaultWorkers } from '../parallel/pool.ts';
import { flag, posInt, seconds, str, type ParsedArgs } from './args.ts';
import { REPORTS_DIR, dur, num, slug, writeFileAtomic } from '../output.ts';
import { ProgressLine } from './progress.ts';
import { defaultTracePath, paramText, printVerdict, seedArg } from './verdict.ts';
import type { RandomBudget } from './variant.ts';
import { freshSeed, discoverKinds } from '../random.ts';

/** The default shard file: `reports/shards/<model>-seed<S>-shard<k>of<n>.json`. */
export function defaultShardPath(model: AnyModel, params: Readonly<Record<string, ParamValue>>, seed: number, k: number, n: number): string {
  const p = Object.entries(params)
    .filter(([key, v]) => model.params[key]?.default !== v)
    .map(([key, v]) => `${key}${String(v)}`)
    .join('-');
  return join(REPORTS_DIR, 'shards', `${slug(model.name)}${p ? `-${slug(p)}` : ''}-seed${seed}-shard${k}of${n}.json`);
}

/** The replay command of a random violation. */
function replayLine(model: AnyModel, params: Readonly<Record<string, ParamValue>>, checks: readonly string[], r: RandomResult, swarm: boolean): string {
  return `dscheck check ${model.name}${Object.entries(params).filter(([k, x]) => !(k === 'bug' && x === 'none')).map(([k, x]) => ` --param ${k}=${String(x)}`).join('')}${checks.map((c) => ` --invariant ${c}`).join('')} --mode random --seed ${r.seed} --path ${r.path} --steps ${r.maxSteps}${swarm ? '' : ' --no-swarm'}`;
}

/** Print a random result's verdict and counters (the lines the single-threaded random mode prints). */
function printRandom(out: (l: string) => void, model: AnyModel, params: Record<string, ParamValue>, machine: AnyMachine, checks: readonly string[], result: RandomResult, swarm: boolean, traceFile: string | undefined): void {
  const s = result.stats;
  if (result.status === 'violation') out(`seed ${result.seed} · path ${result.path}`);
  printVerdict(out, machine, result as CheckResult, { statesWord: `${num(s.runs)} runs`, detail: `up to ${num(result.maxSteps)} steps each`, bounded: describeRandomResult(result) });
  out(`  runs ${num(s.runs)} · steps ${num(s.transitions)} · ${dur(s.searchMs)} · ${num(s.stepsPerSecond)} steps/s`);
  if (result.status === 'violation') {
    if (s.shrink) out(`  fast-check shrank it to ${s.shrink.fastCheckLength} · delta debugging to ${s.shrink.finalLength}${s.shrink.complete ? '' : ' (shrinking cut by its time limit: not proved minimal)'}`);
    out(`  swarm mix of the failing run: ${result.swarm && result.swarm.excluded.length > 0 ? `without ${result.swarm.excluded.join(', ')}` : 'every action kind'}`);
    out(`  replay: ${replayLine(model, params, checks, result, swarm)}`);
  }
  if (traceFile) out(`  trace written to ${traceFile} (dscheck replay ${traceFile})`);
}

function writeRandomTrace(model: AnyModel, params: Record<string, ParamValue>, machine: AnyMachine, r: RandomResult, target: string | undefined, suffix = ''): string | undefined {
  const v = r.violation;
  if (r.status !== 'violation' || !v) return undefined;
  const file = target ?? defaultTracePath(model, params, `${v.name}${suffix}`);
  writeFileAtomic(file, `${JSON.stringify(toTraceFile(machine, model.name, params, randomOrigin(r), v.trace, v), null, 2)}\n`);
  return file;
}

/**
 * `--mode random` with `--workers N` and/or `--shard k/n`: runs in blocks of 100, each block
 * seeded from (seed, block); the lowest failing block is reported, so the result does not depend
 * on N, and the shards' files merge into the unsharded result.
 */
export async function blockedRandomCheck(
  args: ParsedArgs,
  model: AnyModel,
  params: Record<string, ParamValue>,
  machine: AnyMachine,
  checks: readonly string[],
  out: (line: string) => void,
  budget: RandomBudget,
): Promise<number> {
  const json = flag(args, 'json');
  const shardText = str(args, 'shard');
  const shard = shardText !== undefined ? parseShard(shardText) : undefined;
  const workers = posInt(args, 'workers', 1);
  if (args.flags.has('path')) throw new InputError('--path replays one run: drop --workers and --shard');
  if (flag(args, 'coverage')) throw new InputError('--coverage is not available with --workers or --shard yet');
  if (!shard && args.flags.has('shard-out')) throw new InputError('--shard-out goes with --shard');
  const runs = posInt(args, 'runs', budget.runs);
  const maxSteps = posInt(args, 'steps', budget.maxSteps);
  const timeLimitMs = seconds(args, 'time-limit', RANDOM_DEFAULTS.timeLimitMs);
  const seed = seedArg(args) ?? freshSeed();
  const swarm = !flag(args, 'no-swarm');
  const kinds = swarm ? discoverKinds(machine) : [];
  const names = checks.length > 0 ? checks : checkNames(machine);
  const say = json ? () => {} : out;
  say(`seed ${seed}`);
  say(`dscheck check ${model.name} (${paramText(params)}) · random (fast-check)${swarm ? ` · swarm over ${kinds.length} action kinds` : ''} · blocks of ${BLOCK_RUNS} runs · ${workers} worker${workers === 1 ? '' : 's'}${shard ? ` · shard ${shard.index}/${shard.count}` : ''}`);
  say(`checks: ${names.join(', ') || '(none)'}`);
  say(`bounds: runs ≤ ${num(runs)} · steps ≤ ${num(maxSteps)} per run · time ≤ ${dur(timeLimitMs)}`);
  const progress = new ProgressLine(!json && !flag(args, 'quiet'));
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.on('SIGINT', onSigint);
  let r: ParallelRandomResult;
  try {
    r = await checkRandomParallel(
      { model: model.name, params },
      {
        workers,
        ...(shard ? { shard } : {}),
        runs,
        maxSteps,
        timeLimitMs,
        seed,
        checks,
        kinds,
        swarm,
        deadlock: flag(args, 'deadlock'),
        signal: abort.signal,
        onProgress: (p) => progress.update({ blocks: `${p.blocksDone}/${p.blocks}`, runs: p.runs, steps: p.steps, elapsed: dur(p.elapsedMs) }),
      },
    );
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }
  if (shard) {
    const file: ShardFile = {
      format: SHARD_FORMAT,
      version: SHARD_VERSION,
      key: r.key,
      shard,
      witnessNames: (machine.sometimes ?? []).map((w) => w.name),
      outcomes: r.outcomes,
      cut: r.cut !== null,
    };
    const target = str(args, 'shard-out') ?? defaultShardPath(model, params, seed, shard.index, shard.count);
    writeFileAtomic(target, `${JSON.stringify(file, null, 2)}\n`);
    const failing = r.outcomes.filter((o) => o.status === 'violation');
    if (json) out(JSON.stringify({ seed, model: model.name, params, mode: 'random', shard, shardFile: target, blocks: r.outcomes.length, runs: r.outcomes.reduce((a, o) => a + o.runs, 0), violations: failing.map((o) => ({ block: o.block, seed: o.seed, path: o.path, name: o.violation?.name })), cut: r.cut }));
    else {
      out(`shard ${shard.index}/${shard.count}: ${r.outcomes.length} block${r.outcomes.length === 1 ? '' : 's'}, ${num(r.outcomes.reduce((a, o) => a + o.runs, 0))} runs${r.cut ? ` (cut: ${r.cut.kind})` : ''}`);
      for (const o of failing) out(`  ✗ block ${o.block}: ${o.violation?.name} after ${o.violation?.steps} steps (seed ${o.seed}, path ${o.path})`);
      out(`  shard file written to ${target}; combine every shard with: dscheck merge <files…>`);
    }
    return failing.length > 0 ? 1 : r.cut?.kind === 'interrupted' ? 130 : 0;
  }
  const result = asRandomResult(r);
  const traceFile = writeRandomTrace(model, params, machine, result, str(args, 'out'));
  if (json) {
    const v = result.violation;
    out(JSON.stringify({
      seed: result.seed,
      path: result.path,
      model: model.name,
      params,
      mode: 'random',
      checks: names,
      bounds: { runs, maxSteps, timeLimitMs },
      workers,
      blocks: { blockRuns: BLOCK_RUNS, summary: r.summary },
      status: result.status,
      bound: result.bound ?? null,
      stats: result.stats,
      witnesses: result.witnesses,
      violation: v ? { kind: v.kind, name: v.name, message: v.message, steps: v.trace.steps.length, traceFile } : null,
    }));
  } else {
    printRandom(out, model, params, machine, checks, result, swarm, traceFile);
    if (result.status === 'violation' && r.summary.first) out(`  first failing block: ${r.summary.first.block} (blocks of ${BLOCK_RUNS} runs; block b is seeded from (seed, b))`);
  }
  if (result.status === 'violation') return 1;
  return r.cut?.kind === 'interrupted' ? 130 : 0;
}

/**
 * `--mode portfolio`: a breadth-first search in this thread and the blocked random runs on the
 * other workers, side by side. The first violation found is printed at once (random: shrunk);
 * then the shortest, if the breadth-first search finds one within its bounds.
 */
export async function portfolioCheck(
  args: ParsedArgs,
  model: AnyModel,
  params: Record<string, ParamValue>,
  machine: AnyMachine,
  checks: readonly string[],
  out: (line: string) => void,
): Promise<number> {
  const json = flag(args, 'json');
  const workers = posInt(args, 'workers', defaultWorkers());
  if (workers < 2) throw new InputError(`--mode portfolio runs breadth-first search and random runs side by side: it needs --workers ≥ 2, got ${workers}`);
  for (const f of ['exact', 'path', 'shard', 'shard-out', 'coverage', 'out', 'report', 'report-out', 'out-itf'] as const) {
    if (args.flags.has(f)) throw new InputError(`--${f} is not available with --mode portfolio`);
  }
  const maxDepth = posInt(args, 'max-depth', DEFAULT_BOUNDS.maxDepth, 0);
  const maxStates = posInt(args, 'max-states', DEFAULT_BOUNDS.maxStates);
  const timeLimitMs = seconds(args, 'time-limit', DEFAULT_BOUNDS.timeLimitMs);
  const runs = posInt(args, 'runs', RANDOM_DEFAULTS.runs);
  const maxSteps = posInt(args, 'steps', RANDOM_DEFAULTS.maxSteps);
  const seed = seedArg(args) ?? freshSeed();
  const swarm = !flag(args, 'no-swarm');
  const symmetry = !flag(args, 'no-symmetry');
  const kinds = swarm ? discoverKinds(machine) : [];
  const names = checks.length > 0 ? checks : checkNames(machine);
  const say = json ? () => {} : out;
  say(`seed ${seed}`);
  say(`dscheck check ${model.name} (${paramText(params)}) · portfolio: bfs in one thread, random on ${workers - 1} worker${workers === 2 ? '' : 's'}`);
  say(`checks: ${names.join(', ') || '(none)'}`);
  say(`bounds: bfs depth ≤ ${num(maxDepth)} · states ≤ ${num(maxStates)} · random runs ≤ ${num(runs)} · steps ≤ ${num(maxSteps)} per run · time ≤ ${dur(timeLimitMs)} each`);
  const bfsAbort = new AbortController();
  const rndAbort = new AbortController();
  const onSigint = (): void => {
    bfsAbort.abort();
    rndAbort.abort();
  };
  process.on('SIGINT', onSigint);
  let first: 'bfs' | 'random' | null = null;
  let randomResult: RandomResult | undefined;
  let randomTrace: string | undefined;
  const started = performance.now();
  try {
    const rnd = checkRandomParallel(
      { model: model.name, params },
      { workers: workers - 1, threads: true, runs, maxSteps, timeLimitMs, seed, checks, kinds, swarm, deadlock: flag(args, 'deadlock'), signal: rndAbort.signal },
    ).then((r) => {
      randomResult = asRandomResult(r);
      if (randomResult.status === 'violation' && first === null) {
        first = 'random';
        randomTrace = writeRandomTrace(model, params, machine, randomResult, undefined, '-random');
        if (!json) {
          out(`first violation, found by random runs in ${dur(performance.now() - started)} (breadth-first search continues for the shortest):`);
          printRandom(out, model, params, machine, checks, randomResult, swarm, randomTrace);
        }
      }
    });
    const bfs = await exploreAsync(machine, { mode: 'bfs', maxDepth, maxStates, timeLimitMs, symmetry, deadlock: flag(args, 'deadlock'), checks, signal: bfsAbort.signal });
    if (bfs.status !== 'bounded' || bfs.bound?.kind === 'interrupted') rndAbort.abort();
    if (bfs.status === 'violation' && first === null) first = 'bfs';
    await rnd;
    let bfsTrace: string | undefined;
    if (bfs.status === 'violation' && bfs.violation) {
      bfsTrace = defaultTracePath(model, params, bfs.violation.name);
      writeFileAtomic(bfsTrace, `${JSON.stringify(toTraceFile(machine, model.name, params, { runner: 'bfs', ...(checks.length > 0 ? { checks } : {}) }, bfs.violation.trace, bfs.violation), null, 2)}\n`);
    }
    const rr = randomResult as RandomResult | undefined;
    if (json) {
      out(JSON.stringify({
        seed,
        model: model.name,
        params,
        mode: 'portfolio',
        workers,
        first,
        bfs: { status: bfs.status, bound: bfs.bound ?? null, states: bfs.stats.states, violation: bfs.violation ? { name: bfs.violation.name, steps: bfs.violation.trace.steps.length, traceFile: bfsTrace } : null },
        random: rr ? { status: rr.status, seed: rr.seed, path: rr.path, runs: rr.stats.runs, violation: rr.violation ? { name: rr.violation.name, steps: rr.violation.trace.steps.length, traceFile: randomTrace } : null } : null,
      }));
    } else {
      if (bfs.status === 'violation') out((first as 'bfs' | 'random' | null) === 'random' ? 'shortest violation, found by breadth-first search:' : 'violation found by breadth-first search (a shortest one):');
      else out('breadth-first search:');
      printVerdict(out, machine, bfs as CheckResult, { statesWord: `${num(bfs.stats.states)} ${bfs.status === 'exhausted' ? 'reachable' : 'distinct'} states`, detail: `diameter ${bfs.stats.diameter}` });
      out(`  states ${num(bfs.stats.states)} · transitions ${num(bfs.stats.transitions)} · ${dur(bfs.stats.elapsedMs)}`);
      if (bfsTrace) out(`  trace written to ${bfsTrace}`);
      if (rr && rr.status !== 'violation') out(`random runs: ${describeRandomResult(rr)}`);
    }
    return bfs.status === 'violation' || rr?.status === 'violation' ? 1 : bfs.bound?.kind === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
