/**
 * The conformance corpus: real histories with known verdicts (Porcupine's etcd and kv logs,
 * Knossos's cas-register and multi-register histories), kept outside the repository in
 * `../shared/corpus` (override with the `DSCHECK_CORPUS` environment variable). Each family's
 * `MANIFEST.json` lists its files with the expected verdict and model.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../impl/core/machine.ts';
import { parseHistory, type HistoryFormat } from './load.ts';
import { checkHistory, type HistoryCheckOptions, type HistoryCheckResult } from '../../impl/core/history/search.ts';
import type { HistoryModelName } from './models.ts';

/** The corpus root: `$DSCHECK_CORPUS`, or `../shared/corpus` next to the repository. */
export function corpusRoot(): string {
  const env = process.env['DSCHECK_CORPUS'];
  return env !== undefined && env !== '' ? resolve(env) : fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
}

/** The corpus families (subfolders with a MANIFEST.json). */
export const CORPUS_FAMILIES = ['porcupine', 'knossos'] as const;

/** One corpus file with its expected verdict. */
export interface CorpusEntry {
  /** `porcupine` or `knossos`. */
  readonly family: (typeof CORPUS_FAMILIES)[number];
  /** Path relative to the family folder. */
  readonly file: string;
  /** The manifest's model name. */
  readonly manifestModel: string;
  /** The format and model dscheck reads it with. */
  readonly format: HistoryFormat;
  readonly model: HistoryModelName;
  readonly expected: 'linearizable' | 'not-linearizable';
}

const MODEL_MAP: Readonly<Record<string, { format: HistoryFormat; model: HistoryModelName }>> = {
  'etcd-cas-register': { format: 'etcd', model: 'cas-register' },
  'kv-get-put-append': { format: 'kv', model: 'kv' },
  'cas-register': { format: 'edn', model: 'cas-register' },
  'multi-register': { format: 'edn', model: 'multi-register' },
};

/** Read both manifests. Throws {@link InputError} when the corpus is missing or malformed. */
export async function loadCorpus(root = corpusRoot()): Promise<CorpusEntry[]> {
  const out: CorpusEntry[] = [];
  for (const family of CORPUS_FAMILIES) {
    const path = join(root, family, 'MANIFEST.json');
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new InputError(`cannot read corpus manifest ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!Array.isArray(raw)) throw new InputError(`${path}: expected an array`);
    for (const e of raw as unknown[]) {
      const r = e as { file?: unknown; model?: unknown; expected?: unknown };
      const m = typeof r.model === 'string' ? MODEL_MAP[r.model] : undefined;
      if (typeof r.file !== 'string' || m === undefined || (r.expected !== 'linearizable' && r.expected !== 'not-linearizable')) {
        throw new InputError(`${path}: malformed entry ${JSON.stringify(e).slice(0, 80)}`);
      }
      out.push({ family, file: r.file, manifestModel: r.model as string, format: m.format, model: m.model, expected: r.expected });
    }
  }
  return out;
}

/** The outcome of checking one corpus file. */
export interface CorpusOutcome {
  readonly entry: CorpusEntry;
  readonly result: HistoryCheckResult;
  /** Parse + check wall time. */
  readonly ms: number;
  /** Did the verdict match the manifest? */
  readonly agrees: boolean;
}

/** Parse and check one corpus file. */
export async function checkCorpusEntry(entry: CorpusEntry, root = corpusRoot(), options: HistoryCheckOptions = {}): Promise<CorpusOutcome> {
  const path = join(root, entry.family, entry.file);
  const text = await readFile(path, 'utf8');
  const t0 = performance.now();
  const loaded = parseHistory(text, { format: entry.format, model: entry.model, source: `${entry.family}/${entry.file}` });
  const result = checkHistory(loaded.model.spec, loaded.history, options);
  const ms = performance.now() - t0;
  return { entry, result, ms, agrees: result.verdict === entry.expected };
}
