/**
 * No protocol or spec in the repository keeps a hand-written encoder, view, label, renamer or
 * signature (issue 13): they are derived from its schema (`impl/env/schema.ts`). The hooks stay
 * in the environment's contract as an escape hatch for users, so this test reads the source of
 * `impl/` (outside the environment and the core) and `specs/`, and fails on any of them:
 *
 * - the environment protocol hooks `encodeDurable`, `encodeVolatile`, `encodeMessage`,
 *   `encodeGhost`, `viewDurable`, `viewVolatile`, `viewGhost`, `formatMessage`,
 *   `formatRequest`, `formatLocal`, and the symmetry hooks `renameDurable`, `renameVolatile`,
 *   `renameMessage`, `renameGhost`, `renameTimer`, `signature`;
 * - a machine's `encode` or `view` written out as a function, instead of a compiled codec's
 *   (`encode: codec.encode`, `view: codec.view`).
 *
 * The bench-only baselines (`checks/bench/baseline/`) keep theirs on purpose: they are the "old"
 * side of the side-by-side speed comparisons.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const HOOKS = [
  'encodeDurable',
  'encodeVolatile',
  'encodeMessage',
  'encodeGhost',
  'viewDurable',
  'viewVolatile',
  'viewGhost',
  'formatMessage',
  'formatRequest',
  'formatLocal',
  'renameDurable',
  'renameVolatile',
  'renameMessage',
  'renameGhost',
  'renameTimer',
  'signature',
];

/** A hook given as a property of an object literal: `name(…) {`, `name: …`, or shorthand `name,`. */
const HOOK_RE = new RegExp(String.raw`^\s*(${HOOKS.join('|')})\s*(\(|:|,\s*$)`);
/** A machine's `encode` or `view` written out: a method, or a property whose value is a function. */
const MACHINE_RE = /^\s*(encode|view)\s*(\(|:\s*(\(|function\b|[A-Za-z_$][\w$]*\s*=>))/;

/** The hand-written hooks in one source text, as `line: text`. */
export function handWrittenHooks(src: string): string[] {
  const out: string[] = [];
  src.split('\n').forEach((line, i) => {
    if (/^\s*(\*|\/\/)/.test(line)) return;
    if (HOOK_RE.test(line) || MACHINE_RE.test(line)) out.push(`${i + 1}: ${line.trim()}`);
  });
  return out;
}

const FILES = [...walk(join(ROOT, 'impl')), ...walk(join(ROOT, 'specs'))]
  .map((f) => relative(ROOT, f))
  .filter((f) => !f.startsWith('impl/env/') && !f.startsWith('impl/core/'));

describe('hand-written encoders, views, labels, renamers and signatures', () => {
  it('the detector finds each form of hook (so that the scan below can fail)', () => {
    const sample = [
      'defineProtocol({',
      '  formatMessage: (m) => m.type,',
      '  formatLocal(a) { return a; },',
      '  formatRequest,',
      '  encodeDurable(d, out) { out.int(d.x); },',
      '  symmetry: {',
      '    renameMessage: (m, f) => m,',
      '  },',
      '  view(s) { return s; },',
      '  encode: (s, out) => out.int(s),',
      '  // formatMessage: a comment is not a hook',
      '  encode: codec.encode,',
      '  view: codec.view,',
      '});',
    ].join('\n');
    expect(handWrittenHooks(sample).map((h) => h.split(':')[0])).toEqual(['2', '3', '4', '5', '7', '9', '10']);
  });

  it('the scan reads every protocol and spec file', () => {
    for (const f of ['impl/raft/raft.ts', 'impl/paxos/paxos.ts', 'impl/twophase/twophase.ts', 'specs/tcommit.ts', 'specs/consensus.ts', 'impl/quorum/quorum.ts']) expect(FILES).toContain(f);
  });

  it('no protocol or spec keeps one', () => {
    const found = FILES.flatMap((f) => handWrittenHooks(readFileSync(join(ROOT, f), 'utf8')).map((h) => `${f}:${h}`));
    expect(found).toEqual([]);
  });
});
