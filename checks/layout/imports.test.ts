/**
 * The import rules of the repository (issue 13), enforced on every TypeScript file:
 *
 * - `impl/core/` is the leaf: it imports nothing of ours outside itself;
 * - `impl/env/` imports only the leaf;
 * - a protocol's reducer (`impl/<protocol>/`) imports the leaf, the environment and other
 *   protocols' reducers, never `specs/` or `checks/`;
 * - `specs/` imports `impl/` and `specs/`, never `checks/`;
 * - a model file (`specs/models/`) binds protocol, specs and variants; the catalogue lives there,
 *   and only the CLI, benchmarks and tests (`checks/`) import it;
 * - there is no import cycle between files, nor between folders.
 *
 * Imports are read from the source text (static `import`/`export … from`, type-only ones
 * included, and dynamic `import('…')`), so a cycle through types counts too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every relative import of a file, resolved to a repository-relative path. */
export function importsOf(file: string, src: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) {
    const spec = m[1] ?? m[2]!;
    out.push(relative(ROOT, resolve(dirname(file), spec)));
  }
  return out;
}

const FILES = ['impl', 'specs', 'checks'].flatMap((d) => walk(join(ROOT, d))).map((f) => relative(ROOT, f));
const GRAPH = new Map(FILES.map((f) => [f, importsOf(join(ROOT, f), readFileSync(join(ROOT, f), 'utf8'))]));

/** The layer a file belongs to. */
function layer(f: string): 'core' | 'env' | 'protocol' | 'models' | 'specs' | 'checks' | 'other' {
  if (f.startsWith('impl/core/')) return 'core';
  if (f.startsWith('impl/env/')) return 'env';
  if (f.startsWith('impl/')) return 'protocol';
  if (f.startsWith('specs/models/')) return 'models';
  if (f.startsWith('specs/')) return 'specs';
  if (f.startsWith('checks/')) return 'checks';
  return 'other';
}

/**
 * Imports that break the rules today, each to be removed by the port it names (issue 13). The
 * list must stay exact: a new violation fails, and so does a listed one that no longer exists
 * (take it off the list when the port lands), so the list can only shrink.
 */
const KNOWN_DEBT: readonly string[] = [];

/** Cycles that exist today, listed exactly as {@link KNOWN_DEBT} (the list can only shrink). */
const KNOWN_FILE_CYCLES: readonly (readonly string[])[] = [];
const KNOWN_FOLDER_CYCLES: readonly (readonly string[])[] = [];

const ALLOWED: Record<ReturnType<typeof layer>, ReadonlySet<string>> = {
  core: new Set(['core']),
  env: new Set(['core', 'env']),
  protocol: new Set(['core', 'env', 'protocol']),
  specs: new Set(['core', 'env', 'protocol', 'specs']),
  models: new Set(['core', 'env', 'protocol', 'specs', 'models']),
  checks: new Set(['core', 'env', 'protocol', 'specs', 'models', 'checks']),
  other: new Set(),
};

/** Violations of the layer rules, as `from → to` lines. */
export function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, tos] of graph) {
    for (const to of tos) if (!ALLOWED[layer(from)].has(layer(to))) out.push(`${from} → ${to}`);
  }
  return out.sort();
}

/** One cycle per strongly connected component of more than one vertex (or a self-loop), as a path. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative enough for our sizes (recursion depth ≤ number of files).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop()!;
        on.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) sccs.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return sccs;
}

/** The folder graph: an edge between two different folders for every file import across them. */
export function folderGraph(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const g = new Map<string, Set<string>>();
  for (const [from, tos] of graph) {
    const a = dirname(from);
    if (!g.has(a)) g.set(a, new Set());
    for (const to of tos) {
      const b = dirname(to);
      if (b !== a) g.get(a)!.add(b);
      if (!g.has(b)) g.set(b, new Set());
    }
  }
  return new Map([...g].map(([k, v]) => [k, [...v].sort()]));
}

/** The top-level folders (impl, specs, checks) as one graph. */
function topGraph(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const top = (f: string): string => (f.startsWith('impl/core/') ? 'impl/core' : f.split('/')[0]!);
  const g = new Map<string, Set<string>>();
  for (const [from, tos] of graph) {
    const a = top(from);
    if (!g.has(a)) g.set(a, new Set());
    for (const to of tos) {
      const b = top(to);
      if (!g.has(b)) g.set(b, new Set());
      if (b !== a) g.get(a)!.add(b);
    }
  }
  return new Map([...g].map(([k, v]) => [k, [...v].sort()]));
}

describe('import rules', () => {
  it('reads imports of every kind (static, type-only, re-exports, dynamic)', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c/c.ts';",
      "export * from './d.ts';",
      'const m = await import(\'./e.ts\');',
      "import {\n  f,\n  g,\n} from './fg.ts';",
      "import 'node:fs';",
    ].join('\n');
    expect(importsOf(join(ROOT, 'impl/x/y.ts'), src)).toEqual(['impl/x/a.ts', 'impl/b.ts', 'impl/x/c/c.ts', 'impl/x/d.ts', 'impl/x/fg.ts', 'impl/x/e.ts'].sort((p, q) => src.indexOf(p.split('/').pop()!) - src.indexOf(q.split('/').pop()!)));
  });

  it('finds a layer violation and a cycle when there is one', () => {
    const g = new Map<string, string[]>([
      ['impl/raft/raft.ts', ['specs/raft.ts', 'impl/core/machine.ts']],
      ['specs/raft.ts', ['impl/raft/raft.ts']],
      ['impl/core/machine.ts', []],
    ]);
    expect(layerViolations(g)).toEqual(['impl/raft/raft.ts → specs/raft.ts']);
    expect(cycles(g)).toEqual([['impl/raft/raft.ts', 'specs/raft.ts']]);
    expect(cycles(folderGraph(g))).toEqual([['impl/raft', 'specs']]);
  });

  it('every file imports only what its layer may import (but for the listed debt, exactly)', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(layerViolations(GRAPH)).toEqual([...KNOWN_DEBT].sort());
  });

  it('every import resolves to a file of the repository', () => {
    const missing = [...GRAPH].flatMap(([from, tos]) => tos.filter((t) => !GRAPH.has(t) && !/\.(json|mjs|js)$/.test(t)).map((t) => `${from} → ${t}`));
    expect(missing).toEqual([]);
  });

  it('no import cycle between files (but for the listed ones, exactly)', () => {
    expect(cycles(GRAPH)).toEqual(KNOWN_FILE_CYCLES);
  });

  it('no import cycle between folders, at any depth (tests excluded: nothing imports a test)', () => {
    const code = new Map([...GRAPH].filter(([f]) => !/\.test\.m?ts$/.test(f)));
    expect(cycles(folderGraph(code))).toEqual(KNOWN_FOLDER_CYCLES);
    // impl ↔ specs: only through the KNOWN_DEBT imports of the commit and paxos reducers.
    expect(cycles(topGraph(code))).toEqual(KNOWN_DEBT.length > 0 ? [['impl', 'specs']] : []);
    const withoutDebt = new Map([...code].map(([f, tos]) => [f, tos.filter((t) => !KNOWN_DEBT.includes(`${f} → ${t}`))]));
    expect(cycles(topGraph(withoutDebt))).toEqual([]);
  });

  it('only checks/ imports the model catalogue', () => {
    const importers = [...GRAPH].filter(([, tos]) => tos.includes('specs/models/catalogue.ts')).map(([f]) => f);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((f) => !f.startsWith('checks/'))).toEqual([]);
  });
});
