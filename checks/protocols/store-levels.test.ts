/**
 * The store's modes, classified by the history checkers themselves (`checks/bench/pacelc.ts`):
 * every reachable client history of a mode (3 replicas, 2 sessions, one partition) is checked
 * at every level, and the mode reaches the strongest level no history violates. The counts of
 * distinct histories and violations are pinned, so a semantic change shows.
 *
 * Expected from the issue: cp linearizable, ap-siblings causal, ap-lww eventual only. What the
 * checker finds for ap-lww depends on its stamps:
 * - HLC stamps (the default), sticky sessions, one register: sequential. Every replica applies
 *   writes in stamp order, and a session's stamps only grow: a write ticks past everything its
 *   replica has seen, including every value its client read there (the HLC merges received
 *   stamps), so the stamp order is a sequential witness. LWW's defect is then the lost update
 *   (`no-lost-update`, store.test.ts), which no register-history level forbids.
 * - Physical stamps (Cassandra's default: the replica's wall clock) on clocks skewed by 1:
 *   eventual only. A client reads a value stamped by a replica whose clock is ahead, writes at
 *   its own replica whose clock is behind, and its write loses at once: its next read returns
 *   the value it overwrote (read-your-writes broken, so not causal either). No partition needed.
 * With roaming sessions (a client's request may reach any replica) both AP modes drop to eventual.
 */
import { describe, expect, it } from 'vitest';
import { classifyStore, measureStore } from '../bench/pacelc.ts';
import { renderPacelcPage } from '../report/pacelc.ts';

describe('each mode classified by the checker, across all its reachable histories', () => {
  it('cp (2 ops): linearizable — no history violates any level, refusals included', () => {
    // Was 90 histories (45 at rest) before cp refused on a timeout: the refusals (a read
    // failed, a write indeterminate) and the operations clients make after them add histories.
    const c = classifyStore('cp', { replicas: 3, clients: 2, ops: 2 });
    expect(c.complete).toBe(true);
    expect(c.strongest).toBe('linearizable');
    expect(c.levels.map((l) => [l.level, l.checked, l.violated])).toEqual([
      ['linearizable', 230, 0],
      ['sequential', 230, 0],
      ['causal', 230, 0],
      ['eventual', 163, 0],
    ]);
  });
  it('ap-siblings (3 ops): causal — stale reads break linearizability, sibling reads break sequential consistency', () => {
    const c = classifyStore('ap-siblings', { replicas: 3, clients: 2, ops: 3 });
    expect(c.strongest).toBe('causal');
    expect(c.levels.map((l) => [l.level, l.checked, l.violated])).toEqual([
      ['linearizable', 111, 28],
      ['sequential', 111, 4],
      ['causal', 111, 0],
      ['eventual', 111, 0],
    ]);
    expect(c.levels[1]!.example).toMatch(/read the siblings 1\|2/);
  });
  it('ap-lww (3 ops): sequential, not linearizable (see the header: stronger than the issue expected)', () => {
    const c = classifyStore('ap-lww', { replicas: 3, clients: 2, ops: 3 });
    expect(c.strongest).toBe('sequential');
    expect(c.levels.map((l) => [l.level, l.checked, l.violated])).toEqual([
      ['linearizable', 110, 25],
      ['sequential', 110, 0],
      ['causal', 110, 0],
      ['eventual', 120, 0],
    ]);
  });
  it('ap-lww on skewed physical clocks (2 replicas, 4 ops, skew ≤ 1, no partition): eventual only, and not causal — the same shape with HLC stamps stays sequential', () => {
    const clocks = { maxClock: 1, maxSkew: 1 };
    const shape = { replicas: 2, clients: 2, ops: 4 };
    const physical = classifyStore('ap-lww', { ...shape, stamps: 'physical' }, 0, 2_000_000, clocks);
    expect(physical.complete).toBe(true);
    expect(physical.strongest).toBe('eventual');
    expect(physical.levels.map((l) => [l.level, l.checked, l.violated])).toEqual([
      ['linearizable', 567, 226],
      ['sequential', 567, 2],
      ['causal', 567, 2],
      ['eventual', 727, 0],
    ]);
    // A reachable non-causal history: c2 reads c1's 1 (stamped by r1, clock ahead), writes 3 at
    // r2 (clock behind: 3 loses at once), and reads 1 again.
    expect(physical.levels[2]!.example).toBe('not causal (read-your-writes broken): c2 read 1 reads c1 write 1, but c2 write 3 overwrote it in its causal past');
    const hlc = classifyStore('ap-lww', shape, 0, 2_000_000, clocks);
    expect(hlc.complete).toBe(true);
    expect(hlc.strongest).toBe('sequential');
    expect(hlc.levels.map((l) => [l.level, l.checked, l.violated])).toEqual([
      ['linearizable', 565, 224],
      ['sequential', 565, 0],
      ['causal', 565, 0],
      ['eventual', 701, 0],
    ]);
  });
  it('physical stamps are an ap-lww option that needs clocks; the other modes read no clock: refused in one line', () => {
    expect(() => classifyStore('ap-lww', { replicas: 2, clients: 1, ops: 2, stamps: 'physical' }, 0)).toThrow(/stamps=physical reads the physical clocks: set maxClock ≥ 1/);
    expect(() => classifyStore('cp', { replicas: 2, clients: 1, ops: 2, stamps: 'physical' }, 0, 100, { maxClock: 1 })).toThrow(/stamps=physical is an ap-lww option/);
    expect(() => classifyStore('ap-siblings', { replicas: 2, clients: 1, ops: 2 }, 0, 100, { maxClock: 1 })).toThrow(/mode=ap-siblings reads no clock/);
  });
  it('roaming sessions (AP modes, 2 replicas, 1 client, 2 ops): both drop to eventual — a client reads at a replica that lacks its own write', () => {
    for (const mode of ['ap-lww', 'ap-siblings'] as const) {
      const c = classifyStore(mode, { replicas: 2, clients: 1, ops: 2, roaming: true });
      expect(c.strongest, mode).toBe('eventual');
      expect(c.levels[2]!.example, mode).toMatch(/^not causal \(read-your-writes broken\)/);
      expect(c.levels[3]!.violated, mode).toBe(0);
    }
  });
  it('cp sessions do not roam: refused in one line', () => {
    expect(() => classifyStore('cp', { replicas: 2, clients: 1, ops: 2, roaming: true })).toThrow(/cp sessions stay at their home replica/);
  });
  it('a bound that cuts the exploration gives no level', () => {
    const c = classifyStore('ap-lww', { replicas: 3, clients: 2, ops: 3 }, 1, 100);
    expect(c.complete).toBe(false);
    expect(c.strongest).toBeNull();
  });
});

describe('PACELC costs (counts from seeded runs)', () => {
  it('partitioned: the AP modes answer every operation, cp does not; else: cp pays more round trips', () => {
    const shape = { replicas: 3, clients: 2, ops: 3 };
    const cp = measureStore('cp', shape, 40);
    const lww = measureStore('ap-lww', shape, 40);
    const sib = measureStore('ap-siblings', shape, 40);
    expect(lww.availability).toBe(1);
    expect(sib.availability).toBe(1);
    expect(cp.availability).toBeLessThan(1);
    expect(cp.availability).toBeGreaterThan(0);
    // cp's minority side refuses: every operation is answered, some as unavailable.
    expect(cp.responded).toBe(1);
    expect(cp.partitionOps.refused).toBeGreaterThan(0);
    expect(cp.partitionOps.answered + cp.partitionOps.refused).toBe(cp.partitionOps.invoked);
    expect(lww.partitionOps.refused).toBe(0);
    // AP answers at its replica (the client's own round trip); cp forwards and waits for a majority.
    expect(lww.roundTrips).toBe(1);
    expect(sib.maxRoundTrips).toBe(1);
    expect(cp.roundTrips).toBeGreaterThanOrEqual(2);
    expect(cp.maxRoundTrips).toBe(3);
  });
});

describe('the PACELC chart', () => {
  it('one bar per row in each half, scaled: full availability is the full width, the most round trips the full width', () => {
    const rows = [
      { label: 'cp', level: 'linearizable', availability: 0.5, roundTrips: 2, messagesPerOp: 4 },
      { label: 'ap-lww <roaming>', level: 'eventual', availability: 1, roundTrips: 1, messagesPerOp: 1 },
    ];
    const page = renderPacelcPage(rows, { replicas: 3, clients: 2, ops: 3 });
    const widths = [...page.matchAll(/<rect class="bar" x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(4);
    const full = Math.max(...widths);
    expect(widths).toEqual([full / 2, full, full, full / 2]);
    expect(page).toContain('ap-lww &lt;roaming&gt;');
    expect(page).not.toContain('<roaming>');
  });
});
