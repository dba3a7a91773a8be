/**
 * Shard files: what `dscheck check … --mode random --shard k/n` writes, and what `dscheck merge`
 * reads back. A shard file holds the run's identity ({@link RandomRunKey}), the shard, and the
 * outcome of every block the shard ran; merging the files of all n shards gives the same
 * {@link RandomSummary} as the unsharded run.
 */
import { InputError } from '../../impl/core/machine.ts';
import { summarize, type BlockOutcome, type RandomRunKey, type RandomSummary, type Shard } from './random.ts';

/** The format tag of a shard file. */
export const SHARD_FORMAT = 'dscheck-shard';
/** The version of the shard-file format. */
export const SHARD_VERSION = 1;

/** A shard file's content. */
export interface ShardFile {
  readonly format: typeof SHARD_FORMAT;
  readonly version: typeof SHARD_VERSION;
  readonly key: RandomRunKey;
  readonly shard: Shard;
  readonly witnessNames: readonly string[];
  readonly outcomes: readonly BlockOutcome[];
  /** A time limit or an interrupt cut this shard short: merging it gives no complete result. */
  readonly cut: boolean;
}

/** The merged result of shard files. */
export interface MergedShards {
  readonly key: RandomRunKey;
  readonly shards: number;
  readonly summary: RandomSummary;
}

/** Parse and check one shard file's text; `name` is for messages. */
export function parseShardFile(text: string, name: string): ShardFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InputError(`${name} is not JSON`);
  }
  const f = v as Partial<ShardFile>;
  if (typeof v !== 'object' || v === null || f.format !== SHARD_FORMAT) throw new InputError(`${name} is not a dscheck shard file (format '${SHARD_FORMAT}')`);
  if (f.version !== SHARD_VERSION) throw new InputError(`${name} has shard-file version ${String(f.version)}; this dscheck reads version ${SHARD_VERSION}`);
  if (!f.key || !f.shard || !Array.isArray(f.outcomes) || !Array.isArray(f.witnessNames)) throw new InputError(`${name} is a truncated shard file`);
  return f as ShardFile;
}

function describeKey(k: RandomRunKey): string {
  return JSON.stringify({ ...k, kinds: undefined });
}

/**
 * Merge the files of every shard of one run. Input errors (one line): shards of different
 * models, parameters, seeds or bounds; a shard given twice or missing; a shard cut short.
 */
export function mergeShards(files: readonly { readonly name: string; readonly file: ShardFile }[]): MergedShards {
  if (files.length === 0) throw new InputError('merge needs at least one shard file');
  const first = files[0]!;
  const key = first.file.key;
  const n = first.file.shard.count;
  const seen = new Map<number, string>();
  for (const { name, file } of files) {
    const k = file.key;
    if (k.model !== key.model || (k.module ?? '') !== (key.module ?? '')) throw new InputError(`${name} is a shard of model ${k.model}, ${first.name} of ${key.model}: shards of different models do not merge`);
    if (k.seed !== key.seed) throw new InputError(`${name} has seed ${k.seed}, ${first.name} seed ${key.seed}: shards of different seeds do not merge`);
    if (describeKey(k) !== describeKey(key) || JSON.stringify(k.kinds) !== JSON.stringify(key.kinds)) {
      throw new InputError(`${name} and ${first.name} differ in parameters, checks or bounds: shards of different runs do not merge`);
    }
    if (file.shard.count !== n) throw new InputError(`${name} is shard ${file.shard.index}/${file.shard.count}, ${first.name} one of ${n}: shards of different splits do not merge`);
    const dup = seen.get(file.shard.index);
    if (dup !== undefined) throw new InputError(`${name} and ${dup} are both shard ${file.shard.index}/${n}`);
    seen.set(file.shard.index, name);
    if (file.cut) throw new InputError(`${name} was cut short (time limit or interrupt): its blocks are incomplete`);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  const outcomes = files.flatMap((f) => f.file.outcomes);
  const s = summarize(key, outcomes, first.file.witnessNames);
  if (!s.complete) {
    throw new InputError(`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${n} missing: the merge would not equal the unsharded run`);
  }
  const { complete: _c, ...summary } = s;
  return { key, shards: n, summary };
}
