/**
 * The CLI fails fast and loudly: errors in the model's own code name the culprit with its
 * file:line and the trace that led there; bad output paths, a bad --path and a missing --steps
 * are input errors (exit 2) found before any search, with no file written; --help works on every
 * command and lists every flag the parser accepts; a repeated flag or parameter is an error.
 *
 * The faulty models are fixtures (./fixtures/faulty.ts), added to the catalogue for this file
 * only.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli as run } from './testing.ts';
import { CALLS } from './fixtures/faulty.ts';
import { COMMAND_NAMES, EXIT_CODES } from './main.ts';

vi.mock('../../specs/models/catalogue.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../specs/models/catalogue.ts')>();
  const { FIXTURE_MODELS } = await import('./fixtures/faulty.ts');
  return {
    ...orig,
    CATALOGUE: [...orig.CATALOGUE, ...FIXTURE_MODELS.map((m) => ({ name: m.name, load: async () => m }))],
  };
});

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = resolve(HERE, 'fixtures/faulty.ts');
const ROOT = resolve(HERE, '../..');

/** `fixtures/faulty.ts:LINE`, the line with the `FAULT: what` marker, as the CLI prints it. */
function faultLine(what: string): string {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`// FAULT: ${what}`));
  if (i < 0) throw new Error(`no FAULT: ${what} marker`);
  return `${relative(process.cwd(), FIXTURE)}:${i + 1}:`;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dscheck-errors-'));
  CALLS.actions = 0;
  CALLS.step = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What every input error looks like: exit 2, one line on stderr, no stack trace. */
function expectInputError(r: { code: number; err: string }, msg: RegExp): void {
  expect(r.err).toMatch(msg);
  expect(r.code).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at |internal error/);
}

describe('an exception in the model names the culprit, its file:line and the trace', () => {
  const cases: [fault: string, culprit: string, message: RegExp][] = [
    ['invariant', 'invariant lanes-readable', /TypeError: Cannot read properties of undefined/],
    ['property', 'transition property one-at-a-time', /TypeError: cannot compare lanes/],
    ['witness', 'witness lane-full', /witness broke/],
    ['actions', 'actions()', /RangeError: lane 0 at 2/],
    ['step', 'step, taking Inc(lane 0)', /cannot increment lane 0 past 1/],
  ];
  for (const mode of ['bfs', 'dfs', 'random'] as const) {
    for (const [fault, name, message] of cases) {
      const culprit = `exception in ${name} at `;
      it(`${fault} throws (${mode}): exit 2, named, file:line in the fixture, trace kept and replayable`, async () => {
        const out = join(dir, 'cx.json');
        const args = ['check', 'faulty-counter', '-p', `fault=${fault}`, '--mode', mode, '--out', out, '--quiet'];
        const r = await run(...args, ...(mode === 'random' ? ['--seed', '7', '--runs', '50', '--steps', '10'] : []));
        expect(r.code).toBe(2);
        // stdout: the verdict names the culprit and its location, then the trace to the state.
        expect(r.out).toMatch(/✗ error in the model after \d+ steps?: /);
        expect(r.out).toContain(culprit);
        expect(r.out).toContain(faultLine(fault));
        expect(r.out).toMatch(message);
        expect(r.out).not.toMatch(/violation of (invariant|step|actions|property)\b/);
        // stderr: one line, the same culprit, and the trace file.
        const errLines = r.err.trim().split('\n');
        expect(errLines).toHaveLength(1);
        expect(r.err).toContain(culprit);
        expect(r.err).toContain(faultLine(fault));
        expect(r.err).toContain(`(trace: ${out})`);
        // The trace file records the culprit and replays to the same error (exit 2 again).
        const file = JSON.parse(readFileSync(out, 'utf8')) as { violation: { kind: string; culprit: string; at: string } };
        expect(file.violation.kind).toBe('error');
        expect(file.violation.culprit).toBe(name);
        expect(file.violation.at).toContain(faultLine(fault));
        const rp = await run('replay', out);
        expect(rp.code).toBe(2);
        expect(rp.out).toContain('still fails');
        expect(rp.err).toContain(culprit);
        expect(rp.err).toContain(faultLine(fault));
      });
    }
  }

  it('the trace leads to the state where the invariant threw (shortest, BFS)', async () => {
    const r = await run('check', 'faulty-counter', '-p', 'fault=invariant', '--out', join(dir, 't.json'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/after 2 steps/);
    expect(r.out).toMatch(/ 1\. Inc\(lane 0\)/);
    expect(r.out).toMatch(/ 2\. Inc\(lane 0\)/);
  });

  it('--json reports status "error" with the culprit and its location', async () => {
    const r = await run('check', 'faulty-counter', '-p', 'fault=step', '--out', join(dir, 'j.json'), '--json');
    expect(r.code).toBe(2);
    const o = JSON.parse(r.out) as { status: string; violation: { kind: string; culprit: string; at: string; steps: number } };
    expect(o.status).toBe('error');
    expect(o.violation).toMatchObject({ kind: 'error', culprit: 'step, taking Inc(lane 0)', steps: 1 });
    expect(o.violation.at).toContain(faultLine('step'));
  });

  it('a handler of a protocol on the environment that throws is named by its action and its line', async () => {
    const r = await run('check', 'faulty-token', '-p', 'fault=handler', '--out', join(dir, 'h.json'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/exception in step, taking deliver .*Token\(hops=2\)/);
    expect(r.out).toContain(faultLine('handler'));
    expect(r.out).toMatch(/\(in onMessage\)/);
    expect(r.err).toMatch(/token lost at hop 2/);
  });

  it('a shrunk trace of an exception still names it, and shrink exits 2', async () => {
    const out = join(dir, 's.json');
    await run('check', 'faulty-counter', '-p', 'fault=property', '-p', 'width=3', '--mode', 'random', '--seed', '3', '--runs', '20', '--steps', '30', '--out', out, '--quiet');
    const r = await run('shrink', out, '--out', join(dir, 's.min.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exception in transition property one-at-a-time at /);
    expect(r.err).toContain(faultLine('property'));
    expect(existsSync(join(dir, 's.min.json'))).toBe(true);
  });

  it('the correct fixture holds (the faults, not the fixture, make the errors)', async () => {
    const r = await run('check', 'faulty-counter', '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓ holds');
    const t = await run('check', 'faulty-token', '-p', 'crashes=1', '--quiet');
    expect(t.code).toBe(0);
  });
});

describe('a model that throws while it is built', () => {
  it('is an error of the model with its file:line, exit 2, not an internal error', async () => {
    const r = await run('check', 'faulty-counter', '-p', 'fault=build', '--out', join(dir, 'never.json'));
    expectInputError(r, /^dscheck: error in the model: no counter with 1 lanes today at /);
    expect(r.err).toContain(faultLine('counter'));
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a missing handler is found before the search', () => {
  it('no onRestart with crashes > 0: named, with the line that built the machine, exit 2, nothing explored', async () => {
    const out = join(dir, 'never.json');
    const r = await run('check', 'faulty-token', '-p', 'fault=no-restart', '-p', 'crashes=1', '--out', out);
    expectInputError(r, /protocol faulty-token has no onRestart handler, needed for restart actions/);
    expect(r.err).toContain(faultLine('build'));
    expect(r.err).not.toMatch(/is not a function/);
    expect(r.out).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('without crashes, no restart action exists and the same protocol runs', async () => {
    const r = await run('check', 'faulty-token', '-p', 'fault=no-restart', '--quiet');
    expect(r.code).toBe(0);
  });
});

describe('fail fast: bad output paths, exit 2 before any search, no file left behind', () => {
  /** A huge space: the search would take very long, and CALLS would count its steps. */
  const BIG = ['check', 'faulty-counter', '-p', 'limit=1000', '-p', 'width=16', '--quiet'];

  const badPaths = (): [string, string, RegExp][] => {
    writeFileSync(join(dir, 'file.txt'), 'x');
    mkdirSync(join(dir, 'adir'));
    return [
      ['a directory', join(dir, 'adir'), /is a directory/],
      ['under a file', join(dir, 'file.txt', 'out.json'), /cannot be written: .*file\.txt is not a directory/],
      ['deep under a file', join(dir, 'file.txt', 'a', 'b', 'out.json'), /cannot be written: .*file\.txt is not a directory/],
    ];
  };

  for (const flag of ['--out', '--report-out', '--out-itf'] as const) {
    for (const mode of ['bfs', 'random'] as const) {
      it(`check ${flag} (${mode})`, async () => {
        for (const [what, path, msg] of badPaths()) {
          const before = readdirSync(dir).sort();
          const r = await run(...BIG, '--mode', mode, flag, path, ...(mode === 'random' ? ['--seed', '1'] : []));
          expectInputError(r, new RegExp(`${flag} .*${msg.source}`));
          expect(CALLS.step, what).toBe(0);
          expect(CALLS.actions, what).toBe(0);
          expect(r.out, what).toBe('');
          expect(readdirSync(dir).sort(), what).toEqual(before);
          expect(readdirSync(join(dir, 'adir'))).toEqual([]);
        }
      });
    }
  }

  /** A real failing trace to shrink and report on. */
  async function traceFile(): Promise<string> {
    const t = join(dir, 'in', 'cx.json');
    const r = await run('check', 'twophase', '-p', 'bug=commit-unprepared', '-i', 'tc-consistent', '--out', t, '--quiet');
    expect(r.code).toBe(1);
    return t;
  }

  it('shrink --out', async () => {
    const t = await traceFile();
    for (const [what, path, msg] of badPaths()) {
      const before = readdirSync(dir).sort();
      const r = await run('shrink', t, '--out', path);
      expectInputError(r, new RegExp(`--out .*${msg.source}`));
      expect(r.out, what).toBe('');
      expect(readdirSync(dir).sort(), what).toEqual(before);
      expect(readdirSync(join(dir, 'in')), what).toEqual(['cx.json']);
    }
  });

  for (const flag of ['--out', '--out-itf'] as const) {
    it(`report ${flag}`, async () => {
      const t = await traceFile();
      for (const [what, path, msg] of badPaths()) {
        const before = readdirSync(dir).sort();
        const r = await run('report', t, flag, path);
        expectInputError(r, new RegExp(`${flag} .*${msg.source}`));
        expect(r.out, what).toBe('');
        expect(readdirSync(dir).sort(), what).toEqual(before);
        expect(readdirSync(join(dir, 'in')), what).toEqual(['cx.json']);
      }
    });
  }

  it('history --report-out', async () => {
    const h = join(dir, 'h.json');
    writeFileSync(h, JSON.stringify({ model: 'register', history: [] }));
    for (const [what, path, msg] of badPaths()) {
      const before = readdirSync(dir).sort();
      const r = await run('history', h, '--report-out', path);
      expectInputError(r, new RegExp(`--report-out .*${msg.source}`));
      expect(readdirSync(dir).sort(), what).toEqual(before);
    }
  });

  it('a good path in a folder that does not exist yet is fine: the folders are made when writing', async () => {
    const out = join(dir, 'new', 'deeper', 'cx.json');
    const r = await run('check', 'twophase', '-p', 'bug=commit-unprepared', '--out', out, '--quiet');
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(true);
  });
});

describe('fail fast: --seed/--path replay', () => {
  const RANDOM = ['check', 'faulty-counter', '-p', 'limit=1000', '-p', 'width=16', '--mode', 'random', '--quiet'];

  it('--path without --steps: exit 2 before the run, the line says what to add', async () => {
    const r = await run(...RANDOM, '--seed', '42', '--path', '3:0:1');
    expectInputError(r, /--path needs the --steps of the run it came from/);
    expect(CALLS.step + CALLS.actions).toBe(0);
    expect(r.out).toBe('');
  });

  it('a malformed --path: exit 2 before the run', async () => {
    const r = await run(...RANDOM, '--seed', '42', '--path', '3:x', '--steps', '10');
    expectInputError(r, /--path must look like 12:0:3/);
    expect(CALLS.step + CALLS.actions).toBe(0);
  });

  it('an out-of-range --path: exit 2 before the run, not "no violation in 0 runs"', async () => {
    // A path whose first shrink step exists but whose next index is past the last candidate.
    const r = await run(...RANDOM, '--seed', '42', '--path', '0:0:99999999', '--steps', '10');
    expectInputError(r, /--path 0:0:99999999 names no run with --seed 42 and --steps 10/);
    expect(r.out).not.toMatch(/no violation in 0 runs/);
    expect(CALLS.step + CALLS.actions).toBe(0);
  });

  it('a path taken with other --steps: exit 2, not an internal error', async () => {
    const out = join(dir, 'r.json');
    const found = await run('check', 'faulty-counter', '-p', 'fault=step', '-p', 'width=4', '--mode', 'random', '--seed', '5', '--steps', '40', '--json', '--out', out);
    const o = JSON.parse(found.out) as { path: string; seed: number };
    expect(o.path).toMatch(/^\d+(:\d+)*$/);
    const again = await run('check', 'faulty-counter', '-p', 'fault=step', '-p', 'width=4', '--mode', 'random', '--seed', String(o.seed), '--path', o.path, '--steps', '40', '--out', join(dir, 'r2.json'), '--quiet');
    expect(again.code).toBe(2); // the same exception, replayed
    expect(again.err).toMatch(/exception in step, taking Inc/);
    CALLS.step = 0;
    CALLS.actions = 0;
    const wrong = await run('check', 'faulty-counter', '-p', 'fault=step', '-p', 'width=4', '--mode', 'random', '--seed', String(o.seed), '--path', o.path, '--steps', '3', '--out', join(dir, 'r3.json'));
    if (wrong.code === 2 && /names no run/.test(wrong.err)) {
      expectInputError(wrong, /names no run with --seed/);
      expect(CALLS.step + CALLS.actions).toBe(0);
    } else {
      // The shorter schedule happens to exist: it is replayed and the outcome said plainly.
      expect(wrong.err).not.toMatch(/internal error/);
      expect([0, 2]).toContain(wrong.code);
    }
  });

  it('a path that replays a passing run says so plainly', async () => {
    const r = await run('check', 'twophase', '--mode', 'random', '--seed', '42', '--path', '3', '--steps', '200', '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/■ the run at seed 42, path 3 does not fail: every check holds on its \d+ steps/);
  });
});

describe('repeated flags and parameters', () => {
  const cases: [string, string[], RegExp][] = [
    ['a repeated --param key', ['check', 'twophase', '-p', 'rms=3', '-p', 'rms=4'], /--param rms is given twice \(rms=3 and rms=4\)/],
    ['--param and -p for the same key', ['check', 'twophase', '--param', 'bug=none', '-p', 'bug=commit-unprepared'], /--param bug is given twice/],
    ['a repeated --mode', ['check', 'twophase', '--mode', 'bfs', '--mode', 'dfs'], /option --mode is given twice/],
    ['a repeated --max-depth', ['check', 'twophase', '--max-depth', '3', '--max-depth=4'], /option --max-depth is given twice/],
    ['a repeated bool flag', ['check', 'twophase', '--exact', '--exact'], /option --exact is given twice/],
    ['a repeated --out', ['shrink', 'x.json', '--out', 'a.json', '--out', 'b.json'], /option --out is given twice/],
    ['a repeated --json', ['list', '--json', '--json'], /option --json is given twice/],
  ];
  for (const [what, argv, msg] of cases) {
    it(`${what}: exit 2`, async () => {
      const r = await run(...argv);
      expectInputError(r, msg);
      expect(r.out).toBe('');
    });
  }

  it('a repeated --invariant (a list flag) is still fine', async () => {
    const r = await run('check', 'twophase', '-i', 'tc-consistent', '-i', 'type-ok', '--quiet');
    expect(r.code).toBe(0);
  });
});

/** The flags a command's parser accepts, from its own "unknown option" error. */
async function parserFlags(command: string): Promise<string[]> {
  const r = await run(command, '--no-such-flag-anywhere');
  expect(r.code).toBe(2);
  const m = /valid: (.*)$/.exec(r.err.trim());
  expect(m, r.err).not.toBeNull();
  return m![1]!.split(', ').sort();
}

/** The `--flags` a text lists. */
function listedFlags(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((x) => `--${x[1]}`))].sort();
}

describe('--help', () => {
  for (const command of COMMAND_NAMES) {
    it(`dscheck ${command} --help and -h print its usage, exit 0`, async () => {
      for (const h of ['--help', '-h']) {
        const r = await run(command, h);
        expect(r.code).toBe(0);
        expect(r.err).toBe('');
        expect(r.out).toMatch(new RegExp(`^usage: dscheck ${command}`));
        expect(r.out).toContain('exit codes:');
      }
      const after = await run(command, 'some-arg', '--help');
      expect(after.code).toBe(0);
      expect(after.out).toMatch(new RegExp(`^usage: dscheck ${command}`));
      const viaHelp = await run('help', command);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.out).toMatch(new RegExp(`^usage: dscheck ${command}`));
    });

    it(`dscheck ${command} --help lists exactly the flags its parser accepts`, async () => {
      const accepted = await parserFlags(command);
      const help = (await run(command, '--help')).out;
      expect(listedFlags(help)).toEqual(accepted);
    });
  }

  it('check --help lists the short aliases -p, -i and -h', async () => {
    const help = (await run('check', '--help')).out;
    for (const a of ['-p, --param', '-i, --invariant', '-h, --help']) expect(help).toContain(a);
  });

  it('dscheck --help lists every command and every exit code', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const c of COMMAND_NAMES) expect(r.out).toContain(`dscheck ${c}`);
    for (const [code] of EXIT_CODES) expect(r.out).toMatch(new RegExp(`^\\s+${code}  `, 'm'));
  });

  it('each command\'s help lists the exit codes it can return', async () => {
    const codes = (t: string) => [...t.matchAll(/^\s+(\d+)  /gm)].map((x) => Number(x[1]));
    expect(codes((await run('check', '--help')).out)).toEqual([0, 1, 2, 70, 130]);
    expect(codes((await run('history', '--help')).out)).toEqual([0, 1, 2, 3, 70]);
    expect(codes((await run('replay', '--help')).out)).toEqual([0, 1, 2, 70]);
  });
});

describe('the README documents the CLI', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## The CLI\n'), readme.indexOf('\n## ', readme.indexOf('\n## The CLI\n') + 5));

  it('lists every flag every command accepts, and no flag that does not exist', async () => {
    const accepted = new Set<string>();
    for (const c of COMMAND_NAMES) for (const f of await parserFlags(c)) accepted.add(f);
    expect(listedFlags(section)).toEqual([...accepted].sort());
  });

  it('documents every exit code', () => {
    for (const [code] of EXIT_CODES) expect(section).toMatch(new RegExp(`\\| ${code} \\|`));
  });
});

describe('where an error comes from (impl/core/culprit.ts)', () => {
  it('an error thrown in the checker is not blamed on the model; the callers of the entry point are not looked at', async () => {
    const { userCodeLocation, userLocation } = await import('../../impl/core/culprit.ts');
    const { selectChecks } = await import('../../impl/core/result.ts');
    const { makeTwoPhase } = await import('../../specs/models/twophase.ts');
    let err: unknown;
    try {
      selectChecks(makeTwoPhase(2, 'none'), ['nope']);
    } catch (e) {
      err = e;
    }
    const self = fileURLToPath(import.meta.url);
    // Thrown in impl/core/result.ts (the checker); the first frame outside it is this test, its caller.
    expect(userCodeLocation(err)).toContain(`${relative(process.cwd(), self)}:`);
    // With this file as the entry point, nothing of the user's code is left: dscheck's own error.
    expect(userCodeLocation(err, self)).toBeUndefined();
    // userLocation is the same when the user's code is on the stack.
    expect(userLocation(err)).toBe(userCodeLocation(err));
  });
});

describe('frontier and spill options', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown --frontier kind', ['check', 'twophase', '--frontier', 'compact'], /--frontier takes auto, encoded or objects, got 'compact'/],
    ['--frontier encoded on a model that cannot decode', ['check', 'tcommit', '--frontier', 'encoded'], /model tcommit cannot hold its frontier encoded: it has no (decode|encode\/decode)/],
    ['--frontier with dfs', ['check', 'twophase', '--mode', 'dfs', '--frontier', 'objects'], /--frontier applies to --mode bfs/],
    ['--frontier with random', ['check', 'twophase', '--mode', 'random', '--frontier', 'objects'], /--frontier applies to --mode bfs or dfs only/],
    ['--frontier-memory 0', ['check', 'twophase', '--frontier-memory', '0'], /--frontier-memory must be an integer ≥ 1, got '0'/],
    ['a --spill-dir that does not exist', ['check', 'twophase', '--spill-dir', '/nonexistent/dscheck-spill'], /--spill-dir \/nonexistent\/dscheck-spill does not exist/],
  ];
  for (const [what, argv, msg] of cases) {
    it(`${what}: exit 2, nothing run`, async () => {
      const r = await run(...argv);
      expectInputError(r, msg);
      expect(r.out).toBe('');
    });
  }

  it('a --spill-dir that is a file: exit 2', async () => {
    const file = join(dir, 'f');
    writeFileSync(file, 'x');
    const r = await run('check', 'twophase', '--spill-dir', file);
    expectInputError(r, /is not a directory/);
  });

  it('--frontier objects and a spill folder run as usual, and the folder is left empty', async () => {
    const r = await run('check', 'twophase', '-p', 'rms=3', '--frontier', 'objects', '--spill-dir', dir, '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/holds/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
