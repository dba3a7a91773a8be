/**
 * Where the browser tests get their Chromium ({@link findChromium}), with the platform, the
 * environment, the packaged browser and the disk replaced by fakes: the override wins and is never
 * silently passed over, Linux x64 takes the npm package's browser, other platforms (and a package
 * that cannot be unpacked) fall back to a system Chrome or Chromium, and with none there is one
 * error that says what was tried.
 */
import { describe, expect, it } from 'vitest';
import { CHROMIUM_ENV, findChromium, SYSTEM_BROWSERS, type ChromiumLookup } from './chromium.ts';

const PACKAGED = '/proj/node_modules/.cache/dscheck-chromium-138.0.2/chromium';

function lookup(over: Partial<ChromiumLookup> & { files?: readonly string[] }): ChromiumLookup {
  const files = new Set(over.files ?? []);
  return {
    platform: 'linux',
    arch: 'x64',
    env: {},
    packaged: async () => {
      files.add(PACKAGED);
      return PACKAGED;
    },
    exists: (p) => files.has(p),
    systemBrowsers: SYSTEM_BROWSERS,
    ...over,
  };
}

describe('findChromium', () => {
  it('takes the browser of @sparticuz/chromium on Linux x64, even when a system Chromium is there', async () => {
    expect(await findChromium(lookup({ files: ['/usr/bin/chromium'] }))).toEqual({ path: PACKAGED, source: 'npm' });
  });

  it(`takes ${CHROMIUM_ENV} first, and fails when it names no executable instead of falling back`, async () => {
    const l = lookup({ env: { [CHROMIUM_ENV]: '/opt/chrome/chrome' }, files: ['/opt/chrome/chrome'] });
    expect(await findChromium(l)).toEqual({ path: '/opt/chrome/chrome', source: 'env' });
    const missing = lookup({ env: { [CHROMIUM_ENV]: '/nowhere/chrome' }, files: ['/usr/bin/chromium'] });
    await expect(findChromium(missing)).rejects.toThrow(`${CHROMIUM_ENV}=/nowhere/chrome: no such file`);
  });

  it('falls back to a system Chrome on macOS and on Linux arm64, never calling the x64 package', async () => {
    const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    const never = async (): Promise<string> => {
      throw new Error('the x64 package was used');
    };
    expect(await findChromium(lookup({ platform: 'darwin', arch: 'arm64', packaged: never, files: [mac] }))).toEqual({ path: mac, source: 'system' });
    expect(await findChromium(lookup({ arch: 'arm64', packaged: never, files: ['/usr/bin/chromium-browser', '/usr/bin/google-chrome'] }))).toEqual({ path: '/usr/bin/chromium-browser', source: 'system' });
  });

  it('falls back to a system Chromium when the package cannot be unpacked', async () => {
    const broken = async (): Promise<string> => {
      throw new Error('Cannot find package @sparticuz/chromium');
    };
    expect(await findChromium(lookup({ packaged: broken, files: ['/usr/bin/google-chrome-stable'] }))).toEqual({ path: '/usr/bin/google-chrome-stable', source: 'system' });
  });

  it('with no browser anywhere, throws one error naming what it tried and the way out', async () => {
    const broken = async (): Promise<string> => {
      throw new Error('Cannot find package @sparticuz/chromium');
    };
    const err = await findChromium(lookup({ packaged: broken })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain('never skipped');
    expect(msg).toContain('Cannot find package @sparticuz/chromium');
    expect(msg).toContain('/usr/bin/chromium');
    expect(msg).toContain(CHROMIUM_ENV);
    const arm = await findChromium(lookup({ arch: 'arm64' })).catch((e: unknown) => e);
    expect((arm as Error).message).toContain('Linux x64 only, not linux arm64');
  });
});
