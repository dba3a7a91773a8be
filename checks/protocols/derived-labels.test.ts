/**
 * The trace labels of the failover, anti-entropy, erasure, quorum and delivery models, derived
 * from their schemas (labelled message unions, `request` and `local` schemas) since their
 * hand-written `formatMessage` / `formatRequest` / `formatLocal` hooks went: every expected label
 * below is the text the removed hook printed (recorded before the port), and must still be the
 * label of some action reachable in the model. Saved traces name their steps by these labels, so
 * a changed label breaks their replay.
 */
import { describe, expect, it } from 'vitest';
import { instantiate, type AnyMachine, type ParamValue } from '../../impl/core/machine.ts';
import { labelOf } from '../../impl/core/trace.ts';
import { loadModel } from '../../specs/models/catalogue.ts';
import { encodingOf } from '../env/helpers.ts';

/**
 * Breadth-first from the initial states, up to `limit` distinct states: which of `wanted` are the
 * labels of actions taken on the way (the search stops early once every one was seen).
 */
function labelsReached(m: AnyMachine, wanted: readonly string[], limit: number): Set<string> {
  const want = new Set(wanted);
  const found = new Set<string>();
  const seen = new Set<string>();
  const queue: unknown[] = [];
  const visit = (s: unknown) => {
    const k = encodingOf(m, s);
    if (seen.has(k)) return;
    seen.add(k);
    queue.push(s);
  };
  m.init().forEach(visit);
  for (let i = 0; i < queue.length && seen.size < limit && found.size < want.size; i++) {
    const s = queue[i];
    for (const a of m.actions(s)) {
      const l = labelOf(m, a);
      if (want.has(l)) found.add(l);
      visit(m.step(s, a));
    }
  }
  return found;
}

interface Case {
  readonly model: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Labels the removed hooks printed for these actions. */
  readonly labels: readonly string[];
}

const CASES: readonly Case[] = [
  { model: 'election', params: {}, labels: ['deliver n3→n1 Heartbeat(t1)', 'deliver n1→n2 RequestVote(t2)', 'deliver n2→n1 Vote(t2)'] },
  { model: 'election', params: { bug: 'bully', partitions: 1 }, labels: ['deliver n1→n2 Election', 'deliver n2→n1 Answer', 'deliver n3→n1 Coordinator(t1)'] },
  { model: 'leader-lease', params: {}, labels: ['local n1 acquire lease', 'deliver n1→g1 Acquire#1', 'deliver g1→n1 Grant#1', 'deliver g1→n2 Busy#1'] },
  { model: 'primary', params: { guard: 'fencing' }, labels: ['request db1 write', 'deliver db1→db2 Heartbeat', 'deliver db1→st1 Write(token 1)'] },
  { model: 'primary', params: { guard: 'stonith' }, labels: ['deliver db2→sw1 PowerOff(db1)', 'deliver sw1→db1 Cut', 'deliver db1→sw1 Dark', 'deliver sw1→db2 PoweredOff'] },
  {
    model: 'github',
    params: {},
    labels: ['request db1 client write w1', 'local o1 campaign', 'deliver db1→db2 Append(epoch 1, #1 w1)', 'deliver o1→db1 Demote(epoch 2)', 'deliver db1→o1 Demoted(log [])'],
  },
  { model: 'github', params: { bug: 'cross-region-promotion' }, labels: ['deliver o1→db3 Promote(epoch 2)'] },
  { model: 'github', params: { requests: 1 }, labels: ['deliver db1→o1 Demoted(log [w1])', 'deliver o1→db2 Promote(epoch 2, log [w1])'] },
  { model: 'antientropy', params: {}, labels: ['request r1 write(k0, v1)', 'local r1 repair', 'deliver r1→r2 Get(1)', 'deliver r2→r1 Hashes(1:2a1b)', 'deliver r2→r1 Entries()'] },
  { model: 'antientropy', params: { keys: 4, leaves: 2, sessions: 1, requests: 1 }, labels: ['deliver r1→r2 Sync(leaves 2: k0v1)', 'deliver r2→r1 Entries(k1v1)'] },
  { model: 'erasure', params: {}, labels: ['local h1 rebuild', 'deliver h1→h2 Fetch', 'deliver h2→h1 Piece(shard 1)'] },
  { model: 'abd', params: {}, labels: ['request c1 write 1', 'request c1 read', 'deliver c1→r1 Query(#1)', 'deliver r1→c1 QueryReply(#1, 0@0)', 'deliver c1→r1 Store(#1, 1@1.c1)', 'deliver r1→c1 StoreAck(#1)'] },
  { model: 'dynamo', params: { sloppy: true, partitions: 1, requests: 2 }, labels: ['local c1 suspect r1', 'deliver c1→s1 Query(#1, for r1)'] },
  {
    model: 'dynamo',
    params: { sloppy: true, crashes: 1, requests: 1, clients: 1 },
    labels: ['deliver c1→s1 Store(#1, 1@1.c1, for r1)', 'local s1 hand off to r1', 'deliver s1→r1 Handoff(1@1.c1)', 'deliver r1→s1 HandoffAck(1.c1)'],
  },
  { model: 'dynamo', params: { readRepair: true, requests: 2, clients: 1 }, labels: ['deliver c1→r1 Repair(1@1.c1)'] },
  { model: 'delivery', params: {}, labels: ['request p1 pay(key 1)', 'deliver p1→b1 Publish(key 1)', 'deliver b1→p1 PubAck(key 1)', 'deliver b1→c1 Deliver(#0, key 1)', 'deliver c1→b1 Ack(#0)'] },
  { model: 'delivery', params: { bug: 'ack-before-apply' }, labels: ['local c1 apply'] },
  {
    model: 'outbox',
    params: {},
    labels: ['request s1 txn(key 1, commit)', 'request s1 txn(key 1, rollback)', 'local s1 relay publishes the oldest outbox row', 'deliver s1→c1 Change(txn 1, key 1)', 'deliver c1→s1 ChangeAck(txn 1)'],
  },
  { model: 'outbox', params: { bug: 'dual-write' }, labels: ['local s1 publish the change (dual write)'] },
  { model: 'outbox', params: { bug: 'publish-before-commit' }, labels: ['local s1 commit or roll back (after publishing)'] },
  { model: 'cdc', params: {}, labels: ['request d1 txn(key 1, commit)', 'local d1 reader reads the WAL', 'deliver d1→c1 Change(txn 1, key 1)', 'deliver c1→d1 ChangeAck(txn 1)'] },
  { model: 'cdc', params: { bug: 'checkpoint-before-publish' }, labels: ['local d1 reader publishes what it read'] },
  {
    model: 'saga',
    params: {},
    labels: ['request o1 start saga', 'deliver o1→s1 Do(step 1)', 'local s1 run the step (commit)', 'local s1 reject the step (business failure)', 'deliver s1→o1 Done(step 1)', 'deliver s2→o1 Failed(step 2)', 'deliver o1→s1 Undo(step 1)', 'deliver s1→o1 Undone(step 1)'],
  },
];

describe('derived trace labels print what the removed label hooks printed', () => {
  for (const c of CASES) {
    it(`${c.model} ${JSON.stringify(c.params)}`, { timeout: 120_000 }, async () => {
      const { machine } = instantiate(await loadModel(c.model), c.params);
      const found = labelsReached(machine, c.labels, 30_000);
      expect(c.labels.filter((l) => !found.has(l))).toEqual([]);
    });
  }
});
