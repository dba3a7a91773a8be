/**
 * The CLI, in process: `dscheck check --mode random`, `dscheck replay`, `dscheck shrink`, and
 * their handling of bad files (exit 2, one line, nothing written).
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { explore } from '../exhaustive.ts';
import { toTraceFile, type TraceFile } from '../../impl/core/trace.ts';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import { isOneMinimal, padTrace, tempDir } from './helpers.ts';

let stderr: string[] = [];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function run(...argv: string[]): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, (l) => lines.push(l));
  return { code, lines, text: lines.join('\n') };
}

const BUG = ['--param', 'bug=commit-unprepared'];

/** A padded (non-minimal) failing trace file of TwoPhase commit-unprepared. */
function paddedFile(dir: string): { path: string; steps: number } {
  const m = makeTwoPhase(3, 'commit-unprepared');
  const v = explore(m).violation!;
  const padded = padTrace(m, 0, v.trace.steps.map((s) => s.action), v, 1);
  let s = v.trace.init;
  const steps = padded.map((a) => {
    const idx = m.actions(s).indexOf(a);
    s = m.step(s, a);
    return { action: a, actionIndex: idx, state: s };
  });
  const file = toTraceFile(m, 'twophase', { rms: 3, bug: 'commit-unprepared' }, { runner: 'user' }, { initIndex: 0, init: v.trace.init, steps }, v);
  const path = join(dir, 'padded.json');
  writeFileSync(path, JSON.stringify(file, null, 2));
  return { path, steps: steps.length };
}

describe('dscheck check --mode random', () => {
  test('a violation: seed printed first, trace file with seed, path and swarm mix; same seed → same file', async () => {
    const dir = tempDir();
    const a = await run('check', 'twophase', ...BUG, '--mode', 'random', '--seed', '5', '--steps', '60', '--runs', '5000', '--out', join(dir, 'a.json'));
    expect(a.code).toBe(1);
    expect(a.lines[0]).toBe('seed 5');
    expect(a.text).toMatch(/^seed 5 · path \d+(:\d+)*$/m);
    expect(a.text).toMatch(/✗ violation of \S+ after \d+ steps:/);
    const file = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as TraceFile;
    expect(file.origin).toMatchObject({ runner: 'random', seed: 5, maxSteps: 60 });
    const origin = file.origin as unknown as { path: string; swarm: { kinds: string[]; excluded: string[] } };
    expect(origin.path).toMatch(/^\d+(:\d+)*$/);
    expect(origin.swarm.kinds).toContain('TMCommit');
    expect(a.text).toContain(`--seed 5 --path ${origin.path} --steps 60`);
    const b = await run('check', 'twophase', ...BUG, '--mode', 'random', '--seed', '5', '--steps', '60', '--runs', '5000', '--out', join(dir, 'b.json'));
    expect(b.code).toBe(1);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8'));
    // --seed with --path replays that one run: the same file again.
    const c = await run('check', 'twophase', ...BUG, '--mode', 'random', '--seed', '5', '--path', origin.path, '--steps', '60', '--out', join(dir, 'c.json'));
    expect(c.code).toBe(1);
    expect(readFileSync(join(dir, 'c.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8'));
  });

  test('a clean finish: "no violation in N runs of up to M steps (seed S)", exit 0', async () => {
    const r = await run('check', 'twophase', '--mode', 'random', '--seed', '3', '--runs', '200', '--steps', '30');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('seed 3');
    expect(r.text).toMatch(/■ no violation in 200 runs of up to 30 steps over \d+ configurations drawn from the seed \(seed 3\)/);
    expect(r.text).toMatch(/sometimes all-committed: reached/);
    const fixed = await run('check', 'twophase', '--mode', 'random', '--seed', '3', '--runs', '200', '--steps', '30', '--fixed-config');
    expect(fixed.code).toBe(0);
    expect(fixed.text).toContain('■ no violation in 200 runs of up to 30 steps (seed 3)');
  });

  test('--json puts the seed and path first', async () => {
    const dir = tempDir();
    const r = await run('check', 'twophase', ...BUG, '--mode', 'random', '--seed', '8', '--steps', '60', '--runs', '5000', '--json', '--out', join(dir, 'j.json'));
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    const j = JSON.parse(r.lines[0]!) as Record<string, unknown>;
    expect(Object.keys(j).slice(0, 2)).toEqual(['seed', 'path']);
    expect(j['seed']).toBe(8);
    expect(j['status']).toBe('violation');
    expect(existsSync(join(dir, 'j.json'))).toBe(true);
  });

  test('flags of the other mode family, and --path without --seed, are input errors', async () => {
    expect((await run('check', 'twophase', '--mode', 'random', '--max-depth', '3')).code).toBe(2);
    expect((await run('check', 'twophase', '--runs', '3')).code).toBe(2);
    expect((await run('check', 'twophase', '--mode', 'random', '--path', '1:2')).code).toBe(2);
    expect((await run('check', 'twophase', '--mode', 'random', '--seed', 'x')).code).toBe(2);
    expect(stderr.every((l) => l.startsWith('dscheck: ') && l.trimEnd().split('\n').length === 1)).toBe(true);
  });
});

describe('dscheck replay and shrink', () => {
  test('replay: exit 1 when the violation still occurs, as recorded', async () => {
    const dir = tempDir();
    const f = join(dir, 'r.json');
    expect((await run('check', 'twophase', ...BUG, '--mode', 'random', '--seed', '4', '--steps', '60', '--runs', '5000', '--out', f)).code).toBe(1);
    const recorded = JSON.parse(readFileSync(f, 'utf8')) as TraceFile;
    const r = await run('replay', f);
    expect(r.code).toBe(1);
    expect(r.text).toContain(`✗ still fails: `);
    expect(r.text).toContain(`at step ${recorded.steps.length}, as recorded`);
    const j = await run('replay', f, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.lines[0]!)).toMatchObject({ status: 'reproduced', violation: { name: recorded.violation!.name, step: recorded.steps.length } });
  });

  test('shrink: writes a 1-minimal trace (default <input>.min.json) and reports both lengths', async () => {
    const dir = tempDir();
    const { path, steps } = paddedFile(dir);
    const r = await run('shrink', path);
    expect(r.code).toBe(1);
    const min = join(dir, 'padded.min.json');
    expect(existsSync(min)).toBe(true);
    const file = JSON.parse(readFileSync(min, 'utf8')) as TraceFile;
    expect(r.text).toContain(`✗ shrunk ${steps} → ${file.steps.length} steps`);
    expect(file.steps.length).toBeLessThan(steps);
    expect(file.origin).toMatchObject({ runner: 'shrink', source: 'user', lengthBefore: steps, lengthAfter: file.steps.length });
    const m = makeTwoPhase(3, 'commit-unprepared');
    expect(isOneMinimal(m, 0, file.steps.map((s) => s.action), file.violation!)).toBe(true);
    // The minimal file replays.
    expect((await run('replay', min)).code).toBe(1);
    // --out and --json.
    const out = join(dir, 'other.json');
    const j = await run('shrink', path, '--out', out, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.lines[0]!)).toMatchObject({ status: 'shrunk', lengthBefore: steps, lengthAfter: file.steps.length, out });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(min, 'utf8'));
  });

  test('a trace that no longer fails: replay and shrink exit 0, and shrink writes nothing', async () => {
    const dir = tempDir();
    const m = makeTwoPhase(3);
    const v = explore(makeTwoPhase(3, 'commit-unprepared')).violation!;
    // The first steps of the bug's trace are valid in the correct model, where nothing breaks.
    const trace = { initIndex: 0, init: v.trace.init, steps: v.trace.steps.slice(0, 3) };
    const file = toTraceFile(m, 'twophase', { rms: 3 }, { runner: 'user' }, trace, { kind: 'invariant', name: 'tc-consistent', message: '' });
    const f = join(dir, 'fixed.json');
    writeFileSync(f, JSON.stringify(file));
    const r = await run('replay', f);
    expect(r.code).toBe(0);
    expect(r.text).toContain('✓ no longer fails');
    const out = join(dir, 'fixed.out.json');
    const s = await run('shrink', f, '--out', out);
    expect(s.code).toBe(0);
    expect(s.text).toContain('no longer fails');
    expect(s.text).toContain('no file written');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'fixed.min.json'))).toBe(false);
  });

  describe('bad files: exit 2, one line, no file left behind', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const v = explore(m).violation!;
    const good = toTraceFile(m, 'twophase', { rms: 3, bug: 'commit-unprepared' }, { runner: 'bfs' }, v.trace, v);
    const edit = (f: (x: Record<string, unknown>) => void): string => {
      const x = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
      f(x);
      return JSON.stringify(x);
    };
    const cases: [string, string, RegExp][] = [
      ['malformed JSON', '{ "format": ', /not valid JSON/],
      ['wrong version', edit((x) => { x['version'] = 2; }), /version 2 is not supported/],
      ['unknown model', edit((x) => { x['model'] = 'raft9'; }), /unknown model 'raft9'; valid: /],
      ['unknown action', edit((x) => { (x['steps'] as { action: unknown }[])[2]!.action = { type: 'Teleport', rm: 1 }; }), /step 3: action .*Teleport.* is not enabled .*; enabled: /],
    ];
    test.each(cases)('%s', async (_name, text, re) => {
      const dir = tempDir();
      const f = join(dir, 'bad.json');
      writeFileSync(f, text);
      const out = join(dir, 'out.json');
      for (const argv of [['replay', f], ['shrink', f, '--out', out], ['shrink', f]]) {
        stderr = [];
        const r = await run(...argv);
        expect(r.code).toBe(2);
        expect(r.lines).toEqual([]);
        const err = stderr.join('');
        expect(err).toMatch(/^dscheck: /);
        expect(err).toMatch(re);
        expect(err.trimEnd().split('\n')).toHaveLength(1);
      }
      expect(existsSync(out)).toBe(false);
      expect(existsSync(join(dir, 'bad.min.json'))).toBe(false);
    });

    test('a missing file', async () => {
      const r = await run('replay', join(tempDir(), 'nope.json'));
      expect(r.code).toBe(2);
      expect(stderr.join('')).toMatch(/cannot read trace file .*nope\.json \(ENOENT\)/);
    });
  });
});
