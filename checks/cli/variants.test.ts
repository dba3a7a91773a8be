/**
 * Honest verdicts (issue 14): every known-bug variant is found by `dscheck check MODEL -p
 * bug=NAME` alone; `list` shows each variant's configuration; a variant run that does not find
 * its bug says so; a witness a configuration cannot reach says what it needs, in text, JSON and
 * HTML, and "the model may be wrong" is kept for witnesses whose needs are met.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './testing.ts';
import { printVerdict } from './check.ts';
import { knownBugLine, knownBugOutcome } from './variant.ts';
import { explore } from '../exhaustive.ts';
import { defineModel, instantiate, variantOverrides, type Machine, type ParamValue } from '../../impl/core/machine.ts';
import { notReachedText, unmetNeeds, witnessesInContext, type CheckResult } from '../../impl/core/result.ts';
import { reportFromRun } from '../report/data.ts';
import { renderReport } from '../report/html.ts';
import { CATALOGUE, loadModel } from '../../specs/models/catalogue.ts';

const MODELS = await Promise.all(CATALOGUE.map((e) => loadModel(e.name)));

const dir = mkdtempSync(join(tmpdir(), 'dscheck-variants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One model as `dscheck list --json` prints it (the parts these tests read). */
interface ListedModel {
  readonly name: string;
  readonly bugs: Readonly<Record<string, { readonly doc: string; readonly breaks: readonly string[]; readonly config: Readonly<Record<string, ParamValue>>; readonly random?: { readonly config?: Readonly<Record<string, ParamValue>>; readonly steps?: number; readonly runs?: number } }>>;
  readonly sometimes: readonly { readonly name: string; readonly needs?: Readonly<Record<string, ParamValue>> }[];
}

/** What `dscheck check --json` prints (the parts these tests read). */
interface CheckJson {
  readonly mode: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly status: string;
  readonly violation: { readonly name: string } | null;
  readonly witnesses: readonly { readonly name: string; readonly reached: boolean; readonly needs?: readonly string[]; readonly unmet?: string }[];
  readonly knownBug?: {
    readonly name: string;
    readonly expected: readonly string[];
    readonly found: boolean;
    readonly broke?: string;
    readonly config: Readonly<Record<string, ParamValue>>;
    readonly fromVariant: readonly string[];
    readonly overridden: readonly string[];
  };
}

const listed = JSON.parse((await runCli('list', '--json')).out) as ListedModel[];
const variants = listed.flatMap((m) => Object.entries(m.bugs).map(([bug, spec]) => ({ model: m.name, bug, spec })));

describe('every declared known-bug variant is found by `check MODEL -p bug=NAME` alone (BFS)', () => {
  it('list --json lists every variant of every registered model', () => {
    expect(listed.map((m) => m.name)).toEqual(MODELS.map((m) => m.name));
    expect(variants.length).toBe(MODELS.reduce((n, m) => n + Object.keys(m.bugs).length, 0));
    // 35 when this test was written; more may come, none may go unnoticed.
    expect(variants.length).toBeGreaterThanOrEqual(35);
  });

  for (const { model, bug, spec } of variants) {
    it(`${model} -p bug=${bug} breaks one of ${spec.breaks.join(', ')}`, { timeout: 600_000 }, async () => {
      const out = join(dir, `${model}-${bug}.json`);
      const r = await runCli('check', model, '-p', `bug=${bug}`, '--json', '--out', out);
      const o = JSON.parse(r.out) as CheckJson;
      expect(o.mode).toBe('bfs');
      expect(o.status, `${model} ${bug}: ${o.status}`).toBe('violation');
      expect(spec.breaks).toContain(o.violation!.name);
      expect(r.code).toBe(1);
      // The run used the variant's configuration, and says so.
      for (const [k, v] of Object.entries(spec.config)) expect(o.params[k], k).toBe(v);
      expect(o.knownBug).toMatchObject({ name: bug, expected: spec.breaks, found: true, broke: o.violation!.name, config: spec.config, overridden: [] });
      expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ violation: { name: o.violation!.name } });
    });
  }
});

describe('every declared known-bug variant is found by `check MODEL -p bug=NAME --mode random` too', () => {
  it('raft declares a random-mode configuration for each of its variants (its breadth-first ones starve random runs)', () => {
    const raft = variants.filter((v) => v.model === 'raft');
    expect(raft.length).toBeGreaterThan(0);
    for (const v of raft) expect(v.spec.random?.config, v.bug).toBeDefined();
  });
  // Seed 1 and no time limit in effect: the verdict depends on the run count only, not on the machine's speed.
  for (const { model, bug, spec } of variants) {
    it(`${model} -p bug=${bug} --mode random --seed 1 breaks one of ${spec.breaks.join(', ')}`, { timeout: 600_000 }, async () => {
      const r = await runCli('check', model, '-p', `bug=${bug}`, '--mode', 'random', '--seed', '1', '--time-limit', '3600', '--json', '--out', join(dir, `${model}-${bug}-random.json`));
      const o = JSON.parse(r.out) as CheckJson & { readonly stats: { readonly runs: number } };
      expect(o.mode).toBe('random');
      expect(o.status, `${model} ${bug}: ${o.status} after ${o.stats.runs} runs`).toBe('violation');
      expect(spec.breaks).toContain(o.violation!.name);
      expect(r.code).toBe(1);
      // The run used the variant's random configuration when it has one, else its breadth-first one.
      const config = spec.random?.config ?? spec.config;
      for (const [k, v] of Object.entries(config)) expect(o.params[k], k).toBe(v);
      expect(o.knownBug).toMatchObject({ name: bug, found: true, config });
    });
  }
});

describe('dscheck list shows each variant’s configuration', () => {
  it('JSON: raft figure8 carries the configuration that shows it; a variant the defaults show has {}', () => {
    const raft = listed.find((m) => m.name === 'raft')!;
    expect(raft.bugs['figure8']!.config).toEqual({ maxTerm: 4, requests: 2, heartbeats: 0, timeouts: 4 });
    expect(raft.bugs['volatile-vote']!.config).toEqual({ maxTerm: 1, requests: 0, heartbeats: 0, crashes: 1 });
    expect(listed.find((m) => m.name === 'abd')!.bugs['volatile-store']!.config).toEqual({ requests: 2, crashes: 1, clients: 1 });
    expect(listed.find((m) => m.name === 'twophase')!.bugs['commit-unprepared']!.config).toEqual({});
    expect(raft.sometimes.find((w) => w.name === 'leader-replaced-after-crash')!.needs).toEqual({ crashes: 1, maxTerm: 2, nodes: 3 });
  });

  it('text: a configuration line under each variant, and what a witness needs', async () => {
    const r = await runCli('list');
    expect(r.code).toBe(0);
    expect(r.out).toContain('known-bug variants (--param bug=NAME runs with the configuration shown; --param values override it):');
    expect(r.out).toMatch(/ {4}figure8: .*\(breaks state-machine-safety, leader-completeness\)\n {6}configuration: maxTerm=4, requests=2, heartbeats=0, timeouts=4\n/);
    expect(r.out).toMatch(/ {4}commit-unprepared: .*\n {6}configuration: the defaults\n/);
    expect(r.out).toContain('leader-replaced-after-crash: a leader crashed and, while it is down, another node leads a later term (needs crashes ≥ 1, maxTerm ≥ 2, nodes ≥ 3)');
  });
});

describe('explicit --param values override the variant’s configuration', () => {
  it('variantOverrides: the variant’s values first, explicit ones on top, and which came from where', () => {
    const raft = MODELS.find((m) => m.name === 'raft')!;
    expect(variantOverrides(raft, { bug: 'volatile-vote', crashes: 2 })).toEqual({
      overrides: { maxTerm: 1, requests: 0, heartbeats: 0, crashes: 2, bug: 'volatile-vote' },
      fromVariant: ['maxTerm', 'requests', 'heartbeats'],
    });
    expect(variantOverrides(raft, { maxTerm: 3 })).toEqual({ overrides: { maxTerm: 3 }, fromVariant: [] });
    expect(variantOverrides(raft, { bug: 'none' })).toEqual({ overrides: { bug: 'none' }, fromVariant: [] });
  });

  it('the header names the parameters that came from the variant and the overridden ones', async () => {
    const r = await runCli('check', 'raft', '-p', 'bug=volatile-vote', '-p', 'crashes=2', '--out', join(dir, 'vv.json'));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toContain('crashes=2');
    expect(r.lines[0]).toContain('maxTerm=1');
    expect(r.lines[1]).toBe('known-bug variant volatile-vote (breaks election-safety, durable-survives-crash, log-matching) · from its configuration: maxTerm=1, requests=0, heartbeats=0 · overridden by --param: crashes=2');
    expect(r.lines.at(-1)).toMatch(/^known bug volatile-vote found: (election-safety|durable-survives-crash|log-matching) broken, as the variant declares$/);
  });

  it('a variant config that is not a valid parameter of its model is refused when the model is defined', () => {
    expect(() =>
      defineModel({ name: 'bad', doc: 'x', params: {}, bugs: { oops: { doc: 'x', breaks: ['c'], config: { nodes: 3 } } }, build: () => counter(false) }),
    ).toThrow(/variant oops's config is invalid: unknown parameter 'nodes'/);
    expect(() =>
      defineModel({ name: 'bad', doc: 'x', params: {}, bugs: { oops: { doc: 'x', breaks: ['c'], random: { config: { nodes: 3 } } } }, build: () => counter(false) }),
    ).toThrow(/variant oops's random config is invalid: unknown parameter 'nodes'/);
    expect(() => defineModel({ name: 'bad', doc: 'x', params: {}, bugs: { oops: { doc: 'x', breaks: ['c'], random: { runs: 0 } } }, build: () => counter(false) })).toThrow(
      /variant oops's random runs must be a positive integer, got 0/,
    );
  });
});

describe('a variant run that does not find its bug says so plainly', () => {
  it('an override that hides the bug (abd volatile-store without crashes): holds, and KNOWN BUG NOT FOUND, exit 0', async () => {
    const r = await runCli('check', 'abd', '-p', 'bug=volatile-store', '-p', 'crashes=0', '--out', join(dir, 'never.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ holds: every check holds on all [\d,]+ reachable states/);
    expect(r.lines.at(-1)).toBe(
      "⚠ KNOWN BUG NOT FOUND: variant volatile-store breaks regular or linearizable, and this run broke none of them; this run overrode its configuration (crashes=0; the variant's: requests=2, crashes=1, clients=1). This is not evidence that the variant is correct.",
    );
  });

  it('JSON: knownBug.found is false, with what was overridden', async () => {
    const r = await runCli('check', 'abd', '-p', 'bug=volatile-store', '-p', 'crashes=0', '--json');
    const o = JSON.parse(r.out) as CheckJson;
    expect(o.status).toBe('exhausted');
    expect(o.knownBug).toEqual({
      name: 'volatile-store',
      expected: ['regular', 'linearizable'],
      found: false,
      config: { requests: 2, crashes: 1, clients: 1 },
      fromVariant: ['requests', 'clients'],
      overridden: ['crashes=0'],
    });
  });

  it('--invariant that leaves out every check the variant breaks: not found, and why', async () => {
    const r = await runCli('check', 'twophase', '-p', 'bug=commit-unprepared', '-i', 'type-ok', '--json');
    const o = JSON.parse(r.out) as CheckJson;
    expect(o.knownBug).toMatchObject({ name: 'commit-unprepared', found: false });
    const t = await runCli('check', 'twophase', '-p', 'bug=commit-unprepared', '-i', 'type-ok');
    expect(t.lines.at(-1)).toBe(
      '⚠ KNOWN BUG NOT FOUND: variant commit-unprepared breaks tc-consistent or refines-tcommit, and this run broke none of them; --invariant left out every check it breaks. This is not evidence that the variant is correct.',
    );
  });

  it('the HTML report puts a warning badge beside the verdict', async () => {
    const html = join(dir, 'nf.html');
    await runCli('check', 'abd', '-p', 'bug=volatile-store', '-p', 'crashes=0', '--report-out', html);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<div class="verdict holds" id="verdict">/);
    expect(page).toContain('<div class="notice warn"');
    expect(page).toContain('⚠ known bug volatile-store not found</div>');
  });

  it('a violation of some other check is not the known bug', () => {
    const k = knownBugOutcome(
      { name: 'v', expected: ['a', 'b'], config: {}, fromVariant: [], overridden: [] },
      { status: 'violation', violation: { name: 'c' }, stats: { states: 1, transitions: 0, elapsedMs: 0 }, witnesses: [] } as unknown as CheckResult,
    );
    expect(k).toMatchObject({ found: false, broke: 'c' });
    expect(knownBugLine(k, [])).toBe('⚠ KNOWN BUG NOT FOUND: variant v breaks a or b, and this run broke none of them (it broke c first). This is not evidence that the variant is correct.');
    const hit = knownBugOutcome(
      { name: 'v', expected: ['a', 'b'], config: {}, fromVariant: [], overridden: [] },
      { status: 'violation', violation: { name: 'b' }, stats: { states: 1, transitions: 0, elapsedMs: 0 }, witnesses: [] } as unknown as CheckResult,
    );
    expect(knownBugLine(hit, [])).toBe('known bug v found: b broken, as the variant declares');
  });

  it('random mode runs the variant’s random configuration (its breadth-first one when it has none), and reports knownBug', async () => {
    const r = await runCli('check', 'raft', '-p', 'bug=volatile-term', '--mode', 'random', '--seed', '1', '--runs', '200', '--json', '--out', join(dir, 'rnd.json'));
    const o = JSON.parse(r.out) as CheckJson;
    expect(o.params).toMatchObject({ maxTerm: 30, crashes: 2, timeouts: -1 });
    expect(o.knownBug).toMatchObject({ name: 'volatile-term', found: true, fromVariant: ['maxTerm', 'requests', 'heartbeats', 'crashes', 'timeouts'] });
    expect(r.code).toBe(1);
    // Explicit values win over it, as over the breadth-first one.
    const p = JSON.parse((await runCli('check', 'raft', '-p', 'bug=volatile-term', '-p', 'maxTerm=5', '--mode', 'random', '--seed', '1', '--runs', '200', '--json', '--out', join(dir, 'rnd2.json'))).out) as CheckJson;
    expect(p.params).toMatchObject({ maxTerm: 5, crashes: 2 });
    expect(p.knownBug).toMatchObject({ overridden: ['maxTerm=5'] });
    // A variant without one: its configuration, and its random run budget in the bounds line.
    const t = await runCli('check', 'abd', '-p', 'bug=volatile-store', '--mode', 'random', '--seed', '1', '--runs', '50');
    expect(t.out).toMatch(/from its configuration: requests=2, crashes=1, clients=1/);
    const budget = await runCli('check', 'abd', '-p', 'bug=volatile-store', '--mode', 'random', '--seed', '1', '--time-limit', '0.001');
    expect(budget.out).toMatch(/bounds: runs ≤ 100,000 · steps ≤ 200 per run/);
  });

  it('a run with no variant has no knownBug field and no such line', async () => {
    const r = await runCli('check', 'twophase', '--json');
    expect(JSON.parse(r.out)).not.toHaveProperty('knownBug');
    const t = await runCli('check', 'twophase');
    expect(t.out).not.toMatch(/known bug/i);
  });
});

describe('witnesses in context: what a witness needs, and "the model may be wrong" only when the needs are met', () => {
  it('unmetNeeds: numbers are minimums, other values must be equal; parameters the run lacks are not judged', () => {
    expect(unmetNeeds({ crashes: 1 }, { crashes: 0 })).toBe('needs crashes ≥ 1; this run has crashes=0');
    expect(unmetNeeds({ crashes: 1 }, { crashes: 2 })).toBeUndefined();
    expect(unmetNeeds({ crashes: 1, restarts: true, nodes: 3 }, { crashes: 0, restarts: false, nodes: 3 })).toBe(
      'needs crashes ≥ 1 and restarts = true; this run has crashes=0, restarts=false',
    );
    expect(unmetNeeds({ clients: 2 }, {})).toBeUndefined();
    expect(unmetNeeds(undefined, { crashes: 0 })).toBeUndefined();
  });

  it('raft defaults, text: the crash witness says what it needs, nothing says "may be wrong"', async () => {
    const r = await runCli('check', 'raft');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ holds: every check holds on all [\d,]+ reachable states/);
    expect(r.out).toContain('  sometimes leader-replaced-after-crash: not reached: needs crashes ≥ 1; this run has crashes=0');
    expect(r.out).toContain('  sometimes entry-overwritten-before-commit: not reached: needs requests ≥ 2; this run has requests=1');
    expect(r.out).toMatch(/ {2}sometimes leader-elected: reached at depth \d+/);
    expect(r.out).not.toContain('may be wrong');
    expect(r.out).not.toContain('⚠');
  });

  it('raft defaults with --coverage: the coverage lists the needs too, and warns about nothing', async () => {
    const r = await runCli('check', 'raft', '--coverage');
    expect(r.out).toContain('    sometimes leader-replaced-after-crash: not reached: needs crashes ≥ 1; this run has crashes=0');
    expect(r.out).not.toContain('may be wrong');
    expect(r.out).not.toContain('⚠');
  });

  it('raft defaults, JSON: needs and unmet on each witness', async () => {
    const o = JSON.parse((await runCli('check', 'raft', '--json')).out) as CheckJson;
    expect(o.status).toBe('exhausted');
    expect(o.witnesses.find((w) => w.name === 'leader-replaced-after-crash')).toEqual({
      name: 'leader-replaced-after-crash',
      reached: false,
      needs: ['crashes ≥ 1', 'maxTerm ≥ 2', 'nodes ≥ 3'],
      unmet: 'needs crashes ≥ 1; this run has crashes=0',
    });
    expect(o.witnesses.find((w) => w.name === 'leader-elected')).toEqual(expect.objectContaining({ reached: true }));
    expect(o.witnesses.find((w) => w.name === 'leader-elected')).not.toHaveProperty('unmet');
  });

  it('raft defaults, HTML: a green holds badge, an info notice (not a warning), neutral witness pills', async () => {
    const html = join(dir, 'raft.html');
    await runCli('check', 'raft', '--report-out', html);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<div class="verdict holds" id="verdict">✓ holds/);
    expect(page).toContain('<div class="notice info"');
    expect(page).toContain('2 witnesses out of reach of this configuration</div>');
    expect(page).toContain('<span class="pill info">not reached: needs crashes ≥ 1; this run has crashes=0</span>');
    expect(page).not.toContain('class="pill bad"');
    expect(page).not.toContain('notice warn');
    expect(page).not.toContain('may be wrong');
  });

  it('each default witness the raft defaults miss is reached once its needs are met', () => {
    // The needs are not an excuse: meet them and BFS reaches the witness.
    for (const [name, params] of [
      ['leader-replaced-after-crash', { crashes: 1 }],
      ['entry-overwritten-before-commit', { requests: 2, maxTerm: 2 }],
    ] as const) {
      const raft = MODELS.find((m) => m.name === 'raft')!;
      const { machine } = instantiate(raft, params);
      const w = machine.sometimes!.find((x) => x.name === name)!;
      // BFS stops at the first state that witnesses it: an invariant that says it never happens.
      const only = { ...machine, invariants: [{ name: `never-${name}`, check: (s: unknown) => !w.check(s) }], properties: [], sometimes: [] };
      const r = explore(only, { maxStates: 2_000_000, timeLimitMs: 300_000 });
      expect(r.status, name).toBe('violation');
      expect(r.violation!.name).toBe(`never-${name}`);
    }
  }, 600_000);

  it('a witness whose needs are met and is never reached keeps the warning, in text and HTML', () => {
    for (const needs of [undefined, { steps: 1 }]) {
      const m = counter(false, needs);
      const params = { steps: 1 };
      const raw = explore(m);
      expect(raw.status).toBe('exhausted');
      const result: CheckResult = { ...raw, witnesses: witnessesInContext(m, params, raw.witnesses) } as CheckResult;
      const lines: string[] = [];
      printVerdict((l) => lines.push(l), m, result, { statesWord: '2 reachable states', detail: 'diameter 1' });
      expect(lines).toContain('  sometimes never: NOT reached in the whole reachable space: the model may be wrong');
      expect(lines.at(-1)).toMatch(/^⚠ a witness was not reached although the run explored every reachable state and its needs are met/);
      const page = renderReport(reportFromRun({ machine: m, model: 'counter', params, mode: 'bfs', result, bounds: [] }));
      expect(page).toMatch(/<div class="verdict holds" id="verdict">/);
      expect(page).toContain('<div class="notice warn"');
      expect(page).toContain('⚠ 1 witness not reached</div>');
      expect(page).toContain('<span class="pill bad">NOT reached in the whole reachable space: the model may be wrong</span>');
    }
  });

  it('the same witness with an unmet need is "not reached: needs …", without the warning', () => {
    const m = counter(false, { steps: 2 });
    const raw = explore(m);
    const result: CheckResult = { ...raw, witnesses: witnessesInContext(m, { steps: 1 }, raw.witnesses) } as CheckResult;
    expect(notReachedText(result.witnesses[0]!, 'exhausted')).toBe('not reached: needs steps ≥ 2; this run has steps=1');
    const lines: string[] = [];
    printVerdict((l) => lines.push(l), m, result, { statesWord: '2 reachable states', detail: 'diameter 1' });
    expect(lines.join('\n')).not.toContain('may be wrong');
    expect(lines.join('\n')).not.toContain('⚠');
  });
});

/** A one-step counter with a witness that is never reached (`reach` false), declaring `needs`. */
function counter(reach: boolean, needs?: Readonly<Record<string, ParamValue>>): Machine<number, 'inc'> {
  return {
    name: 'counter',
    init: () => [0],
    actions: (s) => (s < 1 ? ['inc'] : []),
    step: (s) => s + 1,
    isTerminal: () => true,
    invariants: [{ name: 'small', check: (s) => s <= 1 }],
    sometimes: [{ name: 'never', ...(needs ? { needs } : {}), check: (s) => reach && s > 5 }],
  };
}
