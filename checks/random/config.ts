/**
 * Configurations from the seed, for registered models: the {@link ConfigDraw} of a model (its
 * declared draw ranges, less the parameters the user pinned), and the random check of a model
 * that uses it. This is random mode's default in the CLI; `--fixed-config` turns it off.
 *
 * ```ts
 * const r = checkModelRandom(raftModel, { bug: 'figure8' }, { seed: 7, runs: 2000 });
 * r.config; // the failing run's whole configuration: build its machine with raftModel.build
 * ```
 */
import { resolveParams, type AnyMachine, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import { checkRandom, checkRandomAsync } from './check.ts';
import type { ConfigDraw, DrawAxis, RandomOptions, RandomResult } from './types.ts';

/**
 * The draw of a model with some parameters pinned: every parameter with a declared range that is
 * not pinned (and is not `bug`) is drawn, in name order. Undefined when nothing is left to draw.
 */
export function modelDraw(model: AnyModel, pinned: Readonly<Record<string, ParamValue>> = {}): ConfigDraw | undefined {
  const base = resolveParams(model, pinned);
  const axes: DrawAxis[] = Object.entries(model.draw ?? {})
    .filter(([name]) => name !== 'bug' && !(name in pinned))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, values]) => ({ name, values }));
  if (axes.length === 0) return undefined;
  const defaults: Record<string, ParamValue> = {};
  for (const a of axes) {
    defaults[a.name] = base[a.name]!;
    delete base[a.name];
  }
  return {
    axes,
    base,
    defaults,
    build: (params) => model.build(resolveParams(model, params)),
  };
}

/** The machine and draw of a model's random check: the base machine, and the draw unless `fixed`. */
export function randomSetup(
  model: AnyModel,
  pinned: Readonly<Record<string, ParamValue>> = {},
  fixed = false,
): { readonly machine: AnyMachine; readonly params: Record<string, ParamValue>; readonly draw?: ConfigDraw } {
  const params = resolveParams(model, pinned);
  const draw = fixed ? undefined : modelDraw(model, pinned);
  return { machine: model.build(params), params, ...(draw ? { draw } : {}) };
}

/**
 * Random mode on a registered model, drawing each run's configuration from the seed (unless
 * `opts.fixedConfig`); `pinned` parameters are never drawn. A seed and path with the same pinned
 * parameters replay the failing run, configuration included.
 */
export function checkModelRandom(
  model: AnyModel,
  pinned: Readonly<Record<string, ParamValue>> = {},
  opts: RandomOptions & { readonly fixedConfig?: boolean } = {},
): RandomResult {
  const { fixedConfig, ...rest } = opts;
  const s = randomSetup(model, pinned, fixedConfig ?? false);
  return checkRandom(s.machine, { ...rest, ...(s.draw ? { draw: s.draw } : {}) });
}

/** {@link checkModelRandom}, yielding to the event loop (see `checkRandomAsync`). */
export async function checkModelRandomAsync(
  model: AnyModel,
  pinned: Readonly<Record<string, ParamValue>> = {},
  opts: RandomOptions & { readonly fixedConfig?: boolean } = {},
): Promise<RandomResult> {
  const { fixedConfig, ...rest } = opts;
  const s = randomSetup(model, pinned, fixedConfig ?? false);
  return checkRandomAsync(s.machine, { ...rest, ...(s.draw ? { draw: s.draw } : {}) });
}

/** The machine a random result's trace belongs to: the failing run's configuration, or `params`. */
export function resultParams(r: RandomResult, params: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  return { ...params, ...(r.config ?? {}) };
}
