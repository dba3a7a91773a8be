/**
 * Headless Chromium for the browser tests, through playwright-core. No root step and no system
 * package: on Linux x64 the browser comes from the npm registry, inside the pinned
 * `@sparticuz/chromium` dev dependency (a brotli-packed Chromium, unpacked on first use into
 * `node_modules/.cache/dscheck-chromium-<version>/`). {@link findChromium} decides, in this order:
 *
 * 1. `DSCHECK_CHROMIUM`, when set: that file, or an error if it is not there (never a silent
 *    fallback past an explicit choice);
 * 2. on Linux x64, the Chromium of `@sparticuz/chromium`;
 * 3. a system Chrome or Chromium (macOS, Linux arm64, or when the package cannot be unpacked).
 *
 * The tests are never skipped: when no browser is found, {@link launchChromium} throws and says
 * what it tried and how to fix it.
 *
 * Every page opened with {@link openPage} records the requests it makes (a report must make
 * none but its own file), its console errors and its uncaught exceptions.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The environment variable that names a browser executable to use instead of the packaged one. */
export const CHROMIUM_ENV = 'DSCHECK_CHROMIUM';

/** Where system browsers are usually installed, tried in this order after the packaged one. */
export const SYSTEM_BROWSERS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** Which browser was found, and where it came from. */
export interface FoundChromium {
  readonly path: string;
  readonly source: 'env' | 'npm' | 'system';
}

/** How {@link findChromium} looks: the platform, the environment and the packaged browser. */
export interface ChromiumLookup {
  readonly platform: string;
  readonly arch: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Unpack the packaged Chromium and return its path (throws when it cannot). */
  readonly packaged: () => Promise<string>;
  /** Whether a path is an executable file. */
  readonly exists: (path: string) => boolean;
  readonly systemBrowsers: readonly string[];
}

/** A regular file this process may execute (an empty file bind-mounted over a browser is not). */
const isExecutable = (p: string): boolean => {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Unpack the Chromium of `@sparticuz/chromium` into `node_modules/.cache/dscheck-chromium-<version>`
 * (next to the package, so `npm ci` starts afresh) and return its path. The package unpacks into
 * `os.tmpdir()`, which every project on the machine shares and where a half-written file from a
 * parallel run would be taken as done; so it unpacks into a private folder (its `tmpdir()` calls
 * all happen before its first `await`, while `TMPDIR` points there), which is then renamed into
 * place in one step. A parallel worker that loses the rename uses the winner's copy.
 */
async function unpackSparticuz(): Promise<string> {
  const req = createRequire(import.meta.url);
  // The package exports no package.json: go up from its entry (build/cjs/index.cjs).
  const pkgDir = join(dirname(req.resolve('@sparticuz/chromium')), '..', '..');
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const dir = join(pkgDir, '..', '..', '.cache', `dscheck-chromium-${version}`);
  const exe = join(dir, 'chromium');
  if (isExecutable(exe)) return exe;
  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(`${dir}.unpacking-`);
  try {
    const mod = await import('@sparticuz/chromium');
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = staging;
    let unpacked: Promise<string>;
    try {
      unpacked = mod.default.executablePath();
    } finally {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
    const path = await unpacked;
    if (path !== join(staging, 'chromium')) throw new Error(`unpacked to ${path}, not into ${staging}`);
    try {
      renameSync(staging, dir);
    } catch (e) {
      if (!isExecutable(exe)) throw e;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return exe;
}

let unpacking: Promise<string> | undefined;

/** The lookup of this process: its platform, `process.env`, `@sparticuz/chromium`, the disk. */
export function defaultLookup(): ChromiumLookup {
  return {
    platform: process.platform,
    arch: process.arch,
    env: process.env,
    packaged: () => (unpacking ??= unpackSparticuz()),
    exists: isExecutable,
    systemBrowsers: SYSTEM_BROWSERS,
  };
}

/**
 * Find a Chromium to drive (see the module comment for the order). Throws one error that lists
 * every place tried when there is none.
 */
export async function findChromium(l: ChromiumLookup = defaultLookup()): Promise<FoundChromium> {
  const override = l.env[CHROMIUM_ENV];
  if (override !== undefined && override !== '') {
    if (!l.exists(override)) throw new Error(`${CHROMIUM_ENV}=${override}: no such file. Unset it to use the browser of @sparticuz/chromium (Linux x64) or a system Chrome/Chromium.`);
    return { path: override, source: 'env' };
  }
  const tried: string[] = [];
  if (l.platform === 'linux' && l.arch === 'x64') {
    try {
      const path = await l.packaged();
      if (l.exists(path)) return { path, source: 'npm' };
      tried.push(`@sparticuz/chromium unpacked to ${path}, which is not a file`);
    } catch (e) {
      tried.push(`@sparticuz/chromium: ${e instanceof Error ? e.message : String(e)} (run npm ci)`);
    }
  } else {
    tried.push(`@sparticuz/chromium: its browser is for Linux x64 only, not ${l.platform} ${l.arch}`);
  }
  for (const p of l.systemBrowsers) {
    if (l.exists(p)) return { path: p, source: 'system' };
  }
  tried.push(`no system browser at ${l.systemBrowsers.join(', ')}`);
  throw new Error(`No Chromium for the browser tests (they are never skipped). Tried: ${tried.join('; ')}. Install Chrome or Chromium, or set ${CHROMIUM_ENV} to a Chromium executable.`);
}

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
  /** The executable that runs, and where it came from. */
  readonly found: FoundChromium;
  close(): Promise<void>;
}

/** Launch headless Chromium with a fresh user data dir. Throws when no Chromium can be found. */
export async function launchChromium(viewport = { width: 1500, height: 1000 }): Promise<Chromium> {
  const found = await findChromium();
  const profile = mkdtempSync(join(tmpdir(), 'dscheck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: found.path,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  return {
    context,
    found,
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
