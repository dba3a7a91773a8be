/**
 * Where the CLI gets its models: a catalogue of lazily loaded, registered models, or the user's
 * own TypeScript module named on the command line.
 *
 * A model reference is either a catalogue name (`raft`) or a module path (`./my-protocol.ts`,
 * optionally `./my-protocol.ts#name` to pick one of several models it exports). A reference is
 * a path when it contains a `/` or `\`, or ends in `.ts`, `.mts`, `.cts`, `.js`, `.mjs` or
 * `.cjs`.
 *
 * Every load is isolated: a module that throws while loading (a syntax error, a failing top-level
 * statement) becomes a one-line {@link InputError} for that model alone, so the other models,
 * and `dscheck list`, keep working.
 *
 * A model loaded from a module remembers its file ({@link moduleOf}); trace files written for it
 * record the module ({@link withModule}), so `replay`, `shrink` and `report` find it again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError, type AnyModel, type Catalogue, type CatalogueEntry } from '../../impl/core/machine.ts';
import type { TraceFile, TraceModule } from '../../impl/core/trace.ts';
import { parseTraceFile, readTraceFile, type LoadedTrace } from '../engine/replay.ts';

export type { Catalogue, CatalogueEntry } from '../../impl/core/machine.ts';

/** The result of loading one model: the model, or a one-line reason it could not be loaded. */
export type LoadOutcome =
  | { readonly ok: true; readonly name: string; readonly model: AnyModel }
  | { readonly ok: false; readonly name: string; readonly error: string };

const MAX_ERROR = 400;
const MODULE_EXT = /\.(?:[mc]?ts|[mc]?js)$/;

/** Whether a model reference names a module file rather than a catalogue entry. */
export function isModuleRef(ref: string): boolean {
  const path = splitRef(ref).path;
  return path.includes('/') || path.includes('\\') || MODULE_EXT.test(path);
}

function splitRef(ref: string): { readonly path: string; readonly pick?: string } {
  const hash = ref.lastIndexOf('#');
  if (hash <= 0) return { path: ref };
  return { path: ref.slice(0, hash), pick: ref.slice(hash + 1) };
}

/** A thrown value as one line: `SyntaxError: Unexpected token (file.ts:3:7)`. */
export function oneLineError(e: unknown): string {
  if (e instanceof InputError) return e.message.replace(/\s*\n\s*/g, ' ');
  const err = e instanceof Error ? e : new Error(String(e));
  // eslint-disable-next-line no-control-regex
  let text = err.message.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s*\n\s*/g, ' ').trim();
  if (text.length > MAX_ERROR) text = `${text.slice(0, MAX_ERROR - 1)}…`;
  // The first stack frame with a file location, when the message has none.
  const frame = /\(?((?:file:\/\/)?[^\s()]+:\d+:\d+)\)?/.exec((err.stack ?? '').split('\n').slice(1).join('\n'));
  const where = frame && !/:\d+:\d+/.test(text) ? ` (at ${frame[1]!.replace(/^file:\/\//, '')})` : '';
  return `${err.name === 'Error' ? '' : `${err.name}: `}${text}${where}`;
}

/** Whether a value has the shape of a {@link AnyModel} (what `defineModel` returns). */
export function isModel(v: unknown): v is AnyModel {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return typeof m['name'] === 'string' && typeof m['doc'] === 'string' && typeof m['build'] === 'function' && typeof m['params'] === 'object' && m['params'] !== null && typeof m['bugs'] === 'object' && m['bugs'] !== null;
}

const modules = new WeakMap<AnyModel, string>();

/** The absolute path of the module a model was loaded from by path, if it was. */
export function moduleOf(model: AnyModel): string | undefined {
  return modules.get(model);
}

/**
 * The models a module file exports (every named export, and the default export, that is a
 * model), in the order of their export names. A file that cannot be loaded is an
 * {@link InputError} with one line.
 */
export async function loadModuleModels(path: string): Promise<readonly AnyModel[]> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new InputError(`cannot load ${path}: no such file`);
  let ns: Record<string, unknown>;
  try {
    ns = await importModule(abs);
  } catch (e) {
    throw new InputError(`cannot load ${path}: ${syntaxError(abs) ?? oneLineError(e)}`);
  }
  const found: AnyModel[] = [];
  for (const key of Object.keys(ns).sort()) {
    const v = ns[key];
    if (isModel(v) && !found.includes(v)) found.push(v);
  }
  if (found.length === 0) throw new InputError(`${path} exports no model (export one made with defineModel from 'dscheck')`);
  for (const m of found) modules.set(m, abs);
  return found;
}

/**
 * Import a module file. A TypeScript file with `import` syntax in a CommonJS package (what
 * `npm init -y` makes) cannot be imported directly under tsx ("Cannot require() ES Module … in a
 * cycle"); it is then loaded with tsx's `tsImport`, which handles it.
 */
async function importModule(abs: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_REQUIRE_CYCLE_MODULE') throw e;
    const { tsImport } = (await import('tsx/esm/api')) as { tsImport(specifier: string, parent: string): Promise<unknown> };
    return (await tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>;
  }
}

/** The part of esbuild's API used to find syntax errors. */
interface Transformer {
  transformSync(code: string, options: { readonly loader: 'ts' | 'js'; readonly sourcefile: string; readonly format: 'esm' }): unknown;
}

/**
 * The syntax error of a module that failed to load, if that is why (one line, with file:line),
 * found by transforming its source with the esbuild that tsx runs on. Nothing is executed. Where
 * the loader's own error is unhelpful (a CommonJS package reports a TypeScript syntax error as
 * "Cannot require() ES Module … in a cycle") this gives the real reason.
 */
function syntaxError(abs: string): string | undefined {
  let esbuild: Transformer;
  try {
    const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx'));
    esbuild = fromTsx('esbuild') as Transformer;
  } catch {
    return undefined;
  }
  try {
    esbuild.transformSync(readFileSync(abs, 'utf8'), { loader: /\.[mc]?ts$/.test(abs) ? 'ts' : 'js', sourcefile: abs, format: 'esm' });
    return undefined;
  } catch (e) {
    return oneLineError(e);
  }
}

async function loadEntry(entry: CatalogueEntry): Promise<AnyModel> {
  let model: AnyModel;
  try {
    model = await entry.load();
  } catch (e) {
    throw new InputError(`model ${entry.name} failed to load: ${oneLineError(e)}`);
  }
  if (!isModel(model)) throw new InputError(`model ${entry.name} failed to load: its module did not give a model`);
  if (model.name !== entry.name) throw new InputError(`model ${entry.name} failed to load: its module gave model '${model.name}'`);
  return model;
}

/**
 * The models the CLI can use: a catalogue, plus module files named by path. Nothing is loaded
 * until a command asks for it.
 */
export class ModelSource {
  /** @param catalogue the registered models (the CLI passes `specs/models/catalogue.ts`'s). */
  constructor(readonly catalogue: Catalogue) {}

  /** The registered names, without loading anything. */
  names(): readonly string[] {
    return this.catalogue.map((e) => e.name);
  }

  /**
   * Resolve one model reference: a catalogue name, a module path, or `path#name`. A module
   * exporting several models needs `#name`. Every failure is a one-line {@link InputError}.
   */
  async resolve(ref: string): Promise<AnyModel> {
    if (isModuleRef(ref)) {
      const { path, pick } = splitRef(ref);
      const models = await loadModuleModels(path);
      if (pick !== undefined) {
        const m = models.find((x) => x.name === pick);
        if (!m) throw new InputError(`${path} exports no model named '${pick}'; it exports: ${models.map((x) => x.name).join(', ')}`);
        return m;
      }
      if (models.length > 1) throw new InputError(`${path} exports ${models.length} models (${models.map((x) => x.name).join(', ')}); pick one with ${path}#NAME`);
      return models[0]!;
    }
    const entry = this.catalogue.find((e) => e.name === ref);
    if (!entry) throw new InputError(`unknown model '${ref}'; valid: ${this.names().join(', ')} (or a path to your own module, e.g. ./my-protocol.ts)`);
    return loadEntry(entry);
  }

  /**
   * Every model of the catalogue (or of one module, given its path), each loaded in isolation:
   * a broken one is an outcome with its one-line error, the rest load.
   */
  async list(ref?: string): Promise<readonly LoadOutcome[]> {
    if (ref !== undefined) {
      if (!isModuleRef(ref)) return [await this.outcome(ref, () => this.resolve(ref))];
      const { path, pick } = splitRef(ref);
      const models = await loadModuleModels(path);
      const picked = pick === undefined ? models : models.filter((m) => m.name === pick);
      if (picked.length === 0) throw new InputError(`${path} exports no model named '${pick}'; it exports: ${models.map((x) => x.name).join(', ')}`);
      return picked.map((model) => ({ ok: true, name: model.name, model }));
    }
    return Promise.all(this.catalogue.map((e) => this.outcome(e.name, () => loadEntry(e))));
  }

  private async outcome(name: string, load: () => Promise<AnyModel>): Promise<LoadOutcome> {
    try {
      return { ok: true, name, model: await load() };
    } catch (e) {
      return { ok: false, name, error: oneLineError(e) };
    }
  }

  /**
   * The model a trace file was written for: from the module it records (relative to the trace
   * file first, then the absolute path), else from the catalogue by name.
   */
  async forTrace(model: string, module: TraceModule | undefined, tracePath: string): Promise<AnyModel> {
    if (module === undefined) return this.resolve(model);
    const candidates = [resolve(dirname(tracePath), module.path), module.absolute];
    const file = candidates.find((c) => c !== undefined && existsSync(c));
    if (file === undefined) throw new InputError(`the trace was written for model ${model} of module ${module.path} (${module.absolute}), which is not there any more`);
    const models = await loadModuleModels(file);
    const m = models.find((x) => x.name === model);
    if (!m) throw new InputError(`${file} no longer exports a model named '${model}'; it exports: ${models.map((x) => x.name).join(', ')}`);
    return m;
  }

  /**
   * Peek at a trace file's `model` and `module` and load that model. Returns the error (one
   * line) instead of throwing, so the caller can first report what is wrong with the file itself.
   */
  async forTraceFile(tracePath: string): Promise<{ readonly model?: AnyModel; readonly error?: InputError }> {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(tracePath, 'utf8'));
    } catch {
      return {};
    }
    if (typeof json !== 'object' || json === null) return {};
    const { model, module } = json as Partial<Record<string, unknown>>;
    if (typeof model !== 'string') return {};
    const mod = isTraceModule(module) ? module : undefined;
    try {
      return { model: await this.forTrace(model, mod, tracePath) };
    } catch (e) {
      return { error: e instanceof InputError ? e : new InputError(oneLineError(e)) };
    }
  }
}

function isTraceModule(v: unknown): v is TraceModule {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['path'] === 'string' && typeof r['absolute'] === 'string';
}

/**
 * How to name a model on the command line: its catalogue name, or `./path/to/module.ts#name`
 * (relative to the working folder) for a model loaded from a module.
 */
export function modelRef(model: AnyModel): string {
  const abs = moduleOf(model);
  if (abs === undefined) return model.name;
  const rel = relative(process.cwd(), abs);
  const shown = isAbsolute(rel) || rel.startsWith('..') ? rel : `./${rel}`;
  return `${shown.split(sep).join('/')}#${model.name}`;
}

/**
 * A trace file for `model`, written to `target`, with the module the model came from (when it
 * was loaded by path): relative to the trace file's folder, and absolute.
 */
export function withModule(file: TraceFile, model: AnyModel, target: string): TraceFile {
  const abs = moduleOf(model);
  if (abs === undefined) return file;
  let rel = relative(dirname(resolve(target)), abs);
  if (!isAbsolute(rel)) rel = rel.split(sep).join('/');
  return { ...file, module: { path: rel, absolute: abs } };
}

/**
 * A lookup for `parseTraceFile` from a {@link ModelSource.forTraceFile} result: the model it
 * loaded, or the error it met.
 */
export function traceLookup(found: { readonly model?: AnyModel; readonly error?: InputError }, source: ModelSource): (name: string) => AnyModel {
  return (name) => {
    if (found.model && found.model.name === name) return found.model;
    if (found.error) throw found.error;
    throw new InputError(`unknown model '${name}'; valid: ${source.names().join(', ')}`);
  };
}

/**
 * Read and validate a trace file ({@link readTraceFile}) with its model: the module it records,
 * or the catalogue entry it names.
 */
export async function loadTraceFile(path: string, source: ModelSource): Promise<LoadedTrace> {
  return readTraceFile(path, traceLookup(await source.forTraceFile(path), source));
}

/** {@link parseTraceFile} of a trace file's text, with its model found as {@link loadTraceFile} does. */
export async function parseTraceFileWith(text: string, path: string, source: ModelSource): Promise<LoadedTrace> {
  return parseTraceFile(text, path, traceLookup(await source.forTraceFile(path), source));
}
