/**
 * The shipped recipes run as written (with a smaller run count): the Kubernetes Indexed Job's
 * command for every JOB_COMPLETION_INDEX, the GitHub Actions matrix's shard and merge steps, and
 * vitest's --shard over the random-runner suite. Each sharded run merged equals the unsharded run.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HERE = import.meta.dirname;
const ROOT = join(HERE, '../..');
const CLI = join(ROOT, 'checks/cli/dscheck.mjs');

/**
 * The recipe's command, made small: fewer runs and steps, the local CLI instead of npx, and one
 * worker per shard (results do not depend on the worker count: checks/parallel/random.test.ts).
 */
function small(cmd: string): string {
  return cmd.replace(/npx dscheck/g, `node ${CLI}`).replace('--workers 2', '--workers 1').replace('--runs 40000', '--runs 400').replace('--steps 200', '--steps 30').replace('rms=5', 'rms=3');
}

function sh(script: string, cwd: string, env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = spawnSync('sh', ['-c', script], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The summary of the same run unsharded. */
function unsharded(cwd: string): unknown {
  const r = sh(small(`npx dscheck check twophase --param rms=5 --mode random --runs 40000 --steps 200 --seed 42 --workers 1 --json --quiet`), cwd);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { blocks: { summary: unknown } }).blocks.summary;
}

describe('recipes', () => {
  test('Kubernetes Indexed Job: 4 pods (JOB_COMPLETION_INDEX 0..3), then merge = the unsharded run', () => {
    const yaml = readFileSync(join(HERE, 'k8s-indexed-job.yaml'), 'utf8');
    const line = /^\s*- (npx dscheck check .*)$/m.exec(yaml)![1]!;
    expect(line).toContain('JOB_COMPLETION_INDEX');
    const out = mkdtempSync(join(tmpdir(), 'dscheck-k8s-'));
    for (let i = 0; i < 4; i++) {
      const r = sh(small(line).replaceAll('/out/', `${out}/`), ROOT, { JOB_COMPLETION_INDEX: String(i) });
      expect(r.code, r.err).toBe(0);
    }
    const merged = sh(`node ${CLI} merge ${out}/shard-*.json --json`, ROOT);
    expect(merged.code, merged.err).toBe(0);
    expect((JSON.parse(merged.out) as { summary: unknown }).summary).toEqual(unsharded(ROOT));
  }, 300_000);

  test('GitHub Actions matrix: shard steps 1..4, then the merge step = the unsharded run', () => {
    const yml = readFileSync(join(HERE, 'github-actions.yml'), 'utf8');
    const shardStep = /run: (npx dscheck check .*)$/m.exec(yml)![1]!;
    const mergeStep = /run: (npx dscheck merge .*)$/m.exec(yml)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'dscheck-gha-'));
    for (const k of [1, 2, 3, 4]) {
      const r = sh(small(shardStep).replaceAll('${{ matrix.shard }}', String(k)), dir);
      expect(r.code, r.err).toBe(0);
    }
    const merged = sh(small(mergeStep), dir);
    expect(merged.code, merged.err).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as { summary: unknown }).summary).toEqual(unsharded(ROOT));
  }, 300_000);

  test('vitest --shard splits the random-runner suite into disjoint parts that cover it', () => {
    const names: string[][] = [];
    for (const k of [1, 2]) {
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'checks/recipes/random-suite', `--shard=${k}/2`, '--reporter=json'], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { testResults: { assertionResults: { title: string; status: string }[] }[] };
      const titles = report.testResults.flatMap((f) => f.assertionResults.map((a) => `${a.title}:${a.status}`));
      names.push(titles);
    }
    const all = names.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([1, 2, 3, 4].map((i) => `TwoPhase (4 RMs) keeps its invariants, seed ${i}:passed`));
    expect(names[0]!.length).toBeGreaterThan(0);
    expect(names[1]!.length).toBeGreaterThan(0);
  }, 300_000);
});
