/**
 * `dscheck check --workers`: the same verdict, counts and trace file for 1 and 2 workers; input
 * errors on one line with exit 2 before any work.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
