/**
 * Headless Chromium for the browser tests, through playwright-core and the system's Chromium
 * (Debian's `chromium` package; `.ci/run` installs it). The tests are never skipped: when the
 * browser is missing, {@link launchChromium} throws and says how to install it.
 *
 * Every page opened with {@link openPage} records the requests it makes (a report must make
 * none but its own file), its console errors and its uncaught exceptions.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Chromium is: `DSCHECK_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env['DSCHECK_CHROMIUM'] ?? '/usr/bin/chromium';

/** The flags of a quiet, offline, sandbox-free headless Chromium. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser with a fresh profile, and how to close it (and remove the profile). */
export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launch headless Chromium with a fresh user data dir. Throws when Chromium is not installed. */
export async function launchChromium(viewport = { width: 1500, height: 1000 }): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get update && apt-get install -y chromium; .ci/run does), or set DSCHECK_CHROMIUM. The browser tests are never skipped.`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'dscheck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page and what it did. */
export interface OpenedPage {
  readonly page: Page;
  /** The URL the page was opened at. */
  readonly url: string;
  /** Every request the page made, its own file included. */
  readonly requests: string[];
  /** Console messages of type error, and uncaught exceptions. */
  readonly errors: string[];
}

/** Open a local file and wait until its script has run (`body.ready`, when `ready`). */
export async function openPage(b: Chromium, file: string, ready = true): Promise<OpenedPage> {
  const page = await b.context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  const url = pathToFileURL(file).href;
  await page.goto(url);
  if (ready) await page.waitForSelector('body.ready', { timeout: 10_000 });
  return { page, url, requests, errors };
}
