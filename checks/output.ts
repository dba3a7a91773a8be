/**
 * What the CLI writes: report files written atomically (no partial file is ever left behind),
 * and number formatting.
 */
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { InputError } from '../impl/core/machine.ts';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where runs write by default: the repository's `reports/` folder, or, when dscheck is an
 * installed package (under `node_modules/`), `reports/` in the working folder.
 */
export const REPORTS_DIR = /[\\/]node_modules[\\/]/.test(PACKAGE_ROOT) ? resolve(process.cwd(), 'reports') : resolve(PACKAGE_ROOT, 'reports');

/** Write a file atomically: to a temporary name in the same folder, then rename. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Check, before any long work, that `dir` is an existing, writable folder for spill files. */
export function assertSpillDir(dir: string): void {
  const st = statOf(resolve(dir));
  if (st === undefined) throw new InputError(`--spill-dir ${dir} does not exist`);
  if (!st.isDirectory()) throw new InputError(`--spill-dir ${dir} is not a directory`);
  try {
    accessSync(resolve(dir), constants.W_OK | constants.X_OK);
  } catch {
    throw new InputError(`--spill-dir ${dir} is not writable`);
  }
}

/**
 * Check, before any long work, that {@link writeFileAtomic} can write `path`: it is not a
 * directory, and its nearest existing ancestor is a writable directory (missing folders are
 * created at write time). Creates nothing. Throws an {@link InputError} naming the option
 * (`what`, e.g. `--out`) otherwise.
 */
export function assertWritable(what: string, path: string): void {
  const target = resolve(path);
  const st = statOf(target);
  if (st?.isDirectory()) throw new InputError(`${what} ${path} is a directory; give a file name`);
  let dir = dirname(target);
  for (;;) {
    const d = statOf(dir);
    if (d !== undefined) {
      if (!d.isDirectory()) throw new InputError(`${what} ${path} cannot be written: ${dir} is not a directory`);
      try {
        accessSync(dir, constants.W_OK | constants.X_OK);
      } catch {
        throw new InputError(`${what} ${path} cannot be written: the folder ${dir} is not writable`);
      }
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (st !== undefined) {
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new InputError(`${what} ${path} exists and is not writable`);
    }
  }
}

function statOf(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // ENOTDIR: an ancestor is a file; the walk up the ancestors reports that one.
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InputError(`cannot inspect ${p}${code ? ` (${code})` : ''}`);
  }
}

/** 1234567 → "1,234,567". */
export function num(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds as "850 ms" or "12.3 s". */
export function dur(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A file-name-safe slug. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}
