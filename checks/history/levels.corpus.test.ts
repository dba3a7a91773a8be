/**
 * `--strongest` on the 229 corpus histories: the linearizable ones report "linearizable" (and
 * nothing below is checked); the others report a weaker level or none, and every witness order
 * they give checks out. Below linearizability the search bound is a step count, so the outcome
 * is deterministic; the counts are pinned.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusRoot, loadCorpus } from './corpus.ts';
import { checkStrongest } from './levels.ts';
import { parseHistory } from './load.ts';
import { linearizationOrder, verifySequentialOrder } from '../../impl/core/history/sequential.ts';
import { checkHistory } from '../../impl/core/history/search.ts';
import { verifyLinearization } from './verify.ts';

describe('--strongest on the corpus', () => {
  it('linearizable histories report linearizable; the others a weaker level, with valid witnesses', { timeout: 600_000 }, async () => {
    const root = corpusRoot();
    const entries = await loadCorpus(root);
    expect(entries).toHaveLength(229);
    const tally: Record<string, number> = {};
    for (const e of entries) {
      const loaded = parseHistory(await readFile(join(root, e.family, e.file), 'utf8'), { format: e.format, model: e.model, source: e.file });
      // Default bounds where the first level decides; a step bound below it (deterministic).
      const s = checkStrongest(loaded.model, loaded.history, e.expected === 'linearizable' ? {} : { maxSteps: 1_000_000 });
      const where = `${e.family}/${e.file}`;
      if (e.expected === 'linearizable') {
        expect(s, where).toMatchObject({ strongest: 'linearizable', decided: true });
        expect(s.levels, where).toHaveLength(1);
        const d = s.levels[0]!;
        if (d.status === 'holds' && d.detail.level === 'linearizable') {
          for (const p of d.detail.result.partitions) expect(verifyLinearization(loaded.model.spec, loaded.history, p.linearization!, p.ops), where).toBeNull();
        }
      } else {
        expect(s.levels[0]!.status, where).toBe('violated');
        expect(s.strongest, where).not.toBe('linearizable');
      }
      for (const l of s.levels) {
        if (l.status === 'holds' && l.detail.level === 'sequential') expect(verifySequentialOrder(loaded.model.spec, loaded.history, l.detail.result.order!), where).toBeNull();
      }
      const key = `${e.expected} -> ${s.strongest ?? 'none'}${s.decided ? '' : ' (undecided)'}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    expect(tally).toEqual({
      'linearizable -> linearizable': 140,
      'not-linearizable -> sequential': 82,
      'not-linearizable -> eventual': 1,
      'not-linearizable -> none': 2,
      'not-linearizable -> eventual (undecided)': 2,
      'not-linearizable -> none (undecided)': 2,
    });
  });

  it('the linearizations of the key-value histories merge into one sequential witness across keys', { timeout: 300_000 }, async () => {
    const root = corpusRoot();
    for (const file of ['kv/c01-ok.txt', 'kv/c10-ok.txt', 'kv/c50-ok.txt']) {
      const loaded = parseHistory(await readFile(join(root, 'porcupine', file), 'utf8'), { format: 'kv', model: 'kv', source: file });
      const lin = checkHistory(loaded.model.spec, loaded.history);
      expect(lin.verdict, file).toBe('linearizable');
      const order = linearizationOrder(loaded.history, lin);
      expect(order, file).not.toBeNull();
      expect(order!.length, file).toBe(lin.partitions.reduce((a, p) => a + p.linearization!.length, 0));
      expect(verifySequentialOrder(loaded.model.spec, loaded.history, order!), file).toBeNull();
      if (file === 'kv/c10-ok.txt') expect(lin.partitions.length).toBeGreaterThan(1);
    }
  });
});
