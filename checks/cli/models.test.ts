/**
 * Model loading: the lazy catalogue (a broken model breaks only itself), models from the user's
 * own module (`dscheck check ./my-protocol.ts`), and trace files that record the module so
 * replay, shrink and report find it again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main } from './main.ts';
import { isModuleRef, type Catalogue } from './models.ts';
import { CATALOGUE, loadModel } from '../../specs/models/catalogue.ts';
import type { AnyModel } from '../../impl/core/machine.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const COUNTER = join(HERE, 'fixtures', 'counter.ts');

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Run `dscheck <argv…>` in-process against a catalogue, capturing stdout and stderr. */
async function run(catalogue: Catalogue | undefined, ...argv: string[]): Promise<Run> {
  const lines: string[] = [];
  let err = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await main(argv, (l) => lines.push(l), catalogue);
    return { code, out: lines.join('\n'), err };
  } finally {
    spy.mockRestore();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dscheck-models-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Import a module written to the temporary folder (as the catalogue's entries do). */
async function importFile(path: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

describe('the catalogue loads lazily, and a broken model breaks only itself', () => {
  let catalogue: Catalogue;
  beforeAll(() => {
    // Deliberately broken modules: a syntax error, and a module that throws while it loads.
    writeFileSync(join(dir, 'broken-syntax.ts'), "export const model = { name: 'broken-syntax', ;\n");
    writeFileSync(join(dir, 'broken-throws.ts'), "const table: Record<string, number> = {};\nif (table['x'] === undefined) throw new Error('table x missing\\nsecond line');\nexport const model = {};\n");
    writeFileSync(join(dir, 'wrong-name.ts'), `export { twoPhaseModel as model } from ${JSON.stringify(pathToFileURL(resolve(HERE, '../../specs/models/twophase.ts')).href)};\n`);
    catalogue = [
      { name: 'twophase', load: async () => (await import('../../specs/models/twophase.ts')).twoPhaseModel },
      { name: 'broken-syntax', load: async () => (await importFile(join(dir, 'broken-syntax.ts')))['model'] as AnyModel },
      { name: 'broken-throws', load: async () => (await importFile(join(dir, 'broken-throws.ts')))['model'] as AnyModel },
      { name: 'wrong-name', load: async () => (await importFile(join(dir, 'wrong-name.ts')))['model'] as AnyModel },
      { name: 'tcommit', load: async () => (await import('../../specs/tcommit.ts')).tcommitModel },
    ];
  });

  it('list works: the good models are listed in full, each broken one with a one-line error', async () => {
    const r = await run(catalogue, 'list');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('twophase: Two-Phase Commit');
    expect(r.out).toContain('tcommit: ');
    expect(r.out).toContain('tc-consistent');
    const lines = r.out.split('\n');
    const syntax = lines.filter((l) => l.startsWith('broken-syntax:'));
    expect(syntax).toHaveLength(1);
    expect(syntax[0]).toMatch(/^broken-syntax: ✗ cannot be used: model broken-syntax failed to load: .*(SyntaxError|Expected|Unexpected)/);
    expect(syntax[0]).toMatch(/broken-syntax\.ts:1:\d+/);
    expect(syntax[0]).not.toContain('\u001b');
    const throws = lines.filter((l) => l.startsWith('broken-throws:'));
    expect(throws).toEqual([expect.stringMatching(/^broken-throws: ✗ cannot be used: model broken-throws failed to load: table x missing second line \(at .*broken-throws\.ts:2:\d+\)$/)]);
    expect(lines.filter((l) => l.startsWith('wrong-name:'))).toEqual(["wrong-name: ✗ cannot be used: model wrong-name failed to load: its module gave model 'twophase'"]);
  });

  it('list --json gives the broken models as { name, error }', async () => {
    const r = await run(catalogue, 'list', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { name: string; error?: string; invariants?: unknown[] }[];
    expect(rows.map((x) => x.name)).toEqual(['twophase', 'broken-syntax', 'broken-throws', 'wrong-name', 'tcommit']);
    expect(rows[0]!.invariants).toHaveLength(2);
    expect(rows[1]!.error).toMatch(/failed to load/);
    expect(rows[4]!.error).toBeUndefined();
  });

  it('check of another model works', async () => {
    const r = await run(catalogue, 'check', 'twophase');
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓ holds: every check holds on all 288 reachable states');
  });

  it.each(['broken-syntax', 'broken-throws'])('check %s: one line on stderr, exit 2, nothing on stdout', async (name) => {
    const r = await run(catalogue, 'check', name);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^dscheck: model ${name} failed to load: [^\\n]+\\n$`));
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('list of one broken model is an input error', async () => {
    const r = await run(catalogue, 'list', 'broken-throws');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^dscheck: model broken-throws failed to load: table x missing/);
  });

  it('an unknown name lists the registered ones and mentions modules', async () => {
    const r = await run(catalogue, 'check', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toBe("dscheck: unknown model 'nope'; valid: twophase, broken-syntax, broken-throws, wrong-name, tcommit (or a path to your own module, e.g. ./my-protocol.ts)\n");
  });
});

describe('the real catalogue', () => {
  it('every entry loads the model of its name, once each', async () => {
    const names = CATALOGUE.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect((await loadModel(name)).name).toBe(name);
  });

  it('the library entry point imports no protocol, spec or catalogue (transitively)', () => {
    const root = resolve(HERE, '../..');
    const seen = new Set<string>();
    const todo = [join(root, 'checks/index.ts')];
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)) {
        todo.push(resolve(dirname(file), m[1]!));
      }
    }
    // The checker and its leaf (impl/core: the machine contract, encoding, traces, history engine).
    const outside = [...seen]
      .map((f) => relative(root, f))
      .filter((f) => !(f.startsWith('checks/') || f.startsWith('impl/core/')) || f.startsWith('checks/cli/'));
    expect(seen.size).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });
});

describe("the user's own module", () => {
  it('model references: paths vs names', () => {
    expect(isModuleRef('raft')).toBe(false);
    expect(isModuleRef('vector-clock')).toBe(false);
    expect(isModuleRef('./p.ts')).toBe(true);
    expect(isModuleRef('p.ts')).toBe(true);
    expect(isModuleRef('models/p#ping')).toBe(true);
    expect(isModuleRef('/abs/p.mjs')).toBe(true);
  });

  it('list ./module.ts lists the models it exports', async () => {
    const r = await run(undefined, 'list', COUNTER);
    expect(r.code).toBe(0);
    expect(r.out).toContain('counter: two counters that take turns');
    expect(r.out).toContain('max=3 (1..20)');
    expect(r.out).toContain('x-runs-ahead: x may increment before y caught up (breaks x-near-y)');
    expect(r.out).not.toContain('twophase');
  });

  it('check ./module.ts: holds on the correct model', async () => {
    const r = await run(undefined, 'check', COUNTER);
    expect(r.code).toBe(0);
    expect(r.out).toContain('dscheck check counter (max=3, bug=none)');
    expect(r.out).toContain('✓ holds: every check holds on all 7 reachable states');
  });

  describe('a counterexample of a module model: the trace records the module; replay, shrink, report find it', () => {
    let trace: string;
    beforeAll(async () => {
      trace = join(dir, 'traces', 'cx.json');
      const r = await run(undefined, 'check', `${COUNTER}#counter`, '-p', 'bug=x-runs-ahead', '-p', 'max=4', '--out', trace);
      expect(r.code).toBe(1);
      expect(r.out).toContain('✗ violation of x-near-y after 2 steps');
    });

    it('the trace file records the module, relative to the trace and absolute', () => {
      const f = JSON.parse(readFileSync(trace, 'utf8')) as { model: string; module: { path: string; absolute: string } };
      expect(f.model).toBe('counter');
      expect(f.module.absolute).toBe(COUNTER);
      expect(resolve(dirname(trace), f.module.path)).toBe(COUNTER);
      expect(f.module.path).toMatch(/^\.\.\//);
    });

    it('replay finds the module and reproduces the violation', async () => {
      const r = await run(undefined, 'replay', trace);
      expect(r.code).toBe(1);
      expect(r.out).toContain('counter (max=4, bug=x-runs-ahead)');
      expect(r.out).toContain('✗ still fails: invariant x-near-y violated: x=2, y=0 at step 2, as recorded');
    });

    it('a trace moved elsewhere still replays (absolute path), and a module that is gone is a one-line error', async () => {
      const moved = join(dir, 'elsewhere', 'deeper', 'cx.json');
      mkdirSync(dirname(moved), { recursive: true });
      copyFileSync(trace, moved);
      expect((await run(undefined, 'replay', moved)).code).toBe(1);
      const gone = JSON.parse(readFileSync(trace, 'utf8')) as Record<string, unknown>;
      gone['module'] = { path: '../nowhere/p.ts', absolute: join(dir, 'nowhere', 'p.ts') };
      const goneFile = join(dir, 'gone.json');
      writeFileSync(goneFile, JSON.stringify(gone));
      const r = await run(undefined, 'replay', goneFile);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^dscheck: .*written for model counter of module \.\.\/nowhere\/p\.ts .*not there any more\n$/);
    });

    it('shrink writes a minimal trace that records the module too', async () => {
      const out = join(dir, 'min', 'cx.min.json');
      const r = await run(undefined, 'shrink', trace, '--out', out);
      expect(r.code).toBe(1);
      const f = JSON.parse(readFileSync(out, 'utf8')) as { module: { path: string; absolute: string }; steps: unknown[] };
      expect(f.steps).toHaveLength(2);
      expect(resolve(dirname(out), f.module.path)).toBe(COUNTER);
      expect((await run(undefined, 'replay', out)).code).toBe(1);
    });

    it('report replays it on the model (no "shown from the file" note)', async () => {
      const html = join(dir, 'cx.html');
      const r = await run(undefined, 'report', trace, '--out', html);
      expect(r.code).toBe(0);
      expect(r.out).not.toContain('note:');
      expect(existsSync(html)).toBe(true);
      expect(readFileSync(html, 'utf8')).toContain('x-near-y');
    });

    it('the random-mode replay hint names the module', async () => {
      const r = await run(undefined, 'check', COUNTER, '-p', 'bug=x-runs-ahead', '--mode', 'random', '--runs', '50', '--seed', '1', '--out', join(dir, 'rnd.json'));
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/replay: dscheck check \S*fixtures\/counter\.ts#counter --param max=3 --param bug=x-runs-ahead/);
    });
  });

  describe('bad modules are one-line input errors (exit 2)', () => {
    beforeAll(() => {
      writeFileSync(join(dir, 'none.ts'), 'export const x = 1;\n');
      writeFileSync(join(dir, 'two.ts'), `export { counterModel } from ${JSON.stringify(pathToFileURL(COUNTER).href)};\nexport { twoPhaseModel } from ${JSON.stringify(pathToFileURL(resolve(HERE, '../../specs/models/twophase.ts')).href)};\n`);
      writeFileSync(join(dir, 'syntax.ts'), 'export const = ;\n');
    });
    const cases: [string, () => string[], RegExp][] = [
      ['missing file', () => ['check', join(dir, 'missing.ts')], /^dscheck: cannot load .*missing\.ts: no such file\n$/],
      ['no model exported', () => ['check', join(dir, 'none.ts')], /^dscheck: .*none\.ts exports no model \(export one made with defineModel from 'dscheck'\)\n$/],
      ['several models, none picked', () => ['check', join(dir, 'two.ts')], /^dscheck: .*two\.ts exports 2 models \(counter, twophase\); pick one with .*two\.ts#NAME\n$/],
      ['a name it does not export', () => ['check', `${join(dir, 'two.ts')}#raft`], /^dscheck: .*two\.ts exports no model named 'raft'; it exports: counter, twophase\n$/],
      ['syntax error', () => ['check', join(dir, 'syntax.ts')], /^dscheck: cannot load .*syntax\.ts: [^\n]+\n$/],
      ['list of a syntax error', () => ['list', join(dir, 'syntax.ts')], /^dscheck: cannot load .*syntax\.ts: [^\n]+\n$/],
    ];
    it.each(cases)('%s', async (_name, argv, re) => {
      const r = await run(undefined, ...argv());
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.out).toBe('');
    });

    it('several models: #name picks one', async () => {
      const r = await run(undefined, 'check', `${join(dir, 'two.ts')}#twophase`, '-p', 'rms=2');
      expect(r.code).toBe(0);
      expect(r.out).toContain('dscheck check twophase (rms=2, symmetry=false, bug=none)');
    });
  });

  it('no trace file is left in the temporary folder by a failing load', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
