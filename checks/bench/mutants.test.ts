/**
 * The mutants bench (`checks/bench/mutants.ts`) measures bug-finding power on patches written
 * against the protocols. A patch that no longer applies stops the bench, so this test keeps
 * every one of them applicable to the current tree (it checks, it does not apply).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const PATCHES = readdirSync(join(HERE, 'mutants')).filter((f) => f.endsWith('.patch')).sort();

describe('every mutant patch applies to the current protocols', () => {
  it('there are patches', () => {
    expect(PATCHES.length).toBeGreaterThanOrEqual(50);
  });
  for (const f of PATCHES) {
    it(f, () => {
      const r = spawnSync('git', ['apply', '--check', join(HERE, 'mutants', f)], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    });
  }
});
