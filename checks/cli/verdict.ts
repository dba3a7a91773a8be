/**
 * What every `dscheck check` runner prints and names the same way (the exhaustive and random
 * branches of `check.ts`, and the parallel random and portfolio runs of `parallel.ts`): the
 * parameter text, the default trace path, the verdict lines, and the `--seed` argument.
 */
import { join } from 'node:path';
import { InputError, type AnyMachine, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import { notReachedText, suspectWitnesses, type CheckResult } from '../../impl/core/result.ts';
import { describeViolation, formatTrace } from '../../impl/core/trace.ts';
import { formatDiagram } from '../diagram.ts';
import { REPORTS_DIR, dur, num, slug } from '../output.ts';
import { str, type ParsedArgs } from './args.ts';

/** `k=v, k=v` for headers and file names. */
export function paramText(params: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** Where a counterexample of this run is written by default: named by the parameters that differ from their defaults. */
export function defaultTracePath(model: AnyModel, params: Readonly<Record<string, ParamValue>>, check: string): string {
  const p = Object.entries(params)
    .filter(([k, v]) => model.params[k]?.default !== v)
    .map(([k, v]) => `${k}${String(v)}`)
    .join('-');
  return join(REPORTS_DIR, 'traces', `${slug(model.name)}${p ? `-${slug(p)}` : ''}-${slug(check)}.json`);
}

/**
 * Print the verdict lines common to every runner. `what.bounded`, when given, replaces the
 * sentence of a `bounded` result (the random runner says "no violation in N runs of up to M
 * steps (seed S)").
 */
export function printVerdict(
  out: (line: string) => void,
  m: AnyMachine,
  result: CheckResult,
  what: { readonly statesWord: string; readonly detail: string; readonly bounded?: string },
): void {
  const v = result.violation;
  if (result.status === 'violation' && v) {
    const after = `after ${v.trace.steps.length} step${v.trace.steps.length === 1 ? '' : 's'}`;
    if (v.kind === 'error') out(`✗ error in the model ${after}: ${describeViolation(v)}`);
    else out(`✗ violation of ${v.kind === 'deadlock' ? 'deadlock freedom' : v.name} ${after}:`);
    out(formatTrace(m, v.trace, v));
    if (m.nodes && m.events && v.trace.steps.length > 0) {
      out('');
      out('message-sequence diagram:');
      out(formatDiagram(m, v.trace));
    }
  } else if (result.status === 'exhausted') {
    out(`✓ holds: every check holds on all ${what.statesWord} (${what.detail})`);
  } else if (what.bounded !== undefined) {
    out(`■ ${what.bounded}`);
  } else {
    const b = result.bound!;
    if (b.kind === 'interrupted') out(`■ interrupted: no violation in the ${what.statesWord} explored; nothing was proved beyond them`);
    else out(`■ no violation within bounds: the ${b.kind} bound (${b.kind === 'time' ? dur(b.limit) : num(b.limit)}) cut the search after ${what.statesWord} (${what.detail})`);
  }
  for (const w of result.witnesses) {
    if (w.reached) out(`  sometimes ${w.name}: reached${w.depth !== undefined ? ` at depth ${w.depth}` : ''}`);
    else out(`  sometimes ${w.name}: ${notReachedText(w, result.status)}`);
  }
  const suspect = suspectWitnesses(result);
  if (suspect.length > 0) out(`⚠ ${suspect.length === 1 ? 'a witness was' : `${suspect.length} witnesses were`} not reached although the run explored every reachable state and ${suspect.length === 1 ? 'its' : 'their'} needs are met: the checks held, but the model may not do what it should (${suspect.map((w) => w.name).join(', ')})`);
}

/** Parse `--seed`: an integer (fast-check takes any 32-bit integer). */
export function seedArg(args: ParsedArgs): number | undefined {
  const v = str(args, 'seed');
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Math.abs(Number(v)) > 0x7fffffff) {
    throw new InputError(`--seed must be a 32-bit integer, got '${v}'`);
  }
  return Number(v);
}
