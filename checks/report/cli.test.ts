/**
 * The CLI side of reports, in-process: `check … --report --out-itf --coverage [--json]`,
 * `dscheck report <trace.json>`, `dscheck report --index`, `history --report`, the progress
 * estimates, and bad input (one line, exit 2).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as run } from '../cli/testing.ts';
import { exhaustiveTimeLeft, randomTimeLeft } from '../cli/check.ts';
import { corpusRoot } from '../history/corpus.ts';
import { readSummary } from './folder.ts';
import { validateItf } from './itf.ts';


let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dscheck-report-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BUG = ['check', 'twophase', '-p', 'bug=commit-unprepared', '-i', 'tc-consistent'];

describe('dscheck check --report --out-itf --coverage', () => {
  it('writes the report, a valid ITF trace and the coverage, and lists them in --json', async () => {
    const html = join(dir, 'r.html');
    const itf = join(dir, 'r.itf.json');
    const r = await run(...BUG, '--out', join(dir, 't.json'), '--report-out', html, '--out-itf', itf, '--coverage', '--json');
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out) as { report: string; itf: string; coverage: { kinds: { kind: string; fired: number }[] }; stats: { transitions: number } };
    expect(j.report).toBe(html);
    expect(j.itf).toBe(itf);
    expect(j.coverage.kinds.reduce((a, k) => a + k.fired, 0)).toBe(j.stats.transitions);
    const page = readFileSync(html, 'utf8');
    expect(readSummary(page)).toMatchObject({ status: 'violation', check: 'tc-consistent', steps: 7 });
    expect(page).toContain('id="coverage"');
    const doc = JSON.parse(readFileSync(itf, 'utf8')) as { states: unknown[] };
    expect(validateItf(doc)).toEqual([]);
    expect(doc.states).toHaveLength(8);
  });

  it('prints the coverage and the files in text mode; plain output off a TTY', async () => {
    const r = await run(...BUG, '--out', join(dir, 't.json'), '--report-out', join(dir, 'r.html'), '--coverage');
    expect(r.code).toBe(1);
    expect(r.out).toContain('coverage (exhaustive: 247 distinct states (842 transitions)):');
    expect(r.out).toContain(`report written to ${join(dir, 'r.html')}`);
    expect(r.err).not.toMatch(/\r|\x1b\[/);
  });

  it('writes no ITF trace when there is no counterexample, and says so', async () => {
    const itf = join(dir, 'none.itf.json');
    const r = await run('check', 'twophase', '--out-itf', itf);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no counterexample, so no ITF trace was written');
    expect(existsSync(itf)).toBe(false);
    const j = JSON.parse((await run('check', 'twophase', '--out-itf', itf, '--json')).out) as { itf: unknown };
    expect(j.itf).toBeNull();
  });

  it('a report of a run that holds shows the verdict and the coverage', async () => {
    const html = join(dir, 'ok.html');
    const r = await run('check', 'twophase', '--report-out', html, '--coverage');
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(readSummary(page)).toMatchObject({ status: 'holds', headline: '✓ holds: every check holds on all 288 reachable states', size: '288 distinct states' });
    expect(page).not.toContain('id="trace"');
  });

  it('random mode: the report carries the seed and path, the ITF trace is valid, coverage counts the same runs', async () => {
    const html = join(dir, 'rnd.html');
    const itf = join(dir, 'rnd.itf.json');
    const r = await run(...BUG, '--mode', 'random', '--seed', '7', '--runs', '2000', '--steps', '40', '--out', join(dir, 't.json'), '--report-out', html, '--out-itf', itf, '--coverage', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { seed: number; path: string; coverage: { runner: string; kinds: unknown[] } };
    expect(j.coverage.runner).toBe('random');
    // Long values carry <wbr> break hints after their separators (escWrap); the text is the same.
    const page = readFileSync(html, 'utf8').replace(/<wbr>/g, '');
    expect(page).toContain('<dt>seed</dt><dd>7</dd>');
    expect(page).toContain(`<dt>path</dt><dd>${j.path}</dd>`);
    expect(validateItf(JSON.parse(readFileSync(itf, 'utf8')))).toEqual([]);
  });
});

describe('dscheck report', () => {
  it('renders a saved TwoPhase trace (a table of steps) and its ITF trace', async () => {
    const trace = join(dir, 'tp.json');
    expect((await run(...BUG, '--out', trace)).code).toBe(1);
    const r = await run('report', trace, '--out', join(dir, 'tp.html'), '--out-itf', join(dir, 'tp.itf.json'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ model: 'twophase', status: 'violation', steps: 7, diagram: false, report: join(dir, 'tp.html'), itf: join(dir, 'tp.itf.json') });
    expect(validateItf(JSON.parse(readFileSync(join(dir, 'tp.itf.json'), 'utf8')))).toEqual([]);
  });

  it('renders a saved Echo trace with its message-sequence diagram', async () => {
    const trace = join(dir, 'echo.json');
    expect((await run('check', 'echo', '-p', 'bug=double-send', '-p', 'delivery=multiset', '-i', 'no-double-delivery', '--out', trace)).code).toBe(1);
    const r = await run('report', trace, '--out', join(dir, 'echo.html'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('✗ violation of no-double-delivery');
    const page = readFileSync(join(dir, 'echo.html'), 'utf8');
    expect(page.match(/class="lane"/g)).toHaveLength(2);
    expect(page).toContain('msg msg-deliver');
  });

  it('a trace of a model that is not registered is still rendered from the file, with a note', async () => {
    const trace = join(dir, 'tp.json');
    await run(...BUG, '--out', trace);
    const file = JSON.parse(readFileSync(trace, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'alien.json'), JSON.stringify({ ...file, model: 'nosuch' }));
    const r = await run('report', join(dir, 'alien.json'), '--out', join(dir, 'alien.html'), '--out-itf', join(dir, 'alien.itf.json'));
    expect(r.code).toBe(0);
    expect(r.out).toContain("note: no message-sequence diagram: unknown model 'nosuch'");
    expect(readSummary(readFileSync(join(dir, 'alien.html'), 'utf8'))).toMatchObject({ status: 'violation', steps: 7 });
    expect(validateItf(JSON.parse(readFileSync(join(dir, 'alien.itf.json'), 'utf8')))).toEqual([]);
  });

  it('--index lists the reports of a folder', async () => {
    await run(...BUG, '--out', join(dir, 't.json'), '--report-out', join(dir, 'a.html'));
    await run('check', 'twophase', '--report-out', join(dir, 'b.html'));
    const r = await run('report', '--index', '--dir', dir, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { index: string; reports: { file: string; status: string }[] };
    expect(j.index).toBe(join(dir, 'index.html'));
    expect(j.reports.map((x) => `${x.file}:${x.status}`).sort()).toEqual(['a.html:violation', 'b.html:holds']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('href="a.html"');
  });

  it('bad input is one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['report'], /no trace file given/],
      [['report', join(dir, 'missing.json')], /cannot read trace file .*missing\.json \(ENOENT\)/],
      [['report', '--index', 'x.json'], /--index takes no trace file/],
      [['report', '--dir', dir, 'x.json'], /--dir applies to --index only/],
      [['report', '--index', '--dir', join(dir, 'nope')], /cannot read the folder/],
      [['report', 'a.json', '--bogus'], /unknown option '--bogus' for 'report'/],
    ];
    writeFileSync(join(dir, 'bad.json'), '{"format":"other"}');
    writeFileSync(join(dir, 'broken.json'), '{');
    cases.push([['report', join(dir, 'bad.json')], /not a dscheck trace file/], [['report', join(dir, 'broken.json')], /not valid JSON/]);
    for (const [argv, re] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('dscheck history --report', () => {
  it('writes a report with the timeline', async () => {
    const html = join(dir, 'h.html');
    const r = await run('history', join(corpusRoot(), 'knossos/cas-register/bad/rethink-fail-minimal.edn'), '--model', 'cas-register', '--report-out', html);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`report written to ${html}`);
    const page = readFileSync(html, 'utf8');
    expect(readSummary(page)).toMatchObject({ status: 'not-linearizable', mode: 'history' });
    expect(page).toContain('op-unplaced');
    expect(r.err).toBe('');
  });
});

describe('progress estimates', () => {
  it('exhaustive: an upper bound from the time bound or the states bound at the current rate', () => {
    expect(exhaustiveTimeLeft(1000, 1000, 1000, 20_000_000, 600_000)).toBe('≤ 9 min 59 s');
    expect(exhaustiveTimeLeft(1000, 1000, 1000, 5000, 600_000)).toBe('≤ 4.00 s');
    expect(exhaustiveTimeLeft(0, 10, 0, 5000, 600_000)).toBe('≤ 10 min 00 s');
  });

  it('random: runs left at the current pace, capped by the time limit', () => {
    expect(randomTimeLeft(100, 1000, 2000, 120_000)).toBe('18.0 s');
    expect(randomTimeLeft(100, 1000, 100_000, 120_000)).toBe('20.0 s');
    expect(randomTimeLeft(0, 1000, 10, 120_000)).toBe('?');
    expect(randomTimeLeft(1000, 1000, 5000, 120_000)).toBe('0 ms');
  });
});
