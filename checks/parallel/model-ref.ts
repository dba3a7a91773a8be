/**
 * How a worker thread finds the machine to explore: machines hold functions, so they cannot be
 * sent to a thread; a {@link ModelRef} names the model instead (a registered name, or a module
 * path and export for a user's own model) together with its parameters, and every thread builds
 * its own copy.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError, instantiate, type AnyMachine, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
// The one import of the catalogue in checks/parallel/.
import { loadModel as loadRegistered } from '../../specs/models/catalogue.ts';

/** A model that every thread can load: by registry name, or by module path and export name. */
export interface ModelRef {
  /** A registered model's name, or (with `module`) the name of the export holding the model. */
  readonly model: string;
  /** A module path (absolute, or relative to the current directory) exporting `model`. */
  readonly module?: string;
  /** Parameter overrides; validated against the model's schema, defaults filled in. */
  readonly params?: Readonly<Record<string, ParamValue>>;
}

/** Load the model a reference names. Throws {@link InputError} when it does not exist. */
export async function loadModel(ref: ModelRef): Promise<AnyModel> {
  if (ref.module === undefined) {
    try {
      return await loadRegistered(ref.model);
    } catch (e) {
      throw new InputError(e instanceof Error ? e.message.split('\n')[0]! : String(e));
    }
  }
  const path = isAbsolute(ref.module) ? ref.module : resolve(process.cwd(), ref.module);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    throw new InputError(`cannot load model module ${ref.module}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const isModel = (x: unknown): x is AnyModel => typeof x === 'object' && x !== null && typeof (x as AnyModel).build === 'function';
  // By export name, or by the model's own name (the CLI knows the latter).
  const m = isModel(mod[ref.model]) ? mod[ref.model] : Object.values(mod).find((x) => isModel(x) && x.name === ref.model);
  if (!isModel(m)) {
    throw new InputError(`module ${ref.module} has no model export '${ref.model}'`);
  }
  return m as AnyModel;
}

/** Load and instantiate the machine a reference names. */
export async function loadMachine(ref: ModelRef): Promise<{ readonly model: AnyModel; readonly params: Record<string, ParamValue>; readonly machine: AnyMachine }> {
  const model = await loadModel(ref);
  const { params, machine } = instantiate(model, ref.params ?? {});
  return { model, params, machine };
}
