/**
 * The HTML reports fit the screen, checked with the DOM's geometry in headless Chromium at
 * 1400×1000 and 1920×1080 (screenshots of each go to `reports/browser/layout-*.png`):
 *
 * - the page does not scroll itself on load: the model name and the verdict are in view;
 * - no element's content spills out of its box (`scrollWidth > clientWidth` on every block
 *   that does not scroll on purpose), and every line of text lies inside its block's rectangle;
 * - no word is broken across two lines (a run of letters and digits stays on one line; a break
 *   after a hyphen or at punctuation is allowed).
 *
 * The reports: TwoPhase (a table of steps; its stats card holds "fingerprint collision
 * probability … (optimistic, as TLC computes it)"), the 60-step Echo on 5 nodes whose violating
 * step is far down the diagram, and TwoPhase again with a long violation message: a printed state
 * of 300 characters with no space in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPORTS_DIR } from '../output.ts';
import { longEchoReport, twoPhaseReport } from '../report/fixtures.ts';
import { renderReport } from '../report/html.ts';
import type { ReportData } from '../report/data.ts';
import { launchChromium, openPage, type Chromium } from './chromium.ts';

const OUT = join(REPORTS_DIR, 'browser');
/** The pages (in a folder of their own: report.test.ts indexes the pages of OUT). */
const PAGES = join(OUT, 'layout');

/** TwoPhase, with the violation message a state dump makes: long, and mostly one token. */
function longMessageReport(): ReportData {
  const d = twoPhaseReport(false);
  const v = d.violation!;
  const state = JSON.stringify({
    rmState: { r1: 'committed', r2: 'prepared', r3: 'aborted' },
    tmState: 'committed',
    tmPrepared: ['r1', 'r2'],
    msgs: [{ type: 'Prepared', rm: 'r1' }, { type: 'Prepared', rm: 'r2' }, { type: 'Commit' }],
  });
  const headline = `${v.headline}; in the state ${state}, which no resource manager may reach while another has aborted`;
  return { ...d, violation: { ...v, headline }, title: `${d.title} (long message)` };
}

const REPORTS: Record<string, () => ReportData> = {
  'twophase': () => twoPhaseReport(),
  'echo-long': () => longEchoReport(),
  'long-message': longMessageReport,
};
const VIEWPORTS = [
  { width: 1400, height: 1000 },
  { width: 1920, height: 1080 },
] as const;

let browser: Chromium;

beforeAll(async () => {
  mkdirSync(PAGES, { recursive: true });
  for (const [name, make] of Object.entries(REPORTS)) writeFileSync(join(PAGES, `${name}.html`), renderReport(make()));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** Where the page is scrolled, and the header's and the verdict's rectangles against the viewport. */
function headerInView(p: Page) {
  return p.evaluate(() => {
    const inView = (sel: string) => {
      const e = document.querySelector(sel);
      if (!e) return `${sel}: missing`;
      const r = e.getBoundingClientRect();
      const ok = r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && r.height > 0;
      return ok ? 'in view' : `${sel}: ${JSON.stringify({ top: r.top, bottom: r.bottom, left: r.left, right: r.right })} outside ${window.innerWidth}×${window.innerHeight}`;
    };
    return { scrollY: window.scrollY, h1: inView('header.top h1'), verdict: inView('#verdict'), why: inView('header.top .why') };
  });
}

/** Blocks whose content is wider than their box, though they do not scroll: a spill. */
function spills(p: Page) {
  return p.evaluate(() => {
    const out: string[] = [];
    const name = (e: Element) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.classList.length ? `.${Array.from(e.classList).join('.')}` : ''}`;
    if (document.documentElement.scrollWidth > window.innerWidth) out.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`);
    for (const e of Array.from(document.body.querySelectorAll('*'))) {
      if (!(e instanceof HTMLElement) || e.closest('svg')) continue;
      const cs = getComputedStyle(e);
      if (cs.display === 'inline' || cs.display === 'none' || cs.display === 'contents') continue;
      if (cs.overflowX === 'auto' || cs.overflowX === 'scroll' || cs.overflowX === 'hidden') continue;
      if (e.scrollWidth > e.clientWidth + 1) out.push(`${name(e)}: content ${e.scrollWidth} px in a ${e.clientWidth} px box`);
    }
    return out;
  });
}

/** Lines of text that stick out of the block that holds them, and words broken across two lines. */
function textOutOfBoxAndBrokenWords(p: Page) {
  return p.evaluate(() => {
    const outside: string[] = [];
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const blockOf = (n: Node): HTMLElement | null => {
      for (let e = n.parentElement; e; e = e.parentElement) {
        const d = getComputedStyle(e).display;
        if (d !== 'inline' && d !== 'contents') return e;
      }
      return null;
    };
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      const parent = n.parentElement;
      if (!parent || !text.trim() || parent.closest('svg, script, style, [hidden]')) continue;
      const block = blockOf(n);
      if (!block || block.getClientRects().length === 0) continue;
      const b = block.getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of Array.from(range.getClientRects())) {
        if (r.width === 0) continue;
        if (r.left < b.left - 1 || r.right > b.right + 1) {
          outside.push(`"${text.slice(0, 40)}" in ${block.tagName.toLowerCase()}${block.id ? `#${block.id}` : ''}.${block.className}: text ${Math.round(r.left)}–${Math.round(r.right)}, box ${Math.round(b.left)}–${Math.round(b.right)}`);
          break;
        }
      }
      for (const m of text.matchAll(/[\p{L}\p{N}_]+/gu)) {
        if (m[0].length < 2) continue;
        const w = document.createRange();
        w.setStart(n, m.index);
        w.setEnd(n, m.index + m[0].length);
        const tops = new Set(Array.from(w.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(`"${m[0]}" in "${text.slice(0, 60)}"`);
      }
    }
    return { outside, broken };
  });
}

for (const vp of VIEWPORTS) {
  describe(`at ${vp.width}×${vp.height}`, () => {
    for (const name of Object.keys(REPORTS)) {
      it(`${name}: the header and the verdict are in view on load, nothing spills out of its box, no word is broken`, async () => {
        const o = await openPage(browser, join(PAGES, `${name}.html`), false);
        const p = o.page;
        await p.setViewportSize(vp);
        await p.reload();
        await p.waitForSelector('body.ready', { timeout: 10_000 });
        await p.screenshot({ path: join(OUT, `layout-${name}-${vp.width}x${vp.height}.png`) });
        expect.soft(await headerInView(p)).toEqual({ scrollY: 0, h1: 'in view', verdict: 'in view', why: 'in view' });
        // The violating step is selected, and its row was scrolled into view inside the trace box.
        const row = await p.evaluate(() => {
          const r = document.querySelector('.step-row.violating.selected');
          const box = document.querySelector('#trace-view');
          if (!r || !box) return 'missing';
          const a = r.getBoundingClientRect();
          const b = box.getBoundingClientRect();
          return a.top >= b.top && a.bottom <= b.bottom + 1 ? 'inside the box' : `row ${a.top}–${a.bottom}, box ${b.top}–${b.bottom}`;
        });
        expect.soft(row).toBe('inside the box');
        expect.soft(await spills(p)).toEqual([]);
        expect.soft(await textOutOfBoxAndBrokenWords(p)).toEqual({ outside: [], broken: [] });
        expect(o.errors).toEqual([]);
        await p.close();
      });
    }
  });
}

describe('the checks themselves', () => {
  it('see a word broken mid-word, text outside its box, and a page scrolled on load', async () => {
    // The old style: `overflow-wrap: anywhere` in a narrow card, a long token in a fixed box,
    // and a script that scrolls the page on load. Each check must flag its case.
    const o = await openPage(browser, join(PAGES, 'twophase.html'), true);
    const p = o.page;
    await p.setViewportSize({ width: 1400, height: 1000 });
    await p.evaluate(() => {
      const dd = Array.from(document.querySelectorAll('#stats dd')).find((e) => (e.textContent ?? '').includes('optimistic'))!;
      (dd as HTMLElement).style.cssText = 'overflow-wrap:anywhere;width:60px;display:block';
      const box = document.createElement('div');
      box.style.cssText = 'width:120px;overflow-wrap:normal';
      box.textContent = 'x'.repeat(60);
      document.querySelector('main')!.prepend(box);
      window.scrollTo(0, 300);
    });
    const t = await textOutOfBoxAndBrokenWords(p);
    expect(t.broken.some((b) => b.startsWith('"optimistic"') || b.startsWith('"computes"'))).toBe(true);
    expect(t.outside.some((x) => x.startsWith('"xxxx'))).toBe(true);
    expect((await spills(p)).some((x) => x.startsWith('div: content'))).toBe(true);
    const h = await headerInView(p);
    expect(h.scrollY).toBeGreaterThan(0);
    expect(h.h1).not.toBe('in view');
    await p.close();
  });
});
