/**
 * The `dscheck history` command module: exit codes, text and JSON output, and InputError on bad
 * input (the dispatcher turns it into exit 2).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyCommand } from '../cli/history.ts';
import { InputError } from '../../impl/core/machine.ts';
import { corpusRoot } from './corpus.ts';

const corpus = corpusRoot();
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dscheck-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await historyCommand(argv, (l) => lines.push(l));
  return { code, lines };
}

describe('dscheck history', () => {
  it('exit 0 for a linearizable history', async () => {
    const { code, lines } = await run([join(corpus, 'knossos/multi-register/good/multi-register.edn'), '--model', 'multi-register']);
    expect(code).toBe(0);
    expect(lines).toContain('verdict: linearizable');
  });

  it('exit 1 for a failure, with the explanation and a timeline marking the bad read', async () => {
    const { code, lines } = await run([join(corpus, 'knossos/cas-register/bad/rethink-fail-minimal.edn'), '--model', 'cas-register']);
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toContain('verdict: NOT linearizable');
    expect(text).toContain('longest linearizable prefix found: 2 operations');
    expect(text).toMatch(/! p1 read 3 \(lines 4–7\)/);
    expect(lines.some((l) => /^\s+p1\s.*\|=+ read 3 ! =+\|/.test(l))).toBe(true);
  });

  it('detects the etcd format and infers the model', async () => {
    const { code, lines } = await run([join(corpus, 'porcupine/jepsen/etcd_002.log')]);
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('format etcd, model cas-register (inferred');
  });

  it('exit 3 (unknown) when the step bound cuts the search', async () => {
    const { code, lines } = await run([join(corpus, 'porcupine/jepsen/etcd_002.log'), '--max-steps', '50']);
    expect(code).toBe(3);
    expect(lines.join('\n')).toMatch(/verdict: unknown \(the steps bound 50 cut the search/);
  });

  it('--json prints one JSON object with the verdict, stats and explanation', async () => {
    const { code, lines } = await run([join(corpus, 'knossos/cas-register/bad/bad-analysis.edn'), '--json']);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]!) as { verdict: string; model: string; explanation: { blocking: { process: number; op: string } }; timeline: { ops: unknown[] } };
    expect(doc.verdict).toBe('not-linearizable');
    expect(doc.model).toBe('cas-register');
    expect(doc.explanation.blocking).toMatchObject({ process: 21, op: 'read 2' });
    expect(doc.timeline.ops.length).toBeGreaterThan(0);
  });

  it('reads our JSON format', async () => {
    const file = join(dir, 'h.json');
    await writeFile(
      file,
      JSON.stringify({
        format: 'dscheck-history',
        version: 1,
        model: 'register',
        ops: [
          { process: 0, call: 0, return: 1, f: 'write', value: 1 },
          { process: 1, call: 2, return: 3, f: 'read', output: null },
        ],
      }),
    );
    const { code, lines } = await run([file]);
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('p1 read nil');
  });

  it('throws InputError on bad input', async () => {
    await expect(run([join(corpus, 'knossos/cas-register/bad/bad-analysis.edn'), '--model', 'queue'])).rejects.toThrow(/unknown history model 'queue'/);
    await expect(run([join(corpus, 'knossos/cas-register/bad/bad-analysis.edn'), '--format', 'xml'])).rejects.toThrow(/unknown history format 'xml'/);
    await expect(run([join(dir, 'missing.edn')])).rejects.toThrow(/cannot read history file .*no such file/);
    await expect(run([])).rejects.toThrow(/no history file given/);
    await expect(run([join(corpus, 'knossos/cas-register/bad/bad-analysis.edn'), '--time-limit', 'soon'])).rejects.toThrow(/--time-limit must be a positive number/);
    const bad = join(dir, 'bad.edn');
    await writeFile(bad, '[{:process 0 :type :invoke :f :read}\n {:process 0 :type :ok :f :read :value "x}]');
    await expect(run([bad])).rejects.toBeInstanceOf(InputError);
    await expect(run([bad])).rejects.toThrow(/bad\.edn:2:40: unterminated string/);
  });
});

describe('dscheck history --level / --strongest', () => {
  const monotonic = async (): Promise<string> => {
    const file = join(dir, 'monotonic.json');
    await writeFile(
      file,
      JSON.stringify({
        model: 'register',
        ops: [
          { process: 0, call: 0, return: 1, f: 'write', value: 1 },
          { process: 0, call: 2, return: 3, f: 'write', value: 2 },
          { process: 1, call: 4, return: 5, f: 'read', output: 2 },
          { process: 1, call: 6, return: 7, f: 'read', output: 1 },
          { process: 2, call: 10, return: 11, f: 'read', output: 2, node: 'n2' },
          { process: 1, call: 12, return: 13, f: 'read', output: 2, node: 'n1' },
        ],
      }),
    );
    return file;
  };

  it('--level causal: exit 1 with the broken rule and its causal path', async () => {
    const { code, lines } = await run([await monotonic(), '--level', 'causal']);
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toContain('verdict: causal: VIOLATED');
    expect(text).toContain('monotonic reads broken');
    expect(text).toMatch(/p0 write 2 \(line \d+\) --read by--> p1 read 2 \(line \d+\) --session--> p1 read 1/);
  });

  it('--level eventual with a quiet period: exit 0; without it, exit 1', async () => {
    const file = await monotonic();
    expect((await run([file, '--level', 'eventual', '--quiet-period', '5'])).code).toBe(0);
    expect((await run([file, '--level', 'eventual'])).code).toBe(1);
  });

  it('--strongest: the level, its witness, and why not the next level up', async () => {
    const { code, lines } = await run([await monotonic(), '--strongest', '--quiet-period', '5']);
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(lines).toContain('strongest level: eventual');
    expect(text).toContain('why eventual:\n  the register: 2 reads after t=8 on 2 nodes all return 2');
    expect(text).toContain('why not causal:');
  });

  it('--strongest on a linearizable corpus history: linearizable, with the witness linearization', async () => {
    const { code, lines } = await run([join(corpus, 'knossos/multi-register/good/multi-register.edn'), '--strongest']);
    expect(code).toBe(0);
    expect(lines).toContain('strongest level: linearizable');
    expect(lines.join('\n')).toContain('witness linearization (real-time order kept):');
  });

  it('--strongest --json: one object with every level checked', async () => {
    const { code, lines } = await run([join(corpus, 'porcupine/jepsen/etcd_000.log'), '--strongest', '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(lines[0]!) as { strongest: string; decided: boolean; levels: { level: string; status: string; witness?: string[] }[] };
    expect(doc).toMatchObject({ strongest: 'sequential', decided: true });
    expect(doc.levels.map((l) => `${l.level}:${l.status}`)).toEqual(['linearizable:violated', 'sequential:holds']);
    expect(doc.levels[1]!.witness!.length).toBeGreaterThan(60);
    expect((doc.levels[1] as unknown as { order: number[] }).order.length).toBeGreaterThan(60);
  });

  it('--strongest is undecided (exit 3) when a bound cuts a level above the one that holds', async () => {
    const { code, lines } = await run([join(corpus, 'porcupine/jepsen/etcd_000.log'), '--strongest', '--max-steps', '3']);
    expect(code).toBe(3);
    expect(lines.join('\n')).toMatch(/strongest level: (at least \w+|none shown) \(linearizable, sequential, causal not decided\)/);
  });

  it('impossible options and unsupported levels are input errors', async () => {
    const file = await monotonic();
    await expect(run([file, '--level', 'foo'])).rejects.toThrow(/unknown consistency level 'foo'; valid: linearizable, sequential, causal, eventual/);
    await expect(run([file, '--level', 'causal', '--strongest'])).rejects.toThrow(/either --level or --strongest/);
    await expect(run([file, '--quiet-period', '3'])).rejects.toThrow(/--quiet-period applies to the eventual level/);
    await expect(run([file, '--level', 'eventual', '--quiet-period', '-1'])).rejects.toThrow(/--quiet-period must be a number/);
    await expect(run([file, '--strongest', '--timeline', 'all'])).rejects.toThrow(/--timeline applies to the linearizability check only/);
    await expect(run([join(corpus, 'porcupine/jepsen/etcd_000.log'), '--level', 'causal'])).rejects.toThrow(/the causal level cannot be checked for this history: a cas reads and writes/);
    await expect(run([join(dir, 'missing.json'), '--strongest'])).rejects.toThrow(/cannot read history file/);
  });
});
