/**
 * The README's section "Exactly-once is an illusion" shows one counterexample per known-bug
 * variant of the delivery models, pasted from the CLI. This keeps it true: every command in the
 * section runs through the real CLI, exits 1 with the violation the variant declares, and its
 * pasted block (the verdict line, the broken invariant, the message-sequence diagram) is what
 * the CLI prints now, line for line. Every variant of the four models has its trace there.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/testing.ts';
import { cdcModel, deliveryModel, outboxModel, sagaModel } from '../../specs/models/delivery.ts';

const dir = mkdtempSync(join(tmpdir(), 'dscheck-delivery-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('<!-- exactly-once:start');
const end = readme.indexOf('<!-- exactly-once:end -->');
const section = readme.slice(start, end);

/** Each `npx dscheck check …` command of the section with the text block that follows it. */
const examples = [...section.matchAll(/```sh\nnpx dscheck (check [^\n]*)\n```\n\n```\n([\s\S]*?)\n```/g)].map((m) => ({ args: m[1]!.split(' '), pasted: m[2]! }));

/** What the README pastes of a CLI run: the verdict, the broken check, the diagram. */
function excerpt(lines: readonly string[]): string {
  const verdict = lines.find((l) => l.startsWith('✗ violation'));
  const broken = lines.find((l) => l.startsWith('  ✗ invariant') || l.startsWith('  ✗ property'));
  const from = lines.indexOf('message-sequence diagram:');
  const diagram: string[] = [];
  for (const l of lines.slice(from + 1)) {
    if (l === '' || l.startsWith('  sometimes')) break;
    diagram.push(l);
  }
  return [verdict, broken, ...diagram].join('\n');
}

describe('README: exactly-once is an illusion', () => {
  it('the section exists and shows one trace for each known-bug variant of the delivery models', () => {
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const shown = examples.map((e) => `${e.args[1]}/${e.args.at(-1)}`).sort();
    const declared = [deliveryModel, outboxModel, cdcModel, sagaModel].flatMap((m) => Object.keys(m.bugs).map((b) => `${m.name}/bug=${b}`)).sort();
    expect(shown).toEqual(declared);
  });

  it.each(examples.map((e) => [e.args.join(' '), e] as const))('dscheck %s: exit 1, the declared violation, the pasted trace', async (_name, e) => {
    const r = await runCli(...e.args, '--out', join(dir, `${e.args[1]}-${e.args.at(-1)!.slice(4)}.json`));
    expect(r.code).toBe(1);
    const model = [deliveryModel, outboxModel, cdcModel, sagaModel].find((m) => m.name === e.args[1])!;
    const bug = e.args.at(-1)!.slice('bug='.length);
    const verdict = /^✗ violation of (\S+) after \d+ steps:$/.exec(e.pasted.split('\n')[0]!);
    expect(verdict).not.toBeNull();
    expect(model.bugs[bug]!.breaks).toContain(verdict![1]);
    expect(r.lines.at(-1)).toBe(`known bug ${bug} found: ${verdict![1]} broken, as the variant declares`);
    expect(excerpt(r.out.split('\n'))).toBe(e.pasted);
  }, 120_000);
});
