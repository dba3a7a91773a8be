/**
 * `dscheck shrink <trace.json> [--out file] [--time-limit S] [--json]`: minimise a failing trace
 * (delta debugging over its steps, then simpler action payloads) into a 1-minimal one, written
 * as a new trace file (default `<input>.min.json`). Exit 1 with the minimal trace written when
 * the trace still fails; 0, with no file written, when it no longer fails; 2 on a bad file, or
 * (with the minimal trace written) when the failure is an exception in the model's own code.
 */
import { InputError } from '../../impl/core/machine.ts';
import { explainError } from '../../impl/core/culprit.ts';
import { replayLoaded } from '../engine/replay.ts';
import { SHRINK_TIME_LIMIT_MS, shrinkActions } from '../engine/shrink.ts';
import { describeViolation, formatTrace, toTraceFile, type TraceOrigin } from '../../impl/core/trace.ts';
import { flag, parseArgs, seconds, str } from './args.ts';
import { assertWritable, dur, writeFileAtomic } from '../output.ts';
import { recordedText, replayVerdict, traceHeader } from './replay.ts';
import { loadTraceFile, withModule, type ModelSource } from './models.ts';

/** Flags of `dscheck shrink`. */
export const SHRINK_FLAGS = { out: 'string', json: 'bool', 'time-limit': 'string' } as const;

/** Where `dscheck shrink` writes by default: `x.json` → `x.min.json`. */
export function defaultShrinkPath(input: string): string {
  return input.endsWith('.json') ? `${input.slice(0, -'.json'.length)}.min.json` : `${input}.min.json`;
}

/** Run `dscheck shrink`. Returns the exit code. */
export async function shrinkCommand(argv: readonly string[], out: (line: string) => void, models: ModelSource): Promise<number> {
  const args = parseArgs('shrink', argv, SHRINK_FLAGS);
  const [file, ...extra] = args.positionals;
  if (file === undefined) throw new InputError('usage: dscheck shrink <trace.json> [--out file] [--time-limit S] [--json]');
  if (extra.length > 0) throw new InputError(`unexpected argument '${extra[0]}'`);
  const json = flag(args, 'json');
  const timeLimitMs = seconds(args, 'time-limit', SHRINK_TIME_LIMIT_MS);
  const target = str(args, 'out') ?? defaultShrinkPath(file);
  assertWritable(args.flags.has('out') ? '--out' : 'the default output (give --out to write elsewhere)', target);
  const loaded = await loadTraceFile(file, models);
  const replay = replayLoaded(loaded);
  const before = loaded.file.steps.length;
  const say = json ? () => {} : out;
  say(traceHeader('shrinking', loaded));
  if (replay.status === 'passes' || !replay.violation) {
    if (json) out(JSON.stringify({ file, status: 'passes', recorded: loaded.recorded, lengthBefore: before, lengthAfter: null, out: null }));
    else out(`${replayVerdict(loaded, replay)}: nothing to shrink, no file written`);
    return 0;
  }
  if (replay.status === 'different') say(`note: the trace now fails differently (recorded: ${recordedText(loaded.recorded)}); shrinking for ${describeViolation(replay.violation)}`);
  const r = shrinkActions(loaded.machine, loaded.initIndex, loaded.actions, replay.violation, {
    ...(loaded.checks ? { checks: loaded.checks } : {}),
    timeLimitMs,
  });
  if (r.status !== 'shrunk' || !r.violation) throw new Error('internal: the replayed violation did not reproduce in the shrinker');
  const violation = explainError(loaded.machine, r.violation, loaded.checks);
  const o = (loaded.file.origin ?? {}) as Partial<Record<string, unknown>>;
  const origin: TraceOrigin = {
    runner: 'shrink',
    source: typeof o['runner'] === 'string' ? o['runner'] : 'unknown',
    ...(typeof o['seed'] === 'number' ? { seed: o['seed'] } : {}),
    ...(typeof o['path'] === 'string' ? { path: o['path'] } : {}),
    ...(loaded.checks ? { checks: loaded.checks } : {}),
    lengthBefore: before,
    lengthAfter: r.lengthAfter,
  };
  writeFileAtomic(target, `${JSON.stringify(withModule(toTraceFile(loaded.machine, loaded.model.name, loaded.params, origin, r.trace, violation), loaded.model, target), null, 2)}\n`);
  if (json) {
    out(JSON.stringify({
      file,
      status: 'shrunk',
      violation: { kind: violation.kind, name: violation.name, message: violation.message, ...(violation.culprit ? { culprit: violation.culprit, at: violation.at ?? null } : {}), step: r.lengthAfter },
      lengthBefore: before,
      lengthAfter: r.lengthAfter,
      complete: r.complete,
      tests: r.tests,
      out: target,
    }));
  } else {
    out(`✗ shrunk ${before} → ${r.lengthAfter} steps: ${describeViolation(violation)}`);
    out(formatTrace(loaded.machine, r.trace, violation));
    out(r.complete
      ? `  1-minimal: removing any one step makes the violation go away · ${r.tests} traces tried · ${dur(r.elapsedMs)}`
      : `  the time limit (${dur(timeLimitMs)}) cut shrinking: smaller, but not proved 1-minimal · ${r.tests} traces tried`);
    out(`  minimal trace written to ${target}`);
  }
  if (violation.kind === 'error') {
    process.stderr.write(`dscheck: error in the model: ${describeViolation(violation)} (minimal trace: ${target})\n`);
    return 2;
  }
  return 1;
}
