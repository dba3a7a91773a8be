/**
 * Every known-bug variant, found by the command a user types, in a process of its own: `dscheck
 * check MODEL -p bug=NAME --quiet` through the package's bin (`checks/cli/dscheck.mjs`), with the
 * default workers (every core). `variants.test.ts` runs the same checks through `main` in-process;
 * this file adds what only a real process shows: its exit code, the worker threads' start and
 * stop, and the process ending only once the verdict is printed. (A search that finished while
 * its workers were still loading once ended the process with Node's exit code 13 and no verdict,
 * for `multipaxos -p bug=skip-recovery`, some of the time. That was intermittent, and one run of
 * this file with the defect put back did not show it: this file runs the path, it does not
 * reliably catch that defect.)
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'checks', 'cli', 'dscheck.mjs');

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Run the bin as a user's shell would (the tests' environment, without vitest's own variables). */
function dscheck(...args: string[]): Promise<Ran> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VITEST|NODE_OPTIONS$|npm_)/i.test(k)) env[k] = v;
  return new Promise((done, fail) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 24, timeout: 600_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') fail(error);
      else done({ code: error === null ? 0 : (error.code as number), out: stdout, err: stderr });
    });
  });
}

const listed = await dscheck('list', '--json');
const models = JSON.parse(listed.out) as { readonly name: string; readonly bugs: Readonly<Record<string, { readonly breaks: readonly string[] }>> }[];
const variants = models.flatMap((m) => Object.entries(m.bugs).map(([bug, spec]) => ({ model: m.name, bug, breaks: spec.breaks })));

describe('every known-bug variant is found by `dscheck check MODEL -p bug=NAME` run as a process', () => {
  it('list --json, run as a process, lists the variants', () => {
    expect(listed.code).toBe(0);
    // 60 when this test was written; more may come.
    expect(variants.length).toBeGreaterThanOrEqual(60);
  });

  for (const { model, bug, breaks } of variants) {
    it(`${model} -p bug=${bug}`, { timeout: 600_000 }, async () => {
      const r = await dscheck('check', model, '-p', `bug=${bug}`, '--quiet');
      const line = r.out.split('\n').find((l) => l.includes('known bug'));
      expect(line, `${model} ${bug} exited ${r.code}, printing:\n${r.out}\n${r.err}`).toMatch(/as the variant declares$/);
      expect(breaks.some((c) => line!.includes(`: ${c} broken`)), line).toBe(true);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toBe('');
    });
  }
});
