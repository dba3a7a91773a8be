/**
 * The CLI in-process: exit codes, output, trace files, and bad input.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as run } from './testing.ts';


let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dscheck-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('dscheck list', () => {
  it('lists models with parameters, checks and bugs', async () => {
    const r = await run('list');
    expect(r.code).toBe(0);
    expect(r.out).toContain('twophase:');
    expect(r.out).toContain('rms=3 (1..16)');
    expect(r.out).toContain('tc-consistent');
    expect(r.out).toContain('commit-unprepared');
  });
});

describe('dscheck check', () => {
  it('exit 0 and "holds" when the whole space is explored', async () => {
    const r = await run('check', 'twophase', '--param', 'rms=3');
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓ holds: every check holds on all 288 reachable states');
  });

  it('never says "holds" or "verified" when a bound cut the search', async () => {
    const r = await run('check', 'twophase', '-p', 'rms=5', '--max-depth', '4');
    expect(r.code).toBe(0);
    expect(r.out).toContain('no violation within bounds: the depth bound (4)');
    expect(r.out).not.toMatch(/holds:|verified/);
  });

  it('exit 1 on a violation, prints numbered steps and writes the trace as JSON', async () => {
    const out = join(dir, 'cx.json');
    const r = await run('check', 'twophase', '-p', 'bug=commit-unprepared', '-i', 'tc-consistent', '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ violation of tc-consistent after 7 steps');
    expect(r.out).toMatch(/ 5\. TMCommit\n/);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { format: string; version: number; model: string; steps: unknown[]; violation: { name: string } };
    expect(file).toMatchObject({ format: 'dscheck-trace', version: 1, model: 'twophase', violation: { name: 'tc-consistent' } });
    expect(file.steps).toHaveLength(7);
  });

  it('--json prints one machine-readable object', async () => {
    const r = await run('check', 'tcommit', '--json');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out) as { status: string; stats: { states: number } };
    expect(o.status).toBe('exhausted');
    expect(o.stats.states).toBe(34);
  });

  it('dfs mode finds the bug too', async () => {
    const r = await run('check', 'twophase', '-p', 'bug=abort-after-prepare', '--mode', 'dfs', '--out', join(dir, 'd.json'));
    expect(r.code).toBe(1);
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown model', ['check', 'nosuch'], /unknown model 'nosuch'; valid: .*twophase/],
    ['unknown parameter', ['check', 'twophase', '-p', 'nodes=3'], /unknown parameter 'nodes'.*valid: rms, symmetry, bug/],
    ['out-of-range value', ['check', 'twophase', '-p', 'rms=99'], /rms must be an integer in 1..16/],
    ['malformed value', ['check', 'twophase', '-p', 'rms=three'], /rms must be an integer/],
    ['unknown bug', ['check', 'twophase', '-p', 'bug=nope'], /bug must be one of none, commit-unprepared/],
    ['unknown invariant', ['check', 'twophase', '-i', 'nope'], /unknown invariant 'nope'.*valid: type-ok/],
    ['unknown mode', ['check', 'twophase', '--mode', 'sideways'], /--mode must be one of/],
    ['impossible bound', ['check', 'twophase', '--max-states', '0'], /--max-states must be an integer ≥ 1/],
    ['bad time limit', ['check', 'twophase', '--time-limit', 'soon'], /--time-limit must be a positive number/],
    ['unknown option', ['check', 'twophase', '--fast'], /unknown option '--fast'/],
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [what, argv, msg] of bad) {
    it(`${what}: one line on stderr, exit 2, no file written`, async () => {
      const out = join(dir, 'never.json');
      const r = await run(...argv, ...(argv[0] === 'check' ? ['--out', out] : []));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });
  }
});
