/**
 * The README's failure-detection sections stay true: every `<!-- readme-trace: ARGS -->` marker
 * is followed by a quoted trace; `dscheck ARGS` must exit 1 and print every quoted line, in the
 * quoted order (the quote may leave lines out, never change one).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/testing.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'dscheck-failover-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each marker's command and its quoted lines. */
const quotes = [...readme.matchAll(/<!-- readme-trace: ([^>]*?) -->\n```text\n([\s\S]*?)```/g)].map((m) => ({
  args: m[1]!.trim().split(/\s+/),
  lines: m[2]!.split('\n').filter((l) => l.trim() !== ''),
}));

describe('README: the failover traces are what the CLI prints', () => {
  it('the README quotes the eight traces of the failover sections', () => {
    expect(quotes.length).toBe(8);
    for (const q of quotes) expect(q.lines[0]).toMatch(/^✗ violation of \S+ after \d+ steps:$/);
  });

  quotes.forEach((q, i) => {
    it(`dscheck ${q.args.join(' ')}`, async () => {
      const r = await runCli(...q.args, '--out', join(dir, `t${i}.json`));
      expect(r.code).toBe(1);
      const out = r.lines.flatMap((l) => l.split('\n')).map((l) => l.trimEnd());
      let at = 0;
      for (const line of q.lines) {
        const found = out.indexOf(line.trimEnd(), at);
        expect(found, `not printed (in this order): ${line}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    }, 120_000);
  });
});
