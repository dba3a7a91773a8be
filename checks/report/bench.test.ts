/**
 * The benchmark report (`reports/bench/index.html`), rendered from small fixture section JSONs:
 * every section's card with its date, machine line and summary; the charts' data points and
 * labels; malformed or unknown files skipped with a visible note, never a crash.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBenchFiles, renderBenchIndex, writeBenchIndex, type BenchFile } from './bench.ts';

const meta = (section: string) => ({ date: `2026-12-06T10:00:00.000Z-${section}`, node: 'v20.20.2', cpus: 2, section, wallMs: 1500 });

const gossip = {
  ...meta('gossip'),
  roundDefinition: 'rounds = exchanges started / N',
  syncDefinition: 'synchronous simulation',
  rows: [
    { n: 4, log2: 2, log3: 1.26, random: { runs: 10, converged: 10, mean: 1.75, p99: 3, max: 3, slowest: { mean: 1.5 } }, randomDrops: { drops: 4, mean: 2.5 }, sync: { mean: 2, p99: 3, max: 3 } },
    { n: 16, log2: 4, log3: 2.52, random: { runs: 10, converged: 9, mean: null, p99: null, max: null, slowest: { mean: null } }, randomDrops: { drops: 16, mean: 4.5 }, sync: { mean: 4.125, p99: 6, max: 6 } },
  ],
  summary: ['N=4: random mode 1.75 rounds', 'N=16: random mode not converged'],
};
const antientropy = {
  ...meta('antientropy'),
  rows: [
    { keys: 64, depth: 6, diffs: 1, compared: 13, bound: 13 },
    { keys: 256, depth: 8, diffs: 1, compared: 17, bound: 17 },
    { keys: 64, depth: 6, diffs: 4, compared: 40.5, bound: 49 },
    { keys: 256, depth: 8, diffs: 4, compared: 55.25, bound: 65 },
  ],
  summary: ['keys=64 diffs=1: 13.0 hash pairs compared'],
};
const pacelc = {
  ...meta('pacelc'),
  rows: [
    { label: 'cp', level: 'linearizable', availability: 0.5, roundTrips: 2, messagesPerOp: 4 },
    { label: 'ap-lww', level: 'eventual', availability: 1, roundTrips: 1, messagesPerOp: 1 },
    { label: 'new-mode <x>', level: null, availability: 0.75, roundTrips: 1.5, messagesPerOp: 2 },
  ],
  summary: ['| mode | level |\n|---|---|\n| cp | linearizable |'],
};
const erasure = {
  ...meta('erasure'),
  library: '@digitaldefiance/reed-solomon-erasure.wasm 1.0.2',
  rows: [
    { k: 4, m: 2, encodeMBps: 20, decodeMBps: 10, library: { encodeMBps: 40, decodeMBps: 30 } },
    { k: 10, m: 4, encodeMBps: 15, decodeMBps: 12 },
  ],
  summary: ['RS(4,2): ours encode 20.0 MB/s'],
};
const twophase = { ...meta('twophase'), summary: ['TwoPhase-5: 1234 states'] };

const file = (name: string, json: unknown): BenchFile => ({ file: `${name}.json`, json });
const cardOf = (page: string, id: string): string => {
  const at = page.indexOf(`<section class="panel bench-section" id="${id}">`);
  expect(at, id).toBeGreaterThanOrEqual(0);
  return page.slice(at, page.indexOf('</section>', at));
};
const bars = (svg: string) => [...svg.matchAll(/<rect class="bar"[^>]*width="([\d.]+)"[^>]*><title>([^<]*)<\/title>/g)].map((m) => ({ width: Number(m[1]), title: m[2]! }));

describe('the benchmark report', () => {
  const page = renderBenchIndex([file('twophase', twophase), file('gossip', gossip), file('pacelc', pacelc), file('erasure', erasure), file('antientropy', antientropy)]);

  it('one card per section, in name order, each with its date, machine line and summary lines', () => {
    const ids = [...page.matchAll(/<section class="panel bench-section" id="([^"]+)">/g)].map((m) => m[1]);
    expect(ids).toEqual(['antientropy', 'erasure', 'gossip', 'pacelc', 'twophase']);
    for (const s of [gossip, antientropy, pacelc, erasure, twophase]) {
      const card = cardOf(page, s.section);
      expect(card).toContain(s.date);
      expect(card).toContain('Node v20.20.2 · 2 CPUs · 1.5 s wall');
      for (const line of s.summary) expect(card).toContain(line.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(cardOf(page, 'twophase')).not.toContain('<svg');
    expect(page).not.toContain('Skipped files');
  });

  it('gossip: rounds against N with log2 N and log3 N; a run that did not converge leaves its point out', () => {
    const card = cardOf(page, 'gossip');
    expect(card).toContain('random: mean: 4 → 1.75');
    expect(card).not.toContain('random: mean: 16');
    expect(card).toContain('random, drops: mean: 16 → 4.5');
    expect(card).toContain('synchronous: mean: 16 → 4.125');
    expect(card).toContain('log2 N: 16 → 4<');
    expect(card).toContain('log3 N: 4 → 1.262');
    expect(card).toContain('not converged');
    expect(card).toContain('rounds = exchanges started / N');
  });

  it('antientropy: one line per number of differences, points at the key counts', () => {
    const card = cardOf(page, 'antientropy');
    expect(card.match(/<path /g)).toHaveLength(2);
    expect(card).toContain('1 differing key: 256 → 17');
    expect(card).toContain('4 differing keys: 256 → 55.25');
  });

  it('pacelc: availability and round-trip bars for every row present, with the level', () => {
    const b = bars(cardOf(page, 'pacelc'));
    expect(b).toHaveLength(6);
    expect(b.map((x) => x.title)).toEqual([
      'cp (linearizable): 50%',
      'ap-lww (eventual): 100%',
      'new-mode &lt;x&gt; (no level): 75%',
      'cp (linearizable): 2.00',
      'ap-lww (eventual): 1.00',
      'new-mode &lt;x&gt; (no level): 1.50',
    ]);
    const full = b[1]!.width;
    expect(b.map((x) => x.width / full)).toEqual([0.5, 1, 0.75, 1, 0.5, 0.75]);
  });

  it('erasure: MB/s per shape, ours and the library’s where measured', () => {
    const b = bars(cardOf(page, 'erasure'));
    expect(b.map((x) => x.title)).toEqual([
      'RS(4,2) ours: 20.0 MB/s',
      'RS(4,2) library: 40.0 MB/s',
      'RS(10,4) ours: 15.0 MB/s',
      'RS(4,2) ours: 10.0 MB/s',
      'RS(4,2) library: 30.0 MB/s',
      'RS(10,4) ours: 12.0 MB/s',
    ]);
  });

  it('a malformed or unknown file is skipped with a visible note; a bad chart keeps its card with a note', () => {
    const p = renderBenchIndex([
      { file: 'broken.json', json: undefined, error: 'Unexpected end of JSON input' },
      file('mutants', { generated: 'x', results: [] }),
      file('erasure', { ...erasure, rows: [{ k: 'four' }] }),
      file('gossip', { ...gossip, rows: 'none' }),
      file('twophase', twophase),
    ]);
    expect(p).toContain('Skipped files');
    expect(p).toContain('broken.json: not valid JSON (Unexpected end of JSON input)');
    expect(p).toContain('mutants.json: not a bench section result');
    expect(cardOf(p, 'erasure')).toContain('chart skipped: row 1 is not an erasure row');
    expect(cardOf(p, 'gossip')).toContain('chart skipped: no rows');
    expect(cardOf(p, 'twophase')).toContain('TwoPhase-5: 1234 states');
  });

  it('writeBenchIndex reads every JSON of the folder (bad ones included) and writes index.html', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dscheck-bench-'));
    writeFileSync(join(dir, 'gossip.json'), JSON.stringify(gossip));
    writeFileSync(join(dir, 'erasure.json'), JSON.stringify(erasure));
    writeFileSync(join(dir, 'half.json'), '{"section": "x"');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    expect(readBenchFiles(dir).map((f) => f.file).sort()).toEqual(['erasure.json', 'gossip.json', 'half.json']);
    const out = writeBenchIndex(dir);
    expect(out).toBe(join(dir, 'index.html'));
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('id="gossip"');
    expect(html).toContain('id="erasure"');
    expect(html).toContain('half.json: not valid JSON');
    expect(readBenchFiles(join(dir, 'missing'))).toEqual([]);
  });
});
