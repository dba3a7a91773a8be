/**
 * The package, as a user gets it: `npm pack` the repository, install the tarball in a new, empty
 * project, write a protocol there that imports from `dscheck`, and run `npx dscheck` on it:
 * list, check, replay, shrink, report, a registered model, a broken module; then the user's
 * TypeScript sees dscheck's types.
 *
 * Dependencies of the tarball come from npm's cache or the registry (`--prefer-offline`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const LONG = 600_000;

/** The environment of child processes, without what `npm test` sets for this package. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_(package|lifecycle|config_(prefix|global|local_prefix))/i.test(k)) env[k] = v;
  return env;
}

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

function sh(cwd: string, cmd: string, args: readonly string[]): Ran {
  const r = spawnSync(cmd, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: LONG });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Must succeed, or the test fails with what it printed. */
function ok(cwd: string, cmd: string, args: readonly string[]): string {
  const r = sh(cwd, cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.out}\n${r.err}`);
  return r.out;
}

let work: string;
let project: string;
const dscheck = (...args: string[]): Ran => sh(project, 'npx', ['--no-install', 'dscheck', ...args]);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dscheck-package-'));
  const packed = ok(ROOT, 'npm', ['pack', '--silent', '--pack-destination', work]).trim().split('\n').pop()!;
  const tarball = join(work, packed);
  expect(existsSync(tarball)).toBe(true);
  project = join(work, 'my-project');
  mkdirSync(project);
  ok(project, 'npm', ['init', '-y']);
  ok(project, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball]);
  // The user's protocol: the counter fixture, importing from the package.
  const src = readFileSync(join(ROOT, 'checks/cli/fixtures/counter.ts'), 'utf8');
  expect(src).toContain("from '../../index.ts'");
  writeFileSync(join(project, 'my-protocol.ts'), src.replace("from '../../index.ts'", "from 'dscheck'"));
}, LONG);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack, npm i, npx dscheck in a new project', () => {
  it('the tarball holds the sources, the bin and the declarations, but no tests', () => {
    const files = readdirSync(join(project, 'node_modules', 'dscheck', 'checks'), { recursive: true }).map(String);
    expect(files).toContain('index.ts');
    expect(files).toContain(join('cli', 'dscheck.mjs'));
    expect(files.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
    expect(existsSync(join(project, 'node_modules', 'dscheck', 'types', 'checks', 'index.d.ts'))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(['dscheck']);
  });

  it('list ./my-protocol.ts lists its model', () => {
    const r = dscheck('list', './my-protocol.ts');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('counter: two counters that take turns');
    expect(r.out).toContain('x-runs-ahead: x may increment before y caught up (breaks x-near-y)');
  }, LONG);

  it('check ./my-protocol.ts holds (exit 0)', () => {
    const r = dscheck('check', './my-protocol.ts');
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓ holds: every check holds on all 7 reachable states');
  }, LONG);

  it('a known bug: exit 1, the trace in ./reports; replay, shrink and report find the module', () => {
    const r = dscheck('check', './my-protocol.ts', '-p', 'bug=x-runs-ahead');
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ violation of x-near-y after 2 steps');
    const trace = join('reports', 'traces', 'counter-bugx-runs-ahead-x-near-y.json');
    expect(existsSync(join(project, trace))).toBe(true);
    const file = JSON.parse(readFileSync(join(project, trace), 'utf8')) as { module: { path: string; absolute: string } };
    expect(file.module.path).toBe('../../my-protocol.ts');
    expect(file.module.absolute).toBe(join(project, 'my-protocol.ts'));

    const replay = dscheck('replay', trace);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('✗ still fails: invariant x-near-y violated: x=2, y=0 at step 2, as recorded');

    const shrink = dscheck('shrink', trace, '--out', 'min.json');
    expect(shrink.code).toBe(1);
    expect(shrink.out).toContain('✗ shrunk 2 → 2 steps');
    expect(dscheck('replay', 'min.json').code).toBe(1);

    const report = dscheck('report', trace, '--out', 'cx.html');
    expect(report.code).toBe(0);
    expect(report.out).not.toContain('note:');
    expect(readFileSync(join(project, 'cx.html'), 'utf8')).toContain('x-near-y');
  }, LONG);

  it('registered models work from the package too', () => {
    const r = dscheck('check', 'twophase', '-p', 'rms=2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ holds: every check holds on all \d+ reachable states/);
  }, LONG);

  it('a module with a syntax error: one line on stderr, exit 2', () => {
    writeFileSync(join(project, 'broken.ts'), "import { defineModel } from 'dscheck';\nexport const m = defineModel({ name: 'b', ;\n");
    const r = dscheck('check', './broken.ts');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^dscheck: cannot load \.\/broken\.ts: .*broken\.ts:2:\d+: ERROR: [^\n]+\n$/);
  }, LONG);

  it("the user's TypeScript sees dscheck's types (an ES module project, tsc --init settings)", () => {
    ok(project, 'npm', ['pkg', 'set', 'type=module']);
    ok(project, process.execPath, [TSC, '--init']);
    rmSync(join(project, 'broken.ts'));
    const clean = sh(project, process.execPath, [TSC, '--noEmit', '-p', '.']);
    expect(clean.out + clean.err).toBe('');
    expect(clean.code).toBe(0);
    // A wrong type is caught: the parameters are typed, not `any`.
    writeFileSync(join(project, 'wrong.ts'), "import { defineModel, int } from 'dscheck';\nexport const w = defineModel({ name: 'w', doc: 'd', params: { n: int(1, 1, 2, 'n') }, build: (p) => { const s: string = p.n; throw new Error(s); } });\n");
    const wrong = sh(project, process.execPath, [TSC, '--noEmit', '-p', '.']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toContain("wrong.ts(2,109): error TS2322: Type 'number' is not assignable to type 'string'.");
    rmSync(join(project, 'wrong.ts'));
    // And the protocol still checks as an ES module.
    expect(dscheck('check', './my-protocol.ts').code).toBe(0);
  }, LONG);
});
