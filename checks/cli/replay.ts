/**
 * `dscheck replay <trace.json> [--json]`: re-execute a counterexample trace file against the
 * current model and say whether the same check still breaks, and at which step. Exit 1 when a
 * violation occurs (the recorded one, or another), 0 when the trace no longer fails, 2 when the
 * file is unreadable or invalid (one line), or when the model's own code throws (an error of
 * the model, named with its file and line).
 */
import { match } from 'ts-pattern';
import { InputError } from '../../impl/core/machine.ts';
import { describeOrigin, replayLoaded, type LoadedTrace, type RecordedViolation, type ReplayResult } from '../engine/replay.ts';
import { describeViolation, formatTrace, type TraceOrigin } from '../../impl/core/trace.ts';
import { flag, parseArgs } from './args.ts';
import { paramText } from './check.ts';
import { loadTraceFile, type ModelSource } from './models.ts';

/** Flags of `dscheck replay`. */
export const REPLAY_FLAGS = { json: 'bool' } as const;

/** "invariant tc-consistent at step 7". */
export function recordedText(r: RecordedViolation | null): string {
  if (!r) return 'no violation recorded';
  return `${r.kind === 'property' ? 'transition property' : r.kind} ${r.name} at step ${r.step}`;
}

/** The header line of a loaded trace file. */
export function traceHeader(verb: string, t: LoadedTrace): string {
  const origin = describeOrigin(t.file.origin as TraceOrigin | undefined);
  return `${verb} ${t.source}: ${t.model.name} (${paramText(t.params)}) · ${t.file.steps.length} steps · recorded: ${recordedText(t.recorded)} · origin: ${origin}`;
}

/** The verdict line of a replay. */
export function replayVerdict(t: LoadedTrace, r: ReplayResult): string {
  const v = r.violation;
  return match(r.status)
    .with('passes', () => `✓ no longer fails: all ${t.actions.length} steps replay and every check holds (recorded: ${recordedText(t.recorded)})`)
    .with('reproduced', () => `✗ still fails: ${describeViolation(v!)} at step ${r.step}${r.step === t.recorded?.step ? ', as recorded' : ` (recorded at step ${t.recorded?.step})`}`)
    .with('different', () => `✗ fails differently: ${describeViolation(v!)} at step ${r.step} (recorded: ${recordedText(t.recorded)})`)
    .exhaustive();
}

/** Run `dscheck replay`. Returns the exit code. */
export async function replayCommand(argv: readonly string[], out: (line: string) => void, models: ModelSource): Promise<number> {
  const args = parseArgs('replay', argv, REPLAY_FLAGS);
  const [file, ...extra] = args.positionals;
  if (file === undefined) throw new InputError('usage: dscheck replay <trace.json> [--json]');
  if (extra.length > 0) throw new InputError(`unexpected argument '${extra[0]}'`);
  const loaded = await loadTraceFile(file, models);
  const result = replayLoaded(loaded);
  if (flag(args, 'json')) {
    const v = result.violation;
    out(JSON.stringify({
      file,
      model: loaded.model.name,
      params: loaded.params,
      origin: loaded.file.origin ?? null,
      steps: loaded.file.steps.length,
      recorded: loaded.recorded,
      status: result.status,
      violation: v ? { kind: v.kind, name: v.name, message: v.message, ...(v.kind === 'error' ? { culprit: v.culprit ?? v.name, at: v.at ?? null } : {}), step: result.step } : null,
    }));
  } else {
    out(traceHeader('replaying', loaded));
    out(replayVerdict(loaded, result));
    const v = result.violation;
    out(formatTrace(loaded.machine, v ? v.trace : result.trace, v));
  }
  if (result.violation?.kind === 'error') {
    // An exception in the model's own code is an error of the model, not a counterexample.
    process.stderr.write(`dscheck: error in the model: ${describeViolation(result.violation)} (step ${result.step})\n`);
    return 2;
  }
  return result.status === 'passes' ? 0 : 1;
}
