/**
 * What Echo (`impl/echo/echo.ts`) must do, read from its ghost history:
 *
 * - `fresh-seq`: a node never numbers two pings alike (needs the counter to survive crashes);
 * - `no-double-delivery`: no Ping is delivered twice (holds on a non-duplicating network
 *   without retries);
 * - `fifo-order`: the pings from one node to another arrive in the order they were sent (holds
 *   with `delivery=fifo`; the checker finds a violation on a multiset network).
 *
 * Each invariant comes with the witnesses `ping-delivered` and `pong-received`, so a model that
 * never does anything fails loudly.
 */
import { nodeName } from '../impl/env/partition.ts';
import type { EchoState, PingRecord } from '../impl/echo/echo.ts';

const key = (p: PingRecord): string => `${p.from}>${p.to}#${p.seq}`;
const show = (p: PingRecord): string => `${nodeName(p.from)}→${nodeName(p.to)} #${p.seq}`;

/** Echo's invariants (they read the ghost history). */
export const echoInvariants = [
  {
    name: 'fresh-seq',
    symmetric: true,
    doc: 'no node numbers two pings alike',
    check(s: EchoState) {
      const seen = new Set<string>();
      for (const p of s.ghost.sent) {
        const k = `${p.from}#${p.seq}`;
        if (seen.has(k)) return `${nodeName(p.from)} sent two pings numbered ${p.seq}`;
        seen.add(k);
      }
      return true;
    },
  },
  {
    name: 'no-double-delivery',
    symmetric: true,
    doc: 'no ping is delivered twice',
    check(s: EchoState) {
      const seen = new Set<string>();
      for (const p of s.ghost.delivered) {
        if (seen.has(key(p))) return `${show(p)} was delivered twice`;
        seen.add(key(p));
      }
      return true;
    },
  },
  {
    name: 'fifo-order',
    symmetric: true,
    doc: 'the pings from one node to another arrive in the order they were sent (strictly increasing seq)',
    check(s: EchoState) {
      const last = new Map<string, number>();
      for (const p of s.ghost.delivered) {
        const link = `${p.from}>${p.to}`;
        const prev = last.get(link);
        if (prev !== undefined && p.seq <= prev) return `${show(p)} arrived after #${prev}`;
        last.set(link, p.seq);
      }
      return true;
    },
  },
] as const;

/** Echo's `sometimes` witnesses. */
export const echoWitnesses = [
  { name: 'ping-delivered', symmetric: true, doc: 'some ping is delivered', check: (s: EchoState) => s.ghost.delivered.length > 0 },
  { name: 'pong-received', symmetric: true, doc: 'some node gets the pong it waited for', check: (s: EchoState) => s.nodes.some((x) => x.volatile !== null && x.volatile.pongs > 0) },
] as const;
