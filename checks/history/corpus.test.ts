/**
 * Conformance: every history of the shared corpus (Porcupine etcd + kv, Knossos cas-register +
 * multi-register) is checked against the verdict its MANIFEST asserts, every witness
 * linearization is verified independently, and every failure's explanation is checked.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCorpusEntry, corpusRoot, loadCorpus, type CorpusEntry, type CorpusOutcome } from './corpus.ts';
import { parseHistory } from './load.ts';
import { verifyLinearization } from './verify.ts';

const root = corpusRoot();
let entries: CorpusEntry[] = [];
const outcomes = new Map<string, CorpusOutcome>();

beforeAll(async () => {
  entries = await loadCorpus(root);
  for (const e of entries) {
    const o = await checkCorpusEntry(e, root);
    outcomes.set(`${e.family}/${e.file}`, o);
  }
});

/** The manifest model names and how many files each family holds (from the READMEs). */
const GROUPS: readonly { family: string; model: string; files: number; bad: number }[] = [
  { family: 'porcupine', model: 'etcd-cas-register', files: 102, bad: 79 },
  { family: 'porcupine', model: 'kv-get-put-append', files: 6, bad: 3 },
  { family: 'knossos', model: 'cas-register', files: 120, bad: 7 },
  { family: 'knossos', model: 'multi-register', files: 1, bad: 0 },
];

describe('corpus conformance', () => {
  it('has all 229 histories', () => {
    expect(entries.length).toBe(229);
  });

  for (const g of GROUPS) {
    it(`${g.family} ${g.model}: every verdict matches the manifest`, () => {
      const mine = [...outcomes.values()].filter((o) => o.entry.family === g.family && o.entry.manifestModel === g.model);
      expect(mine.length).toBe(g.files);
      expect(mine.filter((o) => o.entry.expected === 'not-linearizable').length).toBe(g.bad);
      const wrong = mine.filter((o) => !o.agrees).map((o) => `${o.entry.file}: expected ${o.entry.expected}, got ${o.result.verdict}`);
      expect(wrong).toEqual([]);
    });
  }

  it('every witness linearization and every explanation holds up when checked independently', async () => {
    const problems: string[] = [];
    for (const [name, o] of outcomes) {
      const text = await readFile(join(root, name), 'utf8');
      const { model, history } = parseHistory(text, { format: o.entry.format, model: o.entry.model, source: name });
      const spec = model.spec;
      for (const p of o.result.partitions) {
        if (p.verdict === 'linearizable') {
          const why = verifyLinearization(spec, history, p.linearization ?? [], p.ops);
          if (why !== null) problems.push(`${name} [${p.key}]: bad witness: ${why}`);
        }
        const ex = p.explanation;
        if (p.verdict === 'not-linearizable') {
          if (ex === undefined) {
            problems.push(`${name}: no explanation`);
            continue;
          }
          // The prefix is a valid linearization of its own operations (real time respected among them).
          const prefixOk = verifyLinearization(spec, history, ex.prefix, ex.prefix);
          if (prefixOk !== null) problems.push(`${name}: prefix invalid: ${prefixOk}`);
          // Replay it, then each unplaced operation must be illegal.
          let state = spec.init();
          for (const id of ex.prefix) {
            const r = spec.step(state, history.ops[id]!.input, history.ops[id]!.output);
            if (r.ok) state = r.next;
          }
          if (ex.unplaced.length === 0 || !ex.unplaced.includes(ex.blocking)) problems.push(`${name}: blocking op not among the unplaced`);
          for (const id of ex.unplaced) {
            if (spec.step(state, history.ops[id]!.input, history.ops[id]!.output).ok) problems.push(`${name}: unplaced op ${id} is legal after the prefix`);
            if (ex.prefix.includes(id)) problems.push(`${name}: unplaced op ${id} is in the prefix`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('parses every file into the operation counts the manifests record', async () => {
    const problems: string[] = [];
    for (const family of ['porcupine', 'knossos'] as const) {
      const manifest = JSON.parse(await readFile(join(root, family, 'MANIFEST.json'), 'utf8')) as Record<string, unknown>[];
      for (const m of manifest) {
        const name = `${family}/${String(m['file'])}`;
        const o = outcomes.get(name);
        if (o === undefined) {
          problems.push(`${name}: not checked`);
          continue;
        }
        const text = await readFile(join(root, name), 'utf8');
        const { history, droppedFailed } = parseHistory(text, { format: o.entry.format, model: o.entry.model, source: name });
        const crashed = history.ops.filter((op) => op.ret === null).length;
        // Porcupine: every invocation is an operation (a failed cas or read stays in); Knossos: a
        // :fail is left out, and :info plus never-completed invocations are indeterminate.
        const expectOps = family === 'porcupine' ? Number(m['ops']) : Number(m['ops']) - Number(m['failed']);
        const expectCrashed = family === 'porcupine' ? Number(m['crashed_ops']) : Number(m['crashed_info']) + Number(m['never_completed']);
        const expectDropped = family === 'porcupine' ? 0 : Number(m['failed']);
        if (history.ops.length !== expectOps || crashed !== expectCrashed || droppedFailed !== expectDropped) {
          problems.push(`${name}: ops ${history.ops.length}/${expectOps}, crashed ${crashed}/${expectCrashed}, dropped ${droppedFailed}/${expectDropped}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('checked every one of the 229 corpus files (its time is measured by `npm run bench`)', () => {
    expect(outcomes.size).toBe(229);
  });
});
