/**
 * Known-bug variant runs (`dscheck check MODEL -p bug=NAME`): where the run's parameters came
 * from, whether the run found the variant's bug, and the lines that say so.
 */
import { bugSpec, variantConfig, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import type { CheckResult } from '../../impl/core/result.ts';
import { RANDOM_DEFAULTS } from '../random/types.ts';

/**
 * A run of a declared known-bug variant: the variant, the checks it declares it breaks, the
 * parameters that came from its configuration, and whether this run found it.
 */
export interface KnownBugOutcome {
  readonly name: string;
  /** The checks the variant declares it breaks (`BugSpec.breaks`). */
  readonly expected: readonly string[];
  /** True when the run broke one of `expected`. */
  readonly found: boolean;
  /** The check this run broke, when it broke one (expected or not). */
  readonly broke?: string;
  /** The variant's own configuration (`BugSpec.config`, or in random mode `BugSpec.random.config` when it has one). */
  readonly config: Readonly<Record<string, ParamValue>>;
  /** The parameters whose value came from that configuration (the rest were defaults or `-p`). */
  readonly fromVariant: readonly string[];
  /** The configuration values this run overrode with `-p`, as `k=v` (this run's value). */
  readonly overridden: readonly string[];
}

/** The variant a run selected with `-p bug=NAME`, before the run (`found` is filled in after). */
export interface VariantRun {
  readonly name: string;
  readonly expected: readonly string[];
  readonly config: Readonly<Record<string, ParamValue>>;
  readonly fromVariant: readonly string[];
  readonly overridden: readonly string[];
}

/** The variant selected by `params.bug`, if any, with where its parameters came from. */
export function variantRun(model: AnyModel, params: Readonly<Record<string, ParamValue>>, fromVariant: readonly string[], mode: 'exhaustive' | 'random' = 'exhaustive'): VariantRun | undefined {
  const bug = params.bug;
  const spec = bugSpec(model, bug);
  if (spec === undefined || typeof bug !== 'string') return undefined;
  const config = variantConfig(model, bug, mode);
  const overridden = Object.keys(config).filter((k) => !fromVariant.includes(k) && params[k] !== config[k]).map((k) => `${k}=${String(params[k])}`);
  return { name: bug, expected: spec.breaks, config, fromVariant, overridden };
}

/** The header line of a variant run: what it breaks and which parameters its configuration set. */
export function variantHeader(v: VariantRun): string {
  const from = v.fromVariant.map((k) => `${k}=${String(v.config[k])}`);
  return `known-bug variant ${v.name} (breaks ${v.expected.join(', ')})${from.length > 0 ? ` · from its configuration: ${from.join(', ')}` : ''}${v.overridden.length > 0 ? ` · overridden by --param: ${v.overridden.join(', ')}` : ''}`;
}

/** Did the run find the variant's bug? */
export function knownBugOutcome(v: VariantRun, result: CheckResult): KnownBugOutcome {
  const broke = result.status === 'violation' ? result.violation?.name : undefined;
  return { ...v, found: broke !== undefined && v.expected.includes(broke), ...(broke !== undefined ? { broke } : {}) };
}

/**
 * The line that closes the output of a variant run: found, or, plainly, not found and what
 * may have hidden it.
 */
export function knownBugLine(k: KnownBugOutcome, checks: readonly string[]): string {
  if (k.found) return `known bug ${k.name} found: ${k.broke} broken, as the variant declares`;
  const why: string[] = [];
  if (checks.length > 0 && !k.expected.some((c) => checks.includes(c))) why.push(`--invariant left out every check it breaks`);
  if (k.overridden.length > 0) why.push(`this run overrode its configuration (${k.overridden.join(', ')}; the variant's: ${configText(k.config)})`);
  return `⚠ KNOWN BUG NOT FOUND: variant ${k.name} breaks ${k.expected.join(' or ')}, and this run ${k.broke !== undefined ? `broke none of them (it broke ${k.broke} first)` : 'broke none of them'}${why.length > 0 ? `; ${why.join('; ')}` : ''}. This is not evidence that the variant is correct.`;
}

/** A variant's parameter values as `k=v, …` ("the defaults" when it sets none). */
export function configText(config: Readonly<Record<string, ParamValue>>): string {
  const kv = Object.entries(config);
  return kv.length > 0 ? kv.map(([k, v]) => `${k}=${String(v)}`).join(', ') : 'the defaults';
}

/** Random mode's default runs and steps per run. */
export interface RandomBudget {
  readonly runs: number;
  readonly maxSteps: number;
}

/** Random mode's defaults for a run of the variant `bug` selects (its `random` bounds), or the plain defaults. */
export function randomBudget(model: AnyModel, bug: ParamValue | undefined): RandomBudget {
  const r = bugSpec(model, bug)?.random;
  return { runs: r?.runs ?? RANDOM_DEFAULTS.runs, maxSteps: r?.steps ?? RANDOM_DEFAULTS.maxSteps };
}
