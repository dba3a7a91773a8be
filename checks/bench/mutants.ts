/**
 * Mutation measurement: does dscheck find bugs nobody tuned it for?
 *
 * Each `checks/bench/mutants/<model>--<name>.patch` is one realistic single-point mistake in a
 * protocol (not one of its declared known-bug variants). For each patch, in a temporary copy of
 * the repository (the sources in the branch never hold a mistake), this script runs
 *
 * - (a) the default random mode, configurations drawn from the seed:
 *   `dscheck check MODEL --mode random --seed S --time-limit T`, and
 * - (b) BFS with the model's defaults: `dscheck check MODEL --time-limit T`,
 *
 * and records whether each found a violation, how fast, and (random) the drawn configuration of
 * the failing run. A run cut by its time limit is recorded as `bounded`, never as found. Results
 * go to `reports/bench/mutants.json` and `reports/bench/mutants.md`.
 *
 * A patch may start with header lines before its diff: `model:`, `mutant:`, `doc:` and
 * `checks:` (comma-separated; the checks both runs select, for models whose correct version
 * breaks another check on purpose, such as Dynamo's `linearizable`).
 *
 * ```
 * npx tsx checks/bench/mutants.ts [--time-limit 120] [--seed 1] [--only raft|raft--no-truncation] [--modes random,bfs] [--merge]
 * ```
 * `--merge` updates `reports/bench/mutants.json` (and the table) with the mutants just run,
 * keeping the others and dropping those whose patch is gone; `--render` only rewrites the table.
 * CPU-heavy: mutants run one after another. The patches are also checked to apply, and the
 * unpatched model is not run (the suites pin that the correct protocols hold).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is checks/bench/mutants.ts). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PATCH_DIR = join(ROOT, 'checks', 'bench', 'mutants');
const OUT_DIR = join(ROOT, 'reports', 'bench');

/** One mutant, from its patch header. */
export interface Mutant {
  readonly file: string;
  readonly model: string;
  readonly name: string;
  readonly doc: string;
  readonly checks: readonly string[];
}

/** The outcome of one mode on one mutant. */
export interface ModeOutcome {
  /** `violation`: found; `bounded`: a bound (the time limit) cut the search; `exhausted`: BFS proved it holds; `error`: the run failed. */
  readonly status: 'violation' | 'bounded' | 'exhausted' | 'error';
  readonly found: boolean;
  /** The check broken, when found. */
  readonly broke: string | null;
  /** Time until the violation (random: the search; BFS: the whole run), or the whole run. */
  readonly ms: number;
  /** Random: runs until the violation or the bound; BFS: distinct states. */
  readonly work: number;
  /** Random, when found: the drawn part of the failing run's configuration. */
  readonly config?: Readonly<Record<string, unknown>> | null;
  readonly steps?: number;
  readonly error?: string;
  /** The time limit of this run, in seconds. */
  readonly timeLimitS?: number;
  /** When not found: the `sometimes` witnesses the run never reached (a hint that the mistake starved a behaviour no check covers). */
  readonly unreached?: readonly string[];
}

/** One mutant's result. */
export interface MutantResult extends Mutant {
  readonly random: ModeOutcome;
  readonly bfs: ModeOutcome;
}

/** Parse a patch's header. */
export function readMutant(file: string): Mutant {
  const text = readFileSync(file, 'utf8');
  const head = text.slice(0, text.indexOf('diff --git'));
  const field = (k: string): string | undefined => new RegExp(`^${k}:\\s*(.+)$`, 'm').exec(head)?.[1]?.trim();
  const [model0, name0] = basename(file, '.patch').split('--');
  const model = field('model') ?? model0!;
  return {
    file,
    model,
    name: field('mutant') ?? name0 ?? basename(file),
    doc: field('doc') ?? '',
    checks: (field('checks') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0),
  };
}

/**
 * A temporary copy of the committed sources (HEAD, not the working tree: edits in progress must
 * not decide a mutant's outcome) with the patch applied.
 */
function patchedCopy(m: Mutant): string {
  const dir = mkdtempSync(join(tmpdir(), `dscheck-mutant-${m.model}-`));
  const tar = spawnSync('git', ['archive', '--format=tar', 'HEAD', 'checks', 'impl', 'specs', 'package.json', 'tsconfig.json'], { cwd: ROOT, maxBuffer: 1 << 30 });
  if (tar.status !== 0) throw new Error(`git archive HEAD failed: ${tar.stderr.toString().trim()}`);
  const x = spawnSync('tar', ['-x', '-C', dir], { input: tar.stdout });
  if (x.status !== 0) throw new Error(`tar -x failed: ${x.stderr.toString().trim()}`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const r = spawnSync('git', ['apply', '--whitespace=nowarn', m.file], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`patch ${basename(m.file)} does not apply: ${r.stderr.trim()}`);
  return dir;
}

interface CliJson {
  status: 'violation' | 'bounded' | 'exhausted';
  stats: { runs?: number; states?: number; searchMs?: number; elapsedMs?: number };
  violation: { name: string; steps: number } | null;
  config?: { drawn: boolean; run?: Record<string, unknown> | null };
  witnesses?: readonly { name: string; reached: boolean }[];
}

/** Run the CLI in the copy and read its JSON verdict. */
function runCli(dir: string, args: readonly string[], timeLimitS: number): ModeOutcome {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(dir, 'checks', 'cli', 'dscheck.mjs'), ...args, '--json', '--quiet', '--time-limit', String(timeLimitS), '--out', join(dir, 'trace.json')], {
    cwd: dir,
    encoding: 'utf8',
    // The time limit, plus shrinking (random) and start-up: a hung child is killed.
    timeout: (timeLimitS + 150) * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = performance.now() - t0;
  const limit = { timeLimitS };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let j: CliJson;
  try {
    j = JSON.parse(line) as CliJson;
  } catch {
    return { status: 'error', found: false, broke: null, ms: wall, work: 0, error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0]!.slice(0, 300), ...limit };
  }
  const found = j.status === 'violation' && j.violation !== null;
  const unreached = found ? [] : (j.witnesses ?? []).filter((w) => !w.reached).map((w) => w.name);
  return {
    status: j.status,
    found,
    broke: found ? j.violation!.name : null,
    ms: Math.round(j.stats.searchMs ?? j.stats.elapsedMs ?? wall),
    work: j.stats.runs ?? j.stats.states ?? 0,
    ...(found ? { steps: j.violation!.steps } : {}),
    ...(j.config?.drawn ? { config: found ? (j.config.run ?? null) : null } : {}),
    ...(unreached.length > 0 ? { unreached } : {}),
    ...limit,
  };
}

/** Measure one mutant: random (default, drawn configurations) then BFS (model defaults). */
export function measure(m: Mutant, opts: { timeLimitS: number; seed: number; modes: readonly string[] }): MutantResult {
  const dir = patchedCopy(m);
  try {
    const checks = m.checks.flatMap((c) => ['--invariant', c]);
    const skipped: ModeOutcome = { status: 'error', found: false, broke: null, ms: 0, work: 0, error: 'not run' };
    const random = opts.modes.includes('random')
      ? runCli(dir, ['check', m.model, ...checks, '--mode', 'random', '--seed', String(opts.seed), '--runs', '100000000'], opts.timeLimitS)
      : skipped;
    const bfs = opts.modes.includes('bfs') ? runCli(dir, ['check', m.model, ...checks], opts.timeLimitS) : skipped;
    return { ...m, random, bfs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cell(o: ModeOutcome, kind: 'random' | 'bfs'): string {
  if (o.status === 'error') return `error: ${o.error ?? ''}`;
  const t = `${(o.ms / 1000).toFixed(1)} s`;
  if (o.found) return `**found** ${o.broke} · ${t} · ${kind === 'random' ? `${o.work.toLocaleString('en-US')} runs` : `${o.work.toLocaleString('en-US')} states`}`;
  const starved = o.unreached && o.unreached.length > 0 ? `; ⚠ never reached: ${o.unreached.join(', ')}` : '';
  if (o.status === 'exhausted') return `not found (holds: ${o.work.toLocaleString('en-US')} states${starved})`;
  return `not found (bounded at ${o.timeLimitS ?? '?'} s${starved})`;
}

/** The time caps the results were measured with: "60 s" or "60–120 s". */
function caps(results: readonly MutantResult[]): string {
  const xs = results.flatMap((x) => [x.random.timeLimitS, x.bfs.timeLimitS]).filter((x): x is number => x !== undefined);
  if (xs.length === 0) return 'unknown';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? `${lo} s` : `${lo}–${hi} s`;
}

/** The markdown report. */
export function markdown(results: readonly MutantResult[], opts: { timeLimitS: number; seed: number }): string {
  const n = results.length;
  const r = results.filter((x) => x.random.found).length;
  const b = results.filter((x) => x.bfs.found).length;
  const either = results.filter((x) => x.random.found || x.bfs.found).length;
  const lines = [
    '# Mutants: bugs nobody tuned for',
    '',
    `Generated by \`npx tsx checks/bench/mutants.ts --seed ${opts.seed}\` on ${new Date().toISOString().slice(0, 10)}; time caps per run: ${caps(results)} (a first pass at one cap, then \`--merge\` re-runs of cells not found, at a larger one).`,
    `Each mutant is one patch in \`checks/bench/mutants/\`, applied in a temporary copy of the committed sources. Random: the default random mode (configurations drawn from the seed, seed ${opts.seed}); BFS: the model's default parameters. A run cut by its cap is "bounded" (not found; the cell names the cap); "holds" means BFS exhausted the default configuration without a violation; ⚠ lists the \`sometimes\` witnesses a run that found nothing never reached. Times are indicative (shared, loaded machine, 2 cores for ~9 agents).`,
    '',
    `**Found by random: ${r} of ${n} (${Math.round((100 * r) / Math.max(1, n))}%). Found by BFS: ${b} of ${n} (${Math.round((100 * b) / Math.max(1, n))}%). By either: ${either} of ${n}.**`,
    '',
    '| model | mutant | random (drawn configurations) | drawn configuration of the failing run | BFS (defaults) |',
    '|---|---|---|---|---|',
  ];
  for (const x of results) {
    const cfg = x.random.config ? Object.entries(x.random.config).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '';
    lines.push(`| ${x.model} | ${x.name}: ${x.doc}${x.checks.length > 0 ? ` (checks: ${x.checks.join(', ')})` : ''} | ${cell(x.random, 'random')} | ${cfg} | ${cell(x.bfs, 'bfs')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function main(argv: readonly string[]): void {
  const arg = (k: string): string | undefined => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const timeLimitS = Number(arg('time-limit') ?? 120);
  const seed = Number(arg('seed') ?? 1);
  const only = arg('only');
  const modes = (arg('modes') ?? 'random,bfs').split(',');
  if (!Number.isFinite(timeLimitS) || timeLimitS <= 0 || !Number.isInteger(seed)) {
    process.stderr.write('mutants: --time-limit must be a positive number of seconds and --seed an integer\n');
    process.exitCode = 2;
    return;
  }
  if (argv.includes('--render')) {
    // Re-render the table from reports/bench/mutants.json (no run).
    const old = JSON.parse(readFileSync(join(OUT_DIR, 'mutants.json'), 'utf8')) as { seed: number; results: (Omit<MutantResult, 'file'> & { patch: string })[] };
    const rs = old.results.map(({ patch, ...rest }) => ({ ...rest, file: join(PATCH_DIR, patch) }));
    writeFileSync(join(OUT_DIR, 'mutants.md'), markdown(rs, { timeLimitS, seed: old.seed }));
    return;
  }
  const files = readdirSync(PATCH_DIR).filter((f) => f.endsWith('.patch')).sort();
  const mutants = files.map((f) => readMutant(join(PATCH_DIR, f))).filter((m) => only === undefined || m.model === only || `${m.model}--${m.name}` === only);
  const results: MutantResult[] = [];
  for (const m of mutants) {
    const res = measure(m, { timeLimitS, seed, modes });
    results.push(res);
    const outcome = (o: ModeOutcome): string => (o.found ? `found ${o.broke} in ${o.ms} ms` : o.status === 'error' ? `error (${o.error ?? ''})` : o.status);
    process.stdout.write(`${m.model} ${m.name}: random ${outcome(res.random)}; bfs ${outcome(res.bfs)}\n`);
  }
  if (!existsSync(OUT_DIR)) mkdirSync(OUT_DIR, { recursive: true });
  const summary = {
    generated: new Date().toISOString(),
    timeLimitS,
    seed,
    mutants: results.length,
    foundByRandom: results.filter((x) => x.random.found).length,
    foundByBfs: results.filter((x) => x.bfs.found).length,
    results: results.map(({ file, ...rest }) => ({ patch: basename(file), ...rest })),
  };
  const merge = argv.includes('--merge');
  let all: MutantResult[] = results;
  if (merge && existsSync(join(OUT_DIR, 'mutants.json'))) {
    const old = JSON.parse(readFileSync(join(OUT_DIR, 'mutants.json'), 'utf8')) as { results: (Omit<MutantResult, 'file'> & { patch: string })[] };
    const fresh = new Map(results.map((x) => [basename(x.file), x]));
    const before = new Map(old.results.map((x) => [x.patch, x]));
    const present = new Set(files);
    // A mode not run now keeps its earlier outcome.
    const kept = results.map((x) => {
      const o = before.get(basename(x.file));
      if (!o) return x;
      return { ...x, random: modes.includes('random') ? x.random : o.random, bfs: modes.includes('bfs') ? x.bfs : o.bfs };
    });
    all = old.results
      .filter((x) => present.has(x.patch) && !fresh.has(x.patch))
      .map(({ patch, ...rest }) => ({ ...rest, file: join(PATCH_DIR, patch) }))
      .concat(kept)
      .sort((a, b) => (basename(a.file) < basename(b.file) ? -1 : 1));
  }
  const out = {
    ...summary,
    mutants: all.length,
    foundByRandom: all.filter((x) => x.random.found).length,
    foundByBfs: all.filter((x) => x.bfs.found).length,
    results: all.map(({ file, ...rest }) => ({ patch: basename(file), ...rest })),
  };
  const suffix = only !== undefined && !merge ? `-${only}` : '';
  writeFileSync(join(OUT_DIR, `mutants${suffix}.json`), `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(join(OUT_DIR, `mutants${suffix}.md`), markdown(all, { timeLimitS, seed }));
  process.stdout.write(`random found ${out.foundByRandom}/${out.mutants}, bfs found ${out.foundByBfs}/${out.mutants}; written to ${join(OUT_DIR, `mutants${suffix}.md`)}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
