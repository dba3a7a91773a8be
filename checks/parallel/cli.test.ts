/**
 * `dscheck check --workers`: the same verdict, counts and trace file for 1 and 2 workers; input
 * errors on one line with exit 2 before any work.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/testing.ts';

describe('dscheck check --workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dscheck-workers-'));

  test('a known bug: the same trace file, byte for byte, for 1 and 2 workers', async () => {
    const files = [];
    for (const w of ['1', '2']) {
      const out = join(dir, `w${w}.json`);
      const r = await runCli('check', 'twophase', '-p', 'bug=abort-after-prepare', '--workers', w, '--out', out, '--quiet');
      expect(r.code).toBe(1);
      expect(r.out).toContain('✗ violation of');
      files.push(readFileSync(out, 'utf8'));
    }
    expect(files[1]).toBe(files[0]);
  }, 120_000);

  test('--json: the same status and counts; the stats carry workers and peak RSS', async () => {
    const one = JSON.parse((await runCli('check', 'twophase', '-p', 'rms=4', '--workers', '1', '--json')).out) as { status: string; stats: Record<string, unknown> };
    const two = JSON.parse((await runCli('check', 'twophase', '-p', 'rms=4', '--workers', '2', '--json')).out) as { status: string; stats: Record<string, unknown> };
    expect(two.status).toBe('exhausted');
    expect(two.status).toBe(one.status);
    for (const k of ['states', 'transitions', 'statesPerDepth', 'diameter']) expect(two.stats[k]).toEqual(one.stats[k]);
    expect(one.stats['workers']).toBe(1);
    expect(one.stats['peakRssBytes']).toBeGreaterThan(10 * 2 ** 20);
  }, 120_000);

  test('default: every core for BFS (workers started once the search outlasts 200 ms); dfs and exact keys default to one thread', async () => {
    const cores = availableParallelism();
    const def = JSON.parse((await runCli('check', 'twophase', '-p', 'rms=7', '--json')).out) as { status: string; stats: Record<string, unknown> };
    const one = JSON.parse((await runCli('check', 'twophase', '-p', 'rms=7', '--workers', '1', '--json')).out) as { status: string; stats: Record<string, unknown> };
    expect(def.status).toBe('exhausted');
    // TwoPhase-7 (296,448 states) takes seconds in one thread, longer than the workers' start: they take over.
    expect(def.stats['workers']).toBe(cores);
    for (const k of ['states', 'transitions', 'statesPerDepth', 'diameter']) expect(def.stats[k]).toEqual(one.stats[k]);
    for (const flags of [['--exact'], ['--mode', 'dfs']]) {
      const r = JSON.parse((await runCli('check', 'twophase', '-p', 'rms=3', ...flags, '--json')).out) as { status: string; stats: Record<string, unknown> };
      expect(r.status).toBe('exhausted');
      expect(r.stats['workers']).toBe(1);
    }
  }, 180_000);

  test.each([
    [['--workers', '0'], /--workers must be an integer ≥ 1, got '0'/],
    [['--workers', '2.5'], /--workers must be an integer ≥ 1/],
    [['--workers', 'many'], /--workers must be an integer ≥ 1/],
    [['--mode', 'dfs', '--workers', '2'], /dfs is single-threaded/],
    [['--exact', '--workers', '2'], /--exact keeps full keys/],
    [['--shard', '1/2'], /--shard splits random or portfolio runs/],
    [['--mode', 'random', '--shard', '3/2'], /1 ≤ k ≤ n/],
    [['--mode', 'random', '--shard', '1/2', '--path', '0:1', '--seed', '1'], /--path replays one run/],
    [['--mode', 'random', '--shard-out', 'x.json'], /--shard-out goes with --shard/],
  ])('%j: one line on stderr, exit 2, nothing on stdout', async (flags, message) => {
    const r = await runCli('check', 'twophase', ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toBe('');
  });
});
