/**
 * A small, strict argument parser: every flag is declared, unknown flags and missing values are
 * input errors with the valid choices.
 */
import { InputError } from '../../impl/core/machine.ts';

/** How a flag takes its value. */
export type FlagKind = 'bool' | 'string' | 'list';

/** The declared flags of a command. */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

/** Parsed arguments: positionals, and flag values by name (without the dashes). */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: ReadonlyMap<string, string | boolean | readonly string[]>;
}

/**
 * Thrown by {@link parseArgs} when `--help` or `-h` is given: the dispatcher prints the
 * command's help on stdout and exits 0.
 */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly command: string) {
    super(`help for ${command}`);
  }
}

/**
 * Parse `argv` against a flag spec. Accepts `--flag value` and `--flag=value`. Every command
 * also takes `--help` / `-h` ({@link HelpRequested}). A single-valued flag given twice is an
 * input error (the last value silently winning hides typos); `list` flags repeat.
 */
export function parseArgs(command: string, argv: readonly string[], spec: FlagSpec, aliases: Readonly<Record<string, string>> = {}): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | boolean | readonly string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--help' || arg === '-h') throw new HelpRequested(command);
    const eq = arg.indexOf('=');
    const rawName = arg.replace(/^--?/, '').slice(0, eq < 0 ? undefined : eq - (arg.startsWith('--') ? 2 : 1));
    const name = aliases[rawName] ?? rawName;
    const kind = spec[name];
    if (kind === undefined) {
      const valid = [...Object.keys(spec), 'help'].map((k) => `--${k}`).join(', ');
      throw new InputError(`unknown option '${arg}' for '${command}'; valid: ${valid}`);
    }
    if (kind !== 'list' && flags.has(name)) throw new InputError(`option --${name} is given twice; give it once`);
    if (kind === 'bool') {
      if (eq >= 0) throw new InputError(`option --${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new InputError(`option --${name} needs a value`);
      value = next;
      i++;
    }
    if (kind === 'list') flags.set(name, [...((flags.get(name) as readonly string[] | undefined) ?? []), value]);
    else flags.set(name, value);
  }
  return { positionals, flags };
}

/** A string flag's value. */
export function str(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** A list flag's values. */
export function list(a: ParsedArgs, name: string): readonly string[] {
  const v = a.flags.get(name);
  return Array.isArray(v) ? v : [];
}

/** A boolean flag. */
export function flag(a: ParsedArgs, name: string): boolean {
  return a.flags.get(name) === true;
}

/** A positive integer flag, or the default. */
export function posInt(a: ParsedArgs, name: string, def: number, min = 1): number {
  const v = str(a, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
    throw new InputError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  }
  return Number(v);
}

/** A positive number of seconds, as milliseconds, or the default. */
export function seconds(a: ParsedArgs, name: string, defMs: number): number {
  const v = str(a, name);
  if (v === undefined) return defMs;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0)) throw new InputError(`--${name} must be a positive number of seconds, got '${v}'`);
  return n * 1000;
}

/** One of a fixed set of values, or the default. */
export function choice<const V extends string>(a: ParsedArgs, name: string, values: readonly V[], def: V): V {
  const v = str(a, name);
  if (v === undefined) return def;
  if (!(values as readonly string[]).includes(v)) throw new InputError(`--${name} must be one of ${values.join(', ')}; got '${v}'`);
  return v as V;
}
