/**
 * `dscheck merge <shard files…>`: combine the shard files of a sharded random run
 * (`dscheck check … --mode random --shard k/n`) into the result of the whole run.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../impl/core/machine.ts';
import { mergeShards, parseShardFile } from '../parallel/shards.ts';
import { flag, parseArgs, str } from './args.ts';
import { num, writeFileAtomic } from '../output.ts';

/** Run `dscheck merge`. Exit 1 when the merged run has a violation, else 0. */
export async function mergeCommand(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs('merge', argv, { json: 'bool', out: 'string' });
  if (args.positionals.length === 0) throw new InputError('usage: dscheck merge <shard.json …> [--out merged.json] [--json]');
  const files = args.positionals.map((name) => {
    let text: string;
    try {
      text = readFileSync(name, 'utf8');
    } catch {
      throw new InputError(`cannot read ${name}`);
    }
    return { name, file: parseShardFile(text, name) };
  });
  const merged = mergeShards(files);
  const s = merged.summary;
  const target = str(args, 'out');
  if (target !== undefined) writeFileAtomic(target, `${JSON.stringify(merged, null, 2)}\n`);
  if (flag(args, 'json')) out(JSON.stringify(merged));
  else {
    const k = merged.key;
    out(`dscheck merge: ${merged.shards} shard${merged.shards === 1 ? '' : 's'} of ${k.model} (seed ${k.seed}, ${num(k.runs)} runs of up to ${num(k.maxSteps)} steps)`);
    if (s.first) {
      out(`✗ violation of ${s.first.name} after ${s.first.steps} steps, first in block ${s.first.block}: seed ${s.first.seed} · path ${s.first.path}`);
      out(`  replay: dscheck check ${k.model}${Object.entries(k.params).filter(([p, v]) => !(p === 'bug' && v === 'none')).map(([p, v]) => ` --param ${p}=${String(v)}`).join('')}${k.checks.map((c) => ` --invariant ${c}`).join('')} --mode random --seed ${s.first.seed} --path ${s.first.path} --steps ${k.maxSteps}${k.swarm ? '' : ' --no-swarm'}`);
      for (const d of s.distinct) out(`  distinct violation ${d.name}: block ${d.block}, seed ${d.seed}, path ${d.path} (${d.steps} steps)`);
    } else out(`■ no violation in ${num(s.runs)} runs of up to ${num(k.maxSteps)} steps (seed ${k.seed})`);
    for (const w of s.witnesses) out(`  sometimes ${w.name}: ${w.reached ? `reached${w.depth !== undefined ? ` at step ${w.depth}` : ''}` : 'NOT reached'}`);
    out(`  runs ${num(s.runs)} · steps ${num(s.steps)}`);
    if (target !== undefined) out(`  merged result written to ${target}`);
  }
  return s.first ? 1 : 0;
}
