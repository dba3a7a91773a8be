/**
 * The HTML reports in a real browser (headless Chromium through playwright-core): real
 * counterexamples of known-bug variants, opened from disk.
 *
 * - TwoPhase `commit-unprepared` (a machine without nodes: a table of steps);
 * - Echo `double-send` on the shared environment (lanes and arrows);
 * - a 60-step counterexample of Echo `volatile-seq` on 5 nodes with every kind of fault;
 * - a history that is not linearizable (the timeline), and the index page.
 *
 * For each: the lanes and arrows match the trace, clicking a step shows its state, the violating
 * step is highlighted, the keyboard moves the selection, and the page makes no network request
 * and logs no error. Screenshots go to `reports/browser/` to be looked at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPORTS_DIR } from '../output.ts';
import { historyCommand } from '../cli/history.ts';
import { corpusRoot } from '../history/corpus.ts';
import { echoReport, longEchoReport, twoPhaseReport } from '../report/fixtures.ts';
import { renderReport } from '../report/html.ts';
import { listReports, renderIndex } from '../report/folder.ts';
import type { ReportData } from '../report/data.ts';
import { launchChromium, openPage, type Chromium, type OpenedPage } from './chromium.ts';

const OUT = join(REPORTS_DIR, 'browser');
let browser: Chromium;
const reports: Record<string, ReportData> = {};
const opened: OpenedPage[] = [];

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  reports['twophase'] = twoPhaseReport();
  reports['echo'] = echoReport();
  reports['echo-long'] = longEchoReport();
  for (const [name, d] of Object.entries(reports)) writeFileSync(join(OUT, `${name}.html`), renderReport(d));
  const lines: string[] = [];
  const code = await historyCommand(
    [join(corpusRoot(), 'knossos/cas-register/bad/bad-analysis.edn'), '--model', 'cas-register', '--report-out', join(OUT, 'history.html'), '--quiet'],
    (l) => lines.push(l),
  );
  expect(code).toBe(1);
  writeFileSync(join(OUT, 'index.html'), renderIndex(listReports(OUT)));
  browser = await launchChromium();
});

afterAll(async () => {
  for (const o of opened) await o.page.close();
  await browser?.close();
});

async function open(name: string): Promise<OpenedPage> {
  const o = await openPage(browser, join(OUT, `${name}.html`), name !== 'index');
  opened.push(o);
  return o;
}

/** The page made no request but for its own file, and logged no error. */
function expectQuiet(o: OpenedPage): void {
  expect(o.requests.filter((u) => u !== o.url)).toEqual([]);
  expect(o.errors).toEqual([]);
}

describe('the browser', () => {
  it('is DSCHECK_CHROMIUM when set, else the npm package\'s Chromium on Linux x64, else a system one', () => {
    const expected = process.env['DSCHECK_CHROMIUM'] ? 'env' : process.platform === 'linux' && process.arch === 'x64' ? 'npm' : 'system';
    expect(browser.found.source).toBe(expected);
    if (expected === 'npm') expect(browser.found.path).toMatch(/node_modules\/\.cache\/dscheck-chromium-[\d.]+\/chromium$/);
  });
});

const inspectorTitle = (p: Page) => p.textContent('#insp-title');
const selectedSteps = (p: Page) => p.$$eval('.step-row.selected', (els) => els.map((e) => Number(e.getAttribute('data-step'))));

describe('TwoPhase commit-unprepared (no lanes: a table of steps)', () => {
  let o: OpenedPage;
  beforeAll(async () => {
    o = await open('twophase');
  });

  it('shows the model, the parameters, the verdict and the broken invariant with its explanation', async () => {
    const p = o.page;
    expect(await p.textContent('h1')).toContain('twophase');
    expect(await p.textContent('h1')).toContain('bug=commit-unprepared');
    expect(await p.textContent('#verdict')).toBe('✗ violation of tc-consistent after 7 steps');
    expect(await p.textContent('header.top')).toContain('r1 committed while r3 aborted');
    expect(await p.textContent('#run')).toContain('breadth-first');
    expect(await p.textContent('#stats')).toContain('distinct states');
    expect(await p.textContent('#checks')).toContain('violated');
    expect(await p.textContent('#coverage')).toContain('RMPrepare');
  });

  it('lists every step and opens on the violating one, highlighted, with the explanation', async () => {
    const p = o.page;
    expect(await p.$$eval('tr.step-row', (els) => els.length)).toBe(8);
    expect(await p.$$eval('.step-row.violating', (els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['7']);
    expect(await selectedSteps(p)).toEqual([7]);
    expect(await inspectorTitle(p)).toBe('Step 7 of 7');
    expect(await p.isVisible('#insp-violation')).toBe(true);
    const v = await p.textContent('#insp-violation');
    expect(v).toContain('invariant tc-consistent violated: r1 committed while r3 aborted');
    expect(v).toContain('no resource manager aborts while another commits');
    const bg = await p.$eval('tr.step-row.violating td', (e) => getComputedStyle(e).backgroundColor);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)');
  });

  it('clicking a step shows its state, with the changed fields highlighted', async () => {
    const p = o.page;
    await p.click('tr.step-row[data-step="2"]');
    expect(await inspectorTitle(p)).toBe('Step 2 of 7');
    expect(await p.textContent('#insp-action')).toBe('TMRcvPrepared(r1)');
    expect(await p.isVisible('#insp-violation')).toBe(false);
    expect(await p.textContent('#insp-changes')).toContain('tmPrepared: + "r1"');
    const state = (await p.textContent('#insp-state')) ?? '';
    expect(state).toContain('rmState');
    expect(state).toContain('"prepared"');
    expect(await p.$$eval('#insp-state .added', (els) => els.map((e) => e.textContent))).toEqual(['"r1"']);
    await p.click('tr.step-row[data-step="5"]');
    expect(await p.$$eval('#insp-state .changed > .v', (els) => els.map((e) => e.textContent))).toEqual(['"committed"']);
    expect(await p.textContent('#insp-state .changed .was')).toBe('was "init"');
    expect(await selectedSteps(p)).toEqual([5]);
  });

  it('the keyboard moves through the steps', async () => {
    const p = o.page;
    await p.keyboard.press('Home');
    expect(await inspectorTitle(p)).toBe('Initial state (step 0 of 7)');
    await p.keyboard.press('ArrowDown');
    expect(await inspectorTitle(p)).toBe('Step 1 of 7');
    await p.keyboard.press('j');
    await p.keyboard.press('ArrowRight');
    expect(await inspectorTitle(p)).toBe('Step 3 of 7');
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('k');
    expect(await inspectorTitle(p)).toBe('Step 1 of 7');
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('ArrowUp');
    expect(await inspectorTitle(p)).toBe('Initial state (step 0 of 7)');
    await p.keyboard.press('v');
    expect(await inspectorTitle(p)).toBe('Step 7 of 7');
    await p.keyboard.press('ArrowDown');
    expect(await inspectorTitle(p)).toBe('Step 7 of 7');
    expect(await p.isDisabled('#next-step')).toBe(true);
    await p.click('#prev-step');
    expect(await inspectorTitle(p)).toBe('Step 6 of 7');
  });

  it('makes no network request, logs no error, and is screenshotted', async () => {
    await o.page.click('tr.step-row[data-step="7"]');
    await o.page.screenshot({ path: join(OUT, 'twophase.png'), fullPage: true });
    expectQuiet(o);
  });
});

describe('Echo double-send (lanes and arrows)', () => {
  let o: OpenedPage;
  beforeAll(async () => {
    o = await open('echo');
  });

  it('draws one lane per node and one arrow per message, from the step that sent it to the step that delivered it', async () => {
    const p = o.page;
    const d = reports['echo']!.diagram!;
    expect(await p.$$eval('.lane', (els) => els.map((e) => e.getAttribute('data-lane')))).toEqual([...d.lanes]);
    expect(await p.$$eval('.lane-head .lane-name', (els) => els.map((e) => e.textContent))).toEqual([...d.lanes]);
    const deliveries = d.rows.flatMap((r) => r.events.filter((e) => e.event.kind === 'deliver').map((e) => ({ step: r.step, sent: e.sentAt ?? 0, ev: e.event })));
    expect(deliveries.length).toBe(2);
    for (const x of deliveries) {
      if (x.ev.kind !== 'deliver') throw new Error('unreachable');
      const sel = `.msg.msg-deliver[data-from="${x.ev.from}"][data-to="${x.ev.to}"][data-sent="${x.sent}"][data-step="${x.step}"]`;
      expect(await p.$$eval(sel, (els) => els.length)).toBeGreaterThanOrEqual(1);
    }
    // Both pings were sent at step 1 (the bug sends twice); both pongs are still in flight.
    expect(await p.$$eval('.msg-deliver', (els) => els.map((e) => `${e.getAttribute('data-sent')}→${e.getAttribute('data-step')}`).sort())).toEqual(['1→2', '1→3']);
    expect(await p.$$eval('.msg-inflight', (els) => els.map((e) => `${e.getAttribute('data-from')}→${e.getAttribute('data-to')}`))).toEqual(['n2→n1', 'n2→n1']);
    expect(await p.$$eval('.msg-deliver .msg-label', (els) => els.map((e) => e.textContent))).toEqual(['Ping(seq=1)']);
    expect(await p.$$eval('.step-row', (els) => els.length)).toBe(4);
  });

  it('highlights the violating step in the diagram and explains it', async () => {
    const p = o.page;
    expect(await p.$$eval('.step-row.violating', (els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['3']);
    expect(await p.textContent('.gutter-row.violating')).toContain('✗ 3');
    expect(await p.$eval('rect.step-row.violating', (e) => getComputedStyle(e).fill)).not.toBe('none');
    expect(await p.textContent('#insp-violation')).toContain('n1→n2 #1 was delivered twice');
  });

  it('clicking a row or an arrow selects its step and shows that state', async () => {
    const p = o.page;
    await p.click('.gutter-row[data-step="1"]');
    expect(await inspectorTitle(p)).toBe('Step 1 of 3');
    expect(await p.textContent('#insp-action')).toBe('request n1 ping n2');
    expect(await p.textContent('#insp-state')).toContain('waiting: to: "n2"seq: 1');
    expect(await p.$$eval('.msg.hl', (els) => els.length)).toBe(2);
    await p.click('.msg-deliver[data-step="2"] line', { force: true });
    expect(await inspectorTitle(p)).toBe('Step 2 of 3');
    expect(await p.textContent('#insp-changes')).toContain('ghost.delivered: + {"from":"n1","to":"n2","seq":1}');
  });

  it('the keyboard moves through the steps', async () => {
    const p = o.page;
    await p.keyboard.press('End');
    expect(await inspectorTitle(p)).toBe('Step 3 of 3');
    await p.keyboard.press('ArrowUp');
    expect(await selectedSteps(p)).toEqual([2]);
    expect(await p.$$eval('.gutter-row.selected', (els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['2']);
    await p.keyboard.press('Home');
    expect(await inspectorTitle(p)).toBe('Initial state (step 0 of 3)');
  });

  it('makes no network request, logs no error, and is screenshotted', async () => {
    await o.page.keyboard.press('v');
    await o.page.screenshot({ path: join(OUT, 'echo.png'), fullPage: true });
    expectQuiet(o);
  });
});

describe('Echo volatile-seq on 5 nodes, about 60 steps, every fault', () => {
  let o: OpenedPage;
  beforeAll(async () => {
    o = await open('echo-long');
  });

  it('has 5 lanes, 61 rows, and a mark for every crash, restart, drop, duplicate and partition', async () => {
    const p = o.page;
    const d = reports['echo-long']!;
    const labels = d.steps!.map((s) => s.label);
    const count = (prefix: string) => labels.filter((l) => l.startsWith(prefix)).length;
    expect(labels.length).toBeGreaterThanOrEqual(56);
    expect(await p.$$eval('.lane', (els) => els.length)).toBe(5);
    expect(await p.$$eval('rect.step-row', (els) => els.length)).toBe(labels.length);
    for (const k of ['crash ', 'restart ', 'drop ', 'duplicate ', 'partition ', 'heal', 'timer ']) expect(count(k)).toBeGreaterThan(0);
    expect(await p.$$eval('.mark-crash', (els) => els.length)).toBe(count('crash '));
    expect(await p.$$eval('.mark-restart', (els) => els.length)).toBe(count('restart '));
    expect(await p.$$eval('.mark-timer', (els) => els.length)).toBe(count('timer '));
    expect(await p.$$eval('.msg-drop', (els) => els.length)).toBe(count('drop '));
    expect(await p.$$eval('.msg-dup', (els) => els.length)).toBe(count('duplicate '));
    expect(await p.$$eval('.msg-deliver, .msg-copy', (els) => els.filter((e) => e.getAttribute('data-step') !== e.getAttribute('data-sent')).length)).toBe(count('deliver '));
    expect(await p.$$eval('.partition-band', (els) => new Set(els.map((e) => e.getAttribute('y'))).size)).toBe(count('partition '));
    expect(await p.$$eval('.lane-line.down', (els) => els.length)).toBeGreaterThan(0);
  });

  it('fits 5 lanes in the view at 1500 px, and every step label is readable', async () => {
    const p = o.page;
    const box = await p.$eval('#trace-view', (e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    // Gutter labels do not run into the lanes.
    const overlap = await p.$$eval('.step-label', (els) => {
      const firstLane = document.querySelector('.lane-line')!.getBoundingClientRect().left;
      return els.filter((e) => e.getBoundingClientRect().right > firstLane - 4).length;
    });
    expect(overlap).toBe(0);
  });

  it('walks all the steps with the keyboard, keeping the selected row in view', async () => {
    const p = o.page;
    const n = reports['echo-long']!.steps!.length - 1;
    await p.keyboard.press('Home');
    for (let k = 1; k <= n; k++) await p.keyboard.press('ArrowDown');
    expect(await inspectorTitle(p)).toBe(`Step ${n} of ${n}`);
    await p.keyboard.press('Home');
    for (let k = 0; k < 37; k++) await p.keyboard.press('j');
    expect(await inspectorTitle(p)).toBe(`Step 37 of ${n}`);
    // The selected row is inside the trace box and on screen.
    const visible = await p.$eval('#trace-view', (box) => {
      const row = box.querySelector('rect.step-row[data-step="37"]')!.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      return row.top >= b.top && row.bottom <= b.bottom && row.top >= 0 && row.bottom <= window.innerHeight;
    });
    expect(visible).toBe(true);
    await p.screenshot({ path: join(OUT, 'echo-long-step37.png') });
  });

  it('makes no network request, logs no error, and is screenshotted', async () => {
    const n = reports['echo-long']!.steps!.length - 1;
    await o.page.keyboard.press('v');
    expect(await inspectorTitle(o.page)).toBe(`Step ${n} of ${n}`);
    await o.page.screenshot({ path: join(OUT, 'echo-long.png'), fullPage: true });
    expectQuiet(o);
  });
});

describe('a history that is not linearizable', () => {
  it('draws one row per process and marks the operations that cannot be linearized', async () => {
    const o = await open('history');
    const p = o.page;
    expect(await p.textContent('#verdict')).toContain('NOT linearizable');
    expect(await p.$$eval('#timeline .op-unplaced text', (els) => els.map((e) => e.textContent))).toEqual(['read 2 !', 'read 3 !']);
    expect(await p.textContent('#timeline .op-blocking title')).toContain('cannot be linearized (blocks the rest)');
    expect(await p.$$eval('#timeline .op-blocking', (els) => els.length)).toBe(1);
    expect(await p.$$eval('#timeline .proc-row', (els) => els.length)).toBeGreaterThanOrEqual(8);
    expect(await p.textContent('#history pre.explain')).toContain('longest linearizable prefix');
    await p.screenshot({ path: join(OUT, 'history.png'), fullPage: true });
    expectQuiet(o);
  });
});

describe('the index page', () => {
  it('links every report with its result, and filters', async () => {
    const o = await open('index');
    const p = o.page;
    const rows = await p.$$eval('tr.entry', (els) => els.map((e) => ({ status: e.getAttribute('data-status'), href: e.querySelector('a')!.getAttribute('href') })));
    expect(rows.map((r) => r.href).sort()).toEqual(['echo-long.html', 'echo.html', 'history.html', 'twophase.html']);
    expect(rows.find((r) => r.href === 'history.html')!.status).toBe('not-linearizable');
    await p.fill('#filter', 'twophase');
    expect(await p.$$eval('tr.entry', (els) => els.filter((e) => !(e as HTMLElement).hidden).length)).toBe(1);
    await p.fill('#filter', '');
    await p.click('a[href="twophase.html"]');
    await p.waitForSelector('body.ready');
    expect(await p.textContent('#verdict')).toContain('tc-consistent');
    await p.goBack();
    await p.screenshot({ path: join(OUT, 'index.png'), fullPage: true });
    expect(o.errors).toEqual([]);
    expect(o.requests.every((u) => u.startsWith('file://'))).toBe(true);
  });
});
